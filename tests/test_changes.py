"""What a reload changes, and how unanswered questions are grouped."""

import datetime as dt
from dataclasses import replace

from bot import storage
from bot.storage import memory_store
from bot.unanswered import Unanswered, most_frequent, normalised_form
from knowledge.base import KnowledgeBase
from knowledge.changes import compare

AT = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def with_facts(kb, facts):
    return KnowledgeBase(sources=kb.sources, metrics=kb.metrics, facts=tuple(facts),
                         gazetteer=kb.gazetteer, vocabulary=kb.vocabulary)


def test_changes_are_told_per_district_by_fact_id(knowledge_base):
    facts = list(knowledge_base.facts)
    budget = next(f for f in facts if f.id == "hoang-mai-2022-thu-ngan-sach")
    theme = next(f for f in facts if f.kind == "theme" and f.place.name == "Quận Hai Bà Trưng")
    edited = [f._replace(value="4.671") if f is budget else f for f in facts if f is not theme]
    edited.append(budget._replace(id="hoang-mai-2023-thu-ngan-sach", year=2023))
    changes = {c.place.name: c for c in compare(knowledge_base, with_facts(knowledge_base,
                                                                              edited))}
    assert set(changes) == {"Quận Hoàng Mai", "Quận Hai Bà Trưng"}
    hoang_mai = changes["Quận Hoàng Mai"]
    assert [f.id for f in hoang_mai.added] == ["hoang-mai-2023-thu-ngan-sach"]
    assert [f.value for f in hoang_mai.changed] == ["4.671"]
    assert [f.value for f in hoang_mai.replaced] == ["4.670,8"]
    assert [f.id for f in hoang_mai.new_figures] == ["hoang-mai-2023-thu-ngan-sach"]
    assert [f.id for f in changes["Quận Hai Bà Trưng"].removed] == [theme.id]
    assert changes["Quận Hai Bà Trưng"].new_figures == ()
    assert not changes["Quận Hai Bà Trưng"].worth_telling  # a theme is no figure


def test_a_changed_or_withdrawn_figure_reads_old_to_new_with_both_sources(knowledge_base):
    budget = knowledge_base.by_id["hoang-mai-2022-thu-ngan-sach"]
    corrected = budget._replace(value="4.671", source=replace(
        budget.source, id="hm-2", publisher="UBND quận Hoàng Mai", cite=None,
        date=dt.date(2026, 5, 2)))
    permits = knowledge_base.by_id["hoang-mai-2022-giay-phep-xay-dung"]
    facts = [corrected if f is budget else f for f in knowledge_base.facts if f is not permits]
    [change] = compare(knowledge_base, with_facts(knowledge_base, facts))
    edit, withdrawn = change.revised
    assert edit.line("Tổng thu ngân sách") == (
        "Tổng thu ngân sách năm 2022: 4.670,8 tỷ đồng, đạt 105,29% kế hoạch → 4.671 tỷ đồng, "
        "đạt 105,29% kế hoạch (nguồn cũ: Phòng Nội vụ quận Hoàng Mai, 25/03/2023; nguồn mới: "
        "UBND quận Hoàng Mai, 02/05/2026).")
    assert withdrawn.new is None and withdrawn.line("Giấy phép").endswith(
        "— đã rút (nguồn cũ: Phòng Nội vụ quận Hoàng Mai, 25/03/2023).")


def test_a_fact_moved_within_its_file_is_not_a_change(knowledge_base):
    moved = [f._replace(line=f.line + 3) for f in knowledge_base.facts]
    assert compare(knowledge_base, with_facts(knowledge_base, moved)) == []


def test_unanswered_questions_group_by_accent_free_form_most_frequent_first():
    entries = [Unanswered(AT, "not_found", q, normalised_form(q), "private")
               for q in ("Quận 10 thu NS?", "quan 10 thu ns", "Hoàng Mai")]
    entries.append(Unanswered(AT + dt.timedelta(hours=1), "thumbs_down", "Hoàng Mai",
                              normalised_form("Hoàng Mai"), "group"))
    entries.append(Unanswered(AT, "clarify", "Ba Đình", normalised_form("Ba Đình"), "private"))
    first, second, third = most_frequent(entries, 5)
    assert (first.normalised, first.count) == ("hoang mai", 2)  # later, at the same count
    assert first.kinds == {"not_found": 1, "thumbs_down": 1}
    assert (second.normalised, second.count) == ("quan 10 thu ns", 2)
    assert third.normalised == "ba dinh"
    assert len(most_frequent(entries, 1)) == 1


async def test_unanswered_log_keeps_only_the_newest_entries(monkeypatch):
    monkeypatch.setattr(storage, "MAX_UNANSWERED", 20)  # the real bound is slow to fill here
    store = memory_store()
    for n in range(23):
        await store.log_unanswered(Unanswered(AT, "not_found", f"q{n}", f"q{n}", "private"))
    log = await store.unanswered()
    assert len(log) == 20
    assert log[0].question == "q3" and log[-1].question == "q22"
