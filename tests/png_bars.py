"""Reading bars back from a chart PNG: the runs of the bar colour along the row above the axis."""

from __future__ import annotations

import io

from PIL import Image

from knowledge.chart_png import BAR_COLOR

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bar_heights(png: bytes) -> list[int]:
    """Heights in pixels of the bars drawn, left to right."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    colour = tuple(int(BAR_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    pixels = image.load()
    is_bar = [[pixels[x, y] == colour for x in range(width)] for y in range(height)]
    # Every bar stands on the axis: the lowest row holding the bar colour crosses all of them.
    base = max(y for y in range(height) if any(is_bar[y]))
    runs: list[tuple[int, int]] = []
    for x in range(width):
        if is_bar[base][x] and (not runs or runs[-1][1] != x - 1):
            runs.append((x, x))
        elif is_bar[base][x]:
            runs[-1] = (runs[-1][0], x)
    heights = []
    for start, end in runs:
        middle = (start + end) // 2
        top = base
        while top > 0 and is_bar[top - 1][middle]:
            top -= 1
        heights.append(base - top + 1)
    return heights
