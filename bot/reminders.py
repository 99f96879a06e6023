"""Reminder jobs: one named job per subscription, scheduled again from storage at start."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import partial

from telegram.ext import ContextTypes, JobQueue

from bot.delivery import Clock, Courier
from bot.library import Library
from bot.schedule import Subscription, due_countdowns, due_sends, next_tick
from bot.storage import Store
from knowledge import KnowledgeBase
from knowledge.model import Answer
from knowledge.reminders import countdown, event_occurrences, target_reminder

logger = logging.getLogger(__name__)


class Reminders:
    """Keeps a job ``reminder:<id>`` per subscription at its next daily check.

    A check queues the target reminder on the subscription's days and event countdowns on any
    day, through the outbox (whose sent log makes every reminder go out once, however many
    instances queue it), then wakes the courier. At start, what fell due within ``grace`` while
    the bot was down is queued first. ``resync`` brings the jobs in line with the stored
    subscriptions after another instance changed them.
    """

    def __init__(self, job_queue: JobQueue, store: Store, library: Library, courier: Courier,
                 clock: Clock, render: Callable[[Answer], str], grace: dt.timedelta,
                 countdown_days: Collection[int]) -> None:
        self._jobs = job_queue
        self._store = store
        self._library = library
        self._courier = courier
        self._clock = clock
        self._render = render
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
        rows = []
        for send in due_sends(subscriptions, sent, now, self._grace):
            district = kb.gazetteer.districts.get(send.subscription.district)
            if district is None:
                logger.error("Subscription %s names unknown district %s; skipped.",
                             send.subscription.id, send.subscription.district)
                continue
            rows.append(send.row(self._render(target_reminder(kb, district))))
        for due in due_countdowns(subscriptions, partial(_district_events, kb), sent, now,
                                  self._grace, self._countdown_days):
            text = self._render(countdown(kb, due.event_id, due.occurs_on, due.days_left))
            rows.append(due.row(text))
        if rows:
            await self._store.enqueue(rows, now)


def _district_events(kb: KnowledgeBase, code: str,
                     today: dt.date) -> Iterator[tuple[str, dt.date]]:
    district = kb.gazetteer.districts.get(code)
    return event_occurrences(kb, district, today) if district else iter(())


def _job_name(subscription: Subscription) -> str:
    return f"reminder:{subscription.id}"
