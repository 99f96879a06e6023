"""Places: facts of any unit on either map, and stage 2 resolving the places a question names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.lexicon import lexicon_of
from knowledge.phrasing import place_label
from knowledge.places import find_places
from knowledge.read import read

WARD_FACTS = """\
source: hoang-mai-2022
unit: Phường Tân Hòa
province: Hồ Chí Minh
facts:
  - id: test-ward-2025-thu-ngan-sach
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
    kb = load_knowledge_base(data_with(tmp_path, "test-ward-2025.yaml", WARD_FACTS))
    fact = kb.by_id["test-ward-2025-thu-ngan-sach"]
    assert (fact.place.level, fact.place.name) == ("ward", "Phường Tân Hòa")
    assert place_label(fact.place) == "Phường Tân Hòa (TP Hồ Chí Minh)"
    assert fact.place in kb.places
    assert all(f.place.name == "Quận Hoàng Mai" for f in kb.facts
               if f.source.id == "hoang-mai-2022" and f is not fact)


def test_a_province_can_hold_facts_and_the_current_one_is_taken(tmp_path):
    text = WARD_FACTS.replace("unit: Phường Tân Hòa\nprovince: Hồ Chí Minh",
                              "unit: Tỉnh Thanh Hóa")
    kb = load_knowledge_base(data_with(tmp_path, "thanh-hoa.yaml", text))
    place = kb.by_id["test-ward-2025-thu-ngan-sach"].place
    assert (place.level, place.name, place.current) == ("province", "Tỉnh Thanh Hóa", True)


def test_a_unit_not_in_the_gazetteer_is_named_with_file_and_line(tmp_path):
    text = WARD_FACTS.replace("Phường Tân Hòa", "Phường Không Có")
    with pytest.raises(KnowledgeBaseError) as problem:
        load_knowledge_base(data_with(tmp_path, "nowhere.yaml", text))
    assert "facts/nowhere.yaml:2: unknown unit 'Phường Không Có'" in str(problem.value)
    assert "did you mean" not in str(problem.value)  # no unit is spelt close to it


# Resolution of the places a question names


def asked(kb, text):
    lexicon = lexicon_of(kb)
    return find_places(read(text, lexicon), kb, lexicon)


def test_hm_is_the_hoang_mai_with_data_unless_nghe_an_is_named(knowledge_base):
    [hanoi] = asked(knowledge_base, "hm thu ns 22").asked
    assert (hanoi.kind, hanoi.places[0].name) == ("unit", "Quận Hoàng Mai")
    [nghe_an] = asked(knowledge_base, "HM Nghệ An thu ngân sách").asked
    assert (nghe_an.kind, nghe_an.places[0].name) == ("no_data", "Thị xã Hoàng Mai")


@pytest.mark.parametrize("question", [
    "HOÀNG MAI THĂM TẶNG QUÀ AN SINH 2022", "Hoàng Mai Người Tốt Việc Tốt Cấp Thành Phố 2022",
    "Bình Thạnh Tổ Chức Thành Công Bầu Cử 2021", "HOÀNG MAI AN NINH QUỐC PHÒNG 2022",
])
def test_metric_words_in_capitals_are_not_read_as_a_ward(knowledge_base, question):
    places = asked(knowledge_base, question)
    assert [a.kind for a in places.asked] == ["unit"]


def test_a_persons_name_is_not_a_place(knowledge_base):
    places = asked(knowledge_base, "Nguyễn Kim Phúc là cán bộ nào của Quận 6?")
    assert [p.name for a in places.asked for p in a.places] == ["Quận 6"]


def test_a_former_province_resolves_to_its_own_former_districts_only(knowledge_base):
    [province] = asked(knowledge_base, "chiến sĩ thi đua cơ sở tỉnh Bình Dương 2021").asked
    assert province.kind == "province" and province.origins == ()
    [hcm] = asked(knowledge_base, "TP Hồ Chí Minh thu ngân sách").asked
    assert {d.name for d in hcm.origins} == {"Quận 1", "Quận 6", "Quận Bình Thạnh"}


def test_a_ward_without_facts_is_traced_to_the_districts_it_came_from(knowledge_base):
    [ward] = asked(knowledge_base, "Phường Vĩnh Tuy thu ngân sách 2022").asked
    assert ward.kind == "ward"
    assert {d.name for d in ward.origins} == {"Quận Hai Bà Trưng", "Quận Hoàng Mai"}


def test_a_type_word_before_a_colon_does_not_name_the_next_words(knowledge_base):
    places = asked(knowledge_base, "Bằng khen của UBND Thành phố: Bình Thạnh hay Hoàng Mai?")
    assert [a.places[0].name for a in places.asked] == ["Quận Bình Thạnh", "Quận Hoàng Mai"]


def test_a_ward_typed_in_lower_case_is_named_by_the_province_after_it(knowledge_base):
    [ward] = asked(knowledge_base, "tan hoa phu tho ty le gia dinh van hoa 2026").asked
    assert (ward.places[0].name, ward.places[0].province) == ("Phường Tân Hòa", "Tỉnh Phú Thọ")
    assert not asked(knowledge_base, "tan hoa ty le gia dinh van hoa").asked
