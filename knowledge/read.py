"""Stage 1, reading: a question's words as typed, repaired for phone typing, and its years.

Repairs are extra readings, never in place of what was typed: a word is decoded from Telex or
VNI leftovers ("binhf", "d9a3ng") only when it is not a word the knowledge base knows and its
decoding is; "Q06", "Quận Sáu" and "District 6" read as Quận 6; "hoangmai" as "hoang mai" for
the names of units with data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from knowledge.lexicon import Hit, Lexicon
from knowledge.numbers import SCALE_WORDS, parse_vn_number, scale_of
from knowledge.text import Token, fold, tokenize

MAX_TOKENS = 120
_YEAR = re.compile(r"^(19|20)\d{2}$")
_SCALE = "|".join(SCALE_WORDS)
# "có vượt 5 nghìn tỷ không", "đã tới mốc 50 triệu chưa", "đạt 95% không": a level asked about.
_THRESHOLD = re.compile(
    rf"\b(vuot|dat|toi|duoc|tren|qua|hon|cham|duoi|du)\s+(?:(?:moc|muc|con so)\s+)?(\d[\d.,]*\d|\d)"
    rf"\s*((?:{_SCALE})(?:\s+(?:{_SCALE}))?\b)?\s*(%|phan tram)?")
_SHORT_YEAR = re.compile(r"^[1-4]\d$")
# Words comparing with a level: the number after them is that level ("vượt 2000 giấy"), not a year.
_COMPARING = frozenset(("vuot", "qua", "hon", "tren", "duoi"))
# Initial consonants, longest first: a Telex tone key after them is a tone, not a letter.
_INITIALS = ("ngh", "ng", "nh", "gh", "gi", "kh", "ph", "qu", "th", "tr", "ch", "b", "c", "d",
             "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x")
_TELEX_MARKS = re.compile(r"[sfrxjw]|aa|ee|oo|dd")
_SYLLABLE = re.compile(r"^[bcdghklmnpqrstvx]*[aeiouy]+(c|ch|m|n|ng|nh|p|t)?$")


@dataclass(frozen=True, slots=True)
class Threshold:
    """A figure a yes/no question measures against: ``value`` in plain units, or a percentage.

    ``strict``: it must be passed ("vượt 5 nghìn tỷ"), not only reached ("đạt 5 nghìn tỷ");
    ``yet``: asked "… chưa?", so a figure below it has "chưa" reached it; ``below``: the figure
    is asked to be under it ("tỷ lệ hộ nghèo đã dưới 1% chưa").
    """

    value: float
    percent: bool
    strict: bool
    yet: bool = False
    below: bool = False


# Words the user puts in quotes: a slogan or a title asked about by its own words.
_QUOTED = re.compile(r"[\"“«”»]([^\"“«”»]{8,})[\"”»“«]")


def quoted(text: str) -> str | None:
    """The words the question quotes (``"Kỷ cương, trách nhiệm, …" là chủ đề của quận nào``)."""
    found = _QUOTED.search(text)
    return found[1].strip() if found and len(found[1].split()) >= 3 else None


_DOCUMENT = re.compile(r"\b\d+[-/][A-ZĐ]+(?:[-/][A-ZĐ]+)*\b", re.IGNORECASE)


def documents(text: str) -> tuple[str, ...]:
    """The document numbers the question names (``23-CT/TU``, ``377/KH-UBND``)."""
    return tuple(_DOCUMENT.findall(text))


_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d{2})\b")


def dates(text: str) -> tuple[dt.date, ...]:
    """The full dates the question names (``3/3/2023``, ``11-4-2024``), valid ones only."""
    found = []
    for day, month, year in _DATE.findall(text):
        try:
            found.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return tuple(found)


def threshold(text: str) -> Threshold | None:
    """The level the question asks a figure to reach, if it names one (never a year)."""
    folded = fold(text)
    found = _THRESHOLD.search(folded)
    if found is None:
        return None
    verb, number, scale, percent = found.groups()
    value = parse_vn_number(number)
    if value is None or (not scale and not percent and _YEAR.match(number)
                         and verb not in _COMPARING):
        return None
    return Threshold(value * scale_of((scale or "").split()), bool(percent),
                     verb in _COMPARING, folded.rstrip(" ?.!").endswith("chua"), verb == "duoi")


@dataclass(frozen=True, slots=True)
class Reading:
    """A question's words, repaired, with its years and where places cannot be named.

    ``people_at``: positions of people's names; ``pairs_at``: starts of word pairs found inside
    a metric's phrasing; ``stop``: positions of words that carry no topic. ``dated``: the
    question's years are only those of full dates ("hội nghị ngày 03/3/2023"), which may fall
    after the year the figures are of.
    """

    text: str
    tokens: tuple[Token, ...]
    years: tuple[int, ...]
    year_at: frozenset[int]
    former_at: frozenset[int]
    people_at: frozenset[int]
    pairs_at: frozenset[int]
    stop: frozenset[int]
    people: tuple[Hit[str], ...]
    truncated: bool
    dated: bool = False

    def is_phrase_not_place(self, span: range, ward_only: bool) -> bool:
        """True when the words are a person's name, or a metric's words read as a ward.

        For a ward or commune: a pair of the words within the span is inside a metric's phrasing
        (``AN SINH`` of "thăm tặng quà an sinh"), or a one-word name pairs with its neighbour.
        """
        if self.people_at.intersection(span):
            return True
        if not ward_only:
            return False
        if len(span) == 1:
            return span.start in self.pairs_at or span.start - 1 in self.pairs_at
        return any(i in self.pairs_at for i in span[:-1])

    @property
    def words(self) -> tuple[str, ...]:
        """The accent-free key of every word."""
        return tuple(t.key for t in self.tokens)

    def raw(self, positions: range | list[int]) -> str:
        """The words at ``positions`` as the user typed them."""
        return " ".join(self.tokens[i].raw for i in positions)


def read(text: str, lexicon: Lexicon) -> Reading:
    """Read one question."""
    tokens = tokenize(text)
    truncated = len(tokens) > MAX_TOKENS
    tokens = _repair(tokens[:MAX_TOKENS], lexicon)
    words = [t.key for t in tokens]
    former = {i for hit in lexicon.former.find(tokens) for i in hit.span
              if hit.end - hit.start > 1 or _marks_a_name(tokens, hit.start)}
    year_at = {i: year for i, t in enumerate(tokens) if (year := _year(tokens, i, lexicon))}
    people = tuple(lexicon.people.find(tokens))
    stop = lexicon.stop_positions(tokens)
    people_at = {i for hit in people for i in hit.span}
    return Reading(
        text=text,
        tokens=tuple(tokens),
        years=tuple(dict.fromkeys(y for i, y in year_at.items() if i not in former)),
        year_at=frozenset(year_at),
        former_at=frozenset(former - set(year_at)) | frozenset(i for i in year_at if i in former),
        people_at=frozenset(people_at),
        pairs_at=frozenset(_metric_pairs(words, stop, lexicon)),
        stop=stop,
        people=people,
        truncated=truncated,
        dated=bool(year_at) and all(_in_a_date(tokens, i) for i in year_at),
    )


def _repair(tokens: list[Token], lexicon: Lexicon) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        glued = lexicon.glued.get(token.key)
        if glued and token.key not in lexicon.known:
            out.extend(Token(raw=w, key=w, sig=w) for w in glued)
            continue
        out.append(_decoded(token, lexicon))
    for i, token in enumerate(out):
        if (token.key.isdigit() or token.key in lexicon.number_words) and _after_type_word(
                out, i, lexicon):
            number = _place_number(out, i, lexicon)
            if number is not None:
                out[i] = token._replace(key=number, sig=number)
    return out


def _decoded(token: Token, lexicon: Lexicon) -> Token:
    """The token with its Telex or VNI leftovers decoded, when that makes a known word."""
    if token.key in lexicon.known or not token.raw.isascii() or token.code:
        return token
    for decode in (_vni_key, _telex_key):
        key = decode(token.key)
        if key and key != token.key and key in lexicon.known:
            return token._replace(key=key, sig=key)
    return token


def _vni_key(word: str) -> str | None:
    """``d9a3ng`` → ``dang``: VNI tone and mark digits dropped (``d9`` is đ)."""
    if not re.search(r"[a-z][1-9]", word):
        return None
    plain = re.sub(r"[1-9]", "", word.replace("d9", "d"))
    return plain if plain.isalpha() and _SYLLABLE.match(plain) else None


def _telex_key(word: str) -> str | None:
    """``ddangr`` → ``dang``, ``trwng`` → ``trung``: Telex marks dropped from the rhyme."""
    if not word.isalpha() or not _TELEX_MARKS.search(word):
        return None
    if word.startswith("dd"):
        word = word[1:]
    initial = next((c for c in _INITIALS if word.startswith(c)), "")
    rhyme = word[len(initial):]
    rhyme = re.sub(r"(?<=[aou])w", "", rhyme).replace("w", "u")
    rhyme = re.sub(r"[sfrxj]", "", rhyme)
    rhyme = re.sub(r"(aa|ee|oo)", lambda m: m.group()[0], rhyme)
    plain = initial + rhyme
    return plain if _SYLLABLE.match(plain) else None


def _after_type_word(tokens: list[Token], i: int, lexicon: Lexicon) -> bool:
    return any(i - size >= 0 and tuple(t.key for t in tokens[i - size:i]) in lexicon.type_words
               for size in (1, 2))


def _place_number(tokens: list[Token], i: int, lexicon: Lexicon) -> str | None:
    """``06`` → ``6``; ``sáu`` → ``6`` unless the words name a unit (``Quận Ba Đình``)."""
    key = tokens[i].key
    if key.isdigit():
        return key.lstrip("0") if key.startswith("0") and key.strip("0") else None
    number = lexicon.number_words.get(tokens[i].sig if not tokens[i].raw.isascii() else key)
    if number is None or (i + 1 < len(tokens) and _YEAR.match(tokens[i + 1].key)):
        return None
    spans = [(i - 1, i + 1), (i - 2, i + 1), (i, i + 2), (i, i + 3)]
    if any(start >= 0 and lexicon.names_unit(tuple(t.key for t in tokens[start:end]))
           for start, end in spans if end <= len(tokens)):
        return None
    return str(number)


def _marks_a_name(tokens: list[Token], i: int) -> bool:
    """``cũ`` after a name ("Quận 1 cũ"), not the ``cu`` of "bau cu" typed without accents."""
    return tokens[i].has_diacritics or (i > 0 and (tokens[i - 1].key.isdigit()
                                                   or tokens[i - 1].capitalised))


def _year(tokens: list[Token], i: int, lexicon: Lexicon) -> int | None:
    """A year: four digits, or two after ``năm`` or ending the question (``hm thu ns 22``)."""
    key = tokens[i].key
    if _YEAR.match(key):
        return None if i > 0 and tokens[i - 1].key in _COMPARING else int(key)
    if not _SHORT_YEAR.match(key) or tokens[i].code or _after_type_word(tokens, i, lexicon):
        return None  # "Covid-19", "05-CT/TW": part of a name or number, not a year
    after_nam = i > 0 and tokens[i - 1].key == "nam"
    # Ending the question, unless it numbers a name ("SEA Games 31", "Chỉ thị 05").
    named = i > 0 and tokens[i - 1].raw[:1].isupper() and not tokens[i - 1].raw.isupper()
    if after_nam or (i == len(tokens) - 1 and i > 0 and not tokens[i - 1].key.isdigit()
                     and not named):
        return 2000 + int(key)
    return None


def _in_a_date(tokens: list[Token], i: int) -> bool:
    """True for the year of a day/month/year date (``03/3/2023``, ``11-4-2024``)."""
    return i >= 2 and all(tokens[j].code and tokens[j].key.isdigit() and len(tokens[j].key) <= 2
                          for j in (i - 2, i - 1)) and tokens[i].code


def _metric_pairs(words: list[str], stop: frozenset[int], lexicon: Lexicon) -> set[int]:
    """Starts of adjacent word pairs that occur inside a metric's phrasing (``an sinh``)."""
    return {i for i in range(len(words) - 1) if i not in stop and i + 1 not in stop
            and (lexicon.expand((words[i],))[-1], lexicon.expand((words[i + 1],))[0])
            in lexicon.phrase_pairs}
