"""Nothing fetched is lost: each update is recorded before it is handled, and marked when done.

PTB confirms a polled update to Telegram with the next ``getUpdates``, whatever became of it;
``InboxBot.get_updates`` therefore commits what it fetched before returning it (when the commit
fails it returns nothing, and the same updates are fetched again). ``InboxApplication`` marks
each update handled after its handlers ran; at start, recorded updates never marked are handled
first (an answer may then come twice; commands are safe to repeat). The webhook server
(``bot/webhook.py``) records an update before it answers Telegram.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application, ExtBot

from bot.records import InboxEntry
from bot.storage import Store, StoreUnavailable

logger = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


def entries(updates: Sequence[Update], now: dt.datetime) -> list[InboxEntry]:
    """The inbox entries of fetched updates."""
    return [InboxEntry(update.update_id, update.to_dict(), now) for update in updates]


class InboxBot(ExtBot[Any]):
    """An ``ExtBot`` whose ``get_updates`` commits the fetched updates before PTB sees them."""

    _inbox: Store | None = None
    _inbox_clock: Callable[[], dt.datetime] | None = None

    def record_into(self, store: Store, clock: Callable[[], dt.datetime]) -> None:
        """Record fetched updates in ``store``, stamped by ``clock``."""
        self._inbox, self._inbox_clock = store, clock

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Fetch updates; return them only once they are recorded (else none, fetched again)."""
        updates = await super().get_updates(*args, **kwargs)
        if not updates or self._inbox is None or self._inbox_clock is None:
            return updates
        try:
            await self._inbox.record_updates(entries(updates, self._inbox_clock()))
        except StoreUnavailable as error:
            logger.error("Could not record %s fetched update(s) (%s): they stay with Telegram "
                         "and are fetched again.", len(updates), error)
            await asyncio.sleep(RETRY_SECONDS)
            return ()
        return updates


class InboxApplication(Application):  # type: ignore[type-arg]
    """An ``Application`` that marks each update handled in the inbox once its handlers ran."""

    _inbox: Store | None = None

    def mark_in(self, store: Store) -> None:
        """Mark handled updates in ``store``."""
        self._inbox = store

    async def process_update(self, update: object) -> None:
        """Handle the update, then mark it done (a failure to mark it only means a replay)."""
        try:
            await super().process_update(update)
        finally:
            if self._inbox is not None and isinstance(update, Update):
                try:
                    await self._inbox.finish_update(update.update_id)
                except StoreUnavailable as error:
                    logger.warning("Update %s handled but not marked (%s): it may be handled "
                                   "again after a restart.", update.update_id, error)


async def replay_unhandled(application: Application, store: Store) -> int:  # type: ignore[type-arg]
    """Queue the recorded updates never marked handled, oldest first; return how many."""
    unhandled = await store.unhandled_updates()
    for entry in unhandled:
        update = Update.de_json(entry.payload, application.bot)
        await application.update_queue.put(update)
    if unhandled:
        logger.warning("Handling %s update(s) fetched before the bot stopped but not handled.",
                       len(unhandled))
    return len(unhandled)
