"""Curating the knowledge base on disk: checking and adding reviewed drafts, asking for a reload."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.journal import write_all_atomically
from bot.storage import lock_holder
from knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.changes import ReportChanges, compare_facts, earlier_report
from knowledge.ingest import Addition, DraftRejected, Review, draft_yaml, plan_addition
from knowledge.model import Source
from knowledge.validation import Problem, parse_yaml


def add_draft(draft_text: str, draft_name: str, data_dir: Path | None = None,
              replaces: str | None = None) -> Addition:
    """Add a reviewed draft to the knowledge base in ``data_dir``; return what changed.

    ``replaces`` names the earlier report the draft is a new version of. Raises
    ``DraftRejected`` (nothing is written) when the draft or the knowledge base it would make
    has problems, and ``KnowledgeBaseError`` when the knowledge base already has some.
    """
    data_dir = data_dir or DATA_DIR
    addition = check_draft(draft_text, draft_name, load_knowledge_base(data_dir), data_dir,
                           replaces)
    _check_whole(data_dir, addition)
    write_all_atomically({data_dir / name: text for name, text in addition.files.items()})
    return addition


def check_draft(draft_text: str, draft_name: str, kb: KnowledgeBase, data_dir: Path | None = None,
                replaces: str | None = None) -> Addition:
    """What adding the draft to ``kb`` (loaded from ``data_dir``) would write; nothing is written.

    Raises ``DraftRejected`` with every problem of the draft.
    """
    data_dir = data_dir or DATA_DIR
    existing = {f"facts/{p.name}" for p in (data_dir / "facts").glob("*.yaml")}
    return plan_addition(draft_text, draft_name, kb,
                         (data_dir / "sources.yaml").read_text(encoding="utf-8"),
                         (data_dir / "metrics.yaml").read_text(encoding="utf-8"), existing,
                         replaces)


def _check_whole(data_dir: Path, addition: Addition) -> None:
    """Load the knowledge base as it would be, in a scratch copy, before touching the real one."""
    with tempfile.TemporaryDirectory(prefix="thidua-add-") as scratch:
        copy = Path(scratch) / "data"
        shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns(".*"))
        for name, text in addition.files.items():
            (copy / name).write_text(text, encoding="utf-8")
        try:
            load_knowledge_base(copy)
        except KnowledgeBaseError as error:
            raise DraftRejected([dataclasses.replace(
                p, message=f"(with the draft added) {p.message}",
                vi=f"(khi thêm bản nháp) {p.vi or p.message}") for p in error.problems]) from error


class Curator:
    """Checks and adds drafts to the knowledge base in one data directory, one at a time.

    Two admins may press "add" at once; each addition rewrites ``sources.yaml`` and
    ``metrics.yaml``, so additions take turns rather than lose each other's entries.
    """

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir or DATA_DIR
        self._adding = threading.Lock()

    def check(self, draft_text: str, draft_name: str, kb: KnowledgeBase,
              replaces: str | None = None) -> Addition:
        """What adding the draft to ``kb`` would write (``DraftRejected`` with its problems)."""
        return check_draft(draft_text, draft_name, kb, self.data_dir, replaces)

    def add(self, draft_text: str, draft_name: str, replaces: str | None = None) -> Addition:
        """Add the draft (as ``thidua kb add``); blocking, so callers run it in a thread."""
        with self._adding:
            return add_draft(draft_text, draft_name, self.data_dir, replaces)


def ask_bot_to_reload(state_dir: Path) -> int | None:
    """Send SIGHUP to the bot running on ``state_dir``; its PID, or None when none runs.

    Raises ``bot.storage.DataDirLocked`` when a bot runs there but its PID cannot be read.
    """
    pid = lock_holder(state_dir)
    if pid is not None:
        os.kill(pid, signal.SIGHUP)
    return pid


@dataclass(frozen=True, slots=True)
class DraftCheck:
    """A draft as it would be added now: its YAML, the earlier report it meets, its problems.

    ``earlier`` is the report of the same unit and year already in the knowledge base;
    ``replaces`` its id when the draft takes its place (else both are kept). ``addition`` is
    what adding writes, None while ``problems`` stand in the way; ``changes`` compares the
    earlier report's facts with the draft's when it replaces them.
    """

    yaml: str
    name: str
    earlier: Source | None = None
    replaces: str | None = None
    addition: Addition | None = None
    problems: tuple[Problem, ...] = ()
    changes: ReportChanges | None = None


def check_review(review: Review, kb: KnowledgeBase, curator: Curator) -> DraftCheck:
    """Check a reviewed report against ``kb``: what it replaces, what adding it would write."""
    place = review.place(kb.gazetteer)
    earlier = earlier_report(kb, place, review.figures()) if place else None
    replaces = earlier.id if earlier and review.replace_earlier else None
    taken = frozenset(f.id for f in kb.facts if f.source.id != replaces)
    text = draft_yaml(review.draft(kb.gazetteer, replaces), taken)
    name = f"{replaces or review.source.id}.yaml"
    return _checked(DraftCheck(text, name, earlier, replaces), kb, curator)


def check_yaml(text: str, name: str, kb: KnowledgeBase, curator: Curator) -> DraftCheck:
    """Check a draft an admin sent as YAML; a draft under an existing source id replaces it."""
    problems: list[Problem] = []
    raw = parse_yaml(text, name, problems)
    ident = raw.get("source") if isinstance(raw, dict) else None
    earlier = kb.sources.get(ident) if isinstance(ident, str) else None
    return _checked(DraftCheck(text, name, earlier, earlier.id if earlier else None), kb, curator)


def _checked(check: DraftCheck, kb: KnowledgeBase, curator: Curator) -> DraftCheck:
    try:
        addition = curator.check(check.yaml, check.name, kb, check.replaces)
    except DraftRejected as rejected:
        return dataclasses.replace(check, problems=tuple(rejected.problems))
    changes = None
    if check.replaces is not None:
        old = [f for f in kb.facts if f.source.id == check.replaces]
        changes = compare_facts(old, addition.new_facts)
    return dataclasses.replace(check, addition=addition, changes=changes)
