"""Finding the figures of one sentence: values, percentages, ratios, ranks, counts in words.

Dates, times, years, document numbers and numbers that name rather than count (``Quận 1``,
``kỳ họp thứ 5``, ``mũi 3``, ``Covid-19``, ages, ``chính quyền 2 cấp``) are not figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.model import Amount
from knowledge.numbers import format_vn_number, parse_vn_number
from knowledge.text import fold, signature

_LOOKBACK = 80
_N = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_END = r"(?![.,]?\d)"
# Order matters: dates, document numbers and times are taken before a figure could claim them.
NUMBERS = re.compile(
    rf"""(?<![\w.,/:-])(?:
      (?P<date>\d{{1,2}}(?P<sep>[/.-])\d{{1,2}}(?P=sep)\d{{4}})(?!\d)
    | (?P<doc>\d+(?:/\d+)*(?:[-/][A-ZĐ][\wĐđ]*)+)
    | (?P<time>\d{{1,2}}[:h]\d{{2}})(?!\d)
    | (?P<money>(?P<bn>\d{{1,3}}(?:\.\d{{3}})*)\s*t[ỷỉ]\s+(?P<mn>\d{{1,3}})\s*triệu){_END}
    | (?P<ratio>(?P<num>{_N}){_END}\s*/\s*(?P<den>{_N})){_END}
    | (?P<range>(?P<lo>{_N}){_END}\s*[-–]\s*(?P<hi>{_N})){_END}
    | (?P<number>{_N}){_END}
    )""",
    re.VERBOSE,
)
YEAR = re.compile(r"^(19|20)\d{2}$")
# A number right after these words names something (Quận 1, lần thứ 5, mức độ 4, mũi 3, đường
# 3/2, Nghị quyết 15, Covid-19).
_NAMING = re.compile(
    r"(?:\b(?:[qp]|quận|phường|thứ|khóa|khoá|số|mức độ|cấp độ|đề án|games|tuổi|mũi|đợt"
    r"|khu phố|tổ dân phố|ấp|giai đoạn|chương|điều|khoản|đường|quốc lộ|tỉnh lộ|ngõ|hẻm"
    r"|nghị quyết|quyết định|chỉ thị|nghị định|thông tư|công văn|kết luận|luật)\.?"
    r"|[^\W\d_]-)\s*$",
    re.IGNORECASE,
)
# A rank is a figure (``xếp hạng 2/30``, ``xếp thứ 3``); a class (``hạng 3``) is a name.
_RANK_BEFORE = re.compile(r"\bxếp\s+(?:thứ|hạng)?\s*$", re.IGNORECASE)
_CLASS_BEFORE = re.compile(r"\bhạng\s*$", re.IGNORECASE)
_LEVELS_AFTER = re.compile(r"^\s*cấp\b", re.IGNORECASE)
_GOVERNMENT_BEFORE = re.compile(r"\bchính quyền(?:\s+địa phương)?\s*$", re.IGNORECASE)
_DAY_BEFORE = re.compile(r"\b(?:ngày|sáng|chiều|tối|trưa|đêm|hôm|rạng sáng)\s*$", re.IGNORECASE)
_MONTH_BEFORE = re.compile(r"\b(?:tháng|quý)\s*$", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^[.)](?:\s|$)")
_AGE_AFTER = re.compile(r"^\s*tuổi\b", re.IGNORECASE)
_LIST_JOIN = re.compile(r"^\s*(?:,|và|-)\s*$")
_PERCENT = re.compile(r"^\s*%")
_PER_YEAR = re.compile(r"^\s*%\s*/\s*năm", re.IGNORECASE)
_PERCENT_OF = re.compile(
    r"^\s*\)?\s*(?:so với\s+)?(KH\b|kế hoạch(?:\s+(?:vốn|năm)\b)?|dự toán|chỉ tiêu)",
    re.IGNORECASE,
)
# "…, vượt 11,3% dự toán": the plan exceeded by a share of it (not "đạt vượt 105% kế hoạch").
_EXCEEDS = re.compile(r"(?<!đạt )(?<!thành )(?<!hiện )\bvượt(?:\s+mức)?\s*"
                      r"(?:trên|gần|khoảng|hơn)?\s*$", re.IGNORECASE)
_MONEY_UNIT = re.compile(
    r"^\s*((?:nghìn|ngàn)\s+t[ỷỉ]|t[ỷỉ]|triệu|nghìn|ngàn)(\s+đồng)?((?:\s*/\s*[^\W\d_]+){0,2})",
    re.IGNORECASE)
_PER_UNIT = re.compile(r"^/\s*(?:\d[\d.,]*)\s+[^\W\d_]+(?:\s+[^\W\d_]+)?|^(?:/[^\W\d_]+){1,2}")
_BOUND_BEFORE = {
    "more_than": re.compile(r"\b(?:trên|hơn)\s*$", re.IGNORECASE),
    "less_than": re.compile(r"\bdưới\s*$", re.IGNORECASE),
    "nearly": re.compile(r"\bgần\s*$", re.IGNORECASE),
    "about": re.compile(r"\b(?:khoảng|xấp xỉ|chừng)\s*$", re.IGNORECASE),
    "at_least": re.compile(r"\b(?:ít nhất|tối thiểu)\s*$", re.IGNORECASE),
}
_AT_LEAST_AFTER = re.compile(r"^\s*%?\s*trở lên", re.IGNORECASE)
_PLAN_BEFORE = re.compile(r"\b(?:KH|kế hoạch)\s*(?:là|:)?\s*$", re.IGNORECASE)
_ESTIMATE = re.compile(r"\bước\b", re.IGNORECASE)
# A percentage joins the figure before it when introduced like "…, đạt 105%" or "(tỷ lệ 12,5%)".
_JOIN_PERCENT = re.compile(
    r"^\s*(?:[^\W\d_]+\s*){0,4},?\s*(?:đạt|bằng|chiếm)\s*(?:tỷ lệ\s*)?"
    r"(?:trên|gần|dưới|khoảng)?\s*$"
    r"|^[^;,()]*\(\s*(?:đạt\s*|chiếm\s*)?(?:tỷ lệ\s*)?(?:trên|gần|dưới|khoảng)?\s*$",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r";|\(|\)|,\s|:\s")
HARD_BREAK = re.compile(r";|\(|\)")
_WORDS = re.compile(r"[^\W\d_]+")
BOUND_WORDS = frozenset(signature(w) for w in ("trên", "dưới", "gần", "khoảng", "hơn", "từ"))
TIME_UNITS = frozenset(signature(w) for w in ("năm", "tháng", "ngày", "giờ", "tuần", "quý"))
HONOURED = ("tập thể", "cá nhân", "lượt tập thể", "lượt cá nhân")
AWARD_CUES = ("khen", "huân chương", "danh hiệu", "cờ thi đua", "lao động xuất sắc",
              "lao động tiên tiến", "chiến sĩ thi đua", "chiến sỹ thi đua")

# Counts written in words ("ba chỉ tiêu", "mười hai tập thể"). "một" (one / a, "trên một ha"),
# "năm" (five / year) and "tư" (fourth) start none: alone they far more often mean something else.
_DIGIT_WORDS = {"một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
                "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9}
_NUMBER_WORD = (r"một|mốt|hai|ba|bốn|tư|năm|lăm|sáu|bảy|bẩy|tám|chín|mười|mươi|trăm|nghìn|ngàn"
                r"|linh|lẻ")
_IN_WORDS = re.compile(
    rf"(?<![\w-])(?P<words>(?:hai|ba|bốn|sáu|bảy|bẩy|tám|chín|mười)"
    rf"(?:\s+(?:{_NUMBER_WORD}))*)(?=\s+(?P<noun>[^\W\d_]+(?:\s+[^\W\d_]+)?))",
    re.IGNORECASE,
)
_NOT_COUNT_BEFORE = re.compile(r"(?:\b(?:thứ|hạng|lần|khóa|khoá|kỳ|mũi|số|đợt|cấp)|[^\W\d_]-)\s*$",
                               re.IGNORECASE)
# Nouns a count in words may be of, besides the units the knowledge base already uses.
COUNT_NOUNS = frozenset(signature(w) for w in {
    "chỉ tiêu", "tập thể", "cá nhân", "đơn vị", "xã", "phường", "thị trấn", "thôn", "bản", "ấp",
    "tổ", "khu phố", "hộ", "người", "đảng viên", "chi bộ", "đảng bộ", "công trình", "dự án",
    "doanh nghiệp", "trường", "tuyến", "mô hình", "sản phẩm", "lượt", "huân chương", "tác phẩm",
})


@dataclass
class Figure:
    """A figure as found in a sentence, with its character offsets there.

    ``end`` closes the number, ``unit_end`` what belongs to it (unit, ``%``, ``% kế hoạch``);
    a percentage alone has ``is_percent`` and its figure in ``percent``; a count in words has
    its words in ``value`` and the number in ``numeral``.
    """

    start: int
    end: int
    unit_end: int
    written: str
    value: str | None
    unit: str | None = None
    percent: str | None = None
    percent_of: str | None = None
    of: str | None = None
    bound: str | None = None
    estimate: bool = False
    also: list[Amount] = field(default_factory=list)
    is_percent: bool = False
    numeral: str | None = None


def find_figures(sentence: str, units: Sequence[tuple[str, ...]] = (),
                 stopwords: frozenset[str] = frozenset()) -> list[Figure]:
    """The figures of one sentence, percentages joined to the figure they qualify.

    ``units`` are known unit phrases as accent-free word tuples, longest tried first;
    ``stopwords`` (lower-case, with their diacritics) never start a unit.
    """
    figures: list[Figure] = []
    named_end = -1
    for match in NUMBERS.finditer(sentence):
        kind = match.lastgroup
        before, after = _near(sentence, match.start()), sentence[match.end():]
        if kind in ("date", "doc", "time") or (
                not before.strip() and _LIST_MARKER.match(after)):
            continue
        if kind in ("ratio", "range") and (_DAY_BEFORE.search(before)
                                           or _MONTH_BEFORE.search(before)):
            continue
        if _names(match, before, after) or (
                named_end >= 0 and _LIST_JOIN.match(sentence[named_end:match.start()])):
            named_end = match.end()
            continue
        named_end = -1
        figure = _read_figure(match, sentence, units, stopwords)
        if figure is not None:
            figures.append(figure)
    figures.extend(_counts_in_words(sentence, units, figures))
    figures.sort(key=lambda f: f.start)
    return _join_figures(figures, sentence)


def _near(sentence: str, position: int) -> str:
    """The words just before a position: what names or bounds a figure stands right before it."""
    return sentence[max(0, position - _LOOKBACK):position]


def _names(match: re.Match[str], before: str, after: str) -> bool:
    """True for a number that names rather than counts."""
    if _RANK_BEFORE.search(before):
        return False
    if _CLASS_BEFORE.search(before):
        return match.lastgroup != "ratio"
    if _LEVELS_AFTER.match(after) and _GOVERNMENT_BEFORE.search(before):
        return True
    return bool(_NAMING.search(before) or _AGE_AFTER.match(after))


def _read_figure(match: re.Match[str], sentence: str, units: Sequence[tuple[str, ...]],
                 stopwords: frozenset[str]) -> Figure | None:
    kind = match.lastgroup
    before, after = _near(sentence, match.start()), sentence[match.end():]
    end = match.end()
    if kind == "money":
        value = _money_value(match["bn"], match["mn"])
        unit_match = re.match(r"\s*đồng\b", after)
        unit_end = end + (unit_match.end() if unit_match else 0)
        figure = Figure(match.start(), end, unit_end, sentence[match.start():unit_end], value,
                        unit="tỷ đồng")
    elif kind == "ratio":
        figure = Figure(match.start(), end, end, match.group(), match["num"], of=match["den"])
        if YEAR.match(figure.value or "") and YEAR.match(figure.of or ""):
            return None
    elif kind == "range":
        if YEAR.match(match["lo"]) and YEAR.match(match["hi"]):
            return None
        figure = Figure(match.start(), end, end, match.group(),
                        f"{match['lo']} - {match['hi']}")
    else:
        if YEAR.match(match.group()):
            return None
        figure = Figure(match.start(), end, end, match.group(), match.group())
    if figure.unit is None:
        _read_unit(figure, sentence, units, stopwords)
    _read_bound(figure, before, after)
    figure.estimate = bool(_ESTIMATE.search(_clause_before(sentence, match.start())))
    return figure


def _read_bound(figure: Figure, before: str, after: str) -> None:
    for bound, pattern in _BOUND_BEFORE.items():
        if pattern.search(before):
            figure.bound = bound
    if _AT_LEAST_AFTER.match(after):
        figure.bound = "at_least"


def _of_plan(excess: str) -> str:
    """The share of a plan reached when it is exceeded by ``excess`` percent: 11,3 → 111,3.

    The sum is exact to the decimals written; a figure that is not one number, or already 100
    or more (loosely "vượt 105% kế hoạch", reached), is kept as written.
    """
    number = parse_vn_number(excess)
    if number is None or number >= 100:
        return excess
    decimals = len(excess.partition(",")[2])
    return format_vn_number(100 + number, decimals)


def _money_value(billions: str, millions: str) -> str:
    """``5 tỷ 250 triệu`` → ``"5,25"`` (in tỷ đồng, as precise as written)."""
    fraction = millions.zfill(3).rstrip("0")
    return f"{billions},{fraction}" if fraction else billions


def _read_unit(figure: Figure, sentence: str, units: Sequence[tuple[str, ...]],
               stopwords: frozenset[str]) -> None:
    after = sentence[figure.end:]
    if per_year := _PER_YEAR.match(after):
        figure.unit = "%/năm"
        figure.unit_end = figure.end + per_year.end()
        return
    if percent := _PERCENT.match(after):
        figure.is_percent = True
        figure.percent = figure.value
        figure.value = None
        figure.unit_end = figure.end + percent.end()
        plan = _PERCENT_OF.match(sentence[figure.unit_end:])
        if plan:
            written = plan.group(1)
            figure.percent_of = "kế hoạch" if written.upper() == "KH" else written.lower()
            figure.unit_end += plan.end()
            if _EXCEEDS.search(_near(sentence, figure.start)):
                figure.percent = _of_plan(figure.percent or "")
        return
    money = _MONEY_UNIT.match(after)
    if money:
        scale = re.sub(r"t[ỷỉ]", "tỷ", " ".join(money.group(1).lower().split()))
        per = "".join(money.group(3).split())
        figure.unit = scale + (" đồng" if money.group(2) else "") + per
        figure.unit_end = figure.end + money.end()
        return
    figure.unit, stop = _unit_words(after, units, stopwords)
    figure.unit_end = figure.end + stop


def _unit_words(after: str, units: Sequence[tuple[str, ...]],
                stopwords: frozenset[str]) -> tuple[str | None, int]:
    """The unit that directly follows a figure and where it ends (in ``after``)."""
    chain: list[tuple[str, int, int]] = []
    previous_end = 0
    for word in _WORDS.finditer(after):
        if len(chain) == 6 or after[previous_end:word.start()].strip():
            break
        chain.append((word.group(), word.start(), word.end()))
        previous_end = word.end()
    chain_keys = tuple(fold(w) for w, _, _ in chain)
    size = next((len(u) for u in units if chain_keys[:len(u)] == u), 0)
    plain = [signature(w) for w, _, _ in chain]
    if not size and chain:
        if plain[0] in TIME_UNITS:
            size = 1
        elif plain[0] not in stopwords | BOUND_WORDS:
            size = 2 if len(chain) > 1 and plain[1] not in stopwords | BOUND_WORDS else 1
    if not size:
        return None, 0
    stop = chain[size - 1][2]
    per = _PER_UNIT.match(after[stop:])
    if per:
        stop += per.end()
    return after[chain[0][1]:stop], stop


def _counts_in_words(sentence: str, units: Sequence[tuple[str, ...]],
                     taken: Sequence[Figure]) -> list[Figure]:
    """Counts written in words before a count noun: ``ba chỉ tiêu``, ``mười hai tập thể``."""
    known = {" ".join(u) for u in units}
    found = []
    for match in _IN_WORDS.finditer(sentence):
        words = match["words"].split()
        if words[0][0].isupper() and match.start() > 0 and sentence[match.start() - 2] not in ".:":
            continue  # a capitalised number word inside a sentence starts a name (Ba Đình)
        if _NOT_COUNT_BEFORE.search(_near(sentence, match.start())):
            continue
        if any(f.start <= match.start() < f.unit_end for f in taken):
            continue
        noun = next((n for n in (match["noun"], match["noun"].split()[0])
                     if signature(n) in COUNT_NOUNS or fold(n) in known), None)
        if noun is None:
            continue
        numeral = _words_value([w.lower() for w in words])
        if numeral is None:
            continue
        end = match.end("words")
        unit_end = match.start("noun") + len(noun)
        found.append(Figure(match.start(), end, unit_end, sentence[match.start():unit_end],
                            match["words"], unit=noun, numeral=str(numeral)))
    return found


def _words_value(words: Sequence[str]) -> int | None:
    """``["hai", "mươi", "mốt"]`` → 21; None when the words do not make one number."""
    total = group = last = 0
    for word in words:
        if word == "mười":
            group += 10
            last = 0
        elif word == "mươi":
            group += last * 9
            last = 0
        elif word == "trăm":
            group += last * 99
            last = 0
        elif word in ("nghìn", "ngàn"):
            total += (group or 1) * 1000
            group = last = 0
        elif word in ("linh", "lẻ"):
            continue
        elif word in _DIGIT_WORDS:
            last = _DIGIT_WORDS[word]
            group += last
        else:
            return None
    value = total + group
    return value or None


def _join_figures(figures: list[Figure], sentence: str) -> list[Figure]:
    """Attach percentages, plans and the individuals beside collectives to their figure."""
    joined: list[Figure] = []
    award_sentence = any(cue in sentence.lower() for cue in AWARD_CUES)
    for figure in figures:
        last = joined[-1] if joined else None
        between = sentence[last.unit_end:figure.start] if last else ""
        if last is not None and ";" not in between:
            if (figure.is_percent and last.value is not None and last.percent is None
                    and not last.is_percent and (_JOIN_PERCENT.match(between) or (
                        figure.percent_of and _EXCEEDS.search(between)
                        and _LIST_JOIN.match(_EXCEEDS.sub("", between) or ",")))):
                last.percent, last.percent_of = figure.percent, figure.percent_of
                last.written = sentence[last.start:figure.unit_end]
                last.unit_end = max(last.unit_end, figure.unit_end)
                continue
            if (not figure.is_percent and last.of is None and last.value is not None
                    and _PLAN_BEFORE.search(_near(sentence, figure.start))
                    and len(between) <= 40):
                last.of = figure.value
                continue
            if (_is_count(figure) and _is_count(last) and _LIST_JOIN.match(between or ",")
                    and (award_sentence or (last.unit in HONOURED
                                            and figure.unit in HONOURED))):
                last.also.append(Amount(figure.numeral or figure.value or "", figure.unit or ""))
                last.written = sentence[last.start:figure.unit_end]
                last.unit_end = figure.unit_end
                continue
        joined.append(figure)
    return joined


def _is_count(figure: Figure) -> bool:
    return (not figure.is_percent and figure.percent is None and figure.of is None
            and figure.unit is not None
            and parse_vn_number(figure.numeral or figure.value or "") is not None)


def _clause_before(sentence: str, position: int) -> str:
    return sentence[last_break(sentence, position, CLAUSE_BREAK):position]


def last_break(text: str, position: int, pattern: re.Pattern[str]) -> int:
    """Where the clause containing ``position`` starts (after the last break before it)."""
    return max((m.end() for m in pattern.finditer(text, 0, position)), default=0)


def next_break(text: str, position: int, pattern: re.Pattern[str]) -> int:
    """Where the clause containing ``position`` ends (the next break after it)."""
    found = pattern.search(text, position)
    return found.start() if found else len(text)
