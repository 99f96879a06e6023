"""A report's layout: blocks (headings, list items, paragraphs) and their sentences.

Every reader (text, Word, PDF, HTML) yields lines; hard-wrapped lines are joined back into their
paragraph, so the same report gives the same sentences whatever file it came in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from knowledge.text import clean

Role = Literal["heading", "item", "prose"]

_TERMINAL = tuple(".!?…\"”)»")
_ITEM = re.compile(r"^(?:\d{1,2}[.)]|[a-zđ][)]|\(\d{1,2}\)|[-+•*–])\s+\S")
_ROMAN = re.compile(r"^[IVX]{1,4}[.)]\s+\S")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\|\s*")
# A line shorter than this share of the longest line ends its paragraph unless the next one
# plainly continues it (starts in lower case or with a figure).
_SHORT_LINE = 0.6
_HEADING_MAX = 160


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a report, the block it belongs to and what kind of block that is."""

    text: str
    block: int
    role: Role


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of a report, in order; ``|`` separates like a full stop."""
    sentences: list[Sentence] = []
    for index, (block, role) in enumerate(_blocks(text)):
        for piece in _SENTENCE_END.split(block):
            piece = piece.strip()
            if not piece:
                continue
            if sentences and sentences[-1].block == index and piece[:1].islower():
                piece = f"{sentences.pop().text} {piece}"
            sentences.append(Sentence(piece, index, role))
    return sentences


def _blocks(text: str) -> list[tuple[str, Role]]:
    lines = [clean(raw) for raw in text.splitlines()]
    width = max((len(line) for line in lines), default=0)
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not line:
            if current:
                blocks.append(current)
            current = []
            continue
        if current and _starts_block(current[-1], line, width):
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    return [(" ".join(lines), _role(lines)) for lines in blocks]


def _starts_block(previous: str, line: str, width: int) -> bool:
    if previous.endswith(_TERMINAL):
        return True
    if _ITEM.match(line) or _ROMAN.match(line) or _all_caps(line) or _all_caps(previous):
        return True
    continues = line[:1].islower() or line[:1].isdigit()
    return not continues and len(previous) < _SHORT_LINE * width


def _role(lines: list[str]) -> Role:
    first, text = lines[0], " ".join(lines)
    if _ROMAN.match(first) or _all_caps(first):
        return "heading"
    if _ITEM.match(first):
        return "item"
    if not text.endswith(_TERMINAL) and len(text) <= _HEADING_MAX:
        return "heading"
    return "prose"


def _all_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 8 and all(c.isupper() for c in letters)
