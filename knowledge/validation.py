"""What curators are told about their data files: file, line, problem and fix, in two languages.

Every file is first checked against its shape (a mapping where a mapping belongs, a whole year
where a year belongs …), so a misplaced list or value is one ``file:line`` problem and never a
traceback; the loaders then read only well-shaped entries. Messages come in English (the CLI)
and Vietnamese (``/capnhat``, read by the bot's admins). Warnings name what is odd but harmless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from knowledge.text import fold

LINE = "__line__"  # the line where a mapping starts
KEY_LINES = "__lines__"  # the line of each of its keys
_HIDDEN = (LINE, KEY_LINES)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a data file, where it is and how to fix it (English, and Vietnamese)."""

    file: str
    line: int
    message: str
    vi: str = ""
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"

    @property
    def vietnamese(self) -> str:
        """The problem as an admin reads it in Telegram."""
        label = "cảnh báo: " if self.warning else ""
        return f"{self.file}:{self.line}: {label}{self.vi or self.message}"


class KnowledgeBaseError(Exception):
    """The knowledge-base files have problems; ``problems`` lists each with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# -- reading YAML with lines ------------------------------------------------------------------


class LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader that records where every mapping and each of its keys starts."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """The mapping, with its lines under ``__line__`` and ``__lines__``."""
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        # Keyed by the key as written: data files key their mappings by words and ids.
        mapping[KEY_LINES] = {key.value: key.start_mark.line + 1 for key, _ in node.value
                              if isinstance(key, yaml.ScalarNode)}
        return mapping


def parse_yaml(text: str, name: str, problems: list[Problem]) -> Any:
    """The YAML document with lines recorded; None and one problem when the syntax is wrong."""
    try:
        return yaml.load(text, Loader=LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        column = f", column {mark.column + 1}" if mark else ""
        cot = f", cột {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(
            name, line, f"not valid YAML ({what}{column}): fix the syntax on this line or the "
                        "one before; nothing else of this file was read",
            f"YAML sai cú pháp ({what}{cot}): sửa dòng này hoặc dòng ngay trước; phần còn lại "
            "của tệp chưa được đọc"))
        return None


def line_of(entry: Any, key: str | None = None) -> int:
    """The line of a mapping, or of one of its keys (0 when unknown)."""
    if not isinstance(entry, dict):
        return 0
    if key is not None and str(key) in entry.get(KEY_LINES, {}):
        return entry[KEY_LINES][str(key)]
    return entry.get(LINE, 0)


def fields(entry: Mapping[Any, Any]) -> Iterable[tuple[Any, Any]]:
    """The key-value pairs of a parsed mapping, without the recorded lines."""
    return ((k, v) for k, v in entry.items() if k not in _HIDDEN)


def strip_lines(value: Any) -> Any:
    """A parsed value with every recorded line removed."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in fields(value)}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


# -- "did you mean" ---------------------------------------------------------------------------


def closest(typed: object, choices: Iterable[str], cutoff: float = 75) -> str | None:
    """The choice closest to ``typed`` in spelling (accents ignored), when close enough."""
    found = process.extractOne(str(typed), list(choices), scorer=fuzz.ratio, processor=fold,
                               score_cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(typed: object, choices: Iterable[str], cutoff: float = 75) -> tuple[str, str]:
    """`` (did you mean 'x'?)`` in English and Vietnamese, or two empty strings."""
    guess = closest(typed, choices, cutoff)
    return (f" (did you mean {guess!r}?)", f" (có phải {guess!r}?)") if guess else ("", "")


# -- shapes ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scalar:
    """A single value of one of ``types``, named for the messages."""

    types: tuple[type, ...]
    en: str
    vi: str

    def fits(self, value: Any) -> bool:
        """Whether ``value`` is one of the types (a bool is not a number)."""
        if isinstance(value, bool) and bool not in self.types:
            return False
        return isinstance(value, self.types)


@dataclass(frozen=True, slots=True)
class ListOf:
    """A list whose items have one shape; ill-shaped items are dropped."""

    item: Shape
    en: str = "a list"
    vi: str = "một danh sách"


@dataclass(frozen=True, slots=True)
class MapOf:
    """A mapping from text keys to values of one shape; ill-shaped entries are dropped."""

    value: Shape
    en: str = "a mapping (key: value)"
    vi: str = "một bảng khóa: giá trị"


@dataclass(frozen=True, slots=True)
class Record:
    """A mapping with known fields, some required; unknown fields are problems unless ``open``."""

    fields: Mapping[str, Shape]
    required: frozenset[str] = field(default_factory=frozenset)
    en: str = "a mapping (field: value)"
    vi: str = "một bảng trường: giá trị"
    see: str = "SCHEMA.md"
    open: bool = False


Shape = Scalar | ListOf | MapOf | Record

TEXT = Scalar((str,), "text", "chữ")
WHOLE = Scalar((int,), "a whole number", "số nguyên")
FIGURE = Scalar((str, int, float), "a figure written as the report does, e.g. \"4.670,8\"",
                "con số viết như báo cáo, ví dụ \"4.670,8\"")
DATE = Scalar((dt.date,), "an ISO date like 2023-03-25", "ngày dạng 2023-03-25")
FLAG = Scalar((bool,), "true or false", "true hoặc false")
TEXTS = ListOf(TEXT)
# Words typed in questions; YAML reads some unquoted ones as numbers, which are fine as words.
PHRASES = ListOf(Scalar((str, int, float), "a word or phrase", "một từ hoặc cụm từ"))


def _kind_of(value: Any) -> tuple[str, str]:
    if value is None:
        return "empty", "để trống"
    if isinstance(value, bool):
        return f"{str(value).lower()}", f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping", "một bảng"
    if isinstance(value, list):
        return "a list", "một danh sách"
    if isinstance(value, int | float):
        return f"the number {value}", f"số {value}"
    if isinstance(value, dt.date):
        return f"the date {value}", f"ngày {value}"
    return f"the text {str(value)[:40]!r}", f"chữ {str(value)[:40]!r}"


_WHOLE_FILE = ("the file", "cả tệp")


def check_shape(value: Any, shape: Shape, file: str, problems: list[Problem], line: int = 0,
                name: tuple[str, str] = _WHOLE_FILE) -> tuple[bool, Any]:
    """Check ``value`` against ``shape``: (well shaped, the value with ill-shaped items dropped).

    A list or mapping keeps its well-shaped items; a record with an ill-shaped field is itself
    ill-shaped (its other fields could not be trusted either). Each problem names the line, what
    is wrong (``name``, in English and Vietnamese) and what it should be.
    """
    what, what_vi = f"{name[0]} ", f"{name[1]} "
    if isinstance(shape, Scalar):
        if shape.fits(value):
            return True, value
        en, vi = _kind_of(value)
        problems.append(Problem(file, line, f"{what}should be {shape.en}, not {en}",
                                f"{what_vi}phải là {shape.vi}, không phải {vi}"))
        return False, None
    container = dict if isinstance(shape, MapOf | Record) else list
    if not isinstance(value, container):
        en, vi = _kind_of(value)
        problems.append(Problem(file, line, f"{what}should be {shape.en}, not {en}",
                                f"{what_vi}phải là {shape.vi}, không phải {vi}"))
        return False, None
    if isinstance(shape, ListOf):
        kept = []
        for item in value:
            ok, clean = check_shape(item, shape.item, file, problems, line_of(item) or line,
                                    (f"an entry of {name[0]}", f"một mục của {name[1]}"))
            if ok:
                kept.append(clean)
        return True, kept
    if isinstance(shape, MapOf):
        kept_map = {k: v for k, v in value.items() if k in _HIDDEN}
        for key, item in fields(value):
            ok, clean = check_shape(item, shape.value, file, problems,
                                    line_of(value, key) or line, (repr(key), repr(key)))
            if ok:
                kept_map[key] = clean
        return True, kept_map
    return _check_record(value, shape, file, problems, line_of(value) or line)


def _check_record(value: dict[Any, Any], shape: Record, file: str, problems: list[Problem],
                  line: int) -> tuple[bool, Any]:
    ok = True
    for key in sorted(shape.required - {k for k, v in fields(value) if v is not None}):
        ok = False
        problems.append(Problem(file, line, f"missing {key!r}: see {shape.see}",
                                f"thiếu {key!r}: xem {shape.see}"))
    clean = {k: v for k, v in value.items() if k in _HIDDEN}
    for key, item in fields(value):
        here = line_of(value, key) or line
        if key not in shape.fields:
            if shape.open:
                clean[key] = item
                continue
            ok = False
            en, vi = did_you_mean(key, shape.fields)
            problems.append(Problem(file, here, f"unknown field {key!r}{en} (see {shape.see})",
                                    f"trường lạ {key!r}{vi} (xem {shape.see})"))
            continue
        if item is None and key not in shape.required:
            clean[key] = None
            continue
        fits, cleaned = check_shape(item, shape.fields[key], file, problems, here,
                                    (repr(key), repr(key)))
        ok = ok and fits
        clean[key] = cleaned
    return ok, clean
