"""Reminder jobs: one named job per subscription, scheduled again from storage at start."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import partial
from zoneinfo import ZoneInfo

from telegram.ext import ContextTypes, JobQueue

from bot.delivery import Clock, Courier
from bot.library import Library
from bot.records import ReminderSent
from bot.schedule import OutboxRow, Subscription, due_countdowns, due_sends, next_tick
from bot.storage import Store
from knowledge import KnowledgeBase
from knowledge.model import Answer, Place
from knowledge.reminders import TargetReminder, countdown, event_occurrences, target_reminder

logger = logging.getLogger(__name__)

Buttons = tuple[tuple[str, str], ...]
# A reminder as sent: its text (Telegram HTML) and buttons, from what it says (the targets, or
# an event's countdown), its unit and its short name (for the "Đã nhận" button).
ComposeReminder = Callable[[KnowledgeBase, TargetReminder | Answer, Place, str],
                           tuple[str, Buttons]]


class Reminders:
    """Keeps a job ``reminder:<id>`` per subscription at its next daily check.

    A check queues the target reminder on the subscription's days, when it says something (a
    target of this year or later, or a year that is over and not yet reported so), and event
    countdowns on any day, through the outbox (whose sent log makes every reminder go out once,
    however many instances queue it), then wakes the courier. At start, what fell due within
    ``grace`` while the bot was down is queued first. ``resync`` brings the jobs in line with the
    stored subscriptions after another instance changed them.
    """

    def __init__(self, job_queue: JobQueue, store: Store, library: Library, courier: Courier,
                 clock: Clock, compose: ComposeReminder, grace: dt.timedelta,
                 countdown_days: Collection[int]) -> None:
        self._jobs = job_queue
        self._store = store
        self._library = library
        self._courier = courier
        self._clock = clock
        self._compose = compose
        self._grace = grace
        self._countdown_days = countdown_days
        self._scheduled: dict[str, Subscription] = {}

    async def start(self) -> None:
        """Queue what fell due while the bot was down, schedule every subscription, deliver."""
        await self.resync()

    async def resync(self) -> None:
        """Queue what is due, schedule new or changed subscriptions, drop removed ones."""
        subscriptions = await self._store.subscriptions()
        await self._queue_due(subscriptions, self._clock())
        stored = {subscription.id: subscription for subscription in subscriptions}
        self.cancel([s for s in self._scheduled.values() if s.id not in stored])
        for subscription in subscriptions:
            if self._scheduled.get(subscription.id) != subscription:
                self.schedule(subscription)
        self._courier.kick()

    def schedule(self, subscription: Subscription) -> None:
        """(Re)schedule the subscription's job at its next daily check."""
        self.cancel([subscription])
        now = self._clock()
        at = next_tick(subscription, now)
        self._jobs.run_once(self._check, (at - now).total_seconds(),
                            name=_job_name(subscription), data=(subscription.id, at))
        self._scheduled[subscription.id] = subscription

    def cancel(self, subscriptions: Iterable[Subscription]) -> None:
        """Remove the jobs of these subscriptions."""
        for subscription in subscriptions:
            self._scheduled.pop(subscription.id, None)
            for job in self._jobs.get_jobs_by_name(_job_name(subscription)):
                job.schedule_removal()

    async def _check(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        subscription_id, due = context.job.data
        subscription = await self._store.subscription(subscription_id)
        if subscription is None:
            self._scheduled.pop(subscription_id, None)
            return
        # The job may run a hair before the clock reads its time; it is for that time.
        await self._queue_due([subscription], max(self._clock(), due))
        self._courier.kick()
        self.schedule(subscription)

    async def _queue_due(self, subscriptions: list[Subscription], now: dt.datetime) -> None:
        kb = self._library.kb
        sent = await self._store.sent_keys()
        rows: list[OutboxRow] = []
        reported: dict[str, tuple[int, ...]] = {}
        receipts: list[ReminderSent] = []
        for send in due_sends(subscriptions, sent, now, self._grace):
            subscription = send.subscription
            place = kb.gazetteer.place_by_key(subscription.place)
            if place is None:
                logger.error("Subscription %s names unknown unit %s; skipped.",
                             subscription.id, subscription.place)
                continue
            today = send.due.astimezone(ZoneInfo(subscription.tz)).date()
            reminder = target_reminder(kb, place, today, subscription.reported_over)
            if not reminder.says_something:
                continue
            text, buttons = self._compose(kb, reminder, place, send.ack_id)
            rows.append(send.row(text, buttons))
            receipts.append(ReminderSent(send.ack_id, subscription.chat_id, place.key, send.due,
                                         subscription.title))
            if reminder.over_years:
                reported[subscription.id] = reminder.over_years
        for due in due_countdowns(subscriptions, partial(_unit_events, kb), sent, now,
                                  self._grace, self._countdown_days):
            place = kb.gazetteer.place_by_key(due.subscription.place)
            if place is None:
                continue
            said = countdown(kb, due.event_id, due.occurs_on, due.days_left)
            text, buttons = self._compose(kb, said, place, due.ack_id)
            rows.append(due.row(text, buttons))
            receipts.append(ReminderSent(due.ack_id, due.subscription.chat_id, place.key, due.due,
                                         due.subscription.title, "countdown"))
        if rows:
            await self._store.queue_reminders(rows, now, reported, receipts)


def _unit_events(kb: KnowledgeBase, key: str, today: dt.date) -> Iterator[tuple[str, dt.date]]:
    place = kb.gazetteer.place_by_key(key)
    return event_occurrences(kb, place, today) if place else iter(())


def _job_name(subscription: Subscription) -> str:
    return f"reminder:{subscription.id}"
