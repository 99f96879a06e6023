"""Phrasing facts, sources and answers as Vietnamese plain text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import islice

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


def short_source(source: Source) -> str:
    """``Phòng Nội vụ quận Hoàng Mai, 25/03/2023``: who published it and when."""
    return f"{source.short}, {vn_date(source.date)}"


def source_lines(sources: Iterable[Source]) -> list[str]:
    """One short ``Nguồn: …`` line per source (the full title is in the facts' records)."""
    return [f"Nguồn: {short_source(s)}." for s in sources]


# Units said before the number.
_BEFORE_NUMBER = frozenset(("hạng", "thứ", "hạng thứ"))


def figure(fact: Fact, verb: str | None = None) -> str:
    """The figure in words as the report gives it: ``4.670,8 tỷ đồng, đạt 105,29% kế hoạch``.

    A target's figure is what the unit strives for (``phấn đấu …``), never what it reached;
    ``verb`` replaces ``đạt`` before a lone percentage (``tăng 12,56%``).
    """
    if fact.value is None and fact.percent is None:
        return f"«{fact.quote}»" if fact.quote else fact.text or ""
    percent = f"{fact.percent}%" + (f" {fact.percent_of}" if fact.percent_of else "") \
        if fact.percent is not None else None
    if fact.value is not None:
        amount = fact.value if fact.of is None else f"{fact.value}/{fact.of}"
        if fact.unit in _BEFORE_NUMBER:
            amount = f"{fact.unit} {amount}"  # hạng 2/30
        elif fact.unit:
            amount += fact.unit if fact.unit.startswith("%") else f" {fact.unit}"
        amount = bounded(amount, fact.bound)
        if fact.estimate:
            amount = f"ước thực hiện {amount}"
        parts = [amount, *(f"{a.value} {a.unit}".strip() for a in fact.also)]
        text = ", ".join(parts)
        if percent:
            text += f", đạt {percent}" if fact.of is None or fact.percent_of else f" ({percent})"
    else:
        text = bounded(percent or "", fact.bound)
        if fact.kind != "target":
            text = f"{verb or 'đạt'} {text}"
        if fact.estimate:
            text = f"ước {text}"
    if fact.kind == "target":
        text = f"phấn đấu {text}"
    if fact.text:
        text = f"{fact.text}: {text}"
    return text


def bounded(text: str, bound: str | None) -> str:
    """A figure with its bound in words: ``trên 95%``, ``từ 77% trở lên``."""
    before, after = _BOUND_WORDS.get(bound or "", ("", ""))
    return f"{before}{text}{after}"


def fact_line(fact: Fact, label: str, with_place: bool = True, in_list: bool = False) -> str:
    """One sentence for one fact: what, whose, which year, the figure, and its qualifiers.

    ``in_list``: an item under a heading that already names the unit, the year and the kind.
    """
    who = f" của {place_label(fact.place)}" if with_place else ""
    when = f" ngày {vn_date(fact.date)}" if fact.date else ""
    prefix = "" if in_list else _KIND_PREFIX.get(fact.kind, "")
    year = "" if in_list else f" năm {fact.year}"
    head = f"{prefix}{label}{who}{year}"
    head = head[0].upper() + head[1:]
    line = f"{head}{when}: {figure(fact, growth_verb(label))}"
    detail = fact.detail if fact.detail and fact.detail.lower() != label.lower() else None
    notes = [n for n in (detail, f"số liệu của {fact.scope}" if fact.scope else None) if n]
    if notes:
        line += f" ({'; '.join(notes)})"
    return line + "."


def growth_verb(label: str) -> str | None:
    """``tăng`` for a metric that measures growth (``mức tăng …``, ``tăng trưởng …``)."""
    words = label.lower().split()
    return "tăng" if "tăng" in words[:2] else None


def render_text(answer: Answer) -> str:
    """The reply as plain text: the body, then one source line per source."""
    return "\n".join([answer.body, *source_lines(answer.sources)])


def join_vn(items: Iterable[str]) -> str:
    """``a, b và c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def join_first(items: Iterable[str], count: int, limit: int = 8) -> str:
    """``a, b và c``; of more than ``limit`` units the first ones and ``và N đơn vị khác``.

    ``count`` is how many ``items`` there are: only those shown are taken from the iterable.
    """
    shown = list(islice(items, limit))
    more = count - len(shown)
    return f"{', '.join(shown)} và {more} đơn vị khác" if more > 0 else join_vn(shown)
