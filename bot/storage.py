"""The bot's durable state behind one interface (``Store``), kept in TinyDB over a journal.

Every write method is one commit: when its ``await`` returns, the change is on disk (or the
method raised ``StoreUnavailable`` and nothing changed). Reads see committed state only.
``open_store`` opens a data directory for the bot, ``memory_store`` keeps the same behaviour in
memory (tests), ``read_store`` reads what a running bot has committed (reports, ``thidua
status``). ``PostgresStore`` (``bot/pgstore.py``) implements the same ``Store`` protocol for
several instances on one database.

Adding a table takes a dataclass in ``bot/records.py`` (``TABLE_TYPES``), methods on ``Store``
and ``TinyStore`` that address documents by key (documents are checked on load, journaled and
compacted like every other table), and for PostgreSQL a numbered file in ``bot/sql`` and an
entry in ``bot.pgstore.TABLES``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import fcntl
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from tinydb import TinyDB, where
from tinydb.queries import QueryLike
from tinydb.table import Document

from bot.audit import AuditEntry
from bot.journal import (
    SNAPSHOT,
    CorruptSnapshot,
    JournalStorage,
    KeyedTable,
    Loaded,
    Writer,
    backup_due,
    backups,
    read_directory,
    read_snapshot,
    replay,
    segments,
    snapshot_text,
    write_atomically,
    write_backup,
)
from bot.migrations import SCHEMA, migrate
from bot.records import (
    TABLE_TYPES,
    Ack,
    BadDocument,
    Conversation,
    GivenFact,
    InboxEntry,
    ReminderSent,
    ReportDraft,
    SentMark,
    decode,
    encode,
)
from bot.schedule import Announcement, Group, OutboxRow, Subscription
from bot.unanswered import Unanswered

log = logging.getLogger(__name__)

LOCK_FILE = "bot.lock"
LEGACY_FILE = "state.json"  # schema 1: one TinyDB JSON file
AUDIT_FILE = "audit.jsonl"
QUARANTINE_FILE = "quarantine.jsonl"
HEALTH_FILE = "health.json"
MAX_UNANSWERED = 5000
DEFAULT_BACKUPS = 8


class DataDirLocked(RuntimeError):
    """Another process already runs a bot on this data directory."""

    def __init__(self, directory: Path, pid: int | None) -> None:
        self.directory = directory
        self.pid = pid
        holder = f" (PID {pid})" if pid else ""
        super().__init__(
            f"Thư mục dữ liệu {directory} đang được một tiến trình bot khác dùng{holder}; "
            "mỗi thư mục dữ liệu chỉ chạy một bot. / "
            f"Data directory {directory} is locked by another bot process{holder}; "
            "run one bot per data directory."
        )


class StoreUnavailable(RuntimeError):
    """A commit failed (disk full, read-only, I/O error): nothing of it was kept."""


class RowClaimed(RuntimeError):
    """Outbox rows another running instance works on were left as they are."""

    def __init__(self, row_ids: list[str]) -> None:
        self.row_ids = row_ids
        super().__init__(f"{len(row_ids)} outbox row(s) are claimed by another instance")


@dataclass(frozen=True, slots=True)
class Claimed:
    """What ``Store.claim`` found: chats to deliver to now, and when to look again."""

    chats: list[list[OutboxRow]]
    next_due: dt.datetime | None


@dataclass(frozen=True, slots=True)
class StoreHealth:
    """How the store's commits go: the last failure, if any, and whether it lasts."""

    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    failing: bool = False


class Store(Protocol):
    """The bot's state. Every write method is one commit; reads see committed state."""

    async def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """Every subscription, or one chat's."""
        ...

    async def subscription(self, subscription_id: str) -> Subscription | None:
        """The subscription with this id, or None once it is gone."""
        ...

    async def save_subscription(self, subscription: Subscription) -> Subscription:
        """Store a subscription, replacing the chat's one to the same unit.

        The replaced one's id is kept, and the target years it reported over.
        """
        ...

    async def remove_subscriptions(self, chat_id: int,
                                   place: str | None = None) -> list[Subscription]:
        """Remove a chat's subscriptions (to the unit ``place`` only, if given); return them."""
        ...

    async def groups(self) -> list[Group]:
        """Every group registered for announcements."""
        ...

    async def group(self, chat_id: int) -> Group | None:
        """The group's registration, or None."""
        ...

    async def save_group(self, group: Group) -> None:
        """Register a group, replacing its earlier registration."""
        ...

    async def remove_group(self, chat_id: int) -> bool:
        """Unregister a group; False if it was not registered."""
        ...

    async def announcement(self, announcement_id: str) -> Announcement | None:
        """The announcement with this id, or None."""
        ...

    async def announcements(self, state: str) -> list[Announcement]:
        """Announcements in one state (``draft``, ``queued``, ``cancelled``, ``reported``)."""
        ...

    async def save_announcement(self, announcement: Announcement, rows: Iterable[OutboxRow] = (),
                                now: dt.datetime | None = None) -> None:
        """Store an announcement and, in the same commit, enqueue ``rows`` (at ``now``)."""
        ...

    async def cancel_announcement(self, announcement_id: str) -> bool:
        """Cancel a queued announcement none of whose rows was tried yet; False if too late."""
        ...

    async def enqueue(self, rows: Iterable[OutboxRow], now: dt.datetime) -> list[OutboxRow]:
        """Add the rows not yet in the outbox (in order), log their keys as sent; return them."""
        ...

    async def queue_reminders(self, rows: Iterable[OutboxRow], now: dt.datetime,
                              reported_over: Mapping[str, Iterable[int]],
                              sent: Iterable[ReminderSent]) -> list[OutboxRow]:
        """Enqueue reminder rows, in one commit with what they tell.

        ``reported_over``: the target years each reports as over, by subscription id; ``sent``:
        the receipts of the target reminders among them.
        """
        ...

    async def sent_keys(self) -> set[str]:
        """Keys of every message ever enqueued (``reminder:…``, ``announce:…``)."""
        ...

    async def pending(self) -> list[OutboxRow]:
        """Every pending row, in enqueue order."""
        ...

    async def row(self, row_id: str) -> OutboxRow | None:
        """One outbox row by its id, or None."""
        ...

    async def rows(self, message_key: str) -> list[OutboxRow]:
        """Every row of one message, e.g. to report on a broadcast."""
        ...

    async def save_rows(self, rows: Iterable[OutboxRow]) -> None:
        """Record rows' new states (a release after an outage, a report brought up to date).

        Rows another instance is delivering are left alone (``RowClaimed`` after the rest).
        """
        ...

    async def outbox(self) -> list[OutboxRow]:
        """Every row still kept, in enqueue order (health reports)."""
        ...

    async def claim(self, now: dt.datetime, limit: int | None,
                    exclude: Collection[int] = ()) -> Claimed:
        """Chats whose first pending row is due at ``now`` and that nobody delivers to.

        Each chat comes as its pending rows in order (private chats first), its first row
        claimed by this store until settled or released; at most ``limit`` chats (None: all),
        none of ``exclude``. Also when a held-back row falls due next.
        """
        ...

    async def take(self, row_id: str, now: dt.datetime) -> OutboxRow | None:
        """The row, claimed, if it is still pending, due and the first of its chat; else None."""
        ...

    async def save_claimed(self, row: OutboxRow) -> bool:
        """Record a claimed row's new state; False (nothing written) if the claim was lost."""
        ...

    async def release(self, row_ids: Iterable[str]) -> None:
        """Give up claims on rows this store took and did not settle."""
        ...

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move a chat's subscriptions, registration, pending rows and figures to its new id."""
        ...

    async def drop_chat(self, chat_id: int, reason: str) -> list[Subscription]:
        """Stop all delivery to a chat; return its removed subscriptions."""
        ...

    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Drop finished history from before ``cutoff``; return how many messages went."""
        ...

    async def log_unanswered(self, entry: Unanswered) -> None:
        """Add a question to the log, keeping the newest ``MAX_UNANSWERED``."""
        ...

    async def record_given(self, chat_id: int, fact_ids: Iterable[str], at: dt.datetime) -> None:
        """Remember that these figures were given to the chat at ``at``."""
        ...

    async def given(self, fact_ids: Iterable[str]) -> list[GivenFact]:
        """Who was given these figures (and when last), while they are kept."""
        ...

    async def record_ack(self, ack: Ack) -> bool:
        """Keep an acknowledgement; False if that person had already acknowledged it."""
        ...

    async def acks(self, chat_id: int | None = None) -> list[Ack]:
        """Acknowledgements, of one chat or all, oldest first."""
        ...

    async def reminders_sent(self, chat_id: int | None = None) -> list[ReminderSent]:
        """Target reminders queued, of one chat or all, oldest first."""
        ...

    async def trim_records(self, given_before: dt.datetime, acks_before: dt.datetime) -> None:
        """Forget figures given before ``given_before``; reminders and acks before the other."""
        ...

    async def unanswered(self) -> list[Unanswered]:
        """The logged questions, oldest first."""
        ...

    async def conversation(self, key: str) -> Conversation | None:
        """The conversation stored under ``key``, if any."""
        ...

    async def save_conversations(self, conversations: Iterable[Conversation]) -> None:
        """Store conversations (replacing those of the same keys) in one commit."""
        ...

    async def forget_conversations(self, cutoff: dt.datetime) -> int:
        """Drop conversations quiet since before ``cutoff``; return how many."""
        ...

    async def record_updates(self, entries: Iterable[InboxEntry]) -> set[int]:
        """Record fetched updates before they are handled; return the ids already known.

        Those were handled, or are replayed from the inbox at start: not to be handled again.
        """
        ...

    async def report_draft(self, draft_id: str) -> ReportDraft | None:
        """The report draft with this id, or None (never made, or forgotten)."""
        ...

    async def report_drafts(self, admin_id: int | None = None) -> list[ReportDraft]:
        """Every kept report draft, or one admin's, oldest first."""
        ...

    async def save_report_draft(self, draft: ReportDraft, *, if_state: str | None = None) -> bool:
        """Store a report draft (replacing the one with its id); False when not stored.

        With ``if_state``, it is stored only if the draft stored now is in that state: so only
        one of two presses of "add" claims an open draft.
        """
        ...

    async def forget_report_drafts(self, cutoff: dt.datetime) -> int:
        """Drop report drafts made before ``cutoff``; return how many."""
        ...

    async def finish_update(self, update_id: int, now: dt.datetime) -> None:
        """Mark an update handled."""
        ...

    async def forget_updates(self, cutoff: dt.datetime) -> None:
        """Drop the ids of updates handled before ``cutoff``."""
        ...

    async def unhandled_updates(self) -> list[InboxEntry]:
        """Recorded updates not yet handled, oldest first."""
        ...

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append an entry to the audit log (kept; never rewritten)."""
        ...

    async def audit(self, limit: int | None = None) -> list[AuditEntry]:
        """The audit log, oldest first (the last ``limit`` entries)."""
        ...

    async def connect(self) -> None:
        """Be ready to serve: connect, bring the schema up to date (TinyDB: already open)."""
        ...

    def health(self) -> StoreHealth:
        """How commits are going."""
        ...

    async def check_writable(self) -> None:
        """Make a small commit (``StoreUnavailable`` while commits fail)."""
        ...

    async def close(self) -> None:
        """Finish writing and release the data directory."""
        ...


class _StateDB(TinyDB):
    table_class = KeyedTable


class TinyStore:
    """The ``Store`` on TinyDB, journaled by ``JournalStorage`` (see ``bot/journal.py``)."""

    def __init__(self, storage: JournalStorage, *, lock_fd: int | None = None,
                 keep_backups: int = DEFAULT_BACKUPS, read_only: bool = False,
                 audit_dir: Path | None = None) -> None:
        self._storage = storage
        self._db = _StateDB(storage=lambda: storage)
        self._lock_fd = lock_fd
        self._keep_backups = keep_backups
        self._read_only = read_only
        self._lock = asyncio.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-writer")
        self._compaction: asyncio.Task[None] | None = None
        self._health = StoreHealth()
        self._audit_fd: int | None = None
        self._audit_memory: list[str] = []
        self._audit_dir = audit_dir or storage.directory
        if self._audit_dir is not None and not read_only:
            self._audit_fd = os.open(self._audit_dir / AUDIT_FILE,
                                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        tables = {name: self._db.table(name, cache_size=0) for name in (
            "subscriptions", "groups", "announcements", "outbox", "sent_log", "unanswered",
            "inbox", "conversations", "given", "reminders_sent", "acks", "report_drafts",
            "meta")}
        self._subscriptions = tables["subscriptions"]
        self._groups = tables["groups"]
        self._announcements = tables["announcements"]
        self._outbox = tables["outbox"]
        self._sent_log = tables["sent_log"]
        self._unanswered = tables["unanswered"]
        self._inbox = tables["inbox"]
        self._conversations = tables["conversations"]
        self._given = tables["given"]
        self._reminders_sent = tables["reminders_sent"]
        self._acks = tables["acks"]
        self._report_drafts = tables["report_drafts"]
        self._meta = tables["meta"]

    # Commits ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _reading(self) -> AsyncIterator[None]:
        async with self._lock:
            yield

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        """One commit: the changes made inside are journaled together, or undone."""
        if self._read_only:
            raise StoreUnavailable("this store only reads a running bot's state")
        async with self._lock:
            try:
                yield
            except BaseException:
                self._storage.rollback()
                raise
            if self._storage.dirty:
                await self._commit()

    async def _commit(self) -> None:
        line = self._storage.prepare()
        if self._storage.directory is None:
            self._storage.settle()
            return
        future = asyncio.get_running_loop().run_in_executor(
            self._executor, self._storage.append, line)
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            await asyncio.wait([future])  # the write goes on in its thread: settle it first
            self._finish_commit(future.exception())
            raise
        except OSError:
            pass
        self._finish_commit(future.exception())

    def _finish_commit(self, error: BaseException | None) -> None:
        if error is None:
            self._storage.settle()
            if self._health.failing:
                log.warning("State commits work again after: %s", self._health.last_error)
            self._health = replace(self._health, failing=False)
            self._maybe_compact()
            if self._health.last_error:
                self._record_health()
            return
        self._storage.rollback()
        self._storage.seq -= 1
        message = f"{type(error).__name__}: {error}"
        if not self._health.failing:
            log.error("State commit failed, nothing of it kept: %s", message)
        self._health = replace(self._health, last_error=message,
                               last_error_at=dt.datetime.now(dt.UTC), failing=True)
        self._record_health()
        raise StoreUnavailable(message) from error

    def _record_health(self) -> None:
        """Best effort: leave the last commit error where ``thidua status`` finds it."""
        directory = self._storage.directory
        if directory is None or self._read_only:
            return
        health = self._health
        text = json.dumps({"last_error": health.last_error, "failing": health.failing,
                           "at": health.last_error_at and health.last_error_at.isoformat()})

        def write() -> None:
            with contextlib.suppress(OSError):
                write_atomically(directory / HEALTH_FILE, text)

        self._executor.submit(write)

    def _maybe_compact(self) -> None:
        if not self._storage.wants_compaction or (
                self._compaction is not None and not self._compaction.done()):
            return
        sealed = self._storage.seal()
        self._compaction = asyncio.get_running_loop().create_task(self._compact(sealed))

    async def _compact(self, sealed: int) -> None:
        """Fold the sealed segments into a new snapshot in a separate process."""
        directory = self._storage.directory
        assert directory is not None
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.journal", "compact", str(directory), str(sealed),
            str(SCHEMA), str(self._keep_backups), stderr=asyncio.subprocess.PIPE)
        _, errors = await process.communicate()
        if process.returncode:
            log.error("Compacting the state journal failed (it is kept and read at start): %s",
                      errors.decode(errors="replace").strip()[-500:])
            return
        snapshot = directory / SNAPSHOT
        self._storage.snapshot_bytes = snapshot.stat().st_size if snapshot.exists() else 0

    def health(self) -> StoreHealth:
        """How commits are going."""
        return self._health

    async def connect(self) -> None:
        """Nothing to do: ``open_store`` opened the data directory."""

    def export_tables(self) -> dict[str, dict[str, Any]]:
        """Every committed document, by table and key (the audit log is in its own file)."""
        tables = self._storage.read()
        return {name: copy.deepcopy(tables.get(name, {})) for name in TABLE_TYPES}

    async def check_writable(self) -> None:
        """Make a small commit (``StoreUnavailable`` while commits fail)."""
        async with self._writing():
            self._next("checks")

    async def close(self) -> None:
        """Wait for a compaction, close the files and release the data directory."""
        if self._compaction is not None:
            with contextlib.suppress(Exception):
                await self._compaction
        self._close_files()

    def _close_files(self) -> None:
        self._executor.shutdown(wait=True)
        self._storage.close()
        if self._audit_fd is not None:
            os.close(self._audit_fd)
            self._audit_fd = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # Documents ---------------------------------------------------------------------------

    def _put(self, table: KeyedTable, key: str, record: Any) -> None:
        doc = encode(record)
        if table.contains(doc_id=key):
            table.update(lambda stored: (stored.clear(), stored.update(doc)), doc_ids=[key])
        else:
            table.insert(Document(doc, doc_id=key))

    def _drop(self, table: KeyedTable, keys: Iterable[str]) -> list[str]:
        """Remove the documents with these keys; keys of none are skipped. Return those removed."""
        present = [key for key in keys if table.contains(doc_id=key)]
        if present:
            table.remove(doc_ids=present)
        return present

    @staticmethod
    def _get(table: KeyedTable, cls: type, key: str) -> Any:
        doc = table.get(doc_id=key)
        return None if doc is None else decode(cls, doc)

    @staticmethod
    def _find(table: KeyedTable, cls: type, cond: QueryLike | None = None) -> list[Any]:
        docs = table.all() if cond is None else table.search(cond)
        return [decode(cls, doc) for doc in docs]

    def _next(self, counter: str) -> int:
        counters = dict(self._meta.get(doc_id="counters") or {})
        counters[counter] = counters.get(counter, 0) + 1
        if self._meta.contains(doc_id="counters"):
            self._meta.update(counters, doc_ids=["counters"])
        else:
            self._meta.insert(Document(counters, doc_id="counters"))
        return counters[counter]

    # Subscriptions and groups -----------------------------------------------------------

    async def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """Every subscription, or one chat's."""
        async with self._reading():
            cond = None if chat_id is None else where("chat_id") == chat_id
            return self._find(self._subscriptions, Subscription, cond)

    async def subscription(self, subscription_id: str) -> Subscription | None:
        """The subscription with this id, or None once it is gone."""
        async with self._reading():
            return self._get(self._subscriptions, Subscription, subscription_id)

    async def save_subscription(self, subscription: Subscription) -> Subscription:
        """Store a subscription, replacing the chat's one to the same unit.

        The replaced one's id is kept, and the target years it reported over.
        """
        same = (where("chat_id") == subscription.chat_id) & (
            where("place") == subscription.place)
        async with self._writing():
            for existing in self._find(self._subscriptions, Subscription, same):
                subscription = replace(subscription, id=existing.id).reporting_over(
                    existing.reported_over)
            self._put(self._subscriptions, subscription.id, subscription)
        return subscription

    async def remove_subscriptions(self, chat_id: int,
                                   place: str | None = None) -> list[Subscription]:
        """Remove a chat's subscriptions (to the unit ``place`` only, if given); return them."""
        async with self._writing():
            return self._remove_subscriptions(chat_id, place)

    def _remove_subscriptions(self, chat_id: int, place: str | None) -> list[Subscription]:
        cond = where("chat_id") == chat_id
        if place is not None:
            cond &= where("place") == place
        docs = self._subscriptions.search(cond)
        self._drop(self._subscriptions, (doc.doc_id for doc in docs))
        return [decode(Subscription, doc) for doc in docs]

    async def groups(self) -> list[Group]:
        """Every group registered for announcements."""
        async with self._reading():
            return self._find(self._groups, Group)

    async def group(self, chat_id: int) -> Group | None:
        """The group's registration, or None."""
        async with self._reading():
            return self._get(self._groups, Group, str(chat_id))

    async def save_group(self, group: Group) -> None:
        """Register a group, replacing its earlier registration."""
        async with self._writing():
            self._put(self._groups, str(group.chat_id), group)

    async def remove_group(self, chat_id: int) -> bool:
        """Unregister a group; False if it was not registered."""
        async with self._writing():
            return bool(self._drop(self._groups, [str(chat_id)]))

    # Announcements and the outbox -------------------------------------------------------

    async def announcement(self, announcement_id: str) -> Announcement | None:
        """The announcement with this id, or None."""
        async with self._reading():
            return self._get(self._announcements, Announcement, announcement_id)

    async def announcements(self, state: str) -> list[Announcement]:
        """Announcements in one state (``draft``, ``queued``, ``cancelled``, ``reported``)."""
        async with self._reading():
            return self._find(self._announcements, Announcement, where("state") == state)

    async def save_announcement(self, announcement: Announcement, rows: Iterable[OutboxRow] = (),
                                now: dt.datetime | None = None) -> None:
        """Store an announcement and, in the same commit, enqueue ``rows`` (at ``now``)."""
        rows = list(rows)
        if rows and now is None:
            raise ValueError("enqueuing rows needs the time")
        async with self._writing():
            self._put(self._announcements, announcement.id, announcement)
            if rows:
                assert now is not None
                self._enqueue(rows, now)

    async def cancel_announcement(self, announcement_id: str) -> bool:
        """Cancel a queued announcement none of whose rows was tried yet; False if too late.

        Its rows and its key in the sent log go, so nothing of it is sent.
        """
        async with self._writing():
            announcement = self._get(self._announcements, Announcement, announcement_id)
            if announcement is None or announcement.state != "queued":
                return False
            rows = self._find(self._outbox, OutboxRow,
                              where("message_key") == announcement.message_key)
            if any(row.state != "pending" or row.attempts or row.in_flight for row in rows):
                return False
            self._drop(self._outbox, [row.id for row in rows])
            self._drop(self._sent_log, [announcement.message_key])
            self._put(self._announcements, announcement.id,
                      replace(announcement, state="cancelled"))
            return True

    async def enqueue(self, rows: Iterable[OutboxRow], now: dt.datetime) -> list[OutboxRow]:
        """Add the rows not yet in the outbox (in order), log their keys as sent; return them.

        Idempotent: enqueuing the same (message, chat) again adds nothing.
        """
        async with self._writing():
            return self._enqueue(list(rows), now)

    async def queue_reminders(self, rows: Iterable[OutboxRow], now: dt.datetime,
                              reported_over: Mapping[str, Iterable[int]],
                              sent: Iterable[ReminderSent]) -> list[OutboxRow]:
        """Enqueue reminder rows, in one commit with what they tell.

        ``reported_over``: the target years each reports as over, by subscription id; ``sent``:
        the receipts of the target reminders among them.
        """
        async with self._writing():
            for subscription_id, years in reported_over.items():
                current = self._get(self._subscriptions, Subscription, subscription_id)
                if current is not None:  # not one removed meanwhile
                    self._put(self._subscriptions, current.id, current.reporting_over(years))
            for receipt in sent:
                if not self._reminders_sent.contains(doc_id=receipt.key):
                    self._put(self._reminders_sent, receipt.key, receipt)
            return self._enqueue(list(rows), now)

    def _enqueue(self, rows: list[OutboxRow], now: dt.datetime) -> list[OutboxRow]:
        added = []
        for row in rows:
            if self._outbox.contains(doc_id=row.id):  # including one added just before
                continue
            row = replace(row, seq=self._next("outbox"), queued_at=now)
            self._put(self._outbox, row.id, row)
            added.append(row)
        for key in dict.fromkeys(row.message_key for row in rows):
            if not self._sent_log.contains(doc_id=key):
                self._put(self._sent_log, key, SentMark(key, now))
        return added

    async def sent_keys(self) -> set[str]:
        """Keys of every message ever enqueued (``reminder:…``, ``announce:…``)."""
        async with self._reading():
            return {doc.doc_id for doc in self._sent_log}

    async def pending(self) -> list[OutboxRow]:
        """Every pending row, in enqueue order."""
        async with self._reading():
            rows = self._find(self._outbox, OutboxRow, where("state") == "pending")
        return sorted(rows, key=lambda row: row.seq)

    async def outbox(self) -> list[OutboxRow]:
        """Every row still kept, in enqueue order (health reports)."""
        async with self._reading():
            rows = self._find(self._outbox, OutboxRow)
        return sorted(rows, key=lambda row: row.seq)

    async def row(self, row_id: str) -> OutboxRow | None:
        """One outbox row by its id, or None."""
        async with self._reading():
            return self._get(self._outbox, OutboxRow, row_id)

    async def rows(self, message_key: str) -> list[OutboxRow]:
        """Every row of one message, e.g. to report on a broadcast."""
        async with self._reading():
            rows = self._find(self._outbox, OutboxRow, where("message_key") == message_key)
        return sorted(rows, key=lambda row: row.seq)

    async def save_rows(self, rows: Iterable[OutboxRow]) -> None:
        """Record rows' new states (one process: nobody else claims them)."""
        async with self._writing():
            for row in rows:
                if not self._outbox.contains(doc_id=row.id):
                    raise KeyError(f"no outbox row {row.id}")
                self._put(self._outbox, row.id, row)

    async def claim(self, now: dt.datetime, limit: int | None,
                    exclude: Collection[int] = ()) -> Claimed:
        """Chats whose first pending row is due, private chats first (one process: no claims)."""
        by_chat: dict[int, list[OutboxRow]] = {}
        for row in await self.pending():
            by_chat.setdefault(row.chat_id, []).append(row)
        ready, later = [], []
        for chat_id, rows in by_chat.items():
            if chat_id in exclude:
                continue
            if rows[0].is_due(now):
                ready.append(rows)
            elif rows[0].not_before is not None:
                later.append(rows[0].not_before)
        ready.sort(key=delivery_order)
        return Claimed(ready if limit is None else ready[:limit], min(later, default=None))

    async def take(self, row_id: str, now: dt.datetime) -> OutboxRow | None:
        """The row if it is still pending and due (its chat's lane is the only one here)."""
        row = await self.row(row_id)
        return row if row is not None and row.is_due(now) else None

    async def save_claimed(self, row: OutboxRow) -> bool:
        """Record the row's new state; a claim is never lost in one process."""
        await self.save_rows([row])
        return True

    async def release(self, row_ids: Iterable[str]) -> None:
        """Nothing to release in one process."""

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move a chat's subscriptions, registration, pending rows and figures to its new id."""
        async with self._writing():
            for subscription in self._remove_subscriptions(old_chat_id, None):
                moved = replace(subscription, chat_id=new_chat_id)
                self._put(self._subscriptions, moved.id, moved)
            group = self._get(self._groups, Group, str(old_chat_id))
            if group is not None:
                self._drop(self._groups, [str(old_chat_id)])
                self._put(self._groups, str(new_chat_id), replace(group, chat_id=new_chat_id))
            for row in self._pending_of(old_chat_id):
                self._drop(self._outbox, [row.id])
                moved_row = row.moved_to(new_chat_id)
                if not self._outbox.contains(doc_id=moved_row.id):
                    self._put(self._outbox, moved_row.id, moved_row)
            for given in self._given_of(old_chat_id):
                self._drop(self._given, [given.key])
                moved_given = replace(given, chat_id=new_chat_id)
                self._put(self._given, moved_given.key, moved_given)

    def _given_of(self, chat_id: int) -> list[GivenFact]:
        return self._find(self._given, GivenFact, where("chat_id") == chat_id)

    def _pending_of(self, chat_id: int) -> list[OutboxRow]:
        cond = (where("chat_id") == chat_id) & (where("state") == "pending")
        return self._find(self._outbox, OutboxRow, cond)

    async def drop_chat(self, chat_id: int, reason: str) -> list[Subscription]:
        """Stop all delivery to a chat that blocked or removed the bot (``Forbidden``).

        Its pending rows become inactive; its subscriptions and group registration are removed.
        Returns the removed subscriptions, whose jobs the caller cancels.
        """
        async with self._writing():
            for row in self._pending_of(chat_id):
                self._put(self._outbox, row.id, row.inactive(reason))
            self._drop(self._groups, [str(chat_id)])
            self._drop(self._given, [given.key for given in self._given_of(chat_id)])
            return self._remove_subscriptions(chat_id, None)

    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Drop history from before ``cutoff``: delivered messages, settled announcements.

        A message goes once none of its rows is pending; queued announcements stay. Returns
        the number of messages forgotten.
        """
        async with self._writing():
            old = {doc["key"] for doc in self._sent_log.all()
                   if dt.datetime.fromisoformat(doc["at"]) < cutoff}
            pending = {doc["message_key"] for doc in self._outbox.search(
                where("state") == "pending")}
            done = old - pending
            self._drop(self._outbox, [doc.doc_id for doc in self._outbox.search(
                where("message_key").one_of(list(done)))])
            self._drop(self._sent_log, done)
            settled = self._announcements.search(
                (where("state") != "queued")
                & where("created_at").test(lambda at: dt.datetime.fromisoformat(at) < cutoff))
            self._drop(self._announcements, [doc.doc_id for doc in settled])
        return len(done)

    # The unanswered log and the inbox -------------------------------------------------

    async def log_unanswered(self, entry: Unanswered) -> None:
        """Add a question to the log, keeping the newest ``MAX_UNANSWERED``."""
        async with self._writing():
            number = self._next("unanswered")
            self._put(self._unanswered, f"{number:012d}", entry)
            self._drop(self._unanswered, [f"{number - MAX_UNANSWERED:012d}"])

    async def unanswered(self) -> list[Unanswered]:
        """The logged questions, oldest first."""
        async with self._reading():
            docs = sorted(self._unanswered.all(), key=lambda doc: doc.doc_id)
        return [decode(Unanswered, doc) for doc in docs]

    async def conversation(self, key: str) -> Conversation | None:
        """The conversation stored under ``key``, if any."""
        async with self._reading():
            return self._get(self._conversations, Conversation, key)

    async def save_conversations(self, conversations: Iterable[Conversation]) -> None:
        """Store conversations (replacing those of the same keys) in one commit."""
        async with self._writing():
            for conversation in conversations:
                self._put(self._conversations, conversation.key, conversation)

    async def forget_conversations(self, cutoff: dt.datetime) -> int:
        """Drop conversations quiet since before ``cutoff``; return how many."""
        async with self._writing():
            old = [doc.doc_id for doc in self._conversations.search(
                where("at").test(lambda at: dt.datetime.fromisoformat(at) < cutoff))]
            self._drop(self._conversations, old)
        return len(old)

    async def report_draft(self, draft_id: str) -> ReportDraft | None:
        """The report draft with this id, or None (never made, or forgotten)."""
        async with self._reading():
            return self._get(self._report_drafts, ReportDraft, draft_id)

    async def report_drafts(self, admin_id: int | None = None) -> list[ReportDraft]:
        """Every kept report draft, or one admin's, oldest first."""
        async with self._reading():
            cond = None if admin_id is None else where("admin_id") == admin_id
            drafts = self._find(self._report_drafts, ReportDraft, cond)
        return sorted(drafts, key=lambda draft: draft.created_at)

    async def save_report_draft(self, draft: ReportDraft, *, if_state: str | None = None) -> bool:
        """Store a report draft (replacing the one with its id); False when not stored.

        With ``if_state``, it is stored only if the draft stored now is in that state: so only
        one of two presses of "add" claims an open draft.
        """
        async with self._writing():
            if if_state is not None:
                stored = self._get(self._report_drafts, ReportDraft, draft.id)
                if stored is None or stored.state != if_state:
                    return False
            self._put(self._report_drafts, draft.id, draft)
        return True

    async def forget_report_drafts(self, cutoff: dt.datetime) -> int:
        """Drop report drafts made before ``cutoff``; return how many."""
        async with self._writing():
            old = [doc.doc_id for doc in self._report_drafts.search(
                where("created_at").test(lambda at: dt.datetime.fromisoformat(at) < cutoff))]
            self._drop(self._report_drafts, old)
        return len(old)

    # Figures given, reminders sent and acknowledged --------------------------------------

    async def record_given(self, chat_id: int, fact_ids: Iterable[str], at: dt.datetime) -> None:
        """Remember that these figures were given to the chat at ``at``."""
        async with self._writing():
            for fact_id in dict.fromkeys(fact_ids):
                given = GivenFact(chat_id, fact_id, at)
                self._put(self._given, given.key, given)

    async def given(self, fact_ids: Iterable[str]) -> list[GivenFact]:
        """Who was given these figures (and when last), while they are kept."""
        wanted = list(dict.fromkeys(fact_ids))
        async with self._reading():
            return self._find(self._given, GivenFact, where("fact_id").one_of(wanted))

    async def record_ack(self, ack: Ack) -> bool:
        """Keep an acknowledgement; False if that person had already acknowledged it."""
        async with self._writing():
            if self._acks.contains(doc_id=ack.key):
                return False
            self._put(self._acks, ack.key, ack)
            return True

    async def acks(self, chat_id: int | None = None) -> list[Ack]:
        """Acknowledgements, of one chat or all, oldest first."""
        async with self._reading():
            cond = None if chat_id is None else where("chat_id") == chat_id
            found = self._find(self._acks, Ack, cond)
        return sorted(found, key=lambda ack: ack.at)

    async def reminders_sent(self, chat_id: int | None = None) -> list[ReminderSent]:
        """Target reminders queued, of one chat or all, oldest first."""
        async with self._reading():
            cond = None if chat_id is None else where("chat_id") == chat_id
            found = self._find(self._reminders_sent, ReminderSent, cond)
        return sorted(found, key=lambda sent: sent.due)

    async def trim_records(self, given_before: dt.datetime, acks_before: dt.datetime) -> None:
        """Forget figures given before ``given_before``; reminders and acks before the other."""
        def older(cutoff: dt.datetime) -> Callable[[Any], bool]:
            return lambda at: dt.datetime.fromisoformat(at) < cutoff

        async with self._writing():
            for table, field, cutoff in ((self._given, "at", given_before),
                                         (self._reminders_sent, "due", acks_before),
                                         (self._acks, "at", acks_before)):
                self._drop(table, [doc.doc_id for doc in table.search(
                    where(field).test(older(cutoff)))])

    async def record_updates(self, entries: Iterable[InboxEntry]) -> set[int]:
        """Record fetched updates before they are handled; return the ids already known.

        Those were handled, or are replayed from the inbox at start: not to be handled again.
        """
        known = set()
        async with self._writing():
            for entry in entries:
                if self._inbox.contains(doc_id=str(entry.update_id)):
                    known.add(entry.update_id)
                else:
                    self._put(self._inbox, str(entry.update_id), entry)
        return known

    async def finish_update(self, update_id: int, now: dt.datetime) -> None:
        """Mark an update handled: its payload goes, its id stays until forgotten."""
        async with self._writing():
            entry = self._get(self._inbox, InboxEntry, str(update_id))
            if entry is not None:
                self._put(self._inbox, str(update_id), replace(entry, payload={},
                                                                handled_at=now))

    async def forget_updates(self, cutoff: dt.datetime) -> None:
        """Drop the ids of updates handled before ``cutoff``."""
        async with self._writing():
            self._drop(self._inbox, [doc.doc_id for doc in self._inbox.search(
                where("handled_at").test(
                    lambda at: at is not None and dt.datetime.fromisoformat(at) < cutoff))])

    async def unhandled_updates(self) -> list[InboxEntry]:
        """Recorded updates not yet handled, oldest first."""
        async with self._reading():
            entries = self._find(self._inbox, InboxEntry)
        return sorted((entry for entry in entries if entry.handled_at is None),
                      key=lambda entry: entry.update_id)

    # The audit log ---------------------------------------------------------------------

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append an entry to ``audit.jsonl`` durably (never rewritten, never trimmed)."""
        if self._read_only:
            raise StoreUnavailable("this store only reads a running bot's state")
        line = json.dumps(encode(entry), ensure_ascii=False) + "\n"
        if self._audit_fd is None:
            self._audit_memory.append(line)
            return
        fd = self._audit_fd

        def append() -> None:
            os.write(fd, line.encode())
            os.fsync(fd)

        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, append)
        except OSError as error:
            raise StoreUnavailable(f"audit log: {error}") from error

    async def audit(self, limit: int | None = None) -> list[AuditEntry]:
        """The audit log, oldest first (the last ``limit`` entries)."""
        lines = self._audit_memory
        if self._audit_dir is not None:
            lines = read_audit_lines(self._audit_dir)
        entries = []
        for line in lines[-limit:] if limit else lines:
            with contextlib.suppress(ValueError, BadDocument):
                entries.append(decode(AuditEntry, json.loads(line)))
        return entries


def delivery_order(rows: list[OutboxRow]) -> tuple[bool, int]:
    """Private chats (a user's reminder, an admin's report) before groups, then in order."""
    return rows[0].chat_id < 0, rows[0].seq


def read_audit_lines(directory: Path) -> list[str]:
    """The audit log's complete lines (a line cut short by a kill is left out)."""
    try:
        text = (directory / AUDIT_FILE).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return text.split("\n")[:-1]


# Opening ----------------------------------------------------------------------------------


def _lock(directory: Path) -> int:
    """Take the directory's lock for this process's life and return its descriptor."""
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        raise DataDirLocked(directory, int(holder) if holder.isdigit() else None) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def lock_holder(data_dir: str | os.PathLike[str]) -> int | None:
    """The PID of the bot running on ``data_dir``, or None when none is.

    Raises ``DataDirLocked`` when a bot runs there but its PID cannot be read.
    """
    directory = Path(data_dir)
    if not (directory / LOCK_FILE).exists():
        return None
    try:
        os.close(_lock(directory))
    except DataDirLocked as locked:
        if locked.pid is None:
            raise
        return locked.pid
    return None


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _move_aside(path: Path) -> Path:
    aside = path.with_name(f"{path.name}.corrupt-{_stamp()}")
    os.replace(path, aside)
    return aside


def _read_legacy(directory: Path) -> Loaded | None:
    """Schema 1: ``state.json`` (TinyDB's one file) or its ``.bak`` copy."""
    for path in (directory / LEGACY_FILE, directory / f"{LEGACY_FILE}.bak"):
        try:
            tables = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (ValueError, UnicodeDecodeError) as problem:
            log.critical("Old state file %s is not valid JSON (%s); moved it to %s.",
                         path, problem, _move_aside(path))
            continue
        if isinstance(tables, dict) and all(isinstance(t, dict) for t in tables.values()):
            return Loaded(tables=tables, schema=1, found=True)
        log.critical("Old state file %s is not an object of tables; moved it to %s.",
                     path, _move_aside(path))
    return None


def _load(directory: Path) -> tuple[Loaded, bool]:
    """Read the directory's state; return it and whether it must be written afresh."""
    try:
        loaded = read_directory(directory)
    except CorruptSnapshot as problem:
        aside = _move_aside(directory / SNAPSHOT)
        log.critical("State snapshot is corrupt (%s); moved it to %s.", problem, aside)
        loaded = _restore_newest_backup(directory)
    for problem in loaded.problems:
        log.critical("State journal in %s: %s", directory, problem)
    if not loaded.found:
        legacy = _read_legacy(directory)
        if legacy is not None:
            log.warning("Moving the state of %s from %s to schema %s (snapshot and journal).",
                        directory, LEGACY_FILE, SCHEMA)
            return legacy, True
        if _had_state(directory):
            log.warning("Starting with EMPTY state in %s although a bot kept state there "
                        "before (its audit log or backups remain). If DATA_DIR changed, "
                        "point it back; to recover, use `thidua state restore`.",
                        directory.resolve())
        return Loaded(schema=SCHEMA), True
    return loaded, bool(loaded.replayed or loaded.problems or loaded.schema != SCHEMA)


def _restore_newest_backup(directory: Path) -> Loaded:
    for backup in backups(directory):
        try:
            loaded = read_snapshot(backup)
        except CorruptSnapshot as problem:
            log.critical("Backup %s is corrupt too (%s).", backup, problem)
            continue
        log.critical("Restored the state from backup %s: changes after it are lost, except "
                     "those in the journal.", backup)
        later = [(n, p) for n, p in segments(directory) if n > loaded.segment]
        for index, (number, path) in enumerate(later):
            replay(loaded, path, number, last=index == len(later) - 1)
        return loaded
    log.critical("No usable backup in %s: starting with EMPTY state.", directory)
    return Loaded(schema=SCHEMA, found=True)


def _had_state(directory: Path) -> bool:
    """Whether a bot kept state here before (the lock file is ours: it proves nothing)."""
    return any((directory / name).exists() for name in (
        AUDIT_FILE, QUARANTINE_FILE, f"{LEGACY_FILE}.schema1")) or bool(backups(directory))


def bad_documents(tables: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every document of the wrong shape: its table, key, problem and the document."""
    bad = []
    for name, cls in TABLE_TYPES.items():
        for key, doc in tables.get(name, {}).items():
            try:
                decode(cls, doc)
            except BadDocument as problem:
                bad.append({"table": name, "key": key, "problem": str(problem), "doc": doc,
                            "at": dt.datetime.now(dt.UTC).isoformat()})
    return bad


def _quarantine(directory: Path | None, tables: dict[str, dict[str, Any]]) -> int:
    """Move every document of the wrong shape out of ``tables`` into ``quarantine.jsonl``."""
    bad = bad_documents(tables)
    for entry in bad:
        del tables[entry["table"]][entry["key"]]
    for entry in bad:
        log.critical("Quarantined a bad %s document %r (%s); the bot starts without it. "
                     "It is kept in %s.", entry["table"], entry["key"], entry["problem"],
                     QUARANTINE_FILE)
    if bad and directory is not None:
        with open(directory / QUARANTINE_FILE, "a", encoding="utf-8") as handle:
            for entry in bad:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    return len(bad)


def prepare_state(directory: Path, keep_backups: int = DEFAULT_BACKUPS) -> Loaded:
    """Read, migrate and check the state; write it back as one snapshot when it changed."""
    for leftover in directory.glob(".*.tmp"):
        leftover.unlink()
    loaded, rewrite = _load(directory)
    loaded.tables = migrate(loaded.tables, loaded.schema)
    loaded.schema = SCHEMA
    rewrite |= bool(_quarantine(directory, loaded.tables))
    if rewrite:
        text = snapshot_text(loaded.tables, SCHEMA, loaded.segment, loaded.seq)
        write_atomically(directory / SNAPSHOT, text)
        now = dt.datetime.now(dt.UTC)
        if any(loaded.tables.values()) and backup_due(directory, now):
            write_backup(directory, text, now, keep_backups)
        legacy = directory / LEGACY_FILE
        if legacy.exists():
            os.replace(legacy, directory / f"{LEGACY_FILE}.schema1")
    for number, path in segments(directory):
        if number <= loaded.segment:
            path.unlink()
    return loaded


def open_store(data_dir: str | os.PathLike[str], *, writer: Writer | None = None,
               keep_backups: int = DEFAULT_BACKUPS) -> TinyStore:
    """Lock ``data_dir`` for this process and open the state in it (DataDirLocked if taken).

    ``writer(fd, data)`` replaces the journal's write call (fault tests inject disk errors).
    """
    directory = Path(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    lock_fd = _lock(directory)
    try:
        loaded = prepare_state(directory, keep_backups)
        return TinyStore(JournalStorage(directory, loaded, writer), lock_fd=lock_fd,
                         keep_backups=keep_backups)
    except BaseException:
        os.close(lock_fd)
        raise


def memory_store() -> TinyStore:
    """A store kept in memory, behaving the same, for tests of other modules."""
    return TinyStore(JournalStorage(None, Loaded(schema=SCHEMA)))


def read_committed(directory: Path) -> Loaded:
    """The committed state in ``directory`` as it stands, read without the lock, not migrated."""
    for attempt in range(3):
        try:
            loaded = read_directory(directory) if directory.is_dir() else Loaded()
            break
        except FileNotFoundError:  # a compaction removed a segment meanwhile: read again
            if attempt == 2:
                raise
    if not loaded.found:
        legacy = _read_legacy(directory) if directory.is_dir() else None
        loaded = legacy or Loaded(schema=SCHEMA)
    return loaded


def read_store(data_dir: str | os.PathLike[str]) -> TinyStore:
    """What the bot running on ``data_dir`` has committed, read without its lock; read-only."""
    directory = Path(data_dir)
    loaded = read_committed(directory)
    loaded.tables = migrate(loaded.tables, loaded.schema)
    _quarantine(None, loaded.tables)
    return TinyStore(JournalStorage(None, loaded), read_only=True, audit_dir=directory)


def last_error(data_dir: str | os.PathLike[str]) -> str | None:
    """The last commit error the bot on ``data_dir`` could leave in ``health.json``, if any."""
    try:
        data = json.loads((Path(data_dir) / HEALTH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("last_error"):
        return None
    state = "still failing" if data.get("failing") else "recovered"
    return f"{data['last_error']} at {data.get('at')} ({state})"
