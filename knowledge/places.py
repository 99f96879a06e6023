"""Stage 2, places: the units a question names, on either map, resolved to those with facts.

A unit is answered from its own facts only. A current ward without facts is traced to the
former districts it was formed from; a former province resolves to its own former districts;
a name shared by several units with facts is asked back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.base import KnowledgeBase
from knowledge.gazetteer import Mention
from knowledge.lexicon import Lexicon
from knowledge.model import District, Place, Province, Ward
from knowledge.read import Reading

Resolution = Literal["unit", "no_data", "ambiguous", "ward", "nowhere", "province"]


@dataclass(frozen=True, slots=True)
class PlaceAsked:
    """One place the question names and what it resolves to.

    ``unit``: ``places`` holds the one unit with facts. ``no_data``: real units without facts
    (namesakes). ``ambiguous``: several units with facts it could mean. ``ward``: a current
    ward without facts, ``origins`` the former districts it came from. ``nowhere``: not in the
    provinces named (``places``: those provinces). ``province``: a province without facts of
    its own, ``origins`` its former districts with facts.
    """

    kind: Resolution
    typed: str
    places: tuple[Place, ...] = ()
    origins: tuple[District, ...] = ()
    namesakes: tuple[Place, ...] = ()


def units_inside(kb: KnowledgeBase, province: Province) -> tuple[Place, ...]:
    """The units with facts inside a province, former districts and current wards.

    A former province holds its own former districts only; a current one also those of the
    provinces it absorbed.
    """
    names = {province.name, *province.absorbed} if province.current else {province.name}
    return tuple(p for p in kb.places if (isinstance(p, District) and p.province in names)
                 or (province.current and isinstance(p, Ward) and p.province == province.name))


@dataclass(frozen=True, slots=True)
class PlaceLookup:
    """Which unit a short text (a command argument) names, resolved as in questions.

    ``asked`` is the first place named (None: none); ``rest`` the words that name no place, as
    typed (empty when place names account for every word).
    """

    typed: str
    asked: PlaceAsked | None = None
    rest: str = ""

    @property
    def place(self) -> Place | None:
        """The one unit named: one with facts, or a real unit without facts (``no_data``)."""
        if self.asked is None:
            return None
        if self.asked.kind == "unit" or (self.asked.kind == "no_data"
                                         and len(self.asked.places) == 1):
            return self.asked.places[0]
        return None

    @property
    def options(self) -> tuple[Place, ...]:
        """Several units the text could mean (same-named units)."""
        if self.asked is None or self.place is not None:
            return ()
        return self.asked.places if self.asked.kind in ("ambiguous", "no_data") else ()


@dataclass(frozen=True, slots=True)
class Places:
    """What the question says about places."""

    asked: tuple[PlaceAsked, ...]
    provinces: tuple[Province, ...]
    used: frozenset[int]
    mentions: tuple[Mention, ...] = ()

    @property
    def units(self) -> tuple[Place, ...]:
        """The units with facts the question names, in order."""
        return tuple(dict.fromkeys(p for a in self.asked if a.kind == "unit" for p in a.places))

    @property
    def problem(self) -> PlaceAsked | None:
        """The first place that cannot be answered as a unit with facts (asked back or told)."""
        return next((a for a in self.asked if a.kind in ("ambiguous", "ward", "nowhere",
                                                           "province")), None)

    @property
    def without_data(self) -> tuple[PlaceAsked, ...]:
        """Real units named that have no facts."""
        return tuple(a for a in self.asked if a.kind == "no_data")


def find_places(reading: Reading, kb: KnowledgeBase, lexicon: Lexicon) -> Places:
    """The places a read question names, each resolved."""
    gazetteer = kb.gazetteer
    mentions = _mentions(reading, gazetteer.find(reading.tokens, skip=reading.year_at), lexicon)
    if not mentions:
        # A short alias that is also a common word ("bt", "hn") names a unit only when no
        # other place is named.
        mentions = _mentions(reading, gazetteer.find(reading.tokens, skip=reading.year_at,
                                                     weak_ok=True), lexicon)
    taken = {i for m in mentions for i in m.span} | set(reading.year_at)
    wards = [ward for m in mentions if m.provinces
             and (ward := gazetteer.ward_before(reading.tokens, m, taken)) is not None]
    mentions = sorted([*mentions, *wards], key=lambda m: m.start)
    if not any(m.districts or m.wards for m in mentions):
        ignore = set(reading.year_at) | set(reading.people_at) | {
            i for m in mentions for i in m.span} | {
            i for i, w in enumerate(reading.words) if w in lexicon.question_words}
        fuzzy = gazetteer.find_fuzzy(reading.tokens, ignore)
        if fuzzy is not None:
            mentions = sorted([*mentions, fuzzy], key=lambda m: m.start)
    return _Resolver(kb, tuple(mentions)).resolve()


class _Resolver:
    """Applies the place rules to the mentions of one question."""

    def __init__(self, kb: KnowledgeBase, mentions: tuple[Mention, ...]) -> None:
        self.kb = kb
        self.mentions = mentions
        qualifiers = [m for m in mentions if _is_province_qualifier(m, mentions)]
        self.qualifiers = qualifiers
        self.provinces = tuple(dict.fromkeys(p for m in qualifiers for p in m.provinces))
        # Province names a unit may carry to lie in the named provinces, former or current.
        self.province_names = {name for p in self.provinces
                               for name in (p.name, p.now, *p.absorbed) if name}
        self.places = [m for m in mentions if (m.districts or m.wards) and m not in qualifiers]

    def resolve(self) -> Places:
        used = frozenset(i for m in self.mentions for i in m.span)
        if not self.places:
            asked = tuple(self._province(p, m) for m in self.qualifiers for p in m.provinces
                          if p in self.provinces)
            return Places(_first_per_typed(asked), self.provinces, used, self.mentions)
        asked = [(m, self._one(m)) for m in self.places]
        if len(self.places) > 1:
            # "quận Hoàng Mai và phường Tân Hòa (Phú Thọ)": a province right after one unit
            # places that unit; another it leaves nowhere is taken as named on its own.
            free = _Resolver(self.kb, tuple(m for m in self.mentions if m not in self.qualifiers))
            asked = [(m, free._one(m)) if a.kind == "nowhere" and not any(
                q.start == m.end for q in self.qualifiers) else (m, a) for m, a in asked]
        # A unit with data named in the question beats a ward or commune named without its type
        # word ("Bình Thạnh Tổ Chức Thành Công Bầu Cử": no Xã Thành Công).
        if any(a.kind == "unit" for _, a in asked):
            asked = [(m, a) for m, a in asked if a.kind == "unit" or m.type_word is not None
                     or m.districts or m.provinces]
        used = frozenset(i for m in self.mentions for i in m.span
                         if m in self.qualifiers or any(m is k for k, _ in asked))
        return Places(tuple(a for _, a in asked), self.provinces, used, self.mentions)

    def _one(self, mention: Mention) -> PlaceAsked:
        if _is_ward_mention(mention):
            return self._ward(mention)
        found = self._in_provinces(mention.districts)
        if not found and any(self._ward_in_provinces(w) for w in mention.wards):
            return self._ward(mention)
        if not found:
            return PlaceAsked("nowhere", mention.typed, self.provinces)
        with_facts = [d for d in found if self._has_facts(d)]
        if len(with_facts) > 1:
            return PlaceAsked("ambiguous", mention.typed, tuple(with_facts))
        if with_facts:
            others = tuple(d for d in found if d is not with_facts[0])
            return PlaceAsked("unit", mention.typed, (with_facts[0],), namesakes=others)
        return PlaceAsked("no_data", mention.typed, found)

    def _ward(self, mention: Mention) -> PlaceAsked:
        wards = [w for w in mention.wards if self._ward_in_provinces(w)]
        if not wards:
            return PlaceAsked("nowhere", mention.typed, self.provinces)
        with_facts = [w for w in wards if self._has_facts(w)]
        if len(with_facts) == 1:
            others = tuple(w for w in wards if w is not with_facts[0])
            return PlaceAsked("unit", mention.typed, (with_facts[0],), namesakes=others)
        if len(wards) > 1:
            return PlaceAsked("ambiguous", mention.typed, tuple(wards))
        ward = wards[0]
        return PlaceAsked("ward", mention.typed, (ward,), origins=formed_from(self.kb, ward))

    def _province(self, province: Province, mention: Mention) -> PlaceAsked:
        if self._has_facts(province):
            return PlaceAsked("unit", mention.typed, (province,))
        inside = tuple(p for p in units_inside(self.kb, province) if isinstance(p, District))
        return PlaceAsked("province", mention.typed, (province,), origins=inside)

    def _has_facts(self, place: Place) -> bool:
        return place.key in self.kb.by_place

    def _in_provinces(self, districts: tuple[District, ...]) -> tuple[District, ...]:
        """The districts in the named provinces; those in a province named as it was, if any."""
        if not self.provinces:
            return districts
        inside = tuple(d for d in districts if d.province in self.province_names)
        named = {p.name for p in self.provinces}
        return tuple(d for d in inside if d.province in named) or inside

    def _ward_in_provinces(self, ward: Ward) -> bool:
        return not self.provinces or ward.province in self.province_names


def formed_from(kb: KnowledgeBase, ward: Ward) -> tuple[District, ...]:
    """The former districts a current ward was formed from."""
    districts = kb.gazetteer.districts
    return tuple(districts[code] for code, _ in ward.formed_from if code in districts)


def _mentions(reading: Reading, found: list[Mention], lexicon: Lexicon) -> list[Mention]:
    """The mentions that are places.

    Not a person's name, not a metric's words read as a ward, not the words that end a question
    typed in lower case ("… có tên la gi?" is "là gì", not Thị xã La Gi).
    """
    return [m for m in found if _typed_as_place(m, lexicon) or (
        not reading.is_phrase_not_place(m.span, ward_only=not (m.districts or m.provinces))
        and not _everyday_words(reading, m, lexicon))]


def _everyday_words(reading: Reading, mention: Mention, lexicon: Lexicon) -> bool:
    tokens = reading.tokens[mention.start:mention.end]
    return mention.end == len(reading.tokens) and not any(t.capitalised for t in tokens) \
        and tuple(t.key for t in tokens) in lexicon.cue_words


def _typed_as_place(mention: Mention, lexicon: Lexicon) -> bool:
    """True when a type word comes with the name (``Quận 6``, ``phường An Sinh``)."""
    return mention.type_word is not None or any(
        mention.name_key[:n] in lexicon.type_words for n in (1, 2))


def _is_ward_mention(mention: Mention) -> bool:
    return bool(mention.wards) and (not mention.districts or mention.level == "ward")


def _is_province_qualifier(mention: Mention, mentions: tuple[Mention, ...]) -> bool:
    """A province name that narrows down the other places named (``Hoàng Mai Nghệ An``)."""
    if not mention.provinces or mention.level in ("district", "ward"):
        return False
    if not (mention.districts or mention.wards):
        return True
    return any(other is not mention and (other.districts or other.wards) for other in mentions)


def _first_per_typed(asked: tuple[PlaceAsked, ...]) -> tuple[PlaceAsked, ...]:
    """One resolution per province named: the one with facts, else the first."""
    out: dict[str, PlaceAsked] = {}
    for item in asked:
        if item.typed not in out or (item.kind == "unit" and out[item.typed].kind != "unit"):
            out[item.typed] = item
    return tuple(out.values())
