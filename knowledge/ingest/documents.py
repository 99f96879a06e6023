"""Reading a report file's bytes into plain text: .txt in any common encoding, .docx, .pdf, .html.

Libraries: charset-normalizer detects a text file's encoding (UTF-8, UTF-16 with or without BOM,
Windows-1258 …), python-docx reads Word files, pypdf reads a PDF's text layer, Beautiful Soup
reads HTML. Every failure is a ``DocumentError`` with one line a curator can act on.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pypdf import PdfReader

Problem = Literal["empty", "corrupt", "no_text_layer", "unsupported"]
FORMATS = (".txt", ".docx", ".pdf", ".html", ".htm")

# Vietnamese letters that no other Latin alphabet uses together: a decoding that yields them is
# preferred when the detector finds several plausible ones (short Windows-1258 texts).
_VIETNAMESE = frozenset("ăâđêôơưĂÂĐÊÔƠƯ") | frozenset("\u0300\u0301\u0303\u0309\u0323")
# HTML elements whose text is never part of the report.
_NOT_TEXT = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "head", "form",
             "button", "select", "nav", "aside")
# Site chrome, dropped when the page has no <article> or <main> to read instead.
_CHROME = ("header", "footer")
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table",
                     "section", "article", "main", "header", "footer", "blockquote", "pre", "dd",
                     "dt", "figure", "figcaption", "caption"})


class DocumentError(ValueError):
    """A file that yields no report text; ``problem`` says why, the message says what to do."""

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def document_text(data: bytes, name: str) -> str:
    """The text of a report file, by its extension (or its first bytes when that says little).

    Paragraphs are separated by blank lines. Raises ``DocumentError`` for an empty, damaged or
    unsupported file and for a PDF without a text layer (a scan).
    """
    if not data.strip():
        raise DocumentError("empty", f"{name} is empty")
    kind = _kind(data, name)
    if kind == ".doc":
        raise DocumentError("unsupported", f"{name} is an old Word (.doc) file: save it as .docx")
    reader = {".docx": _docx_text, ".pdf": _pdf_text, ".html": _html_text}.get(kind, _plain_text)
    text = reader(data, name)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DocumentError("empty", f"{name} has no text")
    return text


def _kind(data: bytes, name: str) -> str:
    suffix = name.lower().rpartition(".")[2]
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return ".docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return ".doc"
    if suffix in ("html", "htm"):
        return ".html"
    if suffix in ("pdf", "docx"):
        return f".{suffix}"  # the signature was missing: the reader says it is damaged
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return ".html"
    return ".txt"


def _plain_text(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    matches = list(from_bytes(data))
    if not matches:
        raise DocumentError("unsupported", f"{name} is not a text file (its encoding is unknown)")
    # The detector ranks by how little mess a decoding makes; among its plausible ones the one
    # with Vietnamese letters wins (short Windows-1258 texts also decode as Windows-1250).
    best = max(matches[:5], key=lambda m: _vietnamese_share(str(m)))
    return str(best)


def _vietnamese_share(text: str) -> float:
    letters = [c for c in unicodedata.normalize("NFD", text) if not c.isascii()]
    return sum(c.lower() in _VIETNAMESE or c in _VIETNAMESE for c in letters) / (len(letters) or 1)


def _docx_text(data: bytes, name: str) -> str:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError("corrupt", f"{name} cannot be read as a Word file (.docx): it is "
                                       "damaged or not a .docx") from exc
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks.extend(", ".join(_unique_cells(row.cells)) for row in block.rows)
        else:
            blocks.append(block.text)
    return "\n\n".join(b.strip() for b in blocks)


def _unique_cells(cells: list) -> list[str]:
    """Cell texts of a row, merged cells (repeated by python-docx) once."""
    seen: list[object] = []
    texts = []
    for cell in cells:
        if cell._tc in seen:
            continue
        seen.append(cell._tc)
        if cell.text.strip():
            texts.append(" ".join(cell.text.split()))
    return texts


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    damaged = DocumentError("corrupt", f"{name} cannot be read as a PDF: it is damaged or "
                                       "password-protected")
    try:
        with _quiet("pypdf"):
            pages = _pdf_pages(PdfReader(io.BytesIO(data)), damaged)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise damaged from exc
    text = "\n\n".join(_tidy_layout(page) for page in pages)
    if not text.strip():
        raise DocumentError("no_text_layer", f"{name} has no text layer (a scanned PDF?): run "
                                             "OCR on it or send the Word file")
    return text


def _pdf_pages(reader: PdfReader, damaged: DocumentError) -> list[str]:
    if reader.is_encrypted and not reader.decrypt(""):
        raise damaged
    # Layout mode keeps the blank line between paragraphs that plain mode loses.
    return [page.extract_text(extraction_mode="layout") for page in reader.pages]


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Silence a library's warnings about a damaged file: the caller reports it in one line."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _tidy_layout(page: str) -> str:
    """Layout text without its column padding; runs of blank lines become one."""
    lines = [" ".join(line.split()) for line in page.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _html_text(data: bytes, name: str) -> str:
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(data, "html.parser")
    for element in soup.find_all(_NOT_TEXT):
        element.decompose()
    root = soup.find("article") or soup.find("main")
    if root is None:
        root = soup.body or soup
        for element in root.find_all(_CHROME):
            element.decompose()
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, CDATA or doctype
                    parts.append(re.sub(r"\s+", " ", str(child)))
            elif isinstance(child, Tag):
                if child.name == "br":
                    parts.append("\n")
                elif child.name == "tr":
                    cells = (c.get_text(" ", strip=True) for c in child.find_all(["td", "th"]))
                    parts.append("\n\n" + ", ".join(c for c in cells if c) + "\n\n")
                else:
                    block = child.name in _BLOCKS
                    parts.append("\n\n" if block else "")
                    walk(child)
                    parts.append("\n\n" if block else "")

    walk(root)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
