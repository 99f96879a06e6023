"""One instance among several on one PostgreSQL database (``DATABASE_URL``): its shared parts.

The composition root (``bot/app.py``) builds a ``Cluster`` instead of the TinyDB store and the
local send budget. It holds the store, the send budget, the inbox with its chat locks, and the
knowledge-base versions, and keeps the instance in step with the others: their notifications
wake the courier (new outbox rows), resync the reminder jobs (changed subscriptions) and load a
published knowledge base; every ``SWEEP_EVERY`` it handles updates an instance recorded but
died before handling, and every ``RESYNC_EVERY`` it resyncs the reminders in case a
notification was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

import psycopg
from telegram.ext import Application, ContextTypes

from bot.delivery import Clock, Courier
from bot.inbox import SharedInbox
from bot.kbversions import Announce, KnowledgeVersions
from bot.library import Library
from bot.pgbudget import SharedBudget
from bot.pglisten import Listener
from bot.pglocks import ChatLocks
from bot.pgstore import PostgresStore
from bot.reminders import Reminders
from bot.settings import Settings
from bot.storage import StoreUnavailable

logger = logging.getLogger(__name__)

SWEEP_EVERY = dt.timedelta(seconds=10)
RESYNC_EVERY = dt.timedelta(minutes=5)
LISTEN_WAIT = 10.0


class Coalesced:
    """Runs ``work`` on request; requests made while it runs make one more run, not many."""

    def __init__(self, work: Callable[[], Awaitable[None]], what: str) -> None:
        self._work = work
        self._what = what
        self._again = False
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, _payload: str = "") -> None:
        """Ask for a run (returns at once)."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._runs())

    async def _runs(self) -> None:
        while self._again:
            self._again = False
            try:
                await self._work()
            except StoreUnavailable as error:
                logger.error("%s failed: %s", self._what, error)

    async def drain(self) -> None:
        """Wait for a run in progress."""
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task


class Cluster:
    """The parts of this instance shared with the others through the database."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        assert settings.database_url
        self.url = settings.database_url
        self.store = PostgresStore(self.url)
        self.locks = ChatLocks(self.url)
        self.budget = SharedBudget(self.store.pool, settings.outgoing_max_per_second,
                                   settings.outgoing_group_max_per_minute)
        self.inbox = SharedInbox(self.store, clock, self.locks)
        self.versions: KnowledgeVersions | None = None
        self._listener: Listener | None = None
        self._resync: Coalesced | None = None

    def knowledge(self, library: Library, announce: Announce) -> KnowledgeVersions:
        """The knowledge-base versions of this instance (``announce`` tells the groups)."""
        self.versions = KnowledgeVersions(self.store, library, announce)
        return self.versions

    def wire(self, application: Application, courier: Courier,  # type: ignore[type-arg]
             reminders: Reminders) -> None:
        """Connect the other instances' news to this instance's courier and reminders."""
        assert self.versions is not None
        self.inbox.attach(application)
        self._resync = Coalesced(reminders.resync, "Resyncing reminders")

        async def kick(_payload: str) -> None:
            courier.kick()

        async def caught_up() -> None:
            courier.kick()
            assert self._resync is not None and self.versions is not None
            await self._resync()
            await self.versions.follow()

        self._listener = Listener(self.url, {"outbox": kick, "subscriptions": self._resync,
                                             "kb": self.versions.follow}, caught_up)

    async def start(self, application: Application) -> None:  # type: ignore[type-arg]
        """Listen to the others, take up the published knowledge base, start the sweeps."""
        assert self._listener is not None and self.versions is not None
        self._listener.start()
        try:
            await asyncio.wait_for(self._listener.listening.wait(), LISTEN_WAIT)
        except TimeoutError:
            logger.error("Not yet listening to the other instances; going on, retrying.")
        await self.versions.start()
        jobs = application.job_queue
        jobs.run_repeating(self._sweep, SWEEP_EVERY, first=SWEEP_EVERY, name="inbox sweep")
        jobs.run_repeating(self._resync_job, RESYNC_EVERY, first=RESYNC_EVERY,
                           name="reminder resync")

    async def _sweep(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.inbox.sweep(SWEEP_EVERY)
        except StoreUnavailable as error:
            logger.error("Inbox sweep failed: %s", error)

    async def _resync_job(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self._resync is not None
        await self._resync()

    async def trim(self) -> None:
        """Hourly: forget the send budgets of idle groups."""
        with contextlib.suppress(psycopg.OperationalError):
            await self.budget.forget_idle_groups()

    async def stop(self) -> None:
        """Stop listening; let a resync in progress finish."""
        if self._listener is not None:
            await self._listener.stop()
        if self._resync is not None:
            await self._resync.drain()

    async def close(self) -> None:
        """Release the chat locks and close the store (this instance leaves the list)."""
        await self.locks.close()
        await self.store.close()
