"""Handling updates of different chats at once, and each chat's updates in the order they came."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates waiting behind their chat's earlier ones hold no worker; this only bounds memory.
MAX_WAITING_UPDATES = 100_000
# Whether to handle an update now; held while it is handled (several instances: the chat's
# lock across instances, see ``bot.inbox.SharedInbox.turn``).
Turn = Callable[[object], AbstractAsyncContextManager[bool]]


def chat_key(update: object) -> object:
    """What orders an update: its chat, else its user (inline queries), else nothing."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None


def chat_number(update: Update) -> int | None:
    """``chat_key`` as a number: the chat's id, else the user's (a private chat's id too)."""
    key = chat_key(update)
    return key[1] if isinstance(key, tuple) else key  # type: ignore[return-value]


@contextlib.asynccontextmanager
async def always(_update: object) -> AsyncIterator[bool]:
    """One process: every update it is given is its to handle."""
    yield True


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Up to ``max_concurrent_updates`` updates at once, one at a time per chat.

    A slow reply in one chat (a chart, a commit, Telegram's answer) never holds up another,
    and follow-up questions of one chat are still read in order. An update waiting for its
    chat's earlier ones holds no worker: a user who sends hundreds of messages or button
    presses queues behind themselves only (the flood guard, the first handler, drops the
    excess), while other chats are served. ``turn`` extends the order to other instances (and
    skips an update one of them handled).
    """

    def __init__(self, max_concurrent_updates: int, turn: Turn = always) -> None:
        super().__init__(MAX_WAITING_UPDATES)
        self._workers_count = max_concurrent_updates
        self._workers: asyncio.Semaphore | None = None
        self._chats: dict[object, tuple[asyncio.Lock, int]] = {}
        self.turn = turn

    async def do_process_update(self, update: object,
                                coroutine: Coroutine[Any, Any, Any]) -> None:
        """Wait for the chat's earlier updates, then for a free worker, then handle this one."""
        assert self._workers is not None, "initialize() first"
        key = chat_key(update)
        if key is None:
            async with self._workers:
                await self._handle(update, coroutine)
            return
        lock, users = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, users + 1)
        try:
            async with lock, self._workers:
                await self._handle(update, coroutine)
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def _handle(self, update: object, coroutine: Coroutine[Any, Any, Any]) -> None:
        async with self.turn(update) as mine:
            if mine:
                await coroutine
                return
        coroutine.close()

    async def initialize(self) -> None:
        """Create the worker slots on the running loop."""
        self._workers = asyncio.Semaphore(self._workers_count)

    async def shutdown(self) -> None:
        """Nothing to release."""
