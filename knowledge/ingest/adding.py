"""Checking a reviewed draft against the knowledge base and saying how the data files change.

Pure: it takes the draft's text and the current ``sources.yaml`` / ``metrics.yaml`` texts, and
returns the new texts of those files and of the facts file, or refuses the draft with every
problem as ``DRAFT:line: …`` (in English and Vietnamese). The facts file keeps no comment of the
draft, so no sentence of the report reaches the knowledge base. A draft may replace an earlier
report (a new version of it): its facts file and source entry are then rewritten in place.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import yaml

from knowledge.base import (
    KnowledgeBase,
    Metric,
    Problem,
    Source,
    check_facts_document,
    check_metric,
    check_source,
    parse_yaml,
    strip_lines,
)
from knowledge.model import Fact, Place
from knowledge.validation import fields

_LINE = "__line__"
_SOURCE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_METRIC_ID = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
_SOURCE_FIELDS = {"title", "publisher", "date", "url", _LINE}
_METRIC_FIELDS = {"label", "topic", "synonyms", "awarded_by", "provisional", _LINE}
_TOP_LEVEL = {"source", "unit", "province", "scope", "facts", "new_source", "new_metrics", _LINE}


class DraftRejected(ValueError):
    """A draft that cannot be added; ``problems`` name the draft's file and line and the fix."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Addition:
    """What adding a draft changes: the new text of each data file it touches.

    ``files`` maps paths relative to the data directory (``sources.yaml``, ``metrics.yaml``,
    ``facts/<source>.yaml``) to their full new text. ``new_facts`` are the draft's facts as the
    knowledge base will hold them, ``labels`` the labels of its new metrics, ``replaces`` the
    earlier report it takes the place of.
    """

    source: Source
    place: Place
    facts: int
    new_metrics: tuple[str, ...]
    unused_metrics: tuple[str, ...]
    files: dict[str, str]
    new_facts: tuple[Fact, ...] = ()
    replaces: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def facts_file(self) -> str:
        """The facts file the draft becomes, relative to the data directory."""
        return f"facts/{self.source.id}.yaml"


def plan_addition(draft_text: str, draft_name: str, kb: KnowledgeBase, sources_text: str,
                  metrics_text: str, existing_files: Collection[str] = (),
                  replaces: str | None = None) -> Addition:
    """Check a draft against ``kb`` and return the data files as they become with it.

    ``existing_files`` are the facts files already there (``facts/x.yaml``). ``replaces`` names
    an earlier report of the same unit that the draft is a new version of: the draft keeps its
    source id, and its facts and source entry take the old ones' place. Raises
    ``DraftRejected`` listing every problem.
    """
    problems: list[Problem] = []
    raw = parse_yaml(draft_text, draft_name, problems)
    if raw is not None and not isinstance(raw, dict):
        problems.append(Problem(draft_name, 1, "a draft is a mapping with source, unit, province, "
                                               "new_source, new_metrics and facts",
                                "bản nháp phải là một ánh xạ gồm source, unit, province, "
                                "new_source, new_metrics và facts"))
    if problems or not isinstance(raw, dict):
        raise DraftRejected(problems)
    problems.extend(Problem(draft_name, raw.get(_LINE, 1), f"unknown field {key!r}: see SCHEMA.md",
                            f"trường lạ {key!r}: xem SCHEMA.md")
                    for key, _ in fields(raw) if key not in _TOP_LEVEL)
    if replaces is not None:
        problems.extend(_replacing(raw, draft_name, kb, replaces))
        kb_without = _without_source(kb, replaces)
        existing_files = [f for f in existing_files if f != f"facts/{replaces}.yaml"]
    else:
        kb_without = kb
    source = _source(raw, draft_name, kb_without, existing_files, problems)
    metrics = _new_metrics(raw.get("new_metrics"), draft_name, kb, problems)
    sources = dict(kb.sources)
    if source is not None:
        sources[source.id] = source
    first_seen = {f.id: f"{f.file}:{f.line}" for f in kb.facts if f.source.id != replaces}
    facts = check_facts_document(raw, draft_name, sources, {**kb.metrics, **metrics},
                                 kb.gazetteer, problems, first_seen)
    if problems or source is None:
        raise DraftRejected(problems)
    used = {f.metric for f in facts}
    added = {k: m for k, m in metrics.items() if k in used}
    place = facts[0].place if facts else kb.gazetteer.place_by_name(
        str(raw.get("unit")), str(raw.get("province") or ""))
    if place is None:  # a draft without facts names its unit all the same
        raise DraftRejected([Problem(draft_name, 1, f"unknown unit {raw.get('unit')!r}",
                                     f"không có đơn vị {raw.get('unit')!r}")])
    files = {f"facts/{source.id}.yaml": _facts_file(raw, source, place, draft_name)}
    if "new_source" in raw:
        entry = yaml.safe_dump([_source_entry(source)], allow_unicode=True, sort_keys=False,
                               width=100)
        files["sources.yaml"] = (_replaced_entry(sources_text, replaces, entry)
                                 if replaces is not None else _appended(sources_text, entry))
    if added:
        files["metrics.yaml"] = _appended(metrics_text, f"# --- added from {source.id} ---\n"
                                          + yaml.safe_dump(
            {k: _metric_entry(m) for k, m in added.items()}, allow_unicode=True,
            sort_keys=False, width=100))
    return Addition(source=source, place=place, facts=len(facts), new_metrics=tuple(added),
                    unused_metrics=tuple(k for k in metrics if k not in used), files=files,
                    new_facts=tuple(facts), replaces=replaces,
                    labels={k: m.label for k, m in metrics.items()})


def _replacing(raw: dict[str, Any], name: str, kb: KnowledgeBase,
               replaces: str) -> list[Problem]:
    """Why the draft cannot replace report ``replaces``: another id, or another unit."""
    line = raw.get(_LINE, 1)
    if raw.get("source") != replaces:
        return [Problem(name, line, f"a new version of report {replaces!r} keeps its source id: "
                                    f"write source: {replaces}",
                        f"bản mới của báo cáo {replaces!r} giữ mã nguồn: ghi source: {replaces}")]
    old = {f.place.key for f in kb.facts if f.source.id == replaces}
    place = kb.gazetteer.place_by_name(str(raw.get("unit")), str(raw.get("province") or ""))
    if place is not None and old and old != {place.key}:
        return [Problem(name, line, f"report {replaces!r} is about another unit: give this "
                                    "report a new source id",
                        f"báo cáo {replaces!r} nói về đơn vị khác: đặt mã nguồn mới")]
    return []


def _without_source(kb: KnowledgeBase, source_id: str) -> KnowledgeBase:
    """``kb`` without one report's facts and source (what a new version of it replaces)."""
    return KnowledgeBase(
        sources={k: s for k, s in kb.sources.items() if k != source_id},
        metrics=kb.metrics, facts=tuple(f for f in kb.facts if f.source.id != source_id),
        gazetteer=kb.gazetteer, vocabulary=kb.vocabulary)


def _replaced_entry(text: str, source_id: str, entry: str) -> str:
    """``sources.yaml`` with the entry of ``source_id`` replaced by ``entry`` where it stands.

    An entry runs from its first line to the last line before the next entry that is not blank
    or a comment (a comment above an entry belongs to that entry).
    """
    parsed = parse_yaml(text, "sources.yaml", [])
    starts = sorted(e.get(_LINE, 0) for e in parsed or [] if isinstance(e, dict))
    start = next((e.get(_LINE, 0) for e in parsed or [] if isinstance(e, dict)
                  and e.get("id") == source_id), None)
    if start is None:
        return _appended(text, entry)
    lines = text.splitlines(keepends=True)
    later = [s for s in starts if s > start]
    end = (later[0] - 1) if later else len(lines)
    while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    block = entry if entry.endswith("\n") else entry + "\n"
    return "".join([*lines[:start - 1], block, *lines[end:]])


def _source(raw: dict[str, Any], name: str, kb: KnowledgeBase, existing: Collection[str],
            problems: list[Problem]) -> Source | None:
    ident = raw.get("source")
    line = raw.get(_LINE, 1)
    if not isinstance(ident, str) or not _SOURCE_ID.match(ident):
        problems.append(Problem(name, line, f"source {ident!r} must be an id like tan-hoa-2025",
                                f"mã nguồn {ident!r} phải có dạng tan-hoa-2025"))
        return None
    if f"facts/{ident}.yaml" in existing:
        problems.append(Problem(name, line, f"facts/{ident}.yaml already exists: give this "
                                            "report another source id",
                                f"đã có facts/{ident}.yaml: đặt mã nguồn khác cho báo cáo này"))
    new = raw.get("new_source")
    if new is None:
        if ident not in kb.sources:
            problems.append(Problem(name, line, f"unknown source {ident!r}: describe it under "
                                                "new_source (title, publisher, date, url)",
                                    f"không có nguồn {ident!r}: mô tả nó trong new_source "
                                    "(title, publisher, date, url)"))
        return kb.sources.get(ident)
    if ident in kb.sources:
        problems.append(Problem(name, line, f"source {ident!r} already exists in sources.yaml: "
                                            "give this report another id, or drop new_source",
                                f"nguồn {ident!r} đã có trong sources.yaml: đặt mã khác cho "
                                "báo cáo này, hoặc bỏ new_source"))
    if not isinstance(new, dict):
        problems.append(Problem(name, line, "new_source needs title, publisher, date and url",
                                "new_source cần title, publisher, date và url"))
        return None
    problems.extend(Problem(name, new.get(_LINE, line), f"unknown field {key!r} in new_source: "
                                                        "use title, publisher, date, url",
                            f"trường lạ {key!r} trong new_source: dùng title, publisher, date, "
                            "url")
                    for key, _ in fields(new) if key not in _SOURCE_FIELDS)
    return check_source({**new, "id": ident}, name, problems)


def _new_metrics(raw: Any, name: str, kb: KnowledgeBase,
                 problems: list[Problem]) -> dict[str, Metric]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(name, 0, "new_metrics maps new metric ids to a label and a topic",
                                "new_metrics gán mỗi mã chỉ số mới một label và một topic"))
        return {}
    metrics = {}
    for ident, entry in fields(raw):
        line = entry.get(_LINE, 0) if isinstance(entry, dict) else raw.get(_LINE, 0)
        if not isinstance(ident, str) or not _METRIC_ID.match(ident):
            problems.append(Problem(name, line, f"metric id {ident!r} must be like "
                                                "thu_nhap_binh_quan (a-z, 0-9, _)",
                                    f"mã chỉ số {ident!r} phải có dạng thu_nhap_binh_quan "
                                    "(a-z, 0-9, _)"))
        elif ident in kb.metrics and kb.metrics[ident].provisional:
            continue  # proposed again from another report: the facts use the existing one
        elif ident in kb.metrics:
            problems.append(Problem(name, line, f"metric {ident!r} already exists: drop it from "
                                                "new_metrics (the facts can use it as it is)",
                                    f"chỉ số {ident!r} đã có: bỏ nó khỏi new_metrics (các số "
                                    "liệu dùng được như vốn có)"))
        else:
            if isinstance(entry, dict):
                problems.extend(Problem(name, line, f"unknown field {key!r} in metric {ident}: "
                                                    "use label, topic, synonyms",
                                        f"trường lạ {key!r} trong chỉ số {ident}: dùng label, "
                                        "topic, synonyms")
                                for key, _ in fields(entry) if key not in _METRIC_FIELDS)
            if metric := check_metric(ident, entry, name, problems):
                metrics[ident] = metric
    return metrics


def _facts_file(raw: dict[str, Any], source: Source, place: Place, draft_name: str) -> str:
    """The facts file: the draft's unit and facts, without comments or the new entries."""
    doc = {key: strip_lines(raw[key]) for key in ("source", "unit", "province", "scope", "facts")
           if key in raw}
    head = (f"# {place.name} ({place.province_short}): facts of source {source.id}, added with "
            f"`thidua kb add` from {PurePath(draft_name).name}.\n")
    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def _source_entry(source: Source) -> dict[str, Any]:
    return {"id": source.id, "title": source.title, "publisher": source.publisher,
            "date": source.date, "url": source.url}


def _metric_entry(metric: Metric) -> dict[str, Any]:
    """A new metric as ``metrics.yaml`` holds it: provisional until a curator confirms it."""
    entry: dict[str, Any] = {"label": metric.label, "topic": metric.topic, "provisional": True}
    if metric.synonyms:
        entry["synonyms"] = list(metric.synonyms)
    return entry


def _appended(text: str, addition: str) -> str:
    return text.rstrip("\n") + "\n\n" + addition
