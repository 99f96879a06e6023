"""The words one knowledge base understands, indexed once: metrics, cues, topics and people."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from rapidfuzz import fuzz, process

from knowledge.base import KnowledgeBase, Metric
from knowledge.model import Fact
from knowledge.text import Token, keys, tokenize

T = TypeVar("T")
_FUZZY_CUTOFF = 82.0
_MIN_COVERAGE = 0.6
# Questions repeat their words (the same metric asked of many units): matches are kept.
_CACHE_SIZE = 50_000
# Words that negate the word after them: part of what is asked, never a mere stopword then.
NEGATIONS = frozenset(("khong", "chua"))
_lexicons: WeakKeyDictionary[KnowledgeBase, Lexicon] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """Where a known phrase occurs among a question's words, and what it stands for."""

    start: int
    end: int
    payload: T

    @property
    def span(self) -> range:
        """Word positions the phrase covers."""
        return range(self.start, self.end)


class PhraseSet(Generic[T]):
    """Phrases, found among a question's words longest first.

    A word typed with diacritics matches a phrase word written with them only as written
    (``cũ`` is not ``cứ``, ``chúc`` not ``chức``); a word typed without them matches by its
    accent-free key.
    """

    def __init__(self, phrases: Iterable[tuple[str, T]], strict: frozenset[str] = frozenset(),
                 ) -> None:
        self._by_first: dict[str, list[tuple[tuple[Token, ...], T]]] = defaultdict(list)
        self._strict = strict
        for text, payload in phrases:
            words = tuple(tokenize(text))
            if words:
                self._by_first[words[0].key].append((words, payload))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def matches(self, tokens: Sequence[Token]) -> list[Hit[T]]:
        """Every occurrence, overlapping ones too, longest first."""
        candidates = []
        by_first = self._by_first
        for i, token in enumerate(tokens):
            entries = by_first.get(token.key)
            if entries is None:
                continue
            for phrase, payload in entries:
                end = i + len(phrase)
                if end <= len(tokens) and all(_same_word(t, w) for t, w in zip(
                        tokens[i:end], phrase, strict=True)) and not (
                        len(phrase) == 1 and phrase[0].key in self._strict
                        and token.sig != phrase[0].sig.lower()):
                    # A one-word phrase that is also an everyday word ("cờ" / "có") must be
                    # typed as written.
                    candidates.append(Hit(i, end, payload))
        candidates.sort(key=lambda h: (h.start - h.end, h.start))
        return candidates

    def find(self, tokens: Sequence[Token], skip: Iterable[int] = ()) -> list[Hit[T]]:
        """Non-overlapping occurrences, longest first, avoiding ``skip`` positions."""
        return resolve(self.matches(tokens), skip)


def resolve(candidates: Iterable[Hit[T]], skip: Iterable[int] = ()) -> list[Hit[T]]:
    """Of hits sorted longest first, those that overlap neither each other nor ``skip``."""
    taken = set(skip)
    hits: list[Hit[T]] = []
    for hit in candidates:
        if not taken.intersection(hit.span):
            hits.append(hit)
            taken.update(hit.span)
    return sorted(hits, key=lambda h: h.start)


def by_kind(hits: Iterable[Hit[tuple[str, T]]]) -> dict[str, list[Hit[T]]]:
    """Hits of a set of tagged phrases, split by tag (order kept), payloads untagged."""
    out: dict[str, list[Hit[T]]] = defaultdict(list)
    for hit in hits:
        kind, payload = hit.payload
        out[kind].append(Hit(hit.start, hit.end, payload))
    return out


def _same_word(typed: Token, written: Token) -> bool:
    """A word typed with diacritics is only the word written so ("ái" is not "ai")."""
    if typed.key != written.key:
        return False
    return typed.raw.isascii() or typed.sig == written.sig.lower()


@dataclass(frozen=True, slots=True)
class MetricMatch:
    """A metric the question's words name, how well, and which of those words it explains."""

    metric: Metric
    score: float
    coverage: float
    words: frozenset[str]


class MetricIndex:
    """Scores metrics by how much of one of their phrasings the question's words cover.

    A phrasing (label or synonym, abbreviations expanded, stopwords dropped) is a bag of words
    weighted by rarity across the vocabulary; a question word matches a phrasing word exactly
    or, for longer words, by a close fuzzy ratio (typos). Only phrasings that share a word with
    the question are scored.
    """

    def __init__(self, metrics: dict[str, Metric],
                 content: Callable[[str], tuple[Token, ...]]) -> None:
        self.phrases: list[tuple[Metric, frozenset[str], float]] = []
        self.labels: set[tuple[str, frozenset[str]]] = set()
        per_word: dict[str, set[str]] = defaultdict(set)
        bags: list[tuple[Metric, frozenset[str]]] = []
        # How each phrasing writes a word, to tell "chỉ" (chỉ tiêu) from "chi" (chi bộ).
        self._spelling: list[dict[str, str]] = []
        for metric in metrics.values():
            for phrase in dict.fromkeys((metric.label, *metric.synonyms)):
                tokens = content(phrase)
                bag = frozenset(t.key for t in tokens)
                if len(bag) == 1 and len(next(iter(bag))) <= 3 and len(phrase.split()) > 1:
                    continue  # "về dự" is not "dự": a phrasing must keep a real word
                if phrase == metric.label:
                    self.labels.add((metric.id, bag))
                if bag:
                    bags.append((metric, bag))
                    written = not phrase.isascii()
                    self._spelling.append({t.key: t.sig for t in tokens} if written else {})
                    for word in bag:
                        per_word[word].add(metric.id)
        self.weights = {w: math.log(1 + len(metrics) / len(ids)) for w, ids in per_word.items()}
        self._containing: dict[str, list[int]] = defaultdict(list)
        for n, (metric, bag) in enumerate(bags):
            self.phrases.append((metric, bag, sum(self.weights[w] for w in bag)))
            for word in bag:
                self._containing[word].append(n)
        self._words = sorted(self.weights)
        self._similar: dict[str, tuple[tuple[str, float], ...]] = {}
        self._matches: dict[tuple[tuple[str, ...], frozenset[str] | None],
                            tuple[MetricMatch, ...]] = {}

    def knows(self, word: str) -> bool:
        """True when a word belongs to some metric's phrasing."""
        return word in self.weights

    def match(self, words: Iterable[str | tuple[str, str]], among: Iterable[str] | None = None,
              ) -> tuple[MetricMatch, ...]:
        """Metrics whose phrasing the words cover, best first; only ``among`` ids when given.

        A word is an accent-free key, or ``(key, signature)`` as typed: a word typed with
        diacritics only matches a phrasing word written the same way.
        """
        typed = tuple(w if isinstance(w, tuple) else (w, "") for w in words)
        key = (typed, frozenset(among) if among is not None else None)
        cached = self._matches.get(key)
        if cached is None:
            cached = self._match(*key)
            if len(self._matches) >= _CACHE_SIZE:
                self._matches.clear()
            self._matches[key] = cached
        return cached

    def _match(self, words: tuple[tuple[str, str], ...], among: frozenset[str] | None,
               ) -> tuple[MetricMatch, ...]:
        similarity: dict[str, tuple[float, str]] = {}
        # How each word was typed, when with diacritics (a word may be typed twice: tiên tiến).
        spelled: dict[str, set[str]] = defaultdict(set)
        typed_plain: set[str] = set()
        for word, sig in words:
            for found, score in self._similar_words(word):
                if score > similarity.get(found, (0.0, ""))[0]:
                    similarity[found] = (score, word)
                if score == 1.0 and not sig.isascii():
                    spelled[found].add(sig)
                else:
                    typed_plain.add(found)
        allowed = among
        found: dict[int, float] = defaultdict(float)
        hits: dict[int, list[str]] = defaultdict(list)
        for word, (score, _) in similarity.items():
            weight = self.weights[word] * score
            sigs = spelled.get(word) if word not in typed_plain else None
            for n in self._containing[word]:
                if sigs and self._spelling[n].get(word) not in (None, *sigs):
                    continue
                found[n] += weight
                hits[n].append(word)
        asked = sum(self.weights[w] * score for w, (score, _) in similarity.items())
        best: dict[str, MetricMatch] = {}
        for n, weight in found.items():
            metric, bag, total = self.phrases[n]
            if allowed is not None and metric.id not in allowed:
                continue
            coverage = weight / total
            # One word of a longer phrasing ("bằng" of "bằng khen") is not enough to name it.
            if coverage < _MIN_COVERAGE or len(hits[n]) < min(len(bag), 2):
                continue
            # A label covered whole beats a synonym covered whole (``số đảng viên``); a phrasing
            # that leaves more of the question unexplained scores less.
            exact = coverage > 0.99 and (metric.id, bag) in self.labels
            explained = weight / asked
            score = weight * coverage * explained ** 0.5 * (1.05 if exact else 1.0)
            match = MetricMatch(metric, score, coverage,
                                frozenset(similarity[w][1] for w in hits[n]))
            if metric.id not in best or match.score > best[metric.id].score:
                best[metric.id] = match
        return tuple(sorted(best.values(), key=lambda m: (-m.score, m.metric.id)))

    def _similar_words(self, word: str) -> tuple[tuple[str, float], ...]:
        if word in self.weights:
            return ((word, 1.0),)
        cached = self._similar.get(word)
        if cached is None:
            cached = ()
            if len(word) >= 4 and word.isalpha():
                cached = tuple(
                    (found, 0.9 * score / 100) for found, score, _ in process.extract(
                        word, self._words, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF,
                        limit=3) if len(found) >= 4)
            if len(self._similar) < _CACHE_SIZE:
                self._similar[word] = cached
        return cached


def shared(typed: Iterable[tuple[str, str]], words: frozenset[str]) -> list[str]:
    """The typed words (``(key, signature)``) found among ``words`` (see ``fact_words``).

    A word typed with diacritics is found by its signature ("nói" is not "Nội"), else by key.
    """
    return [key for key, sig in typed if (sig if not sig.isascii() else key) in words]


def close_contenders(matches: Sequence[MetricMatch], margin: float = 0.97,
                     ) -> tuple[MetricMatch, ...]:
    """The best match and those scoring almost as well."""
    if not matches:
        return ()
    top = matches[0].score
    return tuple(m for m in matches if m.score >= top * margin)


class Expander:
    """Replaces abbreviations by the words they stand for: ``ns`` → ``ngan sach``."""

    def __init__(self, abbreviations: dict[str, str]) -> None:
        self.table = {keys(k)[0]: keys(v) for k, v in abbreviations.items() if keys(k)}
        self._tokens = {keys(k)[0]: tuple(tokenize(v)) for k, v in abbreviations.items()
                        if keys(k)}

    def __call__(self, words: Iterable[str]) -> tuple[str, ...]:
        """The words with every abbreviation replaced."""
        out: list[str] = []
        for word in words:
            out.extend(self.table.get(word, (word,)))
        return tuple(out)

    def tokens(self, token: Token) -> tuple[Token, ...]:
        """One typed word, or the words its abbreviation stands for.

        Not inside a document number such as ``05-CT/TW``.
        """
        if token.code:
            return (token,)
        return self._tokens.get(token.key, (token,))


@dataclass(frozen=True, slots=True)
class Family:
    """Metrics a word names as a whole: by the head words of their label, or a kind of fact."""

    name: str
    label_heads: tuple[tuple[str, ...], ...] = ()
    kind: str | None = None

    def covers(self, fact: Fact, label: str) -> bool:
        """True when the fact belongs to the family."""
        if self.kind:
            return fact.kind == self.kind
        words = keys(label)
        return any(words[:len(head)] == head for head in self.label_heads)

    def named_in(self, label: str) -> bool:
        """True when a metric's label says the family's name (``số chỉ tiêu … hoàn thành``)."""
        name, words = keys(self.name), keys(label)
        return any(words[i:i + len(name)] == name for i in range(len(words)))


class Lexicon:
    """Everything the question stages look up, built once per knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        vocab = kb.vocabulary
        self.stopwords = frozenset(w for s in vocab.stopwords for w in keys(s))
        self.stop_sigs = frozenset(t.sig for s in vocab.stopwords for t in tokenize(s))
        self.expand = Expander(vocab.abbreviations)
        self.metrics = MetricIndex(kb.metrics, self.content_tokens)
        # Cues of the whole question, tagged by what they signal, found in one pass.
        self.cues: PhraseSet[tuple[str, str]] = PhraseSet([
            *((p, (intent, intent)) for intent, phrases in vocab.intents.items() for p in phrases),
            *((p, ("smalltalk", kind)) for kind, phrases in vocab.smalltalk.items()
              for p in phrases),
            *((p, ("pointer", kind)) for kind, phrases in vocab.pointers.items() for p in phrases),
            *((p, ("followup", p)) for p in vocab.followup)])
        self.families = {name: Family(name, _label_heads(rule.get("label")), rule.get("kind"))
                         for name, rule in vocab.families.items()}
        # Words of the content that name a topic, a family or only frame the question.
        self.content_cues: PhraseSet[tuple[str, Any]] = PhraseSet([
            *((p, ("frame", p)) for p in vocab.frame_words),
            *((p, ("topic", tuple(t))) for p, t in vocab.topic_words.items()),
            *((name, ("family", family)) for name, family in self.families.items())],
            strict=self.stopwords)
        self.former = PhraseSet((m, m) for m in vocab.former_markers)
        # Word sequences of the question cues ("là gì" of "tên là gì").
        self.cue_words = frozenset(
            words[i:j] for phrases in (*vocab.intents.values(), *vocab.smalltalk.values())
            for phrase in phrases if (words := keys(phrase))
            for i in range(len(words)) for j in range(i + 2, len(words) + 1))
        # Number words by their spelling with diacritics ("sáu") and without ("sau").
        self.number_words = {**{keys(w)[0]: n for w, n in vocab.number_words.items()},
                             **{tokenize(w)[0].sig: n for w, n in vocab.number_words.items()}}
        self.type_words = set(kb.gazetteer.type_words)
        # Words that frame a question, and words of kinds of units: no metric is named by them.
        self.frame_keys = frozenset(k for p in vocab.frame_words for k in keys(p))
        self.type_keys = frozenset(k for words in self.type_words for k in words)
        self.names_unit = kb.gazetteer.has_name
        self.people = _people(kb.facts)
        self.phrase_pairs = _phrase_pairs(kb.metrics.values(), self.content_words) | {
            pair for phrase in (*vocab.topic_words, *vocab.frame_words)
            for pair in itertools.pairwise(self.content_words(phrase))}
        # Short names of units with facts, typed without spaces ("hoangmai").
        self.glued = {"".join(words): words for words, entries in kb.gazetteer.index.items()
                      if len(words) > 1 and any(via == "short" and p.key in kb.by_place
                                                for p, via in entries)}
        self._fact_words: dict[tuple[str, bool], frozenset[str]] = {}
        self._metric_words: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        # The kind of fact each metric is curated as (``person``, ``event`` …).
        self.kind_of = {f.metric: f.kind for f in reversed(kb.facts)}
        self.question_words = frozenset(self._question_words(kb))
        self.known = self.question_words | kb.gazetteer.name_words()

    def metric_words(self, metric: Metric) -> tuple[frozenset[str], frozenset[str]]:
        """The words of a metric's label and synonyms: their keys, and their signatures."""
        words = self._metric_words.get(metric.id)
        if words is None:
            tokens = [t for phrase in (metric.label, *metric.synonyms)
                      for t in self.content_tokens(phrase)]
            words = self._metric_words[metric.id] = (frozenset(t.key for t in tokens),
                                                     frozenset(t.sig for t in tokens))
        return words

    def fact_words(self, fact: Fact, metric: Metric | None = None) -> frozenset[str]:
        """The words a fact is told in: its text, quote, role, detail, units (and metric's).

        Each word is there by its accent-free key and, written with diacritics, its signature.
        """
        cache_key = (fact.id, metric is not None)
        words = self._fact_words.get(cache_key)
        if words is None:
            texts = [fact.text, fact.quote, fact.role, fact.detail, fact.unit,
                     *(a.unit for a in fact.also)]
            if metric is not None:
                texts += [metric.label, *metric.synonyms]
            tokens = [w for t in tokenize(" ".join(t for t in texts if t))
                      for w in self.expand.tokens(t)]
            words = frozenset((*(t.key for t in tokens), *(t.sig for t in tokens)))
            self._fact_words[cache_key] = words
        return words

    def content_words(self, phrase: str) -> tuple[str, ...]:
        """The words of a written phrase that carry meaning, abbreviations expanded."""
        return tuple(t.key for t in self.content_tokens(phrase))

    def content_tokens(self, phrase: str) -> tuple[Token, ...]:
        """The words of a written phrase that carry meaning, abbreviations expanded.

        A negation is meaning ("chỉ tiêu không đạt" is not "chỉ tiêu đạt").
        """
        return tuple(w for t in tokenize(phrase)
                     if t.sig not in self.stop_sigs or t.key in NEGATIONS
                     for w in self.expand.tokens(t))

    def stop_positions(self, tokens: Sequence[Token]) -> frozenset[int]:
        """Positions of words that carry no topic.

        In a question typed with diacritics a word is a stopword only as written (``thì``, not
        ``thị``); in one typed without them it is, unless it pairs with a neighbour inside a
        metric's phrasing (``co thi dua`` is "cờ thi đua").
        """
        keys_ = [self.expand((t.key,))[0] for t in tokens]
        # Someone who types diacritics types them all: a bare "nhi" is not "nhỉ" then.
        accented = any(not t.raw.isascii() for t in tokens)
        stop = set()
        for i, token in enumerate(tokens):
            if accented or not token.raw.isascii():
                if token.sig in self.stop_sigs:
                    stop.add(i)
                continue
            if token.key not in self.stopwords:
                continue
            paired = (i > 0 and (keys_[i - 1], keys_[i]) in self.phrase_pairs) or (
                i + 1 < len(tokens) and (keys_[i], keys_[i + 1]) in self.phrase_pairs)
            if not paired:
                stop.add(i)
        # "không đạt", "chưa hoàn thành" negate what follows; a "không" ending the question
        # only asks yes or no.
        for i in sorted(stop):
            if keys_[i] in NEGATIONS and i + 1 < len(tokens) and i + 1 not in stop \
                    and tokens[i + 1].key.isalpha():
                stop.discard(i)
        return frozenset(stop)

    def _question_words(self, kb: KnowledgeBase) -> Iterable[str]:
        """Words of metrics, cues, topics and stopwords: the words that are not place names."""
        yield from self.metrics.weights
        yield from self.stopwords
        yield from self.expand.table
        yield from (w for phrase in kb.vocabulary.topic_words for w in keys(phrase))
        yield from (w for phrases in kb.vocabulary.intents.values() for p in phrases
                    for w in keys(p))
        yield from (w for phrases in kb.vocabulary.smalltalk.values() for p in phrases
                    for w in keys(p))
        yield from (w for k in self.type_words for w in k)


def _label_heads(labels: list[str] | None) -> tuple[tuple[str, ...], ...]:
    """The head words a family's metric labels start with."""
    return tuple(keys(text) for text in labels or ())


def lexicon_of(kb: KnowledgeBase) -> Lexicon:
    """The lexicon of a knowledge base, built once."""
    lexicon = _lexicons.get(kb)
    if lexicon is None:
        lexicon = _lexicons[kb] = Lexicon(kb)
    return lexicon


def person_names(fact: Fact) -> list[str]:
    """The names a person fact gives (``text`` may list several, comma-separated)."""
    return [n.strip() for n in (fact.text or "").split(",") if n.strip()]


def _people(facts: Iterable[Fact]) -> PhraseSet[str]:
    """Full names of people, and their last two words ("Tố Nga"), mapped to the full name."""
    entries: list[tuple[str, str]] = []
    for fact in facts:
        if fact.kind != "person":
            continue
        for name in person_names(fact):
            entries.append((name, name))
            words = name.split()
            if len(words) >= 3:
                entries.append((" ".join(words[-2:]), name))
    return PhraseSet(entries)


def _phrase_pairs(metrics: Iterable[Metric], content: Callable[[str], tuple[str, ...]],
                  ) -> frozenset[tuple[str, str]]:
    """Consecutive meaningful word pairs of metric phrasings: ``an sinh`` of ``an sinh xã hội``."""
    pairs: set[tuple[str, str]] = set()
    for metric in metrics:
        for phrase in (metric.label, *metric.synonyms):
            pairs.update(itertools.pairwise(content(phrase)))
    return frozenset(pairs)

