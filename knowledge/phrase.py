"""Stage 5, phrase: a selection as the Vietnamese reply (plain text; sources added by renderers)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.base import KnowledgeBase
from knowledge.intent import Ask
from knowledge.model import Answer, District, Fact, Place, Province, Ward
from knowledge.numbers import figure_ends, parse_vn_number, scale_of
from knowledge.phrasing import (
    fact_line,
    figure,
    growth_verb,
    join_first,
    join_vn,
    place_label,
    vn_date,
)
from knowledge.places import PlaceAsked, Places, formed_from
from knowledge.read import Threshold
from knowledge.select import (
    DATED,
    MAX_UNITS,
    Comparison,
    Found,
    Missing,
    NotUnderstood,
    Overview,
    PlaceProblem,
    Ranking,
    Selection,
    Smalltalk,
    WhichPlace,
)
from knowledge.text import fold

MAX_SUGGESTIONS = 6
# The separators of items in a list.
_LIST_ITEM = re.compile(r",\s+|\s+và\s+")
# The words of "… phải không?", "… đúng không?": a figure asked to be confirmed.
_CONFIRMING = frozenset(("phai", "dung", "khong", "ko"))
# A figure measured against an earlier one: a growth though its metric is not one.
_COMPARED = re.compile(r"\bso với (năm|cùng kỳ)|\b(tăng|giảm)\b")
_LEVEL_UNITS = {"district": "quận, huyện (cũ)", "ward": "phường, xã", "province": "tỉnh, thành phố"}
_LEVEL_NAMES = {"district": "Quận, huyện cũ (trước 01/07/2025)", "ward": "Phường, xã",
                "province": "Tỉnh, thành phố"}
_SMALLTALK = {
    "greeting": "Chào bạn!",
    "thanks": "Cảm ơn bạn! Rất vui khi số liệu có ích, bạn cứ hỏi tiếp nhé.",
    "bye": "Tạm biệt bạn, hẹn gặp lại! Khi cần, bạn cứ nhắn câu hỏi cho tôi.",
    "help": "Tôi tra cứu kết quả thi đua và chỉ tiêu từ báo cáo của các đơn vị, "
            "luôn kèm nguồn.",
    "task": "Tôi chỉ tra cứu kết quả thi đua và chỉ tiêu từ báo cáo, kèm nguồn; tôi không soạn "
            "văn bản hay bài phát biểu. Bạn có thể hỏi tôi số liệu để đưa vào bài.",
}


class Phraser:
    """Turns one selection into the reply."""

    def __init__(self, kb: KnowledgeBase, ask: Ask, places: Places | None = None) -> None:
        self.kb = kb
        self.ask = ask
        self.places = places

    def phrase(self, selection: Selection) -> Answer:
        """The reply that says what the selection found, or why nothing was."""
        match selection:
            case Smalltalk(kind):
                return self._smalltalk(kind)
            case PlaceProblem(asked, rest):
                return self._place_problem(asked, rest)
            case WhichPlace():
                return self._which_place(selection)
            case NotUnderstood():
                return Answer("not_found", "Tôi chưa hiểu câu hỏi này. " + hint(self.kb), (),
                              examples(self.kb))
            case Missing():
                return self._missing(selection)
            case Found():
                return self._found(selection)
            case Overview():
                return self._overview(selection)
            case Ranking():
                return self._ranking(selection)
            case Comparison():
                return self._comparison(selection)
        raise TypeError(f"unknown selection {selection!r}")

    # -- small talk and places ----------------------------------------------------------------

    def _smalltalk(self, kind: str) -> Answer:
        body = _SMALLTALK.get(kind, _SMALLTALK["greeting"])
        if kind != "bye":
            body += "\n" + coverage_line(self.kb) + "\nVí dụ: «" + examples(self.kb)[0] + "»."
        status = "clarify" if kind in ("greeting", "help") else "not_found"
        return Answer(status, body, (), examples(self.kb), smalltalk=True)

    def _place_problem(self, asked: PlaceAsked, rest: str) -> Answer:
        kb = self.kb
        if asked.kind == "ambiguous" and all(isinstance(p, Ward) for p in asked.places):
            wards = [p for p in asked.places if isinstance(p, Ward)]
            body = (f"Có {len(wards)} đơn vị tên «{asked.typed}»: "
                    f"{join_vn(self._ward_with_origins(w) for w in wards)}. "
                    "Bạn hỏi đơn vị ở tỉnh, thành phố nào?")
            return Answer("clarify", body, (), tuple(
                f"{w.name} {w.province_short} {rest}".strip() for w in wards))
        if asked.kind == "ambiguous":
            body = (f"«{asked.typed}» có thể là: {join_vn(place_label(p) for p in asked.places)}."
                    " Bạn hỏi đơn vị nào?")
            return Answer("clarify", body, (), tuple(
                f"{p.name} {p.province_short} {rest}".strip() for p in asked.places))
        if asked.kind == "ward":
            return self._traced_ward(asked, rest)
        if asked.kind == "province":
            return self._province(asked)
        where = join_vn(dict.fromkeys(p.name for p in asked.places))
        return Answer("not_found", f"Không tìm thấy «{asked.typed}» ở {where}. " + hint(kb), (),
                      examples(kb))

    def _traced_ward(self, asked: PlaceAsked, rest: str) -> Answer:
        ward = asked.places[0]
        assert isinstance(ward, Ward)
        origins = asked.origins
        origin_text = join_vn(place_label(d) for d in origins) or "không rõ"
        head = (f"{ward.name} ({ward.province}) là đơn vị hành chính mới từ ngày 01/07/2025, "
                f"được lập từ địa bàn của {origin_text}.")
        # Only former districts with figures of the year asked are worth offering.
        asked_years = set(self.ask.years)
        in_kb = [d for d in origins if d.key in self.kb.by_place
                 and (not asked_years or asked_years & set(self.kb.years_of(d)))]
        if not in_kb:
            years = _of_years(sorted(asked_years))
            body = (f"{head} Chưa có số liệu{years} của {ward.name} cũng như của "
                    f"{join_vn(d.name for d in origins) or 'các đơn vị cũ'} "
                    f"({join_vn(sorted({d.province for d in origins}))}). "
                    f"Hiện có số liệu của: {listed_places(self.kb)}.")
            return Answer("not_found", body)
        body = (f"{head} Cơ sở dữ liệu chưa có số liệu riêng của {ward.name}; chỉ có số liệu "
                f"của quận, huyện cũ ({join_vn(d.name for d in in_kb)}). "
                "Bạn muốn xem số liệu của đơn vị cũ nào?")
        return Answer("clarify", body, (), tuple(f"{d.name} {rest}".strip() for d in in_kb))

    def _province(self, asked: PlaceAsked) -> Answer:
        province = asked.places[0]
        assert isinstance(province, Province)
        what = self._asked_what()
        now = f", nay thuộc {province.now}" if province.now and province.now != province.name \
            else ""
        subject = f"«{what}» của {place_label(province)}" if what else place_label(province)
        body = f"Chưa có số liệu {subject}{now}."
        if asked.origins:
            body += (" Có số liệu của các quận, huyện cũ thuộc tỉnh, thành phố này: "
                     f"{join_vn(place_label(d) for d in asked.origins)}.")
        else:
            body += f" Hiện có số liệu của: {listed_places(self.kb)}."
        return Answer("not_found", body, (), self._topic_suggestions(asked.origins))

    def _ward_with_origins(self, ward: Ward) -> str:
        origins = join_vn(d.name for d in formed_from(self.kb, ward))
        return f"{ward.name} ({ward.province}; lập từ {origins})"

    def _which_place(self, selection: WhichPlace) -> Answer:
        if not selection.holders:
            what = "" if selection.what == "số liệu" else f" «{selection.what}»"
            years = _of_years(self.ask.years)
            return Answer("not_found", f"Chưa có số liệu{what}{years} của đơn vị nào. "
                          + hint(self.kb), (), examples(self.kb))
        holders = selection.holders
        listed = join_first((self._with_years(p, selection) for p in holders), len(holders))
        body = f"Bạn muốn hỏi {selection.what} của đơn vị nào? Có số liệu của: {listed}."
        return Answer("clarify", body, (), tuple(
            f"{p.name} {selection.what} {self._year_for(p, selection)}".strip()
            for p in holders[:MAX_SUGGESTIONS]))

    def _with_years(self, place: Place, selection: WhichPlace) -> str:
        years = self._years_of(place, selection)
        return f"{place_label(place)} năm {join_vn(map(str, years))}" if years else \
            place_label(place)

    def _year_for(self, place: Place, selection: WhichPlace) -> str:
        """The year to ask about: the one asked if the unit has it, else its latest."""
        years = self._years_of(place, selection)
        asked = [y for y in self.ask.years if y in years]
        return str(asked[0] if asked else years[-1]) if years else ""

    def _years_of(self, place: Place, selection: WhichPlace) -> list[int]:
        if (family := selection.family) is not None:
            return sorted({f.year for f in self.kb.by_place.get(place.key, ())
                           if family.covers(f, self.kb.metrics[f.metric].label)})
        if selection.metric is None:
            return list(self.kb.years_of(place))
        return sorted({f.year for f in self.kb.facts_of(place, selection.metric.id)})

    # -- nothing found ----------------------------------------------------------------------

    def _missing(self, m: Missing) -> Answer:
        what = m.what
        noun = "thông tin" if m.people else "số liệu"
        asked_years = _of_years(m.years)
        if m.unknown:
            names = join_vn(self._unknown_label(a) for a in m.unknown)
            about = f"«{what}» của {names}" if what else f"về {names}"
            holders = join_first(map(place_label, m.holders), len(m.holders))
            have = (f"Số liệu này hiện có cho: {holders}." if m.holders
                    else f"Hiện có số liệu của: {listed_places(self.kb)}.")
            body = f"Chưa có {noun} {about}{asked_years}. {have}"
            return Answer("not_found", body, (), self._topic_suggestions(self.kb.places))
        if m.place is None:
            body = f"Chưa có {noun} «{what}»{asked_years} trong cơ sở dữ liệu."
            if m.holders:
                body += f" Có số liệu này của: {join_vn(place_label(p) for p in m.holders)}."
            return Answer("not_found", body, (), examples(self.kb))
        place = m.place
        if not what:
            # Nothing recognisable was asked of the unit: ask what, with what it has.
            body = f"Bạn muốn hỏi số liệu nào của {place_label(place)}{asked_years}?"
            return Answer("clarify", body + self._available(place), (),
                          self._topic_suggestions((place,)))
        body = f"Chưa có {noun} «{what}» của {place_label(place)}{asked_years}."
        suggestions: tuple[str, ...]
        if m.years and m.have_years and what:
            have = join_vn(map(str, m.have_years))
            body += f" {'Thông tin' if m.people else 'Số liệu'} này hiện có cho năm {have}."
            suggestions = tuple(f"{place.name} {what} {y}" for y in m.have_years)
        else:
            if m.holders:
                body += f" Số liệu này hiện có cho: {join_vn(p.name for p in m.holders)}."
            body += self._available(place)
            suggestions = self._topic_suggestions((place,))
        return Answer("not_found", body, (), suggestions)

    def _unknown_label(self, asked: PlaceAsked) -> str:
        places = asked.places
        if len(places) > 1:
            provinces = join_vn(sorted({p.province_short for p in places}))
            return f"{places[0].name} ({len(places)} đơn vị cùng tên ở {provinces})"
        place = places[0]
        if isinstance(place, District):
            now = self.kb.gazetteer.province_now(place)
            moved = f", nay thuộc {now}" if now != place.province else ""
            return f"{place_label(place)}{moved}"
        return place_label(place)

    # -- facts --------------------------------------------------------------------------------

    def _found(self, found: Found) -> Answer:
        facts = found.facts
        match found.intent:
            case "list":
                body = self._list_body(found)
            case "who":
                body = "\n".join(self._person_line(f) for f in facts)
            case "when":
                body = "\n".join(self._event_line(f) for f in facts)
            case "theme":
                body = "\n".join(self._theme_line(f) for f in facts)
            case "holders":
                body = self._holders_body(found)
            case "yesno":
                body = self._yesno_body(facts)
            case "percent":
                body = self._percent_body(facts)
            case "growth":
                body = self._growth_body(facts)
            case _:
                body = "\n".join(self._line(f) for f in facts)
        if found.year_note and found.places:
            have = join_vn(sorted({str(f.year) for f in facts}))
            body = (f"Chưa có số liệu năm {found.year_note} của {place_label(found.places[0])}; "
                    f"số liệu năm {have}:\n{body}")
        if found.only_holder:
            body += f"\n(Hiện chỉ {place_label(facts[0].place)} có số liệu này.)"
        return Answer("answered", body + self._namesakes_note(), facts)

    def _namesakes_note(self) -> str:
        """Units of the same kind and name as the one answered, which the question could mean."""
        if self.places is None or self.places.provinces:
            return ""
        others = [n for a in self.places.asked if a.kind == "unit" for n in a.namesakes
                  if n.kind == a.places[0].kind]
        if not others:
            return ""
        named = join_first(map(place_label, others), len(others), 3)
        return f"\nLưu ý: cùng tên còn có {named}, chưa có số liệu."

    def _line(self, fact: Fact, with_place: bool = True, in_list: bool = False) -> str:
        return fact_line(fact, self.kb.metrics[fact.metric].label, with_place, in_list)

    def _list_body(self, found: Found) -> str:
        place = found.places[0]
        years = sorted({f.year for f in found.facts})
        kinds = {f.kind for f in found.facts}
        title = found.title or "Kết quả"
        if kinds == {"target"} and not any(w in title.lower() for w in ("chỉ tiêu", "mục tiêu")):
            title = f"Chỉ tiêu {title}"
        head = (f"{title[0].upper()}{title[1:]} — {place_label(place)}, "
                f"năm {join_vn(map(str, years))}:")
        compact = len(years) == 1 and len(kinds - {"theme"}) <= 1
        lines = [head, *(f"• {self._line(f, with_place=False, in_list=compact)}"
                         for f in found.facts)]
        if found.more:
            lines.append(f"… và {found.more} nội dung khác (hỏi cụ thể để xem thêm).")
        return "\n".join(lines)

    def _person_line(self, fact: Fact) -> str:
        label = self.kb.metrics[fact.metric].label
        role = fact.role or label
        when = self._held(fact)
        what = f"{role[0].upper()}{role[1:]} — {place_label(fact.place)}{when}: {fact.text}"
        if fact.detail and fact.detail.lower() != role.lower():
            what += f" ({fact.detail})"
        return what + "."

    def _held(self, fact: Fact) -> str:
        """When a person's or event's report was: ``(tổng kết năm 2021, 24/03/2022)``."""
        reviewed = sorted({f.year for f in self.kb.by_place.get(fact.place.key, ())
                           if f.source.id == fact.source.id and f.kind in ("result", "award")})
        review = f"tổng kết năm {join_vn(map(str, reviewed))}, " if reviewed else ""
        return f" ({review}{vn_date(fact.source.date)})"

    def _event_line(self, fact: Fact) -> str:
        what = fact.text or self.kb.metrics[fact.metric].label
        if not fact.date and DATED.search(what):  # a document with its date in its own words
            what = self._asked_document(what)
            detail = f" ({fact.detail})" if fact.detail else ""
            return f"{what[0].upper()}{what[1:]}{detail} — {place_label(fact.place)}."
        when = f"ngày {vn_date(fact.date)}" if fact.date else f"năm {fact.year}"
        return f"{what[0].upper()}{what[1:]} — {place_label(fact.place)}: {when}."

    def _asked_document(self, text: str) -> str:
        """Of several dated documents listed in one fact, the one the question names by number.

        "Chỉ thị 19-CT/TU ngày …, Chỉ thị 23-CT/TU ngày … và … của Thành ủy", asked about
        23-CT/TU: that item, with the words after the last date (who issued them).
        """
        numbers = {n.lower() for n in self.ask.documents}
        items = _LIST_ITEM.split(text)
        asked = [i for i in items if any(n in i.lower() for n in numbers)]
        if not numbers or len(items) < 2 or len(asked) != 1:
            return text
        dates = list(DATED.finditer(text))
        tail = text[dates[-1].end():] if dates and not asked[0].endswith(text[dates[-1].end():]) \
            else ""
        return asked[0] + tail

    def _theme_line(self, fact: Fact) -> str:
        label = self.kb.metrics[fact.metric].label
        words = f"«{fact.quote}»" if fact.quote else (fact.text or "")
        note = f" ({fact.detail})" if fact.detail and not fact.quote else ""
        return (f"{label[0].upper()}{label[1:]} — {place_label(fact.place)}, năm {fact.year}: "
                f"{words}{note}.")

    def _holders_body(self, found: Found) -> str:
        title = found.title or "Kết quả"
        lines = [_level_note(found.missing_level, title),
                 f"{title[0].upper()}{title[1:]} — các đơn vị có trong cơ sở dữ liệu:"]
        for fact in found.facts:
            detail = f" ({fact.detail})" if fact.detail else ""
            lines.append(f"• {place_label(fact.place)}, năm {fact.year}: {figure(fact)}{detail}.")
        if found.more:
            lines.append(f"… và {found.more} đơn vị khác (hỏi một đơn vị để xem số liệu).")
        return "\n".join(line for line in lines if line)

    def _yesno_body(self, facts: tuple[Fact, ...]) -> str:
        lines = []
        results = [f for f in facts if f.kind != "target"]
        bar = self.ask.threshold
        if bar is None and set(self.ask.cue.split()) <= _CONFIRMING:
            # "… 5.000 tỷ phải không?" checks a figure, not the plan: the report's figure.
            return "\n".join(f"Theo báo cáo: {self._line(f)}" for f in facts)
        if not results and bar is not None:  # "phấn đấu trên 50 triệu phải không": the target
            return "\n".join(f"{_against(f, bar)}{self._line(f)}" for f in facts)
        if not results:
            years = join_vn(sorted({str(f.year) for f in facts}))
            head = ("Có. " if self._asks_existence() else
                    f"Báo cáo mới nêu chỉ tiêu năm {years}, chưa có số liệu kết quả "
                    "để biết đã đạt hay chưa. ")
            return head + " ".join(self._line(f) for f in facts)
        for fact in results:
            verdict = _verdict(fact) if bar is None else _against(fact, bar)
            lines.append(f"{verdict}{self._line(fact)}")
        return "\n".join(lines)

    def _asks_existence(self) -> bool:
        return "giao" in self.ask.cue

    def _growth_body(self, facts: tuple[Fact, ...]) -> str:
        """Each figure; one that is not a growth says the report gives no growth for it."""
        lines = []
        for fact in facts:
            line = self._line(fact)
            if not (growth_verb(self.kb.metrics[fact.metric].label)
                    or _COMPARED.search(fact.detail or "")):
                line += " Báo cáo không nêu mức tăng so với năm trước."
            lines.append(line)
        return "\n".join(lines)

    def _percent_body(self, facts: tuple[Fact, ...]) -> str:
        lines = []
        for fact in facts:
            line = self._line(fact)
            if fact.percent is None:
                line += " Báo cáo không nêu tỷ lệ phần trăm so với kế hoạch."
            elif fact.of is None and fact.value is not None and fact.percent_of \
                    and fact.percent_of not in (fact.detail or ""):
                line += f" Báo cáo không nêu con số {fact.percent_of} được giao."
            lines.append(line)
        return "\n".join(lines)

    def _overview(self, overview: Overview) -> Answer:
        place = overview.place
        years = join_vn(map(str, self.kb.years_of(place)))
        lines = [f"{place_label(place)} — số liệu năm {years}. Một số kết quả chính:"]
        lines.extend(f"• {self._line(f, with_place=False)}" for f in overview.facts)
        lines.append("Bạn có thể hỏi thêm về: "
                     f"{join_vn(t.lower() for t in overview.topics)}.")
        return Answer("answered", "\n".join(lines) + self._namesakes_note(), overview.facts,
                      self._topic_suggestions((place,)))

    def _ranking(self, ranking: Ranking) -> Answer:
        metric = ranking.metric
        by = "tỷ lệ" if ranking.by_percent else "số liệu"
        word = "thấp nhất" if ranking.lowest else "cao nhất"
        lines = [_level_note(ranking.missing_level, metric.label),
                 f"Xếp hạng {metric.label} theo {by} (trong các đơn vị có số liệu):"]
        several = len(ranking.groups) > 1
        for rows in ranking.groups:
            if several:
                lines.append(f"{_LEVEL_NAMES[rows[0].place.level]}"
                             + (f", tính bằng {rows[0].unit}" if rows[0].unit else "") + ":")
            for n, fact in enumerate(rows[:MAX_UNITS], 1):
                detail = f" ({fact.detail})" if fact.detail else ""
                lines.append(f"{n}. {place_label(fact.place)}, năm {fact.year}: "
                             f"{figure(fact, growth_verb(metric.label))}{detail}")
            if len(rows) > MAX_UNITS:
                lines.append(f"… và {len(rows) - MAX_UNITS} đơn vị khác.")
            if len(rows) > 1:
                lines.append(f"{word.capitalize()}: {place_label(rows[0].place)}.")
        lines = [line for line in lines if line]
        if all(len(rows) == 1 for rows in ranking.groups):
            lines.append("Chưa có đơn vị cùng loại nào khác có số liệu này để so sánh.")
        facts = tuple(f for rows in ranking.groups for f in rows[:MAX_UNITS])
        notes = []
        if several:
            notes.append("đơn vị khác cấp hoặc số liệu khác đơn vị tính được xếp riêng")
        if len({f.year for f in facts}) > 1:
            notes.append("số liệu thuộc các năm khác nhau")
        if ranking.by_percent and len({f.percent_of for f in facts}) > 1:
            notes.append("tỷ lệ tính theo kế hoạch hoặc dự toán tùy từng báo cáo")
        if notes:
            lines.append(f"Lưu ý: {'; '.join(notes)}.")
        return Answer("answered", "\n".join(lines), facts, ())

    def _comparison(self, c: Comparison) -> Answer:
        names = [*(place_label(p) for p in c.places),
                 *(self._unknown_label(a) for a in c.unknown)]
        if c.metric is None:
            return Answer("clarify", f"Bạn muốn so sánh nội dung gì giữa {join_vn(names)}?", (),
                          self._topic_suggestions(c.places))
        label = c.metric.label
        years = _of_years(c.years)
        lines = [self._line(f) for f in c.facts]
        lines.extend(f"{place_label(p)}: chưa có số liệu «{label}»{years}." for p in c.missing)
        lines.extend(f"{self._unknown_label(a)}: chưa có số liệu trong cơ sở dữ liệu."
                     for a in c.unknown)
        if not c.facts:
            return Answer("not_found", "\n".join(lines), (), ())
        lines.append(_higher(c.facts, self.ask.wants_percent))
        notes = []
        if len({f.place.level for f in c.facts}) > 1:
            notes.append("các đơn vị khác cấp (quận, huyện cũ và phường, xã, tỉnh mới)")
        if len({f.year for f in c.facts}) > 1:
            notes.append("số liệu thuộc các năm khác nhau")
        if notes:
            lines.append(f"Lưu ý: {'; '.join(notes)}.")
        return Answer("answered", "\n".join(line for line in lines if line), c.facts, ())

    # -- building blocks ------------------------------------------------------------------------

    def _asked_what(self) -> str | None:
        ask = self.ask
        if ask.metrics:
            return ask.metrics[0].metric.label
        return ask.typed or None

    def _available(self, place: Place) -> str:
        if not self.kb.years_of(place):
            return ""
        return (f" Hiện có số liệu năm {join_vn(map(str, self.kb.years_of(place)))} về "
                f"{join_vn(t.lower() for t in self.kb.topics_of(place))}.")

    def _topic_suggestions(self, places: Sequence[Place]) -> tuple[str, ...]:
        """One sample question per topic for the units, the asked topic first."""
        out: list[str] = []
        asked = set(self.ask.topics) | {m.metric.topic for m in self.ask.metrics[:1]}
        for place in places:
            facts = [f for f in self.kb.by_place.get(place.key, ())
                     if f.kind in ("result", "target", "award")]
            facts.sort(key=lambda f: (self.kb.metrics[f.metric].topic not in asked,
                                      self.ask.years and f.year not in self.ask.years))
            seen: set[str] = set()
            for fact in facts:
                metric = self.kb.metrics[fact.metric]
                if metric.topic in seen:
                    continue
                seen.add(metric.topic)
                out.append(f"{place.name} {metric.label} {fact.year}")
        return tuple(dict.fromkeys(out))[:MAX_SUGGESTIONS]


def _verdict(fact: Fact) -> str:
    """``Có. `` / ``Chưa. `` when the report's own figure shows whether the plan was met."""
    if fact.percent_number is not None and fact.percent_of:
        met = fact.percent_number >= 100 or (fact.percent_number >= 99.5
                                             and fact.bound in ("more_than", "at_least"))
        return "Có. " if met else "Chưa. "
    if fact.number is not None and fact.of is not None:
        plan = parse_vn_number(fact.of)
        if plan is not None:
            return "Có. " if fact.number >= plan else "Chưa. "
    return "Báo cáo không so với kế hoạch: "


def _higher(facts: Sequence[Fact], by_percent: bool) -> str:
    """Which unit's figure (or share of plan) is higher: one figure a unit, of one kind and unit."""
    def measure(fact: Fact) -> float | None:
        return fact.percent_number if by_percent else fact.number

    values = [measure(f) for f in facts]
    if len({f.place.key for f in facts}) != len(facts) or len(facts) < 2 or None in values \
            or len({(f.kind, None if by_percent else f.unit) for f in facts}) > 1:
        return ""
    top = max(facts, key=lambda f: measure(f) or 0.0)
    if values.count(measure(top)) > 1:
        return ""
    return f"Cao hơn: {place_label(top.place)}." if len(facts) == 2 else \
        f"Cao nhất: {place_label(top.place)}."


def _of_years(years: Sequence[int]) -> str:
    """`` năm 2021 và 2022`` after what was asked, or nothing when no year was."""
    return f" năm {join_vn(map(str, years))}" if years else ""


def _against(fact: Fact, bar: Threshold) -> str:
    """``Có. `` / ``Không. `` when the figure can be set against the level the question names.

    A range ("10 - 11%") is set against it by both ends: no verdict when they disagree.
    """
    if bar.percent and fact.percent_number is not None:
        have = [fact.percent_number]
    elif bar.percent and not (fact.unit or "").startswith("%"):
        have = []
    else:
        scale = 1.0 if bar.percent else scale_of([fold(w) for w in (fact.unit or "").split()])
        have = [n * scale for n in figure_ends(fact.value or "")]
    verdicts = {(h < bar.value) if bar.below else (h > bar.value if bar.strict
                                                   else h >= bar.value) for h in have}
    if len(verdicts) != 1:
        return ""
    return "Có. " if verdicts.pop() else ("Chưa. " if bar.yet else "Không. ")



def _level_note(level: str | None, what: str) -> str:
    """Why units of other levels are shown when the question asked "xã nào …"."""
    return f"Chưa có số liệu {what} của {_LEVEL_UNITS[level]} nào." if level else ""


def listed_places(kb: KnowledgeBase, limit: int = 8) -> str:
    """The units with data, the tail counted when the list is long."""
    return join_first(map(place_label, kb.places), len(kb.places), limit)


def coverage_line(kb: KnowledgeBase, limit: int = 8) -> str:
    """One sentence of what the knowledge base covers: units with their years."""
    units = join_first((f"{p.name} ({join_vn(map(str, kb.years_of(p)))})" for p in kb.places),
                       len(kb.places), limit)
    return f"Hiện có số liệu của {units} về {join_vn(t.lower() for t in kb.topics_of()[:6])}…"


def hint(kb: KnowledgeBase) -> str:
    """What the bot answers, with an example."""
    shown = join_first((p.name for p in kb.places), len(kb.places))
    return (f"Tôi trả lời câu hỏi về kết quả thi đua và chỉ tiêu của {shown}, "
            f"ví dụ: «{examples(kb)[0]}».")


def examples(kb: KnowledgeBase) -> tuple[str, ...]:
    """Answerable example questions, as officials type them: one per unit, most facts first."""
    out = []
    for place in sorted(kb.places, key=lambda p: -len(kb.by_place[p.key]))[:MAX_SUGGESTIONS]:
        facts = [f for f in kb.by_place[place.key] if f.kind == "result"]
        if facts:
            fact = min(facts, key=lambda f: _EXAMPLE_TOPICS.index(kb.metrics[f.metric].topic)
                       if kb.metrics[f.metric].topic in _EXAMPLE_TOPICS else len(_EXAMPLE_TOPICS))
            metric = kb.metrics[fact.metric]
            out.append(f"{place.short} {(metric.synonyms or (metric.label,))[0]} {fact.year}")
    return tuple(out) or ("Hoàng Mai thu ngân sách 2022",)


_EXAMPLE_TOPICS = ("Ngân sách", "Kinh tế", "Xây dựng Đảng", "An sinh xã hội")
