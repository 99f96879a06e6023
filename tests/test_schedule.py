import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import (
    Group,
    OutboxRow,
    RetryPolicy,
    SubscribeRequest,
    Subscription,
    UsageError,
    announcement_rows,
    due_countdowns,
    due_sends,
    next_run,
    next_tick,
    parse_subscribe,
    split_send_time,
    summarize,
)
from handlers.texts import ANNOUNCE_USAGE, SUBSCRIBE_USAGE, usage_error

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
GRACE = dt.timedelta(hours=6)
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=HCM)


def sub(**kwargs) -> Subscription:
    return Subscription(**({"id": "s1", "chat_id": 42, "district": "Quận Hoàng Mai",
                            "created_at": LONG_AGO} | kwargs))


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


# Next run


def test_default_reminder_is_weekly_on_monday_at_eight_in_ho_chi_minh_city() -> None:
    # Sunday 23:30 UTC is already Monday 06:30 in Vietnam.
    run = next_run(sub(), dt.datetime(2024, 3, 3, 23, 30, tzinfo=UTC))
    assert run == local(2024, 3, 4, 8, 0)
    assert run.astimezone(UTC) == dt.datetime(2024, 3, 4, 1, 0, tzinfo=UTC)


def test_next_run_is_strictly_after_the_given_moment() -> None:
    assert next_run(sub(), local(2024, 3, 4, 8, 0)) == local(2024, 3, 11, 8, 0)


def test_daily_runs_stay_at_the_same_utc_hour_all_year_without_dst() -> None:
    daily = sub(frequency="daily", hour=7, minute=30)
    run, gaps = local(2024, 1, 1, 0, 0), set()
    for _ in range(366):
        following = next_run(daily, run)
        gaps.add(following - run)
        run = following
        assert run.astimezone(UTC).time() == dt.time(0, 30)
    assert gaps - {dt.timedelta(hours=7, minutes=30)} == {dt.timedelta(days=1)}


def test_monthly_reminder_on_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    monthly = sub(frequency="monthly", day=31)
    runs, run = [], local(2024, 1, 31, 9, 0)
    for _ in range(4):
        run = next_run(monthly, run)
        runs.append(run.date())
    assert runs == [dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30),
                    dt.date(2024, 5, 31)]
    february = next_run(sub(frequency="monthly", day=30), local(2023, 2, 1))
    assert february.date() == dt.date(2023, 2, 28)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_run(sub(), dt.datetime(2024, 3, 4, 8, 0))


def test_impossible_reminder_times_are_refused() -> None:
    with pytest.raises(ValueError):
        sub(hour=24)
    with pytest.raises(ValueError):
        sub(frequency="yearly")


# Due reminders


def test_reminder_due_while_down_is_sent_once_within_grace() -> None:
    now = local(2024, 3, 4, 10, 0)  # the bot comes back two hours after Monday 08:00
    [send] = due_sends([sub()], set(), now, GRACE)
    assert send.due == local(2024, 3, 4, 8, 0)
    assert send.key == "reminder:s1:2024-03-04T08:00:00+07:00"
    assert send.row("Nhắc") == OutboxRow(send.key, 42, "Nhắc")
    assert due_sends([sub()], {send.key}, now + dt.timedelta(minutes=5), GRACE) == []


def test_reminders_missed_for_days_are_sent_once_for_the_latest_run() -> None:
    daily = sub(frequency="daily")
    sends = due_sends([daily], set(), local(2024, 3, 7, 9, 0), GRACE)
    assert [send.due for send in sends] == [local(2024, 3, 7, 8, 0)]


def test_reminder_missed_beyond_grace_is_skipped_and_never_sent_later() -> None:
    for hours_late in (7, 12, 30, 24 * 6):
        now = local(2024, 3, 4, 8, 0) + dt.timedelta(hours=hours_late)
        assert due_sends([sub()], set(), now, GRACE) == []
    [send] = due_sends([sub()], set(), local(2024, 3, 11, 8, 0), GRACE)
    assert send.due == local(2024, 3, 11, 8, 0)


def test_new_subscription_is_not_sent_for_a_run_before_it_was_made() -> None:
    fresh = sub(created_at=local(2024, 3, 4, 9, 0))
    assert due_sends([fresh], set(), local(2024, 3, 4, 9, 1), GRACE) == []


def test_reminder_fires_exactly_at_its_time() -> None:
    assert len(due_sends([sub()], set(), local(2024, 3, 4, 8, 0), GRACE)) == 1


# /theodoi arguments


@pytest.mark.parametrize(("text", "expected"), [
    ("Hoàng Mai hằng ngày 8h", SubscribeRequest("Hoàng Mai", "daily", 8, 0)),
    ("hoang mai hang ngay 8:30", SubscribeRequest("hoang mai", "daily", 8, 30)),
    ("Quận 1 hàng tuần 08:00", SubscribeRequest("Quận 1", "weekly", 8, 0)),
    ("HBT Hằng Tháng 7h15", SubscribeRequest("HBT", "monthly", 7, 15)),
    ("quận 8 mỗi ngày", SubscribeRequest("quận 8", "daily", 8, 0)),
    ("Ba Đình 17 giờ", SubscribeRequest("Ba Đình", "weekly", 17, 0)),
    ("Q1", SubscribeRequest("Q1", "weekly", 8, 0)),
    ("  Bình   Thạnh  ", SubscribeRequest("Bình Thạnh", "weekly", 8, 0)),
])
def test_subscribe_arguments_with_and_without_diacritics(text: str,
                                                         expected: SubscribeRequest) -> None:
    assert parse_subscribe(text) == expected


def test_decomposed_unicode_from_telegram_parses_like_composed() -> None:
    text = unicodedata.normalize("NFD", "Hoàng Mai hằng tháng 9h")
    assert parse_subscribe(text) == SubscribeRequest("Hoàng Mai", "monthly", 9, 0)


@pytest.mark.parametrize(("text", "says"), [
    ("", "chưa nêu quận"),  # the handler prompts with buttons before it comes to this
    ("hằng ngày 8h", "chưa nêu quận"),
    ("Hoàng Mai 25h", "Giờ không hợp lệ: 25h"),
    ("Hoàng Mai 8:75", "Giờ không hợp lệ: 8:75"),
    ("Hoàng Mai hằng năm", "Chưa hỗ trợ tần suất «hằng năm»"),
])
def test_malformed_subscribe_arguments_get_the_usage_back(text: str, says: str) -> None:
    result = parse_subscribe(text)
    assert isinstance(result, UsageError)
    assert says in usage_error(result) and SUBSCRIBE_USAGE in usage_error(result)


def test_request_becomes_a_subscription_in_the_configured_zone() -> None:
    request = SubscribeRequest("hoang mai", "daily", 6, 45)
    made = request.subscription(subscription_id="x", chat_id=7, district="Quận Hoàng Mai",
                                now=LONG_AGO, tz="Asia/Bangkok")
    assert next_run(made, LONG_AGO) == dt.datetime(2020, 1, 1, 6, 45,
                                                   tzinfo=ZoneInfo("Asia/Bangkok"))


# Outbox rows


def test_row_reaches_one_final_state() -> None:
    now = local(2024, 3, 4, 8, 0)
    row = OutboxRow("announce:1", -1, "Họp")
    trying = row.started(now)
    assert trying.in_flight and trying.attempts == 1 and trying.first_tried_at == now
    delivered = trying.sent(42)
    assert (delivered.state, delivered.attempts, delivered.in_flight) == ("sent", 1, False)
    with pytest.raises(ValueError, match="already sent"):
        delivered.sent()


def test_transient_failures_back_off_for_hours_then_give_up() -> None:
    policy = RetryPolicy(first_delay=dt.timedelta(seconds=2), max_delay=dt.timedelta(minutes=5),
                         give_up_after=dt.timedelta(hours=24))
    now = local(2024, 3, 4, 8, 0)
    row, waits = OutboxRow("announce:1", -1, "Họp"), []
    while row.state == "pending":
        row = row.started(now).retry_or_fail("Bad Gateway", now, policy)
        if row.state == "pending":
            waits.append((row.not_before - now).total_seconds())
            now = row.not_before
    assert waits[:5] == [2, 4, 8, 16, 32] and max(waits) == 300
    assert (row.state, row.last_error) == ("failed", "Bad Gateway")
    assert row.first_tried_at + dt.timedelta(hours=24) <= now < row.first_tried_at + dt.timedelta(
        hours=24, minutes=6)


def test_a_try_whose_answer_was_lost_is_sent_again_and_counted() -> None:
    now = local(2024, 3, 4, 8, 0)
    lost = OutboxRow("announce:1", -1, "Họp").started(now).retry_or_fail(
        "Timed out", now, RetryPolicy(), uncertain=True)
    assert lost.state == "pending" and lost.uncertain
    again = lost.started(now).sent(7)
    assert summarize([again]).maybe_twice == (again,)
    killed = OutboxRow("announce:1", -2, "Họp").started(now).interrupted()
    assert killed.uncertain and not killed.in_flight and killed.is_due(now)


def test_rate_limited_row_waits_until_telegram_allows() -> None:
    now = local(2024, 3, 4, 8, 0)
    row = OutboxRow("announce:1", -1, "Họp").retry_at(now + dt.timedelta(seconds=30),
                                                       "RetryAfter 30")
    assert not row.is_due(now)
    assert row.is_due(now + dt.timedelta(seconds=30))


def test_blocked_chat_row_becomes_inactive_and_migrated_row_goes_to_the_new_id() -> None:
    row = OutboxRow("announce:1", -1, "Họp")
    assert row.inactive("Forbidden").state == "inactive"
    moved = row.moved_to(-1001)
    assert (moved.chat_id, moved.state, moved.id) == (-1001, "pending", "announce:1|-1001")
    assert moved.moved_to(-1002).migrated_from == -1


def test_announcement_goes_to_groups_that_want_the_district() -> None:
    groups = [Group(-1), Group(-2, ("Quận 1",)), Group(-3, ("Quận 6", "Quận Hoàng Mai"))]
    to_q1 = announcement_rows("announce:9", "Họp", groups, "Quận 1")
    to_all = announcement_rows("announce:9", "Họp", groups, None)
    assert [row.chat_id for row in to_q1] == [-1, -2]
    assert [row.chat_id for row in to_all] == [-1, -2, -3]


def test_announcement_rows_carry_the_group_title_for_the_report() -> None:
    [row] = announcement_rows("announce:9", "Họp", [Group(-1, (), "Tổ 1")], None)
    assert row.chat_title == "Tổ 1"


def test_summary_sorts_rows_by_outcome_and_finishes_when_none_is_pending() -> None:
    now = local(2024, 3, 4, 8, 0)
    sent = OutboxRow("a", -1, "x").sent()
    moved = OutboxRow("a", -2, "x").moved_to(-20).sent()
    failed = OutboxRow("a", -3, "x").failed("Bad Request: chat not found")
    removed = OutboxRow("a", -4, "x").inactive("Forbidden")
    waiting = OutboxRow("a", -5, "x").started(now).retry_at(now, "RetryAfter 1s")
    untried = OutboxRow("a", -6, "x")
    summary = summarize([sent, moved, failed, removed, waiting])
    assert (summary.sent, summary.failed, summary.removed) == ((sent, moved), (failed,), (removed,))
    assert summary.migrated == (moved,) and summary.retrying == (waiting,)
    assert not summary.finished and summary.reportable and summary.total == 5
    assert not summarize([sent, untried]).reportable
    assert summarize([sent, failed]).finished


# Countdowns and daily checks


def founding_day(district: str, today: dt.date) -> list[tuple[str, dt.date]]:
    return [("founding", dt.date(today.year, 11, 25))] if district == "Quận Hoàng Mai" else []


def test_daily_check_comes_every_day_whatever_the_frequency() -> None:
    monthly = sub(frequency="monthly", hour=7, minute=30)
    assert next_tick(monthly, local(2024, 3, 4, 8, 0)) == local(2024, 3, 5, 7, 30)


@pytest.mark.parametrize(("day", "days_left"), [(22, 3), (25, 0)])
def test_countdown_is_due_three_days_before_and_on_the_day(day: int, days_left: int) -> None:
    now = local(2026, 11, day, 8, 5)
    [countdown] = due_countdowns([sub()], founding_day, set(), now, GRACE, (3, 0))
    assert countdown.days_left == days_left
    assert countdown.key == f"countdown:s1:founding:2026-11-25:{days_left}"
    assert countdown.row("x") == OutboxRow(countdown.key, 42, "x")
    assert due_countdowns([sub()], founding_day, {countdown.key}, now, GRACE, (3, 0)) == []


def test_no_countdown_on_other_days_or_for_other_districts() -> None:
    for day in (21, 23, 24, 26):
        assert due_countdowns([sub()], founding_day, set(), local(2026, 11, day, 9, 0), GRACE,
                              (3, 0)) == []
    other = sub(district="Quận 1")
    assert due_countdowns([other], founding_day, set(), local(2026, 11, 22, 9, 0), GRACE,
                          (3, 0)) == []


def test_countdown_missed_beyond_grace_is_skipped() -> None:
    late = local(2026, 11, 22, 8, 0) + GRACE + dt.timedelta(minutes=1)
    assert due_countdowns([sub()], founding_day, set(), late, GRACE, (3, 0)) == []


# Announcement times

NOW = local(2026, 11, 26, 10, 0)  # a Thursday


@pytest.mark.parametrize(("text", "content", "when"), [
    ("Họp giao ban lúc 14h", "Họp giao ban", local(2026, 11, 26, 14, 0)),
    ("Họp lúc 8h", "Họp", local(2026, 11, 27, 8, 0)),
    ("Nộp báo cáo lúc 8h30 01/12", "Nộp báo cáo", local(2026, 12, 1, 8, 30)),
    ("Nộp báo cáo luc 28/11/2026 8:30", "Nộp báo cáo", local(2026, 11, 28, 8, 30)),
    ("Chào năm mới lúc 0h 01/01", "Chào năm mới", local(2027, 1, 1, 0, 0)),
    ("Họp LÚC 9 giờ 30 ngày 27/11", "Họp", local(2026, 11, 27, 9, 30)),
    ("Họp lúc 14h ngày 28/11 tại hội trường", "Họp lúc 14h ngày 28/11 tại hội trường", None),
    ("Họp giao ban", "Họp giao ban", None),
])
def test_trailing_send_time_is_split_off(text: str, content: str,
                                         when: dt.datetime | None) -> None:
    assert split_send_time(text, NOW) == (content, when)


@pytest.mark.parametrize(("text", "says"), [
    ("Họp lúc 25h", "Thời điểm không hợp lệ"),
    ("Họp lúc 8h 31/02", "Thời điểm không hợp lệ"),
    ("Họp lúc 8h 20/11/2026", "đã qua"),
    ("Họp lúc 8h 25/11", "đã qua"),
    ("Họp lúc 8h 01/01/2030", "trong vòng một năm"),
])
def test_impossible_send_times_are_explained(text: str, says: str) -> None:
    result = split_send_time(text, NOW)
    assert isinstance(result, UsageError) and says in usage_error(result)


def test_usage_error_for_a_send_time_shows_the_usage() -> None:
    result = split_send_time("Họp lúc 25h", NOW)
    assert isinstance(result, UsageError) and ANNOUNCE_USAGE in usage_error(result)
