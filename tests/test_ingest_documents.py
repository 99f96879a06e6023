"""Reading report files: every common encoding, Word, PDF and HTML give the same candidates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from report_files import cp1258, docx_bytes, html_bytes, pdf_bytes, scanned_pdf_bytes

from knowledge import load_knowledge_base
from knowledge.ingest import (
    DocumentError,
    candidate_record,
    document_text,
    header_record,
    ingest,
)

DEV = Path(__file__).resolve().parents[2] / "shared" / "ingest-dev"
THIDUA = str(Path(sys.executable).with_name("thidua"))

# Written for these tests (figures made up): a ward council's year-end session, one paragraph
# per line as a word processor keeps them.
HAC_THANH = (
    "HĐND phường Hạc Thành họp cuối năm\n"
    "Chiều 18/12, HĐND phường Hạc Thành khóa I tổ chức kỳ họp thứ 3, xem xét kết quả năm 2025 "
    "và thống nhất nhiệm vụ năm 2026.\n"
    "\n"
    "Năm 2025, phường hoàn thành 14/15 chỉ tiêu; tổng thu ngân sách đạt 52,4 tỷ đồng, đạt 118,2% "
    "dự toán; giải quyết việc làm cho 1.240 lao động; tỷ lệ hộ dùng nước sạch đạt 94,6%. "
    "Mười hai tập thể được tặng Bằng khen của Chủ tịch UBND tỉnh.\n"
    "Năm 2026, phường phấn đấu tổng thu ngân sách đạt 60 tỷ đồng; tỷ lệ hộ nghèo giảm còn 0,5%; "
    "thu nhập bình quân đầu người đạt 85 triệu đồng/người/năm.\n"
)


def variants(text: str) -> dict[str, bytes]:
    """The same report as the files a curator may have."""
    return {
        "report.txt": text.encode("utf-8"),
        "bom.txt": text.encode("utf-8-sig"),
        "utf16.txt": text.encode("utf-16"),
        "utf16le-no-bom.txt": text.encode("utf-16-le"),
        "windows-1258.txt": cp1258(text),
        "report.docx": docx_bytes(text),
        "report.pdf": pdf_bytes(text),
        "report.html": html_bytes(text),
    }


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def records(text: str, kb) -> list[dict]:
    draft = ingest(text, kb)
    return [header_record(draft), *(candidate_record(c) for c in draft.candidates)]


def dev_reports() -> list[Path]:
    return sorted(DEV.glob("*.txt")) if DEV.is_dir() else []


def test_every_format_of_a_report_gives_the_same_candidates(kb):
    expected = records(HAC_THANH, kb)
    assert len(expected) > 8
    for name, data in variants(HAC_THANH).items():
        assert records(document_text(data, name), kb) == expected, name


@pytest.mark.skipif(not dev_reports(), reason="../shared/ingest-dev is not present")
@pytest.mark.parametrize("path", dev_reports(), ids=lambda p: p.stem)
def test_every_format_of_a_dev_report_gives_the_same_candidates(path, kb):
    text = path.read_text(encoding="utf-8").split("\n", 1)[1]  # line 1 is the corpus's note
    expected = records(text, kb)
    for name, data in variants(text).items():
        assert records(document_text(data, name), kb) == expected, name


def test_html_keeps_the_article_and_drops_styles_scripts_and_chrome():
    text = document_text(html_bytes(HAC_THANH), "page.html")
    assert "52,4 tỷ đồng" in text and "Mười hai tập thể" in text
    for chrome in ("font-size", "1200px", "4312", "dataLayer", "Trang chủ", "Tin liên quan",
                   "Hotline", "123/GP"):
        assert chrome not in text


def test_a_page_without_article_loses_only_its_chrome():
    page = (b"<html><body><header>Menu 2025</header><h1>Tin</h1><p>Thu ng\xc3\xa2n s\xc3\xa1ch "
            b"12 t\xe1\xbb\xb7 \xc4\x91\xe1\xbb\x93ng.</p><footer>\xc2\xa9 2025</footer></body>"
            b"</html>")
    assert document_text(page, "tin.htm") == "Tin\n\nThu ngân sách 12 tỷ đồng."


def test_word_tables_are_read_row_by_row():
    from docx import Document

    document = Document()
    document.add_paragraph("Kết quả năm 2024")
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [("Chỉ tiêu", "Đơn vị", "Kết quả"),
                                        ("Thu ngân sách", "tỷ đồng", "41,2")], strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    text = document_text(buffer.getvalue(), "bang.docx")
    assert "Thu ngân sách, tỷ đồng, 41,2" in text.splitlines()


@pytest.mark.parametrize(("data", "name", "problem"), [
    (b"", "empty.txt", "empty"),
    (b"  \n\t\n", "blank.txt", "empty"),
    (b"", "empty.pdf", "empty"),
    (b"%PDF-1.4\nnot really a pdf", "broken.pdf", "corrupt"),
    (b"PK\x03\x04 not really a zip", "broken.docx", "corrupt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old word", "old.doc", "unsupported"),
    (bytes(range(256)) * 8, "binary.txt", "unsupported"),
])
def test_unreadable_files_say_why(data, name, problem):
    with pytest.raises(DocumentError) as error:
        document_text(data, name)
    assert error.value.problem == problem
    assert name in str(error.value) and "\n" not in str(error.value)


def test_a_scanned_pdf_is_told_apart_from_a_damaged_one():
    with pytest.raises(DocumentError, match="no text layer") as error:
        document_text(scanned_pdf_bytes(), "scan.pdf")
    assert error.value.problem == "no_text_layer"


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.txt", "is empty"),
    (b"%PDF-1.4\nnot really a pdf", "broken.pdf", "damaged"),
    (scanned_pdf_bytes(), "scan.pdf", "no text layer"),
    (b"PK\x03\x04 not really a zip", "broken.docx", "damaged"),
])
def test_cli_refuses_an_unreadable_report_in_one_line(tmp_path, data, name, message):
    path = tmp_path / name
    path.write_bytes(data)
    result = subprocess.run([THIDUA, "kb", "ingest", str(path), "--jsonl"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], lines


def test_cli_reads_a_word_report(tmp_path):
    path = tmp_path / "hac-thanh.docx"
    path.write_bytes(docx_bytes(HAC_THANH))
    result = subprocess.run([THIDUA, "kb", "ingest", str(path), "--jsonl"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert '"unit": "Phường Hạc Thành"' in result.stdout.splitlines()[0]
