"""Charts: which bars are drawn (never a figure of another district or year), and the PNG."""

import io
import itertools
import subprocess
import sys
from dataclasses import replace

import pytest
from PIL import Image
from png_bars import PNG_SIGNATURE, bar_boxes, bar_lengths, image_size

from handlers.render import render_chart_caption
from knowledge import answer
from knowledge.chart_png import DPI, LABEL_PT, NOTE_PT, VALUE_PT, WIDTH_IN, render_png
from knowledge.charts import (
    MAX_BARS,
    Chart,
    NoChart,
    chart_for,
    chart_lines,
    chart_metric,
    chartable_metrics,
    compare_chart,
    has_trends,
)
from knowledge.numbers import parse_vn_number


def hoang_mai(kb):
    return next(d for d in kb.places if d.name == "Quận Hoàng Mai")


@pytest.fixture(scope="module")
def kb_with_two_budget_years(knowledge_base):
    """The shipped knowledge base plus a made-up 2021 budget figure of Hoàng Mai (tests only)."""
    shipped = next(f for f in knowledge_base.facts if f.id == "hoang-mai-2022-thu-ngan-sach")
    earlier = shipped._replace(id="test-hoang-mai-2021-thu-ngan-sach", year=2021, value="4.100",
                      percent=None, percent_of=None)
    return replace(knowledge_base, facts=(*knowledge_base.facts, earlier))


def test_budget_chart_has_one_bar_per_district_with_its_latest_year(knowledge_base):
    chart = chart_for(knowledge_base, "thu ngân sách")
    assert isinstance(chart, Chart)
    assert chart.kind == "compare"
    assert chart.metric.id == "thu_ngan_sach"
    assert chart.unit == "tỷ đồng"
    assert [(b.place.name, b.year, b.written) for b in chart.bars] == [
        ("Quận 1", 2023, "16.728"),
        ("Quận Hai Bà Trưng", 2020, "12.817"),
        ("Quận Bình Thạnh", 2021, "ước 5.380"),
        ("Quận Hoàng Mai", 2022, "4.670,8"),
    ]
    assert [b.value for b in chart.bars] == [16728, 12817, 5380, 4670.8]
    assert all(f"năm\u00a0{b.year}" in b.label and b.place.name in b.label for b in chart.bars)
    assert len(chart.sources) == 4
    assert any("năm khác nhau" in note for note in chart.notes)


def test_abbreviated_and_unaccented_requests_find_the_same_metric(knowledge_base):
    for request in ("thu NS", "thu ngan sach", "tổng thu ngân sách"):
        chart = chart_for(knowledge_base, request)
        assert isinstance(chart, Chart) and chart.metric.id == "thu_ngan_sach", request


def test_every_bar_is_exactly_its_district_and_years_figure(knowledge_base):
    facts = set(knowledge_base.facts)
    for metric in chartable_metrics(knowledge_base):
        chart = compare_chart(knowledge_base, metric.id)
        assert isinstance(chart, Chart)
        for bar in chart.bars:
            assert bar.fact in facts
            assert (bar.fact.place, bar.fact.year, bar.fact.metric) == (
                bar.place, bar.year, metric.id)
            if bar.fact.of is not None:
                share = bar.fact.number / parse_vn_number(bar.fact.of) * 100
                assert bar.value == pytest.approx(share)
            else:
                assert bar.value in (bar.fact.number, bar.fact.percent_number)
            assert (bar.fact.value or bar.fact.percent) in bar.written


def test_units_are_never_mixed_and_what_is_left_out_is_said(knowledge_base):
    for metric in chartable_metrics(knowledge_base):
        chart = compare_chart(knowledge_base, metric.id)
        by_percent = chart.unit.startswith("%")
        assert len({"%" if by_percent else b.fact.unit for b in chart.bars}) == 1, metric.id
        assert len({b.fact.kind == "target" for b in chart.bars}) == 1, metric.id
    medals = chart_for(knowledge_base, "huân chương lao động")
    assert medals.unit == "cá nhân"
    assert {b.place.name for b in medals.bars} == {"Quận Bình Thạnh", "Quận Hai Bà Trưng"}
    assert any("Quận Hoàng Mai" in n and "khác đơn vị tính" in n for n in medals.notes)


def test_percent_only_metric_is_charted_in_percent_with_its_bound(knowledge_base):
    chart = chart_for(knowledge_base, "tỷ lệ giải ngân vốn đầu tư công")
    assert chart.unit == "% kế hoạch"  # the percentages are of the plan in both reports
    assert [b.written for b in chart.bars] == ["97,46% kế hoạch năm", "trên 95% kế hoạch"]


def test_a_target_is_never_set_beside_a_result(knowledge_base):
    reply = chart_for(knowledge_base, "giảm hộ nghèo")
    assert isinstance(reply, NoChart)
    assert "là chỉ tiêu, không phải kết quả" in reply.reason


def test_two_figures_of_one_district_and_year_are_never_summed(knowledge_base):
    reply = chart_for(knowledge_base, "bằng khen của UBND thành phố")
    assert isinstance(reply, NoChart)
    assert "không gộp" in reply.reason
    assert "45" not in reply.reason


def test_unknown_metric_says_what_was_asked_and_what_can_be_charted(knowledge_base):
    reply = chart_for(knowledge_base, "số cây xanh")
    assert isinstance(reply, NoChart)
    assert "«số cây xanh»" in reply.reason
    assert "«tổng thu ngân sách»" in reply.reason


def test_metric_of_one_district_only_is_not_compared(knowledge_base):
    reply = chart_for(knowledge_base, "số đảng viên")
    assert isinstance(reply, NoChart)
    assert "Quận Bình Thạnh" in reply.reason and "chưa đủ để so sánh" in reply.reason


def test_district_without_data_is_named_not_charted(knowledge_base):
    reply = chart_for(knowledge_base, "thu ngân sách Quận 10")
    assert isinstance(reply, NoChart)
    assert "Quận 10" in reply.reason


def test_trend_draws_one_bar_per_year_of_one_district(kb_with_two_budget_years):
    chart = chart_for(kb_with_two_budget_years, "thu ngân sách Hoàng Mai")
    assert isinstance(chart, Chart)
    assert chart.kind == "trend"
    assert [(b.label, b.written) for b in chart.bars] == [("năm 2021", "4.100"),
                                                          ("năm 2022", "4.670,8")]
    assert {b.place.name for b in chart.bars} == {"Quận Hoàng Mai"}
    assert "Quận Hoàng Mai" in chart.title


def test_trend_of_a_single_year_says_which_year_there_is(knowledge_base):
    reply = chart_for(knowledge_base, "thu ngân sách Hoàng Mai")
    assert isinstance(reply, NoChart)
    assert "năm 2022" in reply.reason and "qua các năm" in reply.reason


def test_chosen_districts_are_compared(knowledge_base):
    chart = chart_for(knowledge_base, "thu ngân sách Hoàng Mai và Quận 1")
    assert [b.place.name for b in chart.bars] == ["Quận 1", "Quận Hoàng Mai"]


@pytest.mark.parametrize(("question", "metric"), [
    ("Quận nào thu ngân sách cao nhất?", "thu_ngan_sach"),
    ("so sánh thu ngân sách Hoàng Mai và Quận 1", "thu_ngan_sach"),
    ("Hoàng Mai thu ngân sách 2022", None),
    ("Hoàng Mai", None),
    ("so sánh số đảng viên Bình Thạnh và Quận 6", None),
])
def test_only_answers_comparing_districts_on_one_metric_are_worth_a_chart(
        knowledge_base, question, metric):
    assert chart_metric(answer(question, knowledge_base), knowledge_base) == metric


def test_png_has_one_horizontal_bar_per_figure_in_proportion(knowledge_base):
    chart = chart_for(knowledge_base, "thu ngân sách")
    png = render_png(chart)
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.verify()
    boxes = bar_boxes(png)
    assert len(boxes) == len(chart.bars) == 4
    # Horizontal: every bar starts at the same left edge, one below the other, longer than thick.
    assert len({box.left for box in boxes}) == 1
    assert all(upper.bottom < lower.top for upper, lower in itertools.pairwise(boxes))
    assert all(box.length > 2 * box.thickness for box in boxes)
    longest = max(b.value for b in chart.bars)
    for box, bar in zip(boxes, chart.bars, strict=True):
        assert abs(box.length - boxes[0].length * bar.value / longest) <= 3


def test_text_stays_legible_when_a_phone_shows_the_chart_360_px_wide(knowledge_base):
    png = render_png(chart_for(knowledge_base, "thu ngân sách"))
    width, height = image_size(png)
    assert width == WIDTH_IN * DPI <= 1280  # Telegram keeps photos up to 1280 px as sent
    shown = 360 / width
    for points in (LABEL_PT, VALUE_PT, NOTE_PT):
        assert points / 72 * DPI * shown >= 11, points  # pixels of text on the phone
    assert height <= 20 * width


def test_ratios_are_drawn_as_shares_labelled_as_written(knowledge_base):
    chart = chart_for(knowledge_base, "số chỉ tiêu kinh tế xã hội hoàn thành")
    assert chart.share
    assert [(b.place.name, b.written) for b in chart.bars] == [
        ("Quận Hoàng Mai", "19/19 (100%)"), ("Quận 1", "35/38 (92%)")]
    assert [round(b.value, 1) for b in chart.bars] == [100.0, 92.1]
    assert "tỷ lệ trên tổng số" in chart.scale
    lengths = bar_lengths(render_png(chart))
    # The unit that met all its targets has the longer bar, by 35/38 to 1.
    assert lengths[0] > lengths[1]
    assert abs(lengths[1] / lengths[0] - 35 / 38) < 0.01


def test_no_chart_mixes_units_ratios_kinds_or_awarding_bodies(knowledge_base):
    for metric in chartable_metrics(knowledge_base):
        chart = compare_chart(knowledge_base, metric.id)
        facts = [bar.fact for bar in chart.bars]
        assert len({f.unit for f in facts} if chart.unit[:1] != "%" else {"%"}) == 1, metric.id
        assert len({f.of is not None for f in facts}) == 1, metric.id
        assert len({f.kind for f in facts}) == 1, metric.id
        if facts[0].kind == "award" and metric.awarded_by != "state":
            assert len({f.place.province for f in facts}) == 1, metric.id
        assert len(bar_boxes(render_png(chart))) == len(chart.bars)


def test_flags_of_different_cities_are_never_drawn_side_by_side(knowledge_base):
    reply = chart_for(knowledge_base, "cờ thi đua của UBND thành phố")
    assert isinstance(reply, NoChart)
    assert "cơ quan khác khen thưởng" in reply.reason
    # Each district's own awards (a district chairman's titles) are not compared either.
    assert isinstance(chart_for(knowledge_base, "chiến sĩ thi đua cơ sở"), NoChart)


def test_flags_of_one_city_are_compared(knowledge_base):
    # Made up for the test: a number of flags for Hai Bà Trưng, in Hà Nội like Hoàng Mai.
    facts = tuple(f._replace(value="4", unit="tập thể", text=None)
                  if f.place.name == "Quận Hai Bà Trưng" and f.metric == "co_thi_dua_thanh_pho"
                  else f for f in knowledge_base.facts)
    chart = chart_for(replace(knowledge_base, facts=facts), "cờ thi đua của UBND thành phố")
    assert isinstance(chart, Chart)
    assert {b.place.name for b in chart.bars} == {"Quận Hoàng Mai", "Quận Hai Bà Trưng"}
    assert any("Quận Bình Thạnh" in note and "cơ quan khen thưởng khác" in note
               for note in chart.notes)


def test_a_trend_is_offered_only_where_two_years_exist(knowledge_base, kb_with_two_budget_years):
    assert not has_trends(knowledge_base)
    assert has_trends(kb_with_two_budget_years)


def test_a_national_comparison_draws_the_top_bars_and_says_so(knowledge_base):
    shipped = next(f for f in knowledge_base.facts if f.id == "hoang-mai-2022-thu-ngan-sach")
    districts = list(knowledge_base.gazetteer.districts.values())[:40]
    facts = tuple(shipped._replace(id=f"test-{d.code}", place=d, value=str(100 + n))
                  for n, d in enumerate(districts))
    kb = replace(knowledge_base, facts=(*knowledge_base.facts, *facts))
    chart = compare_chart(kb, "thu_ngan_sach")
    assert len(chart.bars) == MAX_BARS
    assert chart.bars[0].written == "16.728"
    assert any(f"Vẽ {MAX_BARS} quận" in note for note in chart.notes)


def test_trend_png_has_a_bar_per_year(kb_with_two_budget_years):
    chart = chart_for(kb_with_two_budget_years, "thu ngân sách Hoàng Mai")
    assert len(bar_boxes(render_png(chart))) == 2


def test_caption_names_the_chart_its_figures_and_sources_within_the_limit(knowledge_base):
    chart = chart_for(knowledge_base, "thu ngân sách")
    caption = render_chart_caption(chart)
    assert len(caption) <= 1024
    assert caption.startswith("<b>Biểu đồ: Tổng thu ngân sách")
    assert "16.728 tỷ đồng" in caption
    assert caption.count("Nguồn:") == 4
    assert "25/03/2023" in caption
    short = render_chart_caption(chart, limit=400)
    assert len(short) <= 400
    assert "Nguồn:" in short
    assert chart_lines(chart)[1] not in short


def test_matplotlib_is_loaded_only_when_a_chart_is_drawn():
    code = ("import sys, bot.app, bot.cli, handlers.charts, knowledge.chart_png; "
            "assert 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_figure_of_a_body_within_the_district_is_marked_as_such(knowledge_base):
    # Made-up for the test: Quận 6's new members counted in the same unit as Quận 1's.
    facts = tuple(f._replace(unit="đảng viên") if f.id.startswith("quan-6") and
                  f.metric == "ket_nap_dang_vien" else f for f in knowledge_base.facts)
    chart = chart_for(replace(knowledge_base, facts=facts), "kết nạp đảng viên")
    [scoped] = [b for b in chart.bars if b.fact.scope]
    assert scoped.label.startswith("Quận 6* (cũ")
    assert f"* Số liệu của {scoped.fact.scope}." in chart.notes
