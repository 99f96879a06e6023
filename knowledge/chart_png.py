"""Drawing a ``Chart`` as a PNG for a phone: horizontal bars, each named on the line above it.

Telegram shows a photo about 330-360 px wide in a chat. The figure is 4 inches wide at 200 dpi
(800 px), so 10-point text still shows about 13 px high there. Sources go in the caption.
"""

from __future__ import annotations

import io
import textwrap
import threading

from knowledge.charts import Chart

BAR_COLOR = "#2b6cb0"
TEXT_COLOR = "#1a202c"
NOTE_COLOR = "#4a5568"
WIDTH_IN = 4.0
DPI = 200
FONT = "DejaVu Sans"  # bundled with matplotlib, and it has every Vietnamese glyph
TITLE_PT, LABEL_PT, VALUE_PT, NOTE_PT = 12.5, 10.0, 10.5, 9.0
_TITLE_CHARS = 36
_LABEL_CHARS = 44
_NOTE_CHARS = 50
_LINE_IN = 0.21  # one line of 10-point text, with its leading
_BAR_IN = 0.27
_GAP_IN = 0.16
_MARGIN_IN = 0.12
# Figures of separate charts are independent, but matplotlib's font cache is shared state.
_drawing = threading.Lock()


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes: one labelled horizontal bar per figure, as the report writes it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    title = textwrap.wrap(chart.title, _TITLE_CHARS)
    scale = [chart.scale] if chart.scale else []
    marks = [line for note in chart.notes if note[:1] == "*"
             for line in textwrap.wrap(note, _NOTE_CHARS)]
    labels = [textwrap.wrap(bar.label, _LABEL_CHARS) for bar in chart.bars]
    head_h = _MARGIN_IN + 0.26 * len(title) + 0.2 * len(scale) + 0.1
    rows_h = [len(lines) * _LINE_IN + _BAR_IN + _GAP_IN for lines in labels]
    foot_h = 0.18 * len(marks) + _MARGIN_IN
    height = head_h + sum(rows_h) + foot_h

    with _drawing:
        figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
        canvas = FigureCanvasAgg(figure)
        renderer = canvas.get_renderer()

        def y(inches_from_top: float) -> float:
            return 1 - inches_from_top / height

        figure.text(_MARGIN_IN / WIDTH_IN, y(_MARGIN_IN), "\n".join(title), ha="left", va="top",
                    fontsize=TITLE_PT, fontweight="bold", color=TEXT_COLOR, fontfamily=FONT,
                    linespacing=1.15)
        if scale:
            figure.text(_MARGIN_IN / WIDTH_IN, y(_MARGIN_IN + 0.26 * len(title) + 0.04), scale[0],
                        ha="left", va="top", fontsize=NOTE_PT, color=NOTE_COLOR, fontfamily=FONT)
        left, usable = _MARGIN_IN / WIDTH_IN, 1 - 2 * _MARGIN_IN / WIDTH_IN
        texts = [figure.text(0, 0, bar.written, fontsize=VALUE_PT, fontweight="bold",
                             fontfamily=FONT) for bar in chart.bars]
        widths = [t.get_window_extent(renderer).width / DPI / WIDTH_IN for t in texts]
        for text in texts:
            text.remove()
        unit = _length_of_one(chart, widths, usable)

        top = head_h
        for bar, lines, row_h, text_w in zip(chart.bars, labels, rows_h, widths, strict=True):
            figure.text(left, y(top), "\n".join(lines), ha="left", va="top", fontsize=LABEL_PT,
                        color=TEXT_COLOR, fontfamily=FONT, linespacing=1.1)
            bar_top = top + len(lines) * _LINE_IN + 0.02
            length = max(bar.value * unit, 0.004)
            figure.add_artist(Rectangle((left, y(bar_top + _BAR_IN)), length, _BAR_IN / height,
                                        transform=figure.transFigure, facecolor=BAR_COLOR,
                                        edgecolor="none"))
            middle = y(bar_top + _BAR_IN / 2)
            outside = left + length + 0.015
            if outside + text_w <= 1 - 0.01:
                figure.text(outside, middle, bar.written, ha="left", va="center",
                            fontsize=VALUE_PT, fontweight="bold", color=TEXT_COLOR,
                            fontfamily=FONT)
            else:
                figure.text(left + length - 0.015, middle, bar.written, ha="right", va="center",
                            fontsize=VALUE_PT, fontweight="bold", color="white", fontfamily=FONT)
            top += row_h
        if marks:
            figure.text(left, y(top + 0.02), "\n".join(marks), ha="left", va="top",
                        fontsize=NOTE_PT, color=NOTE_COLOR, fontfamily=FONT, linespacing=1.3)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _length_of_one(chart: Chart, text_widths: list[float], usable: float) -> float:
    """Figure-width fraction per unit of value: the longest bar leaves room for its figure.

    Bars stay proportional to their values; a figure that cannot follow its bar goes inside it.
    """
    longest = max((bar.value for bar in chart.bars), default=0.0) or 1.0
    fits = [(usable - width - 0.02) / bar.value for bar, width in
            zip(chart.bars, text_widths, strict=True) if bar.value > 0]
    # Never shorter than 55% of the width for the longest bar, so differences stay visible.
    return max(min([*fits, usable / longest]), 0.55 * usable / longest)

