"""Normalising Vietnamese text typed on phones into comparable tokens."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_APOSTROPHES = re.compile(r"(?<=\w)['’ʼ](?=\w)")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")
# A document number: words joined by "/" or "-" with a number among them (377/KH-UBND).
_CODE = re.compile(r"\b(?=[\w/-]*\d)\w+(?:[/-]\w+)+")
# "Q1", "q.10", "P12", "quan1": a type abbreviation glued to a number is two words.
_GLUED_NUMBER = re.compile(r"\b(q|quan|quận|p|phuong|phường)\.?\s*(\d{1,2})\b", re.IGNORECASE)


def clean(text: str) -> str:
    """NFC text without invisible characters, full-width forms or runs of white space."""
    text = text.translate(_INVISIBLE)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, accent-free key: ``"Đảng viên"`` → ``"dang vien"`` (đ folded explicitly)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def signature(text: str) -> str:
    """Lower-case form that keeps diacritics but not where the tone mark sits.

    ``"hoà"`` and ``"hòa"``, ``"thuỷ"`` and ``"thủy"`` give the same signature, so the old and the
    new tone conventions compare equal while ``"vĩnh"`` and ``"vinh"`` stay apart.
    """
    words = []
    for word in text.lower().split():
        decomposed = unicodedata.normalize("NFD", word)
        tones = "".join(ch for ch in decomposed if ch in _TONE_MARKS)
        base = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
        words.append(unicodedata.normalize("NFC", base) + tones)
    return " ".join(words)


class Token(NamedTuple):
    """One word of a question: as typed, its accent-free key and its diacritics signature.

    ``gap`` tells that punctuation separates it from the word before (``Thành phố: Bình Thạnh``);
    ``code`` that it is part of a document number (``377/KH-UBND``, ``05-CT/TW``). A named tuple:
    names of every unit are split into tokens when a knowledge base is loaded.
    """

    raw: str
    key: str
    sig: str
    gap: bool = False
    code: bool = False

    @property
    def has_diacritics(self) -> bool:
        """True when the word was typed with Vietnamese marks (a repaired word has none)."""
        return not self.sig.isascii()

    @property
    def capitalised(self) -> bool:
        """True when the word starts with a capital letter (names usually do)."""
        return self.raw[:1].isupper()


def tokenize(text: str) -> list[Token]:
    """Split cleaned text into word tokens; punctuation and symbols are dropped."""
    text = _APOSTROPHES.sub("", clean(text))
    codes: set[int] = set()
    if _DIGIT.search(text):
        text = _GLUED_NUMBER.sub(r"\1 \2", text)
        codes = {i for m in _CODE.finditer(text) for i in range(m.start(), m.end())}
    tokens, end = [], 0
    for found in _WORD.finditer(text):
        word = found.group()
        # A dot after an abbreviation ("TX. Hoàng Mai", "Q.1") does not separate the words.
        gap = bool(tokens) and bool(text[end:found.start()].strip(" ."))
        tokens.append(Token(word, fold(word), signature(word), gap, found.start() in codes))
        end = found.end()
    return tokens


def keys(text: str) -> tuple[str, ...]:
    """Accent-free keys of the words of ``text``."""
    return tuple(token.key for token in tokenize(text))
