"""The bot's durable state: one locked, atomically written TinyDB file under DATA_DIR."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from tinydb import TinyDB, where
from tinydb.middlewares import Middleware
from tinydb.queries import QueryLike
from tinydb.storages import MemoryStorage, Storage

from bot.schedule import Announcement, Group, OutboxRow, Subscription
from bot.unanswered import Unanswered

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
LOCK_FILE = "bot.lock"
MAX_UNANSWERED = 5000

Tables = dict[str, dict[str, Any]]


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


class CorruptStateError(ValueError):
    """A state file that is not a JSON object of TinyDB tables."""


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text``; after a crash it holds either the old or the new text."""
    write_all_atomically({path: text})


def write_all_atomically(texts: dict[Path, str]) -> None:
    """Replace several files: each is written and flushed aside first, then all are renamed.

    After a crash each file holds its old or its new text; the window in which some hold the
    new and others the old is only that of the renames.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in texts.items():
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((temp, path))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        for temp, path in staged:
            os.replace(temp, path)
    except BaseException:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        raise
    # The renames are durable only once the directory entries are on disk.
    for directory in dict.fromkeys(path.parent for path in texts):
        _fsync_directory(directory)


def _read_state(path: Path) -> str:
    """Return the text of a valid state file; raise FileNotFoundError or CorruptStateError."""
    try:
        text = path.read_text(encoding="utf-8")
        tables = json.loads(text)
    except ValueError as exc:  # bad UTF-8 or bad JSON, including an empty file
        raise CorruptStateError(f"not valid JSON: {exc}") from exc
    if not isinstance(tables, dict):
        raise CorruptStateError("the top level is not an object of tables")
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise CorruptStateError(f"table {name!r} is not an object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise CorruptStateError(f"table {name!r} has a malformed document {doc_id!r}")
    return text


def _move_aside(path: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, aside)
    _fsync_directory(path.parent)
    return aside


class AtomicJSONStorage(Storage):
    """TinyDB storage whose every write is atomic, with the last good copy kept in ``<file>.bak``.

    The main file is the commit point; the copy is rewritten after it, so it holds the same state
    (or, after a crash between the two, the one before). At open a corrupt main file is moved
    aside and the copy restored, loudly.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        self.backup = self.path.with_name(f"{self.path.name}.bak")
        self._text = self._load()

    def read(self) -> Tables | None:
        """Return a fresh copy of the last committed state, or None when there is none yet."""
        return None if self._text is None else json.loads(self._text)

    def write(self, data: Tables) -> None:
        """Commit ``data``: once this returns it survives a crash."""
        text = json.dumps(data, ensure_ascii=False)
        write_atomically(self.path, text)
        self._text = text
        write_atomically(self.backup, text)

    def _load(self) -> str | None:
        try:
            return _read_state(self.path)
        except FileNotFoundError:
            if not self.backup.exists():
                return None
            log.critical("State file %s is missing but its copy %s exists.", self.path, self.backup)
        except CorruptStateError as problem:
            aside = _move_aside(self.path)
            log.critical("State file %s is corrupt (%s); moved it to %s.",
                         self.path, problem, aside)
        return self._restore_backup()

    def _restore_backup(self) -> str | None:
        try:
            text = _read_state(self.backup)
        except FileNotFoundError:
            log.critical("No last good copy %s: starting with EMPTY state.", self.backup)
            return None
        except CorruptStateError as problem:
            aside = _move_aside(self.backup)
            log.critical("Last good copy %s is corrupt too (%s); moved it to %s. "
                         "Starting with EMPTY state.", self.backup, problem, aside)
            return None
        write_atomically(self.path, text)
        log.critical("Restored %s from its last good copy %s.", self.path, self.backup)
        return text


class BatchingMiddleware(Middleware):
    """Turns the writes made inside ``batch()`` into one write of the storage below, or none.

    The storage below must return a private copy from ``read()``.
    """

    def __init__(self, storage_cls: Callable[..., Storage]) -> None:
        super().__init__(storage_cls)
        self._depth = 0
        self._pending: Tables | None = None
        self._dirty = False

    def read(self) -> Tables | None:
        """Return the state, including the current batch's uncommitted writes."""
        if not self._depth:
            return self.storage.read()
        if self._pending is None:
            # Storages here read a private copy, so nothing reaches them before the commit.
            self._pending = self.storage.read() or {}
        return self._pending

    def write(self, data: Tables) -> None:
        """Write through, or hold the data until the batch ends."""
        if not self._depth:
            self.storage.write(data)
            return
        self._pending, self._dirty = data, True

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Commit the writes made inside as one when the outermost batch ends; none if it raises."""
        self._depth += 1
        try:
            yield
            if self._depth == 1 and self._dirty:
                self.storage.write(self._pending)
        finally:
            self._depth -= 1
            if not self._depth:
                self._pending, self._dirty = None, False


def _subscription_doc(subscription: Subscription) -> dict[str, Any]:
    return {**asdict(subscription), "created_at": subscription.created_at.isoformat()}


def _subscription(doc: dict[str, Any]) -> Subscription:
    return Subscription(**{**doc, "created_at": dt.datetime.fromisoformat(doc["created_at"])})


def _group_doc(group: Group) -> dict[str, Any]:
    return {**asdict(group), "districts": list(group.districts)}


def _group(doc: dict[str, Any]) -> Group:
    return Group(doc["chat_id"], tuple(doc["districts"]), doc.get("title", ""))


def _announcement_doc(announcement: Announcement) -> dict[str, Any]:
    send_at = announcement.send_at and announcement.send_at.isoformat()
    return {**asdict(announcement), "created_at": announcement.created_at.isoformat(),
            "send_at": send_at}


def _announcement(doc: dict[str, Any]) -> Announcement:
    send_at = doc["send_at"] and dt.datetime.fromisoformat(doc["send_at"])
    return Announcement(**{**doc, "created_at": dt.datetime.fromisoformat(doc["created_at"]),
                           "send_at": send_at})


def _row_doc(row: OutboxRow) -> dict[str, Any]:
    not_before = row.not_before and row.not_before.isoformat()
    return {**asdict(row), "id": row.id, "not_before": not_before}


def _row(doc: dict[str, Any]) -> OutboxRow:
    fields = {key: value for key, value in doc.items() if key != "id"}
    if fields["not_before"] is not None:
        fields["not_before"] = dt.datetime.fromisoformat(fields["not_before"])
    return OutboxRow(**fields)


class Store:
    """The bot's state: subscriptions, groups, announcements, the outbox and the sent log.

    Every method is one commit: in a file store its changes are on disk, all or none, when it
    returns. Build it with ``open_store`` (the bot) or ``memory_store`` (tests).
    """

    def __init__(self, storage: BatchingMiddleware, *args: Any, lock_fd: int | None = None) -> None:
        self._storage = storage
        self._db = TinyDB(*args, storage=storage)
        self._lock_fd = lock_fd
        # No query caches: a batch that fails must not leave its results cached.
        self._subscriptions = self._db.table("subscriptions", cache_size=0)
        self._groups = self._db.table("groups", cache_size=0)
        self._outbox = self._db.table("outbox", cache_size=0)
        self._sent_log = self._db.table("sent_log", cache_size=0)
        self._announcements = self._db.table("announcements", cache_size=0)
        self._unanswered = self._db.table("unanswered", cache_size=0)

    def close(self) -> None:
        """Close the file and release the data directory."""
        self._db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """Every subscription, or one chat's, oldest first."""
        if chat_id is None:
            return [_subscription(doc) for doc in self._subscriptions.all()]
        docs = self._subscriptions.search(where("chat_id") == chat_id)
        return [_subscription(doc) for doc in docs]

    def subscription(self, subscription_id: str) -> Subscription | None:
        """The subscription with this id, or None once it is gone."""
        doc = self._subscriptions.get(where("id") == subscription_id)
        return None if doc is None else _subscription(doc)

    def save_subscription(self, subscription: Subscription) -> Subscription:
        """Store a subscription and return it as stored.

        It replaces the chat's subscription to the same district and keeps that one's id, so the
        reminder job ``reminder:<id>`` is rescheduled rather than duplicated.
        """
        same = (where("chat_id") == subscription.chat_id) & (
            where("district") == subscription.district)
        with self._storage.batch():
            existing = self._subscriptions.get(same)
            if existing is not None:
                subscription = replace(subscription, id=existing["id"])
            self._subscriptions.upsert(_subscription_doc(subscription), same)
        return subscription

    def remove_subscriptions(self, chat_id: int, district: str | None = None) -> list[Subscription]:
        """Remove a chat's subscriptions (to ``district`` only, if given) and return them."""
        cond = where("chat_id") == chat_id
        if district is not None:
            cond &= where("district") == district
        with self._storage.batch():
            removed = [_subscription(doc) for doc in self._subscriptions.search(cond)]
            self._subscriptions.remove(cond)
        return removed

    def groups(self) -> list[Group]:
        """Every group registered for announcements."""
        return [_group(doc) for doc in self._groups.all()]

    def group(self, chat_id: int) -> Group | None:
        """The group's registration, or None."""
        doc = self._groups.get(where("chat_id") == chat_id)
        return None if doc is None else _group(doc)

    def save_group(self, group: Group) -> None:
        """Register a group, replacing its earlier registration."""
        with self._storage.batch():
            self._groups.upsert(_group_doc(group), where("chat_id") == group.chat_id)

    def remove_group(self, chat_id: int) -> bool:
        """Unregister a group; False if it was not registered."""
        with self._storage.batch():
            return bool(self._groups.remove(where("chat_id") == chat_id))

    def announcement(self, announcement_id: str) -> Announcement | None:
        """The announcement with this id, or None."""
        doc = self._announcements.get(where("id") == announcement_id)
        return None if doc is None else _announcement(doc)

    def announcements(self, state: str) -> list[Announcement]:
        """Announcements in one state (``draft``, ``queued``, ``cancelled``, ``reported``)."""
        return [_announcement(doc) for doc in self._announcements.search(where("state") == state)]

    def save_announcement(self, announcement: Announcement,
                          rows: Iterable[OutboxRow] = (), now: dt.datetime | None = None) -> None:
        """Store an announcement and, in the same commit, enqueue ``rows`` (at ``now``)."""
        with self._storage.batch():
            self._announcements.upsert(_announcement_doc(announcement),
                                       where("id") == announcement.id)
            rows = list(rows)
            if rows:
                if now is None:
                    raise ValueError("enqueuing rows needs the time")
                self.enqueue(rows, now)

    def enqueue(self, rows: Iterable[OutboxRow], now: dt.datetime) -> list[OutboxRow]:
        """Add the rows not yet in the outbox, log their messages as sent, return the rows added.

        Idempotent: enqueuing the same (message, chat) again adds nothing, so a caller that
        crashed before this returned can simply enqueue again.
        """
        rows = list(rows)
        with self._storage.batch():
            added = self._insert_rows(rows)
            logged = self.sent_keys()
            keys = dict.fromkeys(row.message_key for row in rows if row.message_key not in logged)
            self._sent_log.insert_multiple({"key": key, "at": now.isoformat()} for key in keys)
        return added

    def sent_keys(self) -> set[str]:
        """Keys of every message ever enqueued (``reminder:…``, ``announce:…``)."""
        return {doc["key"] for doc in self._sent_log.all()}

    def pending(self, now: dt.datetime) -> list[OutboxRow]:
        """Rows to deliver at ``now``, oldest first."""
        return [row for row in self._rows(where("state") == "pending") if row.is_due(now)]

    def next_attempt(self) -> dt.datetime | None:
        """When the earliest held-back pending row may be sent; None when none is held back."""
        held = [row.not_before for row in self._rows(where("state") == "pending")
                if row.not_before is not None]
        return min(held, default=None)

    def rows(self, message_key: str) -> list[OutboxRow]:
        """Every row of one message, e.g. to report on a broadcast."""
        return self._rows(where("message_key") == message_key)

    def save_row(self, row: OutboxRow) -> None:
        """Record a row's new state after a delivery attempt."""
        with self._storage.batch():
            if not self._outbox.update(_row_doc(row), where("id") == row.id):
                raise KeyError(f"no outbox row {row.id}")

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move a chat's subscriptions, group registration and pending rows to its new id."""
        pending_here = (where("chat_id") == old_chat_id) & (where("state") == "pending")
        with self._storage.batch():
            for subscription in self.remove_subscriptions(old_chat_id):
                self.save_subscription(replace(subscription, chat_id=new_chat_id))
            group = self._groups.get(where("chat_id") == old_chat_id)
            if group is not None:
                self.remove_group(old_chat_id)
                self.save_group(replace(_group(group), chat_id=new_chat_id))
            moved = [row.moved_to(new_chat_id) for row in self._rows(pending_here)]
            self._outbox.remove(pending_here)
            self._insert_rows(moved)

    def drop_chat(self, chat_id: int, reason: str) -> list[Subscription]:
        """Stop all delivery to a chat that blocked or removed the bot (``Forbidden``).

        Its pending rows become inactive; its subscriptions and group registration are removed.
        Returns the removed subscriptions, whose jobs the caller cancels.
        """
        with self._storage.batch():
            for row in self._rows((where("chat_id") == chat_id) & (where("state") == "pending")):
                self.save_row(row.inactive(reason))
            self.remove_group(chat_id)
            return self.remove_subscriptions(chat_id)

    def forget_before(self, cutoff: dt.datetime) -> int:
        """Drop history from before ``cutoff``: delivered messages, settled announcements.

        A message goes once none of its rows is pending; queued announcements stay. Returns
        the number of messages forgotten.
        """
        with self._storage.batch():
            old = {doc["key"] for doc in self._sent_log.all()
                   if dt.datetime.fromisoformat(doc["at"]) < cutoff}
            pending = {row.message_key for row in self._rows(where("state") == "pending")}
            done = old - pending
            self._outbox.remove(where("message_key").one_of(list(done)))
            self._sent_log.remove(where("key").one_of(list(done)))
            self._announcements.remove(
                (where("state") != "queued")
                & where("created_at").test(lambda at: dt.datetime.fromisoformat(at) < cutoff))
        return len(done)

    def log_unanswered(self, entry: Unanswered) -> None:
        """Add a question to the log, keeping the newest ``MAX_UNANSWERED``."""
        with self._storage.batch():
            self._unanswered.insert({**asdict(entry), "at": entry.at.isoformat()})
            excess = len(self._unanswered) - MAX_UNANSWERED
            if excess > 0:
                oldest = sorted(doc.doc_id for doc in self._unanswered.all())[:excess]
                self._unanswered.remove(doc_ids=oldest)

    def unanswered(self) -> list[Unanswered]:
        """The logged questions, oldest first."""
        return [Unanswered(**{**doc, "at": dt.datetime.fromisoformat(doc["at"])})
                for doc in self._unanswered.all()]

    def _rows(self, cond: QueryLike) -> list[OutboxRow]:
        return [_row(doc) for doc in self._outbox.search(cond)]

    def _insert_rows(self, rows: list[OutboxRow]) -> list[OutboxRow]:
        known = {doc["id"] for doc in self._outbox.all()}
        added = []
        for row in rows:
            if row.id not in known:
                known.add(row.id)
                added.append(row)
        self._outbox.insert_multiple(_row_doc(row) for row in added)
        return added


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


def open_store(data_dir: str | os.PathLike[str]) -> Store:
    """Lock ``data_dir`` for this process and open the state in it (DataDirLocked if taken)."""
    directory = Path(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    lock_fd = _lock(directory)
    try:
        # Temp files left by a killed writer are never part of the committed state.
        for leftover in directory.glob(f".{STATE_FILE}.*.tmp"):
            leftover.unlink()
        return Store(BatchingMiddleware(AtomicJSONStorage), directory / STATE_FILE,
                     lock_fd=lock_fd)
    except BaseException:
        os.close(lock_fd)
        raise


class _CopyingMemoryStorage(MemoryStorage):
    """TinyDB's memory storage, reading a private copy like the file storage does."""

    def read(self) -> Tables | None:
        """Return a copy of the state, or None when there is none yet."""
        return copy.deepcopy(super().read())


def memory_store() -> Store:
    """Return a store kept in memory, behaving the same, for tests of other modules."""
    return Store(BatchingMiddleware(_CopyingMemoryStorage))


class _SnapshotStorage(_CopyingMemoryStorage):
    """The committed state of a state file, read once; writes stay in memory."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        for candidate in (path, path.with_name(f"{path.name}.bak")):
            try:
                self.memory = json.loads(_read_state(candidate))
                return
            except (FileNotFoundError, CorruptStateError):
                continue


def snapshot_store(data_dir: str | os.PathLike[str]) -> Store:
    """Read the state a running bot has committed, without its lock and without writing.

    For reports from another process (``thidua kb unanswered``).
    """
    return Store(BatchingMiddleware(_SnapshotStorage), Path(data_dir) / STATE_FILE)
