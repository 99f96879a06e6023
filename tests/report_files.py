"""Writing one report's text as the files curators have: encodings, .docx, .pdf and .html."""

from __future__ import annotations

import html
import io
import unicodedata
from pathlib import Path

import matplotlib
from docx import Document
from fpdf import FPDF

# A Unicode font with Vietnamese, shipped with matplotlib (no download).
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tones combining."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def docx_bytes(text: str) -> bytes:
    """A Word file with one paragraph per line of the text."""
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(text: str) -> bytes:
    """A PDF with a text layer; long lines wrap as a word processor wraps them."""
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    for line in text.splitlines():
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf_bytes() -> bytes:
    """A PDF whose page holds only a picture, as a scanner makes it."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def html_bytes(text: str) -> bytes:
    """A news page: the report in <article>, with styles, scripts and site chrome around it."""
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line)
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Tin tức 2025</title>
<style>p {{ font-size: 14px; margin: 2.5em 0 12px; }} .x {{ width: 1200px; }}</style>
<script>var views = 4312; window.dataLayer = [2024, 15];</script></head>
<body><nav>Trang chủ | Kinh tế | 24 giờ qua</nav>
<article>{paragraphs}</article>
<aside>Tin liên quan: 12 tập thể được khen thưởng năm 2019</aside>
<footer>© 2025 Báo điện tử. Giấy phép số 123/GP-BTTTT. Hotline 0912 345 678</footer>
</body></html>"""
    return page.encode("utf-8")
