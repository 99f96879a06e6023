"""Reminder contents and the unit named by a command argument."""

import datetime as dt
from dataclasses import replace

import pytest

from bot.schedule import Announcement, OutboxRow, summarize
from handlers.announcements import split_target
from handlers.texts import broadcast_report
from knowledge import lookup_place
from knowledge.base import KnowledgeBase
from knowledge.reminders import (
    countdown,
    event_occurrences,
    next_occurrence,
    reminder_lines,
    target_reminder,
)

FOUNDING = "hoang-mai-2022-ngay-thanh-lap-quan"


def place(kb, name):
    return lookup_place(name, kb).place


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
def test_command_argument_names_one_unit(knowledge_base, text, name, province):
    found = lookup_place(text, knowledge_base)
    assert found.rest == ""
    assert (found.place.name, found.place.province) == (name, province)


def test_words_that_name_no_place_are_kept_to_be_reported(knowledge_base):
    found = lookup_place("Bình Thạnh nhé", knowledge_base)
    assert (found.place.name, found.rest) == ("Quận Bình Thạnh", "nhé")


def test_same_named_districts_without_data_are_offered_as_options(knowledge_base):
    found = lookup_place("Châu Thành", knowledge_base)
    assert found.place is None and len(found.options) > 2


def test_current_ward_without_facts_points_to_its_former_districts(knowledge_base):
    found = lookup_place("phường Sài Gòn", knowledge_base)
    assert found.place is None and found.asked.kind == "ward"
    assert [d.name for d in found.asked.origins] == ["Quận 1"]


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
    assert "«Họp» (mã ab12): đã gửi 2/4 nhóm: Tổ &lt;1&gt;, Tổ 2." in report
    assert "Tổ 2 (-2 → -20)" in report
    assert "nhóm -3: Bad Request: chat not found" in report
    assert "Đã gỡ 1 nhóm" in report and "Tổ 4" in report
    assert "Tổ <1>" not in report  # escaped, as it is sent as HTML


# Targets beside results

TODAY = dt.date(2026, 5, 1)
SPRING = dt.date(2026, 3, 1)


def with_facts(kb, facts):
    return KnowledgeBase(sources=kb.sources, metrics=kb.metrics, facts=tuple(facts),
                         gazetteer=kb.gazetteer, vocabulary=kb.vocabulary)


def hoang_mai_with_targets(kb, *facts):
    """Hoàng Mai's facts plus ``facts`` built from its 2022 budget result."""
    budget = kb.by_id["hoang-mai-2022-thu-ngan-sach"]
    later = replace(budget.source, id="hoang-mai-2026", publisher="UBND quận Hoàng Mai",
                    cite=None, date=SPRING)
    made = [budget._replace(**({"source": later} | fields)) for fields in facts]
    return with_facts(kb, [*kb.facts, *made]), budget


def reminder_text(kb, reminder):
    body, sources = reminder_lines(kb, reminder)
    return "\n".join([*body, *sources])


def test_over_targets_are_reported_once_in_one_line_then_no_more(knowledge_base):
    binh_thanh = place(knowledge_base, "Bình Thạnh")
    reminder = target_reminder(knowledge_base, binh_thanh, TODAY)
    text = reminder_text(knowledge_base, reminder)
    assert reminder.over_years == (2022,) and reminder.current == ()
    assert "Kết thúc năm 2022, 10 chỉ tiêu:" in text
    assert text.count("Chưa có số liệu kết quả năm 2022") == 1
    assert "tỷ lệ thất nghiệp (dưới 3,7%)" in text
    assert "Nguồn: Anh Hoàng, bài tổng kết năm 2021 của quận Bình Thạnh, 24/03/2022." in text
    assert not target_reminder(knowledge_base, binh_thanh, TODAY, (2022,)).says_something


def test_a_target_is_shown_beside_the_latest_earlier_result_with_the_gap_and_both_sources(
        knowledge_base):
    kb, budget = hoang_mai_with_targets(knowledge_base, {
        "id": "hm-2026-ns", "kind": "target", "year": 2026, "value": "6.000", "percent": None,
        "percent_of": None})
    reminder = target_reminder(kb, budget.place, TODAY)
    [year] = reminder.current
    [standing] = year.compared
    assert (standing.target.id, standing.result.id) == ("hm-2026-ns", budget.id)
    assert year.days_left == 245
    text = reminder_text(kb, reminder)
    assert ("• Tổng thu ngân sách: chỉ tiêu 6.000 tỷ đồng [1]; năm 2022 đạt 4.670,8 tỷ đồng [2] "
            "— cần tăng 28,5% so với năm 2022.") in text
    assert "Chỉ tiêu năm 2026 (còn 245 ngày đến hết năm 2026), 1 chỉ tiêu:" in text
    assert "Nguồn: [1] UBND quận Hoàng Mai, 01/03/2026." in text
    assert "Nguồn: [2] Phòng Nội vụ quận Hoàng Mai, 25/03/2023." in text


def test_a_result_of_the_target_year_gives_the_share_reached(knowledge_base):
    kb, budget = hoang_mai_with_targets(
        knowledge_base,
        {"id": "t", "kind": "target", "year": 2026, "value": "6.000", "percent": None,
         "percent_of": None},
        {"id": "r", "kind": "result", "year": 2026, "value": "1.500", "bound": "nearly",
         "percent": None, "percent_of": None})
    [standing] = target_reminder(kb, budget.place, TODAY).current[0].compared
    assert standing.result.id == "r" and standing.gap == "đạt khoảng 25% chỉ tiêu"


@pytest.mark.parametrize(("target", "result", "gap"), [
    ({"percent": "95", "bound": "at_least"}, {"percent": "93,5"},
     "cần tăng 1,5 điểm phần trăm so với năm 2022"),
    ({"percent": "95", "bound": "at_least"}, {"percent": "96"}, "mức năm 2022 đạt chỉ tiêu"),
    ({"percent": "3,7", "bound": "less_than"}, {"percent": "4"},
     "cần giảm 0,3 điểm phần trăm so với năm 2022"),
    ({"percent": "3,7", "bound": "less_than"}, {"percent": "3,2"},
     "mức năm 2022 dưới mức chỉ tiêu"),
])
def test_percent_targets_are_compared_in_points_in_their_direction(knowledge_base, target,
                                                                   result, gap):
    none = {"value": None, "unit": None, "percent_of": None, "bound": None}
    kb, budget = hoang_mai_with_targets(
        knowledge_base, none | {"id": "t", "kind": "target", "year": 2026} | target)
    kb = with_facts(kb, [f._replace(**(none | result)) if f.id == "hoang-mai-2022-thu-ngan-sach"
                         else f for f in kb.facts])
    [standing] = target_reminder(kb, budget.place, TODAY).current[0].compared
    assert standing.gap == gap


def test_different_measures_and_metrics_are_never_compared(knowledge_base):
    kb, budget = hoang_mai_with_targets(
        knowledge_base,
        # % of the budget plan is not the result's tỷ đồng
        {"id": "pct", "kind": "target", "year": 2026, "value": None, "unit": None,
         "percent": "110"},
        # another unit of measure
        {"id": "usd", "kind": "target", "year": 2026, "value": "250", "unit": "triệu USD",
         "percent": None, "percent_of": None},
        # another metric
        {"id": "other", "kind": "target", "year": 2026, "metric": "giay_phep_xay_dung",
         "value": "6.000", "unit": "tỷ đồng", "percent": None, "percent_of": None})
    [year] = target_reminder(kb, budget.place, TODAY).current
    assert year.compared == ()
    assert [t.id for t in year.unmatched] == ["pct", "usd", "other"]
    text = reminder_text(kb, target_reminder(kb, budget.place, TODAY))
    assert text.count("Chưa có kết quả cùng chỉ số để so sánh với 3 chỉ tiêu") == 1
    assert "4.670,8" not in text


def test_a_year_that_is_over_is_judged_by_its_own_result_only(knowledge_base):
    kb, budget = hoang_mai_with_targets(knowledge_base, {
        "id": "t2025", "kind": "target", "year": 2025, "value": "6.000", "percent": None,
        "percent_of": None})
    [year] = target_reminder(kb, budget.place, TODAY).years
    assert year.over and year.compared == () and [t.id for t in year.unmatched] == ["t2025"]


def test_a_province_with_facts_is_a_unit_commands_can_name(knowledge_base):
    budget = knowledge_base.by_id["hoang-mai-2022-thu-ngan-sach"]
    phu_tho = next(p for p in knowledge_base.gazetteer.provinces.values()
                   if p.current and p.name == "Tỉnh Phú Thọ")
    target = budget._replace(id="pt-2026", place=phu_tho, kind="target", year=2026)
    kb = with_facts(knowledge_base, [*knowledge_base.facts, target])
    found = lookup_place("tỉnh Phú Thọ", kb)
    assert found.place == phu_tho and found.rest == ""
    [year] = target_reminder(kb, phu_tho, TODAY).current
    assert [t.id for t in year.unmatched] == ["pt-2026"]  # Hoàng Mai's result is not Phú Thọ's
