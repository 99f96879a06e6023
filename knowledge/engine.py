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
from knowledge.model import Answer, Place
from knowledge.phrase import Phraser, examples, hint
from knowledge.places import PlaceLookup, Places, find_places
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


def lookup_place(text: str, kb: KnowledgeBase) -> PlaceLookup:
    """Find the unit of either map ``text`` names, by the same stages as questions.

    Of same-named units the one with facts is taken when only one has facts, as in answers.
    """
    lexicon = lexicon_of(kb)
    reading = read(text, lexicon)
    places = find_places(reading, kb, lexicon)
    rest = reading.raw([i for i in range(len(reading.tokens)) if i not in places.used])
    if not places.asked:
        return PlaceLookup(text.strip(), rest=rest)
    return PlaceLookup(places.asked[0].typed, places.asked[0], rest)


def name_for(place: Place, kb: KnowledgeBase) -> str:
    """The shortest way to type ``place`` that names it alone, for commands the bot suggests.

    ``Bình Thạnh``; ``Tân Hòa Phú Thọ`` (six units are called Tân Hòa).
    """
    tries = [place.short, place.name, f"{place.short} {place.province_short}",
             f"{place.name} {place.province_short}"]
    for text in tries:
        found = lookup_place(text, kb)
        if found.asked is not None and found.asked.places == (place,) and not found.rest:
            return text
    return place.name


def rest_text(reading: Reading, places: Places) -> str:
    """The question without its place words (to re-ask it about another place)."""
    return reading.raw([i for i in range(len(reading.tokens)) if i not in places.used])
