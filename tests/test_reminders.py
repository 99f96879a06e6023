"""Reminder contents and the district named by a command argument."""

import datetime as dt

import pytest

from bot.schedule import Announcement, OutboxRow, summarize
from handlers.announcements import split_target
from handlers.texts import broadcast_report
from knowledge import lookup_district
from knowledge.reminders import countdown, event_occurrences, next_occurrence, target_reminder

FOUNDING = "hoang-mai-2022-ngay-thanh-lap-quan"


def district(kb, name):
    return lookup_district(name, kb).district


def test_target_reminder_lists_each_target_with_its_year_and_source(knowledge_base):
    reminder = target_reminder(knowledge_base, district(knowledge_base, "Bình Thạnh"))
    assert reminder.status == "answered"
    assert reminder.body.startswith("Nhắc chỉ tiêu: Quận Bình Thạnh (cũ, TP Hồ Chí Minh)")
    assert "Chỉ tiêu năm 2022:" in reminder.body
    assert "phấn đấu dưới 3,7%" in reminder.body
    assert "Chưa có số liệu kết quả năm 2022." in reminder.body
    assert all(f.place.name == "Quận Bình Thạnh" for f in reminder.facts)
    assert [s.id for s in reminder.sources] == ["binh-thanh-2021"]


def test_target_reminder_without_targets_says_so_and_shows_no_figure(knowledge_base):
    reminder = target_reminder(knowledge_base, district(knowledge_base, "Hoàng Mai"))
    assert reminder.status == "not_found"
    assert "Chưa có chỉ tiêu của Quận Hoàng Mai" in reminder.body
    assert reminder.facts == ()


def test_yearly_event_comes_back_every_year_and_one_off_events_pass(knowledge_base):
    founding = knowledge_base.by_id[FOUNDING]
    assert next_occurrence(founding, dt.date(2026, 11, 22)) == dt.date(2026, 11, 25)
    assert next_occurrence(founding, dt.date(2026, 11, 26)) == dt.date(2027, 11, 25)
    anniversary_2023 = knowledge_base.by_id["hoang-mai-2022-ky-niem-20-nam"]
    assert next_occurrence(anniversary_2023, dt.date(2026, 1, 1)) is None
    assert list(event_occurrences(knowledge_base, founding.place, dt.date(2026, 11, 22))) == [
        (FOUNDING, dt.date(2026, 11, 25))]


def test_countdown_names_the_day_the_years_and_the_district(knowledge_base):
    soon = countdown(knowledge_base, FOUNDING, dt.date(2026, 11, 25), 3)
    assert soon.body == ("Còn 3 ngày nữa, 25/11/2026: kỷ niệm 23 năm thành lập quận Hoàng Mai "
                         "(25/11/2003) — Quận Hoàng Mai (cũ, TP Hà Nội).")
    assert countdown(knowledge_base, FOUNDING, dt.date(2026, 11, 25), 0).body.startswith(
        "Hôm nay, 25/11/2026")
    assert countdown(knowledge_base, "gone", dt.date(2026, 11, 25), 0).status == "not_found"


@pytest.mark.parametrize(("text", "name", "province"), [
    ("Hoàng Mai", "Quận Hoàng Mai", "Thành phố Hà Nội"),
    ("hoang mai nghe an", "Thị xã Hoàng Mai", "Tỉnh Nghệ An"),
    ("Q1", "Quận 1", "Thành phố Hồ Chí Minh"),
    ("quan 10", "Quận 10", "Thành phố Hồ Chí Minh"),
    ("HBT", "Quận Hai Bà Trưng", "Thành phố Hà Nội"),
    ("Châu Thành Long An", "Huyện Châu Thành", "Tỉnh Long An"),
])
def test_command_argument_names_one_former_district(knowledge_base, text, name, province):
    found = lookup_district(text, knowledge_base)
    assert found.whole
    assert (found.district.name, found.district.province) == (name, province)


def test_same_named_districts_without_data_are_offered_as_options(knowledge_base):
    found = lookup_district("Châu Thành", knowledge_base)
    assert found.district is None and len(found.options) > 2


def test_current_ward_points_to_its_former_districts(knowledge_base):
    found = lookup_district("phường Sài Gòn", knowledge_base)
    assert found.district is None
    assert [d.name for d in found.origins] == ["Quận 1"]


@pytest.mark.parametrize(("text", "target", "content"), [
    ("Hoàng Mai Họp giao ban", "Quận Hoàng Mai", "Họp giao ban"),
    ("Q1 Nộp báo cáo\nĐúng hạn", "Quận 1", "Nộp báo cáo\nĐúng hạn"),
    ("tất cả Nộp báo cáo", None, "Nộp báo cáo"),
    ("Tat ca nop bao cao", None, "nop bao cao"),
    ("Nộp báo cáo thi đua", None, "Nộp báo cáo thi đua"),
])
def test_announcement_target_is_split_from_its_content(knowledge_base, text, target, content):
    found, rest = split_target(text, knowledge_base)
    assert (found.name if found else None, rest) == (target, content)


def test_ambiguous_announcement_target_asks_for_the_province(knowledge_base):
    reply = split_target("Châu Thành Họp", knowledge_base)
    assert isinstance(reply, str) and "Hãy gõ kèm tỉnh" in reply


def test_broadcast_report_names_groups_and_reasons():
    announcement = Announcement("ab12", 7, 7, "Họp", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    rows = [OutboxRow("k", -1, "x", chat_title="Tổ <1>").sent(),
            OutboxRow("k", -2, "x", chat_title="Tổ 2").moved_to(-20).sent(),
            OutboxRow("k", -3, "x").failed("Bad Request: chat not found"),
            OutboxRow("k", -4, "x", chat_title="Tổ 4").inactive("Forbidden")]
    report = broadcast_report(announcement, summarize(rows))
    assert "(mã ab12): đã gửi 2/4 nhóm." in report
    assert "Tổ 2 (-2 → -20)" in report
    assert "nhóm -3: Bad Request: chat not found" in report
    assert "Đã gỡ 1 nhóm" in report and "Tổ 4" in report
    assert "Tổ <1>" not in report  # escaped, as it is sent as HTML
