"""Loading and validating the curated knowledge base into indexed, immutable facts."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from knowledge.text import fold
from knowledge.validation import (
    DATE,
    FIGURE,
    FLAG,
    PHRASES,
    TEXT,
    TEXTS,
    WHOLE,
    KnowledgeBaseError,
    ListOf,
    MapOf,
    Problem,
    Record,
    Shape,
    check_shape,
    did_you_mean,
    fields,
    line_of,
    parse_yaml,
    strip_lines,
)

__all__ = ["KnowledgeBaseError", "Problem", "parse_yaml", "strip_lines"]  # re-exported for kb add

DATA_DIR = Path(__file__).parent / "data"
AWARDING_BODIES = ("state", "province", "unit")
_PLACE_TYPES = ("Quận", "Huyện", "Thị xã", "Thành phố", "Phường", "Xã", "Thị trấn", "Đặc khu",
                "Tỉnh")

# The shape of each data file (SCHEMA.md); checked before anything is read from it.
SOURCE_SHAPE = Record({"id": TEXT, "title": TEXT, "publisher": TEXT, "date": DATE, "url": TEXT,
                       "cite": TEXT}, frozenset({"id", "title", "publisher", "date"}))
SOURCES_SHAPE = ListOf(SOURCE_SHAPE)
METRIC_SHAPE = Record({"label": TEXT, "topic": TEXT, "synonyms": TEXTS, "awarded_by": TEXT,
                       "provisional": FLAG}, frozenset({"label", "topic"}))
METRICS_SHAPE = MapOf(METRIC_SHAPE)
_AMOUNT = Record({"value": FIGURE, "unit": TEXT}, frozenset({"value", "unit"}))
FACT_SHAPE = Record({
    "id": TEXT, "year": WHOLE, "kind": TEXT, "metric": TEXT, "value": FIGURE, "of": FIGURE,
    "unit": TEXT, "percent": FIGURE, "percent_of": TEXT, "bound": TEXT, "estimate": FLAG,
    "also": ListOf(_AMOUNT), "text": TEXT, "quote": TEXT, "role": TEXT, "date": DATE,
    "detail": TEXT, "scope": TEXT, "recurs": TEXT,
}, frozenset({"id", "year", "kind", "metric"}))
FACTS_FILE_SHAPE = Record({"source": TEXT, "unit": TEXT, "province": TEXT, "scope": TEXT,
                           "facts": ListOf(FACT_SHAPE)},
                          frozenset({"source", "unit", "facts"}))
_VOCABULARY_FIELDS: dict[str, Shape] = {
    "abbreviations": MapOf(TEXT), "place_types": MapOf(TEXT), "former_markers": PHRASES,
    "number_words": MapOf(WHOLE), "intents": MapOf(PHRASES), "frame_words": PHRASES,
    "topic_words": MapOf(TEXTS), "smalltalk": MapOf(PHRASES),
    "families": MapOf(Record({"label": TEXTS, "kind": TEXT}, frozenset())),
    "followup": PHRASES, "pointers": MapOf(PHRASES), "stopwords": PHRASES,
}
VOCABULARY_SHAPE = Record(_VOCABULARY_FIELDS, frozenset(_VOCABULARY_FIELDS), see="vocabulary.yaml")
ALIASES_SHAPE = Record({
    "districts": ListOf(Record({"alias": TEXT, "name": TEXT, "province": TEXT, "weak": FLAG},
                               frozenset({"alias", "name", "province"}), see="aliases.yaml")),
    "provinces": ListOf(Record({"alias": TEXT, "name": TEXT, "weak": FLAG},
                               frozenset({"alias", "name"}), see="aliases.yaml")),
}, see="aliases.yaml")


@dataclass(frozen=True, slots=True)
class Metric:
    """An entry of the controlled vocabulary: what is measured and how people ask for it."""

    id: str
    label: str
    topic: str
    synonyms: tuple[str, ...] = ()
    awarded_by: str | None = None  # of an award: "state", "province" or "unit" (its own)
    provisional: bool = False  # added from one report by `kb add`, not yet confirmed


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
    families: dict[str, dict[str, Any]]
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
    warnings: tuple[Problem, ...] = ()
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


def _read(path: Path, shape: Shape, problems: list[Problem], name: str | None = None,
          partial: bool = False) -> Any:
    """A data file checked against its shape; None when unreadable or wrongly shaped as a whole.

    Ill-shaped entries are left out (each is a problem); the rest is returned to be read. With
    ``partial`` the well-shaped part of a wrongly shaped file is returned too, to check further.
    """
    name = name or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, 0, f"cannot read the file: {exc}",
                                f"không đọc được tệp: {exc}"))
        return None
    raw = parse_yaml(text, name, problems)
    if raw is None:
        if not any(p.file == name for p in problems):
            problems.append(Problem(name, 1, "the file is empty", "tệp trống"))
        return None
    ok, clean = check_shape(raw, shape, name, problems, 1)
    return clean if ok or partial else None


def load_vocabulary(path: Path, problems: list[Problem]) -> Vocabulary | None:
    """Read ``vocabulary.yaml``, the words of questions; None (and problems) when unusable."""
    before = len(problems)
    raw = _read(path, VOCABULARY_SHAPE, problems, partial=True)
    if raw is None:
        return None
    for word, unit_type in fields(raw.get("place_types") or {}):
        if unit_type not in _PLACE_TYPES:
            en, vi = did_you_mean(unit_type, _PLACE_TYPES)
            problems.append(Problem(path.name, line_of(raw["place_types"], word),
                                    f"place type {unit_type!r} of {word!r} is not one of "
                                    f"{', '.join(_PLACE_TYPES)}{en}",
                                    f"loại đơn vị {unit_type!r} của {word!r} không thuộc "
                                    f"{', '.join(_PLACE_TYPES)}{vi}"))
    if len(problems) > before:
        return None
    raw = strip_lines(raw)
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


def check_knowledge_base(data_dir: Path | None = None) -> tuple[KnowledgeBase | None,
                                                                  list[Problem]]:
    """Load every data file: the knowledge base (None on errors) and every error and warning.

    A file that cannot be read is reported once; checks that depend on it are skipped rather
    than reported as false problems elsewhere (a broken ``metrics.yaml`` does not make every
    fact's metric "unknown", a broken facts file does not make its metrics "unused").
    """
    with collector_paused():
        return _check_knowledge_base(data_dir or DATA_DIR)


def _check_knowledge_base(data_dir: Path) -> tuple[KnowledgeBase | None, list[Problem]]:
    problems: list[Problem] = []
    vocabulary = load_vocabulary(data_dir / "vocabulary.yaml", problems)
    aliases = _read(data_dir / "aliases.yaml", ALIASES_SHAPE, problems)
    if vocabulary is None or aliases is None or problems:
        return None, problems  # the gazetteer, and so every unit, depends on both
    try:
        gazetteer = load_gazetteer(data_dir, vocabulary.place_types, strip_lines(aliases))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.append(Problem("gazetteer.json", 0, f"cannot load: {exc}: regenerate it with "
                                "scripts/build_gazetteer.py",
                                f"không nạp được: {exc}: tạo lại bằng scripts/build_gazetteer.py"))
        return None, problems
    problems.extend(_check_aliases(aliases, gazetteer))
    before = len(problems)
    sources, source_lines = _load_sources(data_dir / "sources.yaml", problems)
    sources_whole = len(problems) == before
    metrics, metric_lines = _load_metrics(data_dir / "metrics.yaml", problems)
    metrics_whole = len(problems) == before
    facts: list[Fact] = []
    first_seen: dict[str, str] = {}
    complete = sources is not None and metrics is not None
    for path in sorted((data_dir / "facts").glob("*.yaml")):
        # Facts are checked against sources and metrics only when those files are whole.
        found = _load_facts(path, sources if sources_whole else None,
                            metrics if metrics_whole else None, gazetteer, problems, first_seen)
        complete = complete and found is not None
        facts.extend(found or ())
    if complete and not any(not p.warning for p in problems):
        problems.extend(_unused(metric_lines, {f.metric for f in facts}, "metrics.yaml",
                                "metric", "chỉ số"))
        problems.extend(_unused(source_lines, {f.source.id for f in facts}, "sources.yaml",
                                "source", "nguồn"))
        problems.extend(_awards_without_body(facts, metrics or {}, metric_lines))
    if any(not p.warning for p in problems):
        return None, problems
    return KnowledgeBase(sources=sources or {}, metrics=metrics or {}, facts=tuple(facts),
                         gazetteer=gazetteer, vocabulary=vocabulary,
                         warnings=tuple(problems)), problems


def load_knowledge_base(data_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate every data file; raise ``KnowledgeBaseError`` listing all errors.

    Warnings do not stop loading; they are in ``KnowledgeBase.warnings``.
    """
    kb, problems = check_knowledge_base(data_dir)
    if kb is None:
        raise KnowledgeBaseError([p for p in problems if not p.warning])
    return kb


def _unused(lines: dict[str, int], used: set[str], file: str, en: str,
            vi: str) -> list[Problem]:
    return [Problem(file, line, f"{en} {key!r} is defined but no fact uses it: remove it, or "
                    "add its facts", f"{vi} {key!r} chưa được dữ kiện nào dùng: xóa đi, hoặc "
                    "thêm dữ kiện", warning=True)
            for key, line in lines.items() if key not in used]


def _awards_without_body(facts: list[Fact], metrics: dict[str, Metric],
                         lines: dict[str, int]) -> list[Problem]:
    """Award metrics should say who awards them, or charts never compare them."""
    awards = dict.fromkeys(f.metric for f in facts if f.kind == "award")
    return [Problem("metrics.yaml", lines.get(m, 0), f"award metric {m!r} has no awarded_by "
                    f"({', '.join(AWARDING_BODIES)}): charts treat each unit's as its own",
                    f"chỉ số khen thưởng {m!r} chưa có awarded_by "
                    f"({', '.join(AWARDING_BODIES)}): biểu đồ coi mỗi đơn vị tự khen",
                    warning=True)
            for m in awards if metrics[m].awarded_by is None]


def _check_aliases(aliases: Any, gazetteer: Gazetteer) -> list[Problem]:
    """Each alias names a unit of the gazetteer, once, as typed (lower case, no accents).

    One alias may name several units ("hm"): the engine tells them apart, as with names.
    """
    found: list[Problem] = []
    seen: dict[tuple[str, str, str], int] = {}
    names = {"districts": {(d.name, d.province) for d in gazetteer.districts.values()},
             "provinces": {(p.name, "") for p in gazetteer.provinces.values()}}
    for group in ("districts", "provinces"):
        for entry in aliases.get(group) or ():
            line, alias = line_of(entry), entry["alias"]
            key = (entry["name"], (entry.get("province") or "") if group == "districts" else "")
            if key not in names[group]:
                en, vi = did_you_mean(entry["name"], {n for n, _ in names[group]}, cutoff=88)
                where = f" in {key[1]!r}" if key[1] else ""
                where_vi = f" thuộc {key[1]!r}" if key[1] else ""
                found.append(Problem("aliases.yaml", line, f"{entry['name']!r}{where} is not "
                                     f"in the gazetteer{en}: use the full name (and province) "
                                     "as in gazetteer.json",
                                     f"không có {entry['name']!r}{where_vi} trong danh mục đơn "
                                     f"vị{vi}: dùng tên đầy đủ (và tỉnh) như trong "
                                     "gazetteer.json"))
            if (alias, *key) in seen:
                first = seen[alias, *key]
                found.append(Problem("aliases.yaml", line, f"alias {alias!r} of {key[0]!r} is "
                                     f"listed twice (first on line {first}): keep one",
                                     f"tên gọi tắt {alias!r} của {key[0]!r} bị lặp (lần đầu ở "
                                     f"dòng {first}): giữ một", warning=True))
            seen.setdefault((alias, *key), line)
            if alias != fold(alias):
                found.append(Problem("aliases.yaml", line, f"alias {alias!r} should be written "
                                     f"as typed, lower case without accents: {fold(alias)!r}",
                                     f"tên gọi tắt {alias!r} nên viết thường, không dấu: "
                                     f"{fold(alias)!r}", warning=True))
    return found


def check_source(entry: Any, where: str, problems: list[Problem]) -> Source | None:
    """One entry of ``sources.yaml`` (or a draft's new source) as a ``Source``; None if wrong."""
    ok, entry = check_shape(entry, SOURCE_SHAPE, where, problems, line_of(entry),
                            ("the source", "nguồn"))
    return _source(entry) if ok else None


def _source(entry: dict[str, Any]) -> Source:
    return Source(id=entry["id"], title=entry["title"], publisher=entry["publisher"],
                  date=entry["date"], url=entry.get("url") or None, cite=entry.get("cite") or None)


def _load_sources(path: Path, problems: list[Problem]) -> tuple[dict[str, Source] | None,
                                                               dict[str, int]]:
    """The sources and the line of each, or None when ``sources.yaml`` cannot be read at all."""
    raw = _read(path, SOURCES_SHAPE, problems)
    if raw is None:
        return None, {}
    sources: dict[str, Source] = {}
    lines: dict[str, int] = {}
    for entry in raw:
        if entry["id"] in sources:
            problems.append(Problem(path.name, line_of(entry, "id"), f"duplicate source id "
                                    f"{entry['id']!r} (first on line {lines[entry['id']]}): "
                                    "make it unique", f"trùng mã nguồn {entry['id']!r} (lần đầu "
                                    f"ở dòng {lines[entry['id']]}): đặt mã khác"))
            continue
        lines[entry["id"]] = line_of(entry)
        sources[entry["id"]] = _source(entry)
    return sources, lines


def check_metric(metric_id: str, entry: Any, where: str, problems: list[Problem]) -> Metric | None:
    """One entry of ``metrics.yaml`` (or a draft's new metric) as a ``Metric``; None if wrong."""
    ok, entry = check_shape(entry, METRIC_SHAPE, where, problems, line_of(entry),
                            (f"metric {metric_id!r}", f"chỉ số {metric_id!r}"))
    return _metric(metric_id, entry, where, problems) if ok else None


def _metric(metric_id: str, entry: dict[str, Any], where: str,
            problems: list[Problem]) -> Metric | None:
    awarded_by = entry.get("awarded_by")
    if awarded_by is not None and awarded_by not in AWARDING_BODIES:
        en, vi = did_you_mean(awarded_by, AWARDING_BODIES)
        problems.append(Problem(where, line_of(entry, "awarded_by"),
                                f"awarded_by must be one of {', '.join(AWARDING_BODIES)}{en}",
                                f"awarded_by phải là một trong {', '.join(AWARDING_BODIES)}{vi}"))
        return None
    return Metric(id=metric_id, label=entry["label"], topic=entry["topic"],
                  synonyms=tuple(entry.get("synonyms") or ()), awarded_by=awarded_by,
                  provisional=entry.get("provisional") is True)


def _load_metrics(path: Path, problems: list[Problem]) -> tuple[dict[str, Metric] | None,
                                                               dict[str, int]]:
    """The metrics and the line of each, or None when ``metrics.yaml`` cannot be read at all."""
    raw = _read(path, METRICS_SHAPE, problems)
    if raw is None:
        return None, {}
    metrics = {metric_id: metric for metric_id, entry in fields(raw)
               if (metric := _metric(metric_id, entry, path.name, problems)) is not None}
    return metrics, {metric_id: line_of(raw, metric_id) for metric_id in metrics}


def _load_facts(path: Path, sources: dict[str, Source] | None,
                metrics: dict[str, Metric] | None, gazetteer: Gazetteer, problems: list[Problem],
                first_seen: dict[str, str]) -> list[Fact] | None:
    """The facts of one file, or None when the file cannot be read as a whole."""
    where = f"facts/{path.name}"
    raw = _read(path, FACTS_FILE_SHAPE, problems, where)
    if raw is None:
        return None
    return _facts_of(raw, where, sources, metrics, gazetteer, problems, first_seen)


def check_facts_document(raw: Any, where: str, sources: dict[str, Source],
                         metrics: dict[str, Metric], gazetteer: Gazetteer,
                         problems: list[Problem], first_seen: dict[str, str]) -> list[Fact]:
    """The facts of one parsed facts file or draft; its problems (named ``where``) go to a list.

    ``first_seen`` maps the fact ids seen so far to where, so duplicates across files are found.
    Fields other than those of a facts file are left to the caller (a draft has more).
    """
    shape = Record(FACTS_FILE_SHAPE.fields, FACTS_FILE_SHAPE.required, open=True)
    ok, raw = check_shape(raw, shape, where, problems, 1)
    return _facts_of(raw, where, sources, metrics, gazetteer, problems, first_seen) if ok else []


def _facts_of(raw: dict[str, Any], where: str, sources: dict[str, Source] | None,
              metrics: dict[str, Metric] | None, gazetteer: Gazetteer, problems: list[Problem],
              first_seen: dict[str, str]) -> list[Fact]:
    """The facts of a well-shaped facts file.

    With ``sources`` or ``metrics`` None (their file is broken), checks against them are skipped.
    """
    source = sources.get(raw["source"]) if sources is not None else None
    if sources is not None and source is None:
        en, vi = did_you_mean(raw["source"], sources)
        problems.append(Problem(where, line_of(raw, "source"),
                                f"unknown source {raw['source']!r}{en}: use an id of "
                                "sources.yaml", f"không có nguồn {raw['source']!r}{vi}: dùng "
                                "một mã trong sources.yaml"))
    province = raw.get("province") or ""
    place = gazetteer.place_by_name(raw["unit"], province)
    if place is None:
        # Unit names share their type word ("Phường …"): only a close spelling is worth naming.
        en, vi = did_you_mean(raw["unit"], gazetteer.names_in(province), cutoff=88)
        problems.append(Problem(where, line_of(raw, "unit"),
                                f"unknown unit {raw['unit']!r} in {province!r}{en}: use the full "
                                "name and province as in the gazetteer",
                                f"không có đơn vị {raw['unit']!r} thuộc {province!r}{vi}: dùng "
                                "tên đầy đủ và tỉnh như trong danh mục đơn vị"))
    facts = []
    for entry in raw["facts"]:
        line = line_of(entry)
        fact_problems = _check_fact(entry, metrics)
        if entry["id"] in first_seen:
            fact_problems.append((f"duplicate id (first at {first_seen[entry['id']]}): make it "
                                  "unique", f"trùng mã (lần đầu ở {first_seen[entry['id']]}): "
                                  "đặt mã khác"))
        first_seen.setdefault(entry["id"], f"{where}:{line}")
        problems.extend(Problem(where, line, f"{entry['id']}: {en}", f"{entry['id']}: {vi}")
                        for en, vi in fact_problems)
        if fact_problems or source is None or place is None:
            continue
        facts.append(Fact(
            id=entry["id"], place=place, year=entry["year"], kind=entry["kind"],
            metric=entry["metric"], source=source,
            value=_text(entry.get("value")), of=_text(entry.get("of")), unit=entry.get("unit"),
            percent=_text(entry.get("percent")), percent_of=entry.get("percent_of"),
            bound=entry.get("bound"), estimate=bool(entry.get("estimate")),
            also=tuple(Amount(value=_text(a["value"]) or "", unit=a["unit"])
                       for a in entry.get("also") or ()),
            text=entry.get("text"), quote=entry.get("quote"), role=entry.get("role"),
            date=entry.get("date"), detail=entry.get("detail"),
            scope=entry.get("scope", raw.get("scope")), recurs=entry.get("recurs"),
            line=line, file=where,
        ))
    return facts


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _check_fact(entry: dict[str, Any], metrics: dict[str, Metric] | None) -> list[tuple[str, str]]:
    """What is wrong with one well-shaped fact entry, each with the fix (English, Vietnamese)."""
    found = []
    if not 1975 <= entry["year"] <= 2100:
        found.append(("year must be a whole year like 2022", "năm phải là một năm như 2022"))
    if entry["kind"] not in FACT_KINDS:
        en, vi = did_you_mean(entry["kind"], FACT_KINDS)
        found.append((f"kind must be one of {', '.join(FACT_KINDS)}{en}",
                      f"kind phải là một trong {', '.join(FACT_KINDS)}{vi}"))
    if metrics is not None and entry["metric"] not in metrics:
        en, vi = did_you_mean(entry["metric"], metrics)
        found.append((f"unknown metric {entry['metric']!r}{en}: use an id of metrics.yaml, or "
                      "add it there", f"không có chỉ số {entry['metric']!r}{vi}: dùng một mã "
                      "trong metrics.yaml, hoặc thêm vào đó"))
    if entry.get("bound") is not None and entry["bound"] not in BOUNDS:
        en, vi = did_you_mean(entry["bound"], BOUNDS)
        found.append((f"bound must be one of {', '.join(BOUNDS)}{en}",
                      f"bound phải là một trong {', '.join(BOUNDS)}{vi}"))
    if entry.get("value") is None and entry.get("percent") is None and not entry.get("text"):
        found.append(("needs a value, a percent or a text",
                      "cần value, percent hoặc text"))
    if entry.get("quote") is not None and entry["kind"] != "theme":
        found.append(("only a theme carries a quote (the slogan exactly as the report writes it)",
                      "chỉ dữ kiện theme mới có quote (khẩu hiệu đúng như báo cáo viết)"))
    if entry.get("role") is not None and entry["kind"] != "person":
        found.append(("only a person carries a role (what they did: chủ trì, trao, phát động …)",
                      "chỉ dữ kiện person mới có role (việc người đó làm: chủ trì, trao, "
                      "phát động …)"))
    for name in ("value", "of", "percent"):
        if entry.get(name) is not None and not is_vn_figure(str(entry[name])):
            found.append((f"{name} {entry[name]!r} is not a figure in Vietnamese notation "
                          "(write it as the report does, e.g. \"4.670,8\")",
                          f"{name} {entry[name]!r} không phải con số viết kiểu Việt Nam (viết "
                          "như báo cáo, ví dụ \"4.670,8\")"))
    for extra in entry.get("also") or ():
        if not is_vn_figure(str(extra["value"])):
            found.append((f"also: {extra['value']!r} is not a figure in Vietnamese notation",
                          f"also: {extra['value']!r} không phải con số viết kiểu Việt Nam"))
    if entry.get("recurs") is not None and (entry["recurs"] not in RECURRENCES
                                            or entry.get("date") is None):
        found.append((f"recurs must be one of {', '.join(RECURRENCES)}, on a fact with a date",
                      f"recurs phải là một trong {', '.join(RECURRENCES)}, ở dữ kiện có date"))
    return found
