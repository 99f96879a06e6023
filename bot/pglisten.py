"""The other instances' news by PostgreSQL ``LISTEN``/``NOTIFY``, handed to callbacks.

The store notifies ``thidua_<channel>`` when a transaction adds outbox rows (``outbox``),
changes subscriptions (``subscriptions``) or publishes a knowledge base (``kb``). One connection
per instance listens; when it breaks, it reconnects with back-off and calls ``on_reconnect``,
since notifications sent meanwhile are lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import psycopg
from psycopg import AsyncConnection, sql

logger = logging.getLogger(__name__)

Callback = Callable[[str], Awaitable[None]]
RETRY_FIRST, RETRY_MAX = 0.5, 10.0


class Listener:
    """Calls ``callbacks[channel](payload)`` for each notification, one at a time."""

    def __init__(self, url: str, callbacks: dict[str, Callback],
                 on_reconnect: Callable[[], Awaitable[None]]) -> None:
        self._url = url
        self._callbacks = callbacks
        self._on_reconnect = on_reconnect
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        """Listen in the background."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="listener")

    async def stop(self) -> None:
        """Stop listening."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay, first = RETRY_FIRST, True
        while True:
            try:
                async with await AsyncConnection.connect(self._url, autocommit=True) as conn:
                    for channel in self._callbacks:
                        await conn.execute(sql.SQL("LISTEN {}").format(
                            sql.Identifier(f"thidua_{channel}")))
                    self.listening.set()
                    if not first:
                        logger.warning("Listening to the other instances again.")
                        await self._on_reconnect()
                    first, delay = False, RETRY_FIRST
                    async for notice in conn.notifies():
                        await self._dispatch(notice.channel.removeprefix("thidua_"),
                                             notice.payload)
            except psycopg.OperationalError as error:
                self.listening.clear()
                logger.error("Lost the other instances' notifications (%s); reconnecting.",
                             error)
                first = False
                await asyncio.sleep(delay)
                delay = min(RETRY_MAX, delay * 2)

    async def _dispatch(self, channel: str, payload: str) -> None:
        callback = self._callbacks.get(channel)
        if callback is None:
            return
        try:
            await callback(payload)
        except Exception:
            logger.exception("Handling a %s notification failed.", channel)
