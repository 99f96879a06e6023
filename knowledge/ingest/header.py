"""What a report says about itself: the unit it is about, its date and the year it reviews."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import PurePath

from knowledge.gazetteer import Gazetteer, Mention
from knowledge.ingest.figures import NUMBERS, YEAR
from knowledge.ingest.layout import Sentence
from knowledge.model import Place, Province, Ward
from knowledge.text import clean, keys, tokenize

REORGANISED = dt.date(2025, 7, 1)
_FILE_NAME_BREAK = re.compile(r"[\W\d_]+")
# "tăng 8,2% so với cùng kỳ năm 2022", "(giá so sánh năm 2010)": such years are not what a
# figure is about, nor what the report reviews.
_COMPARED_WITH = re.compile(r"(?:so với|so|cùng kỳ|giá so sánh|giá cố định|giá hiện hành)"
                            r"[^,;()]*$", re.IGNORECASE)
_FULL_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d{2})(?!\d)")
_WORDED_DATE = re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})",
                          re.IGNORECASE)
_POSTED = re.compile(r"(?:ngày đăng|đăng ngày|cập nhật|ngày cập nhật|xuất bản)\s*:?\s*$",
                     re.IGNORECASE)
WEEKDAY = re.compile(r"thứ\s*(?:[2-7]|hai|ba|tư|năm|sáu|bảy)|chủ nhật", re.IGNORECASE)
_WEEKDAY = re.compile(rf"(?:{WEEKDAY.pattern})\s*,?\s*(?:ngày\s*)?$", re.IGNORECASE)
# Dates of cited documents (Chỉ thị 05-CT/TW ngày 15/5/2016) are not the report's.
_DOC_REF = re.compile(r"(?:\d+[-/][A-ZĐ][\wĐđ/-]*|\b(?:nghị quyết|quyết định|chỉ thị|kế hoạch|"
                      r"thông tư|nghị định|công văn|luật)\b[^.;,\d]{0,40}?)\s*,?\s*(?:ngày\s*)?$",
                      re.IGNORECASE)
# "từ 1/7/2025", "đến ngày 31/12/2025": the edges of a period, not the report's date.
_SPAN = re.compile(r"\b(?:từ|đến|tới|trước|sau|kể từ|vào|hết|cuối|đầu)\s*(?:ngày\s*)?$",
                   re.IGNORECASE)
# An event's day and month without the year: "Chiều 11/4,", "Ngày 23/12,", "Sáng 5-1,",
# "Chiều 26.12,".
_DAY_MONTH = re.compile(
    r"(?:^|[\s(–-])(?:sáng|chiều|tối|trưa|đêm|rạng sáng|ngày|hôm nay)\s+(?:\(|hôm\s+)?"
    r"(\d{1,2})(?:\s*[/-]\s*|\.)(\d{1,2})(?![\d/.-]?\d|[/-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class UnitGuess:
    """The unit a report names most: one place, or a name several namesakes share."""

    name: str
    place: Place | None
    options: tuple[Place, ...] = ()


def years_in(text: str) -> list[tuple[int, int]]:
    """Positions and values of the years a text names as what it is about.

    Years inside dates, document numbers and ranges, years compared with and base years of
    prices are left out.
    """
    return [(m.start(), int(m.group())) for m in NUMBERS.finditer(text)
            if m.lastgroup == "number" and YEAR.match(m.group())
            and not _COMPARED_WITH.search(text[max(0, m.start() - 40):m.start()])]


def review_year(sentences: Sequence[Sentence], date: dt.date | None) -> int | None:
    """The year a report reviews: the year it names most, not after its date.

    Reports dated in the first half of a year usually review the year before; of two years
    named as often, the earlier is reviewed and the later is planned.
    """
    counts = Counter(y for s in sentences for _, y in years_in(s.text))
    if date is not None:
        counts = Counter({y: n for y, n in counts.items() if y <= date.year})
        earlier = Counter({y: n for y, n in counts.items() if y < date.year})
        if date.month <= 6 and earlier:
            counts = earlier
    if not counts:
        return date.year if date else None
    return max(counts, key=lambda y: (counts[y], -y))


def propose_date(text: str, year: int | None = None) -> dt.date | None:
    """The report's date: a posting date, a dated byline, else an event's day and month.

    A day and month without a year ("Chiều 11/4") take the year that puts them nearest the end
    of ``year``, the year the report reviews (a review is held late that year or early the
    next); without it, no date is proposed.
    """
    flat = clean(text)
    dates = [(m.start(), _date(m.group(1), m.group(3), m.group(4)))
             for m in _FULL_DATE.finditer(flat)]
    dates += [(m.start(), _date(m.group(1), m.group(2), m.group(3)))
              for m in _WORDED_DATE.finditer(flat)]
    dates = sorted((p, d) for p, d in dates if d is not None)
    for pattern in (_POSTED, _WEEKDAY):
        for position, date in dates:
            if pattern.search(flat[max(0, position - 30):position]):
                return date
    for position, date in dates:
        if not _DOC_REF.search(flat[max(0, position - 60):position]) and not _SPAN.search(
                flat[max(0, position - 20):position]):
            return date
    for match in _DAY_MONTH.finditer(flat):
        if _DOC_REF.search(flat[max(0, match.start() - 60):match.start() + 1]):
            continue
        day, month = int(match.group(1)), int(match.group(2))
        same = [d for _, d in dates if (d.day, d.month) == (day, month)]
        if same:
            return same[0]
        if year is not None:
            options = [_date(str(day), str(month), str(y)) for y in (year, year + 1)]
            known = [d for d in options if d is not None]
            end = dt.date(year, 12, 31)
            if known:
                return min(known, key=lambda d: abs((d - end).days))
    return None


def _date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def propose_unit(text: str, gazetteer: Gazetteer, date: dt.date | None = None,
                 report: str = "") -> UnitGuess | None:
    """The unit a report is about: the one it names most, by its type word or its capitalised name.

    Lower-case words are read as a place only after a type word and before the place's province
    ("huyện như xuân, thanh hóa"): "phường thống nhất" may be a verb, not Phường Thống Nhất.
    A province is proposed only when the text names no smaller unit. When the text names no unit
    at all, the report's file name may ("nhu-xuan-chi-tieu.txt"). Namesakes are told apart by
    the provinces and former districts the text names, then by the map of the report's date.
    """
    mentions = _places_named(gazetteer.find(tokenize(text)), gazetteer)
    smaller = [m for m in mentions if m.districts or m.wards]
    typed = [m for m in smaller if _typed(m, gazetteer)]
    chosen = typed or smaller
    if not chosen:
        provinces = [m for m in mentions if m.provinces and not m.districts and not m.wards]
        chosen = provinces or _named_in_file_name(report, gazetteer)
    return _most_named(chosen, mentions, gazetteer, date)


def _named_in_file_name(report: str, gazetteer: Gazetteer) -> list[Mention]:
    """Units of two or more words a file name spells ("09-nhu-xuan-2020.txt"), accents folded."""
    words = _FILE_NAME_BREAK.sub(" ", PurePath(report).stem)
    return [m for m in gazetteer.find(tokenize(words))
            if (m.districts or m.wards) and len(m.name_key) >= 2]


def _places_named(found: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """The mentions that look like places, and lower-case ones that their province confirms."""
    confirmed: set[int] = set()
    for index, (mention, after) in enumerate(pairwise(found)):
        if (_typed(mention, gazetteer) and after.start == mention.end and after.provinces
                and any(_province_of(p) in {q.name for q in after.provinces}
                        for p in (*mention.districts, *mention.wards))):
            confirmed.update((index, index + 1))
    return [m for i, m in enumerate(found) if i in confirmed or _named(m, gazetteer)]


def _typed(mention: Mention, gazetteer: Gazetteer) -> bool:
    """Whether the mention starts with a type word ("quận Ba Đình", "phường Tân Hòa")."""
    return _type_size(mention, gazetteer) > 0


def _type_size(mention: Mention, gazetteer: Gazetteer) -> int:
    words = keys(mention.typed)
    return next((size for size in (2, 1) if words[:size] in gazetteer.type_words), 0)


def _named(mention: Mention, gazetteer: Gazetteer) -> bool:
    """A mention that looks like a place: its name capitalised (or a number after a type word)."""
    size = _type_size(mention, gazetteer)
    name_words = mention.typed.split()[size:]
    return bool(name_words) and all(w[:1].isupper() or (w.isdigit() and size)
                                    for w in name_words)


def _most_named(chosen: list[Mention], mentions: list[Mention], gazetteer: Gazetteer,
                date: dt.date | None) -> UnitGuess | None:
    if not chosen:
        return None
    named_provinces = {n for m in mentions for p in m.provinces
                       for n in (p.name, p.now, *p.absorbed) if n}
    named_districts = {d.code for m in mentions for d in m.districts}
    counts: Counter[str] = Counter()
    places: dict[str, tuple[Place, ...]] = {}
    for mention in chosen:
        options = _options(mention, named_provinces, named_districts, date)
        key = " ".join(mention.name_key) + "|" + "|".join(sorted(p.key for p in options))
        counts[key] += 1
        places.setdefault(key, options)
    key, _ = counts.most_common(1)[0]
    options = places[key]
    if len(options) == 1:
        return UnitGuess(options[0].name, options[0])
    names = {p.name for p in options}
    name = names.pop() if len(names) == 1 else options[0].short
    return UnitGuess(name, None, options)


def _options(mention: Mention, provinces: set[str], districts: set[str],
             date: dt.date | None) -> tuple[Place, ...]:
    options: list[Place] = [*mention.wards, *mention.districts] or list(mention.provinces)
    in_named = [p for p in options if _province_of(p) in provinces
                or (isinstance(p, Ward) and any(code in districts for code, _ in p.formed_from))]
    options = in_named or options
    if len({p.name for p in options}) == 1 and all(isinstance(p, Province) for p in options):
        options = [p for p in options if p.current] or options  # one province on both maps
    if date is not None and len(options) > 1:
        current = date >= REORGANISED
        options = [p for p in options if _on_current_map(p) == current] or options
    return tuple(dict.fromkeys(options))


def _on_current_map(place: Place) -> bool:
    return isinstance(place, Ward) or (isinstance(place, Province) and place.current)


def _province_of(place: Place) -> str:
    return place.name if isinstance(place, Province) else place.province


def resolve_unit(name: str, gazetteer: Gazetteer) -> Place:
    """The unit a curator names: ``quận Hoàng Mai``, ``Quận 1``, ``Tân Hòa, Phú Thọ``, ``tỉnh Huế``.

    Raises ``ValueError`` with the reason when the name is unknown or names several units.
    """
    found = units_named(name, gazetteer)
    if not found:
        raise ValueError(f"no unit is named {name!r}")
    if len(found) > 1:
        options = "; ".join(f"{p.name} ({p.province_short})" for p in found[:6])
        raise ValueError(f"{name!r} names several units: {options}; add the type word "
                         "(quận, phường, xã …) or the province")
    return found[0]


def units_named(name: str, gazetteer: Gazetteer) -> list[Place]:
    """Every unit ``name`` may mean; a province after it narrows them (``Tân Hòa, Phú Thọ``)."""
    mentions: list[Mention] = []
    for typed in dict.fromkeys((name, name.title())):
        mentions = gazetteer.find(tokenize(typed))
        if mentions:
            break
    # "Tân Hòa, Phú Thọ": a second name that is a province's qualifies the first.
    qualifiers = [m for m in mentions[1:] if m.provinces]
    named = [m for m in mentions if m not in qualifiers]
    provinces = {n for m in qualifiers for p in m.provinces for n in (p.name, p.now, *p.absorbed)
                 if n}
    found: list[Place] = []
    for mention in named:
        current = [p for p in mention.provinces if p.current] or list(mention.provinces)
        found += [*mention.wards, *mention.districts, *current]
    found = list(dict.fromkeys(found))
    if provinces:
        found = [p for p in found if p.province in provinces] or found
    return found
