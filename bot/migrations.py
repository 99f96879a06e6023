"""The state's schema version and the steps that bring older state up to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Tables = dict[str, dict[str, Any]]
SCHEMA = 4


def _by_int_id(table: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(table.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0)


def _keyed(docs: list[tuple[str, Any]], key: Callable[[dict[str, Any]], str]) -> dict[str, Any]:
    """Re-key documents by ``key(doc)``; one that lacks it keeps its old id for quarantine."""
    keyed: dict[str, Any] = {}
    for old_id, doc in docs:
        try:
            keyed[key(doc)] = doc
        except (KeyError, TypeError):
            keyed[f"v1-{old_id}"] = doc
    return keyed


def _v1_to_v2(tables: Tables) -> Tables:
    """From one TinyDB file with numbered documents to documents keyed by what they are.

    Outbox rows get their enqueue order (``seq``) from their old numbers, the unanswered log
    numbered keys that the store trims from the oldest.
    """
    outbox = _by_int_id(tables.get("outbox", {}))
    for seq, (_, doc) in enumerate(outbox, 1):
        if isinstance(doc, dict):
            doc.setdefault("seq", seq)
    unanswered = [doc for _, doc in _by_int_id(tables.get("unanswered", {}))]
    return {
        "subscriptions": _keyed(_by_int_id(tables.get("subscriptions", {})),
                                lambda d: str(d["id"])),
        "groups": _keyed(_by_int_id(tables.get("groups", {})), lambda d: str(d["chat_id"])),
        "announcements": _keyed(_by_int_id(tables.get("announcements", {})),
                                lambda d: str(d["id"])),
        "outbox": _keyed(outbox, lambda d: f"{d['message_key']}|{d['chat_id']}"),
        "sent_log": _keyed(_by_int_id(tables.get("sent_log", {})), lambda d: str(d["key"])),
        "unanswered": {f"{n:012d}": doc for n, doc in enumerate(unanswered, 1)},
        "meta": {"counters": {"outbox": len(outbox), "unanswered": len(unanswered)}},
    }


def _district_key(code: Any) -> Any:
    """A former district's code as the key of a unit of either map (``765`` → ``d765``)."""
    return f"d{code}" if isinstance(code, str) else code


def _v2_to_v3(tables: Tables) -> Tables:
    """Subscriptions, groups and announcements name any unit by its key, not a district code."""
    for doc in tables.get("subscriptions", {}).values():
        if isinstance(doc, dict) and "district" in doc:
            doc["place"] = _district_key(doc.pop("district"))
    for doc in tables.get("groups", {}).values():
        if isinstance(doc, dict) and "districts" in doc:
            codes = doc.pop("districts")
            doc["places"] = [_district_key(c) for c in codes] if isinstance(codes, list) else codes
    for doc in tables.get("announcements", {}).values():
        if isinstance(doc, dict) and "district" in doc:
            doc["place"] = _district_key(doc.pop("district"))
    return tables


def _v3_to_v4(tables: Tables) -> Tables:
    """Add ``report_drafts``: reports bot admins send, under review (issue 17)."""
    return {**tables, "report_drafts": tables.get("report_drafts", {})}


# MIGRATIONS[n] turns schema n into n + 1.
MIGRATIONS: dict[int, Callable[[Tables], Tables]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def migrate(tables: Tables, schema: int) -> Tables:
    """Bring ``tables`` from ``schema`` to ``SCHEMA`` (ValueError for a newer or unknown one)."""
    if schema > SCHEMA:
        raise ValueError(f"the state has schema {schema}, newer than this bot's {SCHEMA}: "
                         "run the newer version, or restore a backup")
    while schema < SCHEMA:
        tables = MIGRATIONS[schema](tables)
        schema += 1
    return tables
