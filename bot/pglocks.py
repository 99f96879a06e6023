"""Per-chat locks across instances: PostgreSQL session advisory locks, keyed by chat id.

One connection per instance holds the locks of every chat the instance handles; the lock of a
chat that another instance holds is tried again after a short wait. When the instance dies, its
connection closes and PostgreSQL frees its locks at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import psycopg
from psycopg import AsyncConnection

logger = logging.getLogger(__name__)

WAIT_FIRST, WAIT_MAX = 0.01, 0.2


class ChatLocks:
    """``async with locks.holding(chat):`` — no other instance handles ``chat`` meanwhile."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._connection: AsyncConnection | None = None
        self._guard = asyncio.Lock()

    async def _call(self, query: str, key: int) -> bool:
        async with self._guard:
            if self._connection is None or self._connection.closed:
                self._connection = await AsyncConnection.connect(self._url, autocommit=True)
            cursor = await self._connection.execute(query, (key,))
            (result,) = await cursor.fetchone() or (False,)
            return bool(result)

    @contextlib.asynccontextmanager
    async def holding(self, chat: int) -> AsyncIterator[None]:
        """Hold the chat's lock for the block (without it if the database cannot be reached)."""
        delay = WAIT_FIRST
        try:
            while not await self._call("SELECT pg_try_advisory_lock(%s)", chat):
                await asyncio.sleep(delay)
                delay = min(WAIT_MAX, delay * 2)
        except psycopg.OperationalError as error:
            logger.error("Chat lock not taken (%s): this update is handled without it.", error)
            yield
            return
        try:
            yield
        finally:
            with contextlib.suppress(psycopg.OperationalError):
                await self._call("SELECT pg_advisory_unlock(%s)", chat)

    async def close(self) -> None:
        """Close the connection (its locks go with it)."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
