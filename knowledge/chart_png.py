"""Drawing a ``Chart`` as a PNG bar chart (matplotlib's Agg canvas, imported on first use)."""

from __future__ import annotations

import io
import textwrap
import threading

from knowledge.charts import Chart
from knowledge.numbers import format_vn_number
from knowledge.phrasing import source_lines

BAR_COLOR = "#2b6cb0"
TEXT_COLOR = "#1a202c"
NOTE_COLOR = "#4a5568"
GRID_COLOR = "#e2e8f0"
DPI = 110
FONT = "DejaVu Sans"  # bundled with matplotlib, and it has every Vietnamese glyph
_FOOTNOTE_CHARS = 135
_TITLE_CHARS = 70
# Figures of separate charts are independent, but matplotlib's font cache is shared state.
_drawing = threading.Lock()


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes: a bar per figure labelled as the report writes it, sources below."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    title = textwrap.wrap(chart.title, _TITLE_CHARS)
    footnote = [line for text in (*chart.notes, *source_lines(chart.sources))
                for line in textwrap.wrap(text, _FOOTNOTE_CHARS, subsequent_indent="   ")]
    tick_lines = max(b.label.count("\n") + 1 for b in chart.bars)
    # Heights in inches, so that a long footnote adds room instead of squeezing the bars.
    title_h, plot_h = 0.35 + 0.3 * len(title), 4.2
    ticks_h, foot_h = 0.3 + 0.2 * tick_lines, 0.2 + 0.17 * len(footnote)
    width, height = max(9.0, 1.7 * len(chart.bars)), title_h + plot_h + ticks_h + foot_h

    with _drawing:
        figure = Figure(figsize=(width, height), dpi=DPI, facecolor="white")
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0.1, (foot_h + ticks_h) / height, 0.87, plot_h / height))
        positions = list(range(len(chart.bars)))
        values = [b.value for b in chart.bars]
        bars = axes.bar(positions, values, width=0.6, color=BAR_COLOR, zorder=2)
        axes.bar_label(bars, labels=[b.written for b in chart.bars], padding=3, fontsize=10.5,
                       color=TEXT_COLOR, fontfamily=FONT)
        axes.set_xticks(positions, labels=[b.label for b in chart.bars], fontsize=9.5,
                        color=TEXT_COLOR, fontfamily=FONT)
        axes.set_ylim(0, (max(values) or 1.0) * 1.18)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_vn_number(v)))
        if all(v.is_integer() for v in values):
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        for label in axes.get_yticklabels():
            label.set_fontfamily(FONT)
        if chart.unit:
            axes.set_ylabel(chart.unit, fontsize=10, color=TEXT_COLOR, fontfamily=FONT)
        axes.yaxis.grid(True, color=GRID_COLOR, zorder=0)
        axes.spines[["top", "right"]].set_visible(False)
        figure.text(0.5, 1 - 0.2 / height, "\n".join(title), ha="center", va="top",
                    fontsize=14, fontweight="bold", color=TEXT_COLOR, fontfamily=FONT)
        figure.text(0.015, 0.12 / height, "\n".join(footnote), ha="left", va="bottom",
                    fontsize=8.5, color=NOTE_COLOR, fontfamily=FONT, linespacing=1.45)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()
