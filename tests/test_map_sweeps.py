"""Every former district and every current ward, asked the ways officials write them."""

import collections

import pytest

from knowledge import answer, load_knowledge_base
from knowledge.phrasing import place_label
from knowledge.text import fold

TYPE_SPELLINGS = {
    "Quận": ["Q.", "Q", "quận", "quan"],
    "Huyện": ["H.", "huyện", "huyen"],
    "Thị xã": ["TX", "TX.", "thị xã", "thi xa"],
    "Thành phố": ["TP", "TP.", "Tp", "thành phố", "thanh pho"],
}
TEMPLATES = ["{} thu ngân sách 2022", "{} co bao nhieu dang vien", "Số đảng viên của {} năm 2021"]


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def spellings(district):
    short = district.short.removeprefix(f"{district.kind} ")
    out = [district.name, fold(district.name), f"{district.name} {district.province_short}"]
    out += [f"{t} {short}" for t in TYPE_SPELLINGS[district.kind]]
    if not short.isdigit():
        out.append(short)
        if " " in short:
            out.append(fold(short))
    return out


def test_every_former_district_gets_its_own_figures_or_a_not_found_naming_it(kb):
    problems = collections.defaultdict(list)
    asked = 0
    for district in kb.gazetteer.districts.values():
        has_data = district.key in kb.by_place
        for spelling in spellings(district):
            for template in TEMPLATES:
                question = template.format(spelling)
                asked += 1
                reply = answer(question, kb)
                others = {f.place for f in reply.facts if f.place != district}
                if others:
                    # A bare name shared with a district that has data ("Hoàng Mai") may answer
                    # that district, named with its province; a name typed with this
                    # district's own type word never does.
                    typed_type = fold(spelling) != fold(short_name(district))
                    if typed_type or not all(place_label(p) in reply.body for p in others):
                        problems["another district's figure"].append(question)
                elif not has_data and reply.status != "not_found":
                    problems[f"status {reply.status}"].append(question)
                elif not has_data and fold(short_name(district)) not in fold(reply.body):
                    problems["district not named"].append(question)
    print(f"asked {asked} questions about {len(kb.gazetteer.districts)} former districts")
    assert not problems, {k: v[:10] for k, v in problems.items()}


def short_name(district):
    return district.short.removeprefix(f"{district.kind} ")


def test_no_current_ward_is_ever_answered_with_a_district_figure(kb):
    counts = collections.Counter()
    answered = []
    for ward in kb.gazetteer.wards.values():
        reply = answer(f"{ward.name} thu ngân sách 2022", kb)
        counts[reply.status] += 1
        if reply.status == "answered" or reply.facts:
            answered.append(ward.name)
    print(f"current wards: {dict(counts)}")
    assert len(kb.gazetteer.wards) == 3321
    assert not answered, answered[:10]
    assert counts["clarify"] > 0
