"""The state's files: a snapshot plus an append-only journal of commits, as a TinyDB storage.

A commit appends one line (the documents it changed, ``null`` for removed ones) to the current
journal segment and fsyncs it, so its cost does not depend on the size of the state. When the
segment has grown past the snapshot's size it is sealed and a separate process folds the sealed
segments into a new snapshot (``python -m bot.journal compact DIR SEGMENT``), so the bot's event
loop never serialises the whole state. At open, the snapshot and the segments after it are read
back; a torn last line (a kill during a write) is dropped, a damaged line elsewhere is skipped
loudly. Several generations of the snapshot are kept in ``backups/``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinydb.storages import Storage
from tinydb.table import Table

log = logging.getLogger(__name__)

SNAPSHOT = "snapshot.json"
BACKUPS = "backups"
FORMAT = "thidua-state"
_SEGMENT = re.compile(r"^journal-(\d{6})\.jsonl$")
# A segment is sealed once it outgrows the snapshot, and never before this many bytes.
MIN_SEGMENT_BYTES = 1 << 20
BACKUP_INTERVAL = dt.timedelta(hours=6)

Tables = dict[str, dict[str, Any]]
Writer = Callable[[int, bytes], None]


class CorruptSnapshot(ValueError):
    """A snapshot file that cannot be read as one."""


def segment_name(number: int) -> str:
    """The file name of journal segment ``number``."""
    return f"journal-{number:06d}.jsonl"


def segments(directory: Path) -> list[tuple[int, Path]]:
    """The journal segments in ``directory``, oldest first."""
    found = [(int(m[1]), path) for path in directory.iterdir()
             if (m := _SEGMENT.match(path.name))]
    return sorted(found)


def fsync_directory(directory: Path) -> None:
    """Make renames and new files in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, content: str | bytes) -> None:
    """Replace ``path`` by ``content``; after a crash it holds either the old or the new one."""
    write_all_atomically({path: content})


def write_all_atomically(contents: dict[Path, str] | dict[Path, bytes]) -> None:
    """Replace several files: each is written and flushed aside first, then all are renamed.

    After a crash each file holds its old or its new content; the window in which some hold the
    new and others the old is only that of the renames. Text is written as UTF-8.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, content in contents.items():
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((temp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(content.encode() if isinstance(content, str) else content)
                handle.flush()
                os.fsync(handle.fileno())
        for temp, path in staged:
            os.replace(temp, path)
    except BaseException:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        raise
    for directory in dict.fromkeys(path.parent for path in contents):
        fsync_directory(directory)


@dataclass
class Loaded:
    """What was read back from a directory: the tables and where the journal stands."""

    tables: Tables = field(default_factory=dict)
    schema: int = 0
    segment: int = 0  # the last segment folded in or replayed
    seq: int = 0  # the last commit's sequence number
    replayed: int = 0  # commits read from segments after the snapshot
    problems: list[str] = field(default_factory=list)
    found: bool = False  # whether a snapshot or a segment existed


def snapshot_text(tables: Tables, schema: int, segment: int, seq: int) -> str:
    """The snapshot file's text."""
    return json.dumps({"format": FORMAT, "schema": schema, "segment": segment, "seq": seq,
                       "tables": tables}, ensure_ascii=False)


def read_snapshot(path: Path) -> Loaded:
    """Read a snapshot file (FileNotFoundError, or CorruptSnapshot naming the problem)."""
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as problem:
        raise CorruptSnapshot(f"{path.name} is not valid JSON: {problem}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CorruptSnapshot(f"{path.name} is not a {FORMAT} snapshot")
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise CorruptSnapshot(f"{path.name}: its tables are not objects")
    numbers = (data.get("schema"), data.get("segment"), data.get("seq"))
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        raise CorruptSnapshot(f"{path.name}: schema, segment or seq is not a number")
    return Loaded(tables, *numbers, found=True)


def apply_commit(tables: Tables, changes: dict[str, dict[str, Any]]) -> None:
    """Apply one journal line's changes: a document replaces, ``None`` removes."""
    for name, docs in changes.items():
        table = tables.setdefault(name, {})
        for key, doc in docs.items():
            if doc is None:
                table.pop(key, None)
            else:
                table[key] = doc


def replay(loaded: Loaded, path: Path, number: int, *, last: bool) -> None:
    """Apply the commits of segment ``path`` to ``loaded``; a torn tail of the last is dropped."""
    lines = path.read_bytes().split(b"\n")
    tail = lines.pop()  # after the final newline: empty, or a line cut short by a kill
    if tail and not last:
        loaded.problems.append(f"{path.name}: an unfinished line in a sealed segment, skipped")
    for index, raw in enumerate(lines, 1):
        try:
            line = json.loads(raw)
            seq, changes = line["n"], line["c"]
            if not isinstance(changes, dict) or not all(
                    isinstance(docs, dict) for docs in changes.values()):
                raise ValueError("changes are not objects")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as problem:
            loaded.problems.append(f"{path.name}:{index}: damaged commit skipped ({problem})")
            continue
        apply_commit(loaded.tables, changes)
        loaded.seq = max(loaded.seq, seq)
        loaded.replayed += 1
    loaded.segment = number


def read_directory(directory: Path) -> Loaded:
    """The state in ``directory``: the snapshot, then every later segment.

    A corrupt snapshot raises CorruptSnapshot; the caller decides what to restore.
    """
    try:
        loaded = read_snapshot(directory / SNAPSHOT)
    except FileNotFoundError:
        loaded = Loaded()
    later = [(n, path) for n, path in segments(directory) if n > loaded.segment]
    for index, (number, path) in enumerate(later):
        loaded.found = True
        replay(loaded, path, number, last=index == len(later) - 1)
    return loaded


def backups(directory: Path) -> list[Path]:
    """The kept snapshot generations, newest first."""
    folder = directory / BACKUPS
    if not folder.is_dir():
        return []
    return sorted(folder.glob("state-*.json"), reverse=True)


def write_backup(directory: Path, text: str, now: dt.datetime, keep: int) -> Path:
    """Add a generation to ``backups/`` and drop the oldest beyond ``keep``."""
    folder = directory / BACKUPS
    folder.mkdir(exist_ok=True)
    path = folder / f"state-{now.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}.json"
    write_atomically(path, text)
    for old in backups(directory)[keep:]:
        old.unlink()
    return path


def backup_due(directory: Path, now: dt.datetime) -> bool:
    """Whether the newest backup is older than ``BACKUP_INTERVAL`` (or there is none)."""
    kept = backups(directory)
    if not kept:
        return True
    stamp = kept[0].stem.removeprefix("state-")
    try:
        last = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return True
    return now - last >= BACKUP_INTERVAL


def compact(directory: Path, upto: int, schema: int, keep_backups: int) -> None:
    """Fold the segments up to ``upto`` into a new snapshot, then delete them.

    Runs beside the bot (which appends only to later segments). After a crash at any point the
    directory reads back the same: the new snapshot names the last segment it holds.
    """
    loaded = read_snapshot(directory / SNAPSHOT) if (directory / SNAPSHOT).exists() else Loaded()
    todo = [(n, p) for n, p in segments(directory) if loaded.segment < n <= upto]
    for number, path in todo:
        replay(loaded, path, number, last=False)
    for problem in loaded.problems:
        log.critical("State journal in %s: %s", directory, problem)
    text = snapshot_text(loaded.tables, schema, max(upto, loaded.segment), loaded.seq)
    write_atomically(directory / SNAPSHOT, text)
    for number, path in segments(directory):
        if number <= upto:
            path.unlink()
    now = dt.datetime.now(dt.UTC)
    if backup_due(directory, now):
        write_backup(directory, text, now, keep_backups)


class JournalStorage(Storage):
    """TinyDB storage over the live tables; ``KeyedTable`` reports each changed document.

    ``prepare`` turns the changes since the last commit into one journal line, ``append``
    writes it (blocking: call it off the event loop), ``rollback`` undoes changes whose commit
    failed. ``directory=None`` keeps everything in memory (tests) with the same behaviour.
    """

    def __init__(self, directory: Path | None, loaded: Loaded,
                 writer: Writer | None = None) -> None:
        super().__init__()
        self.directory = directory
        self.tables = loaded.tables
        self.seq = loaded.seq
        self.segment = loaded.segment + 1
        self.segment_bytes = 0
        self.snapshot_bytes = 0
        self._write = writer or _write_all
        self._originals: dict[tuple[str, str], Any] = {}
        self._fd: int | None = None
        if directory is not None:
            snapshot = directory / SNAPSHOT
            self.snapshot_bytes = snapshot.stat().st_size if snapshot.exists() else 0
            self._open_segment()

    def read(self) -> Tables:
        """The live tables (TinyDB reads and changes them in place)."""
        return self.tables

    def write(self, data: Tables) -> None:
        """Nothing to do: ``KeyedTable`` has reported each change already."""

    def close(self) -> None:
        """Close the current segment."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def touched(self, table: str, key: str) -> None:
        """Note a document about to change; the first time, keep its original for rollback."""
        if (table, key) not in self._originals:
            original = self.tables.get(table, {}).get(key)
            self._originals[table, key] = copy.deepcopy(original)

    @property
    def dirty(self) -> bool:
        """Whether documents changed since the last commit."""
        return bool(self._originals)

    def prepare(self) -> bytes:
        """The journal line of the changes since the last commit (clears them)."""
        changes: dict[str, dict[str, Any]] = {}
        for table, key in self._originals:
            changes.setdefault(table, {})[key] = self.tables.get(table, {}).get(key)
        self.seq += 1
        return (json.dumps({"n": self.seq, "c": changes}, ensure_ascii=False) + "\n").encode()

    def settle(self) -> None:
        """Forget the originals once the commit is durable."""
        self._originals.clear()

    def rollback(self) -> None:
        """Put back every document changed since the last commit."""
        for (table, key), original in self._originals.items():
            docs = self.tables.setdefault(table, {})
            if original is None:
                docs.pop(key, None)
            else:
                docs[key] = original
        self._originals.clear()

    def append(self, line: bytes) -> None:
        """Write one journal line durably (blocking). On failure the segment is cut back."""
        if self._fd is None:
            return
        try:
            self._write(self._fd, line)
            os.fsync(self._fd)
        except BaseException:
            # A partial line would corrupt the next commit's line: cut it off.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self.segment_bytes)
            raise
        self.segment_bytes += len(line)

    @property
    def wants_compaction(self) -> bool:
        """Whether the current segment has outgrown the snapshot."""
        return (self.directory is not None
                and self.segment_bytes > max(MIN_SEGMENT_BYTES, self.snapshot_bytes))

    def seal(self) -> int:
        """Start a new segment; return the number of the last sealed one."""
        sealed = self.segment
        self.close()
        self.segment += 1
        self._open_segment()
        return sealed

    def _open_segment(self) -> None:
        assert self.directory is not None
        path = self.directory / segment_name(self.segment)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.segment_bytes = os.fstat(self._fd).st_size
        fsync_directory(self.directory)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Recorded(MutableMapping[str, Any]):
    """A table's live documents, telling the storage which ones an operation changes."""

    def __init__(self, docs: dict[str, Any], storage: JournalStorage, table: str) -> None:
        self._docs = docs
        self._storage = storage
        self._table = table

    def __getitem__(self, key: str) -> Any:
        # TinyDB updates a document in place after reading it.
        self._storage.touched(self._table, key)
        return self._docs[key]

    def __setitem__(self, key: str, doc: Any) -> None:
        self._storage.touched(self._table, key)
        self._docs[key] = doc

    def __delitem__(self, key: str) -> None:
        self._storage.touched(self._table, key)
        del self._docs[key]

    def __contains__(self, key: object) -> bool:
        return key in self._docs

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)


class KeyedTable(Table):
    """A TinyDB table whose documents are keyed by the store (text ids), changed in place.

    TinyDB's own tables rebuild the whole table on every write; this one changes only the
    documents an operation names, so a write costs the same at any size. Always address
    documents by id (``Document(doc, doc_id=key)``, ``doc_ids=[…]``) when changing them.
    """

    document_id_class = str

    def _update_table(self, updater: Callable[[dict[str, Any]], None]) -> None:
        storage = self._storage
        assert isinstance(storage, JournalStorage)
        docs = storage.tables.setdefault(self.name, {})
        updater(_Recorded(docs, storage, self.name))  # type: ignore[arg-type]
        self.clear_cache()


def main(argv: list[str]) -> int:
    """``python -m bot.journal compact DIR SEGMENT SCHEMA BACKUPS``: the compactor process."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if len(argv) != 5 or argv[0] != "compact":
        print("usage: python -m bot.journal compact DIR SEGMENT SCHEMA BACKUPS", file=sys.stderr)
        return 2
    compact(Path(argv[1]), int(argv[2]), int(argv[3]), int(argv[4]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
