"""The Vietnamese wording of the bot's own messages: help, prompts, notices, usage and errors.

Engine answers (facts, sources, chart notes) and data-file problems are phrased in ``knowledge``;
everything else the bot says in Telegram or the console is here, to be reviewed in one place.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence

from telegram import BotCommand

from bot.audit import AuditEntry
from bot.health import Health
from bot.library import Reload
from bot.schedule import Announcement, BroadcastSummary, OutboxRow, Subscription, UsageError
from bot.unanswered import UnansweredGroup
from knowledge import KnowledgeBase
from knowledge.changes import PlaceChanges
from knowledge.model import District, DistrictLookup
from knowledge.numbers import format_vn_number
from knowledge.phrasing import fact_line, join_vn, place_label, source_lines, vn_date
from knowledge.validation import Problem

# -- examples and limits ---------------------------------------------------------------------
# Tappable under /start; each is answered from the shipped data (tests/test_telegram_texts.py).
EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Hoàng Mai thu ngân sách 2022?",
    "Q1 thu NS 2023",
    "HBT được Huân chương gì?",
    "Quận nào thu ngân sách cao nhất?",
)
UNACCENTED_EXAMPLE = "hoang mai thu ngan sach 2022"
EXAMPLE = EXAMPLE_QUESTIONS[0]
MAX_QUESTION_CHARS = 1000

# -- command menus, by who sees them ---------------------------------------------------------
_ASK = BotCommand("hoi", "Hỏi về kết quả thi đua, chỉ tiêu")
_CHART = BotCommand("bieudo", "Biểu đồ so sánh các quận")
_FOLLOW = BotCommand("theodoi", "Nhận nhắc chỉ tiêu của một quận")
_UNFOLLOW = BotCommand("huytheodoi", "Hủy nhắc chỉ tiêu")
_LIST = BotCommand("danhsach", "Các lời nhắc đang theo dõi")
_HELP = BotCommand("help", "Hướng dẫn và tất cả các lệnh")
_REGISTER = BotCommand("dangkynhom", "Nhóm nhận thông báo (quản trị viên nhóm)")
_UNREGISTER = BotCommand("huydangkynhom", "Nhóm thôi nhận thông báo")
PRIVATE_COMMANDS: tuple[BotCommand, ...] = (_ASK, _CHART, _FOLLOW, _UNFOLLOW, _LIST, _HELP)
GROUP_COMMANDS: tuple[BotCommand, ...] = (_ASK, _CHART, _LIST, _HELP)
GROUP_ADMIN_COMMANDS: tuple[BotCommand, ...] = (*GROUP_COMMANDS, _FOLLOW, _UNFOLLOW, _REGISTER,
                                                _UNREGISTER)
ADMIN_COMMANDS: tuple[BotCommand, ...] = (
    BotCommand("thongbao", "Gửi thông báo tới các nhóm (quản trị bot)"),
    BotCommand("capnhat", "Nạp lại dữ liệu đã sửa (quản trị bot)"),
    BotCommand("chuatraloi", "Câu hỏi bot chưa trả lời được (quản trị bot)"),
    BotCommand("trangthai", "Tình trạng gửi tin và lưu dữ liệu (quản trị bot)"),
    BotCommand("nhatky", "Nhật ký thông báo, đăng ký nhóm, cập nhật (quản trị bot)"),
)
BOT_ADMIN_COMMANDS: tuple[BotCommand, ...] = (*PRIVATE_COMMANDS, *ADMIN_COMMANDS)
ALL_COMMANDS: tuple[BotCommand, ...] = tuple(dict.fromkeys(
    (*PRIVATE_COMMANDS, *GROUP_ADMIN_COMMANDS, *ADMIN_COMMANDS, BotCommand("start", "Bắt đầu"))))

# -- the bot's profile (setMyDescription, setMyShortDescription) -----------------------------
DESCRIPTION = (
    "Tra cứu kết quả thi đua và chỉ tiêu của các quận, huyện (trước 01/07/2025) từ báo cáo đã "
    "công bố; mỗi câu trả lời đều ghi nguồn. Hỏi bằng tiếng Việt, có dấu hoặc không dấu, viết "
    f"tắt cũng được, ví dụ: «{EXAMPLE}». Xem biểu đồ, nhận nhắc chỉ tiêu; thêm bot vào nhóm để "
    "cả nhóm cùng hỏi và nhận thông báo."
)
SHORT_DESCRIPTION = "Hỏi kết quả thi đua, chỉ tiêu của các quận; trả lời kèm nguồn báo cáo."

# -- start, help and the group greeting ------------------------------------------------------
OPEN_PRIVATE_CHAT = "Mở hướng dẫn đầy đủ"
START_COMMANDS = "/bieudo biểu đồ · /theodoi nhắc chỉ tiêu · /help hướng dẫn"
_NAMED_UNITS = 5


def knows(units: Sequence[str], years: Sequence[int], former: bool = False) -> str:
    """What the bot knows, in one sentence: the units with data and the span of years.

    ``former``: every unit is a former district (before 1/7/2025), said once for all.
    """
    named = list(units[:_NAMED_UNITS])
    if len(units) > len(named):
        named.append(f"{len(units) - len(named)} đơn vị khác")
    when = ""
    if years:
        when = f"năm {min(years)}–{max(years)}" if min(years) < max(years) else f"năm {years[0]}"
    notes = ", ".join(filter(None, ["quận cũ" if former else "", when]))
    return (f"Tôi trả lời về kết quả thi đua, chỉ tiêu của {join_vn(named)}"
            f"{f' ({notes})' if notes else ''}, kèm nguồn báo cáo.")


def knows_of(kb: KnowledgeBase) -> str:
    """The one sentence of what the knowledge base in use covers."""
    years = sorted({year for place in kb.places for year in kb.years_of(place)})
    former = all(isinstance(place, District) for place in kb.places)
    return knows([place.short if former else place.name for place in kb.places], years, former)


def start_html(knowledge: str) -> str:
    """The short /start of a private chat; the example questions follow as buttons."""
    return "\n".join([
        html.escape(knowledge),
        "Gõ câu hỏi, có dấu hay không dấu đều được, hoặc bấm thử một câu bên dưới.",
        START_COMMANDS,
    ])


def group_intro_html(knowledge: str, bot_username: str) -> str:
    """/start and /help in a group, and the greeting when the bot is added to one."""
    bot = f"@{html.escape(bot_username)}"
    return "\n".join([
        html.escape(knowledge),
        f"Hỏi tôi bằng /hoi &lt;câu hỏi&gt;, nhắc {bot} kèm câu hỏi, hoặc trả lời tin nhắn "
        "của tôi.",
        "Quản trị viên nhóm: /dangkynhom để nhóm nhận thông báo, /theodoi để nhận nhắc chỉ tiêu.",
    ])


def help_html(coverage: str, bot_username: str, admin: bool, trends: bool = False) -> str:
    """The full /help of a private chat: what the bot knows, how to ask, every command.

    ``trends``: some unit has a metric over two or more years, so /bieudo can draw one.
    """
    bot = f"@{html.escape(bot_username)}"
    examples = "\n".join(f"• {html.escape(q)}" for q in (*EXAMPLE_QUESTIONS, UNACCENTED_EXAMPLE))
    lines = [
        "<b>Hướng dẫn</b>",
        html.escape(coverage),
        "",
        "<b>Hỏi</b> như nhắn tin, có dấu hoặc không dấu, viết tắt cũng được:",
        examples,
        "Ảnh, tệp có chú thích: tôi đọc chú thích như một câu hỏi.",
        "Hỏi tiếp bằng các nút dưới câu trả lời; bấm 👎 nếu câu trả lời chưa đúng.",
        "",
        "<b>Các lệnh</b>",
        "/hoi &lt;câu hỏi&gt; — hỏi (tiện trong nhóm)",
        "/bieudo [chỉ số] [quận] — biểu đồ so sánh các quận, hoặc một quận qua các năm"
        if trends else "/bieudo [chỉ số] — biểu đồ so sánh các quận",
        "/theodoi [quận] [hằng ngày|hằng tuần|hằng tháng] [giờ] — nhận nhắc chỉ tiêu",
        "/huytheodoi [quận] — hủy nhắc chỉ tiêu",
        "/danhsach — các lời nhắc và lần nhắc tới",
        "/help — hướng dẫn này",
        "",
        "<b>Trong nhóm</b>",
        f"Nhắc {bot} kèm câu hỏi, trả lời tin nhắn của bot, hoặc dùng /hoi. Quản trị viên nhóm: "
        "/dangkynhom [quận, …] để nhóm nhận thông báo, /huydangkynhom để thôi; /theodoi, "
        "/huytheodoi cho cả nhóm.",
        f"Ở mọi cuộc trò chuyện: gõ {bot} rồi câu hỏi để gửi câu trả lời vào đó.",
    ]
    if admin:
        lines += [
            "",
            "<b>Quản trị bot</b>",
            "/thongbao [quận|tất cả] &lt;nội dung&gt; [lúc &lt;giờ&gt; &lt;ngày&gt;] — xem trước "
            "rồi gửi thông báo tới các nhóm đã đăng ký",
            "/capnhat — nạp lại dữ liệu đã sửa; báo lỗi (tệp:dòng) hoặc những gì thay đổi",
            "/chuatraloi — các câu hỏi bot chưa trả lời được, thường gặp nhất trước",
            "/trangthai — tình trạng gửi tin và ghi dữ liệu của bot",
            "/nhatky — nhật ký thông báo, đăng ký nhóm, cập nhật dữ liệu, lần bị từ chối",
        ]
    return "\n".join(lines)


# -- questions, buttons and prompts ----------------------------------------------------------
ASK_PROMPT = f"Bạn muốn hỏi gì? Gõ câu hỏi vào ô trả lời, ví dụ: {EXAMPLE_QUESTIONS[1]}"
ASK_PLACEHOLDER = f"Ví dụ: {EXAMPLE}"
TOO_LONG = (f"Câu hỏi dài quá (tối đa {format_vn_number(MAX_QUESTION_CHARS)} ký tự). "
            f"Hãy hỏi ngắn gọn, ví dụ: «{EXAMPLE}».")
NOT_TEXT = (f"Tôi đọc được câu hỏi bằng chữ, hoặc chú thích của ảnh, tệp, ví dụ: «{EXAMPLE}». "
            "Gõ /help để xem hướng dẫn.")
UNKNOWN_COMMAND = f"Không có lệnh này. Gõ /help để xem các lệnh, hoặc hỏi thẳng: «{EXAMPLE}»."
STALE_BUTTON = "Nút này đã cũ, vui lòng gửi lại câu hỏi."
CHART_BUTTON = "Xem biểu đồ"
THUMBS_UP, THUMBS_DOWN = "👍", "👎"
THANKS = "Cảm ơn bạn đã góp ý!"
NOTED_BAD_ANSWER = "Đã ghi nhận câu trả lời chưa tốt; người biên tập dữ liệu sẽ xem lại."
FAILURE = "Có lỗi, vui lòng thử lại."
INLINE_HINT = f"Gõ câu hỏi sau tên bot, ví dụ: {EXAMPLE}"
INLINE_TITLE = {
    "answered": "Trả lời: {question}",
    "clarify": "Cần hỏi rõ hơn: {question}",
    "not_found": "Chưa có số liệu: {question}",
}


def flood_notice(wait_seconds: int) -> str:
    """Tell a user who writes or taps too fast how long to pause."""
    return f"Bạn thao tác nhanh quá. Vui lòng chờ khoảng {wait_seconds} giây rồi tiếp tục."


# -- charts ----------------------------------------------------------------------------------
STALE_CHART_BUTTON = "Nút biểu đồ này đã cũ, vui lòng gõ /bieudo <chỉ số>."
CHART_IN_CHAT_ONLY = "Hãy mở trò chuyện với bot và gõ /bieudo <chỉ số> để xem biểu đồ."
NOTHING_TO_CHART = "Chưa có chỉ số nào đủ số liệu của hai quận trở lên để vẽ biểu đồ so sánh."


def chart_pick(trends: bool) -> str:
    """Above the metric buttons of a bare /bieudo."""
    text = "Chọn chỉ số để vẽ biểu đồ so sánh giữa các quận, hoặc gõ /bieudo <chỉ số>"
    if trends:
        text += "; /bieudo <chỉ số> <quận> vẽ một quận qua các năm"
    return text + "."


# -- reminders: the prompts of bare /theodoi and /huytheodoi ---------------------------------
FOLLOW_PICK = ("Chọn quận để nhận nhắc chỉ tiêu hằng tuần (thứ Hai, 08:00). Muốn giờ khác, gõ "
               "ví dụ: /theodoi Bình Thạnh hằng ngày 7h30")
NOTHING_TO_FOLLOW = "Chưa có quận nào có chỉ tiêu trong cơ sở dữ liệu để nhắc."
UNFOLLOW_PICK = "Chọn lời nhắc muốn hủy:"
CANCEL_ALL_BUTTON = "Hủy tất cả"
CONFIRM_CANCEL_ALL_BUTTON = "Có, hủy tất cả"
KEEP_BUTTON = "Không, giữ lại"
KEPT = "Đã giữ nguyên các lời nhắc."
STALE_REMINDER_BUTTON = "Lời nhắc này không còn nữa. Xem các lời nhắc: /danhsach"


def unfollow_button(place: str) -> str:
    """A button cancelling the reminder of one unit."""
    return f"Hủy: {place}"


def confirm_cancel_all(count: int) -> str:
    """Ask before cancelling every reminder of the chat."""
    return f"Hủy cả {count} lời nhắc của cuộc trò chuyện này?"


# -- usage ------------------------------------------------------------------------------------
ASK_USAGE = f"Cách dùng: /hoi <câu hỏi>, ví dụ: /hoi {EXAMPLE}"
SUBSCRIBE_USAGE = (
    "Cách dùng: /theodoi <quận> [hằng ngày|hằng tuần|hằng tháng] [giờ]\n"
    "Ví dụ: /theodoi Hoàng Mai hằng tuần 8h\n"
    "Mặc định: hằng tuần, thứ Hai lúc 08:00."
)
ANNOUNCE_USAGE = (
    "Cách dùng: /thongbao [quận|tất cả] <nội dung> [lúc <giờ> <ngày>]\n"
    "Ví dụ: /thongbao Hoàng Mai Họp giao ban chiều nay\n"
    "/thongbao tất cả Nộp báo cáo thi đua lúc 8h 01/12"
)


def usage_error(error: UsageError) -> str:
    """Explain a mistake in the arguments of /theodoi or /thongbao, with the usage."""
    given = error.given
    return {
        "bad_hour": f"Giờ không hợp lệ: {given} (giờ từ 0 đến 23, phút từ 0 đến 59).\n"
                    f"{SUBSCRIBE_USAGE}",
        "bad_frequency": f"Chưa hỗ trợ tần suất «{given}»: chọn hằng ngày, hằng tuần hoặc hằng "
                         f"tháng.\n{SUBSCRIBE_USAGE}",
        "no_place": f"Bạn chưa nêu quận cần theo dõi.\n{SUBSCRIBE_USAGE}",
        "bad_moment": f"Thời điểm không hợp lệ: «{given}».\n{ANNOUNCE_USAGE}",
        "past_moment": f"Thời điểm «{given}» đã qua. Hãy chọn một thời điểm sắp tới."
                       f"\n{ANNOUNCE_USAGE}",
        "too_far": f"Chỉ hẹn giờ gửi trong vòng một năm tới, không phải «{given}».",
    }[error.problem]


# -- reminders, groups and announcements ----------------------------------------------------
MAX_SUBSCRIPTIONS = 20
MAX_NEW_FIGURES = 10
MAX_ANNOUNCEMENT_CHARS = 3500
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

GROUP_ADMINS_ONLY = ("Trong nhóm, chỉ quản trị viên nhóm mới đăng ký hoặc hủy nhận tin "
                     "cho cả nhóm.")
GROUPS_ONLY = "Lệnh này dùng trong nhóm: thêm bot vào nhóm rồi gõ /dangkynhom [quận]."
TOO_MANY_SUBSCRIPTIONS = (f"Mỗi cuộc trò chuyện theo dõi tối đa {MAX_SUBSCRIPTIONS} quận. "
                          "Hãy hủy bớt bằng /huytheodoi <quận>.")
NOTHING_FOLLOWED = "Chưa theo dõi quận nào. Đăng ký: /theodoi <quận>, ví dụ: /theodoi Bình Thạnh."
GROUP_NOT_REGISTERED = "Nhóm này chưa đăng ký nhận thông báo."
GROUP_UNREGISTERED = "Đã hủy đăng ký: nhóm sẽ không nhận thông báo nữa."
NOT_BOT_ADMIN = "Chỉ quản trị viên của bot mới gửi được thông báo."
ADMIN_ONLY = "Lệnh này chỉ dành cho quản trị viên của bot."
ANNOUNCE_IN_PRIVATE = "Hãy gửi /thongbao trong trò chuyện riêng với bot."
ANNOUNCEMENT_TOO_LONG = (f"Thông báo dài quá (tối đa {format_vn_number(MAX_ANNOUNCEMENT_CHARS)} "
                         "ký tự).")
ANNOUNCEMENT_DONE = "Thông báo này đã được xử lý rồi."
ANNOUNCEMENT_UNKNOWN = "Không còn thông báo này. Hãy soạn lại bằng /thongbao."
ANNOUNCEMENT_CANCELLED = "Đã hủy, thông báo không được gửi."
NO_GROUPS_LEFT = "Không còn nhóm nào nhận thông báo này nên không gửi."
SEND_BUTTON = "Gửi"
CANCEL_BUTTON = "Hủy"
NOT_DRAFT_AUTHOR = "Chỉ người soạn thông báo này mới gửi hoặc hủy được nó."


def district_problem(lookup: DistrictLookup, command: str, with_data: list[District]) -> str:
    """Why a command's district argument names no single former district, and what to type."""
    listed = join_vn(d.short for d in with_data)
    if lookup.origins:
        origins = join_vn(place_label(d) for d in lookup.origins)
        return (f"{lookup.ward} là đơn vị mới từ 01/07/2025, lập từ {origins}. Hãy chọn quận cũ, "
                f"ví dụ: /{command} {lookup.origins[0].short}")
    if lookup.options:
        options = join_vn(place_label(d) for d in lookup.options)
        first = lookup.options[0]
        return (f"«{lookup.typed}» có thể là: {options}. Hãy gõ kèm tỉnh, ví dụ: "
                f"/{command} {first.short} {first.province_short}")
    return (f"Không tìm thấy quận, huyện «{lookup.typed}». Các quận có số liệu: {listed}. "
            f"Ví dụ: /{command} {with_data[0].short if with_data else 'Hoàng Mai'}")


def no_data(district: District, with_data: list[District]) -> str:
    """Refuse reminders for a district the knowledge base has nothing about."""
    return (f"Chưa có số liệu của {place_label(district)} nên chưa thể nhắc chỉ tiêu. "
            f"Các quận có số liệu: {join_vn(d.short for d in with_data)}.")


def local_time(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """``08:00 thứ Hai, 30/11/2026`` in ``tz`` (default: the moment's own zone)."""
    local = moment.astimezone(tz) if tz else moment
    return f"{local:%H:%M} {WEEKDAYS[local.weekday()]}, {vn_date(local.date())}"


def _zone_name(tz: str) -> str:
    return "giờ Việt Nam" if tz in ("Asia/Ho_Chi_Minh", "Asia/Saigon") else f"giờ {tz}"


def frequency_text(subscription: Subscription) -> str:
    """``hằng tuần vào thứ Hai lúc 08:00``."""
    at = f"lúc {subscription.hour:02d}:{subscription.minute:02d}"
    if subscription.frequency == "daily":
        return f"hằng ngày {at}"
    if subscription.frequency == "weekly":
        return f"hằng tuần vào {WEEKDAYS[subscription.weekday]} {at}"
    return f"hằng tháng vào ngày {subscription.day} {at}"


def subscribed(district: District, subscription: Subscription, next_at: dt.datetime,
               has_targets: bool) -> str:
    """Confirm a subscription: what, how often, the next reminder, how to cancel."""
    text = (f"Đã đăng ký nhắc chỉ tiêu {place_label(district)}: "
            f"{frequency_text(subscription)} ({_zone_name(subscription.tz)}).\n"
            f"Lần nhắc tới: {local_time(next_at)}.\n"
            "Bot cũng báo trước các ngày kỷ niệm, sự kiện của quận.\n"
            f"Hủy: /huytheodoi {district.short}")
    if not has_targets:
        text += ("\nLưu ý: hiện chưa có chỉ tiêu của quận này trong cơ sở dữ liệu; "
                 "lời nhắc sẽ cho biết khi có.")
    return text


def unsubscribed(removed: list[District]) -> str:
    """Confirm the districts no longer followed."""
    return f"Đã hủy theo dõi: {join_vn(place_label(d) for d in removed)}."


def not_following(district: District) -> str:
    """Say the chat does not follow ``district``."""
    return f"Chưa theo dõi {place_label(district)}. Xem các quận đang theo dõi: /danhsach."


def subscription_list(rows: list[tuple[District | None, Subscription, dt.datetime]],
                      group_districts: list[District] | None, registered: bool) -> str:
    """The chat's subscriptions with their next reminder, and its group registration."""
    lines = ["Các lời nhắc đang theo dõi:"] if rows else [NOTHING_FOLLOWED]
    for n, (district, subscription, next_at) in enumerate(rows, 1):
        name = place_label(district) if district else subscription.district
        lines.append(f"{n}. {name}: {frequency_text(subscription)}; lần tới "
                     f"{local_time(next_at)}.")
    if group_districts is not None:
        lines.append(registration_scope(group_districts) if registered else GROUP_NOT_REGISTERED)
    return "\n".join(lines)


def registration_scope(districts: list[District]) -> str:
    """Say which announcements the group receives."""
    if not districts:
        return "Nhóm nhận mọi thông báo của quản trị viên bot."
    return f"Nhóm nhận thông báo về: {join_vn(place_label(d) for d in districts)}."


def group_registered(districts: list[District]) -> str:
    """Confirm a group registration."""
    return f"Đã đăng ký nhóm. {registration_scope(districts)} Hủy: /huydangkynhom."


def announcement_html(content: str, district: District | None) -> str:
    """The announcement as groups receive it."""
    about = f"\n<i>Về: {html.escape(place_label(district))}</i>" if district else ""
    return f"📢 <b>Thông báo</b>{about}\n{html.escape(content)}"


def announcement_preview(announcement: Announcement, district: District | None,
                         group_count: int, tz: dt.tzinfo) -> str:
    """What the admin checks before pressing Gửi: the message, its recipients and its time."""
    scope = (f"các nhóm nhận tin về {html.escape(place_label(district))}" if district
             else "tất cả các nhóm đã đăng ký")
    when = (f"lúc {local_time(announcement.send_at, tz)}" if announcement.send_at
            else "ngay khi bấm Gửi")
    if not group_count:
        return (f"<b>Xem trước</b>\n{announcement.text}\n\nChưa có nhóm nào trong {scope}: "
                "không có gì để gửi. Nhóm đăng ký bằng /dangkynhom.")
    return (f"<b>Xem trước</b>\n{announcement.text}\n\n"
            f"Gửi tới: {scope} ({group_count} nhóm), {when}.")


def announcement_queued(group_count: int, send_at: dt.datetime | None, tz: dt.tzinfo) -> str:
    """Tell the admin the announcement is on its way."""
    when = f"Sẽ gửi lúc {local_time(send_at, tz)}" if send_at else "Đang gửi"
    return f"{when} tới {group_count} nhóm. Bot sẽ báo kết quả khi gửi xong."


def _chat_name(row: OutboxRow) -> str:
    return html.escape(row.chat_title or f"nhóm {row.chat_id}")


def broadcast_report(announcement: Announcement, summary: BroadcastSummary) -> str:
    """Report back to the admin: sent, moved to a new id, failed with reasons, removed."""
    lines = [f"<b>Kết quả gửi thông báo</b> (mã {announcement.id}): "
             f"đã gửi {len(summary.sent)}/{summary.total} nhóm."]
    if summary.maybe_twice:
        lines.append(f"Có thể đã gửi 2 lần: {len(summary.maybe_twice)} nhóm (Telegram không kịp "
                     "trả lời lần gửi trước).")
    if summary.retrying:
        lines.append(f"Đang thử gửi lại: {len(summary.retrying)} nhóm; báo cáo này sẽ được "
                     "cập nhật.")
    if summary.migrated:
        lines.append("Nhóm đã chuyển thành siêu nhóm, đã gửi theo mã mới:")
        lines.extend(f"• {_chat_name(r)} ({r.migrated_from} → {r.chat_id})"
                     for r in summary.migrated)
    if summary.failed:
        lines.append(f"Không gửi được {len(summary.failed)} nhóm:")
        lines.extend(f"• {_chat_name(r)}: {html.escape(r.last_error or 'không rõ lý do')}"
                     for r in summary.failed)
    if summary.removed:
        lines.append(f"Đã gỡ {len(summary.removed)} nhóm khỏi danh sách (bot bị chặn hoặc "
                     "bị xóa khỏi nhóm):")
        lines.extend(f"• {_chat_name(r)}" for r in summary.removed)
    return "\n".join(lines)


_KIND_WORDS = {"not_found": "chưa có số liệu", "clarify": "phải hỏi lại", "thumbs_down": "👎"}
_EXAMPLE_CHARS = 120


def unanswered_report(groups: list[UnansweredGroup], total: int, tz: dt.tzinfo) -> str:
    """The most frequent unanswered questions, for a bot admin."""
    if not groups:
        return "Chưa ghi nhận câu hỏi nào mà bot không trả lời được."
    lines = [f"Câu hỏi bot chưa trả lời được ({len(groups)} nhóm thường gặp nhất, "
             f"trong {format_vn_number(total)} lượt ghi):"]
    for n, group in enumerate(groups, 1):
        kinds = ", ".join(f"{_KIND_WORDS[kind]} {count}" for kind, count in group.kinds.items())
        example = group.example if len(group.example) <= _EXAMPLE_CHARS else (
            group.example[:_EXAMPLE_CHARS] + "…")
        lines.append(f"{n}. «{example}» — {group.count} lần ({kinds}); "
                     f"gần nhất {local_time(group.last_at, tz)}")
    return "\n".join(lines)


_SHOWN_PROBLEMS = 20


def _problem_lines(problems: Sequence[Problem], more: str) -> list[str]:
    shown = problems[:_SHOWN_PROBLEMS]
    rest = len(problems) - len(shown)
    return [*(f"• {problem.vietnamese}" for problem in shown),
            *([f"… và {rest} {more} khác."] if rest else [])]


def reload_report(result: Reload, groups_told: int) -> str:
    """Tell an admin what a reload did: the errors that kept the old data, or the changes."""
    if not result.ok:
        return "\n".join([
            "Chưa cập nhật: dữ liệu mới có lỗi, bot vẫn dùng dữ liệu cũ. Lỗi (tệp:dòng):",
            *_problem_lines(result.errors, "lỗi"),
        ])
    lines = ["Đã cập nhật dữ liệu:" if result.changes
             else "Đã nạp lại dữ liệu: không có gì thay đổi."]
    for change in result.changes:
        counts = [f"{label} {len(facts)}" for label, facts in
                  (("thêm", change.added), ("sửa", change.changed), ("bỏ", change.removed))
                  if facts]
        lines.append(f"• {place_label(change.place)}: {', '.join(counts)} mục.")
    if groups_told:
        lines.append(f"Đang báo số liệu mới tới {groups_told} nhóm đã đăng ký.")
    if result.warnings:
        lines.append("Cảnh báo (không chặn cập nhật):")
        lines.extend(_problem_lines(result.warnings, "cảnh báo"))
    return "\n".join(lines)


def new_results_html(change: PlaceChanges, labels: dict[str, str]) -> str:
    """Tell a group the new figures of its district, each with its year, and their sources."""
    figures = change.new_figures
    lines = [f"📊 <b>Số liệu mới</b> của {html.escape(place_label(change.place))}:"]
    lines.extend(f"• {html.escape(fact_line(f, labels[f.metric], with_place=False))}"
                 for f in figures[:MAX_NEW_FIGURES])
    if len(figures) > MAX_NEW_FIGURES:
        lines.append(f"… và {len(figures) - MAX_NEW_FIGURES} số liệu khác: hỏi bot để xem.")
    sources = dict.fromkeys(f.source for f in figures)
    lines.extend(f"<i>{html.escape(line)}</i>" for line in source_lines(sources))
    return "\n".join(lines)


# -- the bot's own state: /trangthai and /nhatky -------------------------------------------
STATE_WRITE_FAILED = ("⚠️ Bot không ghi được dữ liệu (ổ đĩa đầy hoặc chỉ cho đọc?). Đã tạm dừng "
                      "gửi tin và sẽ tự thử lại; tin đã gửi không bị gửi lại. Xem /trangthai.")
STATE_WRITE_RESUMED = "✅ Bot đã ghi được dữ liệu trở lại và tiếp tục gửi tin."
DATABASE_WRITE_FAILED = ("⚠️ Bot không ghi được vào cơ sở dữ liệu (PostgreSQL không trả lời?). "
                         "Đã tạm dừng gửi tin và sẽ tự thử lại; tin đã gửi không bị gửi lại. "
                         "Xem /trangthai.")


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


# -- the console chat (thidua chat) -----------------------------------------------------------
CONSOLE_GREETING = ("ThiĐua bot — hỏi bằng tiếng Việt, có dấu hoặc không dấu. "
                    "Gõ «thoát» hoặc Ctrl-D để dừng, /help để xem số liệu hiện có.")
CONSOLE_EXAMPLES: tuple[str, ...] = (
    "Hoàng Mai thu ngân sách 2022?", "hbt thu ns 2020", "Quận nào thu ngân sách cao nhất?")
CONSOLE_PROMPT = "> "
CONSOLE_QUIT_WORDS = frozenset({"thoát", "thoat", "exit", "quit", "/thoat"})
CONSOLE_BYE = "Tạm biệt!"


def console_suggestions(questions: Sequence[str], examples: bool = False) -> str:
    """Numbered questions to pick by typing the number: the examples, or a reply's suggestions."""
    head = "Ví dụ (gõ số để hỏi):" if examples else "Gợi ý (gõ số để chọn):"
    return "\n".join([head, *(f"  {n}. {q}" for n, q in enumerate(questions, 1))])


# -- the operator's console (thidua run) ------------------------------------------------------
NO_TOKEN_CONSOLE = ("Chưa cấu hình TELEGRAM_BOT_TOKEN (trong .env hoặc biến môi trường): "
                    "mở trò chuyện trên console.")
TOKEN_REJECTED = ("Telegram từ chối TELEGRAM_BOT_TOKEN (sai hoặc đã bị thu hồi): lấy token từ "
                  "@BotFather rồi sửa .env / Telegram rejected TELEGRAM_BOT_TOKEN: get one from "
                  "@BotFather and fix .env")


def telegram_unreachable(reason: str, wait_seconds: int) -> str:
    """One line for a failed try to reach Telegram at start, and when the next one comes."""
    return (f"Chưa kết nối được Telegram ({reason}); thử lại sau {wait_seconds} giây / "
            f"Telegram unreachable, retrying in {wait_seconds} s")
