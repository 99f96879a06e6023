"""The knowledge base in use by the running bot; a reload validates first, then swaps it whole."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path

from knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from knowledge.changes import PlaceChanges, compare


@dataclass(frozen=True, slots=True)
class Reload:
    """How a reload went: the problems that kept the old knowledge base, or what changed.

    ``labels`` names the metrics of both versions (a withdrawn figure's metric may be gone).
    """

    problems: tuple[str, ...] = ()
    changes: tuple[PlaceChanges, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the new knowledge base is in use."""
        return not self.problems


def settle() -> None:
    """Keep the loaded knowledge base out of the garbage collector's passes.

    Its hundreds of thousands of long-lived objects would otherwise be walked again and again,
    pausing answers for milliseconds at random.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Library:
    """Holds the current knowledge base, so handlers and jobs always read the latest one."""

    def __init__(self, kb: KnowledgeBase, data_dir: Path | None = None) -> None:
        self.kb = kb
        self.data_dir = data_dir
        settle()

    def reload(self) -> Reload:
        """Load the data files again; on any problem keep the knowledge base in use."""
        try:
            new = load_knowledge_base(self.data_dir)
        except KnowledgeBaseError as error:
            return Reload(problems=tuple(str(problem) for problem in error.problems))
        changes = compare(self.kb, new)
        labels = {m.id: m.label for kb in (self.kb, new) for m in kb.metrics.values()}
        self.kb = new
        settle()
        return Reload(changes=tuple(changes), labels=labels)
