"""What a new version of the knowledge base changes: facts added, changed, removed by unit."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.model import FIGURE_KINDS, Fact, Place


@dataclass(frozen=True, slots=True)
class PlaceChanges:
    """The changes to one unit's facts."""

    place: Place
    added: tuple[Fact, ...] = ()
    changed: tuple[Fact, ...] = ()
    removed: tuple[Fact, ...] = ()

    @property
    def new_figures(self) -> tuple[Fact, ...]:
        """Results, targets and awards that are new or have a new figure (the new version)."""
        return tuple(f for f in (*self.added, *self.changed) if f.kind in FIGURE_KINDS)


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
        found = PlaceChanges(
            place=places[key],
            added=tuple(f for i, f in after.items() if i not in before),
            changed=tuple(f for i, f in after.items()
                          if i in before and _content(before[i]) != _content(f)),
            removed=tuple(f for i, f in before.items() if i not in after),
        )
        if found.added or found.changed or found.removed:
            changes.append(found)
    return changes
