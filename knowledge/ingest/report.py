"""Reading a report into a draft: its unit, date and source, and candidate facts with kind and year.

A figure is a target when it is for a year after the one the report reviews, or when it stands
in the clause or list of a target cue ("phấn đấu", "mục tiêu", "chỉ tiêu … năm 2026", "kế hoạch
năm 2026", a heading of term targets); an honour is an award; everything else is a result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.ingest.figures import (
    AWARD_CUES,
    CLAUSE_BREAK,
    HARD_BREAK,
    HONOURED,
    NUMBERS,
    Figure,
    find_figures,
    last_break,
    next_break,
)
from knowledge.ingest.header import WEEKDAY, propose_date, propose_unit, review_year, years_in
from knowledge.ingest.layout import Sentence, split_sentences
from knowledge.ingest.metrics import AWARD_TOPIC, MetricProposer, Proposal, measure_of
from knowledge.model import Amount, Place
from knowledge.text import fold, keys, signature, tokenize

# Cues that set targets within their clause (or the list they introduce).
_TARGET_CUE = re.compile(r"\b(?:phấn đấu|mục tiêu|đặt ra chỉ tiêu|đặt chỉ tiêu|dự kiến)\b",
                         re.IGNORECASE)
# "chỉ tiêu" and "kế hoạch" set targets only for a later year: "chỉ tiêu năm 2026", "năm sau".
_PLAN_CUE = re.compile(r"\b(?:chỉ tiêu|kế hoạch|phương hướng|nhiệm vụ)\b", re.IGNORECASE)
_LATER = re.compile(r"\b(?:năm sau|năm tới|nhiệm kỳ tới|giai đoạn tới)\b", re.IGNORECASE)
# Achieved goals and counts so far are results: "hoàn thành các mục tiêu", "đến nay", "đã …".
_ACHIEVED = re.compile(r"\b(?:hoàn thành|đạt được|đạt|vượt|thực hiện|đã)\s+(?:\S+\s+){0,2}$",
                       re.IGNORECASE)
_SO_FAR = re.compile(r"\b(?:đến nay|tới nay|hiện nay|lũy kế)\b", re.IGNORECASE)
_REVIEWED = re.compile(r"\b(?:kết quả|tổng kết|đánh giá|sơ kết)\b", re.IGNORECASE)
# A ';' item of a target list that reports what was done instead.
_RESULT_ITEM = re.compile(rf"{_SO_FAR.pattern}|{_REVIEWED.pattern}|\b(?:đã|đạt được)\b",
                          re.IGNORECASE)
_ITEM_BREAK = re.compile(";")
_TERM = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})(?!\d)")
_GROWTH = re.compile(r"\b(?:tăng|giảm)\s*(?:trưởng\s*)?(?:thêm\s*)?(?:trên|gần|khoảng|hơn)?\s*$",
                     re.IGNORECASE)
# Verbs that confer an honour on the ones a figure after them counts.
_CONFERS = re.compile(r"\b(?:tặng|trao|khen thưởng|tuyên dương)\b", re.IGNORECASE)
_PERCENT_VERB = re.compile(r"\b(?:đạt|bằng|chiếm|là|hoàn thành)\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^()]*\)")
_CONTINUES = re.compile(r"^(?:trong đó|cụ thể|riêng|bao gồm)\b", re.IGNORECASE)
_BYLINE = re.compile(r"^([A-ZĐ][^\W\d_]*\.?(?:\s+[A-ZĐ][^\W\d_]*\.?){0,4})\s*[-–|,]?\s*"
                     r"\d{1,2}[/-]\d{1,2}[/-]\d{4}")
_SOURCE_LINE = re.compile(r"\b(?:nguồn|tác giả|theo)\s*:\s*(.{3,80}?)\s*\.?$", re.IGNORECASE)
_NO_AUTHOR = "không ghi tác giả"
# A news credit before the lead: "(QNO) - Sáng 10/1", "(CMO) Ngày 18-12", "SGGPO - Sáng 15/12".
_NEWS_CREDIT = re.compile(r"(?:^|\s)\(([A-ZĐ]{2,8})\)\s*[-–]\s|^\(([A-ZĐ]{2,8})\)\s*(?=[A-ZĐ])"
                          r"|^([A-ZĐ]{2,8})\s+[-–]\s")
# A paper named on a line of its own: "Báo Thanh Hóa", "Theo báo Quảng Nam".
_PAPER_LINE = re.compile(r"^(?:[Tt]heo\s+)?((?:[Bb]áo|[Tt]ạp chí)\s+[A-ZĐ][^\W\d_]*"
                         r"(?:\s+[A-ZĐ][^\W\d_]*){0,4})\s*\.?$")


@dataclass(frozen=True, slots=True)
class NewMetric:
    """A metric the vocabulary lacks, proposed for a curator to review."""

    id: str
    label: str
    topic: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A figure found in a report, shaped like a fact, for a curator to accept or fix.

    Values are written as the report writes them (``"4.670,8"``, ``"02"``, ``"10 - 11"``, a
    count in words ``"ba"``, whose digits are in ``numeral``). ``metric`` is an existing metric
    id, or None with ``new_metric`` proposed instead.
    """

    sentence: str
    written: str
    year: int | None
    kind: str
    metric: str | None
    new_metric: NewMetric | None = None
    value: str | None = None
    numeral: str | None = None
    unit: str | None = None
    percent: str | None = None
    percent_of: str | None = None
    of: str | None = None
    bound: str | None = None
    estimate: bool = False
    also: tuple[Amount, ...] = ()

    @property
    def metric_id(self) -> str:
        """The existing or the proposed metric's id."""
        return self.metric or (self.new_metric.id if self.new_metric else "")


@dataclass(frozen=True, slots=True)
class SourceProposal:
    """The report as a source to cite: id, title, publisher or author, date, address."""

    id: str
    title: str
    publisher: str
    date: dt.date | None
    url: str | None = None


@dataclass(frozen=True)
class Draft:
    """What a report yields: its unit, date, year reviewed and source, and the candidates.

    ``unit`` is None when the text names no unit or a name several units share (then
    ``unit_name`` and ``unit_options``).
    """

    unit: Place | None
    unit_name: str | None
    date: dt.date | None
    year: int | None
    source: SourceProposal
    candidates: tuple[Candidate, ...]
    report: str = ""
    unit_options: tuple[Place, ...] = ()

    @property
    def new_metrics(self) -> tuple[NewMetric, ...]:
        """The new metrics the candidates propose, each once."""
        return tuple(dict.fromkeys(c.new_metric for c in self.candidates if c.new_metric))


def ingest(text: str, kb: KnowledgeBase, unit: Place | None = None,
           date: dt.date | None = None, report: str = "") -> Draft:
    """Read a report's text into a draft; ``unit`` and ``date`` override what the text shows."""
    sentences = split_sentences(text)
    year = review_year(sentences, date)
    date = date or propose_date(text, year)
    if date is not None:
        year = review_year(sentences, date)
    guess = None if unit else propose_unit(text, kb.gazetteer, date, report)
    place = unit or (guess.place if guess else None)
    reader = _Reader(kb, year)
    found: list[Candidate] = []
    governing: int | None = None
    for index, sentence in enumerate(sentences):
        governing = reader.governing_year(sentence, governing)
        found.extend(reader.candidates(sentence, sentences[index - 1] if index else None,
                                       governing if sentence.role != "prose" else None))
    candidates = _without_headline_repeats(found, sentences)
    name = place.name if place else guess.name if guess else None
    options = guess.options if guess and not unit else ()
    return Draft(
        unit=place, unit_name=name, date=date, year=year, report=report, unit_options=options,
        source=_source(sentences, place, name, options, year, date, kb),
        candidates=tuple(candidates),
    )


def _without_headline_repeats(found: list[Candidate], sentences: Sequence[Sentence]) -> list[
        Candidate]:
    """Drop the figures of a headline that the body gives again (often rounded)."""
    first_prose = next((s.block for s in sentences if s.role == "prose"), None)
    top = {s.text for s in sentences if s.role == "heading" and first_prose is not None
           and s.block < first_prose}
    body = [c for c in found if c.sentence not in top]
    repeated = {(c.metric_id, c.year) for c in body} | {c.value for c in body if c.value}
    return [c for c in found if c.sentence not in top
            or ((c.metric_id, c.year) not in repeated and c.value not in repeated)]


class _Reader:
    """Finds the figures of each sentence and proposes their metric, kind and year."""

    def __init__(self, kb: KnowledgeBase, year: int | None):
        self.kb = kb
        self.year = year
        self.proposer = MetricProposer(kb)
        self.stopwords = frozenset(signature(w) for w in kb.vocabulary.stopwords if " " not in w)
        known = {fold(u) for f in kb.facts for u in (f.unit, *(a.unit for a in f.also)) if u}
        self.units = sorted(
            {tuple(u.split()) for u in known if re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+)*", u)},
            key=len, reverse=True)

    def governing_year(self, sentence: Sentence, governing: int | None) -> int | None:
        """The target year a heading or a lead-in ending with ':' sets for the list below it.

        A heading that names targets ("CÁC CHỈ TIÊU … NHIỆM KỲ 2020-2025") governs the list
        items and sub-headings after it, until a paragraph of prose.
        """
        if sentence.role == "prose" and not sentence.text.endswith(":"):
            return None
        if sentence.role == "item" and not sentence.text.endswith(":"):
            return governing
        text = sentence.text
        if _REVIEWED.search(text) and not _TARGET_CUE.search(text):
            return None if sentence.role == "heading" else governing
        later = self._later_year(text)
        if _TARGET_CUE.search(text) or (_PLAN_CUE.search(text) and later is not None):
            return later or (self.year + 1 if self.year else None)
        return governing

    def _later_year(self, text: str, terms: bool = True) -> int | None:
        """The latest year after the reviewed one that a text names.

        With ``terms``, a term's last year counts too, from the reviewed year on (a heading of
        the targets of a term written in its first or last year).
        """
        years = [y for _, y in years_in(text) if self.year is None or y > self.year]
        if terms:
            years += [int(m.group(2)) for m in _TERM.finditer(text)
                      if self.year is None or int(m.group(2)) >= self.year]
        later = years
        if _LATER.search(text) and self.year:
            later.append(self.year + 1)
        return max(later) if later else None

    def candidates(self, sentence: Sentence, previous: Sentence | None,
                   governing: int | None) -> list[Candidate]:
        text = sentence.text
        figures = find_figures(text, self.units, self.stopwords)
        scopes = self._target_scopes(text)
        years = [(p, y, False) for p, y in years_in(text)]
        years += [(m.start(), int(m.group(2)), True) for m in _TERM.finditer(text)
                  if not _in_date(text, m.start())]
        years.sort()
        so_far = _SO_FAR.search(text)
        out = []
        for i, figure in enumerate(figures):
            previous_end = figures[i - 1].unit_end if i else 0
            next_start = figures[i + 1].start if i + 1 < len(figures) else len(text)
            award = self._is_award(text, figure)
            proposal = self._metric(text, figure, previous_end, next_start, award,
                                    figures[i - 1] if i else None, previous)
            award = award or (proposal.metric is not None
                              and self.kb.metrics[proposal.metric].topic == AWARD_TOPIC)
            own_year, from_term, in_clause = _own_year(text, figure, years)
            scope = next((s for s in scopes if s[0] <= figure.start < s[1]), None)
            target = not award and not (so_far and so_far.start() < figure.start) and (
                scope is not None or governing is not None
                or (own_year is not None and not from_term and self.year is not None
                    and own_year > self.year))
            kind = "award" if award else "target" if target else "result"
            year = own_year if in_clause else None
            if year is None and target:
                year = (scope[2] if scope else None) or governing
            year = year or own_year
            if year is None and target and self.year:
                year = self.year + 1
            year = year or self.year
            out.append(Candidate(
                sentence=text, written=figure.written, year=year, kind=kind,
                metric=proposal.metric,
                new_metric=(NewMetric(proposal.new_id or "", proposal.new_label or "",
                                      proposal.topic or "") if proposal.new_id else None),
                value=figure.value, numeral=figure.numeral, unit=figure.unit,
                percent=figure.percent, percent_of=figure.percent_of, of=figure.of,
                bound=figure.bound, estimate=figure.estimate, also=tuple(figure.also),
            ))
        return out

    def _target_scopes(self, text: str) -> list[tuple[int, int, int | None]]:
        """Stretches of a sentence a target cue governs, with the year the cue names.

        A cue governs from the start of its comma clause to the end of its ';' clause, or to the
        end of the sentence when a ':' after it opens a list.
        """
        scopes = []
        cues = [m for m in _TARGET_CUE.finditer(text)]
        cues += [m for m in _PLAN_CUE.finditer(text)
                 if self._later_year(text[m.end():next_break(text, m.end(), HARD_BREAK)],
                                     terms=False) is not None]
        for cue in cues:
            before = text[last_break(text, cue.start(), CLAUSE_BREAK):cue.start()]
            if _ACHIEVED.search(before) or _SO_FAR.search(before):
                continue
            start = last_break(text, cue.start(), CLAUSE_BREAK)
            end = self._target_end(text, cue)
            clause = text[last_break(text, cue.start(), HARD_BREAK):
                          next_break(text, cue.end(), _ITEM_BREAK)]
            scopes.append((start, end, self._later_year(clause, terms=False)))
        return scopes

    def _target_end(self, text: str, cue: re.Match[str]) -> int:
        """Where a target cue's reach ends: its ';' item, the sentence's ':' list, or more items.

        A cue not tied to the year reviewed ("Năm 2026 phấn đấu A; B; C") reaches the items
        after its own, up to one that reports a result ("đã", "đến nay", the year reviewed).
        """
        end = next_break(text, cue.end(), _ITEM_BREAK)
        if ":" in text[cue.end():end]:
            return len(text)
        if self._reviewed_or_earlier(text[:cue.start()]):
            return end
        while end < len(text):
            item_end = next_break(text, end + 1, _ITEM_BREAK)
            item = text[end + 1:item_end]
            if _RESULT_ITEM.search(item) or self._reviewed_or_earlier(item):
                break
            end = item_end
        return end

    def _reviewed_or_earlier(self, text: str) -> bool:
        """Whether a text names the year reviewed or an earlier one as what it is about."""
        return self.year is not None and any(y <= self.year for _, y in years_in(text))

    def _is_award(self, text: str, figure: Figure) -> bool:
        """Whether a figure counts the holders of an honour its clause names.

        Collectives and individuals count as holders; anyone else when the honour is conferred
        on them ("tặng giấy khen cho 15 chi bộ"), never a sum of money.
        """
        start = last_break(text, figure.start, HARD_BREAK)
        clause = text[start:next_break(text, figure.unit_end, HARD_BREAK)].lower()
        if not any(cue in clause for cue in AWARD_CUES):
            return False
        return figure.unit in HONOURED or (
            figure.value is not None and figure.of is None and measure_of(figure.unit) == "count"
            and _CONFERS.search(text, start, figure.start) is not None)

    def _metric(self, text: str, figure: Figure, previous_end: int, next_start: int,
                award: bool, previous_figure: Figure | None,
                previous_sentence: Sentence | None) -> Proposal:
        """The metric whose words stand nearest the figure, in its clause, else its stretch."""
        honour_unit = figure.unit in HONOURED
        words_from = figure.unit_end if figure.is_percent or honour_unit else figure.end
        # "Tốc độ tăng … (giá so sánh năm 2010) đạt 16%": an aside before the figure is skipped.
        text = _PARENTHESES.sub(lambda m: " " * len(m.group()), text[:figure.start]) + text[
            figure.start:]
        hard_start = max(previous_end, last_break(text, figure.start, HARD_BREAK))
        hard_end = min(next_start, next_break(text, words_from, HARD_BREAK))
        soft_start = max(hard_start, last_break(text, figure.start, CLAUSE_BREAK))
        soft_end = min(hard_end, next_break(text, words_from, CLAUSE_BREAK))
        before, after = text[soft_start:figure.start], text[words_from:soft_end]
        if not _content(before) and text[:soft_start].rstrip().endswith(":"):
            # "Bằng khen …: 02 tập thể": the label stands before the colon.
            label_end = text.rindex(":", 0, soft_start)
            before = text[max(hard_start, last_break(text, label_end, HARD_BREAK)):label_end]
        borrowed = None
        own = _PERCENT_VERB.sub("", _GROWTH.sub("", before))
        if figure.is_percent and not _content(own):
            if previous_figure is not None:
                # "…qua đào tạo đạt 78,2%, đạt 100,3% chỉ tiêu", "…9.870 tỷ đồng, tăng 2,66%":
                # a bare percentage after a figure is of the same measure, or its growth.
                if ";" not in text[previous_figure.unit_end:figure.start]:
                    borrowed = text[max(hard_start if previous_end == 0 else 0,
                                        last_break(text, previous_figure.start, HARD_BREAK),
                                        last_break(text, previous_figure.start, CLAUSE_BREAK))
                                    :previous_figure.start]
            elif text[:soft_start].rstrip().endswith(","):
                # "…nhập ngũ, hoàn thành 100% chỉ tiêu": the clause before names the measure.
                clause_end = text.rindex(",", 0, soft_start)
                borrowed = text[last_break(text, clause_end, CLAUSE_BREAK):clause_end]
        if (not _content(before) and previous_sentence is not None
                and _CONTINUES.match(text) and not _content(after)):
            before = previous_sentence.text
        return self.proposer.propose(before, after, award=award, unit=figure.unit,
                                     percent=figure.is_percent, borrowed=borrowed,
                                     growth=bool(_GROWTH.search(before)))


def _own_year(text: str, figure: Figure,
              years: Sequence[tuple[int, int, bool]]) -> tuple[int | None, bool, bool]:
    """The year named in the figure's clause, else before it in its sentence.

    ``years`` are the sentence's (position, year, is a term's last year). Returns the year,
    whether it is a term's last year (``2020-2025``) and whether it stands in the figure's clause.
    """
    start = last_break(text, figure.start, CLAUSE_BREAK)
    end = next_break(text, figure.unit_end, CLAUSE_BREAK)
    in_clause = [y for y in years if start <= y[0] < end]
    if in_clause:
        preceding = [y for y in in_clause if y[0] < figure.start]
        chosen = preceding[-1] if preceding else in_clause[0]
        return chosen[1], chosen[2], True
    before = [y for y in years if y[0] < figure.start]
    if before:
        return before[-1][1], before[-1][2], False
    return None, False, False


def _content(text: str) -> bool:
    return len(keys(text)) >= 2


def _in_date(text: str, position: int) -> bool:
    return any(m.lastgroup == "date" and m.start() <= position < m.end()
               for m in NUMBERS.finditer(text))


def _source(sentences: Sequence[Sentence], place: Place | None, name: str | None,
            options: Sequence[Place], year: int | None, date: dt.date | None,
            kb: KnowledgeBase) -> SourceProposal:
    """The report as a source: an id like ``tan-hoa-2025``, its headline and its author."""
    short = place.short if place else options[0].short if options else name or ""
    base = "-".join(keys(short)) or "bao-cao"
    base = f"{base}-{year}" if year else base
    ident, n = base, 1
    while ident in kb.sources:
        n += 1
        ident = f"{base}-{n}"
    top = [s for s in sentences[:8] if s.role == "heading"]
    title = next((s.text for s in top if len(s.text.split()) >= 5
                  and not _BYLINE.match(s.text)), None)
    if title is None:
        subject = place.name if place else name or "đơn vị"
        title = f"Báo cáo của {subject}" + (f" năm {year}" if year else "")
    paper = next(filter(None, (_paper(s.text, kb) for s in sentences[:12])), None)
    author = next(filter(None, (_author(s.text) for s in sentences[:12])), None)
    publisher = f"{paper} ({author})" if paper and author else paper or author or _NO_AUTHOR
    return SourceProposal(ident, title, publisher, date)


def _author(text: str) -> str | None:
    """The author a byline ("Tiến Thành 20/12/2024") or a credit line ("Nguồn: …") names."""
    byline = _BYLINE.match(text)
    if byline and len(text) < 80 and not WEEKDAY.fullmatch(byline.group(1)):
        return byline.group(1)
    credit = _SOURCE_LINE.search(text)
    return credit.group(1) if credit and not _PAPER_LINE.match(credit.group(1)) else None


def _paper(text: str, kb: KnowledgeBase) -> str | None:
    """The paper a news credit ("(QNO) - Sáng 10/1", "SGGPO - ") or a paper's line names.

    A code that is a known abbreviation (UBND, HĐND) or a place's name (TPHCM) is no credit.
    """
    line = _PAPER_LINE.match(text) if len(text) < 80 else None
    if line:
        return line.group(1)
    credit = _NEWS_CREDIT.search(text)
    if credit is None:
        return None
    code = next(filter(None, credit.groups()))
    known = fold(code).lower() in {fold(a) for a in kb.vocabulary.abbreviations}
    return None if known or kb.gazetteer.find(tokenize(code)) else code

