"""What reminders say: a district's targets beside its known results, and event countdowns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from knowledge.base import KnowledgeBase
from knowledge.model import Answer, District, Fact, Place
from knowledge.phrasing import fact_line, join_vn, place_label, vn_date


def target_reminder(kb: KnowledgeBase, district: District) -> Answer:
    """The district's targets by year, each followed by the results known for the same metric.

    A result is shown with its own year; a target without results says so. A district without
    targets gets ``not_found`` naming what the knowledge base has instead.
    """
    facts = kb.by_place.get(district.key, ())
    targets = [f for f in facts if f.kind == "target"]
    head = f"Nhắc chỉ tiêu: {place_label(district)}"
    if not targets:
        years = join_vn(map(str, kb.years_of(district))) or "nào"
        body = (f"{head}\nChưa có chỉ tiêu của {district.name} trong cơ sở dữ liệu "
                f"(hiện có số liệu năm {years}). Hỏi bot để xem kết quả thi đua.")
        return Answer("not_found", body)
    lines, used = [head], []
    for year in sorted({f.year for f in targets}):
        lines.append(f"Chỉ tiêu năm {year}:")
        for target in (f for f in targets if f.year == year):
            label = kb.metrics[target.metric].label
            lines.append(f"• {fact_line(target, label, with_place=False)}")
            used.append(target)
            results = [f for f in kb.facts_of(district, target.metric) if f.kind == "result"]
            lines.extend(f"  ↳ Kết quả: {fact_line(r, label, with_place=False)}"
                         for r in results)
            used.extend(results)
            if not any(r.year == year for r in results):
                lines.append(f"  ↳ Chưa có số liệu kết quả năm {year}.")
    return Answer("answered", "\n".join(lines), tuple(used))


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
