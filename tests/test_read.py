"""Stage 1, reading: phone typing repaired as an extra reading, years, what is never a place."""

import pytest

from knowledge import load_knowledge_base
from knowledge.lexicon import lexicon_of
from knowledge.read import read


@pytest.fixture(scope="module")
def lexicon():
    return lexicon_of(load_knowledge_base())


def words(lexicon, text):
    return read(text, lexicon).words


@pytest.mark.parametrize(("typed", "meant"), [
    ("binhf thanhj cos bao nhieeu ddangr vieen", "binh thanh co bao nhieu dang vien"),
    ("Bi2nh Tha5nh d9a3ng vie6n", "binh thanh dang vien"),
    ("hai baf trwng", "hai ba trung"),
    ("quaajn 6", "quan 6"),
])
def test_telex_and_vni_leftovers_are_read_as_the_words_meant(lexicon, typed, meant):
    assert " ".join(words(lexicon, typed)) == meant


def test_a_word_the_knowledge_base_knows_is_never_decoded(lexicon):
    assert words(lexicon, "thu ngan sach") == ("thu", "ngan", "sach")


@pytest.mark.parametrize(("typed", "meant"), [
    ("Q06", ("q", "6")), ("Quận 01", ("quan", "1")), ("Quận Sáu", ("quan", "6")),
    ("quận một", ("quan", "1")), ("District 1", ("district", "1")),
])
def test_numbered_districts_are_read_however_the_number_is_written(lexicon, typed, meant):
    assert words(lexicon, typed) == meant


@pytest.mark.parametrize("name", ["Quận Ba Đình", "Huyện Quản Bạ", "Quận Năm 2022"])
def test_a_number_word_that_is_part_of_a_name_or_before_a_year_stays(lexicon, name):
    assert not any(w.isdigit() and len(w) < 3 for w in words(lexicon, name))


def test_a_glued_name_of_a_unit_with_data_is_split(lexicon):
    assert words(lexicon, "hoangmai thu ngan sach")[:2] == ("hoang", "mai")


@pytest.mark.parametrize(("text", "years"), [
    ("hm thu ns 22", (2022,)), ("Hoàng Mai năm 22 thu ngân sách", (2022,)),
    ("Quận 10 thu ngân sách", ()), ("Quận 1 cũ trước 1/7/2025 thu ngân sách 2023", (2023,)),
])
def test_years_are_four_digits_or_two_where_a_year_is_meant(lexicon, text, years):
    assert read(text, lexicon).years == years


def test_stopwords_are_told_by_their_diacritics(lexicon):
    reading = read("Hoàng Mai thì đô thị ra sao", lexicon)
    by_word = {t.raw: i in reading.stop for i, t in enumerate(reading.tokens)}
    assert by_word["thì"] and not by_word["thị"]


def test_a_word_pair_of_a_metric_and_a_person_name_are_marked(lexicon):
    reading = read("HOÀNG MAI THĂM TẶNG QUÀ AN SINH", lexicon)
    assert reading.is_phrase_not_place(range(5, 7), ward_only=True)
    assert not reading.is_phrase_not_place(range(0, 2), ward_only=False)
    named = read("ông Trần Quyết Thắng phụ trách gì", lexicon)
    assert [h.payload for h in named.people] == ["Trần Quyết Thắng"]
    assert named.is_phrase_not_place(range(2, 4), ward_only=False)


def test_document_numbers_are_not_abbreviations(lexicon):
    reading = read("Chỉ thị 05-CT/TW", lexicon)
    assert [t.code for t in reading.tokens] == [False, False, True, True, True]
    assert lexicon.expand.tokens(reading.tokens[3]) == (reading.tokens[3],)
