"""Schedules and send times as people write them."""

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

import pytest

from bot.timewords import (
    LAST_DAY,
    Schedule,
    Unclear,
    parse_moment,
    parse_schedule,
    split_schedule,
    split_send_time,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


# Reminder schedules


@pytest.mark.parametrize(("text", "unit", "schedule"), [
    ("Bình Thạnh hằng ngày 7h30", "Bình Thạnh", Schedule("daily", 7, 30)),
    ("Bình Thạnh thứ sáu 17h", "Bình Thạnh", Schedule("weekly", 17, 0, weekday=4)),
    ("Hoàng Mai ngày 15 hằng tháng", "Hoàng Mai", Schedule("monthly", day=15)),
    ("Hoàng Mai cuối tháng", "Hoàng Mai", Schedule("monthly", day=LAST_DAY)),
    ("Q1 hằng quý", "Q1", Schedule("quarterly")),
    ("Tân Hòa Phú Thọ cuối quý 16h30", "Tân Hòa Phú Thọ",
     Schedule("quarterly", 16, 30, day=LAST_DAY)),
    ("binh thanh thu 6 5h chieu", "binh thanh", Schedule("weekly", 17, 0, weekday=4)),
    ("Hoàng Mai mỗi thứ hai lúc 7 giờ 30", "Hoàng Mai", Schedule("weekly", 7, 30)),
    ("Hoàng Mai hằng tuần vào chủ nhật", "Hoàng Mai", Schedule("weekly", weekday=6)),
    ("hoang mai hang ngay 8:30", "hoang mai", Schedule("daily", 8, 30)),
    ("HBT Hằng Tháng 7h15", "HBT", Schedule("monthly", 7, 15)),
    ("Quận 8 8h", "Quận 8", Schedule()),
    ("quận 8 mỗi ngày", "quận 8", Schedule("daily")),
    ("Ba Đình 17 giờ", "Ba Đình", Schedule(hour=17)),
    ("  Bình   Thạnh  ", "Bình Thạnh", Schedule()),
])
def test_schedules_as_people_say_them(text: str, unit: str, schedule: Schedule) -> None:
    assert split_schedule(text) == (unit, schedule)


def test_decomposed_unicode_from_telegram_parses_like_composed() -> None:
    text = unicodedata.normalize("NFD", "Hoàng Mai thứ sáu 9h")
    assert split_schedule(text) == ("Hoàng Mai", Schedule("weekly", 9, 0, weekday=4))


@pytest.mark.parametrize(("text", "problem", "words"), [
    ("Hoàng Mai 25h", "bad_hour", ("25h",)),
    ("Hoàng Mai 8:75", "bad_hour", ("8:75",)),
    ("Hoàng Mai ngày 32 hằng tháng", "bad_day", ("ngày 32",)),
    ("Hoàng Mai hằng ngày thứ sáu", "conflict", ("hằng", "ngày", "thứ", "sáu")),
    ("Hoàng Mai 8h 9h", "conflict", ("9h",)),
])
def test_schedules_that_cannot_be_kept_are_refused(text: str, problem: str,
                                                   words: tuple[str, ...]) -> None:
    assert split_schedule(text) == ("Hoàng Mai", Unclear(problem, words))


def test_words_that_are_no_schedule_stay_with_the_unit_to_be_reported() -> None:
    # "thứ bẩyy" is no weekday: the unit's lookup reports it, nothing is dropped
    assert split_schedule("Bình Thạnh thứ bẩyy 8h") == ("Bình Thạnh thứ bẩyy", Schedule())
    assert parse_schedule("hằng năm") == Unclear("unknown", ("hằng", "năm"))


def test_a_schedule_without_a_unit_leaves_the_unit_empty() -> None:
    assert split_schedule("hằng ngày 8h") == ("", Schedule("daily"))


# Send times

NOW = local(2026, 11, 26, 10, 0)  # a Thursday


@pytest.mark.parametrize(("text", "when"), [
    ("9h sáng mai", local(2026, 11, 27, 9, 0)),
    ("chiều nay", local(2026, 11, 26, 14, 0)),
    ("14h thứ Hai", local(2026, 11, 30, 14, 0)),
    ("20/12", local(2026, 12, 20, 8, 0)),
    ("8:00 ngày 1/1/2027", local(2027, 1, 1, 8, 0)),
    ("tối nay 8h", local(2026, 11, 26, 20, 0)),
    ("2h chiều thứ năm", local(2026, 11, 26, 14, 0)),
    ("thứ năm 9h", local(2026, 12, 3, 9, 0)),  # Thursday 9:00 has passed: next week's
    ("thứ sáu tuần sau", local(2026, 12, 4, 8, 0)),
    ("ngày 20 tháng 12", local(2026, 12, 20, 8, 0)),
    ("8h", local(2026, 11, 27, 8, 0)),
])
def test_send_times_as_people_say_them(text: str, when: dt.datetime) -> None:
    assert parse_moment(text, NOW) == when


@pytest.mark.parametrize(("text", "content", "when"), [
    ("Họp giao ban lúc 14h", "Họp giao ban", local(2026, 11, 26, 14, 0)),
    ("Họp lúc 9h sáng mai", "Họp", local(2026, 11, 27, 9, 0)),
    ("Nộp báo cáo lúc 8h30 01/12", "Nộp báo cáo", local(2026, 12, 1, 8, 30)),
    ("Nộp báo cáo luc 28/11/2026 8:30", "Nộp báo cáo", local(2026, 11, 28, 8, 30)),
    ("Chào năm mới lúc 0h 01/01", "Chào năm mới", local(2027, 1, 1, 0, 0)),
    ("Họp LÚC 9 giờ 30 ngày 27/11", "Họp", local(2026, 11, 27, 9, 30)),
    ("Gọi lúc nào tiện", "Gọi lúc nào tiện", None),
    ("Họp giao ban chiều nay", "Họp giao ban chiều nay", None),
])
def test_trailing_send_time_is_split_off(text: str, content: str,
                                         when: dt.datetime | None) -> None:
    assert split_send_time(text, NOW) == (content, when)


@pytest.mark.parametrize(("text", "problem"), [
    ("Họp lúc 25h", "bad_hour"),
    ("Họp lúc 8h 31/02", "bad_date"),
    ("Họp lúc 8h 20/11/2026", "past"),
    ("Họp lúc 8h 25/11", "past"),
    ("Họp lúc 8h 01/01/2030", "too_far"),
    ("Họp lúc 9h ngày mốt kia", "unknown"),
    ("Họp lúc 14h ngày 28/11 tại hội trường", "unknown"),
    ("Họp lúc 9 giờ kém 15", "unknown"),
])
def test_a_send_time_not_understood_is_refused_never_sent_at_once(text: str,
                                                                 problem: str) -> None:
    result = split_send_time(text, NOW)
    assert isinstance(result, Unclear) and result.problem == problem
