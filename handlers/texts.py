"""The Vietnamese wording of the bot's own messages (everything that is not an engine answer)."""

from __future__ import annotations

import datetime as dt
import html

from telegram import BotCommand

from bot.audit import AuditEntry
from bot.health import Health
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
    BotCommand("trangthai", "Tình trạng gửi tin và lưu dữ liệu của bot (quản trị bot)"),
    BotCommand("nhatky", "Nhật ký thông báo, đăng ký nhóm, cập nhật dữ liệu (quản trị bot)"),
)
NOT_DRAFT_AUTHOR = "Chỉ người soạn thông báo này mới gửi hoặc hủy được nó."
STATE_WRITE_FAILED = ("⚠️ Bot không ghi được dữ liệu (ổ đĩa đầy hoặc chỉ cho đọc?). Đã tạm dừng "
                      "gửi tin và sẽ tự thử lại; tin đã gửi không bị gửi lại. Xem /trangthai.")
STATE_WRITE_RESUMED = "✅ Bot đã ghi được dữ liệu trở lại và tiếp tục gửi tin."
DATABASE_WRITE_FAILED = ("⚠️ Bot không ghi được vào cơ sở dữ liệu (PostgreSQL không trả lời?). "
                         "Đã tạm dừng gửi tin và sẽ tự thử lại; tin đã gửi không bị gửi lại. "
                         "Xem /trangthai.")
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


def _when(moment: dt.datetime, tz: dt.tzinfo) -> str:
    return f"{moment.astimezone(tz):%H:%M %d/%m/%Y}"


def _count(n: int) -> str:
    return format_vn_number(n)


def status_report(health: Health, now: dt.datetime, tz: dt.tzinfo) -> str:
    """/trangthai: the outbox, what may have gone twice or was given up, the last commit error."""
    if health.stalled:
        state = "⚠️ tạm dừng gửi: không ghi được dữ liệu, đang thử lại"
    elif health.offline:
        state = "⚠️ tạm dừng gửi: Telegram không trả lời, đang chờ"
    else:
        state = "đang chạy bình thường"
    lines = [f"Tình trạng bot lúc {_when(now, tz)}: {state}.",
             f"Tin chờ gửi: {_count(health.pending)}"
             + (f" (trong đó {_count(health.waiting)} đang chờ đến lượt hoặc thử lại)"
                if health.waiting else "") + "."]
    if health.oldest_pending is not None:
        lines.append(f"Tin chờ lâu nhất: từ {_when(health.oldest_pending, tz)}.")
    lines.append(f"Có thể đã gửi 2 lần: {_count(health.uncertain)} tin. "
                 f"Đã bỏ, không gửi được: {_count(health.given_up)} tin.")
    if health.unhandled_updates:
        lines.append(f"Tin nhắn đã nhận, đang xử lý: {_count(health.unhandled_updates)}.")
    if health.last_commit_error:
        at = f" lúc {_when(health.last_commit_error_at, tz)}" if health.last_commit_error_at else ""
        now_failing = "vẫn đang lỗi" if health.failing else "đã ghi lại được"
        lines.append(f"Lỗi ghi dữ liệu gần nhất{at} ({now_failing}): "
                     f"{health.last_commit_error}")
    else:
        lines.append("Ghi dữ liệu: chưa có lỗi nào từ khi bot chạy.")
    return "\n".join(lines)


_AUDIT_WORDS = {
    "announcement_drafted": "soạn thông báo",
    "announcement_confirmed": "bấm Gửi thông báo",
    "announcement_cancelled": "hủy thông báo",
    "group_registered": "đăng ký nhóm",
    "group_unregistered": "hủy đăng ký nhóm",
    "kb_reloaded": "cập nhật dữ liệu",
    "refused": "bị từ chối",
}
_AUDIT_DETAIL_CHARS = 160


def audit_line(entry: AuditEntry, tz: dt.tzinfo) -> str:
    """One audit entry: when, who, what, about what."""
    who = f"người dùng {entry.actor}" if entry.actor is not None else "dòng lệnh"
    where = f" trong chat {entry.chat_id}" if entry.chat_id is not None else ""
    detail = entry.detail.replace("\n", " | ")
    if len(detail) > _AUDIT_DETAIL_CHARS:
        detail = detail[:_AUDIT_DETAIL_CHARS] + "…"
    about = f" {entry.subject}" if entry.subject else ""
    return (f"{_when(entry.at, tz)} — {who}{where}: {_AUDIT_WORDS.get(entry.action, entry.action)}"
            f"{about}" + (f" ({detail})" if detail else ""))


def audit_report(entries: list[AuditEntry], tz: dt.tzinfo) -> str:
    """/nhatky: the latest audit entries, newest last."""
    if not entries:
        return "Nhật ký chưa có mục nào."
    return "\n".join([f"Nhật ký ({len(entries)} mục gần nhất):",
                      *(audit_line(entry, tz) for entry in entries)])
