"""Reviewing a draft without Telegram: corrections, storage as JSON, new versions of a report."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from telegram.constants import InlineKeyboardButtonLimit

from bot.library import Library
from bot.settings import Settings
from handlers.review import parse_press, press_data
from knowledge import load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.changes import compare_facts, earlier_report
from knowledge.ingest import DraftRejected, Review, draft_yaml, ingest, plan_addition

# Written for these tests (figures made up): a ward's year, with a figure without a year.
REPORT = (
    "Phường Tân Hòa tổng kết năm\n\n"
    "Ngày 20/12/2025, phường Tân Hòa tổng kết. Năm 2025, tổng thu ngân sách của phường đạt "
    "9,5 tỷ đồng; tỷ lệ hộ dùng nước sạch đạt 97,5%. Năm 2026, phường phấn đấu thu ngân sách "
    "12 tỷ đồng."
)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture
def review(kb):
    return Review.of(ingest(REPORT, kb, report="tan-hoa.txt"), REPORT)


def test_a_review_is_stored_as_json_and_read_back_the_same(review):
    corrected = (review.with_kept(2, False).with_kind(3, "result").with_year(1, 2024)
                 .with_label("ty_le_ho_dung_nuoc_sach", "tỷ lệ hộ dân dùng nước sạch")
                 .with_source(publisher="Báo Phú Thọ"))
    assert Review.from_dict(json.loads(json.dumps(corrected.to_dict()))) == corrected
    with pytest.raises(ValueError, match="not a stored review"):
        Review.from_dict({"text": "x"})


def test_corrections_show_in_the_items_and_the_draft(review, kb):
    assert [(i.candidate.kind, i.candidate.year, i.kept) for i in review.items()] == [
        ("result", 2025, True), ("result", 2025, True), ("target", 2026, True)]
    corrected = review.with_kept(2, False).with_kind(3, "result").with_year(3, 2025)
    assert [(i.candidate.kind, i.candidate.year, i.kept) for i in corrected.items()] == [
        ("result", 2025, True), ("result", 2025, False), ("result", 2025, True)]
    assert corrected.new_metrics() == ()  # the new metric's only figure is dropped
    with pytest.raises(ValueError):
        review.with_kind(1, "prize")


def test_another_unit_reads_the_report_again_and_keeps_the_corrections(review, kb):
    assert review.place(kb.gazetteer) is None and len(review.options(kb.gazetteer)) == 2
    phu_tho = next(p for p in review.options(kb.gazetteer) if "Phú Thọ" in p.province)
    corrected = review.with_kept(2, False).with_source(title="Tổng kết năm 2025")
    again = corrected.reread(kb, unit=phu_tho)
    assert again.place(kb.gazetteer) == phu_tho and again.unit_options == ()
    assert not again.items()[1].kept and again.title == "Tổng kết năm 2025"
    later = again.reread(kb, date=dt.date(2025, 12, 30))
    assert later.date == dt.date(2025, 12, 30) and later.place(kb.gazetteer) == phu_tho
    doc = draft_yaml(later.draft(kb.gazetteer))
    assert 'unit: "Phường Tân Hòa"' in doc and 'province: "Phú Thọ"' in doc
    assert 'title: "Tổng kết năm 2025"' in doc and "date: 2025-12-30" in doc
    assert 'percent: "97,5"' not in doc  # dropped (the sentence stays as a comment)


def test_a_figure_without_a_year_cannot_be_kept_until_it_has_one(kb):
    text = "Phường Tân Hòa, Phú Thọ: tổng thu ngân sách đạt 9,5 tỷ đồng."
    review = Review.of(ingest(text, kb), text)
    [item] = review.items()
    assert item.problem == "year" and not item.kept
    assert review.with_kept(1, True).items()[0].kept is False
    assert review.with_year(1, 2025).items()[0].kept is True


def test_press_data_fits_telegrams_64_bytes_and_bad_data_is_refused():
    longest = press_data("0123456789ab", "y", 9999, 2100)
    assert len(longest.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert parse_press(longest).numbers == (9999, 2100)
    for data in (None, "", "r", "r:0123456789ab", "q:0123456789ab:A", "r:XYZ:A",
                 "r:0123456789ab:A:1", "r:0123456789ab:k", "r:0123456789ab:k:-1",
                 "r:0123456789ab:k:99999", "r:0123456789ab:zz", "r:0123456789ab:p:1:2"):
        assert parse_press(data) is None, data


def test_the_file_url_sits_beside_the_api_url():
    assert Settings().telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert Settings(telegram_api_base_url="http://127.0.0.1:8081/bot").telegram_file_base_url \
        == "http://127.0.0.1:8081/file/bot"


# A new version of a report


def test_a_new_version_pairs_facts_by_year_kind_and_metric(kb):
    old = [f for f in kb.facts if f.source.id == "ba-dinh-2024"]
    revenue = next(f for f in old if f.metric == "thu_ngan_sach" and f.kind == "result")
    new = [f for f in old if f is not revenue and f.metric != "chi_tieu_hoan_thanh"]
    new.append(revenue._replace(value="7.100"))
    changes = compare_facts(old, new)
    assert [(o.value, n.value) for o, n in changes.changed] == [("7.004,91", "7.100")]
    assert {f.metric for f in changes.removed} == {"chi_tieu_hoan_thanh"}
    assert changes.added == () and changes.unchanged == len(new) - 1


def test_the_earlier_report_is_the_one_reviewing_the_same_year(kb):
    ba_dinh = next(f.place for f in kb.facts if f.source.id == "ba-dinh-2024")
    found = earlier_report(kb, ba_dinh, {(2024, "result", "thu_ngan_sach")})
    assert found is not None and found.id == "ba-dinh-2024"
    # A report of 2025 results is not a version of the one that set 2025's targets.
    assert earlier_report(kb, ba_dinh, {(2025, "result", "thu_ngan_sach")}) is None


def test_a_new_version_keeps_the_source_id_and_its_place_in_sources_yaml(kb):
    sources = "# sources\n- id: a-1\n  title: A\n  publisher: P\n  date: 2020-01-01\n\n" \
              "# the report below\n- id: ba-dinh-2024\n  title: Old\n  publisher: Q\n" \
              "  date: 2024-12-20\n\n- id: z-9\n  title: Z\n  publisher: R\n  date: 2021-01-01\n"
    text = ("source: ba-dinh-2024\nunit: Quận Ba Đình\nprovince: Hà Nội\n"
            "new_source: {title: New, publisher: Hà Nội Mới, date: 2024-12-21, url: null}\n"
            "facts:\n  - {id: ba-dinh-2024-thu-ngan-sach, year: 2024, kind: result, "
            "metric: thu_ngan_sach, value: '7.100', unit: tỷ đồng}\n")
    addition = plan_addition(text, "d.yaml", kb, sources, "{}\n",
                             ["facts/ba-dinh-2024.yaml"], replaces="ba-dinh-2024")
    assert addition.replaces == "ba-dinh-2024" and addition.facts == 1
    assert addition.files["sources.yaml"] == sources.replace(
        "- id: ba-dinh-2024\n  title: Old\n  publisher: Q\n  date: 2024-12-20\n",
        "- id: ba-dinh-2024\n  title: New\n  publisher: Hà Nội Mới\n  date: 2024-12-21\n"
        "  url: null\n")
    with pytest.raises(DraftRejected) as refused:
        plan_addition(text.replace("source: ba-dinh-2024", "source: ba-dinh-2024-b"), "d.yaml",
                      kb, sources, "{}\n", replaces="ba-dinh-2024")
    assert "giữ mã nguồn" in refused.value.problems[0].vietnamese
    with pytest.raises(DraftRejected, match="already exists"):
        plan_addition(text, "d.yaml", kb, sources, "{}\n", ["facts/ba-dinh-2024.yaml"])


def test_an_addition_builds_only_on_the_files_answered_from(kb, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    library = Library(kb, data)
    assert library.files_in_use()
    (data / "sources.yaml").write_text((data / "sources.yaml").read_text(encoding="utf-8")
                                       + "\n", encoding="utf-8")
    assert not library.files_in_use()  # e.g. another instance published newer files
