"""Value types of the knowledge base and of the engine's replies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

from knowledge.numbers import parse_vn_number

Status = Literal["answered", "clarify", "not_found"]
FactKind = Literal["result", "target", "award", "person", "theme", "event"]
FACT_KINDS: tuple[str, ...] = ("result", "target", "award", "person", "theme", "event")
RECURRENCES: tuple[str, ...] = ("yearly",)
FIGURE_KINDS: tuple[str, ...] = ("result", "target", "award")
Bound = Literal["at_least", "more_than", "less_than", "nearly", "about"]
BOUNDS: tuple[str, ...] = ("at_least", "more_than", "less_than", "nearly", "about")


@dataclass(frozen=True, slots=True)
class Source:
    """A report cited by facts: title, who published or wrote it, and its date."""

    id: str
    title: str
    publisher: str
    date: dt.date
    url: str | None = None
    cite: str | None = None

    @property
    def short(self) -> str:
        """Who the reply names as the source: ``cite`` when set, else the publisher."""
        return self.cite or self.publisher


@dataclass(frozen=True, slots=True)
class District:
    """A former district-level unit (quận, huyện, thị xã, thành phố thuộc tỉnh) before 1/7/2025."""

    code: str
    name: str
    kind: str
    short: str
    province: str
    aliases: tuple[str, ...] = ()

    level: ClassVar[str] = "district"

    @property
    def key(self) -> str:
        """Identifier unique across the units of both maps."""
        return f"d{self.code}"

    @property
    def province_short(self) -> str:
        """Province name as people say it: ``TP Hồ Chí Minh``, ``Nghệ An``."""
        return short_province(self.province)


@dataclass(frozen=True, slots=True)
class Ward:
    """A current ward, commune or special zone (since 1/7/2025) and the districts it came from."""

    code: str
    name: str
    kind: str
    short: str
    province: str
    formed_from: tuple[tuple[str, bool], ...] = ()
    aliases: tuple[str, ...] = ()

    level: ClassVar[str] = "ward"

    @property
    def key(self) -> str:
        """Identifier unique across the units of both maps."""
        return f"w{self.code}"

    @property
    def province_short(self) -> str:
        """Province name as people say it."""
        return short_province(self.province)


@dataclass(frozen=True, slots=True)
class Province:
    """A province: one of the 34 since 1/7/2025 (``current``) or one of the 63 before."""

    code: str
    name: str
    short: str
    current: bool
    now: str = ""
    absorbed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    level: ClassVar[str] = "province"

    @property
    def key(self) -> str:
        """Identifier unique across the units of both maps."""
        return f"p{self.code}" if self.current else f"fp{self.code}"

    @property
    def kind(self) -> str:
        """``Tỉnh`` or ``Thành phố``."""
        return "Thành phố" if self.name.startswith("Thành phố") else "Tỉnh"

    @property
    def province(self) -> str:
        """A province lies in itself (so every unit has a province)."""
        return self.name

    @property
    def province_short(self) -> str:
        """Province name as people say it."""
        return short_province(self.name)


# A unit of either map that facts can belong to: a former district, a current ward or commune,
# or a province (former or current).
Place = District | Ward | Province


def short_province(name: str) -> str:
    """Province name as people say it: ``TP Hồ Chí Minh``, ``Nghệ An``."""
    if name.startswith("Tỉnh "):
        return name.removeprefix("Tỉnh ")
    return name.replace("Thành phố ", "TP ", 1)


@dataclass(frozen=True, slots=True)
class Amount:
    """A secondary figure of a fact, e.g. the individuals beside the collectives of an award."""

    value: str
    unit: str


class Fact(NamedTuple):
    """One figure or statement of one report about one unit and year.

    Figures are kept as the report writes them in Vietnamese format (``"4.670,8"``, ``"02"``,
    ``"10 - 11"``) so the reply keeps the report's precision; ``number`` is the parsed value.
    An immutable named tuple: a national knowledge base builds a hundred thousand of them at
    start-up, which a frozen dataclass makes several times slower.
    """

    id: str
    place: Place
    year: int
    kind: str
    metric: str
    source: Source
    value: str | None = None
    of: str | None = None
    unit: str | None = None
    percent: str | None = None
    percent_of: str | None = None
    bound: str | None = None
    estimate: bool = False
    also: tuple[Amount, ...] = ()
    text: str | None = None
    quote: str | None = None
    role: str | None = None
    date: dt.date | None = None
    detail: str | None = None
    scope: str | None = None
    recurs: str | None = None
    line: int = 0
    file: str = ""

    @property
    def number(self) -> float | None:
        """The main figure as a number, or None when it is a range or text."""
        return parse_vn_number(self.value) if self.value is not None else None

    @property
    def percent_number(self) -> float | None:
        """The percentage as a number, or None."""
        return parse_vn_number(self.percent) if self.percent is not None else None


@dataclass(frozen=True, slots=True)
class Answer:
    """What the engine replies: a status, plain-text body, the facts used and follow-up questions.

    ``body`` holds no markup and no source line; renderers add the sources from ``facts``.
    ``smalltalk`` marks a greeting, thanks or help reply (not an unanswered question).
    """

    status: Status
    body: str
    facts: tuple[Fact, ...] = ()
    suggestions: tuple[str, ...] = ()
    smalltalk: bool = False

    @property
    def sources(self) -> tuple[Source, ...]:
        """Distinct sources of the facts, in order of first use."""
        seen: dict[str, Source] = {}
        for fact in self.facts:
            seen.setdefault(fact.source.id, fact.source)
        return tuple(seen.values())
