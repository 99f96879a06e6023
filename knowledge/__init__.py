"""The curated knowledge base and the pure question-answering engine.

No Telegram here, and no I/O beyond reading its own data files.
"""

from knowledge.base import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from knowledge.context import Context
from knowledge.coverage import coverage_text
from knowledge.engine import Reply, answer, lookup_place, name_for, respond
from knowledge.phrasing import format_source, render_text

__all__ = [
    "Context",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Reply",
    "answer",
    "coverage_text",
    "format_source",
    "load_knowledge_base",
    "lookup_place",
    "name_for",
    "render_text",
    "respond",
]
