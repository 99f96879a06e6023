"""The knowledge base in use by the running bot; a reload swaps it whole."""

from __future__ import annotations

from pathlib import Path

from knowledge import KnowledgeBase


class Library:
    """Holds the current knowledge base, so handlers and jobs always read the latest one."""

    def __init__(self, kb: KnowledgeBase, data_dir: Path | None = None) -> None:
        self.kb = kb
        self.data_dir = data_dir
