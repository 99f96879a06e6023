"""Measuring ingest against curated reports: recall of their figures and metrics, precision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.ingest.report import Candidate, Draft, ingest
from knowledge.model import Fact
from knowledge.numbers import parse_vn_number


@dataclass(frozen=True)
class ReportScore:
    """How one report's draft compares with the curated facts of that report."""

    report: str
    unit: str | None
    source: str | None
    curated: int
    value_hits: int
    metric_hits: int
    candidates: int
    matched_candidates: int
    missed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """Scores of every report and their totals."""

    reports: tuple[ReportScore, ...]

    @property
    def curated(self) -> int:
        """Curated figure facts of the matched reports."""
        return sum(r.curated for r in self.reports)

    @property
    def value_recall(self) -> float:
        """Share of curated figure facts proposed with the right value."""
        return _ratio(sum(r.value_hits for r in self.reports), self.curated)

    @property
    def metric_recall(self) -> float:
        """Share of curated figure facts proposed with the right value and metric."""
        return _ratio(sum(r.metric_hits for r in self.reports), self.curated)

    @property
    def precision(self) -> float:
        """Share of candidates that are some curated fact."""
        return _ratio(sum(r.matched_candidates for r in self.reports),
                      sum(r.candidates for r in self.reports))


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate(reports: Iterable[tuple[str, str]], kb: KnowledgeBase) -> Evaluation:
    """Ingest each ``(name, text)`` report and compare its candidates with the curated facts.

    The curated report is the source with facts about the proposed unit, closest in date
    (or, with no unit, the source of that date). A curated figure fact (one with a value or
    a percent) is found when a candidate proposes the same value, or the same percent when the
    fact has only a percent; candidates and facts are paired one to one, so a figure found
    once counts once. Precision is the share of all candidates (unrecognised ones included)
    paired with a curated fact.
    """
    scores = []
    for name, text in reports:
        draft = ingest(text, kb, report=name)
        source = _curated_source(draft, kb)
        facts = [f for f in kb.facts if source and f.source.id == source
                 and (f.value is not None or f.percent is not None)]
        candidates = list(draft.candidates)
        by_value = _pairs(facts, candidates, strict=False)
        by_metric = _pairs(facts, candidates, strict=True)
        scores.append(ReportScore(
            report=name, unit=draft.unit.name if draft.unit else None,
            source=source, curated=len(facts), value_hits=len(by_value),
            metric_hits=len(by_metric), candidates=len(candidates),
            matched_candidates=len(set(by_value.values())),
            missed=tuple(f.id for i, f in enumerate(facts) if i not in by_value),
        ))
    return Evaluation(tuple(scores))


def _curated_source(draft: Draft, kb: KnowledgeBase) -> str | None:
    sources = {f.source for f in kb.facts if draft.unit is not None and f.place == draft.unit}
    if not sources and draft.date is not None:
        sources = {s for s in kb.sources.values() if s.date == draft.date}
    if not sources:
        return None
    reference = draft.date or (dt.date(draft.year, 12, 31) if draft.year else None)
    if reference is None:
        return min(sources, key=lambda s: s.id).id if len(sources) == 1 else None
    return min(sources, key=lambda s: (abs((s.date - reference).days), s.id)).id


def _same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a.replace(" ", "") == b.replace(" ", ""):
        return True
    x, y = parse_vn_number(a), parse_vn_number(b)
    return x is not None and x == y


def _found(fact: Fact, candidate: Candidate) -> bool:
    if fact.value is not None:
        return _same(fact.value, candidate.value)
    return _same(fact.percent, candidate.percent)


def _pairs(facts: Sequence[Fact], candidates: Sequence[Candidate],
           strict: bool) -> dict[int, int]:
    """A largest one-to-one pairing of facts with candidates that found them (fact → cand)."""
    edges = [[j for j, c in enumerate(candidates)
              if _found(f, c) and (not strict or c.metric == f.metric)] for f in facts]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(facts)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def evaluation_text(evaluation: Evaluation) -> str:
    """The evaluation as a table: recall and precision per report and in total."""
    rows = ["report                      unit                 curated  value recall  "
            "value+metric  precision"]
    for r in evaluation.reports:
        rows.append(
            f"{r.report[:27]:<27} {(r.unit or '(none)')[:20]:<20} {r.curated:>7}  "
            f"{_share(r.value_hits, r.curated):>12}  {_share(r.metric_hits, r.curated):>12}  "
            f"{_share(r.matched_candidates, r.candidates):>9}")
        if r.source is None:
            rows.append("    no curated report matched (unit and date not found)")
        elif r.missed:
            rows.append(f"    missed: {', '.join(r.missed)}")
    hits = sum(r.value_hits for r in evaluation.reports)
    strict = sum(r.metric_hits for r in evaluation.reports)
    matched = sum(r.matched_candidates for r in evaluation.reports)
    total = sum(r.candidates for r in evaluation.reports)
    rows.append(
        f"{'total':<27} {'':<20} {evaluation.curated:>7}  "
        f"{_share(hits, evaluation.curated):>12}  {_share(strict, evaluation.curated):>12}  "
        f"{_share(matched, total):>9}")
    rows.append(f"value recall {evaluation.value_recall:.1%} ({hits}/{evaluation.curated}), "
                f"value and metric {evaluation.metric_recall:.1%} ({strict}/{evaluation.curated}),"
                f" precision {evaluation.precision:.1%} ({matched}/{total} candidates)")
    return "\n".join(rows)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} {_ratio(part, whole):.0%}"
