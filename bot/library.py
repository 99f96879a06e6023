"""The knowledge base in use by the running bot; a reload validates first, then swaps it whole."""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass
from pathlib import Path

from knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.changes import PlaceChanges, compare

DATA_SUFFIXES = (".yaml", ".json")


@dataclass(frozen=True, slots=True)
class Reload:
    """How a reload went: the problems that kept the old knowledge base, or what changed."""

    problems: tuple[str, ...] = ()
    changes: tuple[PlaceChanges, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the new knowledge base is in use."""
        return not self.problems


def data_files(directory: Path | None) -> dict[str, str]:
    """The knowledge base's data files (YAML and JSON) by path relative to ``directory``."""
    root = directory or DATA_DIR
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*")) if path.suffix in DATA_SUFFIXES}


def version_of(files: dict[str, str]) -> str:
    """A digest naming the content of the data files."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def settle() -> None:
    """Keep the loaded knowledge base out of the garbage collector's passes.

    Its hundreds of thousands of long-lived objects would otherwise be walked again and again,
    pausing answers for milliseconds at random.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Library:
    """Holds the current knowledge base, so handlers and jobs always read the latest one.

    ``version`` names the content of the data files it was loaded from (``version_of``).
    """

    def __init__(self, kb: KnowledgeBase, data_dir: Path | None = None,
                 version: str | None = None) -> None:
        self.kb = kb
        self.data_dir = data_dir
        self.version = version or version_of(data_files(data_dir))
        settle()

    def reload(self) -> Reload:
        """Load the data files again; on any problem keep the knowledge base in use."""
        files = data_files(self.data_dir)
        try:
            new = load_knowledge_base(self.data_dir)
        except KnowledgeBaseError as error:
            return Reload(problems=tuple(str(problem) for problem in error.problems))
        return self.adopt(new, version_of(files))

    def adopt(self, kb: KnowledgeBase, version: str) -> Reload:
        """Answer from ``kb`` (loaded elsewhere, e.g. published by another instance) from now on."""
        changes = compare(self.kb, kb)
        self.kb, self.version = kb, version
        settle()
        return Reload(changes=tuple(changes))
