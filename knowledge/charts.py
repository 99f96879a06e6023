"""Choosing the bars of a chart: one metric's figures per district, or per year of one district.

A bar is always exactly one fact's figure, labelled with that fact's district and year. Figures
are never summed; measuring units, ratios and plain counts, targets and results, and awards of
different awarding bodies are never set side by side; what is left out is said in a note. A
ratio (``35/38``) is drawn as its share (92%) and labelled as the report writes it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from weakref import WeakKeyDictionary

from knowledge.base import KnowledgeBase, Metric
from knowledge.engine import answer, understand
from knowledge.lexicon import close_contenders
from knowledge.model import Answer, District, Fact, Place, Source
from knowledge.numbers import format_vn_number, parse_vn_number
from knowledge.phrasing import bounded, figure, join_vn, place_label

ChartKind = Literal["compare", "trend"]
Mode = Literal["value", "percent"] | None
MIN_BARS = 2
MAX_BARS = 12  # a phone screen's worth; the rest are named in a note
MAX_LISTED_METRICS = 12
_SCOPE_MARKS = ("*", "**", "***")
_chartable: WeakKeyDictionary[KnowledgeBase, tuple[Metric, ...]] = WeakKeyDictionary()
_trends: WeakKeyDictionary[KnowledgeBase, bool] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: one fact's figure, its district and year, and the figure as the report writes it.

    ``value`` is the bar's length: the figure, or for a ratio its share in percent.
    """

    label: str
    place: Place
    year: int
    value: float
    written: str
    fact: Fact


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart of one metric in one unit: districts compared, or one district's years."""

    kind: ChartKind
    metric: Metric
    title: str
    unit: str
    bars: tuple[Bar, ...]
    notes: tuple[str, ...] = ()
    share: bool = False

    @property
    def scale(self) -> str:
        """What a bar's length measures, in words."""
        unit = f"đơn vị: {self.unit}" if self.unit else ""
        if self.share:
            return " · ".join(filter(None, ["Cột dài theo tỷ lệ trên tổng số", unit]))
        return unit[:1].upper() + unit[1:]

    @property
    def sources(self) -> tuple[Source, ...]:
        """Distinct sources of the bars, in bar order."""
        return Answer("answered", "", tuple(b.fact for b in self.bars)).sources


@dataclass(frozen=True, slots=True)
class NoChart:
    """Why no chart can be drawn, in Vietnamese, with what can be charted instead."""

    reason: str


@dataclass(frozen=True, slots=True)
class _Measure:
    """What a bar measures; only bars of one measure share a chart."""

    unit: str
    target: bool
    share: bool
    body: str  # the awarding body of an award ("" for other figures)


@dataclass
class _Choice:
    """The bars chosen for a chart, what they measure, and notes on the figures left out."""

    measure: _Measure
    bars: list[Bar] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    other_bodies: bool = False

    @property
    def unit(self) -> str:
        """The measuring unit of the figures drawn."""
        return self.measure.unit


def chart_for(kb: KnowledgeBase, request: str) -> Chart | NoChart:
    """The chart asked for: ``thu ngân sách`` compares districts, ``… Hoàng Mai`` is a trend.

    The metric, places and years are read the way questions are; a place the knowledge base
    cannot answer for gets the engine's own explanation.
    """
    understood = understand(request, kb)
    years = understood.reading.years
    contenders = [m.metric for m in close_contenders(understood.ask.metrics)]
    if not contenders:
        asked = f"«{request.strip()}»" if request.strip() else "này"
        return NoChart(f"Chưa tìm thấy chỉ số {asked} để vẽ biểu đồ. {_can_chart(kb)}")
    places = understood.places.asked
    if not places:
        results = [_compare(kb, metric, kb.places, years) for metric in contenders]
        chart = next((r for r in results if isinstance(r, Chart)), None)
        if chart is None:
            first = results[0]
            assert isinstance(first, NoChart)
            return NoChart(f"{first.reason} {_can_chart(kb)}")
        return chart
    reply = answer(request, kb)
    if reply.status != "answered" or not reply.facts:
        return NoChart(reply.body)
    districts = list(dict.fromkeys(f.place for f in reply.facts))
    answered = {f.metric for f in reply.facts}
    metric = next((m for m in contenders if m.id in answered), kb.metrics[reply.facts[0].metric])
    if len(places) == 1 and len(districts) == 1:
        return trend_chart(kb, metric.id, districts[0], years)
    return compare_chart(kb, metric.id, districts, years)


def compare_chart(kb: KnowledgeBase, metric_id: str, districts: Sequence[District] = (),
                  years: Sequence[int] = ()) -> Chart | NoChart:
    """One bar per district (its latest year with a figure), among ``districts`` or all."""
    result = _compare(kb, kb.metrics[metric_id], districts or kb.places, years)
    return result if isinstance(result, Chart) else NoChart(f"{result.reason} {_can_chart(kb)}")


def trend_chart(kb: KnowledgeBase, metric_id: str, district: District,
                years: Sequence[int] = ()) -> Chart | NoChart:
    """One bar per year of one district's figures of the metric."""
    metric = kb.metrics[metric_id]
    facts = [f for f in kb.facts_of(district, metric.id) if not years or f.year in years]
    chosen = _choose(facts, metric, slot=lambda f: f.year)
    who = place_label(district)
    if chosen is None:
        return NoChart(f"Chưa có số liệu dạng số «{metric.label}» của {who}{_in_years(years)}.")
    if len(chosen.bars) < MIN_BARS:
        have = join_vn(str(y) for y in sorted({f.year for f in facts}))
        reason = (f"{who} chỉ có số liệu «{metric.label}» năm {have}, "
                  "chưa đủ để vẽ diễn biến qua các năm.")
        if metric in chartable_metrics(kb):
            reason += " Có thể so sánh số liệu này giữa các quận."
        return NoChart(" ".join([reason, *chosen.notes]))
    bars = sorted((replace(b, label=f"năm {b.year}") for b in chosen.bars), key=lambda b: b.year)
    title = f"{_what(metric, chosen.measure.target)} của {who} qua các năm"
    return _chart("trend", metric, title, chosen, bars, chosen.notes)


def chartable_metrics(kb: KnowledgeBase) -> tuple[Metric, ...]:
    """Metrics whose figures can be compared on a chart (at least two districts, one measure)."""
    found = _chartable.get(kb)
    if found is None:
        found = _chartable[kb] = tuple(
            m for m in kb.metrics.values() if isinstance(_compare(kb, m, kb.places, ()), Chart))
    return found


def has_trends(kb: KnowledgeBase) -> bool:
    """Whether some unit has a metric's figures of two years or more, a trend worth drawing."""
    found = _trends.get(kb)
    if found is None:
        found = _trends[kb] = any(
            len({f.year for f in kb.facts_of(place, metric_id)}) >= MIN_BARS
            and isinstance(trend_chart(kb, metric_id, place), Chart)
            for place in kb.places if isinstance(place, District)
            for metric_id in dict.fromkeys(f.metric for f in kb.by_place.get(place.key, ())))
    return found


def chart_metric(reply: Answer, kb: KnowledgeBase) -> str | None:
    """The metric id of an answer that compares districts on one metric worth a chart, else None."""
    if reply.status != "answered":
        return None
    metrics = {f.metric for f in reply.facts}
    measured = {f.place.key for f in reply.facts
                if f.number is not None or f.percent_number is not None}
    if len(metrics) != 1 or len(measured) < MIN_BARS:
        return None
    metric_id = metrics.pop()
    return metric_id if kb.metrics[metric_id] in chartable_metrics(kb) else None


def chart_lines(chart: Chart) -> list[str]:
    """The chart as plain text: the title, one line per bar with its full figure, the notes."""
    lines = [f"Biểu đồ: {chart.title}" + (f" ({chart.unit})" if chart.unit else "")]
    for bar in chart.bars:
        scope = f" (số liệu của {bar.fact.scope})" if bar.fact.scope else ""
        lines.append(f"• {place_label(bar.place)}, năm {bar.year}: "
                     f"{figure(bar.fact)}{scope}")
    return [*lines, *chart.notes]


# -- choosing the bars ------------------------------------------------------------------------


def _compare(kb: KnowledgeBase, metric: Metric, districts: Sequence[District],
             years: Sequence[int]) -> Chart | NoChart:
    facts = [f for d in districts for f in kb.facts_of(d, metric.id)
             if not years or f.year in years]
    chosen = _choose(facts, metric, slot=lambda f: f.place.key)
    if chosen is None:
        return NoChart(f"Chưa có số liệu dạng số «{metric.label}»{_in_years(years)} "
                       "để vẽ biểu đồ.")
    if len(chosen.bars) < MIN_BARS:
        if chosen.other_bodies:
            return NoChart(" ".join([f"Không so sánh «{metric.label}» giữa các quận: mỗi nơi do "
                                     "một cơ quan khác khen thưởng, số lượng không cùng thước đo.",
                                     *chosen.notes]))
        only = "".join(f" ({place_label(b.place)} năm {b.year})" for b in chosen.bars)
        reason = (f"Chỉ có một quận có số liệu «{metric.label}»{_in_years(years)}{only}, "
                  "chưa đủ để so sánh giữa các quận.")
        return NoChart(" ".join([reason, *chosen.notes]))
    bars = sorted(chosen.bars, key=lambda b: -b.value)
    # Former districts and current units may share a chart when they measure the same thing.
    units = ("đơn vị" if not all(isinstance(b.place, District) for b in bars)
             else "quận" if all(b.place.kind == "Quận" for b in bars) else "quận, huyện")
    shown = bars[:MAX_BARS]
    if len(bars) > len(shown):
        chosen.notes.insert(0, f"Vẽ {len(shown)} {units} có số liệu cao nhất trong "
                               f"{format_vn_number(len(bars))} {units}.")
    bars = shown
    marks = _scope_marks(bars)
    bars = [replace(b, label=place_label(b.place).replace(
        b.place.name, b.place.name + marks.get(b.fact.scope or "", ""), 1)
        + f", năm\u00a0{b.year}") for b in bars]
    notes = [*(f"{mark} Số liệu của {scope}." for scope, mark in marks.items()), *chosen.notes]
    if len({b.year for b in bars}) > 1:
        notes.append("Số liệu thuộc các năm khác nhau (năm ghi cạnh mỗi cột).")
    title = (f"{_what(metric, chosen.measure.target)} — so sánh giữa các {units}"
             f"{_in_years(years)}")
    return _chart("compare", metric, title, chosen, bars, notes)


def _choose(facts: list[Fact], metric: Metric,
            slot: Callable[[Fact], object]) -> _Choice | None:
    """Bars of one measure, one per slot (district or year), and notes on what is left out.

    Returns None when no fact has a figure to draw.
    """
    mode: Mode = ("value" if any(f.number is not None for f in facts)
                  else "percent" if any(f.percent_number is not None for f in facts) else None)
    if mode is None:
        return None
    groups: dict[_Measure, list[Fact]] = defaultdict(list)
    for fact in facts:
        if _height(fact, mode) is not None:
            groups[_measure(fact, metric, mode)].append(fact)
    # The measure covering most slots wins; on a tie, results and awards before targets.
    measure = max(groups, key=lambda k: (len({slot(f) for f in groups[k]}), not k.target))
    choice = _Choice(measure)
    per_slot: dict[object, list[Fact]] = defaultdict(list)
    for fact in groups[measure]:
        per_slot[slot(fact)].append(fact)
    for found in per_slot.values():
        latest = max(f.year for f in found)
        same = [f for f in found if f.year == latest]
        if len(same) == 1:
            choice.bars.append(_bar(same[0], mode))
        else:
            figures = "; ".join(figure(f) for f in same)
            choice.notes.append(f"Không vẽ {same[0].place.name} năm {latest}: có {len(same)} "
                                f"số liệu ({figures}), không gộp thành một cột.")
    left_out: dict[object, list[Fact]] = defaultdict(list)
    for fact in facts:
        if slot(fact) not in per_slot:
            left_out[slot(fact)].append(fact)
    for found in left_out.values():
        latest = max(f.year for f in found)
        for fact in (f for f in found if f.year == latest):
            reason = _why_left_out(fact, metric, mode, measure)
            choice.other_bodies |= reason.startswith(_OTHER_BODY)
            choice.notes.append(f"Không vẽ {fact.place.name} năm {fact.year}: {figure(fact)} "
                                f"({reason}).")
    return choice


def _height(fact: Fact, mode: Mode) -> float | None:
    """Bars show the main figures, or the percentages when there are only percentages."""
    return fact.number if mode == "value" else fact.percent_number


def _ratio(fact: Fact) -> float | None:
    """The share ``value/of`` in percent, when the fact is a ratio of two figures."""
    whole = parse_vn_number(fact.of) if fact.of is not None else None
    part = fact.number
    return part / whole * 100 if part is not None and whole else None


def _measure(fact: Fact, metric: Metric, mode: Mode) -> _Measure:
    share = mode == "value" and _ratio(fact) is not None
    if mode == "percent":
        unit = "%" + (f" {' '.join(fact.percent_of.split()[:2])}" if fact.percent_of else "")
    else:
        unit = fact.unit or ""
    return _Measure(unit=unit, target=fact.kind == "target", share=share,
                    body=_awarding_body(fact, metric))


def _awarding_body(fact: Fact, metric: Metric) -> str:
    """Who awards it: the State, the unit's province, or the unit itself ("" if not an award)."""
    if fact.kind != "award":
        return ""
    if metric.awarded_by == "state":
        return "state"
    if metric.awarded_by == "province":
        return fact.place.province
    return fact.place.key


_OTHER_BODY = "cơ quan khen thưởng khác"


def _why_left_out(fact: Fact, metric: Metric, mode: Mode, chosen: _Measure) -> str:
    if _height(fact, mode) is None:
        return "không phải một con số"
    measure = _measure(fact, metric, mode)
    if measure.target != chosen.target:
        return ("là chỉ tiêu, không phải kết quả" if measure.target
                else "là kết quả, không phải chỉ tiêu")
    if measure.body != chosen.body:
        return _OTHER_BODY
    if measure.share != chosen.share:
        return "là tỷ lệ trên tổng số" if measure.share else "không có tổng số để tính tỷ lệ"
    if chosen.unit:
        return f"khác đơn vị tính, biểu đồ tính bằng {chosen.unit}"
    return "khác đơn vị tính"


def _bar(fact: Fact, mode: Mode) -> Bar:
    value = _height(fact, mode)
    assert value is not None
    if mode == "percent":
        # The bound qualifies the percentage only when there is no main figure (SCHEMA.md).
        written = bounded(f"{fact.percent}%", fact.bound if fact.value is None else None)
        if fact.percent_of:
            written += f" {fact.percent_of}"
    else:
        written = bounded(fact.value if fact.of is None else f"{fact.value}/{fact.of}", fact.bound)
        share = _ratio(fact)
        if share is not None:
            value = share
            written += f" ({format_vn_number(round(share))}%)"
    if fact.estimate:
        written = f"ước {written}"
    return Bar(label=fact.place.name, place=fact.place, year=fact.year, value=value,
               written=written, fact=fact)


def _scope_marks(bars: Sequence[Bar]) -> dict[str, str]:
    """A footnote mark per scope (figures of a body within the district, not the whole district)."""
    scopes = list(dict.fromkeys(b.fact.scope for b in bars if b.fact.scope))
    return {scope: mark for scope, mark in zip(scopes, _SCOPE_MARKS, strict=False)}


def _chart(kind: ChartKind, metric: Metric, title: str, chosen: _Choice, bars: Sequence[Bar],
           notes: Sequence[str]) -> Chart:
    return Chart(kind=kind, metric=metric, title=title, unit=chosen.unit, bars=tuple(bars),
                 notes=tuple(notes), share=chosen.measure.share)


def _what(metric: Metric, target: bool) -> str:
    label = f"chỉ tiêu {metric.label}" if target else metric.label
    return label[0].upper() + label[1:]


def _in_years(years: Sequence[int]) -> str:
    return f" năm {join_vn(str(y) for y in years)}" if years else ""


def _can_chart(kb: KnowledgeBase) -> str:
    labels = [m.label for m in chartable_metrics(kb)]
    if not labels:
        return ""
    listed = labels[:MAX_LISTED_METRICS]
    more = f" và {len(labels) - len(listed)} chỉ số khác" if len(labels) > len(listed) else ""
    return f"Có thể vẽ biểu đồ so sánh: {', '.join(f'«{x}»' for x in listed)}{more}."
