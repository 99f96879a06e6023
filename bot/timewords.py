"""Times as people write them: reminder schedules ("thứ sáu 17h") and moments ("9h sáng mai").

Words are read with or without diacritics. Every word is either understood or reported back as
typed (``Unclear``); nothing is dropped silently.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from knowledge.text import fold

Frequency = Literal["daily", "weekly", "monthly", "quarterly"]
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly")
LAST_DAY = -1  # ``day`` of a schedule: the last day of the month (or of the quarter)
Problem = Literal["unknown", "conflict", "bad_hour", "bad_day", "bad_date", "past", "too_far"]
MAX_AHEAD = dt.timedelta(days=366)
RECENT = dt.timedelta(days=30)
# When a part of the day is said without an hour ("chiều nay").
PART_HOURS = {"sang": 8, "trua": 12, "chieu": 14, "toi": 19, "dem": 21}


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a reminder runs: how often, at what local time, on which weekday or day.

    ``weekday`` (0 = Monday) serves weekly schedules; ``day`` monthly ones (that day of each
    month) and quarterly ones (that day of each quarter's first month); ``LAST_DAY`` is the
    month's, or the quarter's, last day. A day past the end of a month falls on its last day.
    """

    frequency: Frequency = "weekly"
    hour: int = 8
    minute: int = 0
    weekday: int = 0
    day: int = 1

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59 and 0 <= self.weekday <= 6
                and (1 <= self.day <= 31 or self.day == LAST_DAY)):
            raise ValueError(f"invalid reminder time in {self!r}")

    def occurs_on(self, date: dt.date) -> bool:
        """Whether a reminder runs on this local date."""
        if self.frequency == "weekly":
            return date.weekday() == self.weekday
        if self.frequency == "daily":
            return True
        last = calendar.monthrange(date.year, date.month)[1]
        if self.frequency == "quarterly":
            month_of_quarter = 2 if self.day == LAST_DAY else 0
            if (date.month - 1) % 3 != month_of_quarter:
                return False
        return date.day == (last if self.day == LAST_DAY else min(self.day, last))


@dataclass(frozen=True, slots=True)
class Unclear:
    """Why a time was not understood, and the words at fault as typed."""

    problem: Problem
    words: tuple[str, ...] = ()

    @property
    def given(self) -> str:
        """The words at fault, joined."""
        return " ".join(self.words)


_WEEKDAYS = {"hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3,
             "sau": 4, "6": 4, "bay": 5, "7": 5}
_WEEKDAY = r"(?:thu (?P<wd>hai|ba|tu|nam|sau|bay|[2-7])|t(?P<wdn>[2-7])|(?P<sun>chu nhat|cn))"
_CLOCK = (r"(?P<h>\d{1,2}) ?(?:h|g|gio|:) ?(?P<m>\d{1,2})?(?: ?phut)?"
          r"(?: (?:buoi )?(?P<hpart>sang|trua|chieu|toi|dem))?")


def _part(pattern: str) -> re.Pattern[str]:
    """A pattern that ends where a word ends."""
    return re.compile(f"(?:{pattern})(?= |$)")


_SCHEDULE_PARTS = [
    ("every", _part(r"(?:hang|moi) (?P<every>ngay|tuan|thang|quy)")),
    ("end", _part(r"(?:vao )?(?:ngay )?(?P<edge>cuoi|dau) (?:moi |hang |cua |cac )?"
                  r"(?P<of>thang|quy)")),
    ("day", _part(r"(?:vao )?(?:ngay|mung|mong) (?P<day>\d{1,2})")),
    ("weekday", _part(rf"(?:vao )?(?:moi |cac )?{_WEEKDAY}(?: (?:hang|moi) tuan)?")),
    ("clock", _part(rf"(?:luc |vao )?{_CLOCK}")),
]


def split_schedule(text: str) -> tuple[str, Schedule | Unclear]:
    """Split ``<đơn vị> <lịch>`` into the unit's words and the schedule.

    The schedule is the longest tail whose every word belongs to a schedule (read whole, or
    refused as a whole: ``25h``, ``hằng ngày thứ sáu``); without one the unit takes every word
    and the schedule is the default (the unit's lookup then reports words it cannot place).
    """
    typed = _typed(text)
    for start in range(len(typed)):
        tail = " ".join(typed[start:])
        if looks_like_a_schedule(tail):
            return " ".join(typed[:start]), parse_schedule(tail)
    return " ".join(typed), Schedule()


def looks_like_a_schedule(text: str) -> bool:
    """Whether every word of ``text`` belongs to a schedule (though they may not fit together)."""
    _, keys = _words(text)
    return bool(keys) and all(name is not None for name, _, _ in _scan(keys, _SCHEDULE_PARTS))


def _words(text: str) -> tuple[list[str], list[str]]:
    """The words as typed and their accent-free keys (punctuation around a word dropped)."""
    typed = _typed(text)
    return typed, [fold(word).strip(",;.!?") for word in typed]


def _typed(text: str) -> list[str]:
    """The words as typed (composed, as Telegram may deliver them decomposed)."""
    return unicodedata.normalize("NFC", text).split()


def _scan(keys: list[str], parts: list[tuple[str, re.Pattern[str]]]
          ) -> Iterator[tuple[str | None, re.Match[str] | None, range]]:
    """Read ``keys`` left to right: each stretch of words a part matches (longest), else a word.

    Yields the part's name and match with the word positions it covers, or ``(None, None, i)``
    for a word no part matches.
    """
    i = 0
    while i < len(keys):
        rest = " ".join(keys[i:])
        best: tuple[str, re.Match[str], int] | None = None
        for name, pattern in parts:
            found = pattern.match(rest)
            if found is None:
                continue
            words = found.group().count(" ") + 1
            if best is None or words > best[2]:
                best = (name, found, words)
        if best is None or not keys[i]:
            yield None, None, range(i, i + 1)
            i += 1
            continue
        yield best[0], best[1], range(i, i + best[2])
        i += best[2]


def _read(text: str, parts: list[tuple[str, re.Pattern[str]]]
          ) -> tuple[list[tuple[str, re.Match[str], str]], list[str]]:
    """The parts of ``text`` read (name, match, the words as typed), and the words left over."""
    typed, keys = _words(text)
    read, unknown = [], []
    for name, found, span in _scan(keys, parts):
        said = " ".join(typed[i] for i in span)
        if found is None or name is None:
            unknown.append(said)
        else:
            read.append((name, found, said))
    return read, unknown


def _clock(found: re.Match[str], typed: str, part: str | None = None) -> tuple[int, int] | Unclear:
    """The hour and minute; ``5h chiều`` (or a part of the day said apart) is 17:00."""
    hour, minute = int(found["h"]), int(found["m"] or 0)
    part = found["hpart"] or part
    if part in ("chieu", "toi", "dem") and 1 <= hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return Unclear("bad_hour", (typed,))
    return hour, minute


def _weekday(found: re.Match[str]) -> int:
    if found["sun"]:
        return 6
    return _WEEKDAYS[found["wd"] or found["wdn"]]


def parse_schedule(text: str) -> Schedule | Unclear:
    """Read a reminder schedule; an empty text is the default (weekly, Monday 08:00).

    ``hằng ngày 7h30``, ``thứ sáu 17h``, ``ngày 15 hằng tháng``, ``cuối tháng``, ``hằng quý``.
    """
    read, unknown = _read(text, _SCHEDULE_PARTS)
    if unknown:
        return Unclear("unknown", tuple(unknown))
    every: str | None = None
    weekday: int | None = None
    day: int | None = None
    of: str | None = None
    clock: tuple[int, int] | None = None
    for name, found, said in read:
        if name == "clock":
            read = _clock(found, said)
            if isinstance(read, Unclear):
                return read
            if clock is not None:
                return Unclear("conflict", (said,))
            clock = read
        elif name == "every":
            period = found["every"]
            if every not in (None, period):
                return Unclear("conflict", (said,))
            every = period
        elif name == "weekday":
            if weekday is not None or day is not None:
                return Unclear("conflict", (said,))
            weekday = _weekday(found)
            every = every or "tuan"
        elif name == "day":
            if weekday is not None or day is not None:
                return Unclear("conflict", (said,))
            day = int(found["day"])
            if not 1 <= day <= 31:
                return Unclear("bad_day", (said,))
        else:  # the first or last day of each month or quarter
            if weekday is not None or day is not None:
                return Unclear("conflict", (said,))
            day = LAST_DAY if found["edge"] == "cuoi" else 1
            of = found["of"]
    period = every or of or ("thang" if day is not None else "tuan")
    if (of and period != of) or (weekday is not None and period != "tuan") or (
            day is not None and period not in ("thang", "quy")):
        return Unclear("conflict", tuple(_typed(text)))
    hour, minute = clock or (8, 0)
    frequency: Frequency = {"ngay": "daily", "tuan": "weekly", "thang": "monthly",
                            "quy": "quarterly"}[period]  # type: ignore[assignment]
    return Schedule(frequency, hour, minute, weekday or 0, day if day is not None else 1)


_MOMENT_PARTS = [
    ("clock", _part(rf"(?:luc |vao )?{_CLOCK}")),
    ("part", _part(r"(?:buoi )?(?P<part>sang|trua|chieu|toi|dem)")),
    ("relative", _part(r"(?P<rel>hom nay|ngay mai|ngay kia|ngay mot|nay|mai|mot)")),
    ("weekday", _part(rf"(?:vao )?{_WEEKDAY}(?: (?P<week>tuan (?:nay|sau|toi)))?")),
    ("date", _part(r"(?:vao )?(?:ngay )?(?P<d>\d{1,2})[/.-](?P<mo>\d{1,2})"
                   r"(?:[/.-](?P<y>\d{4}))?")),
    ("date", _part(r"(?:vao )?ngay (?P<d>\d{1,2}) thang (?P<mo>\d{1,2})"
                   r"(?: nam (?P<y>\d{4}))?")),
]
_RELATIVE_DAYS = {"nay": 0, "hom nay": 0, "mai": 1, "ngay mai": 1, "ngay kia": 2, "ngay mot": 2,
                  "mot": 2}


def looks_like_a_time(text: str) -> bool:
    """Whether any words of ``text`` read as a time, a day or a date (a send time meant)."""
    _, keys = _words(text)
    return any(name is not None for name, _, _ in _scan(keys, _MOMENT_PARTS))


def parse_moment(text: str, now: dt.datetime) -> dt.datetime | Unclear:
    """The moment ``text`` names, after ``now`` (aware; its zone is the local one).

    ``9h sáng mai``, ``chiều nay``, ``14h thứ Hai``, ``20/12``, ``8:00 ngày 1/1/2027``. A time
    alone is its next occurrence; a weekday the next such day (today if the time is still to
    come); a date without a year the next such date; a day without a time is at 08:00, a part of
    the day alone at its usual hour (``PART_HOURS``).
    """
    if now.utcoffset() is None:
        raise ValueError(f"naive datetime {now!r}: pass a time zone")
    read, unknown = _read(text, _MOMENT_PARTS)
    if unknown:
        return Unclear("unknown", tuple(unknown))
    clock: re.Match[str] | None = None
    clock_said = ""
    part: str | None = None
    day: dt.date | None = None
    weekday: tuple[int, str | None] | None = None
    said_day = False
    today = now.date()
    for name, found, said in read:
        if name == "part":
            if part is not None:
                return Unclear("conflict", (said,))
            part = found["part"]
            continue
        if name == "clock":
            if clock is not None:
                return Unclear("conflict", (said,))
            clock, clock_said = found, said
            continue
        if said_day:
            return Unclear("conflict", (said,))
        said_day = True
        if name == "relative":
            day = today + dt.timedelta(days=_RELATIVE_DAYS[found["rel"]])
        elif name == "weekday":
            weekday = (_weekday(found), found["week"])
        else:
            try:
                day = _date(int(found["d"]), int(found["mo"]),
                            int(found["y"]) if found["y"] else None, now)
            except ValueError:
                return Unclear("bad_date", (said,))
    if clock is None and part is None and not said_day:
        return Unclear("unknown", tuple(_typed(text)))
    hour, minute = PART_HOURS[part] if part else 8, 0
    if clock is not None:
        read = _clock(clock, clock_said, part)
        if isinstance(read, Unclear):
            return read
        hour, minute = read
    at = dt.time(hour, minute)
    if weekday is not None:
        day = _weekday_date(*weekday, at, now)
    if day is None:
        moment = dt.datetime.combine(today, at, tzinfo=now.tzinfo)
        moment = moment if moment > now else moment + dt.timedelta(days=1)
    else:
        moment = dt.datetime.combine(day, at, tzinfo=now.tzinfo)
    if moment <= now:
        return Unclear("past", tuple(_typed(text)))
    if moment - now > MAX_AHEAD:
        return Unclear("too_far", tuple(_typed(text)))
    return moment


def _date(day: int, month: int, year: int | None, now: dt.datetime) -> dt.date:
    """The date; without a year this year's, or next year's once this year's is long past.

    A date of the last ``RECENT`` days stays this year's (then refused as past): "25/11" typed
    on 26/11 is a slip, not next year.
    """
    if year is not None:
        return dt.date(year, month, day)
    date = dt.date(now.year, month, day)
    if date >= now.date() or now.date() - date <= RECENT:
        return date
    return dt.date(now.year + 1, month, day)


def _weekday_date(weekday: int, week: str | None, at: dt.time, now: dt.datetime) -> dt.date:
    """The weekday's date: this week's or next week's when said, else the next one to come."""
    today = now.date()
    if week is not None:
        monday = today - dt.timedelta(days=today.weekday())
        if not week.endswith("nay"):
            monday += dt.timedelta(days=7)
        return monday + dt.timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    date = today + dt.timedelta(days=ahead)
    if ahead == 0 and dt.datetime.combine(date, at, tzinfo=now.tzinfo) <= now:
        date += dt.timedelta(days=7)
    return date


_AT_WORD = re.compile(r"(?:^|\s)(?:lúc|luc)\s+(?P<when>[^\n]+?)\s*$", re.IGNORECASE)


def split_send_time(text: str, now: dt.datetime) -> tuple[str, dt.datetime | None] | Unclear:
    """Split a trailing ``lúc <thời điểm>`` off an announcement: ``(content, when)``.

    Words after the last ``lúc`` that read as a time must be understood whole, else the
    announcement is refused (``Unclear``), never sent at once; words that are no time at all
    (``lúc nào tiện``) stay part of the content.
    """
    text = unicodedata.normalize("NFC", text).strip()
    found = _AT_WORD.search(text)
    if found is None:
        return text, None
    when = parse_moment(found["when"], now)
    if isinstance(when, Unclear):
        if when.problem == "unknown" and not looks_like_a_time(found["when"]):
            return text, None
        return when
    return text[: found.start()].strip(), when
