"""Suggestion buttons carry any question within Telegram's 64-byte callback data."""

from handlers.buttons import QuestionButtons
from knowledge import answer

LONG = "Quận Hoàng Mai thăm, tặng quà an sinh xã hội năm 2022 cho các gia đình chính sách"


def test_short_question_travels_as_itself():
    buttons = QuestionButtons()
    data = buttons.encode("Hoàng Mai thu ngân sách 2022")
    assert QuestionButtons().decode(data) == "Hoàng Mai thu ngân sách 2022"


def test_long_question_fits_in_64_bytes_and_comes_back_exactly():
    buttons = QuestionButtons()
    data = buttons.encode(LONG)
    assert len(data.encode()) <= 64
    assert buttons.decode(data) == LONG


def test_every_suggestion_the_engine_makes_fits(knowledge_base):
    buttons = QuestionButtons()
    for question in ("Hoàng Mai", "Hoàng Mai 2022", "đảng viên", "Quận 6", "😀", "Bình Thạnh"):
        for suggestion in answer(question, knowledge_base).suggestions:
            data = buttons.encode(suggestion)
            assert len(data.encode()) <= 64
            assert buttons.decode(data) == suggestion


def test_key_from_before_a_restart_is_stale_not_another_question():
    data = QuestionButtons().encode(LONG)
    restarted = QuestionButtons()
    restarted.encode(LONG.replace("2022", "2023"))
    assert restarted.decode(data) is None


def test_oldest_keys_are_forgotten_past_capacity():
    buttons = QuestionButtons(capacity=2)
    first, second, third = (buttons.encode(f"{LONG} {i}") for i in range(3))
    assert buttons.decode(first) is None
    assert buttons.decode(second) == f"{LONG} 1"
    assert buttons.decode(third) == f"{LONG} 2"


def test_malformed_data_decodes_to_nothing():
    buttons = QuestionButtons()
    for data in (None, "", "q:", "q:  ", "k:", "x:Hoàng Mai", "Hoàng Mai"):
        assert buttons.decode(data) is None, data


def test_keyboard_has_one_button_per_suggestion_and_none_without():
    buttons = QuestionButtons()
    keyboard = buttons.keyboard(["Quận 1 thu ngân sách 2023", LONG])
    assert [row[0].text for row in keyboard.inline_keyboard] == ["Quận 1 thu ngân sách 2023", LONG]
    assert buttons.keyboard([]) is None
