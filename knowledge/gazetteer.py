"""The map of administrative units and finding the places a question names.

Holds the 696 former districts, the 63 former and 34 current provinces and the current wards and
communes (generated into ``data/gazetteer.json``), plus hand-made aliases. Names are looked up as
whole word sequences on accent-free keys, so ``quận 1`` never matches ``quận 10``; typos are
matched fuzzily only against names, and only when one name is clearly closest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from knowledge.model import District, Place, Province, Ward
from knowledge.text import Token, keys, signature, tokenize

DISTRICT_TYPES = ("Quận", "Huyện", "Thị xã", "Thành phố")
# The level of unit a type word names; "Thành phố" may be a district-level city or a province.
_LEVELS = {"Quận": "district", "Huyện": "district", "Thị xã": "district", "Thành phố": "city",
           "Phường": "ward", "Xã": "ward", "Thị trấn": "ward", "Đặc khu": "ward",
           "Tỉnh": "province"}
_MAX_NAME_WORDS = 6
_FUZZY_MIN_SCORE = 88.0
_FUZZY_MARGIN = 4.0


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the question that names one or more places of one level."""

    start: int
    end: int
    typed: str
    type_word: str | None
    name_key: tuple[str, ...] = ()
    level: str | None = None
    districts: tuple[District, ...] = ()
    wards: tuple[Ward, ...] = ()
    provinces: tuple[Province, ...] = ()
    fuzzy: bool = False

    @property
    def span(self) -> range:
        """Token positions the mention covers, its type word included."""
        return range(self.start, self.end)


@dataclass
class Gazetteer:
    """All units, indexed by the accent-free word sequences that name them."""

    districts: dict[str, District]
    wards: dict[str, Ward]
    provinces: dict[str, Province]
    type_words: dict[tuple[str, ...], str]
    weak_aliases: frozenset[tuple[str, ...]] = frozenset()
    _index: dict[tuple[str, ...], list[tuple[Place, str]]] = field(default_factory=dict)
    _prefixes: set[tuple[str, ...]] = field(default_factory=set)
    _fuzzy_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self._index:
            self._build_index()
        self._prefixes = {key[:n] for key in self._index for n in range(1, len(key) + 1)}
        self._fuzzy_names = sorted(
            {" ".join(k) for k, entries in self._index.items()
             if len(k) >= 2 and not any(w.isdigit() for w in k)
             and any(via != "alias" for _, via in entries)}
        )

    @classmethod
    def indexed(cls, districts: dict[str, District], wards: dict[str, Ward],
                provinces: dict[str, Province], type_words: dict[tuple[str, ...], str],
                weak_aliases: frozenset[tuple[str, ...]],
                index: dict[tuple[str, ...], list[tuple[Place, str]]]) -> Gazetteer:
        """A gazetteer whose name index was built before (see ``index``), not built again."""
        return cls(districts, wards, provinces, type_words, weak_aliases, index)

    @property
    def index(self) -> dict[tuple[str, ...], list[tuple[Place, str]]]:
        """Each accent-free name key → the units it names and how (short, full or alias)."""
        return self._index

    def _build_index(self) -> None:
        for place in (*self.districts.values(), *self.wards.values(), *self.provinces.values()):
            self._add(_short_key(place), place, "short")
            self._add(keys(place.name), place, "full")
            for alias in place.aliases:
                self._add(keys(alias), place, "alias")

    def _add(self, key: tuple[str, ...], place: Place, via: str) -> None:
        if key:
            entries = self._index.setdefault(key, [])
            if all(p is not place for p, _ in entries):
                entries.append((place, via))

    def place_by_key(self, key: str) -> Place | None:
        """The unit of either map with this ``key`` (``d001``, ``w00004``, ``p01``, ``fp01``)."""
        if key.startswith("d"):
            return self.districts.get(key[1:])
        if key.startswith("w"):
            return self.wards.get(key[1:])
        if key.startswith("fp"):
            return self.provinces.get("l" + key[2:])
        if key.startswith("p"):
            return self.provinces.get("c" + key[1:])
        return None

    def name_words(self) -> set[str]:
        """Every word of every name and alias, accent-free."""
        return {w for key in self._index for w in key}

    def has_name(self, key: tuple[str, ...]) -> bool:
        """True when the accent-free words name some unit."""
        return key in self._index

    def place_by_name(self, name: str, province: str = "") -> Place | None:
        """The unit of either map with this full name, in the province named (full or short).

        A province is named by itself; of a province that exists on both maps the current one is
        taken. A district or ward needs its province to tell namesakes apart.
        """
        for place in (*self.districts.values(), *self.wards.values()):
            if place.name == name and province in (place.province, place.province_short,
                                                   _plain_province(place.province)):
                return place
        provinces = [p for p in self.provinces.values() if name in (p.name, p.short)
                     and (not province or province in (p.name, p.short))]
        return max(provinces, key=lambda p: p.current, default=None)

    def names_in(self, province: str = "") -> set[str]:
        """Names of the units in a province (full or short name; all units when empty)."""
        return {p.name for p in (*self.districts.values(), *self.wards.values(),
                                 *self.provinces.values())
                if not province or province in (p.province, p.province_short,
                                                _plain_province(p.province))}

    def province_now(self, district: District) -> str:
        """The current province (since 1/7/2025) that a former district's province became."""
        return next((p.now for p in self.provinces.values()
                     if not p.current and p.name == district.province and p.now),
                    district.province)

    def find(self, tokens: Sequence[Token], skip: Iterable[int] = (),
             weak_ok: bool = False) -> list[Mention]:
        """Places named in the question: longest names first, then those after a type word.

        ``weak_ok`` accepts aliases that are also common words ("bt") typed in lower case.
        """
        skipped = set(skip)
        words = [t.key for t in tokens]
        candidates: list[Mention] = []
        for i in range(len(tokens)):
            sizes = []
            for size in range(1, min(_MAX_NAME_WORDS, len(tokens) - i) + 1):
                if i + size - 1 in skipped or tuple(words[i:i + size]) not in self._prefixes:
                    break
                sizes.append(size)
            for size in reversed(sizes):
                key = tuple(words[i:i + size])
                if key in self._index:
                    type_word, type_start = self._type_before(tokens, i)
                    mention = self._build(tokens, type_start, i + size, key, type_word,
                                          weak_ok=weak_ok)
                    if mention is not None:
                        candidates.append(mention)
        candidates.sort(key=lambda m: (-len(m.name_key), m.type_word is None, m.start))
        chosen: list[Mention] = []
        used: set[int] = set()
        for mention in candidates:
            name_span = range(mention.end - len(mention.name_key), mention.end)
            if any(i in used for i in name_span):
                continue
            if any(i in used for i in mention.span):
                mention = replace(mention, start=name_span.start, type_word=None, level=None)
            chosen.append(mention)
            used.update(mention.span)
        return sorted(chosen, key=lambda m: m.start)

    def ward_before(self, tokens: Sequence[Token], province: Mention,
                    taken: Iterable[int]) -> Mention | None:
        """A ward named in lower case just before its province (``tan hoa phu tho``).

        A bare lower-case name is no place on its own; followed by the province that has a
        ward of that name, it is that ward.
        """
        names = {p.name for p in province.provinces}
        used = set(taken)
        for size in range(min(_MAX_NAME_WORDS, province.start), 0, -1):
            start = province.start - size
            if any(i in used for i in range(start, province.start)):
                continue
            key = tuple(t.key for t in tokens[start:province.start])
            wards = tuple(p for p, via in self._index.get(key, ())
                          if isinstance(p, Ward) and via != "alias" and p.province in names)
            if wards:
                typed = " ".join(t.raw for t in tokens[start:province.start])
                return Mention(start, province.start, typed, None, key, "ward", wards=wards)
        return None

    def find_fuzzy(self, tokens: Sequence[Token], ignore: Iterable[int]) -> Mention | None:
        """A place name typed with a typo, when one name is clearly the closest; else None."""
        ignored = set(ignore)
        best: tuple[float, int, int, str] | None = None
        for size in (3, 2):
            for start in range(len(tokens) - size + 1):
                span = range(start, start + size)
                if any(i in ignored or tokens[i].key.isdigit() for i in span):
                    continue
                typed = " ".join(tokens[i].key for i in span)
                found = process.extract(typed, self._fuzzy_names, scorer=fuzz.ratio, limit=2)
                if not found or found[0][1] < _FUZZY_MIN_SCORE:
                    continue
                if len(found) > 1 and found[0][1] - found[1][1] < _FUZZY_MARGIN:
                    continue
                if best is None or found[0][1] > best[0]:
                    best = (found[0][1], start, start + size, found[0][0])
        if best is None:
            return None
        _, start, end, name = best
        type_word, type_start = self._type_before(tokens, start)
        return self._build(tokens, type_start, end, tuple(name.split()), type_word, fuzzy=True)

    def _type_before(self, tokens: Sequence[Token], i: int) -> tuple[str | None, int]:
        if i < len(tokens) and tokens[i].gap:
            return None, i
        for size in (2, 1):
            if i - size >= 0 and not any(t.gap for t in tokens[i - size + 1:i]):
                key = tuple(t.key for t in tokens[i - size:i])
                if key in self.type_words:
                    return " ".join(t.raw for t in tokens[i - size:i]), i - size
        return None, i

    def _build(self, tokens: Sequence[Token], start: int, end: int, key: tuple[str, ...],
               type_word: str | None, fuzzy: bool = False, weak_ok: bool = False,
               ) -> Mention | None:
        typed_tokens = tokens[end - len(key):end]
        entries = self._index.get(key, [])
        if not fuzzy:
            entries = _filter_by_spelling(entries, typed_tokens,
                                          key in self.weak_aliases and not weak_ok,
                                          type_word is not None)
        unit_type = self.type_words.get(keys(type_word)) if type_word else None
        level = _LEVELS.get(unit_type or "")
        if level == "ward" and _is_phrase_not_place(tokens, start, end, key):
            return None
        entries = _filter_by_type(entries, level, unit_type)
        if not entries:
            return None
        typed = " ".join(t.raw for t in tokens[start:end])
        places = [p for p, _ in entries]
        return Mention(
            start=start, end=end, typed=typed, type_word=type_word, name_key=key, level=level,
            districts=tuple(p for p in places if isinstance(p, District)),
            wards=tuple(p for p in places if isinstance(p, Ward)),
            provinces=tuple(p for p in places if isinstance(p, Province)),
            fuzzy=fuzzy,
        )


def _plain_province(name: str) -> str:
    """``Thành phố Hà Nội`` → ``Hà Nội``, ``Tỉnh Nghệ An`` → ``Nghệ An``."""
    return name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


def _short_key(place: Place) -> tuple[str, ...]:
    """The name without its type word: ``Quận 1`` → ``1`` (numbers need the type word typed)."""
    short = keys(place.short)
    kind = keys(place.kind)
    return short[len(kind):] if kind and short[:len(kind)] == kind else short


def _is_phrase_not_place(tokens: Sequence[Token], start: int, end: int,
                         key: tuple[str, ...]) -> bool:
    """``xa hoi …`` typed in lower case is "xã hội" (society), not a commune named ``Hội …``."""
    typed = tokens[start:end]
    return tokens[start].key == "xa" and key[0] == "hoi" and not any(
        t.capitalised for t in typed)


def _filter_by_spelling(entries: list[tuple[Place, str]], typed: Sequence[Token], weak: bool,
                        typed_with_type_word: bool) -> list[tuple[Place, str]]:
    """Drop names the typed words cannot mean.

    Typed diacritics must be the name's own (``Vĩnh Hưng`` is not ``Vinh Hưng``); a one-word
    name, a bare number and a current ward named without its type word must look like a name
    (capitalised), so ``gia đình`` or ``đồng tiến`` in a sentence are not places.
    """
    if weak and not typed_with_type_word and not all(t.raw.isupper() for t in typed):
        return []
    if not typed_with_type_word:
        capitalised = all(t.capitalised or t.key.isdigit() for t in typed)
        if len(typed) == 1 and (typed[0].key.isdigit() or not capitalised):
            entries = [(p, via) for p, via in entries if via == "alias"]
        if not capitalised:
            entries = [(p, via) for p, via in entries if not isinstance(p, Ward)]
    if any(t.has_diacritics for t in typed):
        typed_sig = " ".join(t.sig for t in typed)
        entries = [(p, via) for p, via in entries
                   if via == "alias" or typed_sig in (_name_sig(p.short), _name_sig(p.name))]
    return entries


@cache
def _name_sig(name: str) -> str:
    """Signature of a name's words, punctuation dropped (``Phan Rang - Tháp Chàm``, ``M'Đrắk``)."""
    return signature(" ".join(t.raw for t in tokenize(name)))


def _filter_by_type(entries: list[tuple[Place, str]], level: str | None,
                    wanted_type: str | None) -> list[tuple[Place, str]]:
    """Keep the units a type word can name: ``phường X`` is never the district X."""
    if level is None:
        return entries
    if level == "province":
        return [(p, v) for p, v in entries if isinstance(p, Province)]
    if level == "ward":
        same = [(p, v) for p, v in entries if isinstance(p, Ward)
                and (wanted_type is None or p.kind == wanted_type)]
        return same or [(p, v) for p, v in entries if isinstance(p, Ward)]
    if level == "city":
        return [(p, v) for p, v in entries
                if (isinstance(p, District) and p.kind == "Thành phố")
                or (isinstance(p, Province) and p.name.startswith("Thành phố"))]
    districts = [(p, v) for p, v in entries if isinstance(p, District)]
    exact = [(p, v) for p, v in districts if p.kind == wanted_type]
    return exact or districts


def load_gazetteer(data_dir: Path, type_words: dict[str, str],
                   aliases: Mapping[str, Any]) -> Gazetteer:
    """Read ``gazetteer.json`` from the data directory and add the checked ``aliases.yaml``."""
    raw = json.loads((data_dir / "gazetteer.json").read_text(encoding="utf-8"))
    extra: dict[tuple[str, str], list[str]] = {}
    weak: set[tuple[str, ...]] = set()
    for group in ("districts", "provinces"):
        for entry in aliases.get(group) or []:
            extra.setdefault((entry["name"], entry["province"] if group == "districts" else ""),
                             []).append(entry["alias"])
            if entry.get("weak"):
                weak.add(keys(entry["alias"]))
    provinces: dict[str, Province] = {}
    for p in raw["provinces"]:
        provinces["c" + p["code"]] = Province(
            code=p["code"], name=p["name"], short=p["short"], current=True,
            absorbed=tuple(p.get("absorbed", ())),
            aliases=tuple(p.get("aliases", ())) + tuple(extra.get((p["name"], ""), ())))
    for p in raw["legacy_provinces"]:
        provinces["l" + p["code"]] = Province(
            code=p["code"], name=p["name"], short=p["short"], current=False, now=p.get("now", ""),
            aliases=tuple(p.get("aliases", ())) + tuple(extra.get((p["name"], ""), ())))
    districts = {
        d["code"]: District(
            code=d["code"], name=d["name"], kind=d["type"], short=d["short"],
            province=d["province"],
            aliases=tuple(d.get("aliases", ())) + tuple(extra.get((d["name"], d["province"]), ())))
        for d in raw["districts"]
    }
    wards = {
        w["code"]: Ward(
            code=w["code"], name=w["name"], kind=w["type"], short=w["short"],
            province=w["province"], aliases=tuple(w.get("aliases", ())),
            formed_from=tuple((f["district"], bool(f.get("whole")))
                              for f in w.get("formed_from", ())))
        for w in raw.get("wards", [])
    }
    return Gazetteer(
        districts=districts, wards=wards, provinces=provinces,
        type_words={keys(word): unit_type for word, unit_type in type_words.items()},
        weak_aliases=frozenset(weak),
    )
