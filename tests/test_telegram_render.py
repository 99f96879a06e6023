"""Rendering engine answers as Telegram HTML."""

import datetime as dt

from handlers.render import ELLIPSIS, render_html, render_one_html, split_lines
from knowledge import answer
from knowledge.model import Answer, District, Fact, Source

REPORT = Source(id="r1", title="Báo cáo <tổng kết> & khen thưởng",
                publisher="Phòng <Nội vụ> & TĐKT", date=dt.date(2023, 3, 25))
DISTRICT = District(code="001", name="Quận Hoàng Mai", kind="Quận", short="Hoàng Mai",
                    province="Thành phố Hà Nội")


def sourced(body: str) -> Answer:
    fact = Fact(id="f1", place=DISTRICT, year=2022, kind="result", metric="budget",
                source=REPORT, value="4.670,8", unit="tỷ đồng")
    return Answer(status="answered", body=body, facts=(fact,))


def test_user_and_data_values_are_escaped():
    [message] = render_html(sourced("Câu hỏi «<b>x</b> & y» chưa rõ"))
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in message
    assert "Phòng &lt;Nội vụ&gt; &amp; TĐKT" in message
    assert "<b>" not in message


def test_source_line_follows_the_answer_with_publisher_and_date():
    [message] = render_html(sourced("Thu ngân sách: 4.670,8 tỷ đồng."))
    body, source, reference = message.split("\n")
    assert body == "Thu ngân sách: 4.670,8 tỷ đồng."
    assert source.startswith("<i>Nguồn: ") and source.endswith("</i>")
    assert "Phòng &lt;Nội vụ&gt; &amp; TĐKT, 25/03/2023" in source
    # the full reference, title first, in a quote that shows its start and expands on a tap
    assert reference.startswith("<blockquote expandable>📄 ") and reference.endswith(
        "</blockquote>")
    assert f"{REPORT.title} — " in reference.replace("&lt;", "<").replace("&gt;", ">").replace(
        "&amp;", "&")


def test_answer_without_facts_has_no_source_line():
    [message] = render_html(Answer(status="not_found", body="Chưa có số liệu."))
    assert message == "Chưa có số liệu."


def test_vietnamese_figures_reach_the_message_unchanged(knowledge_base):
    [message] = render_html(answer("Hoàng Mai thu ngân sách 2022", knowledge_base))
    assert "4.670,8 tỷ đồng" in message
    assert "105,29%" in message
    assert "25/03/2023" in message


def test_long_answer_is_split_between_lines_under_the_limit():
    lines = [f"Dòng {i}: " + "thi đua " * 10 for i in range(200)]
    messages = render_html(sourced("\n".join(lines)), limit=1000)
    assert len(messages) > 1
    assert all(len(m) <= 1000 for m in messages)
    assert "\n".join(messages).split("\n")[:-2] == lines
    assert messages[-1].endswith("</blockquote>")


def test_split_keeps_every_line_whole_and_in_order():
    lines = ["a" * 30, "b" * 30, "c" * 30, "d" * 30]
    assert split_lines(lines, limit=62) == ["a" * 30 + "\n" + "b" * 30, "c" * 30 + "\n" + "d" * 30]


def test_line_longer_than_the_limit_breaks_at_spaces():
    words = ["ngân", "sách"] * 30
    messages = split_lines([" ".join(words)], limit=50)
    assert all(len(m) <= 50 for m in messages)
    assert " ".join(messages).split() == words


def test_unbroken_line_is_never_cut_inside_an_html_entity():
    messages = split_lines(["x" * 8 + "&amp;" * 10], limit=10)
    assert "".join(messages) == "x" * 8 + "&amp;" * 10
    assert all(m.count("&") == m.count(";") for m in messages)


def test_single_message_form_drops_body_lines_but_keeps_the_source():
    body = "\n".join(f"Dòng {i} " + "x" * 50 for i in range(100))
    message = render_one_html(sourced(body), limit=500)
    assert len(message) <= 500
    assert f"\n{ELLIPSIS}\n<i>Nguồn: " in message
    assert message.startswith("Dòng 0 ")


def test_single_message_form_of_a_short_answer_is_the_whole_answer():
    short = sourced("Thu ngân sách: 4.670,8 tỷ đồng.")
    assert render_one_html(short) == render_html(short)[0]
