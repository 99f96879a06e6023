"""Facts of any unit: a former district, a current ward or commune, or a province."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.phrasing import place_label

WARD_FACTS = """\
source: hoang-mai-2022
unit: Phường Tân Hòa
province: Hồ Chí Minh
facts:
  - id: tan-hoa-2025-thu-ngan-sach
    year: 2025
    kind: result
    metric: thu_ngan_sach
    value: "10"
    unit: tỷ đồng
"""


def data_with(tmp_path: Path, name: str, text: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "facts" / name).write_text(text, encoding="utf-8")
    return data


def test_a_wards_facts_belong_to_the_ward_not_its_former_district(tmp_path):
    kb = load_knowledge_base(data_with(tmp_path, "tan-hoa-2025.yaml", WARD_FACTS))
    fact = kb.by_id["tan-hoa-2025-thu-ngan-sach"]
    assert (fact.place.level, fact.place.name) == ("ward", "Phường Tân Hòa")
    assert place_label(fact.place) == "Phường Tân Hòa (TP Hồ Chí Minh)"
    assert fact.place in kb.places
    assert all(f.place.level == "district" for f in kb.facts if f is not fact)


def test_a_province_can_hold_facts_and_the_current_one_is_taken(tmp_path):
    text = WARD_FACTS.replace("unit: Phường Tân Hòa\nprovince: Hồ Chí Minh",
                              "unit: Tỉnh Thanh Hóa")
    kb = load_knowledge_base(data_with(tmp_path, "thanh-hoa.yaml", text))
    place = kb.by_id["tan-hoa-2025-thu-ngan-sach"].place
    assert (place.level, place.name, place.current) == ("province", "Tỉnh Thanh Hóa", True)


def test_a_unit_not_in_the_gazetteer_is_named_with_file_and_line(tmp_path):
    text = WARD_FACTS.replace("Phường Tân Hòa", "Phường Không Có")
    with pytest.raises(KnowledgeBaseError) as problem:
        load_knowledge_base(data_with(tmp_path, "nowhere.yaml", text))
    assert "facts/nowhere.yaml:2: unknown unit 'Phường Không Có'" in str(problem.value)
    assert "did you mean" not in str(problem.value)  # no unit is spelt close to it
