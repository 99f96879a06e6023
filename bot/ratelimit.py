"""Outgoing rate limits: Telegram's overall and per-group ceilings, and per-chat back-pressure.

PTB's ``AIORateLimiter`` pauses every request while one chat's ``RetryAfter`` runs; here a
chat's ``RetryAfter`` holds back requests to that chat only. The ceilings are a ``SendBudget``:
``LocalBudget`` (``aiolimiter`` leaky buckets, as in PTB's own limiter) for one process, or
one budget kept in PostgreSQL for several instances (``bot/pgbudget.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

Sleep = Callable[[float], Awaitable[None]]
MAX_GROUP_LIMITERS = 10_000


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (PTB gives an int or, opted in, a timedelta)."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


class SendBudget(Protocol):
    """Telegram's ceilings: waits until a message to a chat may leave."""

    async def take(self, chat_id: object, bulk: bool) -> float:
        """Wait for a turn to send to ``chat_id``; ``bulk`` (the outbox) yields to answers.

        Returns the event-loop time by which the message must leave to keep its turn.
        """
        ...


class LocalBudget:
    """The ceilings of one process: ``overall_per_second``, ``group_per_minute`` (0: off)."""

    def __init__(self, overall_per_second: float, group_per_minute: float) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1) if overall_per_second else None
        self._group_rate = group_per_minute
        self._groups: dict[object, AsyncLimiter] = {}

    async def take(self, chat_id: object, bulk: bool) -> float:
        """Wait for the group's bucket, then the overall one; the turn does not expire."""
        if self._group_rate and is_group(chat_id):
            group = self._groups.get(chat_id)
            if group is None:
                if len(self._groups) >= MAX_GROUP_LIMITERS:
                    self._groups.clear()
                group = self._groups[chat_id] = AsyncLimiter(self._group_rate, 60)
            await group.acquire()
        if self._overall is not None:
            await self._overall.acquire()
        return math.inf


class ChatRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Throttles requests that go to a chat; a ``RetryAfter`` holds back that chat only.

    The ceilings are the ``budget``'s. A request is tried again after a ``RetryAfter`` up to
    ``max_retries`` times (``rate_limit_args={"max_retries": 0}`` lets the outbox hold the row
    itself instead). The outbox takes its turn first (``wait_turn``) and then sends with
    ``{"turn_taken": True}``, so a message counts as in flight only once it may leave.
    """

    def __init__(self, budget: SendBudget, max_retries: int, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._budget = budget
        self._max_retries = max_retries
        self._monotonic = monotonic
        self._sleep = sleep
        self._held: dict[object, float] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def held_until(self, chat_id: object) -> float:
        """The monotonic time until which ``chat_id`` is held back (0: it is not)."""
        return self._held.get(chat_id, 0.0)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the chat and the ceilings, send, and on ``RetryAfter`` hold the chat."""
        chat_id = data.get("chat_id")
        retries = (rate_limit_args or {}).get("max_retries", self._max_retries)
        taken = (rate_limit_args or {}).get("turn_taken", False)
        for attempt in range(retries + 1):
            if not (taken and attempt == 0):
                await self.wait_turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self._held[chat_id] = self._monotonic() + retry_after_seconds(error)
                if attempt == retries:
                    raise
        raise AssertionError("unreachable")

    async def wait_turn(self, chat_id: object, *, bulk: bool = False) -> float:
        """Wait until a request to ``chat_id`` may leave: its hold, then the ceilings.

        ``bulk`` (the outbox) lets answers to users go first when the budget is short.
        Returns the event-loop time by which it must leave (else wait for a turn again).
        """
        while (wait := self._held.get(chat_id, 0.0) - self._monotonic()) > 0:
            await self._sleep(wait)
        self._held.pop(chat_id, None)
        if chat_id is None:
            return math.inf
        return await self._budget.take(chat_id, bulk)


def is_group(chat_id: object) -> bool:
    """Whether ``chat_id`` is a group's (negative id or @channel name)."""
    if isinstance(chat_id, str):
        return chat_id.startswith(("@", "-"))
    return isinstance(chat_id, int) and chat_id < 0
