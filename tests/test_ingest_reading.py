"""Reading a report: its unit and date, each figure's kind and year, metric, and what is no figure.

Every report text here is written for these tests; the figures are made up.
"""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge import load_knowledge_base
from knowledge.ingest import find_figures, ingest, propose_date


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def candidates(text, kb, **kwargs):
    return list(ingest(text, kb, **kwargs).candidates)


def one(text, kb, written=None, **kwargs):
    found = [c for c in candidates(text, kb, **kwargs)
             if written is None or written in (c.value, c.percent)]
    assert len(found) == 1, found
    return found[0]


# -- the unit and the date ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "unit"), [
    ("Chiều 18/12, HĐND phường Hạc Thành họp kỳ cuối năm 2025. Phường thu ngân sách 52 tỷ đồng.",
     "Phường Hạc Thành"),
    ("UBND huyện Quế Sơn tổng kết năm 2023. Huyện Quế Sơn thu ngân sách 400 tỷ đồng.",
     "Huyện Quế Sơn"),
    ("Năm 2024, UBND tỉnh Thanh Hóa giao chỉ tiêu cho các sở, ngành.", "Tỉnh Thanh Hóa"),
    ("Quận Ba Đình giao chỉ tiêu năm 2025\nTiến Thành 20/12/2024 - 10:39\n"
     "Sáng 20-12, UBND quận Ba Đình tổ chức hội nghị.", "Quận Ba Đình"),
    ("Đại biểu thống nhất thông qua nghị quyết của HĐND xã Hòa Phú (Hà Nội) năm 2025.",
     "Xã Hòa Phú"),
])
def test_the_unit_a_report_names_most_is_proposed(text, unit, kb):
    draft = ingest(text, kb)
    assert draft.unit is not None and draft.unit.name == unit


def test_a_verb_or_an_ordinary_word_is_never_read_as_a_place(kb):
    text = ("Hội nghị thống nhất mục tiêu năm 2026; các đại biểu đồng tiến hành thảo luận về "
            "gia đình văn hóa và xã hội.")
    assert ingest(text, kb).unit is None


def test_a_unit_named_in_lower_case_counts_only_before_its_province(kb):
    draft = ingest("báo cáo của huyện quế sơn (quảng nam) năm 2023: thu 400 tỷ đồng.", kb)
    assert draft.unit is not None and draft.unit.name == "Huyện Quế Sơn"
    assert ingest("hđnd phường thống nhất 18 chỉ tiêu năm 2026.", kb).unit_name is None


def test_the_file_name_names_the_unit_only_when_the_text_names_none(kb):
    text = "CÁC CHỈ TIÊU NHIỆM KỲ 2020-2025\n1. Thu ngân sách tăng 12%."
    assert ingest(text, kb, date=dt.date(2020, 8, 1),
                  report="07-que-son-chi-tieu-2020.txt").unit.name == "Huyện Quế Sơn"
    assert ingest(text, kb, report="bao-cao-tong-ket-2024.txt").unit_name is None
    named = ingest("Huyện Quế Sơn tổng kết năm 2023.", kb, report="ba-dinh-2024.txt")
    assert named.unit.name == "Huyện Quế Sơn"


def test_namesakes_are_told_apart_by_the_map_of_the_reports_date(kb):
    before = ingest("Ngày 5/1/2024, huyện Quế Sơn tổng kết. Quế Sơn thu 400 tỷ đồng.", kb)
    assert before.unit.name == "Huyện Quế Sơn"
    after = ingest("Ngày 5/1/2026, Quế Sơn tổng kết năm 2025: thu 40 tỷ đồng.", kb)
    assert after.unit.name == "Xã Quế Sơn" and after.unit.province == "Thành phố Đà Nẵng"


def test_a_ward_name_several_provinces_share_is_proposed_without_a_province(kb):
    draft = ingest("Ngày 23/12, HĐND phường Tân Hòa họp, đánh giá năm 2025.", kb)
    assert (draft.unit, draft.unit_name) == (None, "Phường Tân Hòa")
    assert len(draft.unit_options) == 2


@pytest.mark.parametrize(("text", "date"), [
    ("Chiều 11/4, huyện tổng kết thi đua năm 2023 và phát động thi đua năm 2024.",
     dt.date(2024, 4, 11)),
    ("Ngày 23/12, HĐND phường đánh giá năm 2025 và quyết nghị nhiệm vụ năm 2026.",
     dt.date(2025, 12, 23)),
    ("Sáng 5-1, xã tổng kết năm 2023.", dt.date(2024, 1, 5)),
    ("Ngày 09-01-2019, HĐND huyện họp tổng kết năm 2018.", dt.date(2019, 1, 9)),
    ("Hôm nay (ngày 5 tháng 3 năm 2024), quận tổng kết năm 2023.", dt.date(2024, 3, 5)),
    ("Thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016, ngày 12/12/2023 quận tổ chức hội nghị.",
     dt.date(2023, 12, 12)),
    ("Chính quyền hai cấp vận hành từ 1/7/2025. Chiều 18/12, phường họp tổng kết năm 2025.",
     dt.date(2025, 12, 18)),
    ("Tối 27.12, huyện Quế Sơn tổng kết năm 2023; thu ngân sách 1.020,5 tỷ đồng.",
     dt.date(2023, 12, 27)),
])
def test_the_reports_date_is_read_and_completed_with_the_year_the_text_gives(text, date, kb):
    assert ingest(text, kb).date == date


@pytest.mark.parametrize(("lead", "publisher"), [
    ("(ABC) - Chiều 5/1, huyện tổng kết năm 2023.", "ABC"),
    ("(XYZO) Ngày 5-1, huyện tổng kết năm 2023.", "XYZO"),
    ("PQRO - Sáng 5/1, huyện tổng kết năm 2023.", "PQRO"),
    ("Báo Quế Sơn\n\nSáng 5/1, huyện tổng kết năm 2023.", "Báo Quế Sơn"),
    ("(ABC) - Sáng 5/1, huyện tổng kết năm 2023.\n\nMinh An 05/01/2024 08:30", "ABC (Minh An)"),
    ("UBND - Sáng 5/1, huyện tổng kết năm 2023.", "không ghi tác giả"),
    ("(TPHCM) - Sáng 5/1, huyện tổng kết năm 2023.", "không ghi tác giả"),
    ("Báo cáo tổng kết\n\nSáng 5/1, huyện tổng kết năm 2023.", "không ghi tác giả"),
])
def test_a_news_credit_or_a_papers_line_names_the_publisher(lead, publisher, kb):
    draft = ingest(f"Huyện Quế Sơn tổng kết thi đua năm 2023\n\n{lead}", kb)
    assert draft.source.publisher == publisher


@pytest.mark.parametrize(("byline", "publisher"), [
    ("Minh An 12/01/2024 08:30", "Minh An"),
    ("Thứ Sáu, 12/01/2024 08:30", "không ghi tác giả"),
    ("Chủ nhật, 12/01/2024 08:30", "không ghi tác giả"),
])
def test_a_byline_names_the_author_but_a_weekday_is_none(byline, publisher, kb):
    text = f"Huyện Quế Sơn tổng kết thi đua năm 2023\n\n{byline}\n\nHuyện thu 400 tỷ đồng."
    draft = ingest(text, kb)
    assert (draft.source.publisher, draft.date) == (publisher, dt.date(2024, 1, 12))


def test_a_day_and_month_without_any_year_are_not_guessed():
    assert propose_date("Chiều 11/4, huyện tổng kết thi đua.") is None


# -- result or target, and the year ------------------------------------------------------------


def test_a_figure_for_a_year_after_the_one_reviewed_is_a_target(kb):
    text = "Năm 2024 quận thu ngân sách 900 tỷ đồng. Năm 2025 quận giao chỉ tiêu thu 1.000 tỷ đồng."
    assert (one(text, kb, "900").kind, one(text, kb, "900").year) == ("result", 2024)
    assert (one(text, kb, "1.000").kind, one(text, kb, "1.000").year) == ("target", 2025)


def test_a_target_cue_marks_only_its_own_clause(kb):
    text = ("Trong năm 2024, xã phấn đấu hoàn thành 20 công trình; giải ngân vốn đầu tư công đạt "
            "95%. Toàn xã có 1.200 hộ gia đình văn hóa.")
    assert one(text, kb, "20").kind == "target"
    assert one(text, kb, "95").kind == "result"
    assert one(text, kb, "1.200").kind == "result"


def test_a_target_cue_before_a_colon_marks_the_whole_list(kb):
    text = ("Năm 2024, phường đạt 12 tỷ đồng thu ngân sách. Phường phấn đấu thực hiện các chỉ "
            "tiêu: thu ngân sách 15 tỷ đồng; tỷ lệ hộ nghèo giảm còn 0,5%; 98% gia đình văn hóa.")
    assert one(text, kb, "12").kind == "result"
    for written in ("15", "0,5", "98"):
        target = one(text, kb, written)
        assert (target.kind, target.year) == ("target", 2025), written


def test_a_target_for_a_later_year_reaches_every_item_of_its_sentence(kb):
    text = ("Năm 2024, xã thu ngân sách 30 tỷ đồng. Năm 2025, HĐND xã giao 12 chỉ tiêu. Cụ thể, "
            "xã phấn đấu thu ngân sách 33 tỷ đồng; trồng mới 4 ha rừng; tỷ lệ hộ nghèo dưới 2%; "
            "giảm 10% số vụ tai nạn so với năm 2024; đến nay đã xây 3 nhà văn hóa.")
    for written in ("33", "4", "2", "10"):
        target = one(text, kb, written)
        assert (target.kind, target.year) == ("target", 2025), written
    assert one(text, kb, "3").kind == "result"  # an item that reports what was done


@pytest.mark.parametrize(("text", "written", "kind", "year"), [
    ("Năm 2024 quận đạt 105% chỉ tiêu thu ngân sách.", "105", "result", 2024),
    ("Năm 2024 quận hoàn thành các mục tiêu đề ra với 15 công trình.", "15", "result", 2024),
    ("Năm 2024 quận đạt 98% kế hoạch năm; kế hoạch năm 2025 thu 500 tỷ đồng.", "98", "result",
     2024),
    ("Năm 2024 quận đạt 98% kế hoạch năm; kế hoạch năm 2025 thu 500 tỷ đồng.", "500", "target",
     2025),
    ("Năm 2024 quận thu 80 tỷ đồng; chỉ tiêu năm sau: tỷ lệ hộ nghèo dưới 1%.", "1", "target",
     2025),
    ("Năm 2024, 40 chỉ tiêu của nhiệm kỳ 2020-2025, đến nay đã có 38 chỉ tiêu hoàn thành.", "38",
     "result", 2025),
])
def test_plan_words_mark_targets_only_for_a_later_year(text, written, kind, year, kb):
    figure = one(text, kb, written)
    assert (figure.kind, figure.year) == (kind, year)


def test_a_heading_of_term_targets_governs_its_numbered_list(kb):
    text = ("Năm 2024, huyện thu ngân sách 300 tỷ đồng.\n"
            "CÁC CHỈ TIÊU CHỦ YẾU NHIỆM KỲ 2025-2030\n"
            "1. Tốc độ tăng thu ngân sách bình quân hằng năm (giá so sánh năm 2010) đạt 10%.\n"
            "2. Số xã đạt chuẩn nông thôn mới: 12 xã.\n"
            "Hội nghị cũng khen thưởng 15 tập thể có thành tích xuất sắc năm 2024.\n")
    assert one(text, kb, "300").kind == "result"
    for written in ("10", "12"):
        target = one(text, kb, written)
        assert (target.kind, target.year) == ("target", 2030), written
    assert one(text, kb, "15").kind == "award"


def test_honours_are_awards_of_the_year_reviewed(kb):
    text = ("Chiều 11/4/2024, huyện tổng kết thi đua năm 2023. Dịp này, 7 tập thể nhận danh hiệu "
            "Tập thể lao động xuất sắc của Chủ tịch UBND tỉnh.")
    award = one(text, kb, "7")
    assert (award.kind, award.year, award.metric) == ("award", 2023, "tap_the_lao_dong_xuat_sac")


@pytest.mark.parametrize(("sentence", "kind"), [
    ("Năm 2024, Đảng ủy xã tặng giấy khen cho 9 chi bộ trong sạch, vững mạnh.", "award"),
    ("Năm 2024, UBND phường khen thưởng 20 hộ gia đình sản xuất giỏi.", "award"),
    ("Năm 2024, phường trao tặng 300 suất quà cho người cao tuổi.", "result"),
    ("Năm 2024, 1.200 hộ đạt danh hiệu gia đình văn hóa.", "result"),
    ("Năm 2024, Hội Nông dân tặng giấy khen và 50 triệu đồng tiền thưởng.", "result"),
])
def test_whoever_an_honour_is_conferred_on_is_counted_as_an_award(sentence, kind, kb):
    assert candidates(sentence, kb)[0].kind == kind


# -- metrics -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "written", "metric"), [
    ("Năm 2024 tỷ lệ tuyển quân đạt 100%.", "100", "goi_cong_dan_nhap_ngu"),
    ("Năm 2024 tỷ lệ tuyến đường được chiếu sáng đạt 90%.", "90", None),
    ("Năm 2024, 12 tập thể nhận Cờ thi đua của UBND tỉnh.", "12", "co_thi_dua_thanh_pho"),
    ("Năm 2024, 3 tập thể nhận Bằng khen của Thủ tướng Chính phủ.", "3",
     "bang_khen_thu_tuong"),
    ("Năm 2024, 5 tập thể nhận Bằng khen của Bộ trưởng Bộ Công an.", "5", None),
    ("Năm 2024, 4 tập thể nhận Giấy khen của Chủ tịch UBND quận.", "4", "giay_khen_ubnd_quan"),
    ("Năm 2024 huyện có 100 doanh nghiệp mới được thành lập.", "100", None),
    ("Năm 2024 thu ngân sách đạt 50 tỷ đồng, tăng 8% so với cùng kỳ.", "8",
     "tang_truong_thu_ngan_sach"),
    ("Năm 2024 quận đạt và vượt 29 chỉ tiêu.", "29", "chi_tieu_hoan_thanh"),
    ("Năm 2024 quận giảm 300 hộ nghèo và 250 hộ cận nghèo.", "250", "giam_ho_can_ngheo"),
    ("Năm 2024 tỷ lệ lao động qua đào tạo đạt 70%, đạt 101% chỉ tiêu.", "101",
     "dao_tao_viec_lam_moi"),  # a bare percentage after a figure is of the same measure
])
def test_an_existing_metric_only_when_its_own_words_are_there(sentence, written, metric, kb):
    assert one(sentence, kb, written).metric == metric


@pytest.mark.parametrize(("sentence", "written", "metric"), [
    ("Năm 2023, quận hoàn thành và vượt 16/18 chỉ tiêu.", "16", "chi_tieu_hoan_thanh"),
    ("Năm 2023, tổng giá trị sản xuất ước đạt 900 tỷ đồng, tăng 6,4% so với cùng kỳ.", "6,4",
     "tang_truong_gia_tri_san_xuat"),
    ("Giá trị sản xuất trên địa bàn năm 2023 ước tăng 7,3%.", "7,3",
     "tang_truong_gia_tri_san_xuat"),
    ("Năm 2023, Thủ tướng Chính phủ tặng Bằng khen cho 3 tập thể.", "3", "bang_khen_thu_tuong"),
])
def test_met_targets_growth_and_an_issuer_before_its_award_find_their_metric(
        sentence, written, metric, kb):
    assert one(sentence, kb, written).metric == metric


def test_a_new_metric_never_repeats_an_existing_metrics_words(kb):
    # The words are Cờ thi đua Chính phủ's, a metric no counted figure is known for yet.
    found = one("Năm 2023, UBND tỉnh tặng Cờ thi đua Chính phủ cho 2 tập thể.", kb, "2")
    assert (found.metric, found.new_metric) == (None, None)


@pytest.mark.parametrize(("sentence", "written", "metric"), [
    ("Năm 2024 thu ngân sách xã được hưởng đạt 31 tỷ đồng.", "31", "thu_ngan_sach_dia_phuong"),
    ("Năm 2024 công an xã điều tra, khám phá 88% số vụ phạm pháp hình sự.", "88", None),
    ("Năm 2024, 6 cá nhân đạt danh hiệu Chiến sĩ thi đua cấp tỉnh.", "6", None),
    ("Năm 2024, 9 cá nhân đạt danh hiệu Chiến sĩ thi đua cấp cơ sở.", "9",
     "chien_si_thi_dua_co_so"),
    ("Năm 2024 toàn thành phố có 97% hộ đạt gia đình văn hóa.", "97", "gia_dinh_van_hoa"),
])
def test_no_existing_metric_whose_distinguishing_words_are_missing(sentence, written, metric,
                                                                   kb):
    figure = one(sentence, kb, written)
    assert figure.metric == metric
    assert figure.metric is not None or figure.new_metric is not None


def test_a_figure_without_a_metric_gets_a_new_one_from_its_own_words(kb):
    text = ("Năm 2024 quận thực hiện trồng mới 141 cây xanh. Năm 2025 quận phấn đấu trồng mới "
            "150 cây xanh, tỷ lệ hộ dùng nước sạch đạt trên 95%.")
    lanes, target = one(text, kb, "141"), one(text, kb, "150")
    assert lanes.metric is None
    assert (lanes.new_metric.id, lanes.new_metric.label) == ("trong_moi_cay_xanh",
                                                             "trồng mới cây xanh")
    assert target.new_metric == lanes.new_metric  # one new metric for the same words
    insured = one(text, kb, "95")
    assert insured.new_metric.label == "tỷ lệ hộ dùng nước sạch"
    assert insured.new_metric.id not in (lanes.new_metric.id, *kb.metrics)


# -- what is a figure --------------------------------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "Sáng 20-12, tại kỳ họp thứ 5, HĐND quận thông qua Nghị quyết số 15/NQ-HĐND lúc 9h30.",
    "Quận hoàn thành tiêm vaccine mũi 3 đợt 2 theo Quyết định 1234/QĐ-UBND ngày 5/6/2023.",
    "Chính quyền 2 cấp vận hành trên địa bàn Quận 1 từ đầu tháng 7-2025, phòng chống COVID-19.",
    "Giá trị sản xuất (giá so sánh năm 2010) của giai đoạn 2021-2025 và Nghị định 100/2019/NĐ-CP.",
    "Trẻ từ 12-17 tuổi được tiêm vào tháng 10/2021, năm thứ 2 liên tiếp.",
])
def test_dates_documents_doses_ordinals_and_names_are_not_figures(sentence):
    assert find_figures(sentence) == []


@pytest.mark.parametrize(("sentence", "value", "of", "numeral"), [
    ("Giáo dục của quận được xếp hạng 2/30 quận, huyện.", "2", "30", None),
    ("Năm 2024, quận hoàn thành vượt mức 19/19 chỉ tiêu.", "19", "19", None),
    ("Năm 2024 có ba chỉ tiêu không đạt.", "ba", None, "3"),
    ("Mười hai tập thể được khen thưởng.", "Mười hai", None, "12"),
    ("Có hai mươi mốt cá nhân được khen thưởng.", "hai mươi mốt", None, "21"),
])
def test_ranks_ratios_and_counts_in_words_are_figures(sentence, value, of, numeral):
    (figure,) = find_figures(sentence)
    assert (figure.value, figure.of, figure.numeral) == (value, of, numeral)
    assert figure.bound is None


@pytest.mark.parametrize(("sentence", "value", "percent", "percent_of"), [
    ("Năm 2024 xã thu 7,5 tỷ đồng, vượt 6,25% dự toán huyện giao.", "7,5", "106,25", "dự toán"),
    ("Năm 2024 vốn giải ngân vượt 9% so với kế hoạch.", None, "109", "kế hoạch"),
    ("Năm 2024 thu ngân sách hoàn thành vượt 103% kế hoạch.", None, "103", "kế hoạch"),
    ("Năm 2024 thu ngân sách đạt 40 tỷ đồng, tăng 9% so với cùng kỳ.", "40", None, None),
])
def test_a_plan_exceeded_by_a_share_is_the_share_of_the_plan_reached(sentence, value, percent,
                                                                     percent_of):
    figure = find_figures(sentence)[0]
    assert (figure.value, figure.percent, figure.percent_of) == (value, percent, percent_of)


def test_the_share_a_plan_is_exceeded_by_is_no_figure_of_its_own(kb):
    (budget,) = candidates("Năm 2024 xã thu ngân sách 7,5 tỷ đồng, vượt 6,2% dự toán.", kb)
    assert (budget.value, budget.percent, budget.metric) == ("7,5", "106,2", "thu_ngan_sach")
