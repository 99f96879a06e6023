"""Phrasing facts, sources and answers as Vietnamese plain text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from knowledge.model import Answer, District, Fact, Place, Province, Source

_BOUND_WORDS = {
    "at_least": ("từ ", " trở lên"),
    "more_than": ("trên ", ""),
    "less_than": ("dưới ", ""),
    "nearly": ("gần ", ""),
    "about": ("khoảng ", ""),
}
_KIND_PREFIX = {"target": "Chỉ tiêu ", "award": "", "result": "", "person": "", "theme": "",
                "event": ""}


def vn_date(day: dt.date) -> str:
    """``2023-03-25`` → ``25/03/2023``."""
    return day.strftime("%d/%m/%Y")


def place_label(place: Place) -> str:
    """A unit named so it cannot be mistaken for its namesakes on the other map.

    ``Quận Hoàng Mai (cũ, Hà Nội)``, ``Phường Tân Hòa (TP Hồ Chí Minh)``, ``Tỉnh Bình Dương (cũ)``.
    """
    if isinstance(place, Province):
        return place.name if place.current else f"{place.name} (cũ)"
    if isinstance(place, District):
        return f"{place.name} (cũ, {place.province_short})"
    return f"{place.name} ({place.province_short})"


def format_source(source: Source) -> str:
    """``Title — Publisher, 25/03/2023`` (and the link when there is one)."""
    text = f"{source.title} — {source.publisher}, {vn_date(source.date)}"
    return f"{text} ({source.url})" if source.url else text


def source_lines(sources: Iterable[Source]) -> list[str]:
    """One ``Nguồn: …`` line per source."""
    return [f"Nguồn: {format_source(s)}." for s in sources]


def figure(fact: Fact) -> str:
    """The figure in words as the report gives it: ``4.670,8 tỷ đồng, đạt 105,29% kế hoạch``."""
    if fact.text is not None and fact.value is None and fact.percent is None:
        return fact.text
    percent = f"{fact.percent}%" + (f" {fact.percent_of}" if fact.percent_of else "") \
        if fact.percent is not None else None
    if fact.value is not None:
        amount = fact.value if fact.of is None else f"{fact.value}/{fact.of}"
        if fact.unit:
            amount += fact.unit if fact.unit.startswith("%") else f" {fact.unit}"
        amount = bounded(amount, fact.bound)
        if fact.estimate:
            amount = f"ước thực hiện {amount}"
        parts = [amount, *(f"{a.value} {a.unit}".strip() for a in fact.also)]
        text = ", ".join(parts)
        if percent:
            text += f", đạt {percent}" if fact.of is None or fact.percent_of else f" ({percent})"
    else:
        text = f"đạt {bounded(percent or '', fact.bound)}"
        if fact.estimate:
            text = f"ước {text}"
    if fact.text:
        text = f"{fact.text}: {text}"
    return text


def bounded(text: str, bound: str | None) -> str:
    """A figure with its bound in words: ``trên 95%``, ``từ 77% trở lên``."""
    before, after = _BOUND_WORDS.get(bound or "", ("", ""))
    return f"{before}{text}{after}"


def fact_line(fact: Fact, label: str, with_place: bool = True) -> str:
    """One sentence for one fact: what, whose, which year, the figure, and its qualifiers."""
    who = f" của {place_label(fact.place)}" if with_place else ""
    when = f" ngày {vn_date(fact.date)}" if fact.date else ""
    head = f"{_KIND_PREFIX.get(fact.kind, '')}{label}{who} năm {fact.year}"
    head = head[0].upper() + head[1:]
    line = f"{head}{when}: {figure(fact)}"
    notes = [n for n in (fact.detail, f"số liệu của {fact.scope}" if fact.scope else None) if n]
    if notes:
        line += f" ({'; '.join(notes)})"
    return line + "."


def render_text(answer: Answer) -> str:
    """The reply as plain text: the body, then one source line per source."""
    return "\n".join([answer.body, *source_lines(answer.sources)])


def join_vn(items: Iterable[str]) -> str:
    """``a, b và c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"
