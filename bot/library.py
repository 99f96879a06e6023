"""The knowledge base in use by the running bot; a reload validates first, then swaps it whole."""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.journal import write_atomically
from knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.changes import PlaceChanges, compare
from knowledge.snapshot import data_digest, data_files, from_snapshot, to_snapshot
from knowledge.validation import Problem

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reload:
    """How a reload went: the errors that kept the old knowledge base, or what changed.

    ``problems`` holds the errors and warnings; warnings alone do not stop a reload. ``labels``
    names the metrics of both versions (a withdrawn figure's metric may be gone).
    """

    problems: tuple[Problem, ...] = ()
    changes: tuple[PlaceChanges, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

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


def read_data_files(directory: Path | None) -> dict[str, str]:
    """The knowledge base's data files as text, by path relative to ``directory``."""
    root = directory or DATA_DIR
    return {path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in data_files(root)}


def version_of(files: dict[str, str]) -> str:
    """A digest naming the content of the data files (``read_data_files``)."""
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


def load_cached(data_dir: Path | None, cache_dir: Path | None) -> KnowledgeBase:
    """The knowledge base of ``data_dir``, from its snapshot in ``cache_dir`` when one matches.

    A snapshot matches when it was made from the same data files by the same loader code; else
    the files are loaded and validated in full (KnowledgeBaseError on problems) and a snapshot is
    written for the next start. A damaged snapshot or a cache that cannot be written only costs
    the full load. ``cache_dir`` None: no cache.
    """
    if cache_dir is None:
        return load_knowledge_base(data_dir)
    try:
        path = cache_dir / f"kb-{data_digest(data_dir or DATA_DIR)}.bin"
    except OSError:  # a data file vanished or is unreadable: the full load says which
        return load_knowledge_base(data_dir)
    try:
        return from_snapshot(path.read_bytes())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:
        logger.warning("Knowledge-base cache %s not used: %s", path, error)
    kb = load_knowledge_base(data_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(path, to_snapshot(kb))
        for old in cache_dir.glob("kb-*.bin"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        logger.warning("Knowledge-base cache not written to %s: %s", cache_dir, error)
    return kb


class Library:
    """Holds the current knowledge base, so handlers and jobs always read the latest one.

    ``version`` names the content of the data files it was loaded from (``version_of``).
    """

    def __init__(self, kb: KnowledgeBase, data_dir: Path | None = None,
                 cache_dir: Path | None = None, version: str | None = None) -> None:
        self.kb = kb
        self.data_dir = data_dir
        self.cache_dir = cache_dir
        self.version = version or version_of(read_data_files(data_dir))
        self._reloading = threading.Lock()
        settle()

    def reload(self) -> Reload:
        """Load the data files again; on any error keep the knowledge base in use.

        Safe to call from worker threads: reloads run one at a time, and the swap is one
        assignment, so readers see the old or the new knowledge base whole. The new base's
        warnings come with the report.
        """
        with self._reloading:
            version = version_of(read_data_files(self.data_dir))
            try:
                new = load_cached(self.data_dir, self.cache_dir)
            except KnowledgeBaseError as error:
                return Reload(problems=tuple(error.problems))
            return self._swap(new, version)

    def files_in_use(self) -> bool:
        """Whether the data files on disk are the version answered from.

        With several instances, this one may answer from a version another published: an
        addition built on its own older files would drop what that version added.
        """
        return version_of(read_data_files(self.data_dir)) == self.version

    def adopt(self, kb: KnowledgeBase, version: str) -> Reload:
        """Answer from ``kb`` (published by another instance) from now on."""
        with self._reloading:
            return self._swap(kb, version)

    def _swap(self, kb: KnowledgeBase, version: str) -> Reload:
        changes = compare(self.kb, kb)
        labels = {m.id: m.label for base in (self.kb, kb) for m in base.metrics.values()}
        self.kb, self.version = kb, version
        settle()
        return Reload(problems=kb.warnings, changes=tuple(changes), labels=labels)
