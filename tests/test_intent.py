"""Stage 3, intent: what a question asks, its frame words kept away from metric matching."""

import pytest

from knowledge import load_knowledge_base
from knowledge.engine import understand


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def ask(kb, text):
    return understand(text, kb).ask


@pytest.mark.parametrize(("question", "intent"), [
    ("Hoàng Mai thu ngân sách 2022 đạt bao nhiêu % kế hoạch?", "percent"),
    ("Quận 1 giải ngân có hoàn thành kế hoạch năm không?", "yesno"),
    ("Thu ngân sách Hai Bà Trưng năm 2020 tăng bao nhiêu so với cùng kỳ?", "growth"),
    ("Hai Bà Trưng năm 2020 thu, chi ngân sách ra sao?", "list"),
    ("Bình Thạnh có những chỉ tiêu nào năm 2022?", "list"),
    ("Ai là Bí thư Quận ủy Bình Thạnh?", "who"),
    ("Quận Hoàng Mai được thành lập ngày nào?", "when"),
    ("Quận 6 theo phương châm nào?", "theme"),
    ("Quận nào thu ngân sách cao nhất?", "ranking"),
    ("Huân chương Lao động hạng Nhất thuộc về quận nào?", "holders"),
    ("Hoàng Mai", "overview"),
    ("chào bot", "smalltalk"),
    ("Hoàng Mai thu ngân sách 2022", "figure"),
])
def test_the_kind_of_reply_is_read_from_the_question_frame(kb, question, intent):
    assert ask(kb, question).intent == intent


def test_a_plan_word_in_the_frame_does_not_pick_the_plan_metric(kb):
    asked = ask(kb, "Hoàng Mai thu ngân sách đạt bao nhiêu % kế hoạch?")
    assert asked.metrics[0].metric.id == "thu_ngan_sach"


def test_target_words_in_a_yes_no_frame_do_not_pick_the_targets_count(kb):
    asked = ask(kb, "Năm 2022 Hoàng Mai thu ngân sách đã hoàn thành chỉ tiêu thành phố chưa?")
    assert asked.intent == "yesno"
    assert asked.metrics[0].metric.id == "thu_ngan_sach"


def test_frame_words_name_the_metric_when_nothing_else_does(kb):
    assert ask(kb, "Hoàng Mai hoàn thành mấy chỉ tiêu?").metrics[0].metric.id == \
        "chi_tieu_hoan_thanh"
    assert ask(kb, "District 1 có mấy chỉ tiêu vượt kế hoạch").metrics[0].metric.id == \
        "chi_tieu_vuot_ke_hoach"


def test_a_question_without_khong_or_chua_is_not_yes_no(kb):
    assert ask(kb, "Quận 1 có hoàn thành kế hoạch giải ngân").intent != "yesno"


def test_small_talk_words_beside_a_unit_are_a_question(kb):
    assert ask(kb, "chào bot, Hoàng Mai thu ngân sách 2022?").intent == "figure"


def test_diacritics_tell_the_targets_count_from_the_party_cells(kb):
    asked = ask(kb, "Quận 1 tổng cộng bao nhiêu chỉ tiêu?")
    assert all(m.metric.id != "so_chi_bo" for m in asked.metrics)


def test_a_topic_word_alone_lists_the_topic_but_a_metric_beside_it_is_asked(kb):
    assert ask(kb, "Hoàng Mai an sinh xã hội 2022").intent == "list"
    assert ask(kb, "HOÀNG MAI THĂM TẶNG QUÀ AN SINH 2022").intent == "figure"


def test_follow_up_markers_and_pointers_are_noted(kb):
    asked = ask(kb, "còn năm trước thì sao?")
    assert asked.followup and "previous_year" in asked.pointers
