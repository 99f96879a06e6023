"""A draft under review: what ingest read from a report, and a curator's corrections, kept apart.

A curator corrects the unit, the date and the source, keeps or drops each figure, switches its
kind, changes its year, and accepts or retypes a new metric's label. Corrections are kept apart
from what ingest read, so reading the report again for another unit or date keeps them.
``to_dict``/``from_dict`` store a review as JSON; ``draft`` gives the ``Draft`` to write out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from knowledge.base import KnowledgeBase
from knowledge.gazetteer import Gazetteer
from knowledge.ingest.report import Candidate, Draft, NewMetric, SourceProposal, ingest
from knowledge.model import Amount, Fact, Place

KINDS = ("result", "target", "award")
PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class Item:
    """One figure as the curator reviews it, corrections applied.

    ``number`` counts from 1 in report order; ``problem`` says why it cannot be added as it
    stands (``year``: no year, ``metric``: no metric), and such an item is not kept.
    """

    number: int
    candidate: Candidate
    kept: bool
    problem: str | None = None

    @property
    def fact(self) -> Fact:
        """The figure as a fact of no unit or source yet, to phrase it as replies do."""
        c = self.candidate
        return Fact(id="", place=None, year=c.year or 0, kind=c.kind,  # type: ignore[arg-type]
                    metric=c.metric_id, source=None,  # type: ignore[arg-type]
                    value=c.numeral or c.value, of=c.of, unit=c.unit, percent=c.percent,
                    percent_of=c.percent_of, bound=c.bound, estimate=c.estimate, also=c.also)


@dataclass(frozen=True)
class Review:
    """A report's text, what ingest read from it, and the curator's corrections.

    ``unit`` and ``unit_options`` are place keys; ``kept``, ``kinds`` and ``years`` are keyed by
    item number; ``labels`` and ``accepted`` by new metric id. ``replace_earlier`` False keeps
    an earlier report of the same unit and year beside this one instead of replacing it.
    """

    text: str
    report: str
    unit: str | None
    unit_name: str | None
    unit_options: tuple[str, ...]
    date: dt.date | None
    year: int | None
    source: SourceProposal
    candidates: tuple[Candidate, ...]
    kept: Mapping[int, bool] = field(default_factory=dict)
    kinds: Mapping[int, str] = field(default_factory=dict)
    years: Mapping[int, int] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    accepted: frozenset[str] = frozenset()
    title: str | None = None
    publisher: str | None = None
    replace_earlier: bool = True

    @classmethod
    def of(cls, draft: Draft, text: str) -> Review:
        """A review of a freshly ingested draft, without corrections."""
        return cls(text=text, report=draft.report, unit=draft.unit.key if draft.unit else None,
                   unit_name=draft.unit_name,
                   unit_options=tuple(p.key for p in draft.unit_options), date=draft.date,
                   year=draft.year, source=draft.source, candidates=draft.candidates)

    def reread(self, kb: KnowledgeBase, unit: Place | None = None,
               date: dt.date | None = None) -> Review:
        """Read the report again for another unit or date; corrections of figures are kept."""
        unit = unit or self.place(kb.gazetteer)
        draft = ingest(self.text, kb, unit=unit, date=date or self.date, report=self.report)
        fresh = Review.of(draft, self.text)
        if len(fresh.candidates) != len(self.candidates):  # another reading: start afresh
            return replace(fresh, title=self.title, publisher=self.publisher)
        return replace(self, unit=fresh.unit, unit_name=fresh.unit_name,
                       unit_options=fresh.unit_options, date=fresh.date, year=fresh.year,
                       source=fresh.source, candidates=fresh.candidates)

    # Reading -----------------------------------------------------------------------------

    def place(self, gazetteer: Gazetteer) -> Place | None:
        """The unit the report is about, once it is known."""
        return gazetteer.place_by_key(self.unit) if self.unit else None

    def options(self, gazetteer: Gazetteer) -> tuple[Place, ...]:
        """The units of the same name the report may be about, when it is not known which."""
        return tuple(p for key in self.unit_options if (p := gazetteer.place_by_key(key)))

    def items(self) -> tuple[Item, ...]:
        """Every figure with the corrections applied, in report order."""
        items = []
        for number, candidate in enumerate(self.candidates, 1):
            candidate = replace(candidate, kind=self.kinds.get(number, candidate.kind),
                                year=self.years.get(number, candidate.year))
            new = candidate.new_metric
            if new is not None and new.id in self.labels:
                candidate = replace(candidate, new_metric=replace(new, label=self.labels[new.id]))
            problem = ("year" if candidate.year is None else
                       "metric" if not candidate.metric_id or (new and not new.label) else None)
            kept = problem is None and self.kept.get(number, True)
            items.append(Item(number, candidate, kept, problem))
        return tuple(items)

    def page(self, number: int) -> tuple[Item, ...]:
        """The items of page ``number`` (from 1)."""
        start = (number - 1) * PAGE_SIZE
        return self.items()[start:start + PAGE_SIZE]

    @property
    def pages(self) -> int:
        """How many pages the items fill (one at least)."""
        return max(1, -(-len(self.candidates) // PAGE_SIZE))

    def new_metrics(self) -> tuple[NewMetric, ...]:
        """The new metrics the kept figures use, each once, with the curator's labels."""
        return tuple(dict.fromkeys(i.candidate.new_metric for i in self.items()
                                   if i.kept and i.candidate.new_metric))

    def figures(self) -> set[tuple[int, str, str]]:
        """The kept figures' (year, kind, metric), to find an earlier report they replace."""
        return {(i.candidate.year or 0, i.candidate.kind, i.candidate.metric_id)
                for i in self.items() if i.kept}

    def draft(self, gazetteer: Gazetteer, source_id: str | None = None) -> Draft:
        """The draft as corrected: the kept figures, the unit, date and source.

        ``source_id`` replaces the proposed one (a new version of an earlier report keeps its).
        """
        source = SourceProposal(source_id or self.source.id, self.title or self.source.title,
                                self.publisher or self.source.publisher, self.date,
                                self.source.url)
        return Draft(unit=self.place(gazetteer), unit_name=self.unit_name, date=self.date,
                     year=self.year, source=source, report=self.report,
                     candidates=tuple(i.candidate for i in self.items() if i.kept),
                     unit_options=self.options(gazetteer))

    # Correcting ----------------------------------------------------------------------------

    def with_kept(self, number: int, kept: bool) -> Review:
        """Keep or drop figure ``number``."""
        return replace(self, kept={**self.kept, number: kept})

    def with_kind(self, number: int, kind: str) -> Review:
        """Make figure ``number`` a result, a target or an award."""
        if kind not in KINDS:
            raise ValueError(f"kind {kind!r} is not one of {KINDS}")
        return replace(self, kinds={**self.kinds, number: kind})

    def with_year(self, number: int, year: int) -> Review:
        """Set the year figure ``number`` is about."""
        return replace(self, years={**self.years, number: year})

    def with_label(self, metric_id: str, label: str) -> Review:
        """Retype a new metric's label (it counts as accepted)."""
        return replace(self, labels={**self.labels, metric_id: label},
                       accepted=self.accepted | {metric_id})

    def with_accepted(self, metric_id: str) -> Review:
        """Accept a new metric's label as proposed."""
        return replace(self, accepted=self.accepted | {metric_id})

    def with_source(self, title: str | None = None, publisher: str | None = None) -> Review:
        """Correct the report's title or who published or wrote it."""
        return replace(self, title=title or self.title, publisher=publisher or self.publisher)

    # Storing -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The review as JSON-ready data."""
        return {
            "text": self.text, "report": self.report, "unit": self.unit,
            "unit_name": self.unit_name, "unit_options": list(self.unit_options),
            "date": self.date.isoformat() if self.date else None, "year": self.year,
            "source": {**dataclasses.asdict(self.source),
                       "date": self.source.date.isoformat() if self.source.date else None},
            "candidates": [_candidate_data(c) for c in self.candidates],
            "kept": {str(k): v for k, v in self.kept.items()},
            "kinds": {str(k): v for k, v in self.kinds.items()},
            "years": {str(k): v for k, v in self.years.items()},
            "labels": dict(self.labels), "accepted": sorted(self.accepted),
            "title": self.title, "publisher": self.publisher,
            "replace_earlier": self.replace_earlier,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Review:
        """A review stored by ``to_dict``; ``ValueError`` when the data is not one."""
        try:
            source = dict(data["source"])
            return cls(
                text=data["text"], report=data["report"], unit=data["unit"],
                unit_name=data["unit_name"], unit_options=tuple(data["unit_options"]),
                date=_date(data["date"]), year=data["year"],
                source=SourceProposal(**{**source, "date": _date(source["date"])}),
                candidates=tuple(_candidate(c) for c in data["candidates"]),
                kept={int(k): bool(v) for k, v in data["kept"].items()},
                kinds={int(k): v for k, v in data["kinds"].items() if v in KINDS},
                years={int(k): int(v) for k, v in data["years"].items()},
                labels=dict(data["labels"]), accepted=frozenset(data["accepted"]),
                title=data["title"], publisher=data["publisher"],
                replace_earlier=bool(data["replace_earlier"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"not a stored review: {error!r}") from error


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _candidate_data(candidate: Candidate) -> dict[str, Any]:
    data = {f.name: getattr(candidate, f.name) for f in dataclasses.fields(candidate)}
    data["new_metric"] = dataclasses.asdict(candidate.new_metric) if candidate.new_metric else None
    data["also"] = [[a.value, a.unit] for a in candidate.also]
    return data


def _candidate(data: Mapping[str, Any]) -> Candidate:
    new = data["new_metric"]
    return Candidate(**{**data, "new_metric": NewMetric(**new) if new else None,
                        "also": tuple(Amount(value, unit) for value, unit in data["also"])})
