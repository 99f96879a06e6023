"""The curated knowledge base and the pure question-answering engine.

No Telegram here, and no I/O beyond reading its own data files.
"""

from knowledge.base import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from knowledge.coverage import coverage_text
from knowledge.engine import answer, lookup_district
from knowledge.phrasing import format_source, render_text

__all__ = [
    "KnowledgeBase",
    "KnowledgeBaseError",
    "answer",
    "coverage_text",
    "format_source",
    "load_knowledge_base",
    "lookup_district",
    "render_text",
]
