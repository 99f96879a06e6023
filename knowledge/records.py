"""The JSON form of an answer: the ``ask --json``/``--jsonl`` contract of DESIGN.md."""

from __future__ import annotations

from typing import Any

from knowledge.model import Answer, Fact
from knowledge.phrasing import render_text


def fact_record(fact: Fact) -> dict[str, Any]:
    """One fact with its administrative unit, year, metric, value, measuring unit and source.

    ``district`` (the contract's first field) names the unit whatever its level; ``level`` says
    whether it is a former district, a current ward or commune, or a province.
    """
    source = fact.source
    return {
        "id": fact.id,
        "district": fact.place.name,
        "level": fact.place.level,
        "province": fact.place.province,
        "year": fact.year,
        "kind": fact.kind,
        "metric": fact.metric,
        "value": fact.number,
        "value_text": fact.value if fact.value is not None else fact.text,
        "unit": fact.unit,
        "percent": fact.percent_number,
        "percent_of": fact.percent_of,
        "source": {"title": source.title, "publisher": source.publisher,
                   "date": source.date.isoformat(), "url": source.url},
    }


def answer_record(answer: Answer) -> dict[str, Any]:
    """The answer as one JSON-ready object."""
    return {
        "status": answer.status,
        "text": render_text(answer),
        "facts": [fact_record(f) for f in answer.facts],
        "suggestions": list(answer.suggestions),
    }
