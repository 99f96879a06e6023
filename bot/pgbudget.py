"""Telegram's ceilings as one send budget for every instance, kept in PostgreSQL.

Each scope (all messages, or one group) hands out send times at least one interval apart
(``take_send_slot`` in ``bot/sql/0002_instances.sql``), so N instances together stay within
30 messages/s and 20/min per group. An answer to a user books the next free time at once; the
outbox (``bulk``) books only times less than ``BULK_HORIZON`` ahead and otherwise waits, one
request per instance at a time, so answers never queue behind a whole broadcast. Intervals carry
a small margin, so network jitter never puts one message too many into a second or a minute.
While the database cannot be reached, this process keeps its own ``LocalBudget``.
"""

from __future__ import annotations

import asyncio
import logging

import psycopg
from psycopg_pool import AsyncConnectionPool

from bot.ratelimit import LocalBudget, Sleep, is_group

logger = logging.getLogger(__name__)

MARGIN = 1.02
BULK_HORIZON = 0.2
_NO_HORIZON = 1e9


class SharedBudget:
    """The ``SendBudget`` kept in the database (a ceiling of 0 is off)."""

    def __init__(self, pool: AsyncConnectionPool, overall_per_second: float,
                 group_per_minute: float, *, sleep: Sleep = asyncio.sleep) -> None:
        self._pool = pool
        self._overall = MARGIN / overall_per_second if overall_per_second else 0.0
        self._group = 60.0 * MARGIN / group_per_minute if group_per_minute else 0.0
        self._sleep = sleep
        self._bulk_turn = asyncio.Lock()
        self._local = LocalBudget(overall_per_second, group_per_minute)
        self._unreachable = False

    async def take(self, chat_id: object, bulk: bool) -> None:
        """Wait for the group's next send time, then the overall one."""
        try:
            await self._take(chat_id, bulk)
        except psycopg.OperationalError as error:
            if not self._unreachable:
                logger.error("Send budget: the database does not answer (%s); this instance "
                             "keeps its own budget meanwhile.", error)
            self._unreachable = True
            await self._local.take(chat_id, bulk)
        else:
            self._unreachable = False

    async def _take(self, chat_id: object, bulk: bool) -> None:
        if self._group and is_group(chat_id):
            await self._sleep(await self._book(str(chat_id), self._group, _NO_HORIZON))
        if not self._overall:
            return
        if not bulk:
            await self._sleep(await self._book("all", self._overall, _NO_HORIZON))
            return
        async with self._bulk_turn:
            while (wait := await self._book("all", self._overall, BULK_HORIZON)) < 0:
                await self._sleep(-wait)
        await self._sleep(wait)

    async def _book(self, scope: str, interval: float, horizon: float) -> float:
        """Book the scope's next send time; the seconds to wait (negative: ask again then)."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute("SELECT take_send_slot(%s, %s, %s)",
                                              (scope, interval, horizon))
            (wait,) = await cursor.fetchone() or (0.0,)
        return float(wait)

    async def forget_idle_groups(self) -> None:
        """Drop the budgets of groups sent nothing for an hour (they start afresh)."""
        async with self._pool.connection() as connection:
            await connection.execute("DELETE FROM send_budget WHERE scope <> 'all' AND "
                                     "next_at < clock_timestamp() - interval '1 hour'")
