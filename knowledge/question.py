"""Understanding a question: the places, years, metric and intent it names."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase, Metric
from knowledge.gazetteer import Mention
from knowledge.text import Token, keys, tokenize

MAX_TOKENS = 120
_YEAR = re.compile(r"^(19|20)\d{2}$")
_TOKEN_FUZZY_CUTOFF = 82.0
_MIN_COVERAGE = 0.6
_CLOSE_SCORE = 0.97


@dataclass(frozen=True, slots=True)
class MetricMatch:
    """A metric the question asks about and how well its words were found."""

    metric: Metric
    score: float
    coverage: float


@dataclass(frozen=True)
class Question:
    """What a question names: places, years, metric candidates and what kind of reply it wants."""

    text: str
    tokens: tuple[Token, ...]
    mentions: tuple[Mention, ...]
    years: tuple[int, ...]
    metrics: tuple[MetricMatch, ...]
    leftover: tuple[str, ...]
    wants_ranking: str | None
    wants_percent: bool
    wants_target: bool
    truncated: bool


class MetricMatcher:
    """Scores metrics by how much of their phrasing the question's words cover.

    Each metric phrase (label or synonym, abbreviations expanded) is a bag of accent-free words
    weighted by rarity across the vocabulary; a question word may match a phrase word exactly or,
    for longer words, by a close fuzzy ratio (typos).
    """

    def __init__(self, metrics: dict[str, Metric], abbreviations: dict[str, tuple[str, ...]]):
        self.abbreviations = abbreviations
        self.phrases: list[tuple[Metric, tuple[str, ...]]] = []
        for metric in metrics.values():
            for phrase in dict.fromkeys((metric.label, *metric.synonyms)):
                words = expand(keys(phrase), abbreviations)
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
                best[metric.id] = MetricMatch(metric, score, coverage)
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


def expand(words: tuple[str, ...] | list[str],
           abbreviations: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Replace abbreviations by the words they stand for: ``ns`` → ``ngan sach``."""
    out: list[str] = []
    for word in words:
        out.extend(abbreviations.get(word, (word,)))
    return tuple(out)


class QuestionReader:
    """Reads questions against one knowledge base (built once, used for every question)."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        vocab = kb.vocabulary
        self.abbreviations = {keys(k)[0]: keys(v) for k, v in vocab.abbreviations.items()
                              if keys(k)}
        self.metrics = MetricMatcher(kb.metrics, self.abbreviations)
        self.former_markers = [keys(m) for m in vocab.former_markers]
        self.ranking = {kind: [keys(p) for p in phrases] for kind, phrases in vocab.ranking.items()}
        self.percent_words = [keys(p) for p in vocab.percent_words if keys(p)]
        self.target_words = [keys(p) for p in vocab.target_words]
        self.stopwords = {w for s in vocab.stopwords for w in keys(s)}

    @cached_property
    def _type_word_keys(self) -> set[str]:
        return {w for k in self.kb.gazetteer.type_words for w in k}

    def read(self, text: str) -> Question:
        """Parse one question."""
        tokens = tokenize(text)
        truncated = len(tokens) > MAX_TOKENS
        tokens = tokens[:MAX_TOKENS]
        words = [t.key for t in tokens]
        year_at = {i: int(w) for i, w in enumerate(words) if _YEAR.match(w)}
        gazetteer = self.kb.gazetteer
        mentions = gazetteer.find(tokens, skip=year_at)
        named = {i for m in mentions for i in m.span}
        former = _positions(words, self.former_markers) - named
        years = tuple(dict.fromkeys(y for i, y in year_at.items() if i not in former))
        taken = set(year_at) | former
        if not any(m.districts or m.wards for m in mentions):
            ignore = taken | {i for m in mentions for i in m.span} | {
                i for i, w in enumerate(words)
                if self.metrics.known_word(w) or w in self.stopwords or w in self._type_word_keys
                or w in self.abbreviations}
            fuzzy = gazetteer.find_fuzzy(tokens, ignore)
            if fuzzy is not None:
                mentions = sorted([*mentions, fuzzy], key=lambda m: m.start)
        taken |= {i for m in mentions for i in m.span}
        ranking = next((kind for kind in ("lowest", "highest", "compare")
                        if _positions(words, self.ranking[kind])), None)
        percent_at = _positions(words, self.percent_words)
        taken |= percent_at | {i for phrases in self.ranking.values()
                               for i in _positions(words, phrases)}
        rest = [w for i, w in enumerate(words) if i not in taken]
        expanded = list(expand(rest, self.abbreviations))
        leftover = tuple(w for w in expanded if w not in self.stopwords and not w.isdigit())
        return Question(
            text=text,
            tokens=tuple(tokens),
            mentions=tuple(mentions),
            years=years,
            metrics=self.metrics.match(expanded),
            leftover=leftover,
            wants_ranking=ranking,
            wants_percent="%" in text or bool(percent_at),
            wants_target=bool(_positions(expanded, self.target_words)),
            truncated=truncated,
        )


def close_contenders(matches: tuple[MetricMatch, ...]) -> tuple[MetricMatch, ...]:
    """The best match and those scoring almost as well."""
    if not matches:
        return ()
    top = matches[0].score
    return tuple(m for m in matches if m.score >= top * _CLOSE_SCORE)


def _positions(words: list[str], phrases: list[tuple[str, ...]]) -> set[int]:
    """Positions of the words that form any of the phrases."""
    found: set[int] = set()
    for phrase in phrases:
        size = len(phrase)
        if not size:
            continue
        for i in range(len(words) - size + 1):
            if tuple(words[i:i + size]) == phrase:
                found.update(range(i, i + size))
    return found
