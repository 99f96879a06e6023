"""The answer rules: from a read question to an ``Answer`` that never shows a wrong figure.

A figure is only shown for the district, year and metric the question names. Anything the
knowledge base lacks is said plainly (``not_found``) with what is available; anything ambiguous
is asked back (``clarify``) with options.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from weakref import WeakKeyDictionary

from knowledge.base import KnowledgeBase, Metric
from knowledge.gazetteer import Mention, Ward
from knowledge.model import Answer, District, DistrictLookup, Fact
from knowledge.phrasing import fact_line, figure, join_vn, place_label
from knowledge.question import Question, QuestionReader, close_contenders

MAX_FACTS = 10
MAX_SUGGESTIONS = 6
_readers: WeakKeyDictionary[KnowledgeBase, QuestionReader] = WeakKeyDictionary()


def reader_for(kb: KnowledgeBase) -> QuestionReader:
    """The question reader of a knowledge base, built once."""
    reader = _readers.get(kb)
    if reader is None:
        reader = _readers[kb] = QuestionReader(kb)
    return reader


def answer(question: str, kb: KnowledgeBase) -> Answer:
    """Answer one Vietnamese question from the knowledge base."""
    q = reader_for(kb).read(question)
    if not q.tokens:
        return Answer("not_found", "Bạn chưa nhập câu hỏi. " + _hint(kb), (),
                      _examples(kb))
    return _Responder(kb, q).respond()


def lookup_district(text: str, kb: KnowledgeBase) -> DistrictLookup:
    """Find the former district ``text`` names, by the same rules as questions.

    Of same-named districts the one with data is taken when only one has data, as in answers.
    """
    q = reader_for(kb).read(text)
    responder = _Responder(kb, q)
    covered = {i for m in q.mentions for i in m.span}
    whole = bool(q.tokens) and covered >= set(range(len(q.tokens)))
    if not responder.places:
        return DistrictLookup(text, whole=False)
    return responder.lookup(responder.places[0], whole)


class _Responder:
    """Applies the answer rules to one read question."""

    def __init__(self, kb: KnowledgeBase, q: Question):
        self.kb = kb
        self.q = q
        qualifiers = [m for m in q.mentions if _is_province_qualifier(m, q.mentions)]
        self.provinces = [p for m in qualifiers for p in m.provinces]
        # Province names a unit may carry to lie in the named provinces, former or current.
        self.province_names = {name for p in self.provinces
                               for name in (p.name, p.now, *p.absorbed) if name}
        self.places = [m for m in q.mentions if (m.districts or m.wards) and m not in qualifiers]

    # -- entry -------------------------------------------------------------------------------

    def respond(self) -> Answer:
        if not self.places:
            return self._no_district()
        districts: list[District] = []
        unknown: list[str] = []
        namesakes: list[str] = []
        for mention in self.places:
            if self._is_ward_mention(mention):
                return self._ward(mention)
            found = self._in_provinces(mention.districts)
            if not found and any(self._ward_in_provinces(w) for w in mention.wards):
                return self._ward(mention)
            if not found:
                return self._nowhere(mention)
            in_kb = [d for d in found if d.key in self.kb.by_place]
            if len(in_kb) > 1:
                return self._which_district(mention, in_kb)
            if in_kb:
                districts.append(in_kb[0])
                namesakes.extend(place_label(d) for d in found if d not in in_kb)
            else:
                unknown.append(self._names_of(found))
        districts = list(dict.fromkeys(districts))
        if not districts:
            return self._unknown_districts(unknown)
        if len(districts) > 1 or unknown:
            reply = self._compare(districts, unknown)
        else:
            reply = self._one_district(districts[0])
        if namesakes:
            note = (f"Lưu ý: cùng tên còn có {join_vn(namesakes)}, "
                    "chưa có số liệu trong cơ sở dữ liệu.")
            reply = replace(reply, body=f"{reply.body}\n{note}")
        return reply

    # -- places --------------------------------------------------------------------------------

    def lookup(self, mention: Mention, whole: bool) -> DistrictLookup:
        if self._is_ward_mention(mention):
            wards = [w for w in mention.wards if self._ward_in_provinces(w)]
            if len(wards) == 1:
                return DistrictLookup(mention.typed, whole, ward=f"{wards[0].name} "
                                      f"({wards[0].province})", origins=tuple(
                                          self._origins(wards[0])))
            return DistrictLookup(mention.typed, whole)
        found = self._in_provinces(mention.districts)
        with_data = [d for d in found if d.key in self.kb.by_place]
        if len(found) == 1 or len(with_data) == 1:
            return DistrictLookup(mention.typed, whole, district=(with_data or found)[0])
        return DistrictLookup(mention.typed, whole, options=found)

    @staticmethod
    def _is_ward_mention(mention: Mention) -> bool:
        return bool(mention.wards) and (not mention.districts or mention.level == "ward")

    def _in_provinces(self, districts: tuple[District, ...]) -> tuple[District, ...]:
        """The districts in the named provinces; those in a province named as it was, if any."""
        if not self.provinces:
            return districts
        inside = tuple(d for d in districts if d.province in self.province_names)
        named = {p.name for p in self.provinces}
        return tuple(d for d in inside if d.province in named) or inside

    def _nowhere(self, mention: Mention) -> Answer:
        where = join_vn(dict.fromkeys(p.name for p in self.provinces))
        return Answer("not_found",
                      f"Không tìm thấy «{mention.typed}» ở {where}. " + _hint(self.kb),
                      (), _examples(self.kb))

    def _which_district(self, mention: Mention, options: list[District]) -> Answer:
        body = (f"«{mention.typed}» có thể là: {join_vn(place_label(d) for d in options)}. "
                "Bạn hỏi đơn vị nào?")
        rest = self._rest_text(mention)
        return Answer("clarify", body, (),
                      tuple(f"{d.name} {d.province_short} {rest}".strip() for d in options))

    def _unknown_districts(self, names: list[str]) -> Answer:
        body = (f"Chưa có số liệu về {join_vn(names)}. "
                f"Hiện có số liệu của: {self._kb_districts()}.")
        return Answer("not_found", body, (), self._topic_suggestions(self.kb.places))

    def _ward(self, mention: Mention) -> Answer:
        wards = [w for w in mention.wards if self._ward_in_provinces(w)]
        if not wards:
            return self._nowhere(mention)
        if len(wards) > 1:
            body = (f"Có {len(wards)} đơn vị tên «{mention.typed}»: "
                    f"{join_vn(self._ward_with_origins(w) for w in wards)}. "
                    "Bạn hỏi đơn vị ở tỉnh, thành phố nào?")
            return Answer("clarify", body, (),
                          tuple(f"{w.name} {w.province} {self._rest_text(mention)}".strip()
                                for w in wards))
        ward = wards[0]
        origins = self._origins(ward)
        origin_text = join_vn(place_label(d) for d in origins) or "không rõ"
        head = (f"{ward.name} ({ward.province}) là đơn vị hành chính mới từ ngày 01/07/2025, "
                f"được lập từ địa bàn của {origin_text}.")
        # Only former districts with figures of the year asked are worth offering.
        in_kb = [d for d in origins if d.key in self.kb.by_place and (
            not self.q.years or set(self.q.years) & set(self.kb.years_of(d)))]
        if not in_kb:
            years = f" năm {join_vn(map(str, self.q.years))}" if self.q.years else ""
            body = (f"{head} Chưa có số liệu{years} của {ward.name} cũng như của "
                    f"{join_vn(d.name for d in origins) or 'các đơn vị cũ'} "
                    f"({join_vn(sorted({d.province for d in origins}))}). "
                    f"Hiện có số liệu của: {self._kb_districts()}.")
            return Answer("not_found", body, (), ())
        rest = self._rest_text(mention)
        body = (f"{head} Cơ sở dữ liệu chỉ có số liệu của quận, huyện cũ "
                f"({join_vn(d.name for d in in_kb)}), không phải số liệu riêng của {ward.name}. "
                "Bạn muốn xem số liệu của đơn vị cũ nào?")
        return Answer("clarify", body, (), tuple(f"{d.name} {rest}".strip() for d in in_kb))

    def _origins(self, ward: Ward) -> list[District]:
        districts = self.kb.gazetteer.districts
        return [districts[code] for code, _ in ward.formed_from if code in districts]

    def _ward_with_origins(self, ward: Ward) -> str:
        origins = join_vn(d.name for d in self._origins(ward))
        return f"{ward.name} ({ward.province}; lập từ {origins})"

    def _ward_in_provinces(self, ward: Ward) -> bool:
        return not self.provinces or ward.province in self.province_names

    # -- no district named ------------------------------------------------------------------------

    def _no_district(self) -> Answer:
        q = self.q
        matches = close_contenders(q.metrics)
        if not matches:
            if self.provinces:
                return self._province_only()
            return Answer("not_found", self._not_understood(), (), _examples(self.kb))
        metric = matches[0].metric
        holders = self._districts_with(metric)
        if not holders:
            return Answer("not_found",
                          f"Chưa có số liệu «{metric.label}» của quận, huyện nào. "
                          + _hint(self.kb), (), _examples(self.kb))
        if q.wants_ranking:
            return self._ranking(metric, holders)
        body = (f"Bạn muốn hỏi {metric.label} của quận, huyện nào? Có số liệu của: "
                f"{join_vn(place_label(d) for d in holders)}.")
        return Answer("clarify", body, (),
                      tuple(self._question_about(d, metric) for d in holders))

    def _province_only(self) -> Answer:
        names = join_vn(dict.fromkeys(p.name for p in self.provinces))
        inside = [d for d in self.kb.places if self._in_provinces((d,))]
        body = f"Chưa có số liệu cấp tỉnh, thành phố của {names}."
        if inside:
            body += (" Có số liệu của các quận, huyện cũ: "
                     f"{join_vn(place_label(d) for d in inside)}.")
        return Answer("not_found", body, (), self._topic_suggestions(inside or self.kb.places))

    def _ranking(self, metric: Metric, holders: list[District]) -> Answer:
        q = self.q
        rows: list[tuple[float, Fact]] = []
        for district in holders:
            facts = self._facts(district, metric)
            if q.years:
                facts = [f for f in facts if f.year in q.years]
            facts = [f for f in facts if (f.percent_number if q.wants_percent else f.number)
                     is not None]
            if facts:
                latest = max(facts, key=lambda f: f.year)
                rows.append(((latest.percent_number if q.wants_percent else latest.number)
                             or 0.0, latest))
        if not rows:
            years = f" năm {join_vn(map(str, q.years))}" if q.years else ""
            return Answer("not_found",
                          f"Chưa đủ số liệu{years} để so sánh {metric.label} giữa các quận, huyện.",
                          (), ())
        rows.sort(key=lambda r: r[0], reverse=q.wants_ranking != "lowest")
        by = "tỷ lệ đạt" if q.wants_percent else "số liệu"
        word = "thấp nhất" if q.wants_ranking == "lowest" else "cao nhất"
        top = rows[0][1]
        lines = [f"Xếp hạng {metric.label} theo {by} (trong các quận có số liệu):"]
        for n, (_, fact) in enumerate(rows, 1):
            lines.append(f"{n}. {place_label(fact.place)}, năm {fact.year}: "
                         f"{figure(fact)}")
        lines.append(f"{word.capitalize()}: {place_label(top.place)}.")
        notes = []
        if len({f.year for _, f in rows}) > 1:
            notes.append("số liệu thuộc các năm khác nhau")
        if q.wants_percent and len({f.percent_of for _, f in rows}) > 1:
            notes.append("tỷ lệ tính theo kế hoạch hoặc dự toán tùy từng báo cáo")
        if notes:
            lines.append(f"Lưu ý: {'; '.join(notes)}.")
        return Answer("answered", "\n".join(lines), tuple(f for _, f in rows), ())

    # -- one district ---------------------------------------------------------------------------

    def _one_district(self, district: District) -> Answer:
        q = self.q
        years = self.kb.years_of(district)
        matches = close_contenders(q.metrics)
        own = [m for m in matches if self._facts(district, m.metric)]
        if not matches or not own:
            own = [m for m in q.metrics if self._facts(district, m.metric)
                   and m.score >= (q.metrics[0].score * 0.9)]
        if not own:
            if matches:
                metric = matches[0].metric
                holders = [d for d in self._districts_with(metric) if d != district]
                body = f"Chưa có số liệu «{metric.label}» của {place_label(district)}."
                if holders:
                    body += f" Số liệu này hiện có cho: {join_vn(d.name for d in holders)}."
                return Answer("not_found", body + self._available(district), (),
                              self._topic_suggestions([district]))
            if q.leftover:
                body = (f"Chưa có số liệu về «{' '.join(q.leftover)}» của "
                        f"{place_label(district)}.")
                return Answer("not_found", body + self._available(district), (),
                              self._topic_suggestions([district]))
            if q.years and not set(q.years) & set(years):
                return self._missing_year(district, None)
            return self._overview(district)
        facts = [f for m in own for f in self._facts(district, m.metric)]
        if q.wants_target and any(f.kind == "target" for f in facts):
            facts = [f for f in facts if f.kind == "target"]
        if q.years:
            in_years = [f for f in facts if f.year in q.years]
            if not in_years:
                return self._missing_year(district, own[0].metric, facts)
            facts = in_years
        return self._facts_answer(facts)

    def _missing_year(self, district: District, metric: Metric | None,
                      facts: list[Fact] | None = None) -> Answer:
        asked = join_vn(map(str, self.q.years))
        if metric and facts:
            have = join_vn(map(str, sorted({f.year for f in facts})))
            body = (f"Chưa có số liệu «{metric.label}» của {place_label(district)} năm {asked}."
                    f" Số liệu này hiện có cho năm {have}.")
            suggestions = tuple(self._question_about(district, metric, y)
                                for y in sorted({f.year for f in facts}))
        else:
            body = (f"Chưa có số liệu của {place_label(district)} năm {asked}. "
                    f"Hiện có số liệu năm {join_vn(map(str, self.kb.years_of(district)))}.")
            suggestions = self._topic_suggestions([district])
        return Answer("not_found", body, (), suggestions)

    def _overview(self, district: District) -> Answer:
        years = join_vn(map(str, self.kb.years_of(district)))
        topics = self.kb.topics_of(district)
        body = (f"{place_label(district)}: có số liệu năm {years} về "
                f"{join_vn(t.lower() for t in topics)}. Bạn muốn hỏi nội dung nào?")
        return Answer("clarify", body, (), self._topic_suggestions([district]))

    def _compare(self, districts: list[District], unknown: list[str]) -> Answer:
        q = self.q
        matches = close_contenders(q.metrics)
        if not matches:
            names = join_vn([*(place_label(d) for d in districts), *unknown])
            return Answer("clarify", f"Bạn muốn so sánh nội dung gì giữa {names}?", (),
                          self._topic_suggestions(districts))
        metric = matches[0].metric
        lines: list[str] = []
        facts: list[Fact] = []
        for district in districts:
            found = self._facts(district, metric)
            if q.years:
                found = [f for f in found if f.year in q.years]
            if found:
                facts.extend(found)
                lines.extend(fact_line(f, metric.label) for f in found[:MAX_FACTS])
            else:
                lines.append(f"{place_label(district)}: chưa có số liệu «{metric.label}»"
                             + (f" năm {join_vn(map(str, q.years))}." if q.years else "."))
        lines.extend(f"{name}: chưa có số liệu trong cơ sở dữ liệu." for name in unknown)
        if not facts:
            return Answer("not_found", "\n".join(lines), (), ())
        if len({f.year for f in facts}) > 1:
            lines.append("Lưu ý: số liệu thuộc các năm khác nhau.")
        return Answer("answered", "\n".join(lines), tuple(facts), ())

    # -- building blocks ------------------------------------------------------------------------

    def _facts_answer(self, facts: list[Fact]) -> Answer:
        facts = sorted(facts, key=lambda f: (f.year, f.kind != "result"))[:MAX_FACTS]
        lines = [fact_line(f, self.kb.metrics[f.metric].label) for f in facts]
        return Answer("answered", "\n".join(lines), tuple(facts), ())

    def _facts(self, district: District, metric: Metric) -> list[Fact]:
        return list(self.kb.facts_of(district, metric.id))

    def _districts_with(self, metric: Metric) -> list[District]:
        districts = [d for d in self.kb.places if self._facts(d, metric)]
        return [d for d in districts if self._in_provinces((d,))]

    def _available(self, district: District) -> str:
        return (f" Hiện có số liệu năm {join_vn(map(str, self.kb.years_of(district)))} về "
                f"{join_vn(t.lower() for t in self.kb.topics_of(district))}.")

    def _names_of(self, districts: tuple[District, ...]) -> str:
        if len(districts) > 1:
            provinces = join_vn(sorted({d.province_short for d in districts}))
            return f"{districts[0].name} ({len(districts)} đơn vị cùng tên ở {provinces})"
        district = districts[0]
        now = self.kb.gazetteer.province_now(district)
        moved = f", nay thuộc {now}" if now != district.province else ""
        return f"{place_label(district)}{moved}"

    def _kb_districts(self) -> str:
        return _listed([place_label(d) for d in self.kb.places])

    def _question_about(self, district: District, metric: Metric, year: int | None = None) -> str:
        return f"{district.name} {metric.label}" + (f" {year}" if year else "")

    def _topic_suggestions(self, districts: Sequence[District]) -> tuple[str, ...]:
        """One sample question per topic for the districts, at most a handful."""
        out: list[str] = []
        for district in districts:
            seen: set[str] = set()
            for fact in self.kb.by_place.get(district.key, ()):
                metric = self.kb.metrics[fact.metric]
                if metric.topic in seen or fact.kind in ("person", "theme", "event"):
                    continue
                seen.add(metric.topic)
                out.append(self._question_about(district, metric, fact.year))
        return tuple(dict.fromkeys(out))[:MAX_SUGGESTIONS]

    def _rest_text(self, mention: Mention) -> str:
        """The question without the place words (to re-ask it about another place)."""
        return " ".join(t.raw for i, t in enumerate(self.q.tokens) if i not in mention.span
                        and not any(i in m.span for m in self.q.mentions if m.provinces
                                    and not (m.districts or m.wards)))

    def _not_understood(self) -> str:
        return "Tôi chưa hiểu câu hỏi này. " + _hint(self.kb)


def _is_province_qualifier(mention: Mention, mentions: tuple[Mention, ...]) -> bool:
    """A province name that narrows down the other places named (``Hoàng Mai Nghệ An``)."""
    if not mention.provinces or mention.level in ("district", "ward"):
        return False
    if not (mention.districts or mention.wards):
        return True
    return any(other is not mention and (other.districts or other.wards) for other in mentions)




def _listed(names: Sequence[str], limit: int = 8) -> str:
    """Names joined the Vietnamese way, the tail counted when the list is long."""
    if len(names) <= limit:
        return join_vn(names)
    return f"{', '.join(names[:limit])} và {len(names) - limit} đơn vị khác"


def _hint(kb: KnowledgeBase) -> str:
    return (f"Tôi trả lời câu hỏi về kết quả thi đua và chỉ tiêu của "
            f"{_listed([d.name for d in kb.places])} (các quận cũ, trước 01/07/2025), "
            "ví dụ: «Hoàng Mai thu ngân sách 2022».")


def _examples(kb: KnowledgeBase) -> tuple[str, ...]:
    examples = []
    for district in kb.places[:MAX_SUGGESTIONS]:
        fact = next((f for f in kb.by_place[district.key] if f.kind in ("result", "award")),
                    None)
        if fact:
            examples.append(f"{district.name} {kb.metrics[fact.metric].label} {fact.year}")
    return tuple(examples)
