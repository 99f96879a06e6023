"""The answer engine: read → places → intent → select → phrase, one typed value per stage.

A figure is only shown for the unit, year and metric the question names. Anything the
knowledge base lacks is said plainly (``not_found``) with what is available; anything ambiguous
is asked back (``clarify``) with options.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.context import Context, completes_pending, follow, settled
from knowledge.intent import Ask, read_intent
from knowledge.lexicon import lexicon_of
from knowledge.model import Answer, District, DistrictLookup
from knowledge.phrase import Phraser, examples, hint
from knowledge.places import Places, find_places
from knowledge.read import Reading, read
from knowledge.select import Selector


@dataclass(frozen=True, slots=True)
class Understood:
    """A question after the first three stages: its words, the places and what it asks."""

    reading: Reading
    places: Places
    ask: Ask


def understand(question: str, kb: KnowledgeBase) -> Understood:
    """Read a question, find its places and its intent (what charts and commands need too)."""
    lexicon = lexicon_of(kb)
    reading = read(question, lexicon)
    places = find_places(reading, kb, lexicon)
    return Understood(reading, places, read_intent(reading, places, lexicon))


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to a question, and the conversation's context after it."""

    answer: Answer
    context: Context


def answer(question: str, kb: KnowledgeBase) -> Answer:
    """Answer one Vietnamese question on its own, from the knowledge base."""
    return respond(question, kb).answer


def respond(question: str, kb: KnowledgeBase, context: Context | None = None) -> Reply:
    """Answer a question in the context of a conversation; also return the new context."""
    context = context or Context()
    lexicon = lexicon_of(kb)
    understood = understand(question, kb)
    if not understood.reading.tokens:
        return Reply(Answer("not_found", "Bạn chưa nhập câu hỏi. " + hint(kb), (), examples(kb)),
                     context)
    if context.pending and completes_pending(context, understood.reading, understood.places,
                                             understood.ask):
        question = f"{context.pending}. {question}"
        understood = understand(question, kb)
        context = Context()
    reading = understood.reading
    places, ask = follow(context, understood.places, understood.ask, kb, lexicon)
    selection = Selector(kb, lexicon, ask, places, rest_text(reading, places)).select()
    reply = Phraser(kb, ask, places).phrase(selection)
    return Reply(reply, settled(context, places, ask, reply, question))


def lookup_district(text: str, kb: KnowledgeBase) -> DistrictLookup:
    """Find the former district ``text`` names, by the same rules as questions.

    Of same-named districts the one with data is taken when only one has data, as in answers.
    """
    lexicon = lexicon_of(kb)
    reading = read(text, lexicon)
    places = find_places(reading, kb, lexicon)
    whole = bool(reading.tokens) and set(places.used) >= set(range(len(reading.tokens)))
    if not places.asked:
        return DistrictLookup(text, whole=False)
    asked = places.asked[0]
    districts = tuple(p for p in asked.places if isinstance(p, District))
    if asked.kind == "unit" and districts:
        return DistrictLookup(asked.typed, whole, district=districts[0])
    if asked.kind == "no_data" and len(districts) == 1:
        return DistrictLookup(asked.typed, whole, district=districts[0])
    if asked.kind == "ward":
        ward = asked.places[0]
        return DistrictLookup(asked.typed, whole, ward=f"{ward.name} ({ward.province})",
                              origins=asked.origins)
    return DistrictLookup(asked.typed, whole, options=districts)


def rest_text(reading: Reading, places: Places) -> str:
    """The question without its place words (to re-ask it about another place)."""
    return reading.raw([i for i in range(len(reading.tokens)) if i not in places.used])
