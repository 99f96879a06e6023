"""What a new knowledge base, or a new version of a report, changes: facts added, changed, gone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.model import FIGURE_KINDS, Fact, Place, Source
from knowledge.phrasing import fact_line, short_source


@dataclass(frozen=True, slots=True)
class PlaceChanges:
    """The changes to one unit's facts; ``replaced`` holds the old versions of ``changed``."""

    place: Place
    added: tuple[Fact, ...] = ()
    changed: tuple[Fact, ...] = ()
    removed: tuple[Fact, ...] = ()
    replaced: tuple[Fact, ...] = ()

    @property
    def new_figures(self) -> tuple[Fact, ...]:
        """Results, targets and awards that were added."""
        return tuple(f for f in self.added if f.kind in FIGURE_KINDS)

    @property
    def worth_telling(self) -> bool:
        """Whether an official following the unit would want to hear of it."""
        return bool(self.new_figures or self.revised)

    @property
    def revised(self) -> tuple[FigureChange, ...]:
        """Figures that read differently now, or come from another report, or were withdrawn."""
        edits = [FigureChange(old, new) for old, new in zip(self.replaced, self.changed,
                                                            strict=True)]
        edits.extend(FigureChange(old) for old in self.removed)
        return tuple(e for e in edits if e.old.kind in FIGURE_KINDS and e.tells_something)


@dataclass(frozen=True, slots=True)
class FigureChange:
    """A figure before a reload and after it (``new`` None: withdrawn)."""

    old: Fact
    new: Fact | None = None

    @property
    def tells_something(self) -> bool:
        """Whether an official would see a difference: the figure, its year or its source."""
        if self.new is None:
            return True
        return (fact_line(self.old, "x") != fact_line(self.new, "x")
                or self.old.source != self.new.source)

    def line(self, label: str) -> str:
        """The figure before and after, with both sources (or "đã rút" and the old one)."""
        before = fact_line(self.old, label, with_place=False).removesuffix(".")
        if self.new is None:
            return f"{before} — đã rút (nguồn cũ: {short_source(self.old.source)})."
        after = fact_line(self.new, label, with_place=False).removesuffix(".")
        head, _, old_figure = before.partition(": ")
        new_head, _, new_figure = after.partition(": ")
        text = (f"{head}: {old_figure} → {new_figure}" if head == new_head
                else f"{before} → {after}")
        old, new = short_source(self.old.source), short_source(self.new.source)
        sources = f"nguồn: {old}, không đổi" if old == new else f"nguồn cũ: {old}; nguồn mới: {new}"
        return f"{text} ({sources})."


def _content(fact: Fact) -> Fact:
    """The fact without where it sits in its file, which an edit above it moves."""
    return fact._replace(line=0, file="")


def compare(old: KnowledgeBase, new: KnowledgeBase) -> list[PlaceChanges]:
    """Units whose facts differ between ``old`` and ``new``, by fact id, in ``new``'s order."""
    places = {f.place.key: f.place for f in (*old.facts, *new.facts)}
    changes = []
    for key in sorted(places, key=lambda k: (places[k].province, places[k].name)):
        before = {f.id: f for f in old.by_place.get(key, ())}
        after = {f.id: f for f in new.by_place.get(key, ())}
        changed = [i for i, f in after.items()
                   if i in before and _content(before[i]) != _content(f)]
        found = PlaceChanges(
            place=places[key],
            added=tuple(f for i, f in after.items() if i not in before),
            changed=tuple(after[i] for i in changed),
            removed=tuple(f for i, f in before.items() if i not in after),
            replaced=tuple(before[i] for i in changed),
        )
        if found.added or found.changed or found.removed:
            changes.append(found)
    return changes


@dataclass(frozen=True, slots=True)
class ReportChanges:
    """How a new version of a report changes its facts, matched by year, kind and metric.

    ``changed`` pairs each old fact with the new one that takes its place; ``unchanged`` counts
    the facts that stay as they were.
    """

    added: tuple[Fact, ...] = ()
    changed: tuple[tuple[Fact, Fact], ...] = ()
    removed: tuple[Fact, ...] = ()
    unchanged: int = 0


def _figure(fact: Fact) -> tuple[object, ...]:
    return (fact.value, fact.of, fact.unit, fact.percent, fact.percent_of, fact.bound,
            fact.estimate, fact.also, fact.text, fact.quote)


def compare_facts(old: Sequence[Fact], new: Sequence[Fact]) -> ReportChanges:
    """Compare a report's old facts with its new ones, both of one unit.

    Facts pair by (year, kind, metric): equal figures first, then in the order given; the rest
    are added or removed.
    """
    groups: dict[tuple[int, str, str], tuple[list[Fact], list[Fact]]] = {}
    for side, facts in ((0, old), (1, new)):
        for fact in facts:
            groups.setdefault((fact.year, fact.kind, fact.metric), ([], []))[side].append(fact)
    added: list[Fact] = []
    changed: list[tuple[Fact, Fact]] = []
    removed: list[Fact] = []
    unchanged = 0
    for before, after in groups.values():
        for fact in list(after):
            same = next((f for f in before if _figure(f) == _figure(fact)), None)
            if same is not None:
                before.remove(same)
                after.remove(fact)
                unchanged += 1
        changed.extend(zip(before, after, strict=False))
        removed.extend(before[len(after):])
        added.extend(after[len(before):])
    order = {id(f): i for i, f in enumerate(new)}
    return ReportChanges(added=tuple(sorted(added, key=lambda f: order[id(f)])),
                         changed=tuple(sorted(changed, key=lambda p: order[id(p[1])])),
                         removed=tuple(removed), unchanged=unchanged)


# Kinds that say which year a report reviews: two reports of one unit reviewing the same year
# are versions of one report; targets for a year are set by the report of the year before.
_REVIEWED_KINDS = ("result", "award")


def reviewed_year(figures: Iterable[tuple[int, str]]) -> int | None:
    """The year a report reviews: that of most of its results and awards (the earliest of equals).

    ``figures`` are (year, kind). A report of targets only reviews no year.
    """
    years = Counter(year for year, kind in figures if kind in _REVIEWED_KINDS and year)
    return min(years, key=lambda y: (-years[y], y)) if years else None


def earlier_report(kb: KnowledgeBase, place: Place,
                   figures: Iterable[tuple[int, str, str]]) -> Source | None:
    """The report of ``place`` in ``kb`` that a draft with these figures is a new version of.

    ``figures`` are the draft's (year, kind, metric). It is a report reviewing the year the
    draft reviews; of several, the one sharing most figures with it.
    """
    figures = set(figures)
    year = reviewed_year((y, kind) for y, kind, _ in figures)
    by_source: dict[str, list[Fact]] = {}
    for fact in kb.by_place.get(place.key, ()):
        by_source.setdefault(fact.source.id, []).append(fact)
    same = [facts for facts in by_source.values() if year is not None
            and reviewed_year((f.year, f.kind) for f in facts) == year]
    if not same:
        return None
    best = max(same, key=lambda facts: (
        sum((f.year, f.kind, f.metric) in figures for f in facts), facts[0].source.date))
    return best[0].source
