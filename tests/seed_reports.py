"""The knowledge base as the five seed reports make it, for tests of answers about their facts.

Curators keep adding reports (``thidua kb add``); tests that check rankings, charts and replies
built from the seeds' figures read this view, so a new report does not change what they expect.
"""

from __future__ import annotations

from knowledge import KnowledgeBase

SEED_SOURCES = frozenset({"binh-thanh-2021", "quan-6-2022", "hoang-mai-2022",
                          "hai-ba-trung-2020", "quan-1-2023"})


def seed_reports_only(kb: KnowledgeBase) -> KnowledgeBase:
    """``kb`` with the facts, sources and metrics of the seed reports only."""
    facts = tuple(f for f in kb.facts if f.source.id in SEED_SOURCES)
    used = {f.metric for f in facts}
    return KnowledgeBase(
        sources={k: s for k, s in kb.sources.items() if k in SEED_SOURCES},
        metrics={k: m for k, m in kb.metrics.items() if k in used},
        facts=facts, gazetteer=kb.gazetteer, vocabulary=kb.vocabulary,
    )
