"""The bot's own wording stays true to the knowledge base."""

import pytest

from handlers.texts import ASK_USAGE, EXAMPLE_QUESTIONS, help_html
from knowledge import answer


@pytest.mark.parametrize("question", EXAMPLE_QUESTIONS)
def test_every_example_in_help_is_answered(knowledge_base, question):
    assert answer(question, knowledge_base).status == "answered"


def test_usage_example_is_answered(knowledge_base):
    assert answer(ASK_USAGE.rsplit("/hoi ", 1)[1], knowledge_base).status == "answered"


def test_help_escapes_what_the_knowledge_base_says():
    assert "Quận &lt;A&gt; &amp; B" in help_html("Quận <A> & B", "thidua_bot")
