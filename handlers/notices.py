"""The Vietnamese wording of reminders, group registrations and announcements."""

from __future__ import annotations

import datetime as dt
import html

from bot.library import Reload
from bot.schedule import Announcement, BroadcastSummary, OutboxRow, Subscription
from bot.unanswered import UnansweredGroup
from knowledge.changes import PlaceChanges
from knowledge.model import District, DistrictLookup
from knowledge.numbers import format_vn_number
from knowledge.phrasing import fact_line, join_vn, place_label, source_lines, vn_date

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


def reload_report(result: Reload, groups_told: int) -> str:
    """Tell an admin what a reload did: the problems that kept the old data, or the changes."""
    if not result.ok:
        shown = result.problems[:20]
        more = len(result.problems) - len(shown)
        return "\n".join([
            "Chưa cập nhật: dữ liệu mới có lỗi, bot vẫn dùng dữ liệu cũ. Lỗi (tệp:dòng):",
            *(f"• {problem}" for problem in shown),
            *([f"… và {more} lỗi khác."] if more else []),
        ])
    if not result.changes:
        return "Đã nạp lại dữ liệu: không có gì thay đổi."
    lines = ["Đã cập nhật dữ liệu:"]
    for change in result.changes:
        counts = [f"{label} {len(facts)}" for label, facts in
                  (("thêm", change.added), ("sửa", change.changed), ("bỏ", change.removed))
                  if facts]
        lines.append(f"• {place_label(change.place)}: {', '.join(counts)} mục.")
    if groups_told:
        lines.append(f"Đang báo số liệu mới tới {groups_told} nhóm đã đăng ký.")
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
