"""Reading bars back from a chart PNG: the boxes of bar colour, top to bottom."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from knowledge.chart_png import BAR_COLOR

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Box:
    """Where one bar is, in pixels (inclusive)."""

    left: int
    right: int
    top: int
    bottom: int

    @property
    def length(self) -> int:
        return self.right - self.left + 1

    @property
    def thickness(self) -> int:
        return self.bottom - self.top + 1


def image_size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def bar_boxes(png: bytes) -> list[Box]:
    """The bars drawn, top to bottom: each a run of rows holding the bar colour."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    colour = tuple(int(BAR_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    pixels = image.load()
    boxes: list[Box] = []
    run: list[tuple[int, int, int]] = []  # (y, first x, last x) of consecutive rows
    for y in range(height + 1):
        xs = [x for x in range(width) if pixels[x, y] == colour] if y < height else []
        if xs:
            run.append((y, xs[0], xs[-1]))
            continue
        if run:
            boxes.append(Box(left=min(r[1] for r in run), right=max(r[2] for r in run),
                             top=run[0][0], bottom=run[-1][0]))
            run = []
    return boxes


def bar_lengths(png: bytes) -> list[int]:
    """Lengths in pixels of the horizontal bars, top to bottom."""
    return [box.length for box in bar_boxes(png)]
