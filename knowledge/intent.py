"""Stage 3, intent: what a question asks, read before any metric matching.

Cue phrases ("đạt bao nhiêu %", "có … không", "là ai", "ngày nào", "những gì") decide the kind
of reply and are the question's frame: their words never count as metric evidence. Domain frame
words ("chỉ tiêu", "kế hoạch", "hoàn thành") count only when nothing else names a metric.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from knowledge.lexicon import Family, Hit, Lexicon, MetricMatch, by_kind, resolve
from knowledge.model import FIGURE_KINDS
from knowledge.numbers import SCALE_WORDS
from knowledge.places import Places
from knowledge.read import Reading, Threshold, dates, documents, quoted, threshold
from knowledge.text import Token, signature

Intent = Literal["figure", "percent", "yesno", "growth", "list", "overview", "who", "when",
                 "theme", "holders", "ranking", "compare", "smalltalk", "unknown"]
# Cue sets in the order they are looked for; a word belongs to the first cue that takes it.
_CUE_ORDER = ("yesno", "percent", "growth", "who", "when", "theme", "holders", "highest",
              "lowest", "compare", "list")
_ENDINGS = ("khong", "chua", "ko", "k", "hong", "hok", "khg", "kg", "khoong", "kho6ng", "chuwa",
            "chu7a")
# Who sets a unit's targets, said before "giao".
_ASSIGNERS = (("thanh", "pho"), ("tp",), ("tinh",), ("quan",), ("huyen",), ("cap", "tren"),
              ("trung", "uong"), ("tw",), ("ubnd",))
# Type words that, alone, may stand for the unit talked about (by key, and as written).
_UNIT_WORDS = {w: signature(t) for w, t in (("quan", "quận"), ("huyen", "huyện"),
                                             ("phuong", "phường"))}
# Words around a bare "quan"/"phuong" typed without diacritics that make it another word:
# counted units, "địa phương", "cơ quan", "phương án", "quân đội" …
_NOT_UNIT_BEFORE = frozenset(("nhieu", "may", "so", "luong", "dia", "co", "cac", "nhung"))
_NOT_UNIT_AFTER = frozenset(("an", "cham", "tien", "phap", "huong", "thuc", "doi", "su", "nao",
                             "ly", "tam", "trong", "he"))
# Words that measure a result against a target: "đạt", "vượt", "hoàn thành", "so với".
_ACHIEVED = frozenset(("dat", "vuot", "thanh", "voi"))
_ACHIEVED_SIGS = frozenset(map(signature, ("đạt", "vượt", "thành", "với")))
# What a share is of: "đạt bao nhiêu kế hoạch" asks a percentage.
_SHARE_OF = frozenset(("ke", "kh", "du", "so", "phan", "ty", "ti"))
# Cues that only mean something when no unit is named ("quận nào … cao nhất").
_UNIT_FREE = frozenset(("holders", "highest", "lowest"))
# "quận nào", "những phường nào", "tỉnh nào": the level of the units asked for.
_LEVEL_WORDS = {("quan",): "district", ("huyen",): "district", ("thi", "xa"): "district",
                ("phuong",): "ward", ("xa",): "ward", ("thi", "tran"): "ward",
                ("tinh",): "province"}
# Words of yes/no cues that ask, not what is measured ("có tăng … không": "tăng" is).
_YESNO_FRAME = frozenset(("co", "da", "phai", "dung", "khong", "chua", "ko"))
_JOINERS = frozenset(("va", "voi", "cung"))
# Words before the level a yes/no question names ("có vượt 5 nghìn tỷ", "đã tới mốc 50 triệu").
_LEVEL_VERBS = frozenset(("vuot", "dat", "toi", "duoc", "tren", "qua", "hon", "cham", "duoi",
                          "du", "moc", "muc", "so", "con", "dc"))
_PLUS = signature("cộng")
_PLAN_WORDS = frozenset((("du", "toan"), ("ke", "hoach"), ("chi", "tieu")))
# A clause names a metric when two or more of its words cover this much of one of its phrasings.
_PART_COVERAGE = 0.6
_TAIL_WORDS = frozenset(("a", "vay", "nhi", "nhe", "ha", "the", "nhe", "ban", "bot", "ad", "day"))


@dataclass(frozen=True, slots=True)
class Ask:
    """What a question asks: the kind of reply, the metric or topic, years and qualifiers.

    ``words`` are the question's content words (accent-free, abbreviations expanded) that
    named the metrics; ``typed`` the same words as typed, to echo back. ``rest`` are content
    words the best metric does not explain (``hạng Nhất``), to narrow its facts down.
    """

    intent: Intent
    years: tuple[int, ...] = ()
    metrics: tuple[MetricMatch, ...] = ()
    topics: tuple[str, ...] = ()
    family: Family | None = None
    broad_words: frozenset[str] = frozenset()
    person: str | None = None
    words: tuple[str, ...] = ()
    content: tuple[str, ...] = ()  # content words that are not mere frame words
    typed_words: tuple[tuple[str, str], ...] = ()  # (key, signature) of ``words``
    typed: str = ""
    accented: bool = False  # typed with diacritics: then a bare word is bare ("thu" is not "thứ")
    wants_target: bool = False
    wants_percent: bool = False
    ranking: str | None = None
    level: str | None = None  # of the units a "which units" question asks for
    threshold: Threshold | None = None  # "có vượt 5 nghìn tỷ không": the level asked about
    quoted: str | None = None  # words the user quotes: a slogan or title asked by its words
    dates: tuple[dt.date, ...] = ()  # full dates named ("ngày 3/3/2023 … sự kiện gì")
    documents: tuple[str, ...] = ()  # document numbers named ("Chỉ thị 23-CT/TU")
    smalltalk: str | None = None
    cue: str = ""
    cues: frozenset[str] = frozenset()
    years_soft: bool = False
    frame_only: bool = False
    followup: bool = False
    pointers: frozenset[str] = field(default_factory=frozenset)
    parts: tuple[MetricMatch, ...] = ()  # one metric per clause of a two-part question
    clauses: int = 1  # how many clauses the content words fall in

    @property
    def rest(self) -> tuple[tuple[str, str], ...]:
        """Content words (``(key, signature)``) neither the best metric nor a part explains."""
        explained = frozenset().union(*(m.words for m in (*self.metrics[:1], *self.parts)))
        return tuple(w for w in self.typed_words if w[0] not in explained)

    @property
    def names_something(self) -> bool:
        """True when the question names a metric, a topic, a family or a person itself."""
        return bool(self.metrics or self.topics or self.family or self.person)

    @property
    def names_on_its_own(self) -> bool:
        """True when it names what it asks by more than frame words ("vượt kế hoạch … %")."""
        return bool((self.metrics and not self.frame_only) or self.topics or self.family
                    or self.person)


def read_intent(reading: Reading, places: Places, lexicon: Lexicon) -> Ask:
    """Read what the question asks, given its words and the places it names."""
    words = reading.words
    tokens = reading.tokens
    taken = set(places.used) | set(reading.year_at) | set(reading.former_at)
    people = [h for h in reading.people if not taken.intersection(h.span)]
    taken.update(i for h in people for i in h.span)
    found = by_kind(lexicon.cues.matches(tokens))
    talk = resolve(found["smalltalk"], taken)
    # "so với năm trước" is what a growth is measured from, not the year asked.
    pointers = [h for h in resolve(found["pointer"], taken) if words[max(0, h.start - 2):h.start]
                not in (("so", "voi"), ("voi",)) and words[h.start - 1:h.start] != ("so",)]
    taken.update(i for hit in pointers for i in hit.span)
    pointed = {hit.payload for hit in pointers}
    # Small-talk words are the question only when it names no unit and no year.
    if not (places.asked or reading.years or pointed):
        taken.update(i for hit in talk for i in hit.span)
    cues: dict[str, list[int]] = {}
    for name in _CUE_ORDER:
        if name in _UNIT_FREE and places.asked and not _only_provinces(places):
            continue
        hits = resolve(found[name], taken)
        if name == "compare" and len(places.asked) == 1:
            # "Ba Đình xếp hạng mấy": the unit's own rank, a figure.
            hits = [h for h in hits if words[h.start] != "xep"]
        if name == "yesno" and not _ends_as_question(words):
            hits = []
        if name == "percent":
            hits = [h for h in hits if not _counts_what_follows(words, h.end, reading.stop)]
        if hits:
            cues[name] = [i for h in hits for i in h.span]
            taken.update(cues[name])
    if not places.asked:
        # "năm sau phường phấn đấu thu bao nhiêu?": a bare type word is the unit talked about,
        # unless it is counted ("bao nhiêu phường") or part of a phrase ("địa phương").
        bare = [i for i, t in enumerate(tokens) if i not in taken and _names_the_unit(tokens, i)
                and i not in reading.pairs_at and i - 1 not in reading.pairs_at]
        taken.update(bare)
        pointed |= {"place"} if bare else set()
        # "cho số của quận cũ": the former district the ward talked about was formed from.
        if any(words[i] in ("quan", "huyen") and i + 1 in reading.former_at for i in bare):
            pointed.add("former_district")
    # "… trên 6000 lao động chưa?": a level asked about makes a yes/no question too.
    bar = (threshold(reading.text) or threshold(" ".join(words))) \
        if "yesno" in cues or _ends_as_question(words) else None
    if bar is not None and any(t.sig == _PLUS for t in tokens):
        bar = None  # "A cộng B có hơn 11 tỷ không": a sum, which no single figure answers
    if bar is not None:
        cues.setdefault("yesno", [])
    if bar is not None:
        # Its figure and scale words are no metric's ("tỷ" is not "tỷ lệ"); a number after a
        # noun stays a qualifier ("mũi 3 có được 50.000 người không").
        taken.update(i for i, w in enumerate(words) if w in SCALE_WORDS or w in ("moc", "muc")
                     or (w.isdigit() and not (i and words[i - 1].isalpha()
                                              and words[i - 1] not in _LEVEL_VERBS)))
    # "chỉ tiêu TP giao", "kế hoạch cấp trên giao": who set the target, not what is measured.
    for i, word in enumerate(words):
        if word == "giao":
            for giver in _ASSIGNERS:
                if words[max(0, i - len(giver)):i] == giver:
                    taken.update(range(i - len(giver), i + 1))
    if "%" in reading.text and bar is None and "growth" not in cues:
        cues.setdefault("percent", [])  # "tăng bao nhiêu %" asks for the growth, not the share
    if _names_a_list(words):
        cues.setdefault("list", [])
    # "chỉ tiêu" asks for a target, unless the question measures a result against it.
    measured = [_measured_against(tokens, hit.start) for hit in found["target"]]
    target = not all(measured)
    content = [i for i in range(len(words)) if i not in taken and i not in reading.stop]
    expanded = [t for i in content for t in lexicon.expand.tokens(tokens[i])]
    inside = by_kind(lexicon.content_cues.matches(expanded))
    frames = _frame_positions(inside)
    used = [t.key for t in expanded]
    typed = tuple((t.key, t.sig) for t in expanded)
    plain = [typed[n] for n in range(len(expanded)) if n not in frames]
    # Frame words ("kế hoạch", "chỉ tiêu") are no evidence on their own: a metric is named by
    # the other words, then ranked on all of them; frame words alone count only when nothing
    # else names a metric.
    # "có hoàn thành … chỉ tiêu … không": the yes/no verb ranks the metrics too.
    verbs = tuple((words[i], tokens[i].sig) for i in cues.get("yesno", ())
                  if words[i] not in _YESNO_FRAME)
    every = lexicon.metrics.match((*verbs, *typed) if typed else ())
    named = {m.metric.id for m in lexicon.metrics.match(plain)}
    matches = tuple(m for m in every if m.metric.id in named)
    frame_only = not matches and bool(every)
    matches = matches or every
    if not matches and (cued := [i for n in ("yesno", "percent", "growth")
                                 for i in cues.get(n, ())]):
        # "có hoàn thành … chỉ tiêu không": the cue's verb is part of what is asked.
        matches = lexicon.metrics.match((*((words[i], tokens[i].sig) for i in cued), *typed))
    if not matches and not typed and "growth" in cues and places.asked:
        # "Ba Đình 2024 tăng trưởng bao nhiêu %": the growth cue's words are all it names.
        grown = [i for i in cues["growth"] if i not in reading.stop]
        typed = plain = tuple((words[i], tokens[i].sig) for i in grown)  # type: ignore[assignment]
        used = [words[i] for i in grown]
    topic_hits = resolve(inside["topic"])
    family_hits = resolve(inside["family"])
    topics = tuple(dict.fromkeys(t for h in topic_hits for t in h.payload))
    broad = frozenset(expanded[n].key for h in (*topic_hits, *family_hits) for n in h.span)
    person = people[0].payload if people else None
    clauses = _clauses(reading, content)
    ask = Ask(
        intent="unknown",
        years=reading.years,
        years_soft=reading.dated,
        metrics=matches,
        topics=topics,
        family=family_hits[0].payload if family_hits else None,
        broad_words=broad,
        person=person,
        words=tuple(used),
        content=tuple(key for key, _ in plain),
        typed_words=typed,
        typed=reading.raw(content),
        accented=any(not t.raw.isascii() for t in tokens),
        wants_target=target,
        ranking=next((k for k in ("lowest", "highest") if k in cues), None),
        threshold=bar,
        quoted=quoted(reading.text),
        dates=dates(reading.text),
        documents=documents(reading.text),
        level=_LEVEL_WORDS.get(tuple(words[i] for i in cues.get("holders", ())
                                     if words[i] not in ("nhung", "cac", "nao"))),
        # "vượt chỉ tiêu nhiều nhất" ranks by the share of the target.
        wants_percent="percent" in cues or ((any(measured) or _beats_plan(words)) and (
            "highest" in cues or "lowest" in cues)),
        smalltalk=talk[0].payload if talk else None,
        cue=" ".join(words[i] for i in cues.get("yesno", ())),
        cues=frozenset(cues),
        frame_only=frame_only,
        followup=any(h.start == 0 or h.end >= len(tokens) - 1 for h in found["followup"]),
        pointers=frozenset(pointed),
        parts=_parts(reading, clauses, lexicon, (("tang", ""),) if "growth" in cues else ()),
        clauses=len(clauses),
    )
    return _with_intent(ask, cues, places)


def _with_intent(ask: Ask, cues: dict[str, list[int]], places: Places) -> Ask:
    units = places.units
    names_place = bool(places.asked)
    # A request to write something is out of scope whatever it names; a question about what
    # the bot covers may name a year ("bot có số liệu năm 2025 không?").
    # "năm sau … chủ đề gì?" points into the conversation; a bare "phường" does not.
    pointed_year = bool(ask.pointers - {"place"})
    # "ok vậy cho số của quận cũ": small-talk words beside a pointer ask about that unit.
    pointing = pointed_year or (bool(ask.pointers) and ask.smalltalk != "help")
    if (ask.smalltalk and not (names_place or ask.names_something or ask.years
                               or pointing)) or (
            not names_place and (ask.smalltalk == "task" or (
                ask.smalltalk == "help" and not ask.names_something and not pointed_year))):
        return replace(ask, intent="smalltalk")
    if ask.person and ("who" in cues or not ask.metrics):
        return replace(ask, intent="who")
    if (not names_place or _only_provinces(places)) and ("holders" in cues or ask.ranking) \
            and ask.metrics:
        # "quận nào của Hà Nội thu ngân sách cao nhất": among the units inside the province.
        return replace(ask, intent="ranking" if ask.ranking else "holders")
    for name in ("who", "when", "theme", "yesno", "percent", "growth"):
        if name in cues:
            return replace(ask, intent=name)  # type: ignore[arg-type]
    if len(units) > 1 or (names_place and len(places.asked) > 1):
        return replace(ask, intent="compare")
    if not names_place and ("holders" in cues or ask.ranking or "compare" in cues):
        return replace(ask, intent="ranking" if ask.ranking else "holders")
    if len(ask.years) > 1 and specific(ask):
        return replace(ask, intent="figure")  # one metric over the years named, side by side
    if "list" in cues or ((ask.topics or ask.family) and set(ask.content) <= ask.broad_words
                          and not specific(ask)):
        return replace(ask, intent="list")
    if names_place and not ask.names_something and not ask.content:
        return replace(ask, intent="overview")
    if not ask.names_something:
        return replace(ask, intent="unknown")
    return replace(ask, intent="figure")


def _frame_positions(inside: dict[str, list[Hit[Any]]]) -> set[int]:
    """Positions of frame words ("chỉ tiêu", "kế hoạch") among the content cues found."""
    return {n for h in resolve(inside["frame"]) for n in h.span}


def _clauses(reading: Reading, content: list[int]) -> list[list[int]]:
    """Content positions by clause: a comma or a joining word ("và", "với") starts one."""
    tokens, words = reading.tokens, reading.words
    clauses: list[list[int]] = []
    previous = -1
    for i in content:
        if not clauses or any(tokens[k].gap or words[k] in _JOINERS
                              for k in range(previous + 1, i + 1)):
            clauses.append([])
        clauses[-1].append(i)
        previous = i
    return clauses


def _parts(reading: Reading, clauses: list[list[int]], lexicon: Lexicon,
           also: tuple[tuple[str, str], ...] = ()) -> tuple[MetricMatch, ...]:
    """The metric each clause names (mostly whole), when clauses name two or more.

    "… bao nhiêu hộ nghèo, bao nhiêu hộ cận nghèo", "… mấy thủ tục và … mấy thủ tục".
    ``also``: words every clause shares ("công nghiệp và dịch vụ tăng bao nhiêu": "tăng").
    """
    tokens = reading.tokens
    if len(clauses) < 2:
        return ()
    parts: dict[str, MetricMatch] = {}
    for clause in clauses:
        expanded = [t for i in clause for t in lexicon.expand.tokens(tokens[i])]
        frames = _frame_positions(by_kind(lexicon.content_cues.matches(expanded)))
        typed = [(t.key, t.sig) for n, t in enumerate(expanded) if n not in frames]
        # Frame words name a part only whole ("hoàn thành bao nhiêu chỉ tiêu"), never in
        # part ("đạt … chỉ tiêu").
        least = _PART_COVERAGE if typed else 1.0
        typed = typed or [(t.key, t.sig) for t in expanded]
        found = lexicon.metrics.match((*typed, *also))
        if found and found[0].coverage >= least - 1e-9 \
                and len(found[0].words.intersection(k for k, _ in typed) - lexicon.type_keys) > 1 \
                and lexicon.kind_of.get(found[0].metric.id) in FIGURE_KINDS:
            parts.setdefault(found[0].metric.id, found[0])
    return tuple(parts.values()) if len(parts) > 1 else ()


def _beats_plan(words: Sequence[str]) -> bool:
    """True for "vượt dự toán", "đạt kế hoạch": a figure measured against its plan."""
    return any(word in ("vuot", "dat") and any(tuple(words[j:j + 2]) in _PLAN_WORDS
                                              for j in range(i + 1, i + 3))
               for i, word in enumerate(words))


def _only_provinces(places: Places) -> bool:
    """True when every place named is a province without facts of its own."""
    return bool(places.asked) and all(a.kind == "province" for a in places.asked)


def specific(ask: Ask) -> bool:
    """True when the best metric explains more words than the topic or family named."""
    return bool(ask.metrics) and bool(ask.metrics[0].words - ask.broad_words)


def _names_a_list(words: tuple[str, ...]) -> bool:
    """``những … nào``, ``các … gì``: asking for every item of a kind."""
    for i, word in enumerate(words):
        if word in ("nhung", "cac") and any(w in ("nao", "gi") for w in words[i + 2:i + 6]):
            return True
    return False


def _names_the_unit(tokens: Sequence[Token], i: int) -> bool:
    """``phường`` alone standing for a unit: not counted, not ``địa phương``, ``cơ quan``."""
    token = tokens[i]
    written = _UNIT_WORDS.get(token.key)
    if written is None or (not token.sig.isascii() and token.sig != written):
        return False
    before = tokens[i - 1].key if i else ""
    after = tokens[i + 1].key if i + 1 < len(tokens) else ""
    return before not in _NOT_UNIT_BEFORE and after not in _NOT_UNIT_AFTER


def _measured_against(tokens: Sequence[Token], start: int) -> bool:
    """``đạt bao nhiêu phần trăm chỉ tiêu``, ``vượt chỉ tiêu``: a target measures a result.

    Typed with diacritics, "đặt mục tiêu" (set a target) is not "đạt" (reach).
    """
    return any(t.key in _ACHIEVED and (t.sig.isascii() or t.sig in _ACHIEVED_SIGS)
               for t in tokens[max(0, start - 5):start])


def _counts_what_follows(words: tuple[str, ...], end: int, stop: frozenset[int]) -> bool:
    """``đạt và vượt bao nhiêu chỉ tiêu``: "bao nhiêu" counting a noun, not asking a share."""
    return words[end - 1] == "nhieu" and end < len(words) and end not in stop \
        and words[end] not in _SHARE_OF and words[end].isalpha()


def _ends_as_question(words: tuple[str, ...]) -> bool:
    """True when the question ends with ``không`` or ``chưa`` (a yes/no question)."""
    tail = [w for w in words if w not in _TAIL_WORDS]
    return bool(tail) and tail[-1] in _ENDINGS

