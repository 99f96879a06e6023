"""What a new version of the knowledge base changes: facts added, changed, removed by unit."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.model import FIGURE_KINDS, Fact, Place
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
