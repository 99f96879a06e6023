"""Telegram's ceilings as one send budget for every instance, kept in PostgreSQL.

Each scope (all messages, or one group) hands out send times at least one interval apart
(``take_send_slot`` in ``bot/sql/0002_instances.sql``), so N instances together stay within
30 messages/s and 20/min per group. A message is booked one time free in both of its scopes,
and only when that time is less than ``HORIZON`` ahead, so it leaves when booked. An answer to
a user books the next free time of all messages at once; the outbox (``bulk``) waits until the
next free time is near, one request per instance at a time, so answers never queue behind a
whole broadcast, and waits for a group's turn without holding up other chats. Intervals carry
a small margin, and a message whose process woke up late for its time (a busy machine) books
again rather than crowd the next ones, so no second or minute gets one message too many.
While the database cannot be reached, this process keeps its own ``LocalBudget``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math

import psycopg
from psycopg_pool import AsyncConnectionPool

from bot.ratelimit import LocalBudget, Sleep, is_group

logger = logging.getLogger(__name__)

MARGIN = 1.05
HORIZON = 0.2
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

    async def take(self, chat_id: object, bulk: bool) -> float:
        """Wait for a send time free for the group and overall; the time it must leave by."""
        try:
            deadline = await self._take(chat_id, bulk)
        except psycopg.OperationalError as error:
            if not self._unreachable:
                logger.error("Send budget: the database does not answer (%s); this instance "
                             "keeps its own budget meanwhile.", error)
            self._unreachable = True
            return await self._local.take(chat_id, bulk)
        self._unreachable = False
        return deadline

    async def _take(self, chat_id: object, bulk: bool) -> float:
        group = str(chat_id) if self._group and is_group(chat_id) else None
        if group is None and not self._overall:
            return math.inf
        horizon = HORIZON if bulk else _NO_HORIZON
        late = (self._overall or self._group) / 2
        loop = asyncio.get_running_loop()
        while True:
            async with self._bulk_turn if bulk else contextlib.nullcontext():
                wait, waiting_for = await self._book(group, horizon)
                while waiting_for == "all":
                    await self._sleep(-wait)
                    wait, waiting_for = await self._book(group, horizon)
            if waiting_for is not None:
                await self._sleep(-wait)  # the group's turn: other chats go on meanwhile
                continue
            due = loop.time() + wait
            await self._sleep(wait)
            if loop.time() - due <= late:
                return due + late

    async def _book(self, group: str | None, horizon: float) -> tuple[float, str | None]:
        """Book a send time: the seconds to wait; negative and what for when none is near."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(
                "SELECT * FROM take_send_slot(%s, %s, %s, %s, %s)",
                (group, self._group, self._overall, HORIZON, horizon))
            wait, waiting_for = await cursor.fetchone() or (0.0, None)
        return float(wait), waiting_for

    async def forget_idle_groups(self) -> None:
        """Drop the budgets of groups sent nothing for an hour (they start afresh)."""
        async with self._pool.connection() as connection:
            await connection.execute("DELETE FROM send_budget WHERE scope <> 'all' AND "
                                     "next_at < clock_timestamp() - interval '1 hour'")
