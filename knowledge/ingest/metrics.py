"""Proposing a figure's metric: an existing one only when its words are there, else a new one.

A metric of the vocabulary is proposed when one of its phrases (label or synonym) stands in the
figure's clause word for word, with its diacritics ("tuyến" is not "tuyển"; only the tone mark's
place and the i/y spelling of "tỷ/tỉ", "sĩ/sỹ" may differ). When the words point at two metrics,
or at an award of another issuer, or at none, a new metric is proposed instead: an id and a
Vietnamese label made of the figure's own words, for the curator to review.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.base import KnowledgeBase, Metric
from knowledge.text import fold, signature, tokenize

AWARD_TOPIC = "Khen thưởng"
OTHER_TOPIC = "Khác"
# Words that never decide a metric: aspect markers, plurals, the possessive.
_SKIPPED = frozenset(signature(w) for w in ("đã", "được", "sẽ", "đang", "của", "các", "những"))
_MAX_GAP = 2
# The unit's own level is one word to match: "thu ngân sách quận được hưởng" fits a ward too.
_LOCAL_WORDS = frozenset(signature(w) for w in ("quận", "huyện", "phường", "xã"))
_LOCAL_LEVEL = signature("quận")
_LEVEL = signature("cấp")
# How many words before a figure say what it measures when its metric's words follow it.
_NEAR_WORDS = 3
_GROWTH_WORDS = frozenset(signature(w) for w in ("tăng", "giảm"))
_TOTAL = re.compile(r"^\s*(?:tổng số|tổng|tốc độ|tỷ lệ|số)\s+", re.IGNORECASE)
_COORDINATION = frozenset(signature(w) for w in ("và", "hoặc", "hay"))
# "đạt và vượt 13/16 chỉ tiêu": the count is of those met at least, not of those exceeded.
_MET_OR_EXCEEDED = re.compile(r"\b(?:đạt|hoàn thành)\s+và\s+vượt(?:\s+mức)?\s*$", re.IGNORECASE)
# "Tổng giá trị sản xuất năm 2024 ước tăng 8%": the subject of a growth, its verb cut off.
_GROWTH_VERB = re.compile(r"\b(?:tăng|giảm)\b(?!.*\b(?:tăng|giảm)\b).*$", re.IGNORECASE)
_GIVES = signature("tặng")
_ON_AREA = re.compile(r"\btrên địa bàn\b", re.IGNORECASE)
_CONSONANT_Y = re.compile(r"^(?:[bcdđghklmnpqrstvx]|ch|gh|kh|ng|nh|ph|th|tr)y$")
# Who gives an award, by level; a metric of one level is never proposed for another's.
_ISSUERS = {
    "national": ("thủ tướng", "chính phủ", "chủ tịch nước", "nhà nước", "trung ương",
                 "bộ trưởng"),
    "province": ("thành phố", "tỉnh", "tp"),
    "district": ("quận", "huyện", "thị xã"),
    "party": ("quận ủy", "huyện ủy", "thành ủy", "tỉnh ủy", "đảng ủy", "ban thường vụ"),
}
# Words that start or end a clause but say nothing of what is measured.
_LEADING = frozenset(tuple(signature(w) for w in phrase.split()) for phrase in (
    "trong đó", "cụ thể", "riêng", "ngoài ra", "đồng thời", "đặc biệt", "năm", "trong năm", "toàn",
    "cũng", "đã", "đang", "có", "được", "và", "với", "trao", "tặng", "trao tặng", "nhận", "đạt",
    "thực hiện", "công tác", "là", "cho", "nay", "qua", "này", "tại", "theo", "trong", "việc",
    "phấn đấu", "dự kiến", "đặt ra", "duy trì", "đối với"))
_TRAILING = frozenset(signature(w) for w in (
    "đạt", "ước", "là", "được", "có", "còn", "với", "cho", "trên", "dưới", "gần", "khoảng", "hơn",
    "từ", "bằng", "chiếm", "tới", "đến", "lên", "xuống", "và", "của", "ở", "phấn", "đấu",
    "tổng", "số", "năm", "trong", "nay"))
_PLACE_WORDS = frozenset(signature(w) for w in (
    "quận", "huyện", "phường", "xã", "thị", "trấn", "tỉnh", "thành", "phố", "ubnd", "hđnd", "ub",
    "mttq"))
_MAX_LABEL_WORDS = 12
# Words many labels share: they say nothing of a new metric's topic.
_GENERIC = ("tỷ", "tỉ", "lệ", "tốc", "độ", "số", "tổng", "năm", "bình", "quân", "đạt", "tăng",
            "giảm", "mới", "được", "hàng", "hằng", "trên", "địa", "bàn")
_MAX_ID_WORDS = 6


@dataclass(frozen=True, slots=True)
class Proposal:
    """An existing metric id, or a new metric's id and label (``new``)."""

    metric: str | None
    new_id: str | None = None
    new_label: str | None = None
    topic: str | None = None

    @property
    def new(self) -> bool:
        """Whether a new metric is proposed."""
        return self.metric is None


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    metric: Metric


@dataclass(frozen=True, slots=True)
class _Match:
    metric: Metric
    start: int
    end: int
    size: int
    gaps: int


class MetricProposer:
    """Knows every phrase of the metric vocabulary, word for word with diacritics."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.abbreviations = {k: v for k, v in kb.vocabulary.abbreviations.items()
                              if len(k) >= 2}
        self.metrics = kb.metrics
        self._by_first: dict[str, list[_Phrase]] = defaultdict(list)
        for metric in kb.metrics.values():
            for phrase in dict.fromkeys((metric.label, *metric.synonyms)):
                words = tuple(self.words(phrase))
                if words:
                    self._by_first[words[0]].append(_Phrase(words, metric))
        self._common = frozenset(signature(w) for w in (*kb.vocabulary.stopwords, *_GENERIC)
                                 if " " not in w)
        self._proposed: dict[str, tuple[str, str]] = {}  # label → (id, topic) of new metrics
        self._phrases: dict[str, set[str]] = defaultdict(set)  # folded phrase → metric ids
        for metric in kb.metrics.values():
            for phrase in (metric.label, *metric.synonyms):
                self._phrases[fold(phrase).lower()].add(metric.id)
        self._issuers = {level: tuple(tuple(self.words(n)) for n in names)
                         for level, names in _ISSUERS.items()}
        self._measures: dict[str, set[str]] = defaultdict(set)
        for fact in kb.facts:
            if fact.value is not None:
                self._measures[fact.metric].add(measure_of(fact.unit) or "count")
            elif fact.percent is not None:
                self._measures[fact.metric].add("percent")
        self._topic_words = {m.id: set(self.words(" ".join((m.label, *m.synonyms))))
                             for m in kb.metrics.values()}
        self._pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
        for metric in kb.metrics.values():
            for phrase in (metric.label, *metric.synonyms):
                words = self.words(phrase)
                for pair in itertools.pairwise(words):
                    self._pairs[pair].add(metric.id)

    def words(self, text: str) -> list[str]:
        """Comparable words: abbreviations (written in capitals) spelled out, fillers dropped."""
        out: list[str] = []
        for token in tokenize(text):
            expanded = (self.abbreviations.get(token.raw.lower())
                        if token.raw.isupper() and len(token.raw) >= 2 else None)
            for word in (expanded.split() if expanded else [token.raw]):
                normal = _normal(word)
                normal = _LOCAL_LEVEL if normal in _LOCAL_WORDS else normal
                if normal not in _SKIPPED:
                    out.append(normal)
        return out

    def propose(self, before: str, after: str, *, award: bool = False, percent: bool = False,
                unit: str | None = None, borrowed: str | None = None,
                growth: bool = False) -> Proposal:
        """The metric of a figure with ``before`` and ``after`` as its clause around it.

        ``borrowed`` are the words of the measure a bare percentage refers to (the figure or
        clause before it), read when the figure's own clause names no metric; with ``growth``
        the percentage is that measure's growth ("…9.870 tỷ đồng, tăng 2,66%"). ``award`` prefers
        the awards of the vocabulary; ``unit`` and ``percent`` rule out metrics measured
        otherwise (money is never a count).
        """
        if not percent:
            before = _MET_OR_EXCEEDED.sub("hoàn thành ", before)
        contexts = [(before, after, False)]
        if growth and percent:
            contexts = [(context, "", True) for context in _growths(_GROWTH_VERB.sub("", before))]
            contexts.append((before, after, False))
        if borrowed is not None:
            contexts += ([(context, "", True) for context in _growths(borrowed)] if growth
                         else [(borrowed, "", False)])
        measure = "percent" if percent else measure_of(unit)
        for context_before, context_after, of_growth in contexts:
            words_before = self.words(context_before)
            words = [*words_before, *self.words(context_after)]
            found = self._choose(words, len(words_before), award, measure, of_growth)
            if found is not None and found.provisional:
                # Seen in one report only: still a new metric to review, under its id.
                return Proposal(None, new_id=found.id, new_label=found.label, topic=found.topic)
            if found is not None:
                return Proposal(found.id)
            if not of_growth and self._any_match(words, len(words_before)):
                break  # the clause names metrics, but not one clearly: a new one is proposed
        label_before = borrowed if borrowed is not None and not len(self.words(before)) > 1 \
            else before
        return self._new(label_before, after, award, unit)

    def _choose(self, words: Sequence[str], junction: int, award: bool,
                measure: str | None, growth: bool = False) -> Metric | None:
        given = self._given_by_issuer(words, junction) if award else None
        if given is not None and self._measured(given.id, measure):
            return given
        matches = [m for m in self._matches(words, junction)
                   if self._measured(m.metric.id, measure)
                   and (not growth or _GROWTH_WORDS & set(self.words(m.metric.label)))]
        if award:
            matches = [m for m in matches if m.metric.topic == AWARD_TOPIC] or matches
        if not matches:
            return None

        def rank(match: _Match) -> tuple[int, int]:
            distance = (junction - match.end if match.end <= junction
                        else match.start - junction if match.start >= junction else 0)
            return distance, -match.size

        best = min(matches, key=rank)
        rivals = [m for m in self._matches(words, junction, gapped=True)
                  if m.metric.id != best.metric.id and m.start <= best.start and m.end >= best.end
                  and m.end - m.start > best.end - best.start
                  and (not award or m.metric.topic == AWARD_TOPIC)]
        if rivals or not self._same_issuer(best, words) or self._contradicted(best, words,
                                                                             junction):
            return None
        return best.metric

    def _given_by_issuer(self, words: Sequence[str], junction: int) -> Metric | None:
        """The award an issuer gives before it is named: "Thủ tướng Chính phủ tặng Bằng khen".

        Read as the award followed by its issuer, it must be one of the vocabulary's phrases; an
        award that names an issuer of its own is left to the other checks.
        """
        for gives in (i for i, word in enumerate(words[:junction]) if word == _GIVES):
            recent = words[max(0, gives - 6):gives]
            start = next((j for j in range(len(recent)) for names in self._issuers.values()
                          for name in names if tuple(recent[j:j + len(name)]) == name), None)
            if (start is None or gives + 1 >= junction
                    or self._issuer_level(words[gives + 1:junction]) is not None):
                continue  # no issuer before the award, or the award names its own
            issuer = tuple(recent[start:])
            for end in range(gives + 2, junction + 1):
                award = (*words[gives + 1:end], *issuer)
                for phrase in self._by_first.get(words[gives + 1], ()):
                    if phrase.words == award and phrase.metric.topic == AWARD_TOPIC:
                        return phrase.metric
        return None

    def _contradicted(self, match: _Match, words: Sequence[str], junction: int) -> bool:
        """Whether words beside the match say it measures something else.

        Two words just before the figure, whose metric's words follow it, that belong together
        in other metrics' phrases only ("khám phá 92% số vụ phạm pháp hình sự"), or a level the
        metric does not name right after it ("chiến sĩ thi đua cấp thành phố" for the
        grassroots title).
        """
        own = self._topic_words[match.metric.id]
        after = words[match.end:match.end + 2]
        if after[:1] == [_LEVEL] and not set(after[1:]) <= own:
            return True
        if match.start < junction:
            return False
        near = words[max(0, junction - _NEAR_WORDS):junction]
        return any(self._pairs.get(pair) and not set(pair) & (own | self._common | _PLACE_WORDS)
                   for pair in itertools.pairwise(near))

    def _same_issuer(self, match: _Match, words: Sequence[str]) -> bool:
        """False when an award's issuer in the text is of another level than the metric's.

        The issuer follows the award ("Cờ thi đua của UBND tỉnh"), or else precedes it.
        """
        if match.metric.topic != AWARD_TOPIC:
            return True
        wanted = self._issuer_level(self.words(match.metric.label))
        if wanted is None:
            return True
        named = (self._issuer_level(words[match.end:match.end + 6])
                 or self._issuer_level(words[:match.start], last=True))
        return named is None or named == wanted

    def _measured(self, metric_id: str, measure: str | None) -> bool:
        """Whether the metric's facts are figures measured like this one (money, count, %)."""
        known = self._measures.get(metric_id)
        if not known:
            return False  # a metric of names, themes or events takes no figure
        return measure is None or measure == "percent" or measure in known or "percent" in known

    def _issuer_level(self, words: Sequence[str], last: bool = False) -> str | None:
        """The level of the issuer named first (or ``last``) in ``words``; None when none is."""
        found: list[tuple[int, int, str]] = []
        for level, names in self._issuers.items():
            for name in names:
                for start in range(len(words) - len(name) + 1):
                    if tuple(words[start:start + len(name)]) == name:
                        found.append((start, -len(name), level))
        if not found:
            return None
        # "Quận ủy" is the party's, not the district's: at one place the longer name wins.
        return (max(found, key=lambda f: (f[0], -f[1])) if last else min(found))[2]

    def _any_match(self, words: Sequence[str], junction: int) -> bool:
        return any(True for _ in self._matches(words, junction))

    def _matches(self, words: Sequence[str], junction: int,
                 gapped: bool = False) -> Iterable[_Match]:
        for start, word in enumerate(words):
            paired = start > 0 and words[start - 1] in _COORDINATION
            for phrase in self._by_first.get(word, ()):
                end = _match_end(words, start, phrase.words, _MAX_GAP if gapped else 0)
                if end is not None and paired and start < junction < end:
                    continue  # "đạt và vượt 29 chỉ tiêu": a phrase of half a pair says too much
                if end is not None:
                    yield _Match(phrase.metric, start, end, len(phrase.words),
                                 end - start - len(phrase.words))

    def _new(self, before: str, after: str, award: bool, unit: str | None) -> Proposal:
        """A new metric for the figure; one id and topic per label within a report."""
        label = new_label(before, after, unit)
        named = self._phrases.get(fold(label).lower(), set())
        if named:
            # Never a new metric under an existing one's words: that one, or none when unsure.
            (only,) = named if len(named) == 1 else (None,)
            fits = only is not None and self._measured(only, measure_of(unit))
            return Proposal(only if fits else None)
        if label not in self._proposed:
            base = ident = metric_id(label)
            taken = set(self.metrics) | {i for i, _ in self._proposed.values()}
            n = 1
            while ident in taken:
                n += 1
                ident = f"{base}_{n}"
            self._proposed[label] = (ident, AWARD_TOPIC if award else self._topic(label))
        ident, topic = self._proposed[label]
        return Proposal(None, new_id=ident, new_label=label, topic=topic)

    def _topic(self, label: str) -> str:
        """The topic of the metric sharing most words with the label (two at least), else Khác."""
        words = set(self.words(label)) - _TRAILING - self._common
        best = max(self._topic_words.items(), key=lambda kv: len(words & kv[1]), default=None)
        if best is None or len(words & best[1]) < 2:
            return OTHER_TOPIC
        return self.metrics[best[0]].topic


def _growths(subject: str) -> list[str]:
    """Ways a metric of growth names a subject's growth: "tăng thu ngân sách", "… tăng"."""
    words = _TOTAL.sub("", trimmed(_ON_AREA.sub(" ", subject)))
    return [f"tăng {words}", f"{words} tăng"]


def measure_of(unit: str | None) -> str | None:
    """What a unit measures: ``money`` (đồng), ``percent`` or ``count``; None when unknown."""
    if not unit:
        return None
    if "%" in unit:
        return "percent"
    return "money" if "đồng" in unit.lower() or fold(unit).split()[:1] in (["ty"], ["trieu"]) \
        else "count"


def _match_end(words: Sequence[str], start: int, phrase: Sequence[str], gap: int) -> int | None:
    """Where ``phrase`` ends when it is read from ``start`` (with up to ``gap`` words between)."""
    position = start
    skipped = 0
    for word in phrase:
        while position < len(words) and words[position] != word:
            if position == start or skipped >= gap:
                return None
            skipped += 1
            position += 1
        if position >= len(words):
            return None
        position += 1
    return position


def _normal(word: str) -> str:
    """A word's signature with the i/y spelling of syllables like tỷ/tỉ, sỹ/sĩ made one."""
    sig = signature(word)
    base = "".join(c for c in unicodedata.normalize("NFD", sig) if unicodedata.category(c) != "Mn")
    if _CONSONANT_Y.match(base):
        decomposed = unicodedata.normalize("NFD", sig)
        sig = unicodedata.normalize("NFC", decomposed.replace("y", "i"))
    return sig


def new_label(before: str, after: str, unit: str | None = None) -> str:
    """A short Vietnamese label for a figure from its own clause: what stands before it, trimmed.

    ``thực hiện chỉnh trang [141] tuyến hẻm`` → ``chỉnh trang tuyến hẻm``.
    """
    tokens = trimmed(before).split()[-_MAX_LABEL_WORDS:]
    if not tokens and measure_of(unit) == "count":
        # "9 chỉ tiêu hoàn thành vượt mức": what is counted says it all.
        words = [t.raw for t in tokenize(after)]
        cut = next((i for i, w in enumerate(words) if w.isdigit()), len(words))
        tokens = trimmed(" ".join(words[:cut])).split()[:_MAX_LABEL_WORDS]
    if measure_of(unit) == "count" and unit and not any(c.isdigit() for c in unit) and len(
            tokens) <= 3:
        unit_words = [t.raw for t in tokenize(unit)]
        if " ".join(unit_words).lower() not in " ".join(tokens).lower():
            tokens += unit_words
    if not tokens:
        tokens = [t.raw for t in tokenize(after)][:_MAX_LABEL_WORDS]
    label = " ".join(tokens) or "số liệu"
    if len(label) > 1 and not label[:2].isupper():
        label = label[0].lower() + label[1:]
    return label


def trimmed(clause: str) -> str:
    """The words of a clause that say what is measured: subject, verbs and years trimmed off.

    ``Năm 2024, quận Bình Tân cũng kéo giảm`` → ``kéo giảm``.
    """
    tokens = [t.raw for t in tokenize(clause)]
    while tokens:
        if _is_name(tokens[:2]):
            while tokens and tokens[0][:1].isupper():
                tokens.pop(0)
        elif tokens[0].isdigit() or signature(tokens[0]) in _PLACE_WORDS:
            tokens.pop(0)
        elif size := next((n for n in (2, 1) if tuple(map(signature, tokens[:n])) in _LEADING),
                          0):
            del tokens[:size]
        else:
            break
    while tokens and (signature(tokens[-1]) in _TRAILING or tokens[-1].isdigit()):
        tokens.pop()
    return " ".join(tokens)


def _is_name(words: Sequence[str]) -> bool:
    """Two capitalised words in a row start a name (Bình Tân), not what is measured."""
    return len(words) == 2 and all(w[:1].isupper() for w in words)


def metric_id(label: str) -> str:
    """An id for a new metric: the label's first words, accent-free, joined by ``_``."""
    words = re.findall(r"[a-z0-9]+", fold(label))[:_MAX_ID_WORDS]
    return "_".join(words) or "so_lieu"
