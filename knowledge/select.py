"""Stage 4, select: the facts that answer a question, or why none do.

A figure is only selected for the unit, year and metric the question names. When the unit
lacks the metric, or the year, the selection says so with what exists instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from knowledge.base import KnowledgeBase, Metric
from knowledge.intent import Ask, Intent, specific
from knowledge.lexicon import Family, Lexicon, MetricMatch, close_contenders, shared
from knowledge.model import FIGURE_KINDS, Fact, Place
from knowledge.phrasing import growth_verb
from knowledge.places import PlaceAsked, Places, units_inside
from knowledge.text import keys

MAX_LINES = 8
MAX_UNITS = 10  # units listed as holders or in a ranking group; the rest are counted
# The kinds of fact that answer who / when / which theme; a theme answers "when" only with a
# date in its words ("Chỉ thị 34/CT-TW (07/4/2014)").
_KIND_OF_INTENT = {"who": ("person",), "when": ("event", "theme"), "theme": ("theme",)}
DATED = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")
# Words that ask for a result, not a target: "đã vượt mức bao nhiêu chỉ tiêu".
_RESULT_VERBS = frozenset(("vuot", "dat", "hoan"))
_NEARLY = 0.9
_NUMBER_WEIGHT = 5.0


@dataclass(frozen=True, slots=True)
class Smalltalk:
    """A greeting, thanks, goodbye or a question about the bot itself."""

    kind: str


@dataclass(frozen=True, slots=True)
class PlaceProblem:
    """A place that cannot be answered as one unit with facts, and the question's other words."""

    asked: PlaceAsked
    rest: str


@dataclass(frozen=True, slots=True)
class WhichPlace:
    """A metric or topic asked without a unit: the units that have it."""

    what: str
    holders: tuple[Place, ...]
    metric: Metric | None = None
    family: Family | None = None  # only facts of this family count ("chỉ tiêu năm 2025")


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """Nothing in the question names a unit, a metric, a topic or a person."""


@dataclass(frozen=True, slots=True)
class Missing:
    """Nothing answers the question: what was asked, and what exists instead.

    ``what`` names what was asked (a metric label, a topic or the user's own words);
    ``years`` the years asked; ``have_years`` the years that exist for it at ``place``;
    ``holders`` other units that have it.
    """

    place: Place | None
    what: str | None = None
    years: tuple[int, ...] = ()
    have_years: tuple[int, ...] = ()
    holders: tuple[Place, ...] = ()
    unknown: tuple[PlaceAsked, ...] = ()
    people: bool = False
    metric: Metric | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """Facts that answer the question, how to present them, and what was left out."""

    intent: Intent
    facts: tuple[Fact, ...]
    title: str | None = None
    more: int = 0
    metric: Metric | None = None
    places: tuple[Place, ...] = ()
    year_note: int | None = None
    only_holder: bool = False  # no unit was named: the only one with the metric answered
    missing_level: str | None = None  # asked "xã nào …": no ward has it, other units do


@dataclass(frozen=True, slots=True)
class Overview:
    """A unit asked about as a whole: one headline figure per topic."""

    place: Place
    facts: tuple[Fact, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ranking:
    """Units ordered on one metric, by value or by percent, in groups of like units."""

    metric: Metric
    groups: tuple[tuple[Fact, ...], ...]
    by_percent: bool
    lowest: bool
    missing_level: str | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """One metric side by side for several units; ``missing`` the units without it."""

    metric: Metric | None
    facts: tuple[Fact, ...]
    missing: tuple[Place, ...] = ()
    unknown: tuple[PlaceAsked, ...] = ()
    places: tuple[Place, ...] = ()
    years: tuple[int, ...] = ()


Selection = (Smalltalk | PlaceProblem | WhichPlace | NotUnderstood | Missing | Found | Overview
             | Ranking | Comparison)


@dataclass
class Selector:
    """Applies the selection rules to one question."""

    kb: KnowledgeBase
    lexicon: Lexicon
    ask: Ask
    places: Places
    rest_text: str = ""
    _reviewed: dict[str, frozenset[int]] = field(default_factory=dict)

    def select(self) -> Selection:
        """What answers the question, or why nothing does."""
        ask, places = self.ask, self.places
        if ask.intent == "smalltalk":
            return Smalltalk(ask.smalltalk or "greeting")
        units = places.units
        # Quoted words are looked up first: a place inside them ("văn hóa Hồ Chí Minh") is theirs.
        if ask.quoted and (said := self._said_in_words(units or self.kb.places)):
            return said
        if ask.intent in ("holders", "ranking") and ask.metrics and places.asked and all(
                a.kind == "province" for a in places.asked):
            return self._ranking_or_holders(places.asked[0].places[0], frozenset(
                p.key for a in places.asked for p in units_inside(self.kb, a.places[0])))
        if places.problem is not None:
            return PlaceProblem(places.problem, self.rest_text)
        if ask.intent == "compare" or len(units) + len(places.without_data) > 1:
            return self._compare(units)
        if not units and places.without_data:
            holders = self.kb.holders(ask.metrics[0].metric.id) if ask.metrics else ()
            return Missing(None, self._what(), ask.years, unknown=places.without_data,
                           holders=holders)
        if not units:
            return self._no_place()
        return self._one(units[0])

    def _said_in_words(self, places: Sequence[Place]) -> Selection | None:
        """The facts whose own words hold what the question quotes (a slogan, a title)."""
        asked = " ".join(keys(self.ask.quoted or ""))
        facts = [f for p in places for f in self.kb.by_place.get(p.key, ())
                 if asked in " ".join(keys(f"{f.quote or ''} {f.text or ''}"))]
        if not facts:
            return None
        intent = "theme" if any(f.kind == "theme" for f in facts) else "figure"
        return Found(intent, tuple(_ordered(facts)[:MAX_LINES]),
                     places=tuple(dict.fromkeys(f.place for f in facts)))

    # -- no unit named ------------------------------------------------------------------------

    def _no_place(self) -> Selection:
        ask = self.ask
        if ask.person or ask.intent in ("who", "when", "theme"):
            return self._kind_facts(self.kb.places)
        if ask.intent in ("holders", "ranking") and ask.metrics:
            return self._ranking_or_holders()
        if ask.metrics and (specific(ask) or not ask.family):
            metric = ask.metrics[0].metric
            holders = self.kb.holders(metric.id)
            if len(holders) == 1:  # only one unit has it: its figure, saying so
                found = self._one(holders[0])
                return replace(found, only_holder=True) if isinstance(found, Found) else found
            # The units with the year asked, when any has it ("chỉ tiêu thu ngân sách 2025").
            years = set(ask.years)
            dated = tuple(p for p in holders if any(
                f.year in years for f in self.kb.facts_of(p, metric.id))) if years else ()
            return WhichPlace(metric.label, dated or holders, metric)
        if ask.family:
            family = ask.family
            holders = tuple(p for p in self.kb.places if self._in_years(
                f for f in self.kb.by_place[p.key]
                if family.covers(f, self.kb.metrics[f.metric].label)))
            return WhichPlace(family.name, holders, family=family)
        if ask.topics:
            holders = tuple(p for p in self.kb.places if set(self.kb.topics_of(p))
                            & set(ask.topics))
            return WhichPlace(", ".join(t.lower() for t in ask.topics), holders)
        if named := self._named_by_words(self.kb.metrics):
            # "tăng trưởng": words of several metrics' names; the units that have any.
            holders = tuple(p for p in self.kb.places if any(self.kb.facts_of(p, m)
                                                             for m in named))
            return WhichPlace(ask.typed, holders)
        if ask.years and not ask.content:
            # "năm 2024 thì có gì": the units with figures of that year.
            years = set(ask.years)
            return WhichPlace("số liệu", tuple(p for p in self.kb.places
                                               if years.intersection(self.kb.years_of(p))))
        return NotUnderstood()

    def _ranking_or_holders(self, province: Place | None = None,
                            within: frozenset[str] = frozenset()) -> Selection:
        """The units that have the metric asked (those ``within`` a province), or their ranking."""
        ask = self.ask
        metric = ask.metrics[0].metric
        holders = tuple(p for p in self.kb.holders(metric.id) if province is None
                        or p.key in within)
        # "quận nào …" asks among districts; without any, the units that have it are shown.
        of_level = tuple(p for p in holders if p.level == ask.level)
        missing_level = ask.level if ask.level and not of_level else None
        facts = [f for p in of_level or holders for f in self._narrowed(
            self._in_years(self.kb.facts_of(p, metric.id)))]
        if not facts:
            return Missing(province, metric.label, ask.years, metric=metric,
                           holders=self.kb.holders(metric.id) if province else holders)
        if ask.intent == "holders" and not ask.ranking:
            return _holders(facts, metric, missing_level)
        # "tỷ lệ hộ nghèo thấp nhất" ranks rates, never counts or shares of a plan (unless the
        # metric is itself a rate: "tỷ lệ giải ngân" is a share of the plan).
        rates = [f for f in facts if f.percent_number is not None and not f.percent_of] \
            if _asks_rate(ask.words) and not _asks_rate(keys(metric.label)) else []
        by_percent = bool(rates) or ask.wants_percent or not any(f.number is not None
                                                                 for f in facts)
        rows = rates or [f for f in facts
                         if (f.percent_number if by_percent else f.number) is not None]
        # Results are ranked with results and targets with targets, never the two mixed.
        wanted = [f for f in rows if (f.kind == "target") == ask.wants_target]
        rows = wanted or rows
        latest: dict[str, Fact] = {}
        for fact in rows:
            if fact.place.key not in latest or fact.year > latest[fact.place.key].year:
                latest[fact.place.key] = fact
        if not latest:
            return _holders(facts, metric, missing_level)
        # Like beside like: units of one level and one measuring unit are ranked together.
        groups: dict[tuple[str, str], list[Fact]] = {}
        for fact in latest.values():
            groups.setdefault((fact.place.level, "" if by_percent else fact.unit or ""),
                              []).append(fact)
        ranked = tuple(tuple(sorted(group, key=lambda f: (
            f.percent_number if by_percent else f.number) or 0.0,
            reverse=ask.ranking != "lowest")) for group in groups.values())
        return Ranking(metric, ranked, by_percent, ask.ranking == "lowest", missing_level)

    # -- several units --------------------------------------------------------------------------

    def _compare(self, units: tuple[Place, ...]) -> Selection:
        ask = self.ask
        unknown = self.places.without_data
        match = self._best_shared(units)
        if match is None:
            return Comparison(None, (), unknown=unknown, places=units, years=ask.years)
        metric = match.metric
        facts: list[Fact] = []
        missing: list[Place] = []
        for place in units:
            figures = [f for f in self.kb.facts_of(place, metric.id) if f.kind in FIGURE_KINDS]
            # Results beside results, targets beside targets, when the unit has the kind asked.
            figures = [f for f in figures if (f.kind == "target") == ask.wants_target] or figures
            in_years = self._in_years(figures)
            found = self._narrowed(in_years if in_years or not ask.years_soft else figures)
            if found:
                facts.extend(found[:MAX_LINES])
            else:
                missing.append(place)
        return Comparison(metric, tuple(facts), tuple(missing), unknown, units, ask.years)

    def _best_shared(self, units: Sequence[Place]) -> MetricMatch | None:
        """The metric asked, preferring one that the units compared have."""
        matches = self.ask.metrics
        if not matches:
            return None
        having = [m for m in close_contenders(matches)
                  if any(self.kb.facts_of(p, m.metric.id) for p in units)]
        return having[0] if having else matches[0]

    # -- one unit -------------------------------------------------------------------------------

    def _one(self, place: Place) -> Selection:
        ask = self.ask
        if (on_day := self._on_day(place)) and ask.intent not in ("who", "yesno", "percent") \
                and not ask.person:
            # "Ngày 3/3/2023 quận tổ chức sự kiện gì?": what the unit's facts date that day.
            return Found("when", tuple(_ordered(on_day)[:MAX_LINES]), places=(place,))
        if ask.threshold is None and ask.intent == "figure" and (counted := self._counted(place)):
            # "có 13 chi bộ được xếp loại mức nào?": the figure the question itself says.
            return Found("figure", tuple(counted[:MAX_LINES]), places=(place,))
        if ask.intent == "overview" or (ask.intent == "list" and not ask.names_something
                                        and not ask.content):
            # "đạt được những kết quả gì": a list of nothing but frame words is the overview.
            return self._overview(place)
        if ask.intent in ("who", "when", "theme") or ask.person:
            return self._kind_facts((place,))
        if ask.intent == "list" and not self._names_people_or_events():
            listed = self._listed(place)
            # "những gương nào": a task of the unit may say what no metric names.
            told = self._by_fact_words(place, texts_only=True) \
                if isinstance(listed, Missing) else None
            return told or listed
        if not ask.metrics:
            return self._by_fact_words(place) or self._by_metric_words(place) or \
                Missing(place, self._what(), ask.years)
        return self._figures(place)

    def _on_day(self, place: Place) -> list[Fact]:
        """The unit's facts dated a day the question names (of the metric named whole, if any)."""
        ask = self.ask
        if not ask.dates:
            return []
        named = ask.metrics[0].metric.id if ask.metrics and ask.metrics[0].coverage > 0.99 \
            else None
        return [f for f in self.kb.by_place.get(place.key, ())
                if f.date in ask.dates and named in (None, f.metric)]

    def _names_people_or_events(self) -> bool:
        """True when the metric asked is curated as people, events or themes, not figures."""
        ask = self.ask
        return bool(ask.metrics) and (specific(ask) or not (ask.family or ask.topics)) and \
            self.lexicon.kind_of.get(ask.metrics[0].metric.id) not in FIGURE_KINDS

    def _by_metric_words(self, place: Place) -> Selection | None:
        """The unit's figures of the metrics whose names hold every word asked ("tăng trưởng").

        For words too few to name one metric of all: among the unit's own metrics they may.
        """
        named = self._named_by_words({f.metric for f in self.kb.by_place.get(place.key, ())})
        if not named:
            return None
        facts = [f for f in self._in_years(self.kb.by_place.get(place.key, ()))
                 if f.metric in named and f.kind in FIGURE_KINDS]
        if not facts:
            return None
        return Found(self._figure_intent(), tuple(_ordered(facts)[:MAX_LINES]), places=(place,))

    def _targets_if_asked(self, facts: list[Fact]) -> list[Fact]:
        """The targets when a target is asked and there are any.

        With several years asked ("chỉ tiêu 2025 so với số thu 2024") a year without a target
        keeps its results.
        """
        targeted = {f.year for f in facts if f.kind == "target"}
        if not self.ask.wants_target or not targeted:
            return facts
        several = len(self.ask.years) > 1
        return [f for f in facts if f.kind == "target" or (several and f.year not in targeted)]

    def _named_by_words(self, metric_ids: Iterable[str],
                        besides: frozenset[str] = frozenset()) -> set[str]:
        """The metrics whose names hold every content word asked (none when nothing is asked).

        ``besides``: words not to look for (those of a family or topic already applied).
        """
        content = set(self.ask.content) - besides
        words = [w for w in self.ask.typed_words if w[0] in content]
        if not words:
            return set()
        # Typed with diacritics, a bare word is bare: "thu" is not "thứ".
        accented = self.ask.accented
        return {m for m in metric_ids if all(
            (sig in sigs) if accented else (key in keys) for key, sig in words
            for keys, sigs in (self.lexicon.metric_words(self.kb.metrics[m]),))}

    def _counted(self, place: Place) -> list[Fact]:
        """The unit's figures whose value and measuring unit the question says ("13 chi bộ")."""
        words = self.ask.content
        said = {float(w) for w, after in pairwise(words)
                if w.isdigit() and after.isalpha()}  # years are not content words
        if not said:
            return []
        return [f for f in self._in_years(self.kb.by_place.get(place.key, ()))
                if f.kind in FIGURE_KINDS and f.number in said and f.unit
                and set(keys(f.unit)) <= set(words)]

    def _by_fact_words(self, place: Place, texts_only: bool = False) -> Selection | None:
        """Facts whose own words (a theme's quote, a detail) are what the question names.

        When no metric is named: at least two of the question's words, and most of them. With
        ``texts_only`` (a metric named that the unit lacks): only facts without figures, which
        share three or more words and three quarters of them.
        """
        content = set(self.ask.content)
        words = [w for w in self.ask.typed_words if w[0] in content]
        least, share = (3, 0.75) if texts_only else (2, 0.6)
        if len(words) < least:
            return None
        scored = [(len(shared(words, self.lexicon.fact_words(f))), f)
                  for f in self._in_years(self.kb.by_place.get(place.key, ()))
                  if not (texts_only and f.kind in FIGURE_KINDS)]
        top = max((score for score, _ in scored), default=0)
        if top < least or top < len(words) * share:
            return None
        chosen = [f for score, f in scored if score == top]
        intent = {"person": "who", "event": "when", "theme": "theme"}.get(chosen[0].kind,
                                                                           self._figure_intent())
        return Found(intent, tuple(_ordered(chosen)[:MAX_LINES]), places=(place,))

    def _figure_intent(self) -> Intent:
        """How figures found by words are phrased: as asked (yes/no, % of plan, growth)."""
        return self.ask.intent if self.ask.intent in ("yesno", "percent", "growth") else "figure"

    def _figures(self, place: Place) -> Selection:
        ask = self.ask
        own = self._own_matches(place)
        if not own and (told := self._by_fact_words(place, texts_only=True)):
            return told  # "Năm 2024 Quận 1 có kiện toàn hội đồng thi đua …": a task's own words
        if not own:
            metric = ask.metrics[0].metric
            return Missing(place, metric.label, ask.years,
                           holders=tuple(p for p in self.kb.holders(metric.id) if p != place),
                           metric=metric)
        facts = [f for m in own for f in self.kb.facts_of(place, m.metric.id)]
        figures = [f for f in facts if f.kind in FIGURE_KINDS]
        told = self._told_in_words(facts)
        if told and told[0].kind not in FIGURE_KINDS:
            kind = {"person": "who", "event": "when", "theme": "theme"}[told[0].kind]
            return Found(kind, tuple(told[:MAX_LINES]), places=(place,))  # type: ignore[arg-type]
        if not figures:
            kind = facts[0].kind
            intent = {"person": "who", "event": "when", "theme": "theme"}[kind]
            return replace(self, ask=replace(ask, intent=intent))._kind_facts((place,))
        facts = figures
        facts = self._targets_if_asked(facts)
        metric = own[0].metric
        in_years, note = self._years_or_only(facts)
        if not in_years:
            return self._by_fact_words(place, texts_only=True) or Missing(
                place, metric.label, ask.years,
                have_years=tuple(sorted({f.year for f in facts})), metric=metric)
        chosen = self._narrowed(in_years)
        return Found(ask.intent, tuple(_ordered(chosen)[:MAX_LINES + 2]), metric=metric,
                     places=(place,), year_note=note)

    def _rest_overlap(self, fact: Fact) -> int:
        return len(set(shared(self.ask.rest, self.lexicon.fact_words(fact))))

    def _told_in_words(self, facts: list[Fact], at_least: int = 0) -> list[Fact]:
        """Of a metric's facts of several kinds, those whose own words the question uses most.

        "ban hành kế hoạch số mấy" asks the plan's number, not the result.
        """
        if not at_least and len({f.kind for f in facts}) < 2:
            return []
        scored = [(self._rest_overlap(f), f) for f in self._in_years(facts)]
        top = max((score for score, _ in scored), default=0)
        return [f for score, f in scored if score == top] if top >= 2 else []

    def _own_matches(self, place: Place) -> list[MetricMatch]:
        """The metrics asked that the unit has: the best ones, or one nearly as good.

        Other metrics named whole by words of their own are added ("thất nghiệp và giảm
        nghèo"); a growth question prefers a growth metric.
        """
        ask = self.ask
        have = {f.metric for f in self.kb.by_place.get(place.key, ())}
        if ask.intent == "growth":
            grown = [m for m in ask.metrics if m.metric.id in have and growth_verb(m.metric.label)]
            # "tăng bao nhiêu?" of a value: the growth of that value.
            named = [(t.key, t.sig) for m in ask.metrics[:1]
                     for t in self.lexicon.content_tokens(m.metric.label)]
            restricted = self.lexicon.metrics.match(
                (*ask.typed_words, *named, ("tang", "")), among={m for m in have if growth_verb(
                    self.kb.metrics[m].label)})
            if grown or restricted:
                return _with_parts([(grown or list(restricted))[0]], ask.parts, {
                    m for m in have if growth_verb(self.kb.metrics[m].label)})
        best = close_contenders(ask.metrics)
        if ask.frame_only and ask.wants_target and not _RESULT_VERBS.intersection(ask.words):
            # "nhận bao nhiêu chỉ tiêu": only frame words name it; a metric the unit has targets
            # of in the years asked, before one it has results of.
            targeted = {f.metric for f in self._in_years(self.kb.by_place.get(place.key, ()))
                        if f.kind == "target"}
            best = [m for m in ask.metrics if m.metric.id in targeted][:1] or best
        own = [m for m in best if m.metric.id in have]
        if not own and ask.metrics[0].words:  # not for a metric the conversation carried
            restricted = self.lexicon.metrics.match(ask.typed_words, among=have)
            top = ask.metrics[0].score
            own = [m for m in close_contenders(restricted) if m.score >= top * _NEARLY]
        # Words a better metric explains, had the unit it or not, name no other metric.
        explained = set().union(*(m.words for m in (*best, *own)))
        for match in ask.metrics:
            if match.metric.id in have and match.coverage > 0.99 and match not in own \
                    and match.words - explained and len(match.words) > 1 \
                    and not (own and ask.clauses < 2
                             and match.words <= self.lexicon.frame_keys):
                own.append(match)
                explained |= match.words
        return _with_parts(own, ask.parts, have)

    def _listed(self, place: Place, topics: tuple[str, ...] = ()) -> Selection:
        """The facts of a family, of the metrics named or of a topic, for the unit and year."""
        ask = self.ask
        facts = [f for f in self.kb.by_place.get(place.key, ()) if f.kind in FIGURE_KINDS
                 or f.kind == "theme"]
        facts, title = self._list_scope(facts, topics)
        facts = self._targets_if_asked(facts)
        if not facts:
            return Missing(place, title or self._what(), ask.years)
        in_years, note = self._years_or_only(facts)
        if not in_years:
            return Missing(place, title, ask.years,
                           have_years=tuple(sorted({f.year for f in facts})))
        ordered = _ordered(in_years)
        return Found("list", tuple(ordered[:MAX_LINES]), title, max(0, len(ordered) - MAX_LINES),
                     places=(place,), year_note=note)

    def _list_scope(self, facts: list[Fact], topics: tuple[str, ...],
                    ) -> tuple[list[Fact], str | None]:
        """What a list covers, and its title.

        A family the unit has (within the topic named), else several metrics the question
        names, else the topics named or those of the metrics named.
        """
        ask = self.ask
        metrics = self.kb.metrics
        wanted = topics or ask.topics
        if ask.family:
            family = ask.family
            members = [f for f in facts if family.covers(f, metrics[f.metric].label)] or [
                f for f in facts if family.named_in(metrics[f.metric].label)]
            # "mục tiêu nông thôn mới": the members whose names hold the other words asked
            # (not the words they count in: "bao nhiêu tập thể").
            counted = {t.key for f in members for t in self.lexicon.content_tokens(f.unit or "")}
            named = self._named_by_words({f.metric for f in members},
                                         ask.broad_words | counted)
            members = [f for f in members if f.metric in named] or members
            within = [f for f in members if metrics[f.metric].topic in wanted]
            if within or (members and not wanted):
                scope = f"{family.name} về {_topics_text(wanted)}" if within else family.name
                return within or members, scope
        if ask.words and (specific(ask) or not wanted):
            have = {f.metric for f in facts}
            own = self.lexicon.metrics.match(ask.typed_words, among=have)
            named = [m for m in own if m.score >= own[0].score * 0.5] if own else []
            if len(named) > 1:
                ids = {m.metric.id for m in named}
                return [f for f in facts if f.metric in ids], _topics_text(tuple(
                    dict.fromkeys(m.metric.topic for m in named)))
            if named and not wanted:
                wanted = (named[0].metric.topic,)
            elif named and specific(ask) and not any(metrics[f.metric].topic in wanted
                                                     for f in facts):
                # The topic a word suggests ("covid") is not the unit's; the metric named is.
                metric = named[0].metric
                return [f for f in facts if f.metric == metric.id], metric.label
        if not wanted:
            wanted = tuple(dict.fromkeys(m.metric.topic for m in close_contenders(ask.metrics)))
        if not wanted:
            return [], None
        return [f for f in facts if metrics[f.metric].topic in wanted], _topics_text(wanted)

    def _overview(self, place: Place) -> Selection:
        facts = [f for f in self.kb.by_place.get(place.key, ()) if f.kind in FIGURE_KINDS]
        in_years = self._in_years(facts) or facts
        headline: dict[str, Fact] = {}
        for fact in in_years:
            headline.setdefault(self.kb.metrics[fact.metric].topic, fact)
        return Overview(place, tuple(headline.values())[:MAX_LINES - 2], self.kb.topics_of(place))

    # -- people, dates and themes -----------------------------------------------------------------

    def _kind_facts(self, places: Sequence[Place]) -> Selection:
        """People (by role, position or name), dates of events, or themes in their own words."""
        ask = self.ask
        kinds = _KIND_OF_INTENT.get(ask.intent, ("person",))
        pool = [f for p in places for f in self.kb.by_place.get(p.key, ()) if f.kind in kinds
                and (f.kind != "theme" or ask.intent != "when" or DATED.search(f.text or ""))]
        if ask.person:
            pool = [f for f in pool if ask.person in (f.text or "")]
        everything = pool
        pool = self._in_years(pool)
        in_pool = {f.metric for f in everything}
        named = _near_best(self.lexicon.metrics.match(ask.typed_words, among=in_pool)) \
            if ask.words else tuple(m for m in close_contenders(ask.metrics)
                                    if m.metric.id in in_pool)
        best = ask.metrics[0] if ask.metrics else None
        if ask.intent == "who" and not ask.person and best and best.coverage >= 0.8 \
                and self.lexicon.kind_of.get(best.metric.id) == "event":
            # "ai ký giao ước thi đua?": the event's own words say who took part.
            told = self._in_years(f for p in places for f in self.kb.facts_of(p, best.metric.id))
            if told:
                return Found("when", tuple(_ordered(told)[:MAX_LINES]), places=tuple(places))
        if ask.intent == "who" and not ask.person and not named and len(places) == 1 and (
                ask.topics or ask.family or (best and self.lexicon.kind_of.get(
                    best.metric.id) in FIGURE_KINDS)):
            # "khen thưởng những ai?": those awarded, not a person of the report.
            if ask.topics or ask.family:
                return self._listed(places[0])
            return replace(self, ask=replace(ask, intent="figure"))._figures(places[0])
        note = None
        if named and (named[0].coverage > 0.99 or best is None
                      or named[0].metric is best.metric):
            ids = {m.metric.id for m in named}
            outside = self._told_in_words(pool, at_least=2)
            pool = [f for f in pool if f.metric in ids]
            if outside and outside[0].metric not in ids and named[0].coverage < 0.99 and \
                    self._rest_overlap(outside[0]) > max(map(self._rest_overlap, pool), default=0):
                # "những … nào" asks for all of them: the metric's and those told in its words.
                pool = list(dict.fromkeys((*pool, *outside))) if "list" in ask.cues else outside
            if not pool and ask.years_soft:
                pool, note = self._years_or_only(
                    [f for f in everything if f.metric in ids])
        elif best and best.coverage > 0.99 and self.lexicon.kind_of.get(best.metric.id) in kinds:
            pool = []
        if not pool:
            one = places[0] if len(places) == 1 else None
            what = best.metric.label if best else self._what()
            have = sorted({f.year for f in everything if best and f.metric == best.metric.id})
            return Missing(one, what, ask.years, have_years=tuple(have),
                           people=ask.intent == "who" or bool(ask.person))
        chosen = pool if "list" in ask.cues else self._best_by_words(pool)
        intent = ask.intent if ask.intent in ("who", "when", "theme") else "who"
        return Found(intent, tuple(_ordered(chosen)[:MAX_LINES]), places=tuple(places),
                     year_note=note)


    def _best_by_words(self, facts: Sequence[Fact]) -> list[Fact]:
        """The facts whose metric, role, detail or text share the most words with the question."""
        words = self.ask.typed_words
        if not words:
            return list(facts)
        scored = [(self._overlap(f, words), f) for f in facts]
        top = max(score for score, _ in scored)
        if top <= 0:
            return list(facts)
        return [f for score, f in scored if score >= top]

    def _overlap(self, fact: Fact, words: Sequence[tuple[str, str]]) -> float:
        hits = set(shared(words, self.lexicon.fact_words(fact, self.kb.metrics[fact.metric])))
        # A number the question shares with a fact ("Chỉ thị 34", "75 năm") tells it apart.
        return sum(_NUMBER_WEIGHT if w.isdigit() else self.lexicon.metrics.weights.get(w, 1.0)
                   for w in hits)

    # -- building blocks ------------------------------------------------------------------------

    def _in_years(self, facts: Iterable[Fact]) -> list[Fact]:
        """The facts of the years asked (all when none is asked).

        A person, event or theme also matches the year its report reviews ("Bí thư … lúc
        tổng kết năm 2021" is a fact of the 2022 ceremony).
        """
        years = set(self.ask.years)
        facts = list(facts)
        if not years:
            return facts
        return [f for f in facts if f.year in years
                or (f.kind not in FIGURE_KINDS and self._reviewed_years(f) & years)]

    def _years_or_only(self, facts: list[Fact]) -> tuple[list[Fact], int | None]:
        """The facts of the years asked, or of the unit's only year for a carried one.

        A year carried from the conversation that the unit lacks gives the facts of its only
        year, and the year asked, to say so.
        """
        in_years = self._in_years(facts)
        if in_years or not self.ask.years_soft:
            return in_years, None
        years = {f.year for f in facts}
        if len(years) == 1:
            return list(facts), self.ask.years[0]
        return [], None

    def _reviewed_years(self, fact: Fact) -> frozenset[int]:
        source = fact.source.id
        if source not in self._reviewed:
            self._reviewed[source] = frozenset(
                f.year for f in self.kb.by_place.get(fact.place.key, ())
                if f.source.id == source and f.kind in ("result", "award"))
        return self._reviewed[source]

    def _narrowed(self, facts: list[Fact]) -> list[Fact]:
        """Facts whose own words carry the question's qualifiers (``hạng Nhất``), if any do."""
        if not self.ask.rest or len(facts) < 2:
            return facts
        if self.ask.parts and len(metrics := {f.metric for f in facts}) > 1:
            # Each part of a two-part question is narrowed among its own facts.
            return [f for m in metrics for f in self._narrowed([g for g in facts if g.metric == m])]
        scored = [(self._rest_overlap(f), f) for f in facts]
        top = max(score for score, _ in scored)
        return [f for score, f in scored if score == top] if top else facts

    def _what(self) -> str | None:
        """What was asked, in the user's own words when no metric was recognised."""
        ask = self.ask
        if ask.metrics:
            return ask.metrics[0].metric.label
        if ask.family:
            return ask.family.name
        if ask.topics:
            return ", ".join(t.lower() for t in ask.topics)
        return ask.typed or None


def _near_best(matches: Sequence[MetricMatch]) -> tuple[MetricMatch, ...]:
    """The best match and those within reach of it (their facts' own words decide)."""
    return tuple(m for m in matches if m.score >= matches[0].score * 0.6) if matches else ()


def _topics_text(topics: Sequence[str]) -> str:
    return ", ".join(t.lower() for t in topics)


def _holders(facts: list[Fact], metric: Metric, missing_level: str | None) -> Found:
    """The facts of the first ``MAX_UNITS`` units that hold the metric; the others counted."""
    units = list(dict.fromkeys(f.place.key for f in facts))
    shown = set(units[:MAX_UNITS])
    return Found("holders", tuple(f for f in facts if f.place.key in shown), metric.label,
                 more=len(units) - len(shown), metric=metric, missing_level=missing_level)


def _ordered(facts: Iterable[Fact]) -> list[Fact]:
    """Results before targets, then by year; otherwise as curated."""
    return sorted(facts, key=lambda f: (f.year, f.kind == "target"))


def _with_parts(own: list[MetricMatch], parts: Sequence[MetricMatch],
                have: set[str]) -> list[MetricMatch]:
    """The metrics chosen, then each other part of a two-part question the unit has."""
    chosen = {m.metric.id for m in own}
    return [*own, *(p for p in parts if p.metric.id in have and p.metric.id not in chosen)]


def _asks_rate(words: Sequence[str]) -> bool:
    """True when the question names a rate ("tỷ lệ", "ti le")."""
    return any(a in ("ty", "ti") and b == "le" for a, b in pairwise(words))
