"""The bot's own wording stays true to the knowledge base and fits where Telegram shows it."""

import pytest

from handlers.texts import (
    ALL_COMMANDS,
    ASK_PLACEHOLDER,
    ASK_USAGE,
    DESCRIPTION,
    EXAMPLE_QUESTIONS,
    SHORT_DESCRIPTION,
    UNACCENTED_EXAMPLE,
    help_html,
    knows,
)
from knowledge import answer


@pytest.mark.parametrize("question", [*EXAMPLE_QUESTIONS, UNACCENTED_EXAMPLE])
def test_every_example_is_answered(knowledge_base, question):
    assert answer(question, knowledge_base).status == "answered"


def test_usage_example_is_answered(knowledge_base):
    assert answer(ASK_USAGE.rsplit("/hoi ", 1)[1], knowledge_base).status == "answered"


def test_help_escapes_what_the_knowledge_base_says():
    assert "Quận &lt;A&gt; &amp; B" in help_html("Quận <A> & B", "thidua_bot", admin=False)


def test_texts_fit_telegrams_limits():
    assert len(DESCRIPTION) <= 512
    assert len(SHORT_DESCRIPTION) <= 120
    assert len(ASK_PLACEHOLDER) <= 64
    assert all(1 <= len(c.description) <= 256 for c in ALL_COMMANDS)
    assert all(len(q.encode()) <= 62 for q in EXAMPLE_QUESTIONS)  # carried in callback data


def test_what_the_bot_knows_is_one_sentence_with_a_span_of_years():
    assert knows(["Quận 1", "Quận 6"], [2023, 2021, 2022], former=True) == (
        "Tôi trả lời về kết quả thi đua, chỉ tiêu của Quận 1 và Quận 6 (quận cũ, năm "
        "2021–2023), kèm nguồn báo cáo.")
    many = knows([f"Phường {n}" for n in range(9)], [2025])
    assert "và 4 đơn vị khác (năm 2025)" in many


def test_help_offers_trends_only_when_a_unit_has_two_years():
    assert "qua các năm" not in help_html("", "thidua_bot", admin=False, trends=False)
    assert "qua các năm" in help_html("", "thidua_bot", admin=False, trends=True)
