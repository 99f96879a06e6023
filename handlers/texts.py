"""The Vietnamese wording of the bot's own messages: help, prompts, notices, usage and errors.

Engine answers (facts, sources, chart notes) and data-file problems are phrased in ``knowledge``;
everything else the bot says in Telegram or the console is here, to be reviewed in one place.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Sequence

from telegram import BotCommand

from bot.audit import AuditEntry
from bot.curation import DraftCheck
from bot.health import Health
from bot.library import Reload
from bot.records import Ack, ReminderSent
from bot.schedule import Announcement, BroadcastSummary, OutboxRow, Subscription
from bot.timewords import LAST_DAY, Schedule, Unclear
from bot.unanswered import UnansweredGroup
from knowledge import KnowledgeBase, name_for
from knowledge.changes import FigureChange, PlaceChanges
from knowledge.ingest import Addition, Item, Review
from knowledge.model import District, Fact, Place, Source
from knowledge.numbers import format_vn_number
from knowledge.phrasing import fact_line, figure, join_vn, place_label, source_lines, vn_date
from knowledge.places import PlaceLookup
from knowledge.reminders import TargetReminder
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
_FOLLOW = BotCommand("theodoi", "Nhận nhắc chỉ tiêu, ví dụ: /theodoi Bình Thạnh thứ sáu 17h")
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
    BotCommand("lichthongbao", "Thông báo đang hẹn giờ, hủy được (quản trị bot)"),
    BotCommand("baocao", "Ai đã bấm Đã nhận dưới các lời nhắc (quản trị bot)"),
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
        "/theodoi [đơn vị] [lịch] — nhận nhắc chỉ tiêu, lịch như: hằng ngày 7h30, thứ sáu 17h, "
        "ngày 15 hằng tháng, cuối tháng, hằng quý",
        "/huytheodoi [đơn vị] — hủy nhắc chỉ tiêu",
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
            "/thongbao [đơn vị|tất cả] &lt;nội dung&gt; [lúc &lt;thời điểm&gt;] — xem trước "
            "rồi gửi thông báo tới các nhóm đã đăng ký; lúc 9h sáng mai, lúc chiều nay, "
            "lúc 14h thứ Hai, lúc 20/12…",
            "/lichthongbao — các thông báo đang hẹn giờ, bấm Hủy để hủy",
            "/baocao — ai đã bấm Đã nhận dưới các lời nhắc chỉ tiêu",
            "/capnhat — nạp lại dữ liệu đã sửa; báo lỗi (tệp:dòng) hoặc những gì thay đổi",
            "/chuatraloi — các câu hỏi bot chưa trả lời được, thường gặp nhất trước",
            "/trangthai — tình trạng gửi tin và ghi dữ liệu của bot",
            "/nhatky — nhật ký thông báo, đăng ký nhóm, cập nhật dữ liệu, lần bị từ chối",
            "Gửi tệp báo cáo (PDF, Word, .txt, .html; tối đa 20 MB) để duyệt số liệu bằng nút "
            "rồi thêm vào cơ sở dữ liệu; gửi lại tệp YAML đã sửa cũng được.",
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
FOLLOW_PICK = ("Chọn đơn vị có chỉ tiêu năm nay hoặc các năm tới để nhận nhắc hằng tuần (thứ "
               "Hai, 08:00). Muốn lịch khác, gõ ví dụ: /theodoi Tân Hòa thứ sáu 17h")
NOTHING_TO_FOLLOW = ("Chưa có đơn vị nào có chỉ tiêu năm nay hoặc các năm tới trong cơ sở dữ liệu "
                     "để nhắc. Gõ /theodoi <đơn vị> để nhận số liệu mới của một đơn vị.")
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


# -- reminders, groups and announcements ----------------------------------------------------
MAX_SUBSCRIPTIONS = 20
MAX_NEW_FIGURES = 10
MAX_ANNOUNCEMENT_CHARS = 3500
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
SCHEDULE_EXAMPLES = "hằng ngày 7h30 · thứ sáu 17h · ngày 15 hằng tháng · cuối tháng · hằng quý"
SUBSCRIBE_USAGE = (
    "Cách dùng: /theodoi <đơn vị> [lịch nhắc]\n"
    f"Lịch nhắc, ví dụ: {SCHEDULE_EXAMPLES}\n"
    "Mặc định: hằng tuần, thứ Hai lúc 08:00.\n"
    "Ví dụ: /theodoi Bình Thạnh thứ sáu 17h"
)
ANNOUNCE_USAGE = (
    "Cách dùng: /thongbao [đơn vị|tất cả] <nội dung> [lúc <thời điểm>]\n"
    "Ví dụ: /thongbao Hoàng Mai Họp giao ban lúc 9h sáng mai\n"
    "/thongbao tất cả Nộp báo cáo thi đua lúc 8:00 ngày 1/12"
)
REGISTER_USAGE = ("Cách dùng: /dangkynhom [đơn vị, đơn vị…], ví dụ: /dangkynhom Hoàng Mai, Quận 1; "
                  "/dangkynhom để nhóm nhận mọi thông báo.")
MOMENT_EXAMPLES = ("lúc 9h sáng mai · lúc chiều nay · lúc 14h thứ Hai · lúc 20/12 · "
                   "lúc 8:00 ngày 1/1/2027")

GROUP_ADMINS_ONLY = ("Trong nhóm, chỉ quản trị viên nhóm mới đăng ký hoặc hủy nhận tin "
                     "cho cả nhóm.")
GROUPS_ONLY = "Lệnh này dùng trong nhóm: thêm bot vào nhóm rồi gõ /dangkynhom [đơn vị]."
TOO_MANY_SUBSCRIPTIONS = (f"Mỗi cuộc trò chuyện theo dõi tối đa {MAX_SUBSCRIPTIONS} đơn vị. "
                          "Hãy hủy bớt bằng /huytheodoi <đơn vị>.")
NOTHING_FOLLOWED = ("Chưa theo dõi đơn vị nào. Đăng ký: /theodoi <đơn vị>, ví dụ: "
                    "/theodoi Bình Thạnh.")
NO_PLACE_GIVEN = f"Bạn chưa nêu đơn vị cần theo dõi.\n{SUBSCRIBE_USAGE}"
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
NO_SCHEDULED = "Không có thông báo nào đang hẹn giờ gửi."
ACK_BUTTON = "✅ Đã nhận"
DIGEST_BUTTON = "Nhận số liệu mới"
NO_THANKS_BUTTON = "Không, cảm ơn"
NO_THANKS = "Đã rõ, không đăng ký."
STALE_OFFER = "Nút này đã cũ. Gõ lại /theodoi <đơn vị>."
_PART_OF_DAY = ((5, "sáng"), (11, "trưa"), (13, "chiều"), (18, "tối"), (22, "đêm"))
_FIRST_WORDS = 8


def first_words(text: str, count: int = _FIRST_WORDS) -> str:
    """The first words of a text, to name it: ``Họp giao ban chiều nay…``."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def place_problem(lookup: PlaceLookup, command: str, kb: KnowledgeBase) -> str:
    """Why a command's argument names no single unit with facts, and what to type instead."""
    asked = lookup.asked
    examples = [name_for(p, kb) for p in kb.places]
    listed = join_vn(examples)
    example = examples[0] if examples else "Hoàng Mai"
    if asked is None:
        return (f"Không tìm thấy đơn vị «{lookup.typed}». Các đơn vị có số liệu: {listed}. "
                f"Ví dụ: /{command} {example}")
    if asked.kind == "ward":
        ward = asked.places[0]
        origins = join_vn(place_label(d) for d in asked.origins)
        with_facts = [d for d in asked.origins if d.key in kb.by_place]
        then = (f"Hãy chọn đơn vị cũ có số liệu, ví dụ: /{command} {name_for(with_facts[0], kb)}"
                if with_facts else "Các đơn vị đó cũng chưa có số liệu.")
        return (f"Chưa có số liệu riêng của {place_label(ward)}, đơn vị mới từ 01/07/2025, lập "
                f"từ {origins}. {then}")
    if asked.kind == "province":
        province = place_label(asked.places[0])
        if asked.origins:
            return (f"Chưa có số liệu riêng của {province}. Các đơn vị cũ trong tỉnh có số liệu: "
                    f"{join_vn(name_for(d, kb) for d in asked.origins)}. Ví dụ: /{command} "
                    f"{name_for(asked.origins[0], kb)}")
        return f"Chưa có số liệu của {province}. Các đơn vị có số liệu: {listed}."
    if asked.kind == "nowhere":
        return (f"Không tìm thấy «{asked.typed}» ở {join_vn(place_label(p) for p in asked.places)}."
                f" Các đơn vị có số liệu: {listed}.")
    options = lookup.options
    return (f"«{asked.typed}» có thể là: {join_vn(place_label(p) for p in options)}. Hãy gõ kèm "
            f"tỉnh hoặc loại đơn vị, ví dụ: /{command} {name_for(options[0], kb)}")


def unclear_words(words: str, usage: str) -> str:
    """Words of a command the bot did not understand, said back, with the usage."""
    return f"Chưa hiểu «{words}», nên chưa làm gì.\n{usage}"


def unclear_schedule(problem: Unclear) -> str:
    """Why a reminder schedule was not understood."""
    given = problem.given
    reason = {
        "unknown": f"Chưa hiểu «{given}» trong lịch nhắc",
        "conflict": f"Lịch nhắc «{given}» mâu thuẫn (chọn một: hằng ngày, một thứ trong tuần, "
                    "một ngày trong tháng, hoặc hằng quý)",
        "bad_hour": f"Giờ không hợp lệ: {given} (giờ từ 0 đến 23, phút từ 0 đến 59)",
        "bad_day": f"Ngày không hợp lệ: {given} (từ 1 đến 31)",
    }.get(problem.problem, f"Chưa hiểu lịch nhắc «{given}»")
    return f"{reason}, nên chưa đăng ký.\n{SUBSCRIBE_USAGE}"


def unclear_moment(problem: Unclear, tz: dt.tzinfo, now: dt.datetime) -> str:
    """Why a send time was refused; the announcement is neither sent nor scheduled."""
    given = problem.given
    reason = {
        "past": f"Thời điểm «{given}» đã qua",
        "too_far": f"Chỉ hẹn giờ gửi trong vòng một năm tới, không phải «{given}»",
        "bad_date": f"Ngày không có thật: «{given}»",
        "bad_hour": f"Giờ không hợp lệ: «{given}» (giờ từ 0 đến 23, phút từ 0 đến 59)",
        "conflict": f"Thời điểm gửi có hai giờ hoặc hai ngày: «{given}»",
    }.get(problem.problem, f"Chưa hiểu thời điểm gửi «{given}»")
    return (f"{reason}, nên chưa gửi gì. Viết thời điểm sau chữ «lúc», ví dụ: {MOMENT_EXAMPLES}. "
            f"(Bây giờ là {local_time(now, tz)}.)")


def no_data(place: Place, kb: KnowledgeBase) -> str:
    """Refuse reminders for a unit the knowledge base has nothing about."""
    return (f"Chưa có số liệu của {place_label(place)} nên chưa thể nhắc chỉ tiêu. "
            f"Các đơn vị có số liệu: {join_vn(name_for(p, kb) for p in kb.places)}.")


def no_targets_offer(place: Place) -> str:
    """A unit without targets: nothing to remind of; offer new figures instead."""
    return (f"{place_label(place)} chưa có chỉ tiêu của năm nay hoặc các năm tới trong cơ sở dữ "
            "liệu, nên chưa có gì để nhắc định kỳ. Bot có thể nhắn bạn khi có số liệu mới hoặc "
            "số liệu thay đổi của đơn vị này (khi dữ liệu được cập nhật). Bạn có muốn nhận?")


def local_time(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """``08:00 thứ Hai, 30/11/2026`` in ``tz`` (default: the moment's own zone)."""
    local = moment.astimezone(tz) if tz else moment
    return f"{local:%H:%M} {WEEKDAYS[local.weekday()]}, {vn_date(local.date())}"


def moment_words(moment: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> str:
    """A send time in words: ``09:00 sáng thứ Ba, 01/12/2026 (ngày mai)``."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    part = next((word for hour, word in reversed(_PART_OF_DAY) if local.hour >= hour), "đêm")
    days = (local.date() - today).days
    when = {0: "hôm nay", 1: "ngày mai", 2: "ngày kia"}.get(days, f"{days} ngày nữa")
    return (f"{local:%H:%M} {part} {WEEKDAYS[local.weekday()]}, {vn_date(local.date())} "
            f"({when})")


def _zone_name(tz: str) -> str:
    return "giờ Việt Nam" if tz in ("Asia/Ho_Chi_Minh", "Asia/Saigon") else f"giờ {tz}"


def frequency_text(schedule: Schedule) -> str:
    """``hằng tuần vào thứ Hai lúc 08:00``, ``vào ngày cuối mỗi tháng lúc 17:00``."""
    at = f"lúc {schedule.hour:02d}:{schedule.minute:02d}"
    if schedule.frequency == "daily":
        return f"hằng ngày {at}"
    if schedule.frequency == "weekly":
        return f"hằng tuần vào {WEEKDAYS[schedule.weekday]} {at}"
    if schedule.frequency == "monthly":
        if schedule.day == LAST_DAY:
            return f"vào ngày cuối mỗi tháng {at}"
        return f"vào ngày {schedule.day} hằng tháng {at}"
    if schedule.day == LAST_DAY:
        return f"hằng quý vào ngày cuối quý (31/3, 30/6, 30/9, 31/12) {at}"
    return f"hằng quý vào ngày {schedule.day} tháng đầu quý (tháng 1, 4, 7, 10) {at}"


def subscribed(place: Place, subscription: Subscription, next_at: dt.datetime,
               reminder: TargetReminder, stop_name: str,
               before: Subscription | None = None) -> str:
    """Confirm a subscription: what changed, how often, the next reminder, how to stop."""
    label = place_label(place)
    schedule = frequency_text(subscription.schedule)
    zone = _zone_name(subscription.tz)
    if before is None:
        head = f"Đã đăng ký nhắc chỉ tiêu {label}: {schedule} ({zone})."
    elif before.schedule == subscription.schedule:
        head = (f"Bạn đã theo dõi {label} với lịch này rồi: {schedule} ({zone}). Không có gì "
                "thay đổi.")
    else:
        head = (f"Đã đổi lịch nhắc chỉ tiêu {label}: trước đây {frequency_text(before.schedule)}; "
                f"từ nay {schedule} ({zone}).")
    current = reminder.current
    if current:
        count = sum(len(y.compared) + len(y.unmatched) for y in current)
        years = join_vn(str(y.year) for y in current)
        what = f"Hiện có {count} chỉ tiêu năm {years}; mỗi lời nhắc so với kết quả gần nhất."
    else:
        over = join_vn(str(y) for y in reminder.over_years)
        what = (f"Các chỉ tiêu trong cơ sở dữ liệu thuộc năm {over}, đã qua: lần nhắc tới tóm tắt "
                "kết thúc năm, sau đó bot chỉ nhắn khi có chỉ tiêu hoặc số liệu mới.")
    return "\n".join([
        head,
        f"Lần nhắc tới: {local_time(next_at)}.",
        what,
        "Bot cũng báo trước các ngày kỷ niệm, sự kiện và nhắn khi số liệu của đơn vị thay đổi.",
        stop_line(stop_name),
    ])


def digest_subscribed(place: Place, stop_name: str) -> str:
    """Confirm a subscription to a unit without targets: new and changed figures only."""
    return (f"Đã đăng ký: bot sẽ nhắn khi có số liệu mới hoặc số liệu thay đổi của "
            f"{place_label(place)}, và nhắc chỉ tiêu khi đơn vị có chỉ tiêu.\n"
            f"Dừng: /huytheodoi {stop_name}")


def stop_line(stop_name: str) -> str:
    """The last line of every reminder: how to stop it."""
    return f"Dừng nhắc: /huytheodoi {stop_name}"


def unsubscribed(removed: list[Place]) -> str:
    """Confirm the units no longer followed."""
    return f"Đã hủy theo dõi: {join_vn(place_label(p) for p in removed)}."


def not_following(place: Place) -> str:
    """Say the chat does not follow ``place``."""
    return f"Chưa theo dõi {place_label(place)}. Xem các đơn vị đang theo dõi: /danhsach."


def subscription_list(rows: list[tuple[Place | None, Subscription, dt.datetime, bool]],
                      group_places: list[Place] | None, registered: bool,
                      acks: list[str] | None = None) -> str:
    """The chat's subscriptions with their next reminder, and its group registration.

    For bot admins, ``acks`` (lines of ``ack_lines``): who acknowledged the latest reminders.
    """
    lines = ["Các lời nhắc đang theo dõi:"] if rows else [NOTHING_FOLLOWED]
    for n, (place, subscription, next_at, reminds) in enumerate(rows, 1):
        name = place_label(place) if place else subscription.place
        if reminds:
            lines.append(f"{n}. {name}: {frequency_text(subscription.schedule)}; lần tới "
                         f"{local_time(next_at)}.")
        else:
            lines.append(f"{n}. {name}: chưa có chỉ tiêu năm nay để nhắc; bot nhắn khi có số "
                         "liệu mới.")
    if group_places is not None:
        lines.append(registration_scope(group_places) if registered else GROUP_NOT_REGISTERED)
    if acks is not None:
        lines.append("Xác nhận đã nhận (quản trị bot xem):")
        lines.extend(acks or ["• Chưa có lời nhắc nào được gửi tới đây."])
    return "\n".join(lines)


def ack_lines(sent: list[ReminderSent], acks: list[Ack], places: dict[str, Place],
              tz: dt.tzinfo, per_chat: int = 3) -> list[str]:
    """Reminders sent and who acknowledged each, newest first (at most ``per_chat`` a chat)."""
    by_reminder: dict[str, list[Ack]] = {}
    for ack in acks:
        by_reminder.setdefault(ack.reminder, []).append(ack)
    shown: dict[int, int] = {}
    lines = []
    for receipt in sorted(sent, key=lambda r: r.due, reverse=True):
        if shown.get(receipt.chat_id, 0) >= per_chat:
            continue
        shown[receipt.chat_id] = shown.get(receipt.chat_id, 0) + 1
        place = places.get(receipt.place)
        unit = place.name if place else receipt.place
        if receipt.kind == "countdown":
            unit += " (đếm ngược sự kiện)"
        who = by_reminder.get(receipt.key, [])
        read = (f"đã nhận: {', '.join(f'{a.name} ({_when(a.at, tz)})' for a in who)}" if who
                else "chưa ai bấm Đã nhận")
        chat = receipt.chat_title or f"chat {receipt.chat_id}"
        lines.append(f"• {_when(receipt.due, tz)} — {chat} — {unit}: {read}.")
    return lines


def ack_report(lines: list[str], days: int) -> str:
    """/baocao and ``thidua reminders acks``: who acknowledged the reminders, across chats."""
    if not lines:
        return f"Chưa có lời nhắc chỉ tiêu nào được gửi trong {days} ngày qua."
    return "\n".join([f"Xác nhận lời nhắc chỉ tiêu ({days} ngày qua, mới nhất trước):", *lines])


def ack_thanks(first: bool, at: dt.datetime | None, tz: dt.tzinfo) -> str:
    """The answer to a press of "Đã nhận"."""
    if first or at is None:
        return "Đã ghi nhận: bạn đã nhận lời nhắc này."
    return f"Bạn đã xác nhận lời nhắc này lúc {_when(at, tz)}."


def ack_button(count: int) -> str:
    """The "Đã nhận" button once pressed: how many have acknowledged."""
    return f"{ACK_BUTTON} ({count})"


def registration_scope(places: list[Place]) -> str:
    """Say which announcements the group receives."""
    if not places:
        return "Nhóm nhận mọi thông báo của quản trị viên bot."
    return f"Nhóm nhận thông báo về: {join_vn(place_label(p) for p in places)}."


def group_registered(places: list[Place]) -> str:
    """Confirm a group registration."""
    return f"Đã đăng ký nhóm. {registration_scope(places)} Hủy: /huydangkynhom."


def announcement_html(content: str, place: Place | None) -> str:
    """The announcement as groups receive it."""
    about = f"\n<i>Về: {html.escape(place_label(place))}</i>" if place else ""
    return f"📢 <b>Thông báo</b>{about}\n{html.escape(content)}"


def announcement_preview(announcement: Announcement, place: Place | None, group_count: int,
                         now: dt.datetime, tz: dt.tzinfo) -> str:
    """What the admin checks before pressing Gửi: the message, its recipients and its time."""
    scope = (f"các nhóm nhận tin về {html.escape(place_label(place))}" if place
             else "tất cả các nhóm đã đăng ký")
    when = (f"lúc {moment_words(announcement.send_at, now, tz)}" if announcement.send_at
            else "ngay khi bấm Gửi")
    if not group_count:
        return (f"<b>Xem trước</b>\n{announcement.text}\n\nChưa có nhóm nào trong {scope}: "
                "không có gì để gửi. Nhóm đăng ký bằng /dangkynhom.")
    return (f"<b>Xem trước</b>\n{announcement.text}\n\n"
            f"Gửi tới: {scope} ({group_count} nhóm), {when}.")


def announcement_queued(group_count: int, send_at: dt.datetime | None, tz: dt.tzinfo) -> str:
    """Tell the admin the announcement is on its way."""
    if send_at is None:
        return f"Đang gửi tới {group_count} nhóm. Bot sẽ báo kết quả khi gửi xong."
    return (f"Sẽ gửi lúc {local_time(send_at, tz)} tới {group_count} nhóm. Bot sẽ báo kết quả "
            "khi gửi xong; xem hoặc hủy các thông báo hẹn giờ: /lichthongbao.")


def scheduled_list(announcements: list[Announcement], group_counts: dict[str, int],
                   tz: dt.tzinfo) -> str:
    """/lichthongbao: the announcements waiting for their time."""
    if not announcements:
        return NO_SCHEDULED
    lines = ["Thông báo đang hẹn giờ gửi:"]
    for n, announcement in enumerate(announcements, 1):
        assert announcement.send_at is not None
        lines.append(f"{n}. {local_time(announcement.send_at, tz)}: "
                     f"«{first_words(announcement_content(announcement))}» — "
                     f"{group_counts.get(announcement.id, 0)} nhóm.")
    return "\n".join(lines)


def cancel_scheduled_button(n: int) -> str:
    """The button under /lichthongbao that cancels announcement number ``n``."""
    return f"Hủy số {n}"


def scheduled_cancelled(announcement: Announcement, cancelled: bool, tz: dt.tzinfo) -> str:
    """Tell the admin whether a scheduled announcement was cancelled."""
    name = f"«{first_words(announcement_content(announcement))}»"
    if cancelled:
        when = f" hẹn lúc {local_time(announcement.send_at, tz)}" if announcement.send_at else ""
        return f"Đã hủy thông báo {name}{when}: không nhóm nào nhận."
    if announcement.state == "cancelled":
        return f"Thông báo {name} đã được hủy trước đó."
    return f"Thông báo {name} đã bắt đầu gửi, không hủy được nữa."


def announcement_content(announcement: Announcement) -> str:
    """What the admin wrote (older announcements: the text without its markup)."""
    if announcement.content:
        return announcement.content
    return html.unescape(announcement.text.rsplit("\n", 1)[-1])


def _chat_name(row: OutboxRow) -> str:
    return html.escape(row.chat_title or f"nhóm {row.chat_id}")


def broadcast_report(announcement: Announcement, summary: BroadcastSummary) -> str:
    """Report back to the admin: which groups got it, moved, failed with reasons, removed."""
    name = html.escape(first_words(announcement_content(announcement)))
    lines = [f"<b>Kết quả gửi thông báo</b> «{name}» (mã {announcement.id}): "
             f"đã gửi {len(summary.sent)}/{summary.total} nhóm"
             + (f": {', '.join(_chat_name(r) for r in summary.sent)}." if summary.sent else ".")]
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


def reload_report(result: Reload, chats_told: int) -> str:
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
    if chats_told:
        lines.append(f"Đang báo số liệu mới, đã sửa hoặc đã rút tới {chats_told} cuộc trò chuyện "
                     "(nhóm đăng ký, người theo dõi, người đã được trả lời các số liệu đó).")
    if result.warnings:
        lines.append("Cảnh báo (không chặn cập nhật):")
        lines.extend(_problem_lines(result.warnings, "cảnh báo"))
    return "\n".join(lines)


def kb_news_html(followed: list[PlaceChanges], given: list[FigureChange],
                 labels: dict[str, str], today: dt.date) -> str:
    """One message about a reload for one chat, with sources.

    The units it follows (new figures, figures changed or withdrawn), and the figures it was
    given in an answer that changed.
    """
    lines = [f"📊 <b>Số liệu cập nhật ngày {vn_date(today)}</b>"]
    sources: list[Source] = []

    def listed(title: str, items: list[str]) -> None:
        if items:
            lines.append(title)
            lines.extend(f"• {html.escape(item)}" for item in items[:MAX_NEW_FIGURES])
            if len(items) > MAX_NEW_FIGURES:
                lines.append(f"… và {len(items) - MAX_NEW_FIGURES} số liệu khác: hỏi bot để xem.")

    for change in followed:
        lines.append(f"<b>{html.escape(place_label(change.place))}</b>")
        added = change.new_figures
        listed("Số liệu mới:", [fact_line(f, labels[f.metric], with_place=False) for f in added])
        sources.extend(f.source for f in added)
        revised = change.revised
        listed("Đã sửa hoặc đã rút:", [c.line(labels.get(c.old.metric, c.old.metric))
                                       for c in revised])
    if given:
        lines.append("Số liệu bot đã trả lời bạn trong 30 ngày qua nay đã sửa hoặc đã rút:")
        by_place: dict[str, list[FigureChange]] = {}
        for change in given:
            by_place.setdefault(place_label(change.old.place), []).append(change)
        for label, changes in by_place.items():
            listed(f"{html.escape(label)}:", [c.line(labels.get(c.old.metric, c.old.metric))
                                              for c in changes])
    lines.extend(f"<i>{html.escape(line)}</i>" for line in source_lines(dict.fromkeys(sources)))
    return "\n".join(lines)


# -- curating reports sent as files (bot admins) ----------------------------------------------
MAX_REPORT_MB = 20
DRAFT_DAYS = 7
NOT_CURATOR = ("Tôi chỉ nhận tệp báo cáo từ quản trị viên của bot. Bạn cứ hỏi bằng chữ, "
               f"ví dụ: «{EXAMPLE}».")
NOTHING_ADDED = "Chưa có gì được thêm vào cơ sở dữ liệu."
DOWNLOAD_FAILED = f"Không tải được tệp từ Telegram, vui lòng gửi lại. {NOTHING_ADDED}"
REVIEW_BUTTON_STALE = "Nút này không hợp lệ hoặc đã cũ. Gửi lại báo cáo nếu cần."
DRAFT_GONE = f"Bản nháp này đã hết hạn (giữ {DRAFT_DAYS} ngày) hoặc không còn: gửi lại báo cáo."
DRAFT_ADDING = "Bản nháp này đang được thêm, chờ một chút."
DRAFT_CANCELLED = "Bản nháp này đã bị hủy: gửi lại báo cáo nếu cần."
NOT_DRAFT_OWNER = "Bản nháp này của quản trị viên khác: chỉ người gửi báo cáo mới duyệt được."
NO_YEAR_YET = "Số liệu này chưa có năm: bấm 📅 để chọn năm trước."
NO_METRIC_YET = "Chưa rõ số liệu này đo gì: sửa trong tệp YAML (📎) rồi gửi lại tệp."
YAML_NOT_UTF8 = f"Tệp YAML phải lưu bằng UTF-8. {NOTHING_ADDED}"
DATA_FILES_BEHIND = ("Chưa thêm được: tệp dữ liệu trên máy chủ này cũ hơn cơ sở dữ liệu bot đang "
                     "dùng (một máy chủ khác đã cập nhật). Người vận hành cần chép tệp dữ liệu "
                     "mới nhất về máy này rồi thử lại; bản nháp vẫn còn. "
                     f"{NOTHING_ADDED}")
KIND_WORDS = {"result": "Kết quả", "target": "Chỉ tiêu", "award": "Khen thưởng"}
PROBLEM_WORDS = {"year": "chưa có năm", "metric": "chưa rõ chỉ số"}
# Buttons of the review panel; a phone shows about 12 characters of each of three in a row.
EDIT_UNIT_BUTTON = "✏️ Đơn vị"
EDIT_DATE_BUTTON = "✏️ Ngày"
EDIT_TITLE_BUTTON = "✏️ Tiêu đề"
EDIT_PUBLISHER_BUTTON = "✏️ Nơi đăng"
CHANGES_BUTTON = "🔁 Thay đổi"
KEEP_EARLIER_BUTTON = "Giữ cả bản cũ"
REPLACE_EARLIER_BUTTON = "Thay bản cũ"
YAML_BUTTON = "📎 Tệp YAML"
CANCEL_DRAFT_BUTTON = "🗑 Hủy bản nháp"
ADD_BUTTON = "✅ Thêm vào cơ sở dữ liệu"
SUMMARY_BUTTON = "↩️ Tóm tắt"
PREVIOUS_BUTTON = "◀️ Trước"
NEXT_BUTTON = "Sau ▶️"
OTHER_YEAR_BUTTON = "Năm khác…"
BACK_BUTTON = "↩️ Quay lại"
PROMPTS = {
    "unit": ("Gõ tên đơn vị của báo cáo, thêm tỉnh nếu có đơn vị trùng tên, ví dụ: "
             "Phường Tân Hòa, Phú Thọ", "Ví dụ: Quận Ba Đình"),
    "date": ("Gõ ngày của báo cáo (ngày/tháng/năm), ví dụ: 23/12/2025", "Ví dụ: 23/12/2025"),
    "title": ("Gõ tiêu đề của báo cáo, như trên báo hoặc văn bản:", "Tiêu đề báo cáo"),
    "publisher": ("Gõ nơi đăng hoặc tác giả của báo cáo, ví dụ: Báo Phú Thọ",
                  "Ví dụ: Phòng Nội vụ quận"),
}
MAX_SOURCE_CHARS = 300
MAX_LABEL_CHARS = 120
_SHOWN_CHANGES = 12
_EXCERPT_BEFORE, _EXCERPT_AFTER = 45, 35


def figures_button(count: int) -> str:
    """The summary's button to the figures, one page of 8 at a time."""
    return f"📋 Số liệu ({count})"


def new_metrics_button(count: int) -> str:
    """The summary's button to the new metrics."""
    return f"🆕 Chỉ số mới ({count})"


def keep_button(number: int, kept: bool) -> str:
    """Keeps or drops figure ``number``; shows what it is now."""
    return f"{'✅' if kept else '✖️'} {number}"


def kind_button(kind: str) -> str:
    """Switches a figure's kind; shows the kind it has now (short: three share a row)."""
    return "Khen" if kind == "award" else KIND_WORDS.get(kind, kind)


def year_button(year: int | None) -> str:
    """Opens the years to choose from for a figure."""
    return f"📅 {year or '?'}"


def unit_option_button(place: Place) -> str:
    """One of several units of the report's name."""
    return f"📍 {place_label(place)}"


def page_button(number: int, pages: int) -> str:
    """Where the reader is among the pages."""
    return f"{number}/{pages}"


def accept_label_button(number: int, accepted: bool) -> str:
    """Accepts new metric ``number``'s label; says so once it is."""
    return f"✅ Đã duyệt {number}" if accepted else f"Đồng ý tên {number}"


def retype_label_button(number: int) -> str:
    """Asks for another label of new metric ``number``."""
    return f"✏️ Đổi tên {number}"


def too_big(name: str, size: int) -> str:
    """A file above Telegram's download limit for bots."""
    mb = format_vn_number(round(size / 1024 / 1024, 1))
    return (f"Tệp «{name}» nặng {mb} MB, quá giới hạn {MAX_REPORT_MB} MB mà Telegram cho bot "
            "tải về. Hãy gửi bản nhẹ hơn: chỉ các trang có số liệu, hoặc bản .docx, .txt. "
            f"{NOTHING_ADDED}")


def unsupported_file(name: str) -> str:
    """A file the ingester cannot read."""
    if name.lower().endswith(".doc"):
        return (f"«{name}» là tệp Word cũ (.doc): mở bằng Word, lưu thành .docx rồi gửi lại. "
                f"{NOTHING_ADDED}")
    return (f"Chưa đọc được loại tệp «{name}». Hãy gửi báo cáo dạng PDF có chữ, Word (.docx), "
            f".txt hoặc .html, hoặc bản nháp .yaml. {NOTHING_ADDED}")


def unreadable_report(problem: str, name: str) -> str:
    """Why a report file yields no text (``DocumentError.problem``)."""
    reason = {
        "empty": f"Tệp «{name}» trống, không có chữ.",
        "corrupt": f"Không đọc được «{name}»: tệp bị hỏng hoặc có mật khẩu. Hãy gửi lại bản khác.",
        "no_text_layer": (f"«{name}» là bản quét (PDF không có lớp chữ) nên không đọc được số "
                          "liệu. Hãy gửi bản Word, PDF xuất từ Word, hoặc chạy nhận dạng chữ "
                          "(OCR) trước."),
    }.get(problem)
    return f"{reason} {NOTHING_ADDED}" if reason else unsupported_file(name)


def report_too_long(name: str, limit: int) -> str:
    """A report with more text than a draft keeps."""
    return (f"«{name}» dài quá (hơn {format_vn_number(limit)} ký tự). Hãy gửi riêng phần có số "
            f"liệu. {NOTHING_ADDED}")


def no_figures(name: str) -> str:
    """A report in which ingest found no figure."""
    return (f"Không tìm thấy số liệu nào trong «{name}»: bot cần báo cáo có các con số kết quả, "
            f"chỉ tiêu, khen thưởng. {NOTHING_ADDED}")


def reviewed_elsewhere(admin_id: int, since: dt.datetime, tz: dt.tzinfo) -> str:
    """The same report is under review by another bot admin."""
    return (f"Báo cáo này đang được quản trị viên {admin_id} duyệt (từ {_when(since, tz)}). "
            "Chờ họ thêm hoặc hủy bản nháp, để không thêm hai lần.")


def still_reviewing(since: dt.datetime, tz: dt.tzinfo) -> str:
    """The admin sent again a report they are reviewing."""
    return f"Bạn đang duyệt báo cáo này (gửi lúc {_when(since, tz)}): tiếp tục ở bảng dưới."


def draft_added_before(at: dt.datetime | None, tz: dt.tzinfo) -> str:
    """A press on a draft that was added already."""
    return "Bản nháp này đã được thêm vào cơ sở dữ liệu" + (
        f" lúc {_when(at, tz)}." if at else ".")


def prompt_again(problem: str, typed: str, what: str) -> str:
    """A reply to a prompt that cannot be used, and the prompt again."""
    shown = typed if len(typed) <= 60 else typed[:60] + "…"
    reason = {
        "unit_unknown": f"Không tìm thấy đơn vị «{shown}».",
        "date": f"«{shown}» không phải ngày hợp lệ.",
        "year": f"«{shown}» không phải năm hợp lệ (từ 1945 đến 2100).",
        "empty": "Chưa có nội dung.",
        "long": "Dài quá.",
    }[problem]
    return f"{reason} {what}"


def year_prompt(number: int, year: int | None) -> str:
    """Asks the year of figure ``number``."""
    return f"Gõ năm của số liệu {number}, ví dụ: {year or 2025}"


def label_prompt(label: str) -> str:
    """Asks another label for a new metric."""
    return f"Gõ tên chỉ số mới thay cho «{label}» (ngắn gọn, viết thường):"


def yaml_caption(draft_name: str) -> str:
    """Under the draft sent as a YAML file."""
    return (f"Bản nháp {draft_name}: sửa trong máy tính rồi gửi lại tệp này cho bot để thêm, "
            "nếu không muốn dùng các nút.")


def _excerpt(sentence: str, written: str, nth: int) -> str:
    """The words around the figure in its sentence, the figure in bold."""
    at = -1
    for _ in range(nth + 1):
        at = sentence.find(written, at + 1)
        if at < 0:
            break
    if at < 0 or not written:
        text = sentence if len(sentence) <= 160 else sentence[:160] + "…"
        return html.escape(text)
    start = max(0, at - _EXCERPT_BEFORE)
    end = min(len(sentence), at + len(written) + _EXCERPT_AFTER)
    if start:
        start = sentence.find(" ", start, at) + 1 or start
    if end < len(sentence):
        end = sentence.rfind(" ", at + len(written), end + 1)
        end = end if end > at else at + len(written)
    before, figure_text, after = sentence[start:at], written, sentence[at + len(written):end]
    return (("…" if start else "") + html.escape(before) + f"<b>{html.escape(figure_text)}</b>"
            + html.escape(after) + ("…" if end < len(sentence) else ""))


def _metric_label(item: Item, kb: KnowledgeBase) -> str:
    c = item.candidate
    if c.metric and c.metric in kb.metrics:
        return kb.metrics[c.metric].label
    if c.new_metric and c.new_metric.label:
        return f"{c.new_metric.label} (mới)"
    return "chưa rõ chỉ số"


def _item_html(item: Item, nth: int, kb: KnowledgeBase) -> list[str]:
    c = item.candidate
    mark = "⚠️" if item.problem else "✅" if item.kept else "✖️"
    state = f" {PROBLEM_WORDS[item.problem]} ·" if item.problem else "" if item.kept else " bỏ ·"
    head = (f"<b>{item.number}.</b> {mark}{state} {KIND_WORDS.get(c.kind, c.kind)} "
            f"{c.year or '?'} · {html.escape(_metric_label(item, kb))}: "
            f"<b>{html.escape(figure(item.fact))}</b>")
    return [head, f"<i>{_excerpt(c.sentence, c.written, nth)}</i>"]


def review_page_html(review: Review, number: int, kb: KnowledgeBase) -> str:
    """One page of figures: each with its kind, year, metric, figure and the words around it."""
    items = review.page(number)
    first, last = items[0].number, items[-1].number
    lines = [f"<b>Số liệu {first}–{last} / {len(review.candidates)}</b> · trang "
             f"{number}/{review.pages}",
             "Nút dưới mỗi số: ✅/✖️ giữ hay bỏ · loại (bấm để đổi) · 📅 năm."]
    seen: Counter[tuple[str, str]] = Counter()
    for item in review.items()[:last]:
        key = (item.candidate.sentence, item.candidate.written)
        if item.number >= first:
            lines += ["", *_item_html(item, seen[key], kb)]
        seen[key] += 1
    return "\n".join(lines)


def year_choice_html(item: Item, kb: KnowledgeBase) -> str:
    """Above the years to choose from for one figure."""
    return "\n".join([f"<b>Chọn năm cho số liệu {item.number}</b>",
                      *_item_html(item, 0, kb)[:1]])


def new_metrics_html(review: Review) -> str:
    """The new metrics the kept figures use, each with its label and the figures using it."""
    metrics = review.new_metrics()
    if not metrics:
        return "<b>Chỉ số mới</b>\nCác số liệu đang giữ đều dùng chỉ số đã có."
    lines = [f"<b>Chỉ số mới ({len(metrics)})</b>",
             "Chưa có trong danh mục; khi thêm, chúng được ghi là tạm thời. Bấm «Đồng ý tên» "
             "nếu tên đã đúng, ✏️ để gõ tên khác."]
    for number, metric in enumerate(metrics, 1):
        users = [str(i.number) for i in review.items()
                 if i.kept and i.candidate.new_metric and i.candidate.new_metric.id == metric.id]
        mark = "✅" if metric.id in review.accepted else "❔"
        lines.append(f"<b>{number}.</b> {mark} «{html.escape(metric.label)}» "
                     f"({html.escape(metric.topic)}) — số liệu {', '.join(users)}")
    return "\n".join(lines)


def _source_line(title: str, publisher: str, date: dt.date | None) -> str:
    unknown = publisher.strip().lower() in ("", "không ghi tác giả")
    who = "⚠️ chưa rõ nơi đăng" if unknown else html.escape(publisher)
    return (f"Nguồn: <i>{html.escape(title)}</i> — {who}"
            + (f", {vn_date(date)}" if date else ""))


def _draft_status(check: DraftCheck, limit: int = 6, missing: str = "") -> list[str]:
    if check.addition is not None:
        return ["✅ Sẵn sàng thêm: bấm «Thêm vào cơ sở dữ liệu»."]
    if missing:  # the lines above say what to press; the YAML's problems would only repeat it
        return [f"⚠️ Chưa thêm được: {missing}."]
    problems = check.problems
    lines = [f"⚠️ Chưa thêm được ({len(problems)} lỗi):"]
    lines += [f"• {html.escape(p.vietnamese)}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… và {len(problems) - limit} lỗi khác.")
    return lines


def _earlier_lines(check: DraftCheck) -> list[str]:
    earlier = check.earlier
    if earlier is None:
        return []
    lines = [f"<b>Đã có báo cáo của đơn vị này cho năm đó:</b> «{html.escape(earlier.title)}» "
             f"({html.escape(earlier.publisher)}, {vn_date(earlier.date)})."]
    if check.replaces is None:
        lines.append("Bản này sẽ được thêm riêng, báo cáo cũ giữ nguyên.")
    elif check.changes is not None:
        c = check.changes
        lines.append(f"Thêm bản này sẽ thay báo cáo đó: thêm {len(c.added)}, sửa {len(c.changed)}, "
                     f"bỏ {len(c.removed)}, giữ nguyên {c.unchanged} số liệu. Xem «Thay đổi».")
    else:
        lines.append("Thêm bản này sẽ thay báo cáo đó.")
    return lines


def draft_summary_html(file_name: str, review: Review, check: DraftCheck, kb: KnowledgeBase,
                       expires: dt.datetime, tz: dt.tzinfo) -> str:
    """The review panel's first view: unit, date, source, figures by kind, what is missing."""
    gazetteer = kb.gazetteer
    place = review.place(gazetteer)
    if place is not None:
        unit = f"<b>{html.escape(place_label(place))}</b>"
    elif review.unit_options:
        unit = "⚠️ chưa rõ, có thể là một trong các đơn vị bên dưới: bấm để chọn"
    else:
        unit = "⚠️ không nhận ra: bấm «✏️ Đơn vị»"
    date = (f"{vn_date(review.date)} (năm báo cáo {review.year})" if review.date and review.year
            else vn_date(review.date) if review.date else "⚠️ chưa rõ: bấm «✏️ Ngày»")
    items = review.items()
    kept = [i for i in items if i.kept]
    by_kind = Counter(i.candidate.kind for i in kept)
    metrics = review.new_metrics()
    pending = [m for m in metrics if m.id not in review.accepted]
    unplaced = [i for i in items if i.problem]
    dropped = len(items) - len(kept) - len(unplaced)
    lines = [f"📄 <b>Bản nháp từ {html.escape(file_name)}</b>",
             f"Đơn vị: {unit}",
             f"Ngày: {date}",
             _source_line(review.title or review.source.title,
                          review.publisher or review.source.publisher, review.date),
             "",
             f"<b>Số liệu tìm thấy: {len(items)}</b>, sẽ thêm {len(kept)}",
             " · ".join(f"{KIND_WORDS[k]} {by_kind[k]}" for k in KIND_WORDS)]
    if metrics:
        lines.append(f"Chỉ số mới: {len(metrics)}"
                     + (f", chưa duyệt tên {len(pending)}" if pending else ", đã duyệt tên"))
    if unplaced:
        lines.append(f"Chưa xếp được: {len(unplaced)} ("
                     + ", ".join(f"số {i.number} {PROBLEM_WORDS[i.problem or '']}"
                                 for i in unplaced[:5]) + ("…" if len(unplaced) > 5 else "")
                     + ")")
    if dropped:
        lines.append(f"Đã bỏ: {dropped}")
    earlier = _earlier_lines(check)
    lines += ["", *earlier] if earlier else []
    missing = join_vn([what for what, known in (("chọn đơn vị", place), ("sửa ngày", review.date))
                       if not known])
    lines += ["", *_draft_status(check, missing=missing),
              f"<i>Bản nháp giữ đến {_when(expires, tz)}.</i>"]
    return "\n".join(lines)


def yaml_summary_html(file_name: str, check: DraftCheck, expires: dt.datetime,
                      tz: dt.tzinfo) -> str:
    """The panel of a draft sent as YAML: what it adds, what it replaces, or its problems."""
    lines = [f"📄 <b>Bản nháp YAML {html.escape(file_name)}</b>"]
    addition = check.addition
    if addition is not None:
        source = addition.source
        by_kind = Counter(f.kind for f in addition.new_facts)
        lines += [f"Đơn vị: <b>{html.escape(place_label(addition.place))}</b>",
                  _source_line(source.title, source.publisher, source.date),
                  f"<b>Số liệu: {addition.facts}</b> · "
                  + " · ".join(f"{KIND_WORDS[k]} {by_kind[k]}" for k in KIND_WORDS)]
        if addition.new_metrics:
            lines.append(f"Chỉ số mới: {len(addition.new_metrics)}")
    earlier = _earlier_lines(check)
    lines += ["", *earlier] if earlier else []
    lines += ["", *_draft_status(check), f"<i>Bản nháp giữ đến {_when(expires, tz)}.</i>"]
    return "\n".join(lines)


def _change_lines(title: str, facts: Sequence[str]) -> list[str]:
    if not facts:
        return []
    lines = ["", f"<b>{title} ({len(facts)})</b>", *(f"• {f}" for f in facts[:_SHOWN_CHANGES])]
    if len(facts) > _SHOWN_CHANGES:
        lines.append(f"… và {len(facts) - _SHOWN_CHANGES} mục khác.")
    return lines


def draft_changes_html(check: DraftCheck, kb: KnowledgeBase) -> str:
    """What adding the draft changes in the earlier report of the same unit and year."""
    earlier, changes, addition = check.earlier, check.changes, check.addition
    if earlier is None:
        return "<b>Thay đổi</b>\nĐơn vị và năm này chưa có trong cơ sở dữ liệu: mọi số liệu là mới."
    if changes is None or addition is None:
        return "\n".join([f"<b>Thay đổi</b>\nBáo cáo cũ «{html.escape(earlier.title)}» "
                          "giữ nguyên." if check.replaces is None else "<b>Thay đổi</b>",
                          *(_draft_status(check) if addition is None else [])])
    labels = {**{m.id: m.label for m in kb.metrics.values()}, **addition.labels}

    def line(fact: Fact) -> str:
        label = labels.get(fact.metric, fact.metric.replace("_", " "))
        return html.escape(fact_line(fact, label, with_place=False))

    lines = [f"<b>Thay đổi so với «{html.escape(earlier.title)}»</b> "
             f"({html.escape(earlier.publisher)}, {vn_date(earlier.date)})"]
    lines += _change_lines("Thêm", [line(f) for f in changes.added])
    lines += _change_lines("Sửa", [f"{line(old)} → <b>{html.escape(figure(new))}</b>"
                                   for old, new in changes.changed])
    lines += _change_lines("Bỏ", [line(f) for f in changes.removed])
    lines += ["", f"Giữ nguyên: {changes.unchanged} số liệu."]
    return "\n".join(lines)


def draft_added(addition: Addition, reload: str) -> str:
    """Tell the admin the draft is in the knowledge base, and what the reload did."""
    source = addition.source
    verb = "Đã thay báo cáo cũ bằng" if addition.replaces else "Đã thêm"
    return (f"✅ {verb} {addition.facts} số liệu của {place_label(addition.place)}, nguồn "
            f"«{source.title}» ({source.publisher}, {vn_date(source.date)}).\n{reload}")


def draft_not_added(problems: Sequence[Problem]) -> str:
    """Adding failed: every problem, and that nothing changed."""
    shown = problems[:_SHOWN_PROBLEMS]
    lines = [f"Chưa thêm được, cơ sở dữ liệu giữ nguyên ({len(problems)} lỗi):",
             *(f"• {p.vietnamese}" for p in shown)]
    if len(problems) > len(shown):
        lines.append(f"… và {len(problems) - len(shown)} lỗi khác.")
    return "\n".join(lines)


def data_not_written(reason: str) -> str:
    """Adding failed because the data files could not be written (disk full, no permission)."""
    return (f"Chưa thêm được: không ghi được tệp dữ liệu ({reason}). Cơ sở dữ liệu giữ nguyên; "
            "bản nháp vẫn còn, thử lại sau.")


def draft_cancelled(file_name: str) -> str:
    """The draft is dropped: nothing of it goes into the knowledge base."""
    return f"🗑 Đã hủy bản nháp từ «{file_name}». {NOTHING_ADDED}"


def draft_superseded(file_name: str) -> str:
    """The admin sent the draft back as YAML: the button review stops here."""
    return f"Bản nháp từ «{file_name}» được thay bằng tệp YAML bạn gửi (xem bên dưới)."


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
    "report_drafted": "gửi báo cáo, lập bản nháp",
    "report_added": "thêm báo cáo vào cơ sở dữ liệu",
    "report_cancelled": "hủy bản nháp báo cáo",
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
