"""The thidua command as a user runs it."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import yaml

THIDUA = str(Path(sys.executable).with_name("thidua"))


def run(*args, stdin=""):
    return subprocess.run([THIDUA, *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_ask_prints_the_answer_with_its_source():
    result = run("ask", "Hoàng Mai thu ngân sách 2022?")
    assert result.returncode == 0
    assert "4.670,8" in result.stdout
    assert "Nguồn:" in result.stdout


def test_ask_json_prints_one_object_with_the_contract_fields():
    result = run("ask", "--json", "hoang mai thu ngan sach 2022")
    record = json.loads(result.stdout)
    assert record["status"] == "answered"
    assert set(record) >= {"status", "text", "facts", "suggestions"}
    fact = record["facts"][0]
    assert fact["value"] == 4670.8
    assert fact["source"]["date"] == "2023-03-25"
    assert "Hoàng" in result.stdout  # non-ASCII kept, not escaped


def test_ask_jsonl_answers_every_line_in_order():
    questions = ["Hoàng Mai thu ngân sách 2022", "", "Quận 10 thu ngân sách", "😀"]
    result = run("ask", "--jsonl", stdin="\n".join(questions) + "\n")
    lines = result.stdout.splitlines()
    assert len(lines) == len(questions)
    statuses = [json.loads(line)["status"] for line in lines]
    assert statuses[0] == "answered"
    assert statuses[2] == "not_found"


def test_kb_validate_accepts_the_shipped_data():
    result = run("kb", "validate")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("OK:")


def test_kb_validate_names_file_line_and_fix_of_each_problem(tmp_path):
    data = Path(__file__).resolve().parents[1] / "knowledge" / "data"
    copy = tmp_path / "data"
    subprocess.run(["cp", "-r", str(data), str(copy)], check=True)
    path = copy / "facts" / "hoang-mai-2022.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["facts"].append({"id": doc["facts"][0]["id"], "year": 2022, "kind": "result",
                         "metric": "khong_co_metric", "value": "abc"})
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = run("--data-dir", str(copy), "kb", "validate")
    assert result.returncode == 1
    assert "facts/hoang-mai-2022.yaml:" in result.stdout
    assert "duplicate id" in result.stdout
    assert "unknown metric 'khong_co_metric': use an id of metrics.yaml, or add it" in result.stdout
    assert "not a figure in Vietnamese notation" in result.stdout


def test_missing_data_file_gives_a_clear_error_not_a_traceback(tmp_path):
    data = Path(__file__).resolve().parents[1] / "knowledge" / "data"
    copy = tmp_path / "data"
    subprocess.run(["cp", "-r", str(data), str(copy)], check=True)
    (copy / "sources.yaml").unlink()
    result = run("--data-dir", str(copy), "ask", "Hoàng Mai thu ngân sách 2022")
    assert result.returncode == 1
    assert "Error:" in result.stderr
    assert "sources.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_data_file_gives_a_clear_error_with_its_line(tmp_path):
    data = Path(__file__).resolve().parents[1] / "knowledge" / "data"
    copy = tmp_path / "data"
    subprocess.run(["cp", "-r", str(data), str(copy)], check=True)
    (copy / "metrics.yaml").write_text("thu_ngan_sach: [unclosed\n", encoding="utf-8")
    result = run("--data-dir", str(copy), "kb", "validate")
    assert result.returncode == 1
    assert "metrics.yaml:" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_run_without_token_opens_the_console_chat_and_says_why(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATA_DIR": str(tmp_path / "state")}
    result = subprocess.run([THIDUA, "run"], input="hoang mai thu ngan sach 2022\nthoát\n",
                            capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stdout
    assert "4.670,8" in result.stdout


def state_env(tmp_path):
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATA_DIR": str(tmp_path / "state")}


def test_kb_unanswered_lists_the_most_frequent_questions(tmp_path):
    import datetime as dt

    from bot.storage import open_store
    from bot.unanswered import Unanswered, normalised_form

    at = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)

    async def log() -> None:
        store = open_store(tmp_path / "state")
        for question, kind in (("Quận 10 thu NS", "not_found"), ("quan 10 thu ns", "not_found"),
                               ("Hoàng Mai", "clarify")):
            await store.log_unanswered(Unanswered(at, kind, question, normalised_form(question),
                                                  "private"))
        await store.close()

    asyncio.run(log())
    result = subprocess.run([THIDUA, "kb", "unanswered"], capture_output=True, text=True,
                            timeout=60, env=state_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"3 logged question(s) in {tmp_path / 'state'}."
    assert lines[1].split()[:5] == ["2", "2026-11-26", "09:30", "not_found", "2"]
    assert lines[1].endswith("Quận 10 thu NS")
    assert "clarify 1" in lines[2] and "Hoàng Mai" in lines[2]


def test_kb_reload_without_a_running_bot_says_so(tmp_path):
    result = subprocess.run([THIDUA, "kb", "reload"], capture_output=True, text=True,
                            timeout=60, env=state_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No bot is running" in result.stdout


HOLDER = """
import signal, sys, time
from pathlib import Path
from bot.storage import open_store
state = Path(sys.argv[1])
store = open_store(state)
signal.signal(signal.SIGHUP, lambda *_: (state / "reloaded").write_text("yes"))
print("ready", flush=True)
while not (state / "reloaded").exists():
    time.sleep(0.05)
"""


def test_kb_reload_signals_the_bot_running_on_the_data_directory(tmp_path):
    root = Path(__file__).resolve().parents[1]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "state")],
                              stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = subprocess.run([THIDUA, "kb", "reload"], capture_output=True, text=True,
                                timeout=60, env=state_env(tmp_path), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert f"Asked the bot (PID {holder.pid})" in result.stdout
        holder.wait(timeout=10)
        assert (tmp_path / "state" / "reloaded").read_text() == "yes"
    finally:
        holder.kill()


def test_kb_reload_refuses_broken_data_before_disturbing_the_bot(tmp_path):
    data = Path(__file__).resolve().parents[1] / "knowledge" / "data"
    copy = tmp_path / "data"
    subprocess.run(["cp", "-r", str(data), str(copy)], check=True)
    (copy / "metrics.yaml").write_text("thu_ngan_sach: [unclosed\n", encoding="utf-8")
    result = subprocess.run([THIDUA, "--data-dir", str(copy), "kb", "reload"],
                            capture_output=True, text=True, timeout=60, env=state_env(tmp_path),
                            cwd=tmp_path)
    assert result.returncode == 1
    assert "metrics.yaml:" in result.stdout and "Not reloaded" in result.stdout


def test_ask_jsonl_answers_the_valid_lines_around_an_invalid_byte():
    stdin = "Hoàng Mai thu ngân sách 2022\n".encode() + b"Qu\xe1n 1\xff\n" + b"Q1 thu NS 2023\n"
    result = subprocess.run([THIDUA, "ask", "--jsonl"], input=stdin, capture_output=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["status"] for r in records][::2] == ["answered", "answered"] and len(records) == 3


def test_state_status_and_audit_commands_read_a_data_directory(tmp_path):
    import datetime as dt

    from bot.audit import AuditEntry
    from bot.schedule import Group, OutboxRow
    from bot.storage import open_store

    at = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)

    async def seed() -> None:
        store = open_store(tmp_path / "state")
        await store.save_group(Group(-100, (), "Tổ 1"))
        [row] = await store.enqueue([OutboxRow("announce:x", -100, "Họp")], at)
        await store.save_rows([row.started(at)])  # a kill while in flight
        await store.record_audit(AuditEntry(at, "group_registered", 7, -100, "Tổ 1"))
        await store.close()

    asyncio.run(seed())
    env = state_env(tmp_path)

    def thidua(*args):
        return subprocess.run([THIDUA, *args], capture_output=True, text=True, timeout=60,
                              env=env, cwd=tmp_path)

    status = thidua("status")
    assert status.returncode == 0, status.stderr
    assert "not running" in status.stdout and "outbox: 1 pending" in status.stdout
    audit = thidua("audit")
    assert "đăng ký nhóm Tổ 1" in audit.stdout and "người dùng 7" in audit.stdout
    check = thidua("state", "check")
    assert check.returncode == 0 and "groups: 1 document(s)" in check.stdout
    backup = thidua("state", "backup", str(tmp_path / "saved.json"))
    assert backup.returncode == 0 and (tmp_path / "saved.json").exists()
    restore = thidua("state", "restore", str(tmp_path / "saved.json"))
    assert restore.returncode == 0, restore.stderr
    assert "Restored the state" in restore.stdout
    broken = thidua("state", "restore", str(tmp_path / "nothing.json"))
    assert broken.returncode == 1 and "Error:" in broken.stderr


def test_reminders_preview_prints_what_a_subscriber_gets(tmp_path):
    over = run("reminders", "preview", "Bình Thạnh")
    assert over.returncode == 0, over.stderr
    text = over.stdout.rstrip("\n")
    assert text.startswith("Nhắc chỉ tiêu: Quận Bình Thạnh (cũ, TP Hồ Chí Minh)")
    assert "Kết thúc năm 2022, 10 chỉ tiêu:" in text
    assert text.count("Chưa có số liệu kết quả") == 1
    assert text.endswith("Dừng nhắc: /huytheodoi Bình Thạnh")
    assert over.stderr.strip() == "[✅ Đã nhận]"
    offer = run("reminders", "preview", "hoang mai")
    assert offer.returncode == 0 and "chưa có chỉ tiêu của năm nay" in offer.stdout
    for unit, says in (("Châu Thành", "names no single unit"), ("Quận 10", "no facts of")):
        refused = run("reminders", "preview", unit)
        assert refused.returncode == 1 and says in refused.stderr


def test_reminders_preview_shows_a_target_beside_its_earlier_result(targets_kb_dir):
    result = run("--data-dir", str(targets_kb_dir), "reminders", "preview", "Hoàng Mai")
    assert result.returncode == 0, result.stderr
    assert ("• Tổng thu ngân sách: chỉ tiêu 6.000 tỷ đồng [1]; năm 2022 đạt 4.670,8 tỷ đồng [2] "
            "— cần tăng 28,5% so với năm 2022.") in result.stdout
    assert "Nguồn: [1] Bộ kiểm thử, 05/01/2026." in result.stdout
    assert "Nguồn: [2] Phòng Nội vụ quận Hoàng Mai, 25/03/2023." in result.stdout


def test_reminders_acks_reports_who_pressed_da_nhan(tmp_path):
    import datetime as dt

    from bot.records import Ack, ReminderSent
    from bot.storage import open_store

    now = dt.datetime.now(dt.UTC)

    async def seed() -> None:
        store = open_store(tmp_path / "state")
        await store.queue_reminders([], now, {}, [
            ReminderSent("s1:202611300800", -100, "d765", now, "Tổ 1"),
            ReminderSent("s2:202611300800", 5, "d765", now, "Hùng")])
        await store.record_ack(Ack("s1:202611300800", -100, 7, "Lan", now))
        await store.close()

    asyncio.run(seed())
    result = subprocess.run([THIDUA, "reminders", "acks"], capture_output=True, text=True,
                            timeout=60, env=state_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Tổ 1 — Quận Bình Thạnh: đã nhận: Lan" in result.stdout
    assert "Hùng — Quận Bình Thạnh: chưa ai bấm Đã nhận" in result.stdout
