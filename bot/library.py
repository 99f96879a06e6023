"""The knowledge base in use by the running bot; a reload validates first, then swaps it whole."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from knowledge import KnowledgeBase
from knowledge.base import check_knowledge_base
from knowledge.changes import PlaceChanges, compare
from knowledge.validation import Problem


@dataclass(frozen=True, slots=True)
class Reload:
    """How a reload went: the errors that kept the old knowledge base, or what changed.

    ``problems`` holds the errors and warnings; warnings alone do not stop a reload.
    """

    problems: tuple[Problem, ...] = ()
    changes: tuple[PlaceChanges, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the new knowledge base is in use."""
        return not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that kept the old knowledge base."""
        return tuple(p for p in self.problems if not p.warning)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """What is odd in the new data but did not stop the reload."""
        return tuple(p for p in self.problems if p.warning)


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
        new, problems = check_knowledge_base(self.data_dir)
        if new is None:
            return Reload(problems=tuple(problems))
        changes = compare(self.kb, new)
        self.kb = new
        settle()
        return Reload(problems=tuple(problems), changes=tuple(changes))
