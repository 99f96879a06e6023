"""The Vietnamese wording of the bot's own messages (everything that is not an engine answer)."""

from __future__ import annotations

import html

from telegram import BotCommand

from knowledge.numbers import format_vn_number

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Hoàng Mai thu ngân sách 2022?",
    "hoang mai thu ngan sach 2022",
    "Q1 thu NS 2023",
    "HBT được Huân chương gì?",
)
EXAMPLE = EXAMPLE_QUESTIONS[0]
MAX_QUESTION_CHARS = 1000

BOT_COMMANDS: tuple[BotCommand, ...] = (
    BotCommand("hoi", "Hỏi một câu, ví dụ: /hoi Hoàng Mai thu ngân sách 2022"),
    BotCommand("bieudo", "Biểu đồ so sánh các quận, ví dụ: /bieudo thu ngân sách"),
    BotCommand("theodoi", "Nhận nhắc chỉ tiêu của một quận, ví dụ: /theodoi Bình Thạnh"),
    BotCommand("huytheodoi", "Hủy nhắc chỉ tiêu (một quận, hoặc tất cả)"),
    BotCommand("danhsach", "Các lời nhắc đang theo dõi và lần nhắc tới"),
    BotCommand("dangkynhom", "Đăng ký nhóm nhận thông báo (quản trị viên nhóm)"),
    BotCommand("huydangkynhom", "Hủy đăng ký nhận thông báo của nhóm"),
    BotCommand("help", "Bot biết những gì, câu hỏi mẫu và các lệnh"),
    BotCommand("start", "Bắt đầu"),
)

ASK_USAGE = f"Cách dùng: /hoi <câu hỏi>, ví dụ: /hoi {EXAMPLE}"
TOO_LONG = (f"Câu hỏi dài quá (tối đa {format_vn_number(MAX_QUESTION_CHARS)} ký tự). "
            f"Hãy hỏi ngắn gọn, ví dụ: «{EXAMPLE}».")
NOT_TEXT = f"Tôi chỉ đọc được câu hỏi bằng chữ, ví dụ: «{EXAMPLE}». Gõ /help để xem hướng dẫn."
UNKNOWN_COMMAND = f"Không có lệnh này. Gõ /help để xem các lệnh, hoặc hỏi thẳng: «{EXAMPLE}»."
STALE_BUTTON = "Nút này đã cũ, vui lòng gửi lại câu hỏi."
CHART_BUTTON = "Xem biểu đồ"
THUMBS_UP, THUMBS_DOWN = "👍", "👎"
THANKS = "Cảm ơn bạn đã góp ý!"
NOTED_BAD_ANSWER = "Đã ghi nhận câu trả lời chưa tốt; người biên tập dữ liệu sẽ xem lại."
STALE_CHART_BUTTON = "Nút biểu đồ này đã cũ, vui lòng gõ /bieudo <chỉ số>."
CHART_IN_CHAT_ONLY = "Hãy mở trò chuyện với bot và gõ /bieudo <chỉ số> để xem biểu đồ."
ADMIN_COMMANDS: tuple[BotCommand, ...] = (
    BotCommand("thongbao", "Gửi thông báo tới các nhóm đã đăng ký (quản trị bot)"),
    BotCommand("capnhat", "Nạp lại dữ liệu đã sửa, báo số liệu mới (quản trị bot)"),
    BotCommand("chuatraloi", "Các câu hỏi bot chưa trả lời được (quản trị bot)"),
)
FAILURE = "Có lỗi, vui lòng thử lại."
INLINE_HINT = "Gõ câu hỏi sau tên bot, ví dụ: Hoàng Mai thu ngân sách 2022"
INLINE_TITLE = {
    "answered": "Trả lời: {question}",
    "clarify": "Cần hỏi rõ hơn: {question}",
    "not_found": "Chưa có số liệu: {question}",
}


def flood_notice(wait_seconds: int) -> str:
    """Tell a user who writes too fast how long to pause."""
    return f"Bạn gửi tin nhanh quá. Vui lòng chờ khoảng {wait_seconds} giây rồi hỏi tiếp."


def chart_usage(chartable: list[str]) -> str:
    """Tell how to use /bieudo, with the metrics that can be charted."""
    usage = ("Cách dùng: /bieudo <chỉ số>, ví dụ: /bieudo thu ngân sách (so sánh các quận); "
             "/bieudo <chỉ số> <quận> vẽ số liệu của một quận qua các năm.")
    if chartable:
        usage += f" Có thể vẽ biểu đồ so sánh: {', '.join(f'«{m}»' for m in chartable)}."
    return usage


def help_html(coverage: str, bot_username: str) -> str:
    """Compose the /start and /help message: what the bot knows, example questions, commands."""
    examples = "\n".join(f"• {html.escape(q)}" for q in EXAMPLE_QUESTIONS)
    commands = "\n".join(f"/{c.command} — {html.escape(c.description)}" for c in BOT_COMMANDS)
    bot = f"@{html.escape(bot_username)}"
    return (
        "<b>Tra cứu kết quả thi đua và chỉ tiêu</b>\n"
        "Hỏi bằng tiếng Việt, có dấu hoặc không dấu; mỗi câu trả lời đều kèm nguồn báo cáo.\n\n"
        f"{html.escape(coverage)}\n\n"
        "<b>Câu hỏi mẫu</b>\n"
        f"{examples}\n\n"
        "<b>Các lệnh</b>\n"
        f"{commands}\n\n"
        f"Trong nhóm: nhắc {bot}, trả lời tin nhắn của bot, hoặc dùng /hoi.\n"
        f"Ở mọi cuộc trò chuyện: gõ {bot} rồi câu hỏi."
    )
