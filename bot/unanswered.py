"""The log of questions the bot could not answer, or answered unhelpfully, grouped for curators."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from knowledge.text import keys

Kind = Literal["not_found", "clarify", "thumbs_down"]
KINDS: tuple[str, ...] = ("not_found", "clarify", "thumbs_down")


@dataclass(frozen=True, slots=True)
class Unanswered:
    """One logged question; ``admin_id`` only when an admin asked, no other user data."""

    at: dt.datetime
    kind: Kind
    question: str
    normalised: str
    chat_type: str
    admin_id: int | None = None
    answer: str = ""


@dataclass(frozen=True, slots=True)
class UnansweredGroup:
    """Logged questions sharing one normalised form."""

    normalised: str
    count: int
    kinds: dict[str, int]
    example: str
    last_at: dt.datetime


def normalised_form(question: str) -> str:
    """The accent-free words of a question: ``Hoàng Mai thu NS?`` → ``hoang mai thu ns``."""
    return " ".join(keys(question))


def most_frequent(entries: Iterable[Unanswered], limit: int) -> list[UnansweredGroup]:
    """The ``limit`` most frequent normalised forms, the latest first among equals."""
    grouped: dict[str, list[Unanswered]] = {}
    for entry in entries:
        grouped.setdefault(entry.normalised, []).append(entry)
    groups = [
        UnansweredGroup(
            normalised=form,
            count=len(items),
            kinds=dict(Counter(item.kind for item in items)),
            example=max(items, key=lambda item: item.at).question or form,
            last_at=max(item.at for item in items),
        )
        for form, items in grouped.items()
    ]
    groups.sort(key=lambda group: (group.count, group.last_at), reverse=True)
    return groups[:limit]
