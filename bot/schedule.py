"""Pure delivery planning: reminder subscriptions, their runs, due sends and outbox rows."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal
from zoneinfo import ZoneInfo

from knowledge.text import fold

Frequency = Literal["daily", "weekly", "monthly"]
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly")
OutboxState = Literal["pending", "sent", "failed", "inactive"]
DEFAULT_TZ = "Asia/Ho_Chi_Minh"

SUBSCRIBE_USAGE = (
    "Cách dùng: /theodoi <quận> [hằng ngày|hằng tuần|hằng tháng] [giờ]\n"
    "Ví dụ: /theodoi Hoàng Mai hằng tuần 8h\n"
    "Mặc định: hằng tuần, thứ Hai lúc 08:00."
)


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
class OutboxRow:
    """One message to one chat; it counts as sent only once Telegram has accepted it.

    ``attempts`` counts delivery tries; ``not_before`` holds back a scheduled or retried row.
    Transitions are allowed only from ``pending``: a row is delivered at most once.
    """

    message_key: str
    chat_id: int
    text: str
    state: OutboxState = "pending"
    attempts: int = 0
    last_error: str | None = None
    not_before: dt.datetime | None = None

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

    def _tried(self, **changes: object) -> OutboxRow:
        self._require_pending()
        return replace(self, attempts=self.attempts + 1, **changes)

    def sent(self) -> OutboxRow:
        """Record that Telegram accepted the message."""
        return self._tried(state="sent", last_error=None, not_before=None)

    def retry_at(self, when: dt.datetime, error: str) -> OutboxRow:
        """Record that Telegram asked us to wait (``RetryAfter``): try again at ``when``."""
        return self._tried(last_error=error, not_before=when)

    def retry_or_fail(self, error: str, now: dt.datetime, *, max_attempts: int = 5,
                      first_delay: dt.timedelta = dt.timedelta(seconds=2)) -> OutboxRow:
        """Record a transient failure (network, 5xx): back off exponentially, then give up."""
        if self.attempts + 1 >= max_attempts:
            return self.failed(error)
        return self._tried(last_error=error, not_before=now + first_delay * 2**self.attempts)

    def failed(self, error: str) -> OutboxRow:
        """Record a permanent failure (e.g. ``BadRequest``) or exhausted retries."""
        return self._tried(state="failed", last_error=error)

    def inactive(self, error: str) -> OutboxRow:
        """Record that the chat blocked or removed the bot (``Forbidden``)."""
        return self._tried(state="inactive", last_error=error)

    def moved_to(self, chat_id: int) -> OutboxRow:
        """Address the row to the chat's new id (``ChatMigrated``), to be sent afresh."""
        self._require_pending()
        return replace(self, chat_id=chat_id, not_before=None)


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


@dataclass(frozen=True, slots=True)
class Group:
    """A group chat registered for announcements about some districts, or all when empty."""

    chat_id: int
    districts: tuple[str, ...] = ()

    def wants(self, district: str | None) -> bool:
        """Whether an announcement about ``district`` (``None``: every district) goes here."""
        return district is None or not self.districts or district in self.districts


def announcement_rows(message_key: str, text: str, groups: Iterable[Group], district: str | None,
                      not_before: dt.datetime | None = None) -> list[OutboxRow]:
    """One outbox row per group that wants an announcement about ``district``."""
    return [OutboxRow(message_key, group.chat_id, text, not_before=not_before)
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
    """A mistake in a command's arguments, with the Vietnamese reply explaining it."""

    message: str


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
            return UsageError(f"Giờ không hợp lệ: {words[-1]} (giờ từ 0 đến 23, phút từ 0 đến 59)."
                              f"\n{SUBSCRIBE_USAGE}")
        words, keys = words[:-1], keys[:-1]
    frequency: Frequency = "weekly"
    if len(keys) >= 2 and keys[-2] in _FREQUENCY_PREFIXES:
        if keys[-1] not in _FREQUENCY_UNITS:
            return UsageError(f"Chưa hỗ trợ tần suất «{words[-2]} {words[-1]}»: chọn hằng ngày, "
                              f"hằng tuần hoặc hằng tháng.\n{SUBSCRIBE_USAGE}")
        frequency = _FREQUENCY_UNITS[keys[-1]]
        words = words[:-2]
    if not words:
        return UsageError(f"Bạn chưa nêu quận cần theo dõi.\n{SUBSCRIBE_USAGE}")
    return SubscribeRequest(" ".join(words), frequency, hour, minute)
