"""Engine answers and reminders as Telegram HTML: escaped, sourced, within the length limit."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from telegram.constants import MessageLimit

from handlers.texts import stop_line
from knowledge import KnowledgeBase, name_for
from knowledge.charts import Chart, chart_lines
from knowledge.model import Answer, Place, Source
from knowledge.phrasing import format_source, source_lines
from knowledge.reminders import TargetReminder, reminder_lines

MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH
ELLIPSIS = "…"


def answer_lines(answer: Answer) -> tuple[list[str], list[str]]:
    """Split the answer into body lines and source lines, each escaped as HTML."""
    body = [html.escape(line) for line in answer.body.splitlines()]
    return body, source_html(answer.sources)


def source_html(sources: Iterable[Source]) -> list[str]:
    """A short ``Nguồn`` line per source, then the full references in a quote a tap expands."""
    sources = list(sources)
    if not sources:
        return []
    full = "\n".join(html.escape(f"📄 {format_source(s)}") for s in sources)
    return [*(f"<i>{html.escape(line)}</i>" for line in source_lines(sources)),
            f"<blockquote expandable>{full}</blockquote>"]


def render_html(answer: Answer, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Render the answer, then a source line per source, as messages of at most ``limit`` chars."""
    body, sources = answer_lines(answer)
    return split_lines([*body, *sources], limit)


def render_one_html(answer: Answer, limit: int = MESSAGE_LIMIT) -> str:
    """Render the answer as one message: body lines that do not fit give way to "…", sources stay.

    For places where only one message can be shown (inline results, an edited message).
    """
    body, sources = answer_lines(answer)
    return _fit(body, sources, limit)


def render_reminder_html(kb: KnowledgeBase, said: TargetReminder | Answer, place: Place,
                         limit: int = MESSAGE_LIMIT) -> str:
    """A reminder as one message, ending with its sources and how to stop it.

    ``said``: a unit's targets, or an event's countdown. Body lines that do not fit give way to
    "…".
    """
    stop = html.escape(stop_line(name_for(place, kb)))
    if isinstance(said, Answer):
        body, sources = answer_lines(said)
        return _fit(body, [*sources, stop], limit)
    lines, source_texts = reminder_lines(kb, said)
    head, *rest = (html.escape(line) for line in lines)
    tail = [*(f"<i>{html.escape(line)}</i>" for line in source_texts), stop]
    return _fit([f"<b>{head}</b>", *rest], tail, limit)


def plain_text(message_html: str) -> str:
    """A message written in Telegram HTML as the reader sees it, without the markup."""
    return html.unescape(re.sub(r"<[^>]+>", "", message_html))


def _fit(body: list[str], tail: list[str], limit: int) -> str:
    """Body lines that fit beside the ``tail`` lines (kept whole), then "…", then the tail."""
    end = "\n".join(tail)
    chunks = split_lines(body, limit - len(end) - len(ELLIPSIS) - 2)
    head = "\n".join([*chunks[:1], *([ELLIPSIS] if len(chunks) > 1 else [])])
    return "\n".join(part for part in (head, end) if part)


def render_chart_caption(chart: Chart, limit: int = CAPTION_LIMIT) -> str:
    """A photo caption naming the chart, its figures and notes when they fit, and the sources.

    The figures and notes are also on the picture, so they give way first; the sources stay.
    """
    title, *rest = chart_lines(chart)
    head = f"<b>{html.escape(title)}</b>"
    figures = [html.escape(line) for line in rest]
    sources = [f"<i>{html.escape(line)}</i>" for line in source_lines(chart.sources)]
    for lines in ([head, *figures, *sources], [head, *figures[:len(chart.bars)], *sources],
                  [head, *sources]):
        text = "\n".join(lines)
        if len(text) <= limit:
            return text
    parts = split_lines([head, *sources], limit - len(ELLIPSIS) - 1)
    return f"{parts[0]}\n{ELLIPSIS}"


def split_lines(lines: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack lines into messages of at most ``limit`` characters, breaking only between lines.

    A line longer than the limit is broken at spaces (or, with none, between characters but
    never inside an HTML entity). Lines holding tags must fit on their own. Messages with
    nothing visible are dropped.
    """
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for piece in (p for line in lines for p in _pieces(line, limit)):
        added = len(piece) + (1 if current else 0)
        if current and size + added > limit:
            messages.append("\n".join(current))
            current, size, added = [], 0, len(piece)
        current.append(piece)
        size += added
    messages.append("\n".join(current))
    return [m for m in messages if m.strip()]


def _pieces(line: str, limit: int) -> list[str]:
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 1, limit + 1)
        if cut <= 0:
            cut = limit
            entity_start = line.rfind("&", 0, cut)
            if entity_start > line.rfind(";", 0, cut):
                cut = entity_start
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    pieces.append(line)
    return pieces
