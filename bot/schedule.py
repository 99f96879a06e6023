"""Pure delivery planning: reminder subscriptions, their runs, due sends and outbox rows."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal
from zoneinfo import ZoneInfo

from knowledge.text import fold

Frequency = Literal["daily", "weekly", "monthly"]
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly")
OutboxState = Literal["pending", "sent", "failed", "inactive"]
DEFAULT_TZ = "Asia/Ho_Chi_Minh"

UsageProblem = Literal["bad_hour", "bad_frequency", "no_place", "bad_moment", "past_moment",
                       "too_far"]


def _require_aware(moment: dt.datetime) -> None:
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass a time zone")


@dataclass(frozen=True, slots=True)
class Subscription:
    """A chat's reminder about one district's targets, at a local time of ``tz``.

    ``weekday`` (0 = Monday) is used by weekly reminders, ``day`` by monthly ones; a ``day`` past
    the end of a month falls on that month's last day.
    """

    id: str
    chat_id: int
    district: str
    created_at: dt.datetime
    frequency: Frequency = "weekly"
    hour: int = 8
    minute: int = 0
    weekday: int = 0
    day: int = 1
    tz: str = DEFAULT_TZ

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59
                and 0 <= self.weekday <= 6 and 1 <= self.day <= 31):
            raise ValueError(f"invalid reminder time in {self!r}")
        _require_aware(self.created_at)
        ZoneInfo(self.tz)  # fails early for an unknown zone

    def occurs_on(self, date: dt.date) -> bool:
        """Whether a reminder runs on this local date."""
        if self.frequency == "weekly":
            return date.weekday() == self.weekday
        if self.frequency == "monthly":
            return date.day == min(self.day, calendar.monthrange(date.year, date.month)[1])
        return True

    def run_on(self, date: dt.date) -> dt.datetime:
        """Return the reminder's local time on ``date``."""
        return dt.datetime.combine(date, dt.time(self.hour, self.minute), tzinfo=ZoneInfo(self.tz))


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
    ``message_id`` is Telegram's id once sent. Transitions are allowed only from ``pending``: a
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

    def row(self, text: str) -> OutboxRow:
        """Return the outbox row delivering this reminder as ``text``."""
        return OutboxRow(self.key, self.subscription.chat_id, text)


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

    def row(self, text: str) -> OutboxRow:
        """Return the outbox row delivering this countdown as ``text``."""
        return OutboxRow(self.key, self.subscription.chat_id, text)


Occurrences = Callable[[str, dt.date], Iterable[tuple[str, dt.date]]]


def due_countdowns(subscriptions: Iterable[Subscription], occurrences: Occurrences,
                   sent_keys: Collection[str], now: dt.datetime, grace: dt.timedelta,
                   days_before: Collection[int]) -> list[Countdown]:
    """Countdowns to send at ``now``.

    Each day at the subscription's time, an event of its district that falls ``days_before``
    days later (``occurrences(district, date)`` gives event ids and their next dates) gets one
    countdown; like reminders, only within ``grace`` of that time and never twice.
    """
    countdowns = []
    for subscription in subscriptions:
        due = last_run(replace(subscription, frequency="daily"), now)
        if subscription.created_at > due or now - due > grace:
            continue
        for event_id, occurs_on in occurrences(subscription.district, due.date()):
            countdown = Countdown(subscription, due, event_id, occurs_on)
            if countdown.days_left in days_before and countdown.key not in sent_keys:
                countdowns.append(countdown)
    return countdowns


@dataclass(frozen=True, slots=True)
class Group:
    """A group chat registered for announcements about some districts, or all when empty."""

    chat_id: int
    districts: tuple[str, ...] = ()
    title: str = ""

    def wants(self, district: str | None) -> bool:
        """Whether an announcement about ``district`` (``None``: every district) goes here."""
        return district is None or not self.districts or district in self.districts


def announcement_rows(message_key: str, text: str, groups: Iterable[Group], district: str | None,
                      not_before: dt.datetime | None = None) -> list[OutboxRow]:
    """One outbox row per group that wants an announcement about ``district``."""
    return [OutboxRow(message_key, group.chat_id, text, not_before=not_before,
                      chat_title=group.title)
            for group in groups if group.wants(district)]


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """What ``/theodoi`` asked for; ``district`` is as typed, still to be looked up."""

    district: str
    frequency: Frequency = "weekly"
    hour: int = 8
    minute: int = 0

    def subscription(self, *, subscription_id: str, chat_id: int, district: str,
                     now: dt.datetime, tz: str = DEFAULT_TZ) -> Subscription:
        """Return the subscription to the resolved ``district``, made at ``now``."""
        return Subscription(id=subscription_id, chat_id=chat_id, district=district, created_at=now,
                            frequency=self.frequency, hour=self.hour, minute=self.minute, tz=tz)


@dataclass(frozen=True, slots=True)
class UsageError:
    """A mistake in a command's arguments: what is wrong, and the words at fault as typed."""

    problem: UsageProblem
    given: str = ""


_FREQUENCY_PREFIXES = frozenset({"hang", "moi"})  # hằng / hàng / mỗi
_FREQUENCY_UNITS: dict[str, Frequency] = {"ngay": "daily", "tuan": "weekly", "thang": "monthly"}
_TIME = re.compile(r"(\d{1,2})[hg:](\d{2})?")


def parse_subscribe(text: str) -> SubscribeRequest | UsageError:
    """Parse ``<quận> [hằng ngày|hằng tuần|hằng tháng] [giờ]``, with or without diacritics.

    The time is ``8h``, ``8h30``, ``8g30``, ``08:00``, ``8:30`` or ``8 giờ``; a bare number stays
    part of the district (``quận 8``).
    """
    words = unicodedata.normalize("NFC", text).split()
    keys = [fold(word) for word in words]
    if len(keys) >= 2 and keys[-1] == "gio" and keys[-2].isdigit():
        words[-2:] = [f"{words[-2]} {words[-1]}"]
        keys[-2:] = [f"{keys[-2]}h"]
    hour, minute = 8, 0
    if keys and (time := _TIME.fullmatch(keys[-1])):
        hour, minute = int(time[1]), int(time[2] or 0)
        if hour > 23 or minute > 59:
            return UsageError("bad_hour", words[-1])
        words, keys = words[:-1], keys[:-1]
    frequency: Frequency = "weekly"
    if len(keys) >= 2 and keys[-2] in _FREQUENCY_PREFIXES:
        if keys[-1] not in _FREQUENCY_UNITS:
            return UsageError("bad_frequency", f"{words[-2]} {words[-1]}")
        frequency = _FREQUENCY_UNITS[keys[-1]]
        words = words[:-2]
    if not words:
        return UsageError("no_place")
    return SubscribeRequest(" ".join(words), frequency, hour, minute)


AnnouncementState = Literal["draft", "queued", "cancelled", "reported"]


@dataclass(frozen=True, slots=True)
class Announcement:
    """An admin's message to registered groups: a draft, then queued or cancelled, then reported.

    ``district`` is the code of the district it is about (``None``: every group); ``text`` is the
    message as groups receive it; ``send_at`` holds a scheduled one back. ``report`` is the last
    report queued for the admin, ``report_version`` how many times it was brought up to date.
    """

    id: str
    admin_id: int
    admin_chat_id: int
    text: str
    created_at: dt.datetime
    district: str | None = None
    send_at: dt.datetime | None = None
    state: AnnouncementState = "draft"
    report: str = ""
    report_version: int = 0

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


_TIME_PART = r"(?P<h{n}>\d{{1,2}})\s*(?:h|g|:|gio)\s*(?P<m{n}>\d{{2}})?(?:\s*phut)?"
_DATE_PART = r"(?:ngay\s*)?(?P<d{n}>\d{{1,2}})[/.-](?P<mo{n}>\d{{1,2}})(?:[/.-](?P<y{n}>\d{{4}}))?"
_WHEN_FORMS = (
    re.compile(f"{_TIME_PART.format(n=1)}(?:\\s*,?\\s*{_DATE_PART.format(n=1)})?"),
    re.compile(f"{_DATE_PART.format(n=2)}\\s*,?\\s*(?:luc\\s*)?{_TIME_PART.format(n=2)}"),
)
_AT_WORD = re.compile(r"(?:^|\s)(?:lúc|luc)\s+(?P<when>[^\n]+?)\s*$", re.IGNORECASE)
MAX_SCHEDULE_AHEAD = dt.timedelta(days=366)


def split_send_time(text: str, now: dt.datetime) -> tuple[str, dt.datetime | None] | UsageError:
    """Split a trailing ``lúc <giờ> [<ngày>]`` off an announcement: ``(content, when)``.

    ``now`` gives the zone and "today": a time alone is its next occurrence, a date without a
    year the next such date. Text after ``lúc`` that is not a time stays part of the content.
    """
    _require_aware(now)
    text = unicodedata.normalize("NFC", text).strip()
    found = _AT_WORD.search(text)
    if found is None:
        return text, None
    folded = fold(found["when"]).strip(" .")
    match = next((m for form in _WHEN_FORMS if (m := form.fullmatch(folded))), None)
    if match is None:
        return text, None
    parts = {name[:-1]: value for name, value in match.groupdict().items() if value is not None}
    hour, minute = int(parts["h"]), int(parts.get("m", 0))
    try:
        clock = dt.time(hour, minute)
        when = _next_moment(clock, parts, now)
    except ValueError:
        return UsageError("bad_moment", found["when"])
    if when <= now:
        return UsageError("past_moment", found["when"])
    if when - now > MAX_SCHEDULE_AHEAD:
        return UsageError("too_far", found["when"])
    return text[: found.start()].strip(), when


def _next_moment(clock: dt.time, parts: dict[str, str], now: dt.datetime) -> dt.datetime:
    """The first moment at ``clock`` on the date in ``parts`` (or after ``now`` when partial)."""
    today = now.date()
    if "d" not in parts:
        moment = dt.datetime.combine(today, clock, tzinfo=now.tzinfo)
        return moment if moment > now else moment + dt.timedelta(days=1)
    day, month = int(parts["d"]), int(parts["mo"])
    if "y" in parts:
        return dt.datetime.combine(dt.date(int(parts["y"]), month, day), clock, tzinfo=now.tzinfo)
    moment = dt.datetime.combine(dt.date(today.year, month, day), clock, tzinfo=now.tzinfo)
    if moment <= now and today - moment.date() > dt.timedelta(days=1):
        moment = dt.datetime.combine(dt.date(today.year + 1, month, day), clock,
                                     tzinfo=now.tzinfo)
    return moment
