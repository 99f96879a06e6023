"""Concurrent update processing: each sender's updates in order, different senders side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates waiting behind their sender's earlier ones hold no worker; this only bounds memory.
MAX_WAITING_UPDATES = 100_000


@dataclass(slots=True)
class _Lane:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class SenderLanes(BaseUpdateProcessor):
    """Process one sender's updates one after another, and up to ``workers`` senders at once.

    A user who sends hundreds of messages or button presses only queues behind themselves: the
    flood guard, the first handler of every update, drops the excess in their own lane while
    other users are answered. The sender is the user, else the chat.
    """

    def __init__(self, workers: int = 16) -> None:
        super().__init__(MAX_WAITING_UPDATES)
        self._workers_count = workers
        self._workers: asyncio.Semaphore | None = None
        self._lanes: dict[int, _Lane] = {}

    async def initialize(self) -> None:
        """Create the worker slots on the running loop."""
        self._workers = asyncio.Semaphore(self._workers_count)

    async def shutdown(self) -> None:
        """Nothing to release: lanes end with their last update."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the sender's earlier updates, then for a free worker, then process."""
        assert self._workers is not None, "initialize() first"
        key = sender_of(update)
        lane = self._lanes.setdefault(key, _Lane())
        lane.waiting += 1
        try:
            async with lane.lock, self._workers:
                await coroutine
        finally:
            lane.waiting -= 1
            if not lane.waiting:
                del self._lanes[key]


def sender_of(update: object) -> int:
    """The user behind an update, else its chat; 0 for anything else (one shared lane)."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0
