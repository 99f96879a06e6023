"""Loading and validating the curated knowledge base into indexed, immutable facts."""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.gazetteer import Gazetteer, load_gazetteer
from knowledge.model import (
    BOUNDS,
    FACT_KINDS,
    FIGURE_KINDS,
    RECURRENCES,
    Amount,
    Fact,
    Place,
    Source,
)
from knowledge.numbers import is_vn_figure

DATA_DIR = Path(__file__).parent / "data"
_LINE = "__line__"
_FACT_FIELDS = {
    "id", "year", "kind", "metric", "value", "of", "unit", "percent", "percent_of", "bound",
    "estimate", "also", "text", "quote", "role", "date", "detail", "scope", "recurs",
}


class KnowledgeBaseError(Exception):
    """The knowledge-base files have problems; ``problems`` lists each with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a data file, where it is and how to fix it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Metric:
    """An entry of the controlled vocabulary: what is measured and how people ask for it."""

    id: str
    label: str
    topic: str
    synonyms: tuple[str, ...] = ()
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Question words (``vocabulary.yaml``): abbreviations, place types, intent cues and topics."""

    abbreviations: dict[str, str]
    place_types: dict[str, str]
    former_markers: tuple[str, ...]
    number_words: dict[str, int]
    intents: dict[str, tuple[str, ...]]
    frame_words: tuple[str, ...]
    topic_words: dict[str, tuple[str, ...]]
    families: dict[str, dict[str, str]]
    smalltalk: dict[str, tuple[str, ...]]
    followup: tuple[str, ...]
    pointers: dict[str, tuple[str, ...]]
    stopwords: frozenset[str]


@dataclass(eq=False)
class KnowledgeBase:
    """Sources, metrics, facts and the gazetteer, with the indexes the engine needs."""

    sources: dict[str, Source]
    metrics: dict[str, Metric]
    facts: tuple[Fact, ...]
    gazetteer: Gazetteer
    vocabulary: Vocabulary
    by_place: dict[str, tuple[Fact, ...]] = field(init=False)
    by_id: dict[str, Fact] = field(init=False)
    places: tuple[Place, ...] = field(init=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Fact]] = defaultdict(list)
        by_metric: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        place_of: dict[str, Place] = {}
        for fact in self.facts:
            key = fact.place.key
            grouped[key].append(fact)
            by_metric[key, fact.metric].append(fact)
            place_of[key] = fact.place
        self.by_place = {key: tuple(facts) for key, facts in grouped.items()}
        self.by_id = {fact.id: fact for fact in self.facts}
        self._by_metric = {key: tuple(facts) for key, facts in by_metric.items()}
        self.places = tuple(sorted(place_of.values(), key=lambda p: (p.province, p.name)))
        topic_of = {metric_id: m.topic for metric_id, m in self.metrics.items()}
        topic_order = list(dict.fromkeys(topic_of.values()))
        holders: dict[str, list[Place]] = defaultdict(list)
        self._years: dict[str, tuple[int, ...]] = {}
        self._topics: dict[str, tuple[str, ...]] = {}
        for place in self.places:
            facts = grouped[place.key]
            metrics = dict.fromkeys(f.metric for f in facts)
            for metric in metrics:
                holders[metric].append(place)
            self._years[place.key] = tuple(sorted({f.year for f in facts
                                                   if f.kind in FIGURE_KINDS}))
            topics = {topic_of[m] for m in metrics}
            self._topics[place.key] = tuple(t for t in topic_order if t in topics)
        self._holders = {metric: tuple(places) for metric, places in holders.items()}
        used = {t for topics in self._topics.values() for t in topics}
        self._all_topics = tuple(t for t in topic_order if t in used)

    def facts_of(self, place: Place, metric_id: str) -> tuple[Fact, ...]:
        """The unit's facts about one metric."""
        return self._by_metric.get((place.key, metric_id), ())

    def holders(self, metric_id: str) -> tuple[Place, ...]:
        """The units with facts about the metric, in the order of ``places``."""
        return self._holders.get(metric_id, ())

    def years_of(self, place: Place) -> tuple[int, ...]:
        """Years of the unit's figures (results, targets, awards)."""
        return self._years.get(place.key, ())

    def topics_of(self, place: Place | None = None) -> tuple[str, ...]:
        """Topics with facts, for one unit or all, in vocabulary order."""
        return self._topics.get(place.key, ()) if place else self._all_topics


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader that records the line of every mapping under ``__line__``."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        return mapping


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(path.name, 0, f"cannot read the file: {exc}"))
        return None
    return parse_yaml(text, path.name, problems)


def parse_yaml(text: str, name: str, problems: list[Problem]) -> Any:
    """YAML with the line of every mapping under ``__line__``; None and a problem if invalid."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problems.append(Problem(name, line, f"not valid YAML: {exc}"))
    return None


def strip_lines(value: Any) -> Any:
    """Parsed YAML without the ``__line__`` marks ``parse_yaml`` adds."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != _LINE}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def load_vocabulary(path: Path) -> Vocabulary:
    """Read ``vocabulary.yaml``: the words of questions the engine understands."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Vocabulary(
        abbreviations=dict(raw["abbreviations"]),
        place_types=dict(raw["place_types"]),
        former_markers=tuple(raw["former_markers"]),
        number_words={str(k): int(v) for k, v in raw["number_words"].items()},
        intents={k: tuple(map(str, v)) for k, v in raw["intents"].items()},
        frame_words=tuple(raw["frame_words"]),
        topic_words={str(k): tuple(v) for k, v in raw["topic_words"].items()},
        families={str(k): dict(v) for k, v in raw["families"].items()},
        smalltalk={k: tuple(map(str, v)) for k, v in raw["smalltalk"].items()},
        followup=tuple(raw["followup"]),
        pointers={k: tuple(v) for k, v in raw["pointers"].items()},
        stopwords=frozenset(map(str, raw["stopwords"])),
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while a knowledge base is built.

    Building one makes hundreds of thousands of long-lived objects, which the collector would
    walk again and again for nothing; that alone nearly doubles the loading time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_knowledge_base(data_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate every data file; raise ``KnowledgeBaseError`` listing all problems."""
    with collector_paused():
        return _load_knowledge_base(data_dir or DATA_DIR)


def _load_knowledge_base(data_dir: Path) -> KnowledgeBase:
    problems: list[Problem] = []
    try:
        vocabulary = load_vocabulary(data_dir / "vocabulary.yaml")
        gazetteer = load_gazetteer(data_dir, vocabulary.place_types)
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError([Problem("vocabulary.yaml/gazetteer.json", 0,
                                          f"cannot load: {exc}")]) from exc
    sources = _load_sources(data_dir / "sources.yaml", problems)
    metrics = _load_metrics(data_dir / "metrics.yaml", problems)
    facts: list[Fact] = []
    first_seen: dict[str, str] = {}
    for path in sorted((data_dir / "facts").glob("*.yaml")):
        facts.extend(_load_facts(path, sources, metrics, gazetteer, problems, first_seen))
    used = {f.metric for f in facts}
    problems.extend(Problem("metrics.yaml", 0, f"metric {m!r} is defined but no fact uses it")
                    for m in metrics if m not in used)
    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(sources=sources, metrics=metrics, facts=tuple(facts),
                         gazetteer=gazetteer, vocabulary=vocabulary)


def _load_sources(path: Path, problems: list[Problem]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for entry in _read_yaml(path, problems) or []:
        source = check_source(entry, path.name, problems)
        if source is not None:
            sources[source.id] = source
    return sources


def check_source(entry: Any, where: str, problems: list[Problem]) -> Source | None:
    """One entry of ``sources.yaml`` as a ``Source``; None and a problem when it is incomplete."""
    if not isinstance(entry, dict):
        problems.append(Problem(where, 0, "a source is a mapping with id, title, publisher, date"))
        return None
    line = entry.get(_LINE, 0)
    missing = [k for k in ("id", "title", "publisher", "date") if not entry.get(k)]
    if missing:
        problems.append(Problem(where, line, f"source lacks {', '.join(missing)}"))
        return None
    if not isinstance(entry["date"], dt.date):
        problems.append(Problem(where, line, "date must be an ISO date like 2023-03-25"))
        return None
    return Source(id=entry["id"], title=entry["title"], publisher=entry["publisher"],
                  date=entry["date"], url=entry.get("url") or None,
                  cite=entry.get("cite") or None)


def _load_metrics(path: Path, problems: list[Problem]) -> dict[str, Metric]:
    metrics: dict[str, Metric] = {}
    raw = _read_yaml(path, problems) or {}
    for metric_id, entry in raw.items():
        if metric_id == _LINE:
            continue
        metric = check_metric(metric_id, entry, path.name, problems)
        if metric is not None:
            metrics[metric_id] = metric
    return metrics


def check_metric(metric_id: str, entry: Any, where: str, problems: list[Problem]) -> Metric | None:
    """One entry of ``metrics.yaml`` as a ``Metric``; None and a problem when it is incomplete."""
    if not isinstance(entry, dict) or not entry.get("label") or not entry.get("topic"):
        line = entry.get(_LINE, 0) if isinstance(entry, dict) else 0
        problems.append(Problem(where, line, f"metric {metric_id!r} needs a label and a topic"))
        return None
    return Metric(id=metric_id, label=entry["label"], topic=entry["topic"],
                  synonyms=tuple(str(s) for s in entry.get("synonyms") or ()),
                  provisional=entry.get("provisional") is True)


def _load_facts(path: Path, sources: dict[str, Source], metrics: dict[str, Metric],
                gazetteer: Gazetteer, problems: list[Problem],
                first_seen: dict[str, str]) -> list[Fact]:
    raw = _read_yaml(path, problems)
    if raw is None:
        return []
    return check_facts_document(raw, f"facts/{path.name}", sources, metrics, gazetteer, problems,
                                first_seen)


def check_facts_document(raw: Any, where: str, sources: dict[str, Source],
                         metrics: dict[str, Metric], gazetteer: Gazetteer,
                         problems: list[Problem], first_seen: dict[str, str]) -> list[Fact]:
    """The facts of one parsed facts file; its problems (named ``where``) go to ``problems``.

    ``first_seen`` maps the fact ids seen so far to where, so duplicates across files are found.
    """
    if not isinstance(raw, dict):
        problems.append(Problem(where, 1, "a facts file is a mapping with source, unit, "
                                          "province and facts"))
        return []
    source = sources.get(raw.get("source", ""))
    place = gazetteer.place_by_name(str(raw.get("unit", "")), str(raw.get("province") or ""))
    if source is None:
        problems.append(Problem(where, raw.get(_LINE, 1),
                                f"unknown source {raw.get('source')!r}: use an id of sources.yaml"))
    if place is None:
        problems.append(Problem(where, raw.get(_LINE, 1),
                                f"unknown unit {raw.get('unit')!r} in "
                                f"{raw.get('province')!r}: use the full name and province "
                                "as in the gazetteer"))
    if source is None or place is None:
        return []
    facts = []
    for entry in raw.get("facts") or []:
        if not isinstance(entry, dict):
            problems.append(Problem(where, raw.get(_LINE, 1),
                                    f"a fact is a mapping (id, year, kind, …), not {entry!r}"))
            continue
        fact_problems = _check_fact(entry, metrics)
        here = f"{where}:{entry.get(_LINE, 0)}"
        if entry.get("id") in first_seen:
            fact_problems.append(f"duplicate id (first at {first_seen[entry['id']]}): "
                                 "make it unique")
        first_seen.setdefault(entry.get("id"), here)
        problems.extend(Problem(where, entry.get(_LINE, 0), f"{entry.get('id', '?')}: {msg}")
                        for msg in fact_problems)
        if fact_problems:
            continue
        facts.append(Fact(
            id=entry["id"], place=place, year=entry["year"], kind=entry["kind"],
            metric=entry["metric"], source=source,
            value=_text(entry.get("value")), of=_text(entry.get("of")), unit=entry.get("unit"),
            percent=_text(entry.get("percent")), percent_of=entry.get("percent_of"),
            bound=entry.get("bound"), estimate=bool(entry.get("estimate")),
            also=tuple(Amount(value=_text(a["value"]) or "", unit=a.get("unit", ""))
                       for a in entry.get("also") or ()),
            text=entry.get("text"), quote=entry.get("quote"), role=entry.get("role"),
            date=entry.get("date"), detail=entry.get("detail"),
            scope=entry.get("scope", raw.get("scope")), recurs=entry.get("recurs"),
            line=entry.get(_LINE, 0), file=where,
        ))
    return facts


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _check_fact(entry: dict[str, Any], metrics: dict[str, Metric]) -> list[str]:
    """What is wrong with one fact entry, each with the fix."""
    found = []
    unknown = set(entry) - _FACT_FIELDS - {_LINE}
    if unknown:
        found.append(f"unknown field(s) {sorted(unknown)}: see SCHEMA.md")
    if not entry.get("id"):
        found.append("missing id")
    if not isinstance(entry.get("year"), int) or not 1975 <= entry["year"] <= 2100:
        found.append("year must be a whole year like 2022")
    if entry.get("kind") not in FACT_KINDS:
        found.append(f"kind must be one of {', '.join(FACT_KINDS)}")
    if entry.get("metric") not in metrics:
        found.append(f"unknown metric {entry.get('metric')!r}: add it to metrics.yaml")
    if entry.get("bound") is not None and entry["bound"] not in BOUNDS:
        found.append(f"bound must be one of {', '.join(BOUNDS)}")
    if entry.get("value") is None and entry.get("percent") is None and not entry.get("text"):
        found.append("needs a value, a percent or a text")
    if entry.get("quote") is not None and entry.get("kind") != "theme":
        found.append("only a theme carries a quote (the slogan exactly as the report writes it)")
    if entry.get("role") is not None and entry.get("kind") != "person":
        found.append("only a person carries a role (what they did: chủ trì, trao, phát động …)")
    for name in ("value", "of", "percent"):
        if entry.get(name) is not None and not is_vn_figure(str(entry[name])):
            found.append(f"{name} {entry[name]!r} is not a figure in Vietnamese notation "
                         "(write it as the report does, e.g. \"4.670,8\")")
    for extra in entry.get("also") or ():
        if not isinstance(extra, dict) or not is_vn_figure(str(extra.get("value", ""))):
            found.append("each 'also' entry needs a value in Vietnamese notation and a unit")
    if entry.get("date") is not None and not isinstance(entry["date"], dt.date):
        found.append("date must be an ISO date like 2023-11-25")
    if entry.get("recurs") is not None and (entry["recurs"] not in RECURRENCES
                                            or entry.get("date") is None):
        found.append(f"recurs must be one of {', '.join(RECURRENCES)}, on a fact with a date")
    return found
