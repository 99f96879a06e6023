"""Checking, backing up and restoring a data directory's state (``thidua state …``)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.journal import (
    SNAPSHOT,
    CorruptSnapshot,
    backups,
    fsync_directory,
    read_snapshot,
    segments,
    snapshot_text,
    write_atomically,
    write_backup,
)
from bot.migrations import SCHEMA, migrate
from bot.storage import (
    DEFAULT_BACKUPS,
    QUARANTINE_FILE,
    _lock,
    bad_documents,
    read_committed,
)


@dataclass
class StateReport:
    """What ``thidua state check`` found: lines to print, and which of them are problems."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        """Add a problem (printed, and the check fails)."""
        self.problems.append(text)
        self.lines.append(f"PROBLEM: {text}")


def check_state(data_dir: Path) -> StateReport:
    """Read the state as the bot would (without changing anything) and report on it."""
    report = StateReport()
    try:
        loaded = read_committed(data_dir)
    except CorruptSnapshot as problem:
        report.problem(f"{problem}; the bot would restore the newest backup")
        return report
    for problem in loaded.problems:
        report.problem(problem)
    try:
        tables = migrate(loaded.tables, loaded.schema)
    except ValueError as problem:
        report.problem(str(problem))
        return report
    report.lines.append(f"State in {data_dir.resolve()}: schema {loaded.schema}"
                        + (f" (the bot moves it to {SCHEMA})" if loaded.schema != SCHEMA else "")
                        + f", {loaded.replayed} commit(s) in the journal after the snapshot.")
    for name in sorted(tables):
        report.lines.append(f"  {name}: {len(tables[name])} document(s)")
    for bad in bad_documents(tables):
        report.problem(f"{bad['table']} document {bad['key']!r}: {bad['problem']} "
                       "(the bot quarantines it at start)")
    quarantine = data_dir / QUARANTINE_FILE
    if quarantine.exists():
        count = sum(1 for _ in quarantine.open(encoding="utf-8", errors="replace"))
        report.lines.append(f"Quarantined earlier: {count} document(s) in {quarantine}.")
    kept = backups(data_dir)
    report.lines.append(f"Backups: {len(kept)}" + (f", newest {kept[0].name}" if kept else ""))
    report.lines.append("OK" if not report.problems else f"{len(report.problems)} problem(s).")
    return report


def backup_state(data_dir: Path, output: Path | None = None,
                 keep: int = DEFAULT_BACKUPS) -> Path:
    """Write the committed state as one snapshot: to ``output``, or a new generation."""
    loaded = read_committed(data_dir)
    tables = migrate(loaded.tables, loaded.schema)
    text = snapshot_text(tables, SCHEMA, 0, loaded.seq)
    if output is None:
        return write_backup(data_dir, text, dt.datetime.now(dt.UTC), keep)
    write_atomically(output, text)
    return output


def restore_state(data_dir: Path, backup: Path) -> Path:
    """Replace the state by ``backup`` while no bot runs; return where the old state went.

    Raises DataDirLocked while a bot runs, ValueError for a file that is no snapshot.
    """
    try:
        restored = read_snapshot(backup)
    except CorruptSnapshot as problem:
        raise ValueError(f"{backup} is not a state backup: {problem}") from None
    migrate(restored.tables, restored.schema)  # refuses a schema newer than this bot's
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock(data_dir)
    try:
        kept = backup_state(data_dir, keep=DEFAULT_BACKUPS + 1)
        last = max((number for number, _ in segments(data_dir)), default=0)
        # The snapshot names the last segment it replaces, so a crash now loses nothing.
        write_atomically(data_dir / SNAPSHOT,
                         snapshot_text(restored.tables, restored.schema, last, restored.seq))
        for _, path in segments(data_dir):
            path.unlink()
        fsync_directory(data_dir)
    finally:
        os.close(lock)
    return kept
