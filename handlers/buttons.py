"""Buttons under replies: questions and charts carried in at most 64 bytes of callback data."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from handlers.texts import CHART_BUTTON, THUMBS_DOWN, THUMBS_UP

_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
_TEXT = "q:"
_KEY = "k:"
_CHART = "c:"
CHART_PATTERN = f"^{_CHART}"
GOOD, BAD = "f+", "f-"
FEEDBACK_PATTERN = r"^f[+-]"
# An example question under /start: asked in a new message, the menu stays.
EXAMPLE = "e:"
EXAMPLE_PATTERN = f"^{EXAMPLE}"
Row = Sequence[InlineKeyboardButton]


class QuestionButtons:
    """Encode questions as callback data and back.

    A question travels as itself when it fits in 64 bytes, else as a hash key into a bounded
    in-memory table. Keys are hashes, so after a restart an old key is simply unknown (stale),
    never another question. (Folding a long question to its accent-free form would often fit,
    but changes what the engine reads: "xa hoi hoan thanh" becomes the commune "Xã Hội Hoan".)
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._questions: OrderedDict[str, str] = OrderedDict()

    def encode(self, question: str, kind: str = "") -> str:
        """Return callback data for ``question``, at most 64 bytes, after the prefix ``kind``."""
        data = kind + _TEXT + question
        if len(data.encode()) <= _LIMIT:
            return data
        key = _KEY + hashlib.blake2b(question.encode(), digest_size=12).hexdigest()
        self._questions[key] = question
        self._questions.move_to_end(key)
        while len(self._questions) > self._capacity:
            self._questions.popitem(last=False)
        return kind + key

    def decode(self, data: str | None, kind: str = "") -> str | None:
        """Return the question behind callback data, or None when it is malformed or stale."""
        if data is None or not data.startswith(kind):
            return None
        data = data.removeprefix(kind)
        if data.startswith(_TEXT):
            question = data.removeprefix(_TEXT).strip()
            return question or None
        return self._questions.get(data) if data.startswith(_KEY) else None

    def keyboard(self, questions: Iterable[str], extra: Iterable[Row] = (),
                 kind: str = "") -> InlineKeyboardMarkup | None:
        """One button per question, one per row, then the ``extra`` rows; None when none."""
        rows = [[InlineKeyboardButton(q, callback_data=self.encode(q, kind))] for q in questions]
        rows.extend(list(row) for row in extra)
        return InlineKeyboardMarkup(rows) if rows else None

    def feedback_row(self, question: str) -> list[InlineKeyboardButton]:
        """👍 and 👎 for the answer to ``question``."""
        return [InlineKeyboardButton(label, callback_data=self.encode(question, kind))
                for label, kind in ((THUMBS_UP, GOOD), (THUMBS_DOWN, BAD))]


def chart_button(metric_id: str, text: str = CHART_BUTTON) -> InlineKeyboardButton | None:
    """A button sending a metric's chart; None if its id does not fit in callback data."""
    data = _CHART + metric_id
    if len(data.encode()) > _LIMIT:
        return None
    return InlineKeyboardButton(text, callback_data=data)


def chart_metric_of(data: str | None) -> str | None:
    """The metric id behind a chart button's callback data, or None when it is malformed."""
    if data is None or not data.startswith(_CHART):
        return None
    return data.removeprefix(_CHART).strip() or None
