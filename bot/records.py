"""The state's dataclasses as JSON documents, each checked field by field when read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from collections.abc import Callable
from functools import partial
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
class GivenFact:
    """A figure given to a chat in an answer (the fact's id, not the text), and when last.

    Kept ``GIVEN_KEPT`` (30 days), so the chat hears when a reload changes or withdraws it.
    """

    chat_id: int
    fact_id: str
    at: dt.datetime

    @property
    def key(self) -> str:
        """One document per chat and fact."""
        return f"{self.chat_id}|{self.fact_id}"


@dataclasses.dataclass(frozen=True, slots=True)
class ReminderSent:
    """A reminder queued for a chat: its targets, or an event's countdown.

    ``key`` is its short name (``ack_id``), ``place`` the unit's key, ``due`` the run.
    """

    key: str
    chat_id: int
    place: str
    due: dt.datetime
    chat_title: str = ""
    kind: Literal["targets", "countdown"] = "targets"


@dataclasses.dataclass(frozen=True, slots=True)
class Ack:
    """Someone pressed "Đã nhận" under a reminder (``reminder``: its message key)."""

    reminder: str
    chat_id: int
    user_id: int
    name: str
    at: dt.datetime

    @property
    def key(self) -> str:
        """One acknowledgement per reminder and person."""
        return f"{self.reminder}|{self.user_id}"


@dataclasses.dataclass(frozen=True, slots=True)
class InboxEntry:
    """A Telegram update recorded before it is handled (``payload`` as the Bot API sent it).

    Once handled, ``handled_at`` is set and the payload dropped; the id stays a while, so an
    update Telegram sends again (not yet confirmed when the bot stopped) is not handled twice.
    ``chat`` orders it among the updates of one chat (a chat id, else a user id).
    """

    update_id: int
    payload: dict[str, Any]
    received_at: dt.datetime
    handled_at: dt.datetime | None = None
    chat: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Conversation:
    """What one conversation has settled (``knowledge.Context.to_dict()``) and when it last spoke.

    ``key`` is ``chat:<id>`` (a private chat), ``chat:<id>:user:<id>`` (one member in a group)
    or ``message:<chat>:<id>`` (the thread of one of the bot's answers).
    """

    key: str
    context: dict[str, Any]
    at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class ReportDraft:
    """A report a bot admin sent, under review in their private chat until added or expired.

    ``review`` is ``knowledge.ingest.Review.to_dict()`` (or ``{"yaml": …}`` for a draft the admin
    sent as YAML); ``digest`` identifies the report's text. ``message_id`` is the review panel
    the admin works in, ``view`` the view of it a prompt's answer brings back (``summary``,
    ``page:<n>``, ``metrics``). ``prompt`` is what the admin's reply to ``prompt_message_id`` sets
    (``unit``, ``date``, ``title``, ``publisher``, ``year:<n>``, ``label:<metric id>``).
    ``state``: ``open`` under review, ``adding`` while one press adds it, then ``added`` or
    ``cancelled``; ``decided_by`` / ``decided_at`` say who added or cancelled it, and when.
    """

    id: str
    admin_id: int
    chat_id: int
    file_name: str
    digest: str
    review: dict[str, Any]
    created_at: dt.datetime
    state: Literal["open", "adding", "added", "cancelled"] = "open"
    view: str = "summary"
    message_id: int | None = None
    prompt: str | None = None
    prompt_message_id: int | None = None
    decided_by: int | None = None
    decided_at: dt.datetime | None = None


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


Check = Callable[[str, Any], Any]


@functools.cache
def _checker(kind: Any) -> Check:
    """The check of one type, built once: it returns a value as ``kind``.

    A datetime comes from ISO text, a tuple from a list; a wrong value raises ``BadDocument``
    naming the field.
    """
    origin = get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        optional = type(None) in get_args(kind)
        options = [_checker(o) for o in get_args(kind) if o is not type(None)]
        return partial(_one_of, optional, tuple(options))
    if origin is Literal:
        return partial(_literal, get_args(kind))
    if origin is tuple:
        return partial(_sequence, _checker(get_args(kind)[0]))
    if origin is dict:
        return partial(_instance, dict, "an object")
    if kind is dt.datetime:
        return _iso_time
    if kind is int:
        return _whole_number
    return partial(_instance, kind, kind.__name__)


def _one_of(optional: bool, options: tuple[Check, ...], name: str, value: Any) -> Any:
    if value is None and optional:
        return None
    problems = []
    for option in options:
        try:
            return option(name, value)
        except BadDocument as problem:
            problems.append(str(problem))
    raise BadDocument("; ".join(problems))


def _literal(allowed: tuple[Any, ...], name: str, value: Any) -> Any:
    if value not in allowed:
        raise BadDocument(f"{name}: {value!r} is not one of {allowed}")
    return value


def _sequence(item: Check, name: str, value: Any) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise BadDocument(f"{name}: expected a list, got {value!r}")
    return tuple(item(name, element) for element in value)


def _instance(kind: type, what: str, name: str, value: Any) -> Any:
    if not isinstance(value, kind):
        raise BadDocument(f"{name}: expected {what}, got {value!r}")
    return value


def _iso_time(name: str, value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise BadDocument(f"{name}: expected an ISO time, got {value!r}")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadDocument(f"{name}: {value!r} is not an ISO time") from None


def _whole_number(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadDocument(f"{name}: expected a whole number, got {value!r}")
    return value


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Check, bool], ...]:
    """Each field's name, checker and whether it is required."""
    hints = typing.get_type_hints(cls)
    return tuple((field.name, _checker(hints[field.name]), field.default is dataclasses.MISSING
                  and field.default_factory is dataclasses.MISSING)
                 for field in dataclasses.fields(cls))


def decode(cls: type, doc: Any) -> Any:
    """Build ``cls`` from its document; ``BadDocument`` names what is wrong."""
    if not isinstance(doc, dict):
        raise BadDocument(f"expected an object, got {type(doc).__name__}")
    values = {}
    for name, check, required in _fields(cls):
        if name not in doc:
            if required:
                raise BadDocument(f"{name}: missing")
            continue
        values[name] = check(name, doc[name])
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
    "conversations": Conversation,
    "given": GivenFact,
    "reminders_sent": ReminderSent,
    "acks": Ack,
    "report_drafts": ReportDraft,
}
