"""Vietnamese number notation: parsing figures as reports write them and formatting new ones."""

from __future__ import annotations

import re
from functools import lru_cache

_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_PLAIN = re.compile(r"^\d+(?:,\d+)?$")


@lru_cache(maxsize=1 << 16)  # rankings read the figures of thousands of units again and again
def parse_vn_number(written: str | int | float) -> float | None:
    """Parse ``"4.670,8"``, ``"12.124"``, ``"02"`` or ``"105,29"``; None for ranges and text."""
    if isinstance(written, int | float) and not isinstance(written, bool):
        return float(written)
    text = str(written).strip()
    if not (_GROUPED.match(text) or _PLAIN.match(text)):
        return None
    return float(text.replace(".", "").replace(",", "."))


def figure_ends(written: str) -> list[float]:
    """A figure as ``[n]``, a range of two (``"10 - 11"``) as its ends, text or more as ``[]``."""
    parts = [parse_vn_number(p.strip()) for p in str(written).split(" - ")]
    return [p for p in parts if p is not None] \
        if len(parts) <= 2 and all(p is not None for p in parts) else []


def is_vn_figure(written: str) -> bool:
    """True for a single figure or a range of two (``"10 - 11"``) in Vietnamese notation."""
    return bool(figure_ends(written))


def format_vn_number(value: float, decimals: int | None = None) -> str:
    """Format a number the Vietnamese way: ``4670.8`` → ``"4.670,8"``, ``12124`` → ``"12.124"``.

    With ``decimals=None`` trailing zeros are dropped; otherwise exactly that many decimals.
    """
    text = f"{value:.6f}".rstrip("0").rstrip(".") if decimals is None else f"{value:.{decimals}f}"
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


# Words that multiply a figure: "5 nghìn tỷ", "47,57 triệu đồng".
SCALE_WORDS = {"nghin": 1e3, "ngan": 1e3, "trieu": 1e6, "ty": 1e9, "ti": 1e9}


def scale_of(words: list[str]) -> float:
    """What accent-free words such as ``["nghin", "ty"]`` multiply a figure by (1 for none)."""
    scale = 1.0
    for word in words:
        scale *= SCALE_WORDS.get(word, 1.0)
    return scale
