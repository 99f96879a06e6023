"""End to end: a bot admin sends a report file, reviews the draft with buttons, and adds it."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

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
VN = ZoneInfo("Asia/Ho_Chi_Minh")

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
    assert "Kết quả 6 · Chỉ tiêu 6 · Khen thưởng 0" in summary["text"]
    assert "Chỉ số mới: 2" in summary["text"]
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
    assert "<b>5.</b> ✅ Kết quả 2025 · đào tạo việc làm mới" in page["text"]
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


async def test_a_docx_report_is_added_and_announced_to_the_districts_groups(
        fake_bot_api, start_bot, settle, kb_dir):
    api = fake_bot_api
    group = group_chat(-100_081, "Ba Đình")
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    api.make_admin(group, OFFICIAL)
    await api.ask(OFFICIAL, "/dangkynhom Ba Đình", chat=group)
    api.send_document(ADMIN, "ba-dinh.docx", docx_bytes(report_text("01-ba-dinh-2024")))
    await settle()
    summary = panel(api, ADMIN["id"])
    assert "Đơn vị: <b>Quận Ba Đình (cũ, TP Hà Nội)</b>" in summary["text"]
    assert "Ngày: 20/12/2024 (năm báo cáo 2024)" in summary["text"]

    page = await press(api, settle, ADMIN, summary, "📋 Số liệu (12)")
    page = await press(api, settle, ADMIN, page, "Sau ▶️")
    assert "<b>9.</b> ✅ Kết quả 2025" in page["text"] and "128" in page["text"]
    # Correction 1: figure 9 (the term's indicators, counted in 2024) by the year buttons.
    years = await press(api, settle, ADMIN, page, "📅 2025")
    assert "Chọn năm cho số liệu 9" in years["text"]
    assert [b["text"] for b in buttons(years)][:6] == [
        "2023", "2024", "• 2025", "2026", "2027", "2028"]
    page = await press(api, settle, ADMIN, years, "2024")
    assert "<b>9.</b> ✅ Kết quả 2024" in page["text"]
    # Correction 2: drop figure 12.
    page = await press(api, settle, ADMIN, page, "✅ 12")
    summary = await press(api, settle, ADMIN, page, "↩️ Tóm tắt")
    assert "sẽ thêm 11" in summary["text"]

    done = await press(api, settle, ADMIN, summary, "✅ Thêm vào cơ sở dữ liệu")
    assert done["text"].startswith("✅ Đã thêm 11 số liệu của Quận Ba Đình")
    assert "tới 1 cuộc trò chuyện" in done["text"]
    await api.wait_until(lambda: any("Số liệu mới" in t for t in api.texts_to(group["id"])))
    [news] = [t for t in api.texts_to(group["id"]) if "Số liệu mới" in t]
    assert "7.004,91 tỷ đồng" in news and "Nguồn:" in news
    reply = (await api.ask(OFFICIAL, "Ba Đình thu ngân sách 2024")).text
    assert "7.004,91 tỷ đồng" in reply and "20/12/2024" in reply


async def test_a_non_admins_document_gets_one_polite_line(fake_bot_api, start_bot, settle,
                                                          kb_dir):
    api = fake_bot_api
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    before = fingerprint(kb_dir)
    api.send_document(OFFICIAL, "tan-hoa.pdf", pdf_bytes(report_text("07-phuong-tan-hoa-2025")))
    api.send_document(OFFICIAL, "bao-cao.pdf", b"%PDF-1.4", forwarded_from=ADMIN)
    await settle()
    assert api.texts_to(OFFICIAL["id"]) == [NOT_CURATOR, NOT_CURATOR]
    assert not api.calls_to("getFile") and not api.downloads
    assert await services_of(app).store.report_drafts() == []
    assert fingerprint(kb_dir) == before
    # A caption is still a question, as under a photo.
    api.send_document(OFFICIAL, "x.pdf", b"%PDF-1.4", caption="Q1 thu NS 2023")
    await settle()
    assert "16.728" in api.texts_to(OFFICIAL["id"])[-1]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("hong.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage" + bytes(range(256)) * 4,
     "Không đọc được «hong.pdf»: tệp bị hỏng hoặc có mật khẩu"),
    ("scan.pdf", scanned_pdf_bytes(), "«scan.pdf» là bản quét (PDF không có lớp chữ)"),
    ("trong.txt", b"   \n", "Tệp «trong.txt» trống"),
    ("bang.xlsx", b"PK\x03\x04 not a report", "Chưa đọc được loại tệp «bang.xlsx»"),
    ("cu.doc", b"\xd0\xcf\x11\xe0 old word", "«cu.doc» là tệp Word cũ (.doc)"),
    ("draft.yaml", "source: x\n".encode("utf-16"), "Tệp YAML phải lưu bằng UTF-8"),
])
async def test_an_unreadable_file_gets_its_reason_and_nothing_is_added(
        fake_bot_api, start_bot, settle, kb_dir, name, data, reason):
    api = fake_bot_api
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    before = fingerprint(kb_dir)
    api.send_document(ADMIN, name, data)
    await settle()
    [reply] = api.texts_to(ADMIN["id"])
    assert reply.startswith(reason) and "Chưa có gì được thêm vào cơ sở dữ liệu." in reply
    assert await services_of(app).store.report_drafts() == []
    assert fingerprint(kb_dir) == before


async def test_a_file_above_telegrams_20_mb_is_refused_before_downloading(
        fake_bot_api, start_bot, settle, kb_dir):
    api = fake_bot_api
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    api.send_document(ADMIN, "bao-cao-day-du.pdf", b"%PDF-1.4", size=25 * 1024 * 1024)
    await settle()
    [reply] = api.texts_to(ADMIN["id"])
    assert "nặng 25 MB, quá giới hạn 20 MB" in reply
    assert not api.calls_to("getFile")


async def test_a_review_goes_on_after_a_restart(fake_bot_api, start_bot, settle, kb_dir):
    api = fake_bot_api
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    api.send_document(ADMIN, "tan-hoa.pdf", pdf_bytes(report_text("07-phuong-tan-hoa-2025")))
    await settle()
    summary = await press(api, settle, ADMIN, panel(api, ADMIN["id"]),
                          "📍 Phường Tân Hòa (Phú Thọ)")
    page = await press(api, settle, ADMIN, summary, "📋 Số liệu (12)")
    await start_bot.stop(app)

    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    page = await press(api, settle, ADMIN, page, "✅ 5")
    assert "<b>5.</b> ✖️ bỏ" in page["text"]
    summary = await press(api, settle, ADMIN, page, "↩️ Tóm tắt")
    assert "Đơn vị: <b>Phường Tân Hòa (Phú Thọ)</b>" in summary["text"]
    done = await press(api, settle, ADMIN, summary, "✅ Thêm vào cơ sở dữ liệu")
    assert done["text"].startswith("✅ Đã thêm 11 số liệu")
    reply = (await api.ask(OFFICIAL, "Phường Tân Hòa Phú Thọ thu ngân sách 2025")).text
    assert "gần 10 tỷ đồng" in reply


async def test_typed_corrections_unit_date_publisher_year_and_label(fake_bot_api, start_bot,
                                                                    settle, kb_dir):
    api = fake_bot_api
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    # A report whose text names neither its unit's province nor its date.
    text = ("Phường Tân Hòa tổng kết năm.\n\nNăm 2025, tổng thu ngân sách của phường đạt 9,5 tỷ "
            "đồng; tỷ lệ hộ dùng nước sạch đạt 97,5%.")
    api.send_document(ADMIN, "tan-hoa.txt", text.encode())
    await settle()
    summary = panel(api, ADMIN["id"])
    assert "Ngày: ⚠️ chưa rõ" in summary["text"]

    async def answer(label, typed, *, then_panel=True):
        nonlocal summary
        api.press_button(ADMIN, summary, button(summary, label))
        await settle()
        prompt = [c for c in api.calls_to("sendMessage") if c.chat_id == ADMIN["id"]][-1]
        assert prompt.params["reply_markup"]["force_reply"] is True
        api.send_text(ADMIN, typed, reply_to=prompt.result)
        await settle()
        if then_panel:
            summary = panel(api, ADMIN["id"])
        return [c for c in api.calls_to("sendMessage") if c.chat_id == ADMIN["id"]][-1]

    reply = await answer("✏️ Ngày", "31/02/2025", then_panel=False)
    assert reply.text.startswith("«31/02/2025» không phải ngày hợp lệ.")
    api.send_text(ADMIN, "28/12/2025", reply_to=reply.result)
    await settle()
    summary = panel(api, ADMIN["id"])
    assert "Ngày: 28/12/2025 (năm báo cáo 2025)" in summary["text"]
    await answer("✏️ Đơn vị", "Tân Hòa, Phú Thọ")
    assert "Đơn vị: <b>Phường Tân Hòa (Phú Thọ)</b>" in summary["text"]
    await answer("✏️ Nơi đăng", "Báo Phú Thọ")
    assert "— Báo Phú Thọ, 28/12/2025" in summary["text"]
    metrics = await press(api, settle, ADMIN, summary, "🆕 Chỉ số mới (1)")
    assert "«tỷ lệ hộ dùng nước sạch»" in metrics["text"]
    summary = metrics
    await answer("✏️ Đổi tên 1", "Tỷ lệ hộ dân dùng nước sạch")
    assert "✅ «tỷ lệ hộ dân dùng nước sạch»" in summary["text"]
    summary = await press(api, settle, ADMIN, summary, "↩️ Tóm tắt")
    page = await press(api, settle, ADMIN, summary, "📋 Số liệu (2)")
    summary = await press(api, settle, ADMIN, page, "📅 2025")
    await answer("Năm khác…", "2024")
    assert "<b>1.</b> ✅ Kết quả 2024" in summary["text"]  # the page comes back
    summary = await press(api, settle, ADMIN, summary, "↩️ Tóm tắt")
    done = await press(api, settle, ADMIN, summary, "✅ Thêm vào cơ sở dữ liệu")
    assert done["text"].startswith("✅ Đã thêm 2 số liệu của Phường Tân Hòa (Phú Thọ)")
    assert "tỷ lệ hộ dân dùng nước sạch" in (kb_dir / "metrics.yaml").read_text(encoding="utf-8")
    reply = (await api.ask(OFFICIAL, "Phường Tân Hòa Phú Thọ thu ngân sách 2024")).text
    assert "9,5 tỷ đồng" in reply and "Báo Phú Thọ, 28/12/2025" in reply


async def test_an_edited_yaml_draft_sent_back_is_added_instead(fake_bot_api, start_bot, settle,
                                                               kb_dir):
    api = fake_bot_api
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    api.send_document(ADMIN, "tan-hoa.pdf", pdf_bytes(report_text("07-phuong-tan-hoa-2025")))
    await settle()
    review_panel = panel(api, ADMIN["id"])
    [attached] = api.calls_to("sendDocument")
    draft = attached.files["document"].decode()
    assert draft.count('value: "10"') == 1
    edited = draft.replace("province: null", 'province: "Phú Thọ"').replace(
        'value: "10"', 'value: "10,2"')

    api.send_document(ADMIN, "tan-hoa-2025.yaml", b"facts: [\n")
    await settle()
    assert api.texts_to(ADMIN["id"])[-1].startswith("Chưa thêm được, cơ sở dữ liệu giữ nguyên")
    assert "YAML sai cú pháp" in api.texts_to(ADMIN["id"])[-1]

    api.send_document(ADMIN, "tan-hoa-2025.yaml", edited.encode())
    await settle()
    superseded = api.sent_message(ADMIN["id"], review_panel["message_id"])
    assert "được thay bằng tệp YAML" in superseded["text"] and "reply_markup" not in superseded
    summary = panel(api, ADMIN["id"])
    assert "Bản nháp YAML tan-hoa-2025.yaml" in summary["text"]
    assert "Sẵn sàng thêm" in summary["text"]
    done = await press(api, settle, ADMIN, summary, "✅ Thêm vào cơ sở dữ liệu")
    assert done["text"].startswith("✅ Đã thêm 12 số liệu của Phường Tân Hòa (Phú Thọ)")
    reply = (await api.ask(OFFICIAL, "Phường Tân Hòa Phú Thọ thu ngân sách 2025")).text
    assert "gần 10,2 tỷ đồng" in reply
    states = {d.file_name: d.state for d in await services_of(app).store.report_drafts()}
    assert states == {"tan-hoa.pdf": "cancelled", "tan-hoa-2025.yaml": "added"}


async def test_a_report_already_in_the_base_shows_what_would_change_and_replaces_it(
        fake_bot_api, start_bot, settle, tmp_path):
    api = fake_bot_api
    data = tmp_path / "kb"
    shutil.copytree(DATA, data)
    await start_bot(admin_ids=ADMINS, kb_dir=data)
    api.send_document(ADMIN, "ba-dinh.pdf", pdf_bytes(report_text("01-ba-dinh-2024")))
    await settle()
    summary = panel(api, ADMIN["id"])
    assert "Đã có báo cáo của đơn vị này cho năm đó:</b> «Quận Ba Đình đặt chỉ tiêu" in (
        summary["text"])
    assert "Thêm bản này sẽ thay báo cáo đó: thêm " in summary["text"]
    changes = await press(api, settle, ADMIN, summary, "🔁 Thay đổi")
    text = changes["text"]
    assert "<b>Thay đổi so với «Quận Ba Đình đặt chỉ tiêu" in text
    assert "<b>Bỏ (" in text and "Giữ nguyên:" in text
    summary = await press(api, settle, ADMIN, changes, "↩️ Tóm tắt")
    kept = await press(api, settle, ADMIN, summary, "Giữ cả bản cũ")
    assert "Bản này sẽ được thêm riêng, báo cáo cũ giữ nguyên." in kept["text"]
    summary = await press(api, settle, ADMIN, kept, "Thay bản cũ")

    done = await press(api, settle, ADMIN, summary, "✅ Thêm vào cơ sở dữ liệu")
    assert done["text"].startswith("✅ Đã thay báo cáo cũ bằng 12 số liệu của Quận Ba Đình")
    sources = yaml.safe_load((data / "sources.yaml").read_text(encoding="utf-8"))
    assert [s["id"] for s in sources].count("ba-dinh-2024") == 1
    assert not list((data / "facts").glob("ba-dinh-2024-*.yaml"))
    reply = (await api.ask(OFFICIAL, "Ba Đình thu ngân sách 2024")).text
    assert reply.count("7.004,91") == 1


async def test_one_draft_is_added_once_whoever_presses(fake_bot_api, start_bot, settle, kb_dir):
    api = fake_bot_api
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    report = pdf_bytes(report_text("01-ba-dinh-2024"))
    api.send_document(ADMIN, "ba-dinh.pdf", report)
    await settle()
    # The other admin sends the same report: told who reviews it, no second draft.
    api.send_document(OTHER_ADMIN, "ba-dinh (1).pdf", report)
    await settle()
    assert api.texts_to(OTHER_ADMIN["id"])[-1].startswith(
        f"Báo cáo này đang được quản trị viên {ADMIN['id']} duyệt")
    summary = panel(api, ADMIN["id"])
    add = button(summary, "✅ Thêm vào cơ sở dữ liệu")
    api.press_button(OTHER_ADMIN, summary, add)  # the button of another admin's draft
    api.press_button(ADMIN, summary, add)
    api.press_button(ADMIN, summary, add)  # pressed twice before the first is served
    await settle()
    answers = [c.params.get("text", "") for c in api.calls_to("answerCallbackQuery")]
    assert answers[0].startswith("Bản nháp này của quản trị viên khác")
    assert answers[2].startswith("Bản nháp này đã được thêm vào cơ sở dữ liệu lúc ")
    actions = [e.action for e in await services_of(app).store.audit()]
    assert actions.count("report_added") == 1
    sources = yaml.safe_load((kb_dir / "sources.yaml").read_text(encoding="utf-8"))
    assert [s["id"] for s in sources].count("ba-dinh-2024") == 1


async def test_a_malformed_or_unknown_review_button_gets_a_polite_answer(
        fake_bot_api, start_bot, settle, kb_dir):
    api = fake_bot_api
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    message = await api.ask(ADMIN, "Q1 thu NS 2023")
    presses = ["r:", "r:zz:A", "r:0123456789ab:Q", "r:0123456789ab:k", "r:0123456789ab:k:x",
               "r:0123456789ab:y:1", "r:0123456789ab:p:99999", "r:0123456789ab:A"]
    for data in presses:
        api.press_button(ADMIN, message.result, data)
    await settle()
    answers = [c.params["text"] for c in api.calls_to("answerCallbackQuery")]
    assert len(answers) == len(presses)
    assert set(answers) == {
        "Nút này không hợp lệ hoặc đã cũ. Gửi lại báo cáo nếu cần.",
        "Bản nháp này đã hết hạn (giữ 7 ngày) hoặc không còn: gửi lại báo cáo."}


async def test_an_out_of_range_press_on_a_real_draft_changes_nothing(fake_bot_api, start_bot,
                                                                     settle, kb_dir):
    api = fake_bot_api
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    api.send_document(ADMIN, "tan-hoa.pdf", pdf_bytes(report_text("07-phuong-tan-hoa-2025")))
    await settle()
    summary = panel(api, ADMIN["id"])
    draft = button(summary, "✅ Thêm vào cơ sở dữ liệu").split(":")[1]
    for data in (f"r:{draft}:k:13", f"r:{draft}:u:3", f"r:{draft}:y:1:1800", f"r:{draft}:a:9"):
        api.press_button(ADMIN, summary, data)
    await settle()
    answers = {c.params.get("text") for c in api.calls_to("answerCallbackQuery")}
    assert answers == {"Nút này không hợp lệ hoặc đã cũ. Gửi lại báo cáo nếu cần."}
    assert api.sent_message(ADMIN["id"], summary["message_id"]) == summary


async def test_a_draft_expires_after_a_week(fake_bot_api, start_bot, settle, kb_dir):
    api = fake_bot_api
    now = [dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)]
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir, clock=lambda: now[0])
    api.send_document(ADMIN, "tan-hoa.pdf", pdf_bytes(report_text("07-phuong-tan-hoa-2025")))
    await settle()
    summary = panel(api, ADMIN["id"])
    assert "Bản nháp giữ đến 09:00 09/03/2026." in summary["text"]
    now[0] += dt.timedelta(days=7, minutes=1)
    api.press_button(ADMIN, summary, button(summary, "📋 Số liệu (12)"))
    await settle()
    [answer] = api.calls_to("answerCallbackQuery")
    assert answer.params["text"].startswith("Bản nháp này đã hết hạn")
    await start_bot.stop(app)
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir, clock=lambda: now[0])
    assert await services_of(app).store.report_drafts() == []  # forgotten at start


async def test_only_bot_admins_press_review_buttons(fake_bot_api, start_bot, settle, kb_dir):
    api = fake_bot_api
    app = await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    api.send_document(ADMIN, "tan-hoa.pdf", pdf_bytes(report_text("07-phuong-tan-hoa-2025")))
    await settle()
    summary = panel(api, ADMIN["id"])
    api.press_button(OFFICIAL, summary, button(summary, "✅ Thêm vào cơ sở dữ liệu"))
    await settle()
    [answer] = api.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Lệnh này chỉ dành cho quản trị viên của bot."
    [refused] = [e for e in await services_of(app).store.audit() if e.action == "refused"]
    assert refused.actor == OFFICIAL["id"]
    assert not (kb_dir / "facts" / "tan-hoa-2025.yaml").exists()
