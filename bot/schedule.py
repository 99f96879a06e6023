"""Pure delivery planning: reminder subscriptions, their runs, due sends and outbox rows."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal
from zoneinfo import ZoneInfo

from bot.timewords import Frequency, Schedule

OutboxState = Literal["pending", "sent", "failed", "inactive"]
DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def _require_aware(moment: dt.datetime) -> None:
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass a time zone")


@dataclass(frozen=True, slots=True)
class Subscription:
    """A chat's reminder about one unit's targets (``place``: its key), at a local time of ``tz``.

    The schedule's fields are those of ``Schedule``. ``reported_over`` lists the target years
    that are over and were reported so, never to be reported again. ``title`` names the chat
    for the acknowledgements report (a group's title, a person's name).
    """

    id: str
    chat_id: int
    place: str
    created_at: dt.datetime
    frequency: Frequency = "weekly"
    hour: int = 8
    minute: int = 0
    weekday: int = 0
    day: int = 1
    tz: str = DEFAULT_TZ
    reported_over: tuple[int, ...] = ()
    title: str = ""

    def __post_init__(self) -> None:
        Schedule(self.frequency, self.hour, self.minute, self.weekday, self.day)  # checks them
        _require_aware(self.created_at)
        ZoneInfo(self.tz)  # fails early for an unknown zone

    @property
    def schedule(self) -> Schedule:
        """When the reminder runs."""
        return Schedule(self.frequency, self.hour, self.minute, self.weekday, self.day)

    def reporting_over(self, years: Iterable[int]) -> Subscription:
        """The subscription with the target ``years`` also noted as reported over."""
        return replace(self, reported_over=tuple(sorted({*self.reported_over, *years})))

    def occurs_on(self, date: dt.date) -> bool:
        """Whether a reminder runs on this local date."""
        return self.schedule.occurs_on(date)

    def run_on(self, date: dt.date) -> dt.datetime:
        """Return the reminder's local time on ``date``."""
        return dt.datetime.combine(date, dt.time(self.hour, self.minute), tzinfo=ZoneInfo(self.tz))


def subscription_for(schedule: Schedule, *, subscription_id: str, chat_id: int, place: str,
                     now: dt.datetime, tz: str = DEFAULT_TZ, reported_over: tuple[int, ...] = (),
                     title: str = "") -> Subscription:
    """A subscription to ``place`` (a unit's key) on ``schedule``, made at ``now``."""
    return Subscription(id=subscription_id, chat_id=chat_id, place=place, created_at=now,
                        frequency=schedule.frequency, hour=schedule.hour, minute=schedule.minute,
                        weekday=schedule.weekday, day=schedule.day, tz=tz,
                        reported_over=reported_over, title=title)


def _runs(subscription: Subscription, start: dt.datetime, step_days: int) -> Iterator[dt.datetime]:
    """Yield the runs from the local date of ``start`` on, day by day forwards or backwards."""
    date = start.astimezone(ZoneInfo(subscription.tz)).date()
    while True:
        if subscription.occurs_on(date):
            yield subscription.run_on(date)
        date += dt.timedelta(days=step_days)


def next_run(subscription: Subscription, after: dt.datetime) -> dt.datetime:
    """Return the first run strictly after ``after`` (aware), in the subscription's zone."""
    _require_aware(after)
    return next(run for run in _runs(subscription, after, 1) if run > after)


def last_run(subscription: Subscription, at: dt.datetime) -> dt.datetime:
    """Return the latest run at or before ``at`` (aware), in the subscription's zone."""
    _require_aware(at)
    return next(run for run in _runs(subscription, at, -1) if run <= at)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long and how often a chat is tried again after a network error or a 5xx.

    The wait doubles from ``first_delay`` up to ``max_delay``; a row is given up once
    ``give_up_after`` has passed since its first attempt.
    """

    first_delay: dt.timedelta = dt.timedelta(seconds=2)
    max_delay: dt.timedelta = dt.timedelta(minutes=5)
    give_up_after: dt.timedelta = dt.timedelta(hours=24)

    def delay(self, failures: int) -> dt.timedelta:
        """The wait after the ``failures``-th failure in a row (1 for the first)."""
        return min(self.max_delay, self.first_delay * 2 ** min(max(failures - 1, 0), 30))


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message to one chat; it counts as sent only once Telegram has accepted it.

    ``seq`` orders the rows of a chat (the store sets it when enqueuing); ``attempts`` counts
    delivery tries and ``failures`` the network errors and 5xx in a row; ``not_before`` holds
    back a scheduled or retried row; ``queued_at`` is when it was enqueued. ``in_flight`` is
    committed before each try, so a try whose answer never came (a lost reply, a kill) is known:
    the row is then ``uncertain``, sent again and counted as possibly sent twice. ``edit_of``
    makes the row an edit of the bot's message with that id (a report brought up to date);
    ``message_id`` is Telegram's id once sent; ``buttons`` (label, callback data) go under the
    message in one row. Transitions are allowed only from ``pending``: a
    row reaches one final state.
    """

    message_key: str
    chat_id: int
    text: str
    state: OutboxState = "pending"
    attempts: int = 0
    last_error: str | None = None
    not_before: dt.datetime | None = None
    migrated_from: int | None = None
    chat_title: str = ""
    seq: int = 0
    failures: int = 0
    first_tried_at: dt.datetime | None = None
    in_flight: bool = False
    uncertain: bool = False
    edit_of: int | None = None
    message_id: int | None = None
    queued_at: dt.datetime | None = None
    buttons: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        """Unique per (message, chat), so enqueuing the same message again adds nothing."""
        return f"{self.message_key}|{self.chat_id}"

    def is_due(self, now: dt.datetime) -> bool:
        """Whether the row should be sent at ``now``."""
        return self.state == "pending" and (self.not_before is None or self.not_before <= now)

    def _require_pending(self) -> None:
        if self.state != "pending":
            raise ValueError(f"outbox row {self.id} is already {self.state}")

    def _settled(self, **changes: object) -> OutboxRow:
        self._require_pending()
        return replace(self, in_flight=False, **changes)

    def started(self, now: dt.datetime) -> OutboxRow:
        """Record that a try begins (committed before the request leaves)."""
        self._require_pending()
        return replace(self, attempts=self.attempts + 1, in_flight=True,
                       first_tried_at=self.first_tried_at or now)

    def sent(self, message_id: int | None = None) -> OutboxRow:
        """Record that Telegram accepted the message."""
        return self._settled(state="sent", last_error=None, not_before=None,
                             message_id=message_id)

    def interrupted(self) -> OutboxRow:
        """A try whose outcome is unknown (the bot was killed): send again, counted."""
        return self._settled(uncertain=True)

    def retry_at(self, when: dt.datetime, error: str) -> OutboxRow:
        """Record that Telegram asked us to wait (``RetryAfter``): try again at ``when``."""
        return self._settled(last_error=error, not_before=when)

    def retry_or_fail(self, error: str, now: dt.datetime, policy: RetryPolicy,
                      *, uncertain: bool = False) -> OutboxRow:
        """Record a transient failure (network, 5xx): back off, or give up after the policy.

        ``uncertain``: the request may have reached Telegram (its answer was lost).
        """
        uncertain = self.uncertain or uncertain
        first = self.first_tried_at or now
        if now - first >= policy.give_up_after:
            return self._settled(state="failed", last_error=error, uncertain=uncertain)
        failures = self.failures + 1
        return self._settled(last_error=error, failures=failures, uncertain=uncertain,
                             not_before=now + policy.delay(failures))

    def failed(self, error: str) -> OutboxRow:
        """Record a permanent failure (e.g. ``BadRequest``)."""
        return self._settled(state="failed", last_error=error)

    def inactive(self, error: str) -> OutboxRow:
        """Record that the chat blocked or removed the bot (``Forbidden``)."""
        return self._settled(state="inactive", last_error=error)

    def released(self) -> OutboxRow:
        """Clear the back-off once Telegram answers again (after an outage)."""
        self._require_pending()
        return replace(self, not_before=None, failures=0)

    def moved_to(self, chat_id: int) -> OutboxRow:
        """Address the row to the chat's new id (``ChatMigrated``), to be sent afresh."""
        self._require_pending()
        return replace(self, chat_id=chat_id, not_before=None, in_flight=False,
                       migrated_from=self.migrated_from or self.chat_id)


@dataclass(frozen=True, slots=True)
class Send:
    """A reminder that is due: the subscription and the run it is for."""

    subscription: Subscription
    due: dt.datetime

    @property
    def key(self) -> str:
        """Stable across restarts, so the sent log tells whether this run was already sent."""
        return f"reminder:{self.subscription.id}:{self.due.isoformat()}"

    @property
    def ack_id(self) -> str:
        """Short name of this reminder for its "Đã nhận" button and the acknowledgements."""
        return f"{self.subscription.id}:{self.due:%Y%m%d%H%M}"

    def row(self, text: str, buttons: tuple[tuple[str, str], ...] = ()) -> OutboxRow:
        """Return the outbox row delivering this reminder as ``text``, with ``buttons``."""
        return OutboxRow(self.key, self.subscription.chat_id, text, buttons=buttons)


def due_sends(subscriptions: Iterable[Subscription], sent_keys: Collection[str],
              now: dt.datetime, grace: dt.timedelta) -> list[Send]:
    """Reminders to send at ``now``.

    For each subscription only its latest run counts, so a reminder missed while the bot was down
    is sent once if it fell due at most ``grace`` ago, and never if it is older or its key is in
    ``sent_keys``. Runs before the subscription was made are never sent.
    """
    sends = []
    for subscription in subscriptions:
        send = Send(subscription, last_run(subscription, now))
        if (subscription.created_at <= send.due and now - send.due <= grace
                and send.key not in sent_keys):
            sends.append(send)
    return sends


def next_tick(subscription: Subscription, after: dt.datetime) -> dt.datetime:
    """Return the subscription's next daily check strictly after ``after``.

    Every day at the subscription's time its job looks for a due reminder (on the days of its
    frequency) and for event countdowns (on any day).
    """
    return next_run(replace(subscription, frequency="daily"), after)


@dataclass(frozen=True, slots=True)
class Countdown:
    """A countdown that is due: the run it goes with, and the event date it counts down to."""

    subscription: Subscription
    due: dt.datetime
    event_id: str
    occurs_on: dt.date

    @property
    def days_left(self) -> int:
        """Days from the run's local date to the event (0: the event is today)."""
        return (self.occurs_on - self.due.date()).days

    @property
    def key(self) -> str:
        """Stable across restarts: one countdown per subscription, event date and day."""
        return (f"countdown:{self.subscription.id}:{self.event_id}:"
                f"{self.occurs_on.isoformat()}:{self.days_left}")

    @property
    def ack_id(self) -> str:
        """Short name of this countdown for its "Đã nhận" button and the acknowledgements."""
        event = hashlib.blake2b(self.event_id.encode(), digest_size=3).hexdigest()
        return f"{self.subscription.id}:{self.due:%Y%m%d%H%M}:{event}"

    def row(self, text: str, buttons: tuple[tuple[str, str], ...] = ()) -> OutboxRow:
        """Return the outbox row delivering this countdown as ``text``, with ``buttons``."""
        return OutboxRow(self.key, self.subscription.chat_id, text, buttons=buttons)


Occurrences = Callable[[str, dt.date], Iterable[tuple[str, dt.date]]]


def due_countdowns(subscriptions: Iterable[Subscription], occurrences: Occurrences,
                   sent_keys: Collection[str], now: dt.datetime, grace: dt.timedelta,
                   days_before: Collection[int]) -> list[Countdown]:
    """Countdowns to send at ``now``.

    Each day at the subscription's time, an event of its unit that falls ``days_before`` days
    later (``occurrences(place, date)`` gives event ids and their next dates) gets one
    countdown; like reminders, only within ``grace`` of that time and never twice.
    """
    countdowns = []
    for subscription in subscriptions:
        due = last_run(replace(subscription, frequency="daily"), now)
        if subscription.created_at > due or now - due > grace:
            continue
        for event_id, occurs_on in occurrences(subscription.place, due.date()):
            countdown = Countdown(subscription, due, event_id, occurs_on)
            if countdown.days_left in days_before and countdown.key not in sent_keys:
                countdowns.append(countdown)
    return countdowns


@dataclass(frozen=True, slots=True)
class Group:
    """A group chat registered for announcements about some units (their keys), or all."""

    chat_id: int
    places: tuple[str, ...] = ()
    title: str = ""

    def wants(self, place: str | None) -> bool:
        """Whether an announcement about ``place`` (``None``: every unit) goes here."""
        return place is None or not self.places or place in self.places


def announcement_rows(message_key: str, text: str, groups: Iterable[Group], place: str | None,
                      not_before: dt.datetime | None = None) -> list[OutboxRow]:
    """One outbox row per group that wants an announcement about ``place``."""
    return [OutboxRow(message_key, group.chat_id, text, not_before=not_before,
                      chat_title=group.title)
            for group in groups if group.wants(place)]


AnnouncementState = Literal["draft", "queued", "cancelled", "reported"]


@dataclass(frozen=True, slots=True)
class Announcement:
    """An admin's message to registered groups: a draft, then queued or cancelled, then reported.

    ``place`` is the key of the unit it is about (``None``: every group); ``text`` is the
    message as groups receive it, ``content`` what the admin wrote; ``send_at`` holds a
    scheduled one back. ``report`` is the last report queued for the admin, ``report_version``
    how many times it was brought up to date.
    """

    id: str
    admin_id: int
    admin_chat_id: int
    text: str
    created_at: dt.datetime
    place: str | None = None
    send_at: dt.datetime | None = None
    state: AnnouncementState = "draft"
    report: str = ""
    report_version: int = 0
    content: str = ""

    @property
    def message_key(self) -> str:
        """Key of its outbox rows, one per group."""
        return f"announce:{self.id}"

    @property
    def report_key(self) -> str:
        """Key of the outbox row reporting the delivery back to the admin."""
        return f"report:{self.id}"


@dataclass(frozen=True, slots=True)
class BroadcastSummary:
    """How the delivery of one message went, chat by chat."""

    sent: tuple[OutboxRow, ...]
    failed: tuple[OutboxRow, ...]
    removed: tuple[OutboxRow, ...]
    pending: tuple[OutboxRow, ...]

    @property
    def migrated(self) -> tuple[OutboxRow, ...]:
        """Rows delivered to a group under its new id after it became a supergroup."""
        return tuple(row for row in self.sent if row.migrated_from is not None)

    @property
    def maybe_twice(self) -> tuple[OutboxRow, ...]:
        """Delivered rows one of whose earlier tries may have arrived too (an answer lost)."""
        return tuple(row for row in self.sent if row.uncertain)

    @property
    def retrying(self) -> tuple[OutboxRow, ...]:
        """Rows tried at least once and waiting to be tried again."""
        return tuple(row for row in self.pending if row.attempts and not row.in_flight)

    @property
    def total(self) -> int:
        """Every chat the message is for."""
        return len(self.sent) + len(self.failed) + len(self.removed) + len(self.pending)

    @property
    def finished(self) -> bool:
        """Whether every row has reached a final state."""
        return not self.pending

    @property
    def reportable(self) -> bool:
        """Whether every row has been tried at least once and none is in flight."""
        return all(row.attempts and not row.in_flight for row in self.pending)


def summarize(rows: Iterable[OutboxRow]) -> BroadcastSummary:
    """Group a message's rows by outcome."""
    by_state: dict[str, list[OutboxRow]] = {state: [] for state in
                                            ("sent", "failed", "inactive", "pending")}
    for row in rows:
        by_state[row.state].append(row)
    return BroadcastSummary(sent=tuple(by_state["sent"]), failed=tuple(by_state["failed"]),
                            removed=tuple(by_state["inactive"]),
                            pending=tuple(by_state["pending"]))
