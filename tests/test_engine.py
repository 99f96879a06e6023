"""The answer rules, as an official sees them."""

import unicodedata

import pytest
from seed_reports import seed_reports_only

from knowledge import KnowledgeBase, answer, load_knowledge_base, render_text
from knowledge.records import answer_record


@pytest.fixture(scope="module")
def kb():
    return seed_reports_only(load_knowledge_base())


def ask(kb, question):
    reply = answer(question, kb)
    return reply, render_text(reply)


@pytest.mark.parametrize("question", [
    "Hoàng Mai thu ngân sách 2022?",
    "hoang mai thu ngan sach 2022",
    "HOÀNG MAI THU NGÂN SÁCH NĂM 2022",
    "Quận Hoàng Mai tổng thu NS 2022",
    "Q.Hoàng Mai thu NSNN 2022",
])
def test_budget_question_is_answered_however_it_is_typed(kb, question):
    reply, text = ask(kb, question)
    assert reply.status == "answered"
    assert "4.670,8" in text and "105,29%" in text
    assert "2022" in text


def test_nfd_question_is_answered_like_nfc(kb):
    question = "Hoàng Mai thu ngân sách 2022"
    nfd = unicodedata.normalize("NFD", question)
    assert render_text(answer(nfd, kb)) == render_text(answer(question, kb))


def test_every_answer_cites_its_source_short_with_the_full_title_in_the_record(kb):
    reply, text = ask(kb, "Q1 tổng thu NS năm 2023 là bao nhiêu")
    assert reply.status == "answered"
    assert "16.728" in text
    assert "Nguồn: ĐCSVN, bài về phong trào thi đua Quận 1, 29/03/2024." in text
    source = answer_record(reply)["facts"][0]["source"]
    assert source["title"] == "Quận 1 (Thành phố Hồ Chí Minh) đẩy mạnh phong trào thi đua yêu nước"
    assert (source["publisher"], source["date"]) == ("ĐCSVN (tác giả CM)", "2024-03-29")


def test_quan_10_is_not_quan_1(kb):
    reply, text = ask(kb, "Quận 10 thu ngân sách 2023")
    assert reply.status == "not_found"
    assert "Quận 10" in text
    assert "16.728" not in text


def test_binh_chanh_is_not_binh_thanh(kb):
    reply, text = ask(kb, "Bình Chánh thu ngân sách 2021")
    assert reply.status == "not_found"
    assert "Bình Chánh" in text
    assert "5.380" not in text


@pytest.mark.parametrize("question", [
    "Cầu Giấy thu ngân sách 2022", "Huyện Hóc Môn có bao nhiêu đảng viên",
    "quan long bien thu ngan sach 2022", "H. Củ Chi kết nạp đảng viên",
])
def test_real_district_without_data_is_named_and_gets_no_figures(kb, question):
    reply, text = ask(kb, question)
    assert reply.status == "not_found"
    assert not reply.facts
    assert "Chưa có số liệu" in text


def test_another_year_than_the_data_is_not_found_and_says_which_years_exist(kb):
    reply, text = ask(kb, "Quận 1 thu ngân sách 2021")
    assert reply.status == "not_found"
    assert "2023" in text
    assert "16.728" not in text


def test_2023_is_not_2022(kb):
    reply, text = ask(kb, "Hoàng Mai thu ngân sách 2023")
    assert reply.status == "not_found"
    assert "4.670,8" not in text


def test_metric_another_district_has_is_not_found_here(kb):
    reply, text = ask(kb, "Hai Bà Trưng hiến máu 2020")
    assert reply.status == "not_found"
    assert "4.564" not in text


def test_year_omitted_with_one_year_known_answers_and_states_the_year(kb):
    reply, text = ask(kb, "Hoàng Mai thu ngân sách")
    assert reply.status == "answered"
    assert "năm 2022" in text


def test_district_alone_gets_an_overview_of_key_figures_and_its_topics(kb):
    reply, text = ask(kb, "Hoàng Mai")
    assert reply.status == "answered"
    assert "4.670,8" in text and "19/19" in text
    assert "Bạn có thể hỏi thêm về" in text and "khen thưởng" in text
    assert len(text.splitlines()) <= 10
    assert reply.suggestions
    assert all(answer(s, kb).status == "answered" for s in reply.suggestions)


def test_metric_without_district_asks_which_district(kb):
    reply, _ = ask(kb, "thu ngân sách năm 2022")
    assert reply.status == "clarify"
    assert not reply.facts
    assert all(answer(s, kb).status == "answered" for s in reply.suggestions)


def test_ranking_compares_districts_and_notes_the_different_years(kb):
    reply, text = ask(kb, "Quận nào có tỷ lệ thu ngân sách so với kế hoạch cao nhất")
    assert reply.status == "answered"
    assert text.index("Hoàng Mai") < text.index("Hai Bà Trưng")
    assert "105,29" in text
    assert "năm khác nhau" in text


def test_lowest_ranking_puts_the_smallest_first(kb):
    reply, text = ask(kb, "quận nào thu ngân sách thấp nhất")
    assert reply.status == "answered"
    assert "Hoàng Mai" in text.splitlines()[1]
    assert text.index("4.670,8") < text.index("16.728")


def test_comparison_of_two_districts_gives_both_figures(kb):
    reply, text = ask(kb, "so sánh thu ngân sách Hoàng Mai và Hai Bà Trưng")
    assert reply.status == "answered"
    assert "4.670,8" in text and "12.817" in text


def test_target_question_gets_the_target(kb):
    reply, text = ask(kb, "binh thanh chi tieu kham pha an 2022")
    assert reply.status == "answered"
    assert "77%" in text
    assert all(f.kind == "target" for f in reply.facts)


def test_estimates_and_bounds_keep_the_report_nuance(kb):
    _, text = ask(kb, "Bình Thạnh thu ngân sách địa phương 2021")
    assert "gần 137%" in text


def test_quan_6_figures_say_whose_figures_they_are(kb):
    reply, text = ask(kb, "Quận 6 thẩm tra xác minh lý lịch bao nhiêu quần chúng năm 2022")
    assert reply.status == "answered"
    assert "12" in text
    assert "cơ quan chính quyền" in text.lower()


@pytest.mark.parametrize("question", ["Tỷ giá đô la hôm nay", "thời tiết Hà Nội mai thế nào",
                                      "xin chào", "😀😀", "???", ""])
def test_chit_chat_and_out_of_domain_get_a_hint_not_a_figure(kb, question):
    reply, text = ask(kb, question)
    assert reply.status in ("not_found", "clarify")
    assert not reply.facts
    assert text


def test_huge_question_is_answered_without_error(kb):
    reply, _ = ask(kb, "Hoàng Mai thu ngân sách 2022 " + "rất " * 3000)
    assert reply.status in ("answered", "not_found", "clarify")


def test_ward_since_2025_is_traced_to_its_former_district(kb):
    reply, text = ask(kb, "Phường Sài Gòn kết nạp bao nhiêu đảng viên năm 2023")
    assert reply.status == "clarify"
    assert "Quận 1" in text
    assert not reply.facts


def test_ward_from_two_former_districts_names_both(kb):
    reply, text = ask(kb, "Phường Vĩnh Tuy thu ngân sách 2022")
    assert reply.status == "clarify"
    assert "Hai Bà Trưng" in text and "Hoàng Mai" in text


def test_ward_from_districts_without_data_is_not_found_with_its_origin(kb):
    reply, text = ask(kb, "Thủ Dầu Một thu ngân sách 2022")
    assert reply.status == "not_found"
    assert "Bình Dương" in text


def test_phrase_gia_dinh_van_hoa_is_not_the_ward_gia_dinh(kb):
    reply, text = ask(kb, "Tỷ lệ gia đình văn hóa Hoàng Mai 2022")
    assert reply.status == "answered"
    assert "100,9" in text


def test_former_marker_does_not_disturb_the_answer(kb):
    reply, text = ask(kb, "Quận 1 cũ thu ngân sách 2023")
    assert reply.status == "answered"
    assert "16.728" in text


def test_suggestions_of_not_found_replies_are_answerable(kb):
    reply, _ = ask(kb, "Hai Bà Trưng hiến máu 2020")
    assert all(answer(s, kb).status == "answered" for s in reply.suggestions)


@pytest.mark.parametrize(("question", "former"), [
    ("Phường Tương Mai thu ngân sách 2022", ["Hai Bà Trưng", "Hoàng Mai", "Thanh Xuân"]),
    ("Phường Bình Phú có bao nhiêu chi bộ", ["Quận 6", "Quận 8"]),
])
def test_ward_from_several_former_districts_offers_only_those_with_data(kb, question, former):
    reply, text = ask(kb, question)
    assert reply.status == "clarify"
    assert all(name in text for name in former)
    assert not reply.facts
    assert all(answer(s, kb).status in ("answered", "not_found") for s in reply.suggestions)


def test_ward_and_district_of_the_same_name_are_told_apart_by_the_type_word(kb):
    ward, ward_text = ask(kb, "phường Hoàng Mai thu ngân sách 2022")
    district, district_text = ask(kb, "quận Hoàng Mai thu ngân sách 2022")
    assert ward.status == "clarify" and "Quận Hoàng Mai" in ward_text
    assert "4.670,8" not in ward_text
    assert district.status == "answered" and "4.670,8" in district_text


def test_ward_in_another_province_is_neither_the_hanoi_ward_nor_the_district(kb):
    reply, text = ask(kb, "phường Hoàng Mai Nghệ An thu ngân sách")
    assert reply.status == "not_found"
    assert "Nghệ An" in text and "4.670,8" not in text


def test_names_differing_only_by_diacritics_are_told_apart(kb):
    hanoi, hanoi_text = ask(kb, "Phường Vĩnh Hưng Hà Nội thu ngân sách")
    nghe_an, nghe_an_text = ask(kb, "Phường Vinh Hưng Nghệ An thu ngân sách")
    assert hanoi.status == "clarify" and "Hoàng Mai" in hanoi_text
    assert nghe_an.status == "not_found" and "Nghệ An" in nghe_an_text


def test_merged_province_is_named_for_a_former_city(kb):
    reply, text = ask(kb, "Thành phố Thủ Dầu Một có bao nhiêu đảng viên")
    assert reply.status == "not_found"
    assert "Bình Dương" in text


def test_a_target_is_what_the_unit_strives_for_never_what_it_reached(kb):
    _, text = ask(kb, "binh thanh chi tieu kham pha an 2022")
    assert "phấn đấu từ 77% trở lên" in text and "đạt từ 77%" not in text


def test_not_found_echoes_the_users_own_words_with_their_accents(kb):
    reply, text = ask(kb, "Hoàng Mai sân chơi thiếu nhi 2022")
    assert reply.status == "not_found"
    assert "«sân chơi thiếu nhi»" in text


def test_a_long_list_is_capped_and_says_how_many_are_left(kb):
    _, text = ask(kb, "Tổng hợp khen thưởng năm 2022 của Hoàng Mai")
    items = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(items) == 8 and "nội dung khác" in text


def test_slogans_are_quoted_exactly_as_the_report_writes_them(kb):
    _, text = ask(kb, "Chủ đề năm 2021 của Hai Bà Trưng là gì?")
    assert "«Kỷ cương, trách nhiệm, hành động, sáng tạo, phát triển»" in text


def test_yes_no_is_answered_from_the_reports_own_figure(kb):
    _, yes = ask(kb, "Năm 2022 Hoàng Mai thu ngân sách đã hoàn thành chỉ tiêu thành phố chưa?")
    _, no = ask(kb, "Quận 1 năm 2023 giải ngân công trình xây dựng có hoàn thành kế hoạch không?")
    assert yes.startswith("Có.") and "105,29%" in yes
    assert no.startswith("Chưa.") and "97,46%" in no


def test_small_talk_gets_what_the_bot_knows_and_is_not_an_unanswered_question(kb):
    reply, text = ask(kb, "cảm ơn bot nhé")
    assert reply.smalltalk and "Tôi chưa hiểu" not in text


def test_no_namesake_note_when_the_unit_is_named_with_its_province(kb):
    _, text = ask(kb, "Hoàng Mai thu ngân sách 2022")
    assert "Quận Hoàng Mai (cũ, TP Hà Nội)" in text and "cùng tên" not in text


@pytest.fixture(scope="module")
def many_wards():
    """The shipped base plus a budget figure for 14 wards of Hà Nội: more than a reply lists."""
    full = load_knowledge_base()
    budget = next(f for f in full.facts if f.metric == "thu_ngan_sach" and f.place.level == "ward"
                  and f.kind == "result")
    wards = [w for w in full.gazetteer.wards.values() if w.province == "Thành phố Hà Nội"][:14]
    extra = tuple(budget._replace(id=f"test-{w.key}", place=w, value=f"{100 + n},5")
                  for n, w in enumerate(wards))
    return KnowledgeBase(sources=full.sources, metrics=full.metrics, facts=full.facts + extra,
                         gazetteer=full.gazetteer, vocabulary=full.vocabulary), wards


def test_which_wards_ranks_wards_only_and_lists_the_top_ten(many_wards):
    kb, wards = many_wards
    reply, text = ask(kb, "phường nào thu ngân sách cao nhất")
    assert reply.status == "answered"
    assert "Quận" not in reply.body
    assert f"1. {wards[-1].name}" in text and "113,5 tỷ đồng" in text
    assert "10. " in text and "11. " not in text and "và 5 đơn vị khác" in text
    assert len(reply.facts) == 10


def test_which_province_without_any_says_so_before_the_units_that_have_it(kb):
    _, text = ask(kb, "tỉnh nào thu ngân sách cao nhất")
    assert text.startswith("Chưa có số liệu tổng thu ngân sách của tỉnh, thành phố nào.")
    assert "16.728" in text


def test_a_ranking_never_puts_a_target_beside_results(kb):
    full = load_knowledge_base()
    _, text = ask(full, "quận nào thu ngân sách cao nhất")
    ranked = [line for line in text.splitlines() if line[:2] in {f"{n}." for n in range(1, 10)}]
    assert ranked and not any("phấn đấu" in line or "Chỉ tiêu" in line for line in ranked)


def test_a_metric_held_by_many_units_asks_which_with_a_short_list(many_wards):
    kb, _ = many_wards
    reply, text = ask(kb, "tổng thu ngân sách là bao nhiêu")
    assert reply.status == "clarify"
    assert "đơn vị khác" in text and len(reply.suggestions) <= 6


@pytest.fixture(scope="module")
def full():
    return load_knowledge_base()


@pytest.mark.parametrize(("question", "has", "absent"), [
    # a negation is part of the metric: "đạt và vượt" is never "không đạt"
    ("Quận Bình Tân năm 2021 đạt và vượt bao nhiêu chỉ tiêu chủ yếu?", "29/32", "3/32"),
    ("binh tan 2021 bao nhieu chi tieu chua dat", "3/32", "29/32"),
    # "% chỉ tiêu" measures a result against its target: the 2025 result, not a 2026 target
    ("Phường Tân Hòa (Phú Thọ) thu ngân sách 2025 đạt bao nhiêu % chỉ tiêu?", "681,8%", "40,6"),
    # a unit's own rank, a value named by its own metric, a generic word among its metrics
    ("Giáo dục quận Ba Đình năm 2024 xếp hạng mấy trong thành phố?", "hạng 2/30", "Cờ thi đua"),
    ("Giá trị sản xuất toàn huyện Quế Sơn năm 2023", "9.870 tỷ đồng", "2,66"),
    ("Quế Sơn tăng trưởng năm 2023", "2,66%", "9.870"),
    # "tăng bao nhiêu %" asks for the growth, not the share of a plan
    ("Quế Sơn 2023 giá trị sản xuất tăng bao nhiêu %", "2,66%", "không nêu tỷ lệ"),
    ("Hoàng Mai 2022 thu ngân sách tăng bao nhiêu %", "không nêu mức tăng", "tăng 105"),
    ("Ba Đình năm 2024 thu được bao nhiêu", "7.004,91", "hạng"),
    # abbreviations, and a year inside a date is the ceremony's, not the figures'
    ("Như Xuân nhiệm kỳ 2020-2025 phấn đấu thành lập mới bao nhiêu DN", "100 doanh nghiệp",
     "thành lập quận"),
    ("Tại hội nghị tổng kết 03/3/2023, Hoàng Mai trao Cờ đơn vị xuất sắc cho mấy tập thể?",
     "02 tập thể", "Tôi chưa hiểu"),
    # lists: every title of the emulation law, every anniversary
    ("Năm 2023 Quế Sơn khen thưởng những danh hiệu gì, bao nhiêu tập thể?", "5 tập thể",
     "Chưa có"),
    ("Năm 2023 Hoàng Mai thi đua chào mừng những ngày kỷ niệm nào?", "20 năm", "Chưa có"),
])
def test_questions_as_officials_ask_them(full, question, has, absent):
    _, text = ask(full, question)
    assert has in text and absent not in text


def test_a_metric_the_unit_lacks_is_not_answered_with_a_lesser_one(full):
    reply, text = ask(full, "Quận 1 năm 2023 có bao nhiêu đảng viên hoàn thành xuất sắc nhiệm vụ?")
    assert reply.status == "not_found" and "Quận Bình Thạnh" in text and not reply.facts


def test_a_request_to_write_something_is_out_of_scope(full):
    reply, text = ask(full, "Giúp mình viết bài phát biểu khai mạc hội nghị thi đua")
    assert reply.status == "not_found" and "không soạn văn bản" in text


@pytest.mark.parametrize(("question", "has", "absent"), [
    # a yes/no against a level the question names compares the figure with that level
    ("Thu ngân sách Hoàng Mai năm 2022 có vượt 5 nghìn tỷ không?", "Không. ", "Có. "),
    ("Quận 1 thu ngân sách 2023 có đạt 15.000 tỷ không?", "Có. ", "Không. "),
    ("Thu nhập bình quân đầu người huyện Quế Sơn năm 2023 đã tới 50 triệu chưa?", "Chưa. ", "Có. "),
    # a level that looks like a year, a level to stay under, a growth, a target
    ("Hoàng Mai năm 2022 cấp giấy phép xây dựng có vượt 2000 giấy không?", "Không. ", "Có. "),
    ("Tỷ lệ hộ nghèo phường Tân Hòa (Phú Thọ) năm 2025 đã dưới 1% chưa?", "Có. ", "Chưa. "),
    ("Giá trị sản xuất Quế Sơn 2023 có tăng trên 5% không?", "Không. ", "Có. "),
    ("Như Xuân phấn đấu thu nhập bình quân 2025 trên 50 triệu phải không?", "Có. ", "Không. "),
    # a level and a question's ending make a yes/no, typed any way; a sum gets no verdict
    ("hm 2022 tao viec lam dc tren 6000 ld chua", "Chưa. ", "Có. "),
    ("nhuw xuaan 2025 ddaats tichs tuj treen 2000 ha khoong", "Không. ", "Có. "),
    ("q.bd 2025 phan dau thu ngan sach tren 12 nghin ty dung ko", "Có. ", "Không. "),
    # "đạt bao nhiêu phần trăm chỉ tiêu" (VNI too) measures the result against its target
    ("Phu7o72ng Ta6n Ho2a Phu1 Tho5 2025 thu nga6n sa1ch d9a5t bao nhie6u pha62n tra8m chi3 "
     "tie6u", "681,8%", "Chưa có"),
    ("Năm 2020 Hai Bà Trưng hỗ trợ chống dịch trong quận cộng ủng hộ nơi khác có hơn 11 tỷ "
     "không?", "1,078", "Không. "),
    # a number after a noun qualifies ("mũi 3"); the level is the one after the verb
    ("Bình Tân 2021 tiêm mũi 3 có được 50.000 người không?", "Không. ", "548.458"),
    ("Quận 6 năm 2022 có đủ 10 người đi học lớp nhận thức về Đảng không?", "Có. ", "Không. "),
    # a range is set against the level by both ends
    ("Năm 2022 Bình Thạnh phấn đấu tổng giá trị sản xuất tăng trên 12% phải không?", "Không. ",
     "Có. "),
    ("Năm 2022 Bình Thạnh phấn đấu tổng giá trị sản xuất tăng trên 10,5% phải không?",
     "10 - 11%", "Có. "),
    # "phải không" after a figure checks the figure, never the plan
    ("Hoàng Mai thu ngân sách 2022 là 4.670,8 tỷ phải không?", "Theo báo cáo: ", "Có. "),
    # a document's date in its own words; a quoted slogan finds its unit
    ("Chỉ thị 34 của Bộ Chính trị về thi đua khen thưởng mà Hoàng Mai quán triệt ban hành "
     "ngày nào?", "07/4/2014", "03/03/2023"),
    ('"Kỷ cương, trách nhiệm, hành động, sáng tạo, phát triển" là chủ đề năm của quận nào?',
     "Quận Hai Bà Trưng", "Đinh Khắc Huy"),
    # "ái quốc" is no "ai" (who); a province after one of two units places only that one
    ("Ngày kỷ niệm 75 năm Bác Hồ ra Lời kêu gọi thi đua ái quốc mà Hoàng Mai hướng tới là "
     "ngày nào?", "11/06/2023", "Chưa có"),
    ("Giải quyết việc làm: quận Hoàng Mai và phường Tân Hòa (Phú Thọ) chênh nhau thế nào?",
     "458 lao động", "Không tìm thấy"),
    # comparisons say which is higher; "Covid-19" is no year; "TP" is thành phố
    ("Quận 1 hay Hai Bà Trưng thu ngân sách nhiều hơn?", "Cao hơn: Quận 1", "Cao hơn: Quận Hai"),
    ("Đơn vị nào có số liệu tiêm vắc xin Covid-19?", "548.458", "2019"),
    ("hm NTVT cấp TP năm 2022", "34 cá nhân", "148"),
    ("Năm 2025 quận Ba Đình được giao bao nhiêu chỉ tiêu?", "25 chỉ tiêu", "84/128"),
    ("ba dinh nam 2025 nhan bao nhieu chi tieu kt-xh", "25 chỉ tiêu", "84/128"),
    # of several dated documents in one fact, the one asked by its number
    ("Chỉ thị 23-CT/TU mà Quận 6 tuyên truyền được Thành ủy ban hành ngày nào?",
     "Chỉ thị 23-CT/TU ngày 25/7/2019 của Thành ủy", "19/10/2018"),
    # frame words alone add no second metric to one the question names
    ("HOANG MAI 2022 GIAO QUAN DAT MAY PHAN TRAM CHI TIEU", "nhập ngũ", "19/19"),
    # "vượt mức bao nhiêu chỉ tiêu" asks a result, not the target count
    ("BA ĐÌNH CẢ NHIỆM KỲ 2020-2025 ĐÃ VƯỢT MỨC BAO NHIÊU CHỈ TIÊU", "22/128", "25 chỉ tiêu"),
    # a figure the question says itself ("13 chi bộ") is the fact asked about
    ("Ở Quận 6 có 13 chi bộ được xếp loại mức nào?", "hoàn thành tốt nhiệm vụ", ": 16 chi bộ"),
    # LĐXS is lao động xuất sắc; a number after a name is no year ("SEA Games 31")
    ("HM 2022 tập thể LĐXS trao ngay tại hội nghị tổng kết là bao nhiêu", "12 tập thể",
     "99 tập thể"),
    ("Quận nào có số liệu về phục vụ SEA Games 31?", "Quận Hoàng Mai", "2031"),
    # a list no metric names, said by a task of the unit
    ("Năm 2024 Quận 1 tuyên truyền, nhân rộng những gương nào?", "người tốt, việc tốt",
     "Chưa có"),
    # a full date names what the unit did that day
    ("Ngày 3/3/2023 quận Hoàng Mai tổ chức sự kiện gì?", "Hội nghị tổng kết", "SEA Games"),
    # a metric the unit lacks, but words a task of its own says
    ("Năm 2024 Quận 1 có kiện toàn hội đồng thi đua khen thưởng không?",
     "kiện toàn Hội đồng thi đua", "Chưa có"),
    ("Ba Đình năm 2024 tăng trưởng bao nhiêu %", "12,8%", "Chưa có"),
])
def test_questions_of_a_third_kept_back_kind(full, question, has, absent):
    _, text = ask(full, question)
    assert has in text and absent not in text


@pytest.mark.parametrize("question", ["bot tên gì, ai làm ra bot vậy",
                                      "Bot có số liệu năm 2025 không?", "ok bot, vậy đủ rồi"])
def test_questions_about_the_bot_are_small_talk(full, question):
    reply, text = ask(full, question)
    assert reply.smalltalk and not reply.facts and "Tôi chưa hiểu" not in text


@pytest.mark.parametrize(("question", "listed", "absent"), [
    # a family asked without a unit: the units with that family's facts in the year asked
    ("chỉ tiêu năm 2025", ["Quận Ba Đình", "Huyện Như Xuân"], ["Hoàng Mai", "hoàn thành"]),
    # a metric asked without a unit: the units that have it in the year asked
    ("chỉ tiêu thu ngân sách 2025", ["Quận Ba Đình", "Phường Tân Hòa"], ["Hoàng Mai"]),
])
def test_a_question_without_a_unit_offers_the_units_of_the_year_asked(full, question, listed,
                                                                     absent):
    reply, text = ask(full, question)
    assert reply.status == "clarify"
    assert all(name in text for name in listed) and not any(word in text for word in absent)


@pytest.mark.parametrize(("question", "has", "absent"), [
    # "which district of Hà Nội": ranked among the units inside that province only
    ("Trong các quận của Hà Nội, quận nào thu ngân sách nhiều nhất?",
     "Cao nhất: Quận Hai Bà Trưng", "Quận 1"),
    ("Những quận ở TP HCM có số liệu thu ngân sách là những quận nào?", "Quận Bình Tân",
     "Hoàng Mai"),
    ("quận nào của Đà Nẵng thu ngân sách cao nhất", "của Thành phố Đà Nẵng", "năm  về"),
    # "vượt dự toán … cao nhất" ranks the shares of the plan
    ("Trong các quận thuộc Hà Nội, nơi nào thu ngân sách vượt dự toán, kế hoạch cao nhất?",
     "Cao nhất: Quận Ba Đình", "Cao nhất: Quận Hai"),
    # a rate ranks rates, never a count or a share of a plan; a rate metric its shares
    ("đơn vị nào có tỷ lệ hộ nghèo thấp nhất", "Phường Tân Hòa (Phú Thọ), năm 2025: đạt 0,88%",
     "Hoàng Mai"),
    ("Địa phương nào giải ngân vốn đầu tư đạt tỷ lệ cao nhất?", "Cao nhất: Quận Ba Đình", "—"),
    # a place named inside quoted words belongs to them
    ("“Xây dựng không gian văn hóa Hồ Chí Minh” là chuyên đề năm nào của đơn vị nào?",
     "Quận 1 (cũ, TP Hồ Chí Minh), năm 2023", "Quận 6"),
])
def test_units_inside_a_province_and_quoted_places(full, question, has, absent):
    _, text = ask(full, question)
    assert has in text and absent not in text


@pytest.mark.parametrize(("question", "status", "has"), [
    ("năm 2024 thì có gì", "clarify", "Quận Ba Đình (cũ, TP Hà Nội) năm 2024"),
    ("năm 2030 có gì", "not_found", "Chưa có số liệu năm 2030 của đơn vị nào"),
    ("thôi nhé bot, hẹn hôm khác", "not_found", "Tạm biệt"),
    ("hỏi số liệu phường mới sau sáp nhập được không bot", "clarify", "luôn kèm nguồn"),
    # "được khen những gì": the awards; "đạt được những kết quả gì": the unit's main results
    ("huyen que son nam 2023 duoc khen nhung gi", "answered", "Cờ thi đua"),
    ("Năm 2025 phường Tân Hòa, tỉnh Phú Thọ đạt được những kết quả gì?", "answered", "681,8%"),
])
def test_questions_that_name_little(full, question, status, has):
    reply, text = ask(full, question)
    assert reply.status == status and has in text


@pytest.mark.parametrize(("question", "parts"), [
    # each clause of a two-part question names its own metric: both are answered
    ("bình thạnh 2022 phấn đấu giảm bn hộ nghèo, bn hộ cận nghèo", ["300 hộ", "250 hộ"]),
    ("Năm 2022 Hoàng Mai rà soát đơn giản hóa mấy thủ tục và kiến nghị rút ngắn thời gian mấy "
     "thủ tục?", ["17 thủ tục", "13 thủ tục"]),
    ("NHƯ XUÂN PHẤN ĐẤU CÔNG NGHIỆP VÀ DỊCH VỤ TĂNG BAO NHIÊU", ["18,4%", "18,2%"]),
    ("HM năm 2022 có bao nhiêu người được công nhận Người tốt việc tốt, cả cấp quận lẫn cấp "
     "thành phố?", ["148 cá nhân", "34 cá nhân"]),
    ("Quận 1 năm 2023 hoàn thành bao nhiêu chỉ tiêu và giải ngân xây dựng được mấy phần trăm?",
     ["35/38", "97,46%"]),
    # a clause naming an event is no second figure
    ("Khi phát động thi đua 2022, quận Bình Thạnh có giao chỉ tiêu giảm hộ cận nghèo không?",
     ["250"]),
])
def test_each_part_of_a_two_part_question_is_answered(full, question, parts):
    _, text = ask(full, question)
    assert all(part in text for part in parts)
