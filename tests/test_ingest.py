"""`thidua kb ingest`: candidate facts drafted from a report, as a curator would review them."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge import load_knowledge_base
from knowledge.ingest import (
    draft_yaml,
    evaluate,
    find_figures,
    ingest,
    propose_date,
    resolve_unit,
)
from knowledge.numbers import is_vn_figure

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
THIDUA = str(Path(sys.executable).with_name("thidua"))

# Written for these tests: a short review of a made-up year of Huyện Gia Lâm.
GIA_LAM = """\
Huyện Gia Lâm tổng kết phong trào thi đua năm 2023
Ngày đăng 15/01/2024 | 08:00 | Lượt xem: 431

Theo Chỉ thị số 34/CT-TW ngày 12/6/2015, năm 2023 huyện Gia Lâm đã hoàn thành
21/22 chỉ tiêu kinh tế - xã hội được giao.
Tổng thu ngân sách trên địa bàn huyện ước đạt 3.215,4 tỷ đồng, đạt 112,5% dự toán, tăng 8,2% so \
với cùng kỳ năm 2022. Huyện giải quyết việc làm cho 4.210 lao động, đạt 105% kế hoạch; tỷ lệ hài \
lòng của người dân đạt 98,7%.
Toàn huyện có 64 tổ chức cơ sở Đảng với 9.870 đảng viên; kết nạp 310/300 đảng viên mới (đạt 103,3%).
Năm 2024, huyện phấn đấu tổng giá trị sản xuất tăng 8 - 9%/năm, giảm 120 hộ nghèo, tỷ lệ giải \
quyết hồ sơ đúng hạn đạt trên 98%.
Dịp này, 12 tập thể, 25 cá nhân được tặng Bằng khen của UBND Thành phố; 3 cá nhân nhận Huân \
chương Lao động hạng Ba.
"""


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def gia_lam(kb):
    return ingest(GIA_LAM, kb, report="gia-lam.txt")


def only(draft, value=None, percent=None):
    found = [c for c in draft.candidates
             if (value is None or c.value == value) and (percent is None or c.percent == percent)]
    assert len(found) == 1, found
    return found[0]


def test_money_with_its_percent_of_plan_is_one_fact(kb):
    draft = ingest("Năm 2022, tổng thu ngân sách của quận là 4.670,8 tỷ đồng, đạt 105,29% KH.", kb)
    fact = only(draft, "4.670,8")
    assert (fact.unit, fact.percent, fact.percent_of) == ("tỷ đồng", "105,29", "kế hoạch")
    assert (fact.metric, fact.year, fact.kind) == ("thu_ngan_sach", 2022, "result")
    assert len(draft.candidates) == 1


def test_estimate_percent_of_budget_and_growth_are_kept_apart(gia_lam):
    revenue = only(gia_lam, "3.215,4")
    assert revenue.estimate and revenue.percent == "112,5" and revenue.percent_of == "dự toán"
    growth = only(gia_lam, percent="8,2")
    assert growth.value is None and growth.metric == "tang_truong_thu_ngan_sach"
    assert growth.year == 2023  # the year compared with (2022) is not the figure's year


def test_ratio_keeps_both_figures_and_its_rate(gia_lam):
    done = only(gia_lam, "21")
    assert (done.of, done.unit, done.metric) == ("22", "chỉ tiêu", "chi_tieu_hoan_thanh")
    admitted = only(gia_lam, "310")
    assert (admitted.of, admitted.percent, admitted.metric) == ("300", "103,3",
                                                                "ket_nap_dang_vien")


def test_leading_zeros_stay_as_written(kb):
    draft = ingest("Năm 2021 có 02/15 chi bộ hoàn thành xuất sắc nhiệm vụ (chiếm 13,3%).", kb)
    fact = only(draft, "02")
    assert (fact.of, fact.percent, fact.metric) == ("15", "13,3", "chi_bo_hoan_thanh_xuat_sac")


def test_target_range_is_for_the_year_it_names(gia_lam):
    growth = only(gia_lam, "8 - 9")
    assert (growth.unit, growth.kind, growth.year) == ("%/năm", "target", 2024)
    assert growth.metric == "tang_truong_gia_tri_san_xuat"
    on_time = only(gia_lam, percent="98")
    assert (on_time.bound, on_time.kind, on_time.metric) == (
        "more_than", "target", "giai_quyet_ho_so_dung_han")
    assert only(gia_lam, "120").metric == "giam_ho_ngheo"


def test_bounds_read_from_the_words_around_the_figure(kb):
    draft = ingest("Năm 2023 tỷ lệ khám phá án đạt từ 80% trở lên; tỷ lệ thất nghiệp dưới 3,5%; "
                   "thu ngân sách địa phương đạt gần 120% so với dự toán.", kb)
    assert only(draft, percent="80").bound == "at_least"
    assert only(draft, percent="3,5").bound == "less_than"
    local = only(draft, percent="120")
    assert (local.bound, local.percent_of, local.metric) == (
        "nearly", "dự toán", "thu_ngan_sach_dia_phuong")


def test_award_counts_group_collectives_and_individuals(gia_lam):
    praise = only(gia_lam, "12")
    assert (praise.unit, praise.kind, praise.metric) == ("tập thể", "award", "bang_khen_thanh_pho")
    assert [(a.value, a.unit) for a in praise.also] == [("25", "cá nhân")]
    medal = only(gia_lam, "3")
    assert (medal.unit, medal.metric, medal.year) == ("cá nhân", "huan_chuong_lao_dong", 2023)


def test_money_in_billions_and_millions_is_written_in_billions(kb):
    draft = ingest("Năm 2020 quận tiết kiệm chi thường xuyên 5 tỷ 250 triệu đồng.", kb)
    fact = only(draft, "5,25")
    assert fact.unit == "tỷ đồng"


def test_unit_date_and_year_are_proposed_from_the_text(gia_lam):
    assert gia_lam.unit.name == "Huyện Gia Lâm"
    assert gia_lam.date == dt.date(2024, 1, 15)
    assert gia_lam.year == 2023
    assert gia_lam.source.id == "gia-lam-2023"


def test_date_of_a_cited_directive_is_not_the_report_date():
    text = ("Thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016, ngày 12/12/2023 UBND quận Cầu Giấy "
            "tổ chức hội nghị.")
    assert propose_date(text) == dt.date(2023, 12, 12)
    assert propose_date("Thứ hai, 05/02/2024 10:15\nQuận 3 tổng kết") == dt.date(2024, 2, 5)


def test_named_unit_overrides_and_ambiguous_names_are_refused(kb):
    gazetteer = kb.gazetteer
    assert resolve_unit("quận Cầu Giấy", gazetteer).name == "Quận Cầu Giấy"
    assert resolve_unit("quận 1", gazetteer).name == "Quận 1"
    assert resolve_unit("Tân Hòa, Phú Thọ", gazetteer).province == "Tỉnh Phú Thọ"
    assert resolve_unit("tỉnh Thanh Hóa", gazetteer).name == "Tỉnh Thanh Hóa"
    with pytest.raises(ValueError, match="several units"):
        resolve_unit("Châu Thành", gazetteer)
    with pytest.raises(ValueError, match="several units"):
        resolve_unit("Cầu Giấy", gazetteer)  # the former district, or the ward since 2025
    with pytest.raises(ValueError, match="several units"):
        resolve_unit("Thanh Hóa", gazetteer)  # the province, or its city
    with pytest.raises(ValueError, match="several units"):
        resolve_unit("phường Tân Hòa", gazetteer)
    with pytest.raises(ValueError, match="no unit"):
        resolve_unit("Xứ Sở Thần Tiên", gazetteer)
    draft = ingest(GIA_LAM, kb, unit=resolve_unit("quận Long Biên", gazetteer),
                   date=dt.date(2024, 2, 1))
    assert (draft.unit.name, draft.date) == ("Quận Long Biên", dt.date(2024, 2, 1))


def test_figures_without_a_known_metric_get_a_new_one_to_review(gia_lam):
    views = only(gia_lam, "431")
    assert views.metric is None
    assert views.new_metric.label == "lượt xem" and views.new_metric.id == "luot_xem"


def test_years_dates_directives_and_names_are_not_figures():
    sentence = ("Căn cứ Chỉ thị số 34/CT-TW ngày 12/6/2015 và Kế hoạch 377/KH-UBND, năm 2022 "
                "Quận 1 dự Đại hội lần thứ 12 lúc 09:38, phòng chống Covid-19 giai đoạn "
                "2021 - 2025, dịch vụ công mức độ 3, 4.")
    assert find_figures(sentence) == []


def test_figures_in_the_draft_are_in_vietnamese_notation(gia_lam):
    for candidate in gia_lam.candidates:
        for figure in (candidate.value, candidate.of, candidate.percent):
            assert figure is None or is_vn_figure(figure), candidate


def test_draft_is_valid_yaml_in_the_facts_file_shape(gia_lam):
    text = draft_yaml(gia_lam)
    doc = yaml.safe_load(text)
    assert (doc["source"], doc["unit"], doc["province"]) == (
        "gia-lam-2023", "Huyện Gia Lâm", "Hà Nội")
    revenue = next(f for f in doc["facts"] if f.get("value") == "3.215,4")
    assert revenue["metric"] == "thu_ngan_sach" and revenue["estimate"] is True
    views = next(f for f in doc["facts"] if f.get("value") == "431")
    assert doc["new_metrics"][views["metric"]] == {"label": "lượt xem", "topic": "Khác"}
    assert doc["new_source"]["date"] == dt.date(2024, 1, 15)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("  - id:"):
            assert lines[i - 1].startswith("  # "), line
    assert "# Tổng thu ngân sách trên địa bàn huyện ước đạt 3.215,4 tỷ đồng" in text


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")
def test_seed_reports_recall_at_least_ninety_percent(kb):
    reports = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    evaluation = evaluate(reports, kb)
    assert all(r.source is not None for r in evaluation.reports)
    assert evaluation.value_recall >= 0.90, evaluation
    assert evaluation.metric_recall <= evaluation.value_recall


# -- the command line ------------------------------------------------------------------------


def run(*args, cwd=None):
    return subprocess.run([THIDUA, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "gia-lam.txt"
    path.write_text(GIA_LAM, encoding="utf-8")
    return path


def test_cli_ingest_prints_the_draft(report):
    result = run("kb", "ingest", str(report))
    assert result.returncode == 0, result.stderr
    doc = yaml.safe_load(result.stdout)
    assert doc["unit"] == "Huyện Gia Lâm"
    assert any(f.get("value") == "4.210" for f in doc["facts"])


def test_cli_ingest_writes_the_draft_with_the_given_district_and_date(report, tmp_path):
    out = tmp_path / "draft.yaml"
    result = run("kb", "ingest", str(report), "--unit", "quận Cầu Giấy", "--date", "2024-02-01",
                 "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Quận Cầu Giấy" in result.stdout and "2024-02-01" in result.stdout
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (doc["source"], doc["unit"]) == ("cau-giay-2023", "Quận Cầu Giấy")
    assert not list(tmp_path.glob(".draft.yaml.*"))  # no temporary file left behind


@pytest.mark.parametrize(("args", "message"), [
    (("kb", "ingest", "/nonexistent/report.txt"), "cannot read the report"),
    (("kb", "ingest", "{report}", "--date", "25/03/2023"), "not an ISO date"),
    (("kb", "ingest", "{report}", "--unit", "Châu Thành"), "several units"),
    (("kb", "ingest-eval", "/nonexistent/seeds"), "not a directory"),
])
def test_cli_errors_are_one_line_and_exit_1(report, args, message):
    result = run(*(a.format(report=report) for a in args))
    assert result.returncode == 1
    assert result.stderr.startswith("Error:") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_ingest_eval_measures_a_directory_of_reports(report, tmp_path):
    result = run("kb", "ingest-eval", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "gia-lam.txt" in result.stdout and "value recall" in result.stdout


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present")
def test_cli_ingest_eval_finds_the_shared_seeds_by_default():
    result = run("kb", "ingest-eval", cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr
    assert "000_91a8082724838868.txt" in result.stdout
    assert "precision" in result.stdout
