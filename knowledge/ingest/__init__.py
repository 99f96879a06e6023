"""Ingest: a report file → a draft of candidate facts → reviewed → added to the knowledge base.

The functions are pure (bytes and text in, typed values out), so the CLI and a curator's
Telegram upload share them: ``document_text`` reads a file's bytes, ``ingest`` drafts its facts,
``draft_yaml`` / ``header_record`` / ``candidate_records`` write the draft out, ``Review`` holds
a curator's corrections of it, and ``plan_addition`` checks a reviewed draft and says how the
data files change.
"""

from knowledge.ingest.adding import Addition, DraftRejected, plan_addition
from knowledge.ingest.documents import FORMATS, DocumentError, document_text
from knowledge.ingest.draft import candidate_record, draft_yaml, header_record
from knowledge.ingest.evaluation import Evaluation, ReportScore, evaluate, evaluation_text
from knowledge.ingest.figures import find_figures
from knowledge.ingest.header import propose_date, propose_unit, resolve_unit, units_named
from knowledge.ingest.layout import split_sentences
from knowledge.ingest.report import Candidate, Draft, NewMetric, SourceProposal, ingest
from knowledge.ingest.review import KINDS, PAGE_SIZE, Item, Review

__all__ = [
    "FORMATS",
    "KINDS",
    "PAGE_SIZE",
    "Addition",
    "Candidate",
    "DocumentError",
    "Draft",
    "DraftRejected",
    "Evaluation",
    "Item",
    "NewMetric",
    "ReportScore",
    "Review",
    "SourceProposal",
    "candidate_record",
    "document_text",
    "draft_yaml",
    "evaluate",
    "evaluation_text",
    "find_figures",
    "header_record",
    "ingest",
    "plan_addition",
    "propose_date",
    "propose_unit",
    "resolve_unit",
    "split_sentences",
    "units_named",
]
