"""End to end: a bot admin sends a report file, reviews the draft with buttons, and adds it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from fake_bot_api import group_chat, user
from report_files import docx_bytes, pdf_bytes, scanned_pdf_bytes

from handlers.services import services_of
from handlers.texts import NOT_CURATOR

DATA = Path(__file__).resolve().parents[1] / "knowledge" / "data"
DEV = Path(__file__).resolve().parents[2] / "shared" / "ingest-dev"
ADMIN = user(1001, "Lan")
OTHER_ADMIN = user(1003, "Minh")
OFFICIAL = user(1002, "Hùng")
ADMINS = frozenset({ADMIN["id"], OTHER_ADMIN["id"]})

pytestmark = pytest.mark.skipif(not DEV.is_dir(), reason="../shared/ingest-dev is not here")


def report_text(name: str) -> str:
    """A development-corpus report without its first line (a comment about where it is from)."""
    return (DEV / f"{name}.txt").read_text(encoding="utf-8").split("\n", 1)[1]


def without_report(data: Path, source_id: str) -> None:
    """Take one report's facts and source out of a knowledge-base copy."""
    (data / "facts" / f"{source_id}.yaml").unlink()
    sources = data / "sources.yaml"
    kept = [s for s in yaml.safe_load(sources.read_text(encoding="utf-8")) if s["id"] != source_id]
    sources.write_text(yaml.safe_dump(kept, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def kb_dir(tmp_path):
    """The shipped knowledge base without the Tân Hòa and Ba Đình reports."""
    copy = tmp_path / "kb"
    shutil.copytree(DATA, copy)
    for source_id in ("tan-hoa-2025", "ba-dinh-2024"):
        without_report(copy, source_id)
    return copy


def fingerprint(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def panel(api, chat_id):
    """The bot's latest message with buttons in the chat, as it is now (after edits)."""
    for call in reversed(api.calls_to("sendMessage")):
        markup = call.params.get("reply_markup") or {}
        if call.chat_id == chat_id and call.error is None and markup.get("inline_keyboard"):
            return api.sent_message(chat_id, call.result["message_id"])
    raise AssertionError("no panel")


def buttons(message) -> list[dict]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def button(message, label: str) -> str:
    found = [b["callback_data"] for b in buttons(message) if b["text"] == label]
    assert found, (label, [b["text"] for b in buttons(message)])
    return found[0]


async def press(api, settle, who, message, label):
    """Press the button labelled ``label`` under ``message``; the message as it is then."""
    api.press_button(who, message, button(message, label))
    await settle()
    return api.sent_message(message["chat"]["id"], message["message_id"])


async def test_a_pdf_report_is_reviewed_with_buttons_added_and_answered(
        fake_bot_api, start_bot, settle, kb_dir):
    api = fake_bot_api
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    api.send_document(ADMIN, "tan-hoa.pdf", pdf_bytes(report_text("07-phuong-tan-hoa-2025")),
                      mime_type="application/pdf")
    await settle()
    summary = panel(api, ADMIN["id"])
    assert "Bản nháp từ tan-hoa.pdf" in summary["text"]
    assert "Ngày: 23/12/2025" in summary["text"]
    assert "Kết quả: 6 · Chỉ tiêu: 6 · Khen thưởng: 0" in summary["text"]
    assert "Chỉ số mới: 3" in summary["text"]
    assert "Chưa thêm được: chọn đơn vị" in summary["text"]
    [attached] = api.calls_to("sendDocument")
    assert attached.params["document"] == "<file tan-hoa-2025.yaml>"
    assert b"new_source:" in attached.files["document"]

    # Correction 1: which Phường Tân Hòa.
    summary = await press(api, settle, ADMIN, summary, "📍 Phường Tân Hòa (Phú Thọ)")
    assert "Đơn vị: <b>Phường Tân Hòa (Phú Thọ)</b>" in summary["text"]
    assert "Sẵn sàng thêm" in summary["text"]
    # Correction 2: drop figure 5 (a percentage of the plan the metric does not measure).
    page = await press(api, settle, ADMIN, summary, "📋 Số liệu (12)")
    assert "<b>5.</b> ✅ Kết quả 2025 · tỷ lệ lao động qua đào tạo (mới)" in page["text"]
    page = await press(api, settle, ADMIN, page, "✅ 5")
    assert "<b>5.</b> ✖️ bỏ · Kết quả 2025" in page["text"]
    summary = await press(api, settle, ADMIN, page, "↩️ Tóm tắt")
    assert "sẽ thêm 11" in summary["text"] and "Đã bỏ: 1" in summary["text"]

    done = await press(api, settle, ADMIN, summary, "✅ Thêm vào cơ sở dữ liệu")
    assert done["text"].startswith("✅ Đã thêm 11 số liệu của Phường Tân Hòa (Phú Thọ)")
    assert "reply_markup" not in done
    facts = (kb_dir / "facts" / "tan-hoa-2025.yaml").read_text(encoding="utf-8")
    assert "100,3" not in facts and "681,8" in facts
    assert "Trong đó" not in facts  # no sentence of the report in the knowledge base
    reply = (await api.ask(OFFICIAL, "Phường Tân Hòa Phú Thọ thu ngân sách 2025")).text
    assert "gần 10 tỷ đồng" in reply and "Nguồn:" in reply and "23/12/2025" in reply
    actions = [e.action for e in await services_of(app).store.audit()]
    assert actions.count("report_drafted") == 1 and actions.count("report_added") == 1
    assert "kb_reloaded" in actions
