import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import (
    Group,
    OutboxRow,
    RetryPolicy,
    Subscription,
    announcement_rows,
    due_countdowns,
    due_sends,
    next_run,
    next_tick,
    subscription_for,
    summarize,
)
from bot.timewords import Schedule

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
GRACE = dt.timedelta(hours=6)
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=HCM)


def sub(**kwargs) -> Subscription:
    return Subscription(**({"id": "s1", "chat_id": 42, "place": "d008",
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


# Subscriptions


def test_schedule_becomes_a_subscription_in_the_configured_zone() -> None:
    made = subscription_for(Schedule("daily", 6, 45), subscription_id="x", chat_id=7,
                            place="d008", now=LONG_AGO, tz="Asia/Bangkok")
    assert next_run(made, LONG_AGO) == dt.datetime(2020, 1, 1, 6, 45,
                                                   tzinfo=ZoneInfo("Asia/Bangkok"))


def test_friday_reminder_comes_on_friday_only() -> None:
    friday = sub(weekday=4, hour=17)
    assert next_run(friday, local(2026, 11, 26, 17, 0)) == local(2026, 11, 27, 17, 0)
    assert next_run(friday, local(2026, 11, 27, 17, 0)) == local(2026, 12, 4, 17, 0)


@pytest.mark.parametrize(("schedule", "after", "runs"), [
    (Schedule("monthly", day=15), local(2026, 1, 15, 9, 0),
     [local(2026, 2, 15, 8, 0), local(2026, 3, 15, 8, 0)]),
    (Schedule("monthly", day=-1), local(2026, 1, 1, 9, 0),
     [local(2026, 1, 31, 8, 0), local(2026, 2, 28, 8, 0), local(2026, 3, 31, 8, 0)]),
    (Schedule("quarterly"), local(2026, 1, 2, 9, 0),
     [local(2026, 4, 1, 8, 0), local(2026, 7, 1, 8, 0), local(2026, 10, 1, 8, 0)]),
    (Schedule("quarterly", day=-1), local(2026, 1, 2, 9, 0),
     [local(2026, 3, 31, 8, 0), local(2026, 6, 30, 8, 0), local(2026, 9, 30, 8, 0)]),
])
def test_monthly_month_end_and_quarterly_runs(schedule, after, runs) -> None:
    made = subscription_for(schedule, subscription_id="x", chat_id=7, place="d008", now=LONG_AGO)
    found = []
    for _ in runs:
        after = next_run(made, after)
        found.append(after)
    assert found == runs


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
    groups = [Group(-1), Group(-2, ("d760",)), Group(-3, ("d775", "d008"))]
    to_q1 = announcement_rows("announce:9", "Họp", groups, "d760")
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


def founding_day(place: str, today: dt.date) -> list[tuple[str, dt.date]]:
    return [("founding", dt.date(today.year, 11, 25))] if place == "d008" else []


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
    other = sub(place="d760")
    assert due_countdowns([other], founding_day, set(), local(2026, 11, 22, 9, 0), GRACE,
                          (3, 0)) == []


def test_countdown_missed_beyond_grace_is_skipped() -> None:
    late = local(2026, 11, 22, 8, 0) + GRACE + dt.timedelta(minutes=1)
    assert due_countdowns([sub()], founding_day, set(), late, GRACE, (3, 0)) == []
