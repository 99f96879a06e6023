"""Follow-up questions: what a conversation has settled, and filling a question's gaps from it.

A follow-up fills only what it does not say itself: "còn Quận 1?" takes the metric, the intent
and the years of the conversation; "năm 2021 thì sao?" takes its unit and metric; "quận đó",
"năm đó", "năm trước" point back. A question that names a unit and what it asks starts afresh.
A carried year is soft: a unit without it is answered for its only year, or told which it has.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from knowledge.base import KnowledgeBase, Metric
from knowledge.intent import Ask
from knowledge.lexicon import Lexicon, MetricMatch, person_names, shared
from knowledge.model import Answer, Fact, Place, Ward
from knowledge.places import PlaceAsked, Places, formed_from
from knowledge.read import Reading

# A short reply to the bot's own question ("Hoàng Mai", "2022") completes that question.
_SHORT_REPLY = 6
_FOLLOWUP_WORDS = frozenset(("con", "vay", "sao", "the", "thi"))


@dataclass(frozen=True, slots=True)
class Context:
    """What the last questions and replies settled: units, years, metric or topic, intent.

    ``pending`` is the question a ``clarify`` reply asked back about; ``mentioned`` the one
    person the last reply named, whom "bà ấy", "ông ấy" point to.
    """

    places: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    metric: str | None = None
    topics: tuple[str, ...] = ()
    family: str | None = None
    intent: str | None = None
    person: str | None = None
    pending: str | None = None
    mentioned: str | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is settled yet."""
        return self == Context()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the state store."""
        return {"places": list(self.places), "years": list(self.years), "metric": self.metric,
                "topics": list(self.topics), "family": self.family, "intent": self.intent,
                "person": self.person, "pending": self.pending, "mentioned": self.mentioned}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Context:
        """The context stored by ``to_dict``; an empty one for anything malformed."""
        if not isinstance(data, Mapping):
            return cls()
        try:
            return cls(
                places=tuple(str(p) for p in data.get("places") or ()),
                years=tuple(int(y) for y in data.get("years") or ()),
                metric=_text(data.get("metric")), topics=tuple(map(str, data.get("topics") or ())),
                family=_text(data.get("family")), intent=_text(data.get("intent")),
                person=_text(data.get("person")), pending=_text(data.get("pending")),
                mentioned=_text(data.get("mentioned")))
        except (TypeError, ValueError):
            return cls()


def completes_pending(context: Context, reading: Reading, places: Places, ask: Ask) -> bool:
    """True when a short message answers the bot's own clarify ("Hoàng Mai", "Hà Nội")."""
    return bool(context.pending) and len(reading.tokens) <= _SHORT_REPLY and not ask.metrics \
        and not ask.person and bool(places.asked or places.provinces or ask.years)


def follow(context: Context, places: Places, ask: Ask, kb: KnowledgeBase,
           lexicon: Lexicon) -> tuple[Places, Ask]:
    """The question with its gaps filled from the conversation (unchanged when it has none)."""
    if context.empty or ask.intent == "smalltalk":
        return places, ask
    ask = _refined(ask, context, kb, lexicon, places.units)
    if "person" in ask.pointers and (context.person or context.mentioned) and not ask.person:
        # "bà ấy còn giữ chức gì?": the person the conversation is about, in their unit.
        ask = replace(ask, person=context.person or context.mentioned, intent="who")
    names_place = bool(places.asked) or bool(places.provinces)
    # "… đặt mục tiêu bao nhiêu?": a kind of fact alone asks it of the metric talked about.
    kind_only = bool(ask.family and ask.family.kind) and not (
        (ask.metrics and not ask.frame_only) or ask.topics or ask.person)
    names_what = ask.names_on_its_own and not (kind_only and context.metric)
    if names_what and ask.followup and not names_place and context.metric and ask.content \
            and not _names_own_metric(ask, context, kb):
        # "còn lĩnh vực đô thị?", "còn số trao tại hội nghị tổng kết?": words that are all a
        # fact's own of the metric talked about narrow it, though they could name another.
        narrowing = _qualified(ask, context, kb, lexicon, whole=True)
        names_what = narrowing is None or narrowing.id != context.metric
        if not names_what and ask.intent == "list":
            ask = replace(ask, intent="figure", topics=())  # a topic word read as a detail
    if kind_only and context.metric and ask.intent == "list":
        ask = replace(ask, intent="figure")
    pointers = ask.pointers
    unknown = set(ask.content) - _FOLLOWUP_WORDS - (ask.broad_words if kind_only else set())
    carried = kb.metrics.get(context.metric or "")
    if carried is not None:
        unknown -= lexicon.metric_words(carried)[0]  # "mục tiêu tăng trưởng": its own words
    if not names_what and not names_place and unknown:
        # "mũi 2?", "còn số thôn?": words that tell one of the unit's facts from the others.
        qualified = _qualified(ask, context, kb, lexicon)
        if qualified is None:
            # Words the bot did not understand ("còn xyz?"): not the last question again.
            return places, _pointed_years(context, ask)
        if qualified.id != context.metric:
            ask = replace(ask, metrics=(MetricMatch(qualified, 1.0, 1.0, frozenset()),),
                          frame_only=False, topics=(), family=None)
            names_what = True
    elif not names_what and unknown:
        return places, _pointed_years(context, ask)
    # Naming neither a unit nor what it asks ("đạt bao nhiêu % dự toán?") is a follow-up too.
    incomplete = not names_place and not names_what
    carry_place = not names_place and bool(context.places) and (
        bool(pointers & {"place", "person"}) or names_what or bool(ask.years) or ask.followup
        or incomplete
        or bool(pointers & {"year", "previous_year", "next_year"}))
    carries = bool(context.metric or context.topics or context.family or context.person
                   or context.intent)
    carry_what = carries and not names_what and (names_place or bool(ask.years)
                                                 or ask.followup or bool(pointers) or incomplete)
    if carry_place and ask.intent in ("ranking", "holders"):
        carry_place = False
    if not (carry_place or carry_what):
        return places, _pointed_years(context, ask)
    if carry_place:
        places = _with_places(places, context, kb, pointers=pointers)
    if carry_what:
        ask = _with_what(ask, context, kb, lexicon)
        if ask.intent == "compare" or (names_place and "compare" in ask.cues):
            places = _with_places(places, context, kb, keep_named=True)
            # A year said of the unit compared with does not take the other's figures away.
            return places, replace(ask, intent="compare", years=ask.years or context.years,
                                   years_soft=True)
    ask = _pointed_years(context, ask)
    if not ask.years and context.years:
        ask = replace(ask, years=context.years, years_soft=True)
    return places, ask


def settled(context: Context, places: Places, ask: Ask, answer: Answer,
            question: str) -> Context:
    """What the conversation has settled after this question and its reply."""
    if ask.intent == "smalltalk":
        return context
    facts = answer.facts
    metrics = list(dict.fromkeys(f.metric for f in facts))
    metric = metrics[0] if len(metrics) == 1 else (
        ask.metrics[0].metric.id if ask.metrics else None)
    keys = [p.key for a in places.asked for p in a.places[:1]]
    answered = {f.place.key for f in facts}
    if not keys and len(answered) == 1:
        keys = list(answered)  # "quận nào …?" → "ở đó …": the unit the answer named
    keys = keys or list(context.places)
    years = tuple(sorted({f.year for f in facts})) if facts and not ask.years_soft else ask.years
    return Context(
        places=tuple(dict.fromkeys(keys)),
        years=years or (() if ask.years_soft else context.years),
        metric=metric if not (ask.topics or ask.family) or ask.metrics else None,
        topics=ask.topics,
        family=ask.family.name if ask.family else None,
        intent=ask.intent if ask.intent not in ("compare", "overview", "unknown") else None,
        person=ask.person,
        pending=question if answer.status == "clarify" else None,
        mentioned=_one_person(facts),
    )


def _refined(ask: Ask, context: Context, kb: KnowledgeBase, lexicon: Lexicon,
             units: Sequence[Place] = ()) -> Ask:
    """The metric a follow-up's words make with the carried one.

    "còn cấp thành phố?" after "người tốt việc tốt cấp quận" only changes a word of it.
    """
    carried = kb.metrics.get(context.metric or "")
    if carried is None or not ask.typed_words:
        return ask
    place = _talked_about(context, kb)
    if ask.metrics and ask.metrics[0].coverage > 0.99:
        best = ask.metrics[0].metric
        if ask.frame_only and best is not carried and place is not None \
                and kb.facts_of(place, best.id):
            # "năm trước quận hoàn thành mấy chỉ tiêu?": frame words that name a metric whole,
            # one the unit has, name it.
            return replace(ask, frame_only=False)
        return ask
    weak = ask.frame_only or not ask.metrics
    new = {key for key, _ in ask.typed_words}
    words = (*ask.typed_words, *((t.key, t.sig) for t in lexicon.content_tokens(carried.label)))
    # A unit the question names itself keeps a metric of its own ("Hoàng Mai … giảm được mấy
    # hộ?" after another unit's "giảm hộ nghèo"): it is not refined into one the unit lacks.
    named = units[0] if units and ask.metrics and not ask.frame_only else None
    for match in lexicon.metrics.match(words):
        if match.metric is carried or not new <= match.words or (
                named is not None and not kb.facts_of(named, match.metric.id)):
            continue
        # Frame words alone ("đã hoàn thành bao nhiêu?") change the metric only to one the
        # carried name and they make whole, which the unit has.
        if weak and (match.coverage < 0.99 or place is None
                               or not kb.facts_of(place, match.metric.id)):
            continue
        return replace(ask, metrics=(match,), frame_only=False)
    return ask


def _qualified(ask: Ask, context: Context, kb: KnowledgeBase, lexicon: Lexicon,
               whole: bool = False) -> Metric | None:
    """The metric of the conversation's unit whose facts the follow-up's own words tell.

    Most of the words (``whole``: all of them) must be a fact's own (its detail, unit, text or
    metric's name); the carried metric wins a tie. None when no fact of the unit is told so.
    """
    place = _talked_about(context, kb)
    if place is None:
        return None
    content = set(ask.content) - _FOLLOWUP_WORDS
    words = [w for w in ask.typed_words if w[0] in content]
    facts = kb.by_place.get(place.key, ())
    in_years = [f for f in facts if f.year in (ask.years or context.years)] or facts
    best: tuple[int, int, bool, str] | None = None
    for fact in in_years:
        metric = kb.metrics[fact.metric]
        score = len(set(shared(words, lexicon.fact_words(fact, metric))))
        # "còn số thôn?" after the communes: the word the fact counts in tells most.
        counted = [t for u in (fact.unit, *(a.unit for a in fact.also)) if u
                   for t in lexicon.content_tokens(u)]
        in_unit = len(shared(words, frozenset((*(t.key for t in counted),
                                               *(t.sig for t in counted)))))
        ranked = (score, in_unit, fact.metric == context.metric, fact.metric)
        if best is None or ranked[:3] > best[:3]:
            best = ranked
    needed = len(words) if whole else max(1, math.ceil(len(words) * 0.6))
    if best is None or best[0] < needed:
        return None
    return kb.metrics[best[3]]


def _with_places(places: Places, context: Context, kb: KnowledgeBase,
                 keep_named: bool = False, pointers: frozenset[str] = frozenset()) -> Places:
    carried = []
    for key in context.places:
        place = kb.gazetteer.place_by_key(key)
        if isinstance(place, Ward) and "former_district" in pointers:
            # "quận cũ" of a ward: the former districts with facts it was formed from.
            carried += [PlaceAsked("unit", d.name, (d,)) for d in formed_from(kb, place)
                        if d.key in kb.by_place]
        elif place is not None:
            kind = "unit" if key in kb.by_place else "no_data"
            carried.append(PlaceAsked(kind, place.name, (place,)))
    named = places.asked if keep_named else ()
    return replace(places, asked=(*carried, *named))


def _names_own_metric(ask: Ask, context: Context, kb: KnowledgeBase) -> bool:
    """True when the words name, whole, another metric the unit talked about has.

    "trong đó khen đột xuất mấy tập thể?" after certificates that include ad-hoc ones: the
    ad-hoc awards' own metric, not a detail of the certificates.
    """
    place = _talked_about(context, kb)
    best = ask.metrics[0] if ask.metrics else None
    return place is not None and best is not None and best.coverage > 0.99 \
        and best.metric.id != context.metric and bool(kb.facts_of(place, best.metric.id))


def _with_what(ask: Ask, context: Context, kb: KnowledgeBase, lexicon: Lexicon) -> Ask:
    metric = kb.metrics.get(context.metric or "")
    matches = (MetricMatch(metric, 1.0, 1.0, frozenset()),) if metric else ()
    family = lexicon.families.get(context.family or "")
    intent = ask.intent if ask.intent in ("yesno", "percent", "growth", "compare", "list",
                                          "who", "when", "theme") else \
        (context.intent or "figure")
    return replace(ask, metrics=matches, topics=context.topics, family=family,
                   person=context.person, intent=intent)  # type: ignore[arg-type]


def _talked_about(context: Context, kb: KnowledgeBase) -> Place | None:
    """The unit the conversation is about (its first), if any."""
    return kb.gazetteer.place_by_key(context.places[0]) if context.places else None


def _one_person(facts: tuple[Fact, ...]) -> str | None:
    """The one person an answer names, whom "bà ấy", "ông ấy" then point to."""
    names = {n for f in facts if f.kind == "person" for n in person_names(f)}
    return names.pop() if len(names) == 1 else None


def _pointed_years(context: Context, ask: Ask) -> Ask:
    """``năm đó``, ``năm trước``, ``năm sau``: years counted from the conversation's."""
    if ask.years or not context.years:
        return ask
    pointers = ask.pointers
    if "year" in pointers:
        return replace(ask, years=context.years)
    if "previous_year" in pointers:
        return replace(ask, years=tuple(y - 1 for y in context.years))
    if "next_year" in pointers:
        return replace(ask, years=tuple(y + 1 for y in context.years))
    return ask


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
