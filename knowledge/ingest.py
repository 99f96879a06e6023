"""Reading a report into candidate facts for a curator: draft YAML, measured against the KB."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase, Metric
from knowledge.gazetteer import DISTRICT_TYPES
from knowledge.lexicon import Expander, MetricMatch, lexicon_of
from knowledge.model import FIGURE_KINDS, Amount, District, Fact
from knowledge.numbers import parse_vn_number
from knowledge.text import clean, fold, keys, signature, tokenize

_AWARD_TOPIC = "Khen thưởng"
# Units counting who is honoured: a count in them, in an award sentence, is an award.
_HONOURED = ("tập thể", "cá nhân", "lượt tập thể", "lượt cá nhân")
_AWARD_CUES = ("khen", "huân chương", "danh hiệu", "cờ thi đua")
_TARGET_CUES = ("phấn đấu", "mục tiêu")
# Launching a movement "for next year" sets targets too; launching one in general does not.
_LAUNCH_CUE = "phát động"
_BOUND_WORDS = frozenset({"trên", "dưới", "gần", "khoảng", "hơn", "từ"})
_CONTINUES = re.compile(r"^(?:trong đó|cụ thể|riêng|bao gồm)\b", re.IGNORECASE)
_COMPARED_WITH = re.compile(r"(?:so với|cùng kỳ)[^,;]*$", re.IGNORECASE)
_TIME_UNITS = ("năm", "tháng", "ngày", "giờ", "tuần", "quý")

_N = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_END = r"(?![.,]?\d)"
# Order matters: dates, document numbers and times are taken before a figure could claim them.
_NUMBERS = re.compile(
    rf"""(?<![\w.,/:-])(?:
      (?P<date>\d{{1,2}}/\d{{1,2}}/\d{{4}})(?!\d)
    | (?P<doc>\d+(?:[-/][A-ZĐ][\wĐđ]*)+)
    | (?P<time>\d{{1,2}}:\d{{2}})(?!\d)
    | (?P<money>(?P<bn>\d{{1,3}}(?:\.\d{{3}})*)\s*tỷ\s+(?P<mn>\d{{1,3}})\s*triệu){_END}
    | (?P<ratio>(?P<num>{_N}){_END}\s*/\s*(?P<den>{_N})){_END}
    | (?P<range>(?P<lo>{_N}){_END}\s*[-–]\s*(?P<hi>{_N})){_END}
    | (?P<number>{_N}){_END}
    )""",
    re.VERBOSE,
)
_YEAR = re.compile(r"^(19|20)\d{2}$")
# A number right after these words names something (Quận 1, lần thứ 5, mức độ 4, đường 3/2,
# Covid-19).
_NAMING = re.compile(
    r"(?:(?:\b[qp]|quận|phường|thứ|khóa|khoá|số|hạng|mức độ|mức|cấp độ|đề án|games|tuổi"
    r"|đường|quốc lộ|tỉnh lộ|ngõ|hẻm)\.?"
    r"|[^\W\d_]-)\s*$",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"^[.)](?:\s|$)")
_AGE_AFTER = re.compile(r"^\s*tuổi\b", re.IGNORECASE)
_LIST_JOIN = re.compile(r"^\s*(?:,|và|-)\s*$")
_DAY_BEFORE = re.compile(r"\bngày\s*$", re.IGNORECASE)
_PERCENT = re.compile(r"^\s*%")
_PER_YEAR = re.compile(r"^\s*%\s*/\s*năm", re.IGNORECASE)
_PERCENT_OF = re.compile(
    r"^\s*\)?\s*(?:so với\s+)?(KH\b|kế hoạch(?:\s+(?:vốn|năm)\b)?|dự toán|chỉ tiêu)",
    re.IGNORECASE,
)
_MONEY_UNIT = re.compile(r"^\s*(tỷ|triệu|nghìn|ngàn)(\s+đồng)?\b", re.IGNORECASE)
_PER_UNIT = re.compile(r"^/\s*(?:\d[\d.,]*)\s+[^\W\d_]+(?:\s+[^\W\d_]+)?")
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
_CLAUSE_BREAK = re.compile(r";|\(|\)|,\s")
_HARD_BREAK = re.compile(r";|\(|\)")
_WHOLE = 0.95
_TOKEN_FUZZY_CUTOFF = 82.0
_MIN_COVERAGE = 0.6
# Words too common in report sentences to name a metric ("chi bộ được xếp loại …").
_REPORT_STOPWORDS = frozenset(("xep", "loai"))
_GROW_AFTER_WHOLE = 3
_WORDS = re.compile(r"[^\W\d_]+")
_FULL_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")
_POSTED = re.compile(r"(?:ngày đăng|đăng ngày|cập nhật)\s*:?\s*(\d{1,2}/\d{1,2}/\d{4})",
                     re.IGNORECASE)
_WEEKDAY = re.compile(
    r"(?:thứ\s*(?:[2-7]|hai|ba|tư|năm|sáu|bảy)|chủ nhật)\s*,?\s*(?:ngày\s*)?"
    r"(\d{1,2}/\d{1,2}/\d{4})",
    re.IGNORECASE,
)
_DOC_REF = re.compile(r"\d+[-/][A-ZĐ][\wĐđ/-]*\s*,?\s*(?:ngày\s*)?$")
_TERMINAL = tuple(".!?…:;|\"”)»")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a report and the paragraph it belongs to."""

    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A figure found in a report, shaped like a fact, for a curator to accept or fix.

    Values are written as the report writes them (``"4.670,8"``, ``"02"``, ``"10 - 11"``);
    ``metric`` is None when no metric of the vocabulary fits its words.
    """

    sentence: str
    written: str
    year: int | None
    kind: str
    metric: str | None
    value: str | None = None
    unit: str | None = None
    percent: str | None = None
    percent_of: str | None = None
    of: str | None = None
    bound: str | None = None
    estimate: bool = False
    also: tuple[Amount, ...] = ()


@dataclass(frozen=True)
class Draft:
    """What a report yields: the district and date it shows, and the candidate facts."""

    district: District | None
    date: dt.date | None
    year: int | None
    candidates: tuple[Candidate, ...]
    unrecognised: tuple[Candidate, ...]
    report: str = ""

    @property
    def source_id(self) -> str:
        """A source id for the draft, like the curated ones: ``hoang-mai-2022``."""
        name = "-".join(keys(self.district.short)) if self.district else "bao-cao"
        return f"{name}-{self.year}" if self.year else name


@dataclass
class Figure:
    """A figure as found in a sentence, with its character offsets there.

    ``end`` closes the number, ``unit_end`` what belongs to it (unit, ``%``, ``% kế hoạch``);
    a percentage alone has ``is_percent`` and its figure in ``percent``.
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


# -- sentences ---------------------------------------------------------------------------------


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a report; hard-wrapped lines are joined, ``|`` separates like a full stop."""
    sentences: list[Sentence] = []
    for index, paragraph in enumerate(_paragraphs(text)):
        for piece in re.split(r"(?<=[.!?…])\s+|\s*\|\s*", paragraph):
            piece = piece.strip()
            if not piece:
                continue
            if sentences and sentences[-1].paragraph == index and piece[:1].islower():
                last = sentences.pop()
                piece = f"{last.text} {piece}"
            sentences.append(Sentence(piece, index))
    return sentences


def _paragraphs(text: str) -> list[str]:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = clean(raw)
        if not line:
            if current:
                paragraphs.append(current)
            current = []
            continue
        if current and current[-1].endswith(_TERMINAL):
            paragraphs.append(current)
            current = []
        current.append(line)
    if current:
        paragraphs.append(current)
    return [" ".join(lines) for lines in paragraphs]


# -- figures -----------------------------------------------------------------------------------


def find_figures(sentence: str, units: Sequence[tuple[str, ...]] = (),
                 stopwords: frozenset[str] = frozenset()) -> list[Figure]:
    """The figures of one sentence, percentages joined to the figure they qualify.

    Dates, times, years, document numbers (``34/CT-TW``) and numbers that name rather than
    count (``Quận 1``, ``lần thứ 5``, ``mức độ 4``, ``Covid-19``, ages) are not figures.
    ``units`` are known unit phrases as accent-free word tuples, longest tried first;
    ``stopwords`` (lower-case, with their diacritics) never start a unit.
    """
    figures: list[Figure] = []
    named_end = -1
    for match in _NUMBERS.finditer(sentence):
        kind = match.lastgroup
        before, after = sentence[:match.start()], sentence[match.end():]
        if kind in ("date", "doc", "time") or (
                not before.strip() and _LIST_MARKER.match(after)):
            continue
        if _NAMING.search(before) or _AGE_AFTER.match(after) or (
                named_end >= 0 and _LIST_JOIN.match(sentence[named_end:match.start()])):
            named_end = match.end()
            continue
        named_end = -1
        figure = _read_figure(match, sentence, units, stopwords)
        if figure is not None:
            figures.append(figure)
    return _join_figures(figures, sentence)


def _read_figure(match: re.Match[str], sentence: str, units: Sequence[tuple[str, ...]],
                 stopwords: frozenset[str]) -> Figure | None:
    kind = match.lastgroup
    before, after = sentence[:match.start()], sentence[match.end():]
    end = match.end()
    if kind == "money":
        value = _money_value(match["bn"], match["mn"])
        unit_match = re.match(r"\s*đồng\b", after)
        unit = "tỷ đồng"
        unit_end = end + (unit_match.end() if unit_match else 0)
        figure = Figure(match.start(), end, unit_end, sentence[match.start():unit_end], value,
                         unit=unit)
    elif kind == "ratio":
        if _DAY_BEFORE.search(before):
            return None
        figure = Figure(match.start(), end, end, match.group(), match["num"], of=match["den"])
        if _YEAR.match(figure.value or "") and _YEAR.match(figure.of or ""):
            return None
    elif kind == "range":
        if _YEAR.match(match["lo"]) and _YEAR.match(match["hi"]):
            return None
        figure = Figure(match.start(), end, end, match.group(),
                         f"{match['lo']} - {match['hi']}")
    else:
        if _YEAR.match(match.group()):
            return None
        figure = Figure(match.start(), end, end, match.group(), match.group())
    if figure.unit is None:
        _read_unit(figure, sentence, units, stopwords)
    for bound, pattern in _BOUND_BEFORE.items():
        if pattern.search(before):
            figure.bound = bound
    if _AT_LEAST_AFTER.match(after):
        figure.bound = "at_least"
    figure.estimate = bool(_ESTIMATE.search(_clause_before(sentence, match.start())))
    return figure


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
        rest = sentence[figure.unit_end:]
        plan = _PERCENT_OF.match(rest)
        if plan:
            written = plan.group(1)
            figure.percent_of = "kế hoạch" if written.upper() == "KH" else written.lower()
            figure.unit_end += plan.end()
        return
    money = _MONEY_UNIT.match(after)
    if money:
        figure.unit = money.group(1).lower() + (" đồng" if money.group(2) else "")
        figure.unit_end = figure.end + money.end()
        return
    words = [(m.group(), m.start(), m.end()) for m in _WORDS.finditer(after)]
    # Only words that directly follow, without punctuation or figures between.
    chain: list[tuple[str, int, int]] = []
    previous_end = 0
    for word in words[:6]:
        if after[previous_end:word[1]].strip():
            break
        chain.append(word)
        previous_end = word[2]
    chain_keys = tuple(fold(w) for w, _, _ in chain)
    size = next((len(u) for u in units if chain_keys[:len(u)] == u), 0)
    plain = [signature(w) for w, _, _ in chain]
    if not size and chain:
        if plain[0] in _TIME_UNITS:
            size = 1
        elif plain[0] not in stopwords | _BOUND_WORDS:
            size = 2 if len(chain) > 1 and plain[1] not in stopwords | _BOUND_WORDS else 1
    if size:
        stop = chain[size - 1][2]
        per = _PER_UNIT.match(after[stop:])
        if per:
            stop += per.end()
        figure.unit = after[chain[0][1]:stop]
        figure.unit_end = figure.end + stop


def _join_figures(figures: list[Figure], sentence: str) -> list[Figure]:
    """Attach percentages, plans and the individuals beside collectives to their figure."""
    joined: list[Figure] = []
    award_sentence = any(cue in sentence.lower() for cue in _AWARD_CUES)
    for figure in figures:
        last = joined[-1] if joined else None
        between = sentence[last.unit_end:figure.start] if last else ""
        if last is not None and ";" not in between:
            if (figure.is_percent and last.value is not None and last.percent is None
                    and not last.is_percent and _JOIN_PERCENT.match(between)):
                last.percent, last.percent_of = figure.percent, figure.percent_of
                last.written = sentence[last.start:figure.unit_end]
                continue
            if (not figure.is_percent and last.of is None and last.value is not None
                    and _PLAN_BEFORE.search(sentence[:figure.start])
                    and len(between) <= 40):
                last.of = figure.value
                continue
            if (_is_count(figure) and _is_count(last) and _LIST_JOIN.match(between or ",")
                    and (award_sentence or (last.unit in _HONOURED
                                            and figure.unit in _HONOURED))):
                last.also.append(Amount(figure.value or "", figure.unit or ""))
                last.written = sentence[last.start:figure.unit_end]
                last.unit_end = figure.unit_end
                continue
        joined.append(figure)
    return joined


def _is_count(figure: Figure) -> bool:
    return (not figure.is_percent and figure.percent is None and figure.of is None
            and figure.unit is not None and parse_vn_number(figure.value or "") is not None)


def _clause_before(sentence: str, position: int) -> str:
    return sentence[_last_break(sentence, position, _CLAUSE_BREAK):position]


# -- the report --------------------------------------------------------------------------------


def ingest(text: str, kb: KnowledgeBase, district: District | None = None,
           date: dt.date | None = None, report: str = "") -> Draft:
    """Read a report into a draft: proposed district, date and year, and candidate facts.

    ``district`` and ``date`` override what the text shows. Figures whose metric cannot be
    guessed are kept in ``unrecognised``.
    """
    reader = _Reader(kb)
    sentences = split_sentences(text)
    date = date or propose_date(text)
    district = district or propose_district(text, kb)
    year = main_year(sentences, date)
    found: list[Candidate] = []
    for index, sentence in enumerate(sentences):
        found.extend(reader.candidates(sentence, sentences[:index], year))
    return Draft(
        district=district, date=date, year=year, report=report,
        candidates=tuple(c for c in found if c.metric is not None),
        unrecognised=tuple(c for c in found if c.metric is None),
    )


class _SentenceMetrics:
    """Scores metrics by how much of their phrasing a report sentence's words cover.

    Each metric phrase (label or synonym, abbreviations expanded) is a bag of accent-free words
    weighted by rarity across the vocabulary; a question word may match a phrase word exactly or,
    for longer words, by a close fuzzy ratio (typos).
    """

    def __init__(self, metrics: dict[str, Metric], expand: Expander):
        self.phrases: list[tuple[Metric, tuple[str, ...]]] = []
        for metric in metrics.values():
            for phrase in dict.fromkeys((metric.label, *metric.synonyms)):
                words = expand(keys(phrase))
                if words:
                    self.phrases.append((metric, words))
        per_word: dict[str, set[str]] = defaultdict(set)
        for metric, words in self.phrases:
            for word in words:
                per_word[word].add(metric.id)
        self.weights = {w: math.log(1 + len(metrics) / len(ids)) for w, ids in per_word.items()}
        self.words = sorted(self.weights)

    def match(self, query_words: list[str]) -> tuple[MetricMatch, ...]:
        """Metrics whose phrasing the words cover, best first (only the close contenders)."""
        similarity = self._similarity(query_words)
        best: dict[str, MetricMatch] = {}
        for metric, words in self.phrases:
            total = sum(self.weights[w] for w in words)
            found = sum(self.weights[w] * similarity.get(w, 0.0) for w in set(words))
            coverage = found / total if total else 0.0
            hits = [w for w in set(words) if similarity.get(w)]
            # One short word found ("đô" of "sổ đỏ") is not enough to name a metric.
            if coverage < _MIN_COVERAGE or (len(hits) < min(len(set(words)), 2)
                                            and len(hits[0]) < 4):
                continue
            score = found * coverage
            if metric.id not in best or score > best[metric.id].score:
                best[metric.id] = MetricMatch(metric, score, coverage, frozenset(hits))
        ranked = sorted(best.values(), key=lambda m: -m.score)
        return tuple(ranked)

    def known_word(self, word: str) -> bool:
        """True when a word belongs to some metric's phrasing."""
        return word in self.weights

    def _similarity(self, query_words: list[str]) -> dict[str, float]:
        similarity: dict[str, float] = {}
        for word in query_words:
            if word in self.weights:
                similarity[word] = 1.0
            elif len(word) >= 4 and word.isalpha():
                for found, score, _ in process.extract(
                        word, self.words, scorer=fuzz.ratio, score_cutoff=_TOKEN_FUZZY_CUTOFF,
                        limit=3):
                    if len(found) >= 4:
                        similarity[found] = max(similarity.get(found, 0.0), 0.9 * score / 100)
        return similarity


class _Reader:
    """Guesses the metric, year and kind of the figures of a sentence."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        lexicon = lexicon_of(kb)
        self.expand = lexicon.expand
        figures = {f.metric for f in kb.facts if f.kind in FIGURE_KINDS}
        self.matcher = _SentenceMetrics(
            {k: m for k, m in kb.metrics.items() if k in figures}, lexicon.expand)
        self.stopwords = lexicon.stopwords | _REPORT_STOPWORDS
        self.plain_stopwords = frozenset(signature(w) for w in kb.vocabulary.stopwords
                                         if " " not in w)
        known = {fold(u) for f in kb.facts for u in (f.unit, *(a.unit for a in f.also)) if u}
        self.units = sorted(
            {tuple(u.split()) for u in known if re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+)*", u)},
            key=len, reverse=True)

    def candidates(self, sentence: Sentence, earlier: Sequence[Sentence],
                   main: int | None) -> list[Candidate]:
        text = sentence.text
        figures = find_figures(text, self.units, self.plain_stopwords)
        lowered = text.lower()
        same_paragraph = [s.text for s in earlier if s.paragraph == sentence.paragraph]
        paragraph_so_far = " ".join(same_paragraph).lower()
        # "Trong đó, … đạt 100%" details the sentence before: its words name the metric.
        continues = same_paragraph and _CONTINUES.match(text)
        previous = same_paragraph[-1] if continues else ""
        target = any(_sets_targets(t, main) for t in (*same_paragraph, text))
        out = []
        for i, figure in enumerate(figures):
            previous_end = figures[i - 1].unit_end if i else 0
            next_start = figures[i + 1].start if i + 1 < len(figures) else len(text)
            honoured = figure.unit in _HONOURED and any(c in lowered for c in _AWARD_CUES)
            metric = self._metric(text, figure, previous_end, next_start, honoured, previous)
            award = honoured or (metric is not None
                                 and self.kb.metrics[metric].topic == _AWARD_TOPIC)
            kind = "target" if target and not award else "award" if award else "result"
            out.append(Candidate(
                sentence=text, written=figure.written,
                year=_figure_year(text, figure, main, kind, paragraph_so_far),
                kind=kind, metric=metric, value=figure.value, unit=figure.unit,
                percent=figure.percent, percent_of=figure.percent_of, of=figure.of,
                bound=figure.bound, estimate=figure.estimate, also=tuple(figure.also),
            ))
        return out

    def _metric(self, text: str, figure: Figure, previous_end: int, next_start: int,
                honoured: bool, previous_sentence: str) -> str | None:
        """The metric whose phrasing is nearest the figure.

        A figure is usually followed by what it counts (``2.150 thẻ BHYT cho người nghèo``) or
        preceded by its label (``Tổng thu ngân sách 1.234,5 tỷ đồng``): the words after it in
        its clause are read first, then those before it, nearest first, and a whole phrase of
        the vocabulary is preferred to part of one; a sentence that details the one before
        (``Trong đó, … đạt 100%``) borrows its words.
        """
        # Units of honour (tập thể, cá nhân) say nothing of the award; other units do.
        honour_unit = figure.unit in _HONOURED
        words_from = figure.unit_end if figure.is_percent or honour_unit else figure.end
        hard_start = max(previous_end, _last_break(text, figure.start, _HARD_BREAK))
        hard_end = min(next_start, _next_break(text, words_from, _HARD_BREAK))
        soft_start = max(hard_start, _last_break(text, figure.start, _CLAUSE_BREAK))
        soft_end = min(hard_end, _next_break(text, words_from, _CLAUSE_BREAK))
        after = _words(text[words_from:soft_end])
        before = _words(text[hard_start:figure.start])[::-1]
        near_before = _words(text[soft_start:figure.start])
        attempts = (
            lambda: self._nearest(after, (), honoured),
            lambda: self._nearest(before, after, honoured),
            lambda: self._best(after, honoured),
            lambda: self._best([*near_before, *after], honoured),
            lambda: self._nearest(_words(text[words_from:hard_end]), (), honoured),
            lambda: self._best([*before, *_words(text[words_from:hard_end])], honoured),
            lambda: self._best(_words(previous_sentence), honoured),
        )
        for attempt in attempts:
            found = attempt()
            if found is not None:
                return found.metric.id
        return None

    def _best(self, words: Sequence[str], honoured: bool) -> MetricMatch | None:
        matches = self._match(words, honoured)
        return matches[0] if matches else None

    def _nearest(self, words: Sequence[str], fixed: Sequence[str],
                 honoured: bool) -> MetricMatch | None:
        """Grow through ``words`` (nearest first) until a whole phrase of a metric is covered.

        A few more words are still read after the first whole phrase, so ``bằng khen`` grows
        into ``bằng khen Thủ tướng``.
        """
        best: MetricMatch | None = None
        content = 0
        stop_at: int | None = None
        for size in range(1, len(words) + 1):
            if words[size - 1] not in self.stopwords:
                content += 1
            if stop_at is not None and content > stop_at:
                break
            matches = self._match([*fixed, *words[:size]], honoured)
            if any(m.coverage >= _WHOLE for m in matches):
                if best is None or matches[0].score > best.score:
                    best = matches[0]
                if stop_at is None:
                    stop_at = content + _GROW_AFTER_WHOLE
        return best

    def _match(self, words: Sequence[str], honoured: bool) -> list[MetricMatch]:
        expanded = list(self.expand(words))
        matches = list(self.matcher.match(expanded)) if expanded else []
        if honoured:
            matches = [m for m in matches if m.metric.topic == _AWARD_TOPIC] or matches
        return sorted(matches, key=lambda m: -m.score)


def _words(text: str) -> list[str]:
    return list(keys(text))


def _last_break(text: str, position: int, pattern: re.Pattern[str]) -> int:
    return max((m.end() for m in pattern.finditer(text, 0, position)), default=0)


def _next_break(text: str, position: int, pattern: re.Pattern[str]) -> int:
    found = pattern.search(text, position)
    return found.start() if found else len(text)


def _years_in(text: str) -> list[tuple[int, int]]:
    """Positions and values of the years a text names (not inside dates or document numbers)."""
    return [(m.start(), int(m.group())) for m in _NUMBERS.finditer(text)
            if m.lastgroup == "number" and _YEAR.match(m.group())]


def _sets_targets(text: str, main: int | None) -> bool:
    """True for a sentence that sets targets (``phấn đấu``, or a launch for a later year)."""
    lowered = text.lower()
    if any(cue in lowered for cue in _TARGET_CUES):
        return True
    return _LAUNCH_CUE in lowered and main is not None and any(
        y > main for _, y in _years_in(text))


def _figure_year(text: str, figure: Figure, main: int | None, kind: str,
                 paragraph_so_far: str) -> int | None:
    """The year a figure is about: named in its clause, or before it in its sentence.

    Otherwise a target is for the latest year its paragraph names (or the year after the
    report's), and a result or an award is about the report's year (awards handed over at a
    ceremony honour the year reviewed).
    """
    # "tăng 8,2% so với cùng kỳ năm 2022": the year compared with is not the figure's.
    years = [(p, y) for p, y in _years_in(text)
             if not _COMPARED_WITH.search(text[max(0, p - 30):p])]
    start = _last_break(text, figure.start, _CLAUSE_BREAK)
    end = _next_break(text, figure.unit_end, _CLAUSE_BREAK)
    in_clause = [(p, y) for p, y in years if start <= p < end]
    if in_clause:
        preceding = [y for p, y in in_clause if p < figure.start]
        return preceding[-1] if preceding else in_clause[0][1]
    before = [y for p, y in years if p < figure.start]
    if before and kind != "award":
        return before[-1]
    if kind == "target":
        later = [y for _, y in _years_in(paragraph_so_far) if main is None or y > main]
        if later:
            return max(later)
        return main + 1 if main else None
    return main


def main_year(sentences: Sequence[Sentence], date: dt.date | None) -> int | None:
    """The year a report is about: the year it names most, not after its date.

    Reports published in the first half of a year usually review the year before, so then
    earlier years are preferred.
    """
    counts = Counter(y for s in sentences for _, y in _years_in(s.text))
    if date is not None:
        counts = Counter({y: n for y, n in counts.items() if y <= date.year})
        earlier = Counter({y: n for y, n in counts.items() if y < date.year})
        if date.month <= 6 and earlier:
            counts = earlier
    if not counts:
        return date.year if date else None
    return max(counts, key=lambda y: (counts[y], y))


def propose_date(text: str) -> dt.date | None:
    """The report's date: its publication date, a dated header, or its first date in the text.

    Dates of cited documents (``Chỉ thị 05-CT/TW ngày 15/5/2016``) are skipped.
    """
    flat = clean(text)
    for pattern in (_POSTED, _WEEKDAY):
        match = pattern.search(flat)
        if match and (found := _to_date(match.group(1))):
            return found
    for match in _FULL_DATE.finditer(flat):
        if _DOC_REF.search(flat[max(0, match.start() - 40):match.start()]):
            continue
        if found := _to_date(match.group()):
            return found
    return None


def _to_date(written: str) -> dt.date | None:
    match = _FULL_DATE.fullmatch(written)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def propose_district(text: str, kb: KnowledgeBase) -> District | None:
    """The former district a report is about: the one it names most with its type word.

    Same-named districts are told apart by the provinces the text names; None when the text
    names no district, or several equally.
    """
    gazetteer = kb.gazetteer
    mentions = gazetteer.find(tokenize(text))
    district_words = {k for k, t in gazetteer.type_words.items() if t in DISTRICT_TYPES}
    typed = [m for m in mentions if m.districts and any(
        keys(m.typed)[:len(w)] == w for w in district_words)]
    chosen = typed or [m for m in mentions if m.districts]
    if not chosen:
        return None
    province_names = {name for m in mentions for p in m.provinces
                      for name in (p.name, p.now, *p.absorbed) if name}
    counts: Counter[District] = Counter()
    for mention in chosen:
        options = [d for d in mention.districts if d.province in province_names]
        options = options or list(mention.districts)
        if len(options) == 1:
            counts[options[0]] += 1
    if not counts:
        return None
    ranked = counts.most_common(2)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def resolve_district(name: str, kb: KnowledgeBase) -> District:
    """The former district a curator names (``Hoàng Mai``, ``Quận 1``, ``Châu Thành, Long An``).

    Raises ``ValueError`` with the reason when the name is unknown or ambiguous.
    """
    mentions = kb.gazetteer.find(tokenize(name))
    found = list(dict.fromkeys(d for m in mentions for d in m.districts))
    provinces = {n for m in mentions for p in m.provinces for n in (p.name, p.now, *p.absorbed)
                 if n}
    if provinces:
        found = [d for d in found if d.province in provinces] or found
    if not found:
        raise ValueError(f"no former district is named {name!r}")
    if len(found) > 1:
        options = "; ".join(f"{d.name} ({d.province})" for d in found[:6])
        raise ValueError(f"{name!r} names several districts: {options}; add the province")
    return found[0]


# -- the draft file ----------------------------------------------------------------------------


def draft_yaml(draft: Draft) -> str:
    """The draft as a facts file to edit: each candidate after the sentence it came from.

    Unrecognised figures follow under ``unrecognised:`` with ``metric: null``.
    """
    source = draft.source_id
    district = draft.district
    lines = [
        f"# Bản nháp từ {draft.report or 'báo cáo'} (thidua kb ingest): đối chiếu từng số liệu "
        "với báo cáo, sửa metric/năm/loại,",
        "# rồi chép vào knowledge/data/facts/ và chạy `thidua kb validate`.",
        f"# Ngày của báo cáo (đề xuất, cho sources.yaml): "
        f"{draft.date.isoformat() if draft.date else 'không thấy trong văn bản'}",
        f"source: {source}",
    ]
    if district is None:
        lines += ["unit: null  # không nhận ra đơn vị: ghi tên đầy đủ như trong gazetteer",
                  "province: null"]
    else:
        province = district.province.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        lines += [f"unit: {_q(district.name)}", f"province: {_q(province)}"]
    ids: Counter[str] = Counter()
    lines.append("facts:" if draft.candidates else "facts: []")
    for candidate in draft.candidates:
        lines += _entry(candidate, _unique(f"{source}-{candidate.metric}".replace("_", "-"), ids))
    lines.append("unrecognised:" if draft.unrecognised else "unrecognised: []")
    for candidate in draft.unrecognised:
        lines += _entry(candidate, _unique(f"{source}-so-lieu", ids))
    return "\n".join(lines) + "\n"


def _unique(base: str, ids: Counter[str]) -> str:
    ids[base] += 1
    return base if ids[base] == 1 else f"{base}-{ids[base]}"


def _entry(candidate: Candidate, fact_id: str) -> list[str]:
    metric = (candidate.metric if candidate.metric
              else "null  # chưa nhận ra chỉ số: chọn một id trong metrics.yaml")
    lines = [f"  # {candidate.sentence}",
             f"  - id: {fact_id}",
             f"    year: {candidate.year if candidate.year else 'null'}",
             f"    kind: {candidate.kind}",
             f"    metric: {metric}"]
    for name in ("value", "of", "unit", "percent", "percent_of", "bound"):
        value = getattr(candidate, name)
        if value is not None:
            lines.append(f"    {name}: {_q(value)}")
    if candidate.estimate:
        lines.append("    estimate: true")
    if candidate.also:
        lines.append("    also:")
        lines += [f"      - {{value: {_q(a.value)}, unit: {_q(a.unit)}}}" for a in candidate.also]
    return lines


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


# -- measuring against the curated facts -------------------------------------------------------


@dataclass(frozen=True)
class ReportScore:
    """How one report's draft compares with the curated facts of that report."""

    report: str
    district: str | None
    source: str | None
    curated: int
    value_hits: int
    metric_hits: int
    candidates: int
    matched_candidates: int
    missed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """Scores of every report and their totals."""

    reports: tuple[ReportScore, ...]

    @property
    def curated(self) -> int:
        """Curated figure facts of the matched reports."""
        return sum(r.curated for r in self.reports)

    @property
    def value_recall(self) -> float:
        """Share of curated figure facts proposed with the right value."""
        return _ratio(sum(r.value_hits for r in self.reports), self.curated)

    @property
    def metric_recall(self) -> float:
        """Share of curated figure facts proposed with the right value and metric."""
        return _ratio(sum(r.metric_hits for r in self.reports), self.curated)

    @property
    def precision(self) -> float:
        """Share of candidates that are some curated fact."""
        return _ratio(sum(r.matched_candidates for r in self.reports),
                      sum(r.candidates for r in self.reports))


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate(reports: Iterable[tuple[str, str]], kb: KnowledgeBase) -> Evaluation:
    """Ingest each ``(name, text)`` report and compare its candidates with the curated facts.

    The curated report is the source with facts about the proposed district, closest in date
    (or, with no district, the source of that date). A curated figure fact (one with a value or
    a percent) is found when a candidate proposes the same value, or the same percent when the
    fact has only a percent; candidates and facts are paired one to one, so a figure found
    once counts once. Precision is the share of all candidates (unrecognised ones included)
    paired with a curated fact.
    """
    scores = []
    for name, text in reports:
        draft = ingest(text, kb, report=name)
        source = _curated_source(draft, kb)
        facts = [f for f in kb.facts if source and f.source.id == source
                 and (f.value is not None or f.percent is not None)]
        candidates = [*draft.candidates, *draft.unrecognised]
        by_value = _pairs(facts, candidates, strict=False)
        by_metric = _pairs(facts, candidates, strict=True)
        scores.append(ReportScore(
            report=name, district=draft.district.name if draft.district else None,
            source=source, curated=len(facts), value_hits=len(by_value),
            metric_hits=len(by_metric), candidates=len(candidates),
            matched_candidates=len(set(by_value.values())),
            missed=tuple(f.id for i, f in enumerate(facts) if i not in by_value),
        ))
    return Evaluation(tuple(scores))


def _curated_source(draft: Draft, kb: KnowledgeBase) -> str | None:
    sources = {f.source for f in kb.facts
               if draft.district is not None and f.place == draft.district}
    if not sources and draft.date is not None:
        sources = {s for s in kb.sources.values() if s.date == draft.date}
    if not sources:
        return None
    reference = draft.date or (dt.date(draft.year, 12, 31) if draft.year else None)
    if reference is None:
        return min(sources, key=lambda s: s.id).id if len(sources) == 1 else None
    return min(sources, key=lambda s: (abs((s.date - reference).days), s.id)).id


def _same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a.replace(" ", "") == b.replace(" ", ""):
        return True
    x, y = parse_vn_number(a), parse_vn_number(b)
    return x is not None and x == y


def _found(fact: Fact, candidate: Candidate) -> bool:
    if fact.value is not None:
        return _same(fact.value, candidate.value)
    return _same(fact.percent, candidate.percent)


def _pairs(facts: Sequence[Fact], candidates: Sequence[Candidate],
           strict: bool) -> dict[int, int]:
    """A largest one-to-one pairing of facts with candidates that found them (fact → cand)."""
    edges = [[j for j, c in enumerate(candidates)
              if _found(f, c) and (not strict or c.metric == f.metric)] for f in facts]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(facts)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def evaluation_text(evaluation: Evaluation) -> str:
    """The evaluation as a table: recall and precision per report and in total."""
    rows = ["report                      district             curated  value recall  "
            "value+metric  precision"]
    for r in evaluation.reports:
        rows.append(
            f"{r.report[:27]:<27} {(r.district or '(none)')[:20]:<20} {r.curated:>7}  "
            f"{_share(r.value_hits, r.curated):>12}  {_share(r.metric_hits, r.curated):>12}  "
            f"{_share(r.matched_candidates, r.candidates):>9}")
        if r.source is None:
            rows.append("    no curated report matched (district and date not found)")
        elif r.missed:
            rows.append(f"    missed: {', '.join(r.missed)}")
    hits = sum(r.value_hits for r in evaluation.reports)
    strict = sum(r.metric_hits for r in evaluation.reports)
    matched = sum(r.matched_candidates for r in evaluation.reports)
    total = sum(r.candidates for r in evaluation.reports)
    rows.append(
        f"{'total':<27} {'':<20} {evaluation.curated:>7}  "
        f"{_share(hits, evaluation.curated):>12}  {_share(strict, evaluation.curated):>12}  "
        f"{_share(matched, total):>9}")
    rows.append(f"value recall {evaluation.value_recall:.1%} ({hits}/{evaluation.curated}), "
                f"value and metric {evaluation.metric_recall:.1%} ({strict}/{evaluation.curated}),"
                f" precision {evaluation.precision:.1%} ({matched}/{total} candidates)")
    return "\n".join(rows)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} {_ratio(part, whole):.0%}"


__all__ = [
    "Candidate",
    "Draft",
    "Evaluation",
    "ReportScore",
    "draft_yaml",
    "evaluate",
    "evaluation_text",
    "find_figures",
    "ingest",
    "main_year",
    "propose_date",
    "propose_district",
    "resolve_district",
    "split_sentences",
]
