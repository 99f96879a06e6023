"""Follow-up questions: context fills what a follow-up leaves out, never a wrong figure."""

import pytest

from knowledge import Context, load_knowledge_base, respond
from knowledge.phrasing import render_text


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def converse(kb, *questions):
    """The replies to the questions asked one after another in one conversation."""
    context, replies = None, []
    for question in questions:
        reply = respond(question, kb, context)
        context = reply.context
        replies.append((reply.answer, render_text(reply.answer)))
    return replies, context


def test_another_unit_takes_the_metric_and_year_and_never_the_figure(kb):
    replies, _ = converse(kb, "Hoàng Mai thu ngân sách 2022?", "còn Quận 1?", "Cầu Giấy thì sao?")
    (_, first), (q1, q1_text), (cau_giay, cau_giay_text) = replies
    assert "4.670,8" in first
    assert q1.status == "answered" and "16.728" in q1_text and "4.670,8" not in q1_text
    assert "Chưa có số liệu năm 2022 của Quận 1" in q1_text and "năm 2023" in q1_text
    assert cau_giay.status == "not_found" and "Cầu Giấy" in cau_giay_text
    assert "ngân sách" in cau_giay_text and "16.728" not in cau_giay_text


def test_another_year_keeps_the_unit_and_metric(kb):
    replies, context = converse(kb, "HBT năm 2021 giảm dự toán chi thường xuyên bao nhiêu?",
                                "vậy năm 2020?")
    (missing, _), (found, text) = replies
    assert missing.status == "not_found"
    assert found.status == "answered" and "30,039" in text
    assert context.years == (2020,) and context.metric == "giam_du_toan_chi_thuong_xuyen"


def test_pointers_resolve_from_the_conversation(kb):
    replies, _ = converse(kb,
                          "Có bao nhiêu lao động ở Bình Thạnh được giới thiệu việc làm năm 2021?",
                          "quận này đào tạo việc làm mới cho bao nhiêu người?",
                          "năm trước thì sao?")
    assert "6.101" in replies[1][1]
    assert replies[2][0].status == "not_found" and "2020" in replies[2][1]


def test_a_question_that_names_everything_starts_afresh(kb):
    replies, context = converse(
        kb, "Bình Thạnh năm 2022 phấn đấu tổng giá trị sản xuất tăng bao nhiêu?",
        "Số đảng viên mới Quận 1 kết nạp trong năm 2023?")
    assert "202/200" in replies[1][1] and "10 - 11" not in replies[1][1]
    assert context.places == ("d760",)


def test_greetings_keep_the_context_and_a_not_found_stays_in_it(kb):
    replies, _ = converse(kb, "Tỷ lệ cai nghiện tại cơ sở công lập của Hoàng Mai năm 2022?",
                          "xin cảm ơn", "còn Cầu Giấy?", "Hai Bà Trưng thì sao?")
    assert replies[1][0].smalltalk
    assert replies[3][0].status == "not_found"
    assert "cai nghiện" in replies[3][1] and "Hai Bà Trưng" in replies[3][1]


def test_a_short_reply_completes_the_bots_own_question(kb):
    replies, _ = converse(kb, "thu ngân sách năm 2022", "Hoàng Mai")
    assert replies[0][0].status == "clarify"
    assert replies[1][0].status == "answered" and "4.670,8" in replies[1][1]


def test_words_the_bot_does_not_know_are_not_answered_with_the_last_figure(kb):
    replies, _ = converse(kb, "hm nam 2022 giam duoc bao nhieu ho ngheo", "còn xyz?")
    assert "19 hộ" not in replies[1][1]


def test_comparison_with_another_unit_gives_each_its_own_year(kb):
    replies, _ = converse(
        kb, "Giấy khen của UBND quận Hoàng Mai năm 2022 trao cho bao nhiêu lượt cá nhân?",
        "so với Bình Thạnh thì thế nào?")
    text = replies[1][1]
    assert "1.042" in text and "460" in text and "37 tập thể" not in text


def test_context_round_trips_and_a_malformed_one_is_empty(kb):
    _, context = converse(kb, "Hoàng Mai thu ngân sách 2022?")
    assert Context.from_dict(context.to_dict()) == context
    assert Context.from_dict({"years": ["x"]}) == Context()
    assert Context.from_dict("garbage").empty


@pytest.mark.parametrize(("questions", "has", "absent"), [
    # words that tell one of the unit's facts from the others continue the conversation
    (("Quận Bình Tân đã tiêm mũi 1 vắc xin Covid cho bao nhiêu người?", "mũi 3 thì được bao nhiêu"),
     "35.224", "548.458"),
    (("nhu xuan phan dau bao nhieu xa dat chuan nong thon moi den 2025", "còn số thôn?"),
     "66/112 thôn", "8 xã"),
    (("Quận Bình Tân năm 2021 chỉnh trang bao nhiêu tuyến hẻm?",
      "trong đó bao nhiêu tuyến do dân góp vốn?"), "50 tuyến hẻm", "141"),
    (("Năm 2024 Ba Đình có mấy chỉ tiêu vượt mức?", "tính cả nhiệm kỳ 2020-2025 thì sao?",
      "đã hoàn thành bao nhiêu?"), "84/128", "22/128"),
    # a kind of fact alone asks it of the metric talked about, for the unit named
    (("Thu nhập bình quân đầu người Quế Sơn năm 2023?",
      "phường Tân Hòa (Phú Thọ) năm 2026 đặt mục tiêu bao nhiêu?"), "78 triệu", "100%"),
    # a bare type word is the unit talked about; "so với năm trước" is a growth's baseline
    (("Phường Tân Hòa tỉnh Phú Thọ năm 2025 thu ngân sách bao nhiêu?",
      "năm sau phường phấn đấu thu bao nhiêu?"), "40,6 tỷ đồng", "số phường"),
    (("Giá trị sản xuất toàn huyện Quế Sơn năm 2023", "tăng bao nhiêu so với năm trước?"),
     "2,66%", "năm 2022 của"),
])
def test_follow_ups_that_change_a_detail(kb, questions, has, absent):
    replies, _ = converse(kb, *questions)
    last, text = replies[-1]
    assert last.status == "answered" and has in text and absent not in text


def test_unknown_words_after_an_answer_are_not_answered_with_it(kb):
    replies, _ = converse(kb, "Quận Bình Tân đã tiêm mũi 1 vắc xin Covid cho bao nhiêu người?",
                          "còn xyz abc?")
    last, text = replies[-1]
    assert last.status == "not_found" and "548.458" not in text


@pytest.mark.parametrize(("questions", "has", "absent"), [
    # a restated unit with "năm sau" asks the next year, never the old year's figure
    (("Tốc độ tăng giá trị sản xuất của quận Bình Tân năm 2021?", "Ba Đình năm 2024 thì sao?",
      "năm sau Ba Đình có đặt mục tiêu tăng trưởng không?"), "năm 2025", "12,8"),
    # words that are all a fact's own narrow the metric talked about
    (("binh thanh 2021 dich vu cong truc tuyen linh vuc kinh te dat bn %", "con linh vuc do thi?"),
     "61%", "Tổng thu ngân sách"),
    (("Hoàng Mai năm 2022 có bao nhiêu Tập thể lao động xuất sắc?",
      "còn số trao tại hội nghị tổng kết?"), "12 tập thể", "20 tập thể"),
    # frame words that name a metric whole switch to it
    (("Năm 2025 quận Ba Đình được giao bao nhiêu chỉ tiêu?",
      "năm trước quận hoàn thành mấy chỉ tiêu?"), "26/26", "25 chỉ tiêu"),
])
def test_follow_ups_of_a_third_kept_back_kind(kb, questions, has, absent):
    replies, _ = converse(kb, *questions)
    _, text = replies[-1]
    assert has in text and absent not in text


def test_a_unit_named_with_its_own_metric_keeps_it_after_another_units_talk(kb):
    replies, _ = converse(kb, "phường Tân Hòa bên Phú Thọ năm 2025 giảm nghèo ra sao",
                          "ok thanks bot", "Hoàng Mai năm 2022 giảm được mấy hộ?")
    answer, text = replies[-1]
    assert answer.status == "answered" and "19 hộ" in text and "cận nghèo" not in text


def test_a_share_asked_of_another_unit_carries_the_metric(kb):
    replies, _ = converse(kb, "năm 2023 quận 1 kết nạp đảng viên có vượt kế hoạch không",
                          "Quận 6 đạt tỷ lệ bao nhiêu?")
    answer, text = replies[-1]
    assert answer.status == "answered" and "37,5%" in text and "202/200" not in text


def test_a_year_pointer_keeps_a_help_phrase_in_the_conversation(kb):
    replies, _ = converse(kb, "hbt 2020 duoc nhung huan chuong gi", "năm sau quận lấy chủ đề gì?")
    answer, text = replies[-1]
    assert answer.status == "answered" and "Quận Hai Bà Trưng" in text and "2021" in text
    assert "Quận 6" not in text


def test_who_took_part_in_an_event_is_told_by_the_event(kb):
    replies, _ = converse(kb, "Năm 2024 Quận 1 có kiện toàn hội đồng thi đua khen thưởng không?",
                          "quay lại 2024, ai ký giao ước thi đua?")
    _, text = replies[-1]
    assert "khối trưởng" in text and "Hoàng Thị Tố Nga" not in text


def test_a_carried_metric_the_unit_lacks_is_not_swapped_for_another(kb):
    replies, _ = converse(kb, "Bình Thạnh 2022 chỉ tiêu tỷ lệ thất nghiệp",
                          "Quận 1 có đặt chỉ tiêu đó không?")
    answer, text = replies[-1]
    assert answer.status == "not_found" and "thất nghiệp" in text and "35/38" not in text


def test_the_former_district_of_the_ward_talked_about(kb):
    replies, _ = converse(kb, "phường Thạnh Mỹ Tây năm 2021 có mấy tổ chức cơ sở đảng",
                          "ok vậy cho số của quận cũ")
    answer, text = replies[-1]
    assert answer.status == "answered" and "Quận Bình Thạnh" in text and "53" in text


def test_trong_do_drills_into_the_unit_talked_about(kb):
    replies, _ = converse(kb, "Ba Đình năm 2024 đã hoàn thành hết chỉ tiêu chưa?",
                          "trong đó mấy cái vượt?")
    answer, text = replies[-1]
    assert answer.status == "answered" and "9 chỉ tiêu" in text


def test_a_metric_of_its_own_is_not_read_as_a_detail_of_the_last(kb):
    replies, _ = converse(kb, "hm 2022 giay khen ubnd quan bao nhieu luot tap the",
                          "trong đó khen đột xuất mấy tập thể?", "Bình Thạnh thì sao?")
    (_, first), (_, adhoc), (other, other_text) = replies
    assert "489" in first and "9 tập thể" in adhoc and "489" not in adhoc
    assert other.status == "not_found" and "21 tập thể" not in other_text


def test_so_vs_compares_with_the_unit_talked_about(kb):
    replies, _ = converse(kb, "Tân Hòa (Phú Thọ) muốn năm 2026 thu nhập đầu người đạt bao nhiêu",
                          "so vs Quế Sơn thì chênh bao nhiêu")
    answer, text = replies[-1]
    assert answer.status == "answered" and "78 triệu" in text and "47,57" in text


def test_ba_ay_points_to_the_person_the_last_answer_named(kb):
    replies, context = converse(kb, "Ai chủ trì hội nghị tổng kết năm 2022 của Đảng bộ cơ quan "
                                    "chính quyền Quận 6?", "bà ấy còn giữ chức gì nữa?")
    answer, text = replies[-1]
    assert answer.status == "answered" and "Chủ tịch UBND quận" in text
    assert "Hai Bà Trưng" not in text and "Nguyễn Mạnh Quyền" not in text
    assert Context.from_dict(context.to_dict()) == context
