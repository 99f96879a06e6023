"""Nothing fetched is lost: each update is recorded before it is handled, and marked when done.

PTB confirms a polled update to Telegram with the next ``getUpdates``, whatever became of it;
``InboxBot.get_updates`` therefore commits what it fetched before returning it (when the commit
fails it returns nothing, and the same updates are fetched again). ``InboxApplication`` marks
each update handled after its handlers ran; at start, recorded updates never marked are handled
first (an answer may then come twice; commands are safe to repeat). Handled ids are kept for
two days, so an update Telegram sends again (its confirmation lost) is not handled again.
The webhook server (``bot/webhook.py``) records an update before it answers Telegram.

Several instances on one database (``SharedInbox``): whichever instance Telegram's request
reaches records the update once (by ``update_id``); a chat's updates are then handled by one
instance at a time, under the chat's lock across instances, oldest first: an instance handles
the chat's older updates that another instance recorded but has not handled (or died before
handling) before its own, and leaves alone an update that one of them already handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, ExtBot

from bot.concurrency import chat_number
from bot.records import InboxEntry
from bot.storage import Store, StoreUnavailable

if TYPE_CHECKING:  # PostgreSQL's modules load only when DATABASE_URL is set
    from bot.pglocks import ChatLocks
    from bot.pgstore import PostgresStore

logger = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


def entries(updates: Sequence[Update], now: dt.datetime) -> list[InboxEntry]:
    """The inbox entries of fetched updates."""
    return [InboxEntry(update.update_id, update.to_dict(), now, chat=chat_number(update))
            for update in updates]


class Inbox:
    """The store's inbox as the bot uses it: what to handle of what Telegram sent."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime]) -> None:
        self.store = store
        self.clock = clock
        self._taken: set[int] = set()  # queued in this run and not yet handled

    async def take(self, updates: Sequence[Update]) -> list[Update]:
        """Commit fetched updates; return those to handle (``StoreUnavailable`` on failure).

        An update handled before, replayed from the inbox or already queued is sent again by
        Telegram when its confirmation or our 200 got lost: it is left out.
        """
        known = await self.store.record_updates(entries(updates, self.clock()))
        fresh = [update for update in updates
                 if update.update_id not in known and update.update_id not in self._taken]
        self._taken.update(update.update_id for update in fresh)
        return fresh

    def replayed(self, update_id: int) -> None:
        """Note an update queued from the inbox at start."""
        self._taken.add(update_id)

    def queued(self, update_id: int) -> bool:
        """Whether this process queued the update and has not handled it yet."""
        return update_id in self._taken

    @contextlib.asynccontextmanager
    async def turn(self, update: object) -> AsyncIterator[bool]:
        """Whether to handle the update: one process handles every update it queued."""
        yield True

    async def done(self, update: object) -> None:
        """Mark a handled update (a failure to mark it only means a replay)."""
        if not isinstance(update, Update):
            return
        self._taken.discard(update.update_id)
        try:
            await self.store.finish_update(update.update_id, self.clock())
        except StoreUnavailable as error:
            logger.warning("Update %s handled but not marked (%s): it may be handled again "
                           "after a restart.", update.update_id, error)


class SharedInbox(Inbox):
    """The inbox of one of several instances on one PostgreSQL database.

    ``attach`` gives it the application that handles a chat's older updates.
    """

    def __init__(self, store: PostgresStore, clock: Callable[[], dt.datetime],
                 locks: ChatLocks) -> None:
        super().__init__(store, clock)
        self.shared = store
        self._locks = locks
        self._application: Application | None = None  # type: ignore[type-arg]

    def attach(self, application: Application) -> None:  # type: ignore[type-arg]
        """Handle older updates through ``application``."""
        self._application = application

    @contextlib.asynccontextmanager
    async def turn(self, update: object) -> AsyncIterator[bool]:
        """Hold the chat across instances; handle its older updates; say whether this one."""
        if not isinstance(update, Update):
            yield True
            return
        chat = chat_number(update)
        if chat is None:
            yield not await self.shared.is_handled(update.update_id)
            return
        async with self._locks.holding(chat):
            for older in await self.shared.unhandled_before(chat, update.update_id):
                await self._handle_recorded(older)
            mine = not await self.shared.is_handled(update.update_id)
            if not mine:
                self._taken.discard(update.update_id)
            yield mine

    async def _handle_recorded(self, entry: InboxEntry) -> None:
        assert self._application is not None
        self._taken.add(entry.update_id)
        await self._application.process_update(
            Update.de_json(entry.payload, self._application.bot))

    async def sweep(self, older_than: dt.timedelta) -> int:
        """Queue the updates recorded a while ago and still unhandled (their instance died)."""
        assert self._application is not None
        left = [entry for entry in await self.shared.unhandled_updates()
                if entry.received_at < self.clock() - older_than
                and not self.queued(entry.update_id)]
        for entry in left:
            self.replayed(entry.update_id)
            await self._application.update_queue.put(
                Update.de_json(entry.payload, self._application.bot))
        if left:
            logger.warning("Handling %s update(s) another instance recorded but did not handle.",
                           len(left))
        return len(left)


class InboxBot(ExtBot[Any]):
    """An ``ExtBot`` whose ``get_updates`` commits the fetched updates before PTB sees them."""

    _inbox: Inbox | None = None

    def record_into(self, inbox: Inbox) -> None:
        """Record fetched updates in ``inbox``."""
        self._inbox = inbox

    async def get_updates(self, offset: int | None = None,
                          *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Fetch updates; return them once recorded, repeats left out (none if that fails).

        PTB confirms up to the last update returned, so when every fetched update is a repeat
        they are confirmed here by fetching on.
        """
        while True:
            updates = await super().get_updates(offset, *args, **kwargs)
            if not updates or self._inbox is None:
                return updates
            try:
                fresh = await self._inbox.take(updates)
            except StoreUnavailable as error:
                logger.error("Could not record %s fetched update(s) (%s): they stay with "
                             "Telegram and are fetched again.", len(updates), error)
                await asyncio.sleep(RETRY_SECONDS)
                return ()
            if fresh:
                return tuple(fresh)
            offset = updates[-1].update_id + 1


class InboxApplication(Application):  # type: ignore[type-arg]
    """An ``Application`` that marks each update it handled in the inbox."""

    _inbox: Inbox | None = None

    def mark_in(self, inbox: Inbox) -> None:
        """Mark handled updates in ``inbox``."""
        self._inbox = inbox

    @property
    def inbox(self) -> Inbox | None:
        """Where updates are recorded and marked."""
        return self._inbox

    async def process_update(self, update: object) -> None:
        """Handle the update, then mark it done."""
        try:
            await super().process_update(update)
        finally:
            if self._inbox is not None:
                await self._inbox.done(update)


async def replay_unhandled(application: InboxApplication, inbox: Inbox) -> int:
    """Queue the recorded updates never marked handled, oldest first; return how many."""
    unhandled = await inbox.store.unhandled_updates()
    for entry in unhandled:
        inbox.replayed(entry.update_id)
        await application.update_queue.put(Update.de_json(entry.payload, application.bot))
    if unhandled:
        logger.warning("Handling %s update(s) fetched before the bot stopped but not handled.",
                       len(unhandled))
    return len(unhandled)
