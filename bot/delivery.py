"""Delivering the outbox at least once: per-chat order, one message in flight per chat.

Each try is committed as ``in_flight`` before the request leaves and its outcome after, so a
try whose answer never came (a read timeout, a kill) is known: the row is sent again and
counted as possibly sent twice. Rows are claimed through the store (``Store.claim``,
``Store.take``): with several instances on one database, one instance delivers to a chat at a
time, and a dead instance's chats are taken over once its claims lapse (``shared``). A chat's
``RetryAfter``, 5xx or network error holds back that chat only; when Telegram itself is
unreachable the courier waits for it (``getMe``) and resumes every chat as soon as it answers,
for ``RetryPolicy.give_up_after`` (24 h by default).
When a commit fails (disk full, read-only) the courier stops starting tries, tells the bot
admins directly, keeps the outcomes it could not record and writes them first once commits
work again, so nothing goes out twice for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot

from bot.ratelimit import ChatRateLimiter, retry_after_seconds
from bot.schedule import (
    Announcement,
    BroadcastSummary,
    OutboxRow,
    RetryPolicy,
    Subscription,
    summarize,
)
from bot.storage import RowClaimed, Store, StoreUnavailable, delivery_order

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], Awaitable[None]]
ReportText = Callable[[Announcement, BroadcastSummary], str]
DroppedChat = Callable[[list[Subscription]], None]
AdminNotice = Callable[[str], Awaitable[None]]
# How often a long broadcast looks whether its report is due (always at the end of a pass).
REPORT_INTERVAL = dt.timedelta(seconds=10)
PROBE_FIRST, PROBE_MAX = 1.0, 10.0
STOP_GRACE = 5.0
# With several instances: how often to look for chats whose instance died (nothing kicks then).
SHARED_POLL = dt.timedelta(seconds=2)


def lost_answer(error: TelegramError) -> bool:
    """Whether a failed request may still have reached Telegram (its answer was lost)."""
    cause = error.__cause__
    if isinstance(error, TimedOut):
        return not isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout) and (
            "Pool timeout" not in error.message)
    if isinstance(error, NetworkError):
        # 5xx: Telegram answered that it failed; ConnectError: the request never left.
        return cause is not None and not isinstance(cause, httpx.ConnectError)
    return False


class Courier:
    """Sends the outbox's due rows, one lane per chat, many chats at once.

    ``Forbidden`` stops all delivery to the chat (``dropped`` is told which subscriptions went
    with it); ``ChatMigrated`` moves the chat to its new id; other ``BadRequest`` fail at once.
    A queued announcement is reported to its admin (``report_text``) once every group was tried,
    and the report is edited as late rows go out. ``shared``: other instances deliver from the
    same outbox, so only chats a lane can start now are claimed, and the outbox is looked at
    every ``SHARED_POLL`` for chats left by an instance that died.
    """

    def __init__(self, store: Store, clock: Clock, report_text: ReportText,
                 dropped: DroppedChat, policy: RetryPolicy, *, concurrency: int = 32,
                 sleep: Sleep = asyncio.sleep, admin_notice: AdminNotice | None = None,
                 notices: tuple[str, str] = ("", ""), shared: bool = False) -> None:
        self._store = store
        self._clock = clock
        self._report_text = report_text
        self._dropped = dropped
        self._policy = policy
        self._concurrency = concurrency
        self._sleep = sleep
        self._admin_notice = admin_notice
        self._stalled_notice, self._resumed_notice = notices
        self._shared = shared
        self._bot: Bot | None = None
        self._kicked = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lanes: dict[int, asyncio.Task[None]] = {}
        self._unrecorded: list[OutboxRow] = []
        self._stalled = False
        self._offline = False
        self._stopping = False
        self._reports_at = dt.datetime.min.replace(tzinfo=dt.UTC)

    @property
    def stalled(self) -> bool:
        """Whether delivery waits for commits to work again."""
        return self._stalled

    @property
    def offline(self) -> bool:
        """Whether delivery waits for Telegram to answer again."""
        return self._offline

    def start(self, bot: Bot) -> None:
        """Start delivering in the background."""
        self._bot = bot
        self._task = asyncio.get_running_loop().create_task(self._run(), name="courier")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop delivering; tries in flight may finish for ``grace`` seconds.

        A try cut off after that stays ``in_flight``: sent again, counted, at the next start.
        """
        self._stopping = True
        self.kick()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), grace)
        tasks = [task for task in (self._task, *self._lanes.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None

    def kick(self) -> None:
        """Look for due rows now (after enqueuing)."""
        self._kicked.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._kicked.clear()
            try:
                if self._stalled:
                    await self._resume()
                    continue
                if self._offline:
                    await self._wait_for_telegram()
                    continue
                wake = await self._dispatch()
                await self._update_reports(force=True)
            except StoreUnavailable as error:
                await self._drain_lanes()
                await self._stall(error)
                continue
            except Exception:
                logger.exception("Delivery pass failed; trying again shortly.")
                await self._drain_lanes()
                await self._sleep(PROBE_FIRST)
                continue
            if not self._halted:
                if self._shared:
                    poll = self._clock() + SHARED_POLL
                    wake = poll if wake is None else min(wake, poll)
                await self._wait(wake)

    async def _drain_lanes(self) -> None:
        """Let the running lanes finish their current try (they start no other)."""
        lanes, self._lanes = list(self._lanes.values()), {}
        for result in await asyncio.gather(*lanes, return_exceptions=True):
            if isinstance(result, Exception) and not isinstance(result, StoreUnavailable):
                logger.error("Delivery lane failed: %r", result, exc_info=result)

    async def _wait(self, until: dt.datetime | None) -> None:
        """Wait for a kick, or until ``until``."""
        kicked = asyncio.ensure_future(self._kicked.wait())
        waits = [kicked]
        if until is not None:
            seconds = max(0.0, (until - self._clock()).total_seconds())
            waits.append(asyncio.ensure_future(self._sleep(seconds)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    # Dispatching -------------------------------------------------------------------------

    async def _dispatch(self) -> dt.datetime | None:
        """Run lanes for chats with a due first row; return when to look again.

        A lane's failure to commit ends the pass (``StoreUnavailable`` propagates).
        """
        ready, wake = await self._claim()
        while ready or self._lanes:
            while ready and len(self._lanes) < self._concurrency and not self._halted:
                rows = ready.pop(0)
                self._lanes[rows[0].chat_id] = asyncio.ensure_future(self._lane(rows))
            if not self._lanes:
                break
            kicked = asyncio.ensure_future(self._kicked.wait())
            await asyncio.wait([*self._lanes.values(), kicked],
                               return_when=asyncio.FIRST_COMPLETED)
            kicked.cancel()
            for chat_id, lane in list(self._lanes.items()):
                if lane.done():
                    del self._lanes[chat_id]
                    if (error := lane.exception()) is not None:
                        raise error
            if self._halted:
                continue
            if self._kicked.is_set() or (self._shared and len(self._lanes) < self._concurrency):
                self._kicked.clear()
                fresh, wake = await self._claim()
                queued = {rows[0].chat_id for rows in ready}
                ready = sorted([*ready, *(rows for rows in fresh
                                          if rows[0].chat_id not in queued)],
                               key=delivery_order)
            await self._update_reports()
        return wake

    @property
    def _halted(self) -> bool:
        return self._stalled or self._offline or self._stopping

    async def _claim(self) -> tuple[list[list[OutboxRow]], dt.datetime | None]:
        """Chats to deliver to (shared: only as many as lanes can start), and the next wake-up."""
        limit = self._concurrency - len(self._lanes) if self._shared else None
        if limit == 0:
            return [], None
        claimed = await self._store.claim(self._clock(), limit, exclude=set(self._lanes))
        return claimed.chats, claimed.next_due

    async def _lane(self, rows: list[OutboxRow]) -> None:
        """Send a chat's rows in order; stop at the first that must wait."""
        taken: str | None = None
        try:
            for listed in rows:
                if self._halted:
                    return
                row = await self._store.take(listed.id, self._clock())
                if row is None or row.chat_id != listed.chat_id:
                    return
                taken = row.id
                if row.in_flight:
                    logger.warning("A try of %s to chat %s never reported back (its bot was "
                                   "stopped): sending it again; it may arrive twice.",
                                   row.message_key, row.chat_id)
                    row = row.interrupted()
                    if not await self._store.save_claimed(row):
                        return
                if not await self._deliver(row):
                    return
        finally:
            if taken is not None:
                with contextlib.suppress(StoreUnavailable):
                    await self._store.release([taken])

    async def _deliver(self, row: OutboxRow) -> bool:
        """Try one row and record the outcome; False when the chat gets no more now."""
        assert self._bot is not None
        limiter = self._bot.rate_limiter if isinstance(self._bot, ExtBot) else None
        started = row.started(self._clock())
        if isinstance(limiter, ChatRateLimiter):
            # In flight only once it may leave; if recording that took too long, its turn is
            # gone and it waits for another (a late message would crowd the next ones).
            deadline = await limiter.wait_turn(row.chat_id, bulk=True)
            if not await self._store.save_claimed(started):
                return False  # another instance took the chat over meanwhile
            if asyncio.get_running_loop().time() > deadline:
                await limiter.wait_turn(row.chat_id, bulk=True)
        elif not await self._store.save_claimed(started):
            return False
        try:
            message_id = await self._attempt(self._bot, started)
        except TelegramError as error:
            return await self._failed(started, error)
        await self._record(started.sent(message_id))
        return True

    @staticmethod
    async def _attempt(bot: Bot, row: OutboxRow) -> int | None:
        no_retry = {"max_retries": 0, "turn_taken": True}
        if row.edit_of is None:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                            for label, data in row.buttons]]) if row.buttons \
                else None
            message = await bot.send_message(row.chat_id, row.text, parse_mode=ParseMode.HTML,
                                             reply_markup=markup, rate_limit_args=no_retry)
            return message.message_id
        try:
            edited = await bot.edit_message_text(row.text, chat_id=row.chat_id,
                                                 message_id=row.edit_of,
                                                 parse_mode=ParseMode.HTML,
                                                 rate_limit_args=no_retry)
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return row.edit_of
            raise
        return edited.message_id if isinstance(edited, Message) else row.edit_of

    async def _failed(self, row: OutboxRow, error: TelegramError) -> bool:
        now = self._clock()
        if isinstance(error, RetryAfter):
            wait = retry_after_seconds(error)
            await self._record(row.retry_at(now + dt.timedelta(seconds=wait),
                                            f"RetryAfter {wait:g}s"))
            self.kick()  # the dispatcher sets a wake-up for it
            return False
        if isinstance(error, Forbidden):
            logger.warning("Chat %s refused delivery (%s): it gets nothing more.",
                           row.chat_id, error.message)
            self._dropped(await self._store.drop_chat(row.chat_id, error.message))
            return False
        if isinstance(error, ChatMigrated):
            logger.info("Chat %s became %s: moving it.", row.chat_id, error.new_chat_id)
            await self._store.migrate_chat(row.chat_id, error.new_chat_id)
            self.kick()
            return False
        if isinstance(error, BadRequest):
            await self._record(row.failed(error.message))
            logger.warning("Telegram refused %s for chat %s: %s", row.message_key,
                           row.chat_id, error.message)
            return True
        uncertain = lost_answer(error)
        retried = row.retry_or_fail(str(error) or type(error).__name__, now, self._policy,
                                    uncertain=uncertain)
        await self._record(retried)
        if retried.state == "failed":
            logger.warning("Gave up sending %s to chat %s after %s attempts: %s",
                           row.message_key, row.chat_id, row.attempts, row.last_error)
        elif isinstance(error, NetworkError) and not self._offline:
            self._offline = not await self._telegram_answers()
        self.kick()
        return False

    async def _record(self, row: OutboxRow) -> None:
        """Commit a try's outcome; if the commit fails, keep it to write first later."""
        try:
            recorded = await self._store.save_claimed(row)
        except StoreUnavailable:
            self._unrecorded.append(row)
            raise
        if not recorded:
            logger.warning("The outcome of %s to chat %s was not recorded: another instance "
                           "took the chat over meanwhile and delivers it.", row.message_key,
                           row.chat_id)

    # Telegram down, or the disk ----------------------------------------------------------

    async def _telegram_answers(self) -> bool:
        assert self._bot is not None
        try:
            await self._bot.get_me()
        except TelegramError:
            return False
        return True

    async def _wait_for_telegram(self) -> None:
        """Probe Telegram until it answers, then release every chat held by the outage."""
        logger.warning("Telegram does not answer: delivery waits for it.")
        delay = PROBE_FIRST
        while not await self._telegram_answers():
            await self._sleep(delay)
            delay = min(PROBE_MAX, delay * 2)
        held = [row.released() for row in await self._store.pending() if row.failures]
        with contextlib.suppress(RowClaimed):  # those are another instance's to release
            await self._store.save_rows(held)
        self._offline = False
        logger.warning("Telegram answers again: delivery resumes (%s chats released).",
                       len(held))

    async def _stall(self, error: StoreUnavailable) -> None:
        if self._stalled:
            return
        self._stalled = True
        logger.error("Delivery stopped: the state cannot be written (%s). Retrying.", error)
        await self._tell_admins(self._stalled_notice)

    async def _resume(self) -> None:
        """Write the outcomes that could not be recorded; once that works, deliver again."""
        delay = PROBE_FIRST
        while True:
            try:
                await self._store.check_writable()
                while self._unrecorded:  # a claim lost meanwhile: another instance has it
                    await self._store.save_claimed(self._unrecorded[0])
                    self._unrecorded.pop(0)
                break
            except StoreUnavailable:
                await self._sleep(delay)
                delay = min(PROBE_MAX, delay * 2)
        self._stalled = False
        logger.warning("The state can be written again: delivery resumes.")
        await self._tell_admins(self._resumed_notice)

    async def _tell_admins(self, text: str) -> None:
        if self._admin_notice is not None and text:
            with contextlib.suppress(TelegramError):
                await self._admin_notice(text)

    # Reports ---------------------------------------------------------------------------

    async def _update_reports(self, *, force: bool = False) -> None:
        """Report queued announcements whose groups were all tried; bring reports up to date."""
        now = self._clock()
        if not force and now - self._reports_at < REPORT_INTERVAL:
            return
        self._reports_at = now
        for announcement in await self._store.announcements("queued"):
            summary = summarize(await self._store.rows(announcement.message_key))
            if not summary.reportable:
                continue
            text = self._report_text(announcement, summary)
            if text == announcement.report:
                continue
            rows = await self._report_rows(announcement, text)
            if rows is None:
                continue
            state = "reported" if summary.finished else "queued"
            await self._store.save_announcement(
                replace(announcement, report=text, report_version=announcement.report_version
                        + 1, state=state), rows, now)
            self.kick()

    async def _report_rows(self, announcement: Announcement,
                           text: str) -> Iterable[OutboxRow] | None:
        """The outbox row that brings the admin's report to ``text`` (None: not now)."""
        first = await self._store.row(f"{announcement.report_key}|{announcement.admin_chat_id}")
        if first is None:
            return [OutboxRow(announcement.report_key, announcement.admin_chat_id, text)]
        if first.state == "pending":
            if first.in_flight:
                return None
            try:
                await self._store.save_rows([replace(first, text=text)])
            except RowClaimed:  # on its way with the old text: edit it once it is sent
                return None
            return []
        key = f"{announcement.report_key}:{announcement.report_version}"
        return [OutboxRow(key, announcement.admin_chat_id, text,
                          edit_of=first.message_id if first.state == "sent" else None)]
