"""The state's dataclasses as JSON documents, each checked field by field when read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from typing import Any, Literal, get_args, get_origin

from bot.schedule import Announcement, Group, OutboxRow, Subscription
from bot.unanswered import Unanswered

Document = dict[str, Any]


class BadDocument(ValueError):
    """A stored document of the wrong shape; the message names the field."""


@dataclasses.dataclass(frozen=True, slots=True)
class SentMark:
    """A message key that was enqueued once (reminder runs, announcements), and when."""

    key: str
    at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class InboxEntry:
    """A Telegram update recorded before it is handled (``payload`` as the Bot API sent it).

    Once handled, ``handled_at`` is set and the payload dropped; the id stays a while, so an
    update Telegram sends again (not yet confirmed when the bot stopped) is not handled twice.
    """

    update_id: int
    payload: dict[str, Any]
    received_at: dt.datetime
    handled_at: dt.datetime | None = None


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def encode(record: Any) -> Document:
    """The JSON document of a state dataclass."""
    return {field.name: _encode_value(getattr(record, field.name))
            for field in dataclasses.fields(record)}


def _check(name: str, kind: Any, value: Any) -> Any:
    """Return ``value`` as ``kind`` (datetime from ISO text, tuple from a list) or raise."""
    origin = get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = get_args(kind)
        if value is None and type(None) in options:
            return None
        problems = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _check(name, option, value)
            except BadDocument as problem:
                problems.append(str(problem))
        raise BadDocument("; ".join(problems))
    if origin is Literal:
        if value not in get_args(kind):
            raise BadDocument(f"{name}: {value!r} is not one of {get_args(kind)}")
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise BadDocument(f"{name}: expected a list, got {value!r}")
        return tuple(_check(name, get_args(kind)[0], item) for item in value)
    if origin is dict:
        if not isinstance(value, dict):
            raise BadDocument(f"{name}: expected an object, got {value!r}")
        return value
    if kind is dt.datetime:
        if not isinstance(value, str):
            raise BadDocument(f"{name}: expected an ISO time, got {value!r}")
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise BadDocument(f"{name}: {value!r} is not an ISO time") from None
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadDocument(f"{name}: expected a whole number, got {value!r}")
    if kind in (str, bool) and not isinstance(value, kind):
        raise BadDocument(f"{name}: expected {kind.__name__}, got {value!r}")
    return value


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """Each field's name, type and whether it is required."""
    hints = typing.get_type_hints(cls)
    return tuple((field.name, hints[field.name], field.default is dataclasses.MISSING
                  and field.default_factory is dataclasses.MISSING)
                 for field in dataclasses.fields(cls))


def decode(cls: type, doc: Any) -> Any:
    """Build ``cls`` from its document; ``BadDocument`` names what is wrong."""
    if not isinstance(doc, dict):
        raise BadDocument(f"expected an object, got {type(doc).__name__}")
    values = {}
    for name, kind, required in _fields(cls):
        if name not in doc:
            if required:
                raise BadDocument(f"{name}: missing")
            continue
        values[name] = _check(name, kind, doc[name])
    try:
        return cls(**values)
    except (ValueError, TypeError) as problem:  # the dataclass's own checks (hour 0-23, …)
        raise BadDocument(str(problem)) from None


# What each table holds; a table missing here is a plain document table (``meta``).
TABLE_TYPES: dict[str, type] = {
    "subscriptions": Subscription,
    "groups": Group,
    "announcements": Announcement,
    "outbox": OutboxRow,
    "sent_log": SentMark,
    "unanswered": Unanswered,
    "inbox": InboxEntry,
}
