"""What reminders say: a unit's targets beside its latest comparable results, and countdowns.

A target is compared only with a result of the same unit, metric, measuring unit and scope: of
its own year when there is one, else of the latest year before (labelled with that year). The
direction of a target is read from its bound: ``dưới …`` (``less_than``) is a ceiling, anything
else a level to reach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.model import Answer, Fact, Place
from knowledge.numbers import format_vn_number
from knowledge.phrasing import bounded, join_vn, place_label, short_source, vn_date

_APPROXIMATE = ("nearly", "about")


@dataclass(frozen=True, slots=True)
class Standing:
    """One target beside its latest comparable result (None: none) and how far it is."""

    target: Fact
    result: Fact | None = None
    gap: str | None = None


@dataclass(frozen=True, slots=True)
class YearTargets:
    """The targets of one year: those with a comparable result, and those without."""

    year: int
    compared: tuple[Standing, ...]
    unmatched: tuple[Fact, ...]
    over: bool
    days_left: int


@dataclass(frozen=True, slots=True)
class TargetReminder:
    """What a reminder about one unit's targets says on one day.

    ``years``: the targets of this year and later, then the years that are over and not yet
    reported (each reported once). ``has_targets``: whether the unit has any target at all.
    """

    place: Place
    years: tuple[YearTargets, ...]
    has_targets: bool

    @property
    def says_something(self) -> bool:
        """Whether there is anything to send."""
        return bool(self.years)

    @property
    def current(self) -> tuple[YearTargets, ...]:
        """The years not over yet."""
        return tuple(y for y in self.years if not y.over)

    @property
    def over_years(self) -> tuple[int, ...]:
        """The years this reminder reports as over (to be remembered, and not reported again)."""
        return tuple(y.year for y in self.years if y.over)

    @property
    def facts(self) -> tuple[Fact, ...]:
        """Every figure the reminder shows, targets and results, in order."""
        shown: list[Fact] = []
        for year in self.years:
            for standing in year.compared:
                shown.extend(f for f in (standing.target, standing.result) if f is not None)
            shown.extend(year.unmatched)
        return tuple(dict.fromkeys(shown))


def measure(fact: Fact) -> tuple[str, ...] | None:
    """What a figure is counted in: its unit (``tỷ đồng``), or percent of what; None: no figure.

    Two figures are comparable only when their measures are equal.
    """
    if fact.value is not None and fact.of is not None:
        return ("share", fact.unit or "")
    if fact.value is not None and not (fact.unit or "").startswith("%"):
        return ("value", fact.unit or "")
    if fact.value is not None:
        return ("percent", "", fact.unit or "%")
    if fact.percent is not None and fact.value is None:
        return ("percent", fact.percent_of or "", "%")
    return None


def _number(fact: Fact) -> float | None:
    kind = measure(fact)
    if kind is None or kind[0] == "share":
        return None
    return fact.number if fact.value is not None else fact.percent_number


def _amount(fact: Fact) -> str:
    """The compared figure alone, as the report writes it: ``gần 10 tỷ đồng``, ``trên 95%``."""
    if fact.value is not None:
        unit = fact.unit or ""
        value = fact.value if fact.of is None else f"{fact.value}/{fact.of}"
        text = value + (unit if unit.startswith("%") else f" {unit}" if unit else "")
    else:
        text = f"{fact.percent}%" + (f" {fact.percent_of}" if fact.percent_of else "")
    text = bounded(text, fact.bound)
    return f"ước {text}" if fact.estimate else text


def comparable_results(kb: KnowledgeBase, target: Fact) -> list[Fact]:
    """Results of the target's unit and metric in the same measure and scope, latest first."""
    kind = measure(target)
    if kind is None:
        return []
    return sorted((f for f in kb.facts_of(target.place, target.metric)
                   if f.kind == "result" and f.scope == target.scope and measure(f) == kind),
                  key=lambda f: -f.year)


def standing(kb: KnowledgeBase, target: Fact, over: bool = False) -> Standing:
    """The target beside its latest comparable result, and how far it is.

    The result of the target's own year, else (while that year runs) the latest one before;
    a year that is over is judged by its own result only.
    """
    for result in comparable_results(kb, target):
        if result.year == target.year or (result.year < target.year and not over):
            return Standing(target, result, gap(target, result))
    return Standing(target)


def _percent(value: float) -> str:
    return format_vn_number(round(value, 1))


def gap(target: Fact, result: Fact) -> str | None:
    """How far the result is from the target, in words; None when it cannot be computed.

    Amounts: the share of the target reached, or the change needed since the result's year.
    Percentages: the difference in percentage points.
    """
    aim, got = _number(target), _number(result)
    kind = measure(target)
    if aim is None or got is None or kind is None:
        return None
    about = "khoảng " if (result.bound in _APPROXIMATE or result.estimate
                          or target.bound in _APPROXIMATE) else ""
    ceiling = target.bound == "less_than"
    reached = got < aim if ceiling else (got > aim if target.bound == "more_than" else got >= aim)
    same_year = result.year == target.year
    if kind[0] == "percent":
        change = f"{about}{format_vn_number(round(abs(aim - got), 2))} điểm phần trăm"
    elif got > 0 and aim > 0:
        change = f"{about}{_percent(abs(aim / got - 1) * 100)}%"
    else:
        change = None
    if reached:
        status = "đã dưới mức chỉ tiêu" if ceiling else "đã đạt chỉ tiêu"
        return status if same_year else f"mức năm {result.year} {status.removeprefix('đã ')}"
    if same_year:
        if kind[0] == "value" and not ceiling and aim > 0:
            return f"đạt {about}{_percent(got / aim * 100)}% chỉ tiêu"
        if change is None:
            return None
        return f"cao hơn mức chỉ tiêu {change}" if ceiling else f"còn thiếu {change}"
    if change is None:
        return None
    if ceiling and kind[0] == "value":
        change = f"{about}{_percent((got - aim) / got * 100)}%"
    return f"cần {'giảm' if ceiling else 'tăng'} {change} so với năm {result.year}"


def target_reminder(kb: KnowledgeBase, place: Place, today: dt.date,
                    reported_over: Iterable[int] = ()) -> TargetReminder:
    """Where the unit's targets stand on ``today``.

    Years from ``today``'s on are always shown; a year that is over only until it has been
    reported (``reported_over``).
    """
    targets = [f for f in kb.by_place.get(place.key, ()) if f.kind == "target"]
    done = set(reported_over)
    years = []
    for year in sorted({f.year for f in targets}, key=lambda y: (y < today.year, y)):
        over = year < today.year
        if over and year in done:
            continue
        standings = [standing(kb, t, over) for t in targets if t.year == year]
        years.append(YearTargets(
            year=year,
            compared=tuple(s for s in standings if s.result is not None),
            unmatched=tuple(s.target for s in standings if s.result is None),
            over=over,
            days_left=max(0, (dt.date(year + 1, 1, 1) - today).days)))
    return TargetReminder(place, tuple(years), bool(targets))


def reminder_lines(kb: KnowledgeBase, reminder: TargetReminder) -> tuple[list[str], list[str]]:
    """The reminder as plain-text body lines and one source line per source.

    With several sources, each figure carries the number of its source (``[1]``).
    """
    sources = list(dict.fromkeys(f.source for f in reminder.facts))
    number = {s.id: n for n, s in enumerate(sources, 1)} if len(sources) > 1 else {}

    def cited(facts: Iterable[Fact]) -> str:
        ids = dict.fromkeys(str(number[f.source.id]) for f in facts) if number else {}
        return f" [{', '.join(ids)}]" if ids else ""

    def label(fact: Fact) -> str:
        return kb.metrics[fact.metric].label

    lines = [f"Nhắc chỉ tiêu: {place_label(reminder.place)}"]
    for year in reminder.years:
        count = len(year.compared) + len(year.unmatched)
        head = (f"Kết thúc năm {year.year}" if year.over else
                f"Chỉ tiêu năm {year.year} (còn {format_vn_number(year.days_left)} ngày đến "
                f"hết năm {year.year})")
        lines.append(f"{head}, {count} chỉ tiêu:")
        for item in year.compared:
            assert item.result is not None
            name = label(item.target)
            verb = ":" if item.target.bound == "less_than" else " đạt"
            line = (f"• {name[0].upper()}{name[1:]}: chỉ tiêu {_amount(item.target)}"
                    f"{cited([item.target])}; năm {item.result.year}{verb} "
                    f"{_amount(item.result)}{cited([item.result])}")
            lines.append(line + (f" — {item.gap}." if item.gap else "."))
        if year.unmatched:
            items = join_vn(f"{label(t)} ({_amount(t)})" if measure(t) else label(t)
                            for t in year.unmatched)
            what = (f"Chưa có số liệu kết quả năm {year.year} của" if year.over else
                    "Chưa có kết quả cùng chỉ số để so sánh với")
            many = f"{len(year.unmatched)} chỉ tiêu" if len(year.unmatched) > 1 else "chỉ tiêu"
            lines.append(f"{what} {many}: {items}{cited(year.unmatched)}.")
        if year.over:
            lines.append(f"Năm {year.year} đã qua: bot không nhắc các chỉ tiêu này nữa.")
    if not reminder.current:
        lines.append("Chưa có chỉ tiêu của năm nay hoặc các năm tới: từ nay bot chỉ nhắn khi "
                     "có chỉ tiêu hoặc số liệu mới của đơn vị này.")
    cite = {s.id: f" [{n}]" for s in sources for n in [number.get(s.id)] if n}
    return lines, [f"Nguồn:{cite.get(s.id, '')} {short_source(s)}." for s in sources]


def _anniversary(day: dt.date, year: int) -> dt.date:
    """``day`` in ``year``; 29 February falls on the 28th in other years."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def next_occurrence(event: Fact, today: dt.date) -> dt.date | None:
    """The event's date on or after ``today`` (its next anniversary if it recurs), or None."""
    if event.date is None:
        return None
    if event.recurs != "yearly":
        return event.date if event.date >= today else None
    this_year = _anniversary(event.date, today.year)
    return this_year if this_year >= today else _anniversary(event.date, today.year + 1)


def event_occurrences(kb: KnowledgeBase, place: Place,
                      today: dt.date) -> Iterator[tuple[str, dt.date]]:
    """Ids and next dates of the unit's dated events that are still to come."""
    for fact in kb.by_place.get(place.key, ()):
        if fact.kind == "event" and (occurs_on := next_occurrence(fact, today)) is not None:
            yield fact.id, occurs_on


def countdown(kb: KnowledgeBase, event_id: str, occurs_on: dt.date, days_left: int) -> Answer:
    """``Còn 3 ngày nữa, 25/11/2026: …`` or ``Hôm nay, …``, with the event's source."""
    event = kb.by_id.get(event_id)
    if event is None:
        return Answer("not_found", "Sự kiện này không còn trong cơ sở dữ liệu.")
    what = event.text or kb.metrics[event.metric].label
    if event.recurs == "yearly" and event.date is not None:
        what = f"kỷ niệm {occurs_on.year - event.date.year} năm {what} ({vn_date(event.date)})"
    when = "Hôm nay" if days_left == 0 else f"Còn {days_left} ngày nữa"
    body = f"{when}, {vn_date(occurs_on)}: {what} — {place_label(event.place)}."
    return Answer("answered", body, (event,))
