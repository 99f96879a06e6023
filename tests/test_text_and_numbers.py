import unicodedata

import pytest

from knowledge.numbers import format_vn_number, is_vn_figure, parse_vn_number
from knowledge.text import clean, fold, keys, signature


def test_nfd_input_gives_the_same_words_as_nfc():
    text = "Hoàng Mai thu ngân sách 2022"
    assert keys(unicodedata.normalize("NFD", text)) == keys(text)


def test_d_with_stroke_folds_to_d():
    assert fold("Đảng viên đạt") == "dang vien dat"


def test_invisible_and_full_width_characters_are_removed():
    assert clean("Ｑ1\u200b thu\ufeff  NS") == "Q1 thu NS"


def test_old_and_new_tone_placement_compare_equal():
    assert signature("Hoà Bình thuỷ") == signature("Hòa Bình thủy")


def test_different_diacritics_stay_apart():
    assert signature("Vĩnh Hưng") != signature("Vinh Hưng")


@pytest.mark.parametrize("typed", ["Q1", "q.1", "Q. 1", "quan1", "Quận 1"])
def test_district_number_glued_to_its_type_word_is_split(typed):
    assert keys(typed)[-1] == "1"
    assert len(keys(typed)) == 2


def test_quan_10_keeps_its_number_whole():
    assert keys("Q10") == ("q", "10")


@pytest.mark.parametrize(("written", "number"), [
    ("4.670,8", 4670.8), ("12.124", 12124), ("02", 2), ("105,29", 105.29), ("30,039", 30.039),
    ("1.042", 1042),
])
def test_figures_in_vietnamese_notation_parse(written, number):
    assert parse_vn_number(written) == pytest.approx(number)


def test_a_range_is_a_figure_without_a_single_number():
    assert is_vn_figure("10 - 11")
    assert parse_vn_number("10 - 11") is None


def test_text_is_not_a_figure():
    assert not is_vn_figure("nhiều")


@pytest.mark.parametrize(("number", "decimals", "written"), [
    (4670.8, None, "4.670,8"), (12124, None, "12.124"), (105.29, 2, "105,29"), (0.5, 1, "0,5"),
])
def test_numbers_format_the_vietnamese_way(number, decimals, written):
    assert format_vn_number(number, decimals) == written
