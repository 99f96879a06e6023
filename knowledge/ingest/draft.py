"""Writing a draft out: as a facts file for a curator to review (YAML), or as JSON lines."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from knowledge.ingest.report import Candidate, Draft
from knowledge.model import Place, Province

# Fields of a fact in the order a facts file writes them.
_FIGURE_FIELDS = ("value", "of", "unit", "percent", "percent_of", "bound")


def province_name(place: Place) -> str:
    """The province as facts files write it: ``Hà Nội``, ``Hồ Chí Minh``, ``Phú Thọ``."""
    name = place.name if isinstance(place, Province) else place.province
    return name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


def header_record(draft: Draft) -> dict[str, Any]:
    """The first JSON line of ``kb ingest --jsonl``: unit, province, date and source."""
    source = draft.source
    return {
        "unit": draft.unit_name,
        "province": province_name(draft.unit) if draft.unit else None,
        "date": draft.date.isoformat() if draft.date else None,
        "source": {"id": source.id, "title": source.title, "publisher": source.publisher,
                   "date": source.date.isoformat() if source.date else None, "url": source.url},
    }


def candidate_record(candidate: Candidate) -> dict[str, Any]:
    """One candidate as a JSON object; ``unit`` is the figure's measuring unit."""
    return {
        "value": candidate.value, "of": candidate.of, "unit": candidate.unit,
        "percent": candidate.percent, "percent_of": candidate.percent_of,
        "bound": candidate.bound, "estimate": candidate.estimate,
        "also": [{"value": a.value, "unit": a.unit} for a in candidate.also],
        "year": candidate.year, "kind": candidate.kind, "metric": candidate.metric,
        "new_metric": candidate.new_metric.label if candidate.new_metric else None,
        "sentence": candidate.sentence,
    }


def draft_yaml(draft: Draft, taken_ids: frozenset[str] = frozenset()) -> str:
    """The draft as a facts file to review, each candidate after the sentence it came from.

    It is valid as it stands (``thidua kb add`` takes it unedited): new metrics and the source
    come with it. ``taken_ids`` are fact ids the knowledge base already uses.
    """
    source = draft.source
    lines = [
        f"# Bản nháp từ {draft.report or 'báo cáo'} (thidua kb ingest). Đối chiếu từng số liệu với "
        "câu của báo cáo ở dòng # ngay trên nó;",
        "# sửa metric, năm, loại (result/target/award), xóa số liệu thừa, rồi: "
        "thidua kb add <tệp này>.",
        "# kb add bỏ mọi dòng chú thích (#): câu của báo cáo không vào cơ sở dữ liệu.",
        f"source: {source.id}",
    ]
    if draft.unit is not None:
        lines += [f"unit: {_q(draft.unit.name)}", f"province: {_q(province_name(draft.unit))}"]
    elif draft.unit_options:
        options = "; ".join(f"{p.name} ({province_name(p)})" for p in draft.unit_options)
        lines += [f"# Nhiều đơn vị có tên này: {options}. Ghi tỉnh của đơn vị báo cáo.",
                  f"unit: {_q(draft.unit_name or '')}", "province: null"]
    else:
        lines += ["# Không nhận ra đơn vị: ghi tên đầy đủ và tỉnh như trong danh mục hành chính.",
                  "unit: null", "province: null"]
    lines += [
        "new_source:",
        f"  title: {_q(source.title)}",
        f"  publisher: {_q(source.publisher)}",
        f"  date: {source.date.isoformat() if source.date else 'null'}",
        f"  url: {_q(source.url) if source.url else 'null'}",
    ]
    new_metrics = draft.new_metrics
    if new_metrics:
        lines += ["# Chỉ số mới (chưa có trong metrics.yaml): sửa nhãn, hoặc dùng một id có sẵn "
                  "ở các số liệu bên dưới.", "new_metrics:"]
        for metric in new_metrics:
            lines += [f"  {metric.id}:", f"    label: {_q(metric.label)}",
                      f"    topic: {_q(metric.topic)}"]
    lines.append("facts:" if draft.candidates else "facts: []")
    ids: Counter[str] = Counter()
    for candidate in draft.candidates:
        base = f"{source.id}-{candidate.metric_id.replace('_', '-')}"
        lines += _entry(candidate, _unique(base, ids, taken_ids))
    return "\n".join(lines) + "\n"


def _unique(base: str, ids: Counter[str], taken: frozenset[str]) -> str:
    while True:
        ids[base] += 1
        fact_id = base if ids[base] == 1 else f"{base}-{ids[base]}"
        if fact_id not in taken:
            return fact_id


def _entry(candidate: Candidate, fact_id: str) -> list[str]:
    lines = []
    if candidate.numeral is not None:
        lines.append(f"  # số viết bằng chữ trong báo cáo: {candidate.value}")
    if candidate.new_metric is not None:
        lines.append(f"  # chỉ số mới: {candidate.new_metric.label}")
    lines += [f"  # {candidate.sentence}",
              f"  - id: {fact_id}",
              f"    year: {candidate.year if candidate.year else 'null'}",
              f"    kind: {candidate.kind}",
              f"    metric: {candidate.metric_id}"]
    for name in _FIGURE_FIELDS:
        value = getattr(candidate, name)
        if name == "value" and candidate.numeral is not None:
            value = candidate.numeral
        if value is not None:
            lines.append(f"    {name}: {_q(value)}")
    if candidate.estimate:
        lines.append("    estimate: true")
    if candidate.also:
        lines.append("    also:")
        lines += [f"      - {{value: {_q(a.value)}, unit: {_q(a.unit)}}}" for a in candidate.also]
    return lines


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)
