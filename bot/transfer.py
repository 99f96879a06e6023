"""Copying the whole state between a data directory (TinyDB) and PostgreSQL, with counts.

``thidua state migrate --to postgres`` reads ``DATA_DIR`` as the bot would (schema migrated,
every document checked) while holding its lock, so no bot runs on it, and copies every table
and the audit log into an empty database. ``--to tinydb`` writes a database's state into a
data directory without state, as a snapshot the bot opens. Both count each table on both sides.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bot.journal import SNAPSHOT, segments, snapshot_text, write_atomically
from bot.migrations import SCHEMA
from bot.pgstore import TABLES, PostgresStore
from bot.records import decode, encode
from bot.storage import AUDIT_FILE, LEGACY_FILE, open_store, read_audit_lines

Counts = dict[str, int]


def _numbered(lines: list[str]) -> dict[str, Any]:
    return {f"{n:012d}": json.loads(line) for n, line in enumerate(lines, 1) if line.strip()}


async def to_postgres(data_dir: Path, url: str) -> tuple[Counts, Counts]:
    """Copy ``data_dir``'s state into the empty database at ``url``; counts read, written."""
    store = open_store(data_dir)  # DataDirLocked while a bot runs there
    try:
        tables = {name: dict(docs) for name, docs in store.export_tables().items()}
    finally:
        await store.close()
    tables["audit"] = _numbered(read_audit_lines(data_dir))
    target = PostgresStore(url, register=False)
    await target.connect()
    try:
        await target.import_tables(tables)
        written = {name: len(docs) for name, docs in (await target.export_tables()).items()}
    finally:
        await target.close()
    return {name: len(tables.get(name, {})) for name in TABLES}, written


def _has_state(data_dir: Path) -> bool:
    return data_dir.is_dir() and bool(
        (data_dir / SNAPSHOT).exists() or segments(data_dir) or (data_dir / LEGACY_FILE).exists()
        or (data_dir / AUDIT_FILE).exists())


async def to_tinydb(url: str, data_dir: Path) -> tuple[Counts, Counts]:
    """Write the state of the database at ``url`` into ``data_dir``; counts read, written."""
    if _has_state(data_dir):
        raise ValueError(f"{data_dir} already holds a bot's state: copy only into an empty "
                         "data directory")
    source = PostgresStore(url, register=False)
    await source.connect()
    try:
        tables = await source.export_tables()
    finally:
        await source.close()
    for name, docs in tables.items():  # checked before anything is written
        for doc in docs.values():
            encode(decode(TABLES[name][0], doc))
    audit = tables.pop("audit")
    outbox = tables.get("outbox", {})
    tables["meta"] = {"counters": {
        "outbox": max((doc["seq"] for doc in outbox.values()), default=0),
        "unanswered": max((int(key) for key in tables.get("unanswered", {})), default=0)}}
    data_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(data_dir / SNAPSHOT, snapshot_text(tables, SCHEMA, 0, 0))
    write_atomically(data_dir / AUDIT_FILE, "".join(
        json.dumps(audit[key], ensure_ascii=False) + "\n" for key in sorted(audit)))
    os.chmod(data_dir / AUDIT_FILE, 0o600)
    store = open_store(data_dir)
    try:
        written = {name: len(docs) for name, docs in store.export_tables().items()}
    finally:
        await store.close()
    written["audit"] = len(read_audit_lines(data_dir))
    read = {name: len(tables.get(name, {})) for name in TABLES}
    read["audit"] = len(audit)
    return read, written


def counts_text(read: Counts, written: Counts) -> list[str]:
    """One line per table: how many documents were read and how many the target holds."""
    return [f"{name:<14} {read.get(name, 0):>8,} read  {written.get(name, 0):>8,} written"
            + ("" if read.get(name, 0) == written.get(name, 0) else "  MISMATCH")
            for name in TABLES]

