"""Curating the knowledge base on disk: adding a reviewed draft, asking the bot to reload."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

from bot.journal import write_all_atomically
from bot.storage import lock_holder
from knowledge import KnowledgeBaseError, load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.ingest import Addition, DraftRejected, plan_addition


def add_draft(draft_text: str, draft_name: str, data_dir: Path | None = None) -> Addition:
    """Add a reviewed draft to the knowledge base in ``data_dir``; return what changed.

    Raises ``DraftRejected`` (nothing is written) when the draft or the knowledge base it would
    make has problems, and ``KnowledgeBaseError`` when the knowledge base already has some.
    """
    data_dir = data_dir or DATA_DIR
    kb = load_knowledge_base(data_dir)
    existing = {f"facts/{p.name}" for p in (data_dir / "facts").glob("*.yaml")}
    addition = plan_addition(draft_text, draft_name, kb,
                             (data_dir / "sources.yaml").read_text(encoding="utf-8"),
                             (data_dir / "metrics.yaml").read_text(encoding="utf-8"), existing)
    _check_whole(data_dir, addition)
    write_all_atomically({data_dir / name: text for name, text in addition.files.items()})
    return addition


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
            raise DraftRejected([f"(with the draft added) {p}" for p in error.problems]) from error


def ask_bot_to_reload(state_dir: Path) -> int | None:
    """Send SIGHUP to the bot running on ``state_dir``; its PID, or None when none runs.

    Raises ``bot.storage.DataDirLocked`` when a bot runs there but its PID cannot be read.
    """
    pid = lock_holder(state_dir)
    if pid is not None:
        os.kill(pid, signal.SIGHUP)
    return pid
