"""Delivering the outbox: each row marked sent only once Telegram accepted it, errors by kind."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace
from itertools import groupby

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.schedule import Announcement, BroadcastSummary, OutboxRow, Subscription, summarize
from bot.storage import Store

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
ReportText = Callable[[Announcement, BroadcastSummary], str]
DroppedChat = Callable[[list[Subscription]], None]
JOB_NAME = "delivery"


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (PTB gives an int or, opted in, a timedelta)."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


class Courier:
    """Sends the outbox's due rows, chat by chat in order, many chats at once.

    ``RetryAfter`` holds the row and pauses the pass until Telegram allows; ``Forbidden`` stops
    all delivery to the chat (``dropped`` is told which subscriptions went with it);
    ``ChatMigrated`` moves the chat to its new id and sends again; other ``BadRequest`` fail at
    once; network errors, 5xx and other Telegram errors back off, then fail. When every row of
    a queued announcement is final, a report (``report_text``) goes to the admin through the
    same outbox.
    """

    def __init__(self, job_queue: JobQueue, store: Store, clock: Clock, report_text: ReportText,
                 dropped: DroppedChat, concurrency: int = 32) -> None:
        self._jobs = job_queue
        self._store = store
        self._clock = clock
        self._report_text = report_text
        self._dropped = dropped
        self._concurrency = concurrency
        self._lock = asyncio.Lock()
        self._again = False

    def kick(self, at: dt.datetime | None = None) -> None:
        """Run a delivery pass now, or at ``at`` (replacing an earlier wake-up)."""
        if at is None:
            self._jobs.run_once(self._job, 0, name=JOB_NAME)
            return
        for job in self._jobs.get_jobs_by_name(f"{JOB_NAME}:wakeup"):
            job.schedule_removal()
        delay = max(0.0, (at - self._clock()).total_seconds())
        self._jobs.run_once(self._job, delay, name=f"{JOB_NAME}:wakeup")

    async def _job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.deliver(context.bot)
        wake_at = self._store.next_attempt()
        if wake_at is not None:
            self.kick(wake_at)

    async def deliver(self, bot: Bot) -> None:
        """Send every due row until none is due or Telegram asks to wait.

        Passes never overlap: a call during a pass makes that pass look again when it ends.
        """
        if self._lock.locked():
            self._again = True
            return
        async with self._lock:
            self._again = True
            while self._again:
                self._again = False
                paused = await self._send_due(bot)
                self._report_finished()
                if paused:
                    return
                self._again = self._again or bool(self._store.pending(self._clock()))

    async def _send_due(self, bot: Bot) -> bool:
        """One pass over the due rows; True when Telegram asked to pause."""
        rows = sorted(self._store.pending(self._clock()), key=lambda row: row.chat_id)
        pause = asyncio.Event()
        slots = asyncio.Semaphore(self._concurrency)

        async def send_chat(chat_rows: list[OutboxRow]) -> None:
            async with slots:
                for row in chat_rows:
                    if pause.is_set() or not await self._send(bot, row, pause):
                        return

        await asyncio.gather(*(send_chat(list(chat_rows))
                               for _, chat_rows in groupby(rows, key=lambda r: r.chat_id)))
        return pause.is_set()

    async def _send(self, bot: Bot, row: OutboxRow, pause: asyncio.Event) -> bool:
        """Try one row and record the outcome; False when the chat should get no more now."""
        outcome = await self._attempt(bot, row.chat_id, row.text)
        if outcome is None:
            self._store.save_row(row.sent())
            return True
        now = self._clock()
        if isinstance(outcome, RetryAfter):
            wait = retry_after_seconds(outcome)
            self._store.save_row(row.retry_at(now + dt.timedelta(seconds=wait),
                                              f"RetryAfter {wait:g}s"))
            pause.set()
            return False
        if isinstance(outcome, Forbidden):
            logger.warning("Chat %s refused delivery (%s): it gets nothing more.",
                           row.chat_id, outcome.message)
            self._dropped(self._store.drop_chat(row.chat_id, outcome.message))
            return False
        if isinstance(outcome, ChatMigrated):
            logger.info("Chat %s became %s: moving it.", row.chat_id, outcome.new_chat_id)
            self._store.migrate_chat(row.chat_id, outcome.new_chat_id)
            return False
        if isinstance(outcome, BadRequest):
            self._record_failure(row.failed(outcome.message))
            return True
        self._record_failure(row.retry_or_fail(str(outcome) or type(outcome).__name__, now))
        return False

    def _record_failure(self, row: OutboxRow) -> None:
        self._store.save_row(row)
        if row.state == "failed":
            logger.warning("Gave up sending %s to chat %s after %s attempts: %s",
                           row.message_key, row.chat_id, row.attempts, row.last_error)

    @staticmethod
    async def _attempt(bot: Bot, chat_id: int, text: str) -> TelegramError | None:
        try:
            await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        except TelegramError as error:
            return error
        return None

    def _report_finished(self) -> None:
        """Queue the report of every announcement whose rows have all reached a final state."""
        for announcement in self._store.announcements("queued"):
            summary = summarize(self._store.rows(announcement.message_key))
            if summary.finished:
                report = OutboxRow(announcement.report_key, announcement.admin_chat_id,
                                   self._report_text(announcement, summary))
                self._store.save_announcement(replace(announcement, state="reported"),
                                              [report], self._clock())

