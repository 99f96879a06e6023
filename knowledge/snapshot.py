"""A compiled knowledge base: the validated base as compact bytes that load many times faster.

Reading and validating the YAML of a national knowledge base (about 100,000 facts) takes
seconds; its snapshot loads in a fraction of that. A snapshot is keyed by ``data_digest``: the
contents of every data file and of the code that reads them, so an edited file or a new version
of the loader never loads a stale one. Writing and reading snapshot files is the caller's job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from itertools import repeat
from pathlib import Path
from typing import Any

from knowledge.base import KnowledgeBase, Metric, Vocabulary, collector_paused
from knowledge.gazetteer import Gazetteer
from knowledge.model import Amount, District, Fact, Place, Province, Source, Ward
from knowledge.validation import Problem

FORMAT = 3
_PLACE, _SOURCE, _ALSO, _DATE = (Fact._fields.index(name)
                                 for name in ("place", "source", "also", "date"))
# The modules whose code decides what a loaded knowledge base is.
_LOADER = ("base.py", "gazetteer.py", "model.py", "numbers.py", "snapshot.py", "text.py",
           "validation.py")
_PLACE_FIELDS = {
    "d": ("code", "name", "kind", "short", "province", "aliases"),
    "w": ("code", "name", "kind", "short", "province", "formed_from", "aliases"),
    "p": ("code", "name", "short", "current", "now", "absorbed", "aliases"),
}


def data_files(data_dir: Path) -> list[Path]:
    """The files a knowledge base is loaded from, in a fixed order."""
    fixed = [data_dir / name for name in ("vocabulary.yaml", "aliases.yaml", "gazetteer.json",
                                          "sources.yaml", "metrics.yaml")]
    return [*fixed, *sorted((data_dir / "facts").glob("*.yaml"))]


def data_digest(data_dir: Path) -> str:
    """A digest of the data files' contents and of the loader's code."""
    digest = hashlib.blake2b(str(FORMAT).encode(), digest_size=16)
    here = Path(__file__).parent
    for path in [*(here / name for name in _LOADER), *data_files(data_dir)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def to_snapshot(kb: KnowledgeBase) -> bytes:
    """The knowledge base as bytes for ``from_snapshot``."""
    gazetteer = kb.gazetteer
    places = [*gazetteer.districts.values(), *gazetteer.wards.values(),
              *gazetteer.provinces.values()]
    return marshal.dumps({
        "format": FORMAT,
        "vocabulary": {name: getattr(kb.vocabulary, name) for name in Vocabulary.__slots__},
        "places": [(_tag(p), *(getattr(p, f) for f in _PLACE_FIELDS[_tag(p)])) for p in places],
        "provinces": [(key, p.key) for key, p in gazetteer.provinces.items()],
        "type_words": gazetteer.type_words,
        "weak_aliases": gazetteer.weak_aliases,
        "index": {key: [(p.key, via) for p, via in entries]
                  for key, entries in gazetteer.index.items()},
        "sources": [(s.id, s.title, s.publisher, s.date.toordinal(), s.url, s.cite)
                    for s in kb.sources.values()],
        "metrics": [(m.id, m.label, m.topic, m.synonyms, m.awarded_by, m.provisional)
                    for m in kb.metrics.values()],
        "warnings": [(p.file, p.line, p.message, p.vi, p.warning) for p in kb.warnings],
        "facts": _fact_columns(kb.facts, [s.id for s in kb.sources.values()]),
    })


def from_snapshot(blob: bytes) -> KnowledgeBase:
    """The knowledge base ``to_snapshot`` wrote; ValueError when the bytes are not one."""
    try:
        with collector_paused():
            data = marshal.loads(blob)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a knowledge-base snapshot of this version")
            return _restore(data)
    except (EOFError, TypeError, KeyError, IndexError) as error:
        raise ValueError(f"damaged knowledge-base snapshot: {error}") from error


def _restore(data: dict[str, Any]) -> KnowledgeBase:
    by_key: dict[str, Place] = {}
    districts: dict[str, District] = {}
    wards: dict[str, Ward] = {}
    for tag, *values in data["places"]:
        if tag == "d":
            district = District(*values)
            districts[district.code] = district
            by_key[district.key] = district
        elif tag == "w":
            ward = Ward(*values)
            wards[ward.code] = ward
            by_key[ward.key] = ward
        else:
            province = Province(*values)
            by_key[province.key] = province
    provinces = {key: by_key[place_key] for key, place_key in data["provinces"]}
    index = {key: [(by_key[place_key], via) for place_key, via in entries]
             for key, entries in data["index"].items()}
    gazetteer = Gazetteer.indexed(districts, wards, provinces,  # type: ignore[arg-type]
                                  data["type_words"], data["weak_aliases"], index)
    sources = {row[0]: Source(row[0], row[1], row[2], dt.date.fromordinal(row[3]), row[4],
                              row[5]) for row in data["sources"]}
    metrics = {row[0]: Metric(*row) for row in data["metrics"]}
    columns = data["facts"]
    columns[_PLACE] = map(by_key.__getitem__, columns[_PLACE])
    columns[_SOURCE] = map(list(sources.values()).__getitem__, columns[_SOURCE])
    columns[_ALSO] = [tuple(Amount(*a) for a in also) if also else () for also in columns[_ALSO]]
    columns[_DATE] = [dt.date.fromordinal(day) if day else None for day in columns[_DATE]]
    # Each row is already in field order: make the named tuples without a Python call each.
    facts = tuple(map(tuple.__new__, repeat(Fact), zip(*columns, strict=True)))
    return KnowledgeBase(sources=sources, metrics=metrics, facts=facts, gazetteer=gazetteer,
                         vocabulary=Vocabulary(**data["vocabulary"]),
                         warnings=tuple(Problem(*row) for row in data["warnings"]))


def _tag(place: Place) -> str:
    return {"district": "d", "ward": "w", "province": "p"}[place.level]


def _fact_columns(facts: tuple[Fact, ...], source_ids: list[str]) -> list[list[Any]]:
    """The facts column by column: units by key, sources by position, dates as ordinals.

    Equal strings are made one object, which marshal then writes once.
    """
    columns: list[list[Any]] = [list(column) for column in zip(*facts, strict=True)] or \
        [[] for _ in Fact._fields]
    source_at = {source_id: n for n, source_id in enumerate(source_ids)}
    columns[_PLACE] = [place.key for place in columns[_PLACE]]
    columns[_SOURCE] = [source_at[source.id] for source in columns[_SOURCE]]
    columns[_ALSO] = [tuple((a.value, a.unit) for a in also) for also in columns[_ALSO]]
    columns[_DATE] = [day.toordinal() if day else 0 for day in columns[_DATE]]
    same: dict[str, str] = {}
    return [[same.setdefault(v, v) if isinstance(v, str) else v for v in column]
            for column in columns]
