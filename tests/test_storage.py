import datetime as dt
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tinydb import TinyDB

from bot.schedule import Announcement, Group, OutboxRow, Subscription, announcement_rows, due_sends
from bot.storage import (
    AtomicJSONStorage,
    BatchingMiddleware,
    DataDirLocked,
    Store,
    memory_store,
    open_store,
)

ROOT = Path(__file__).resolve().parent.parent
WRITER = Path(__file__).with_name("crash_writer.py")
VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2024, 3, 4, 10, 0, tzinfo=VN)  # a Monday


def subscription(chat_id: int = 1, district: str = "Quận Hoàng Mai", **kwargs) -> Subscription:
    fields = {"id": f"sub-{chat_id}-{district}", "created_at": NOW - dt.timedelta(days=30)}
    return Subscription(chat_id=chat_id, district=district, **(fields | kwargs))


def start_writer(data_dir: Path, first: int) -> tuple[subprocess.Popen[str], int]:
    """Start the crash writer and wait until it has acknowledged its first write."""
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir), str(first)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = writer.stdout.readline()
    if not line:
        writer.wait()
        pytest.fail(f"crash writer did not start: {writer.stderr.read()}")
    return writer, int(line)


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path) if request.param == "file" else memory_store() as opened:
        yield opened


# Durability and atomicity


def test_state_survives_reopening(tmp_path: Path) -> None:
    row = OutboxRow("announce:1", -100, "Họp giao ban", not_before=NOW)
    with open_store(tmp_path) as store:
        store.save_subscription(subscription(frequency="monthly", day=31, hour=7, minute=30))
        store.save_group(Group(-100, ("Quận 1",)))
        store.enqueue([row], NOW)
    with open_store(tmp_path) as store:
        assert store.subscriptions() == [subscription(frequency="monthly", day=31, hour=7,
                                                      minute=30)]
        assert store.groups() == [Group(-100, ("Quận 1",))]
        assert store.rows("announce:1") == [row]
        assert store.sent_keys() == {"announce:1"}


def test_store_holds_every_acknowledged_write_after_sigkill(tmp_path: Path) -> None:
    rng = random.Random(20240304)
    acknowledged: list[int] = []
    started = time.monotonic()
    for _ in range(30):
        writer, first = start_writer(tmp_path, len(acknowledged))
        time.sleep(rng.uniform(0, 0.03))
        writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate()
        assert writer.returncode == -signal.SIGKILL
        acknowledged += [first, *map(int, rest.split())]

        with open_store(tmp_path) as store:
            held = {row.message_key for row in store.pending(NOW)}
        assert {f"crash:{number}" for number in acknowledged} <= held
        assert not list(tmp_path.glob("*.corrupt-*")), "a kill left a corrupt state file"
    assert len(acknowledged) > 30
    assert time.monotonic() - started < 20


def test_killed_write_leaves_last_commit_and_its_temp_file_is_removed(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.save_group(Group(-100))
    half_written = tmp_path / ".state.json.k1ll3d.tmp"
    half_written.write_text('{"groups": {"1": {"chat_id": -1')
    with open_store(tmp_path) as store:
        assert store.groups() == [Group(-100)]
    assert not half_written.exists()


def test_failed_batch_commits_nothing(tmp_path: Path) -> None:
    storage = BatchingMiddleware(AtomicJSONStorage)
    db = TinyDB(tmp_path / "state.json", storage=storage)
    db.table("groups").insert({"chat_id": -1})
    with pytest.raises(RuntimeError), storage.batch():
        db.table("groups").insert({"chat_id": -2})
        db.table("outbox").insert({"id": "x"})
        raise RuntimeError("crash in the middle of an operation")
    assert AtomicJSONStorage(tmp_path / "state.json").read() == {"groups": {"1": {"chat_id": -1}}}
    assert [doc["chat_id"] for doc in db.table("groups").all()] == [-1]


# One process per data directory


def test_second_process_is_refused_by_the_lock(tmp_path: Path) -> None:
    writer, _ = start_writer(tmp_path, 0)
    try:
        with pytest.raises(DataDirLocked) as refused:
            open_store(tmp_path)
    finally:
        writer.kill()
        writer.communicate()
    assert refused.value.pid == writer.pid
    message = str(refused.value)
    assert str(tmp_path) in message and f"PID {writer.pid}" in message
    assert "đang được một tiến trình bot khác dùng" in message
    with open_store(tmp_path) as store:  # the lock dies with its holder
        assert store.pending(NOW)


# Corruption


@pytest.mark.parametrize("garbage", ['{"groups": {"1": ', "", "[1, 2]", '{"groups": [1]}',
                                     '{"groups": {"abc": {}}}'])
def test_corrupt_file_is_moved_aside_and_last_good_copy_restored_loudly(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, garbage: str) -> None:
    with open_store(tmp_path) as store:
        store.save_group(Group(-100, ("Quận 1",)))
        store.save_group(Group(-200))
    (tmp_path / "state.json").write_text(garbage)

    with caplog.at_level(logging.WARNING), open_store(tmp_path) as store:
        assert store.groups() == [Group(-100, ("Quận 1",)), Group(-200)]

    [aside] = tmp_path.glob("state.json.corrupt-*")
    assert aside.read_text() == garbage
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("corrupt" in message and "state.json" in message for message in loud)
    assert any("Restored" in message for message in loud)


def test_restored_state_reopens_quietly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with open_store(tmp_path) as store:
        store.save_group(Group(-100))
    (tmp_path / "state.json").write_text("{")
    open_store(tmp_path).close()
    caplog.clear()
    with caplog.at_level(logging.WARNING), open_store(tmp_path) as store:
        assert store.groups() == [Group(-100)]
    assert caplog.records == []


def test_corrupt_file_without_good_copy_starts_empty_loudly(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "state.json").write_text("not json")
    (tmp_path / "state.json.bak").write_text("not json either")
    with caplog.at_level(logging.WARNING), open_store(tmp_path) as store:
        assert store.groups() == []
    assert len(list(tmp_path.glob("state.json*.corrupt-*"))) == 2
    assert any(r.levelno == logging.CRITICAL and "EMPTY" in r.getMessage()
               for r in caplog.records)


def test_deleted_state_file_is_restored_from_its_copy_loudly(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with open_store(tmp_path) as store:
        store.save_group(Group(-100))
    (tmp_path / "state.json").unlink()
    with caplog.at_level(logging.WARNING), open_store(tmp_path) as store:
        assert store.groups() == [Group(-100)]
    assert any(r.levelno == logging.CRITICAL and "missing" in r.getMessage()
               for r in caplog.records)


def test_missing_file_starts_empty_without_noise(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG), open_store(tmp_path / "new") as store:
        assert store.subscriptions() == [] and store.groups() == [] and store.sent_keys() == set()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# Repository behaviour, the same for the file and the in-memory store


def test_resubscribing_to_a_district_replaces_it_and_keeps_its_id(store: Store) -> None:
    first = store.save_subscription(subscription(id="a"))
    second = store.save_subscription(subscription(id="b", frequency="daily", hour=9))
    assert second.id == first.id == "a"
    assert store.subscriptions() == [second]


def test_unsubscribing_removes_one_district_or_all(store: Store) -> None:
    for district in ("Quận 1", "Quận 6", "Quận Hoàng Mai"):
        store.save_subscription(subscription(district=district))
    store.save_subscription(subscription(chat_id=2, district="Quận 1"))
    assert [s.district for s in store.remove_subscriptions(1, "Quận 6")] == ["Quận 6"]
    assert len(store.remove_subscriptions(1)) == 2
    assert [s.chat_id for s in store.subscriptions()] == [2]


def test_group_registration_replaces_and_unregisters(store: Store) -> None:
    store.save_group(Group(-100))
    store.save_group(Group(-100, ("Quận 1",)))
    assert store.groups() == [Group(-100, ("Quận 1",))]
    assert store.remove_group(-100) is True
    assert store.remove_group(-100) is False


def test_enqueuing_the_same_message_twice_adds_nothing(store: Store) -> None:
    rows = [OutboxRow("announce:1", chat, "Họp") for chat in (-1, -2)]
    assert store.enqueue(rows, NOW) == rows
    assert store.enqueue(rows, NOW) == []
    assert store.pending(NOW) == rows
    assert store.sent_keys() == {"announce:1"}


def test_delivered_rows_leave_the_pending_list_and_held_rows_wait(store: Store) -> None:
    later = OutboxRow("announce:2", -1, "Sau", not_before=NOW + dt.timedelta(hours=1))
    now_row = OutboxRow("announce:1", -1, "Ngay")
    store.enqueue([now_row, later], NOW)
    store.save_row(now_row.sent())
    assert store.pending(NOW) == []
    assert store.pending(NOW + dt.timedelta(hours=1)) == [later]
    assert store.rows("announce:1")[0].state == "sent"


def test_reminder_due_while_down_is_sent_once_across_restarts(tmp_path: Path) -> None:
    grace = dt.timedelta(hours=6)
    with open_store(tmp_path) as store:
        store.save_subscription(subscription())
    for restart in range(3):  # the bot restarts three times after Monday 08:00
        with open_store(tmp_path) as store:
            now = NOW + dt.timedelta(minutes=restart)
            sends = due_sends(store.subscriptions(), store.sent_keys(), now, grace)
            store.enqueue([send.row("Nhắc chỉ tiêu") for send in sends], now)
    with open_store(tmp_path) as store:
        assert [row.message_key for row in store.pending(NOW)] == [
            "reminder:sub-1-Quận Hoàng Mai:2024-03-04T08:00:00+07:00"]


def test_migrated_chat_keeps_subscriptions_group_and_pending_rows(store: Store) -> None:
    store.save_subscription(subscription(chat_id=-1))
    store.save_group(Group(-1, ("Quận 1",)))
    sent, waiting = OutboxRow("announce:1", -1, "A"), OutboxRow("announce:2", -1, "B")
    store.enqueue([sent, waiting], NOW)
    store.save_row(sent.sent())

    store.migrate_chat(-1, -1001)

    assert [(s.id, s.chat_id) for s in store.subscriptions()] == [("sub--1-Quận Hoàng Mai", -1001)]
    assert store.groups() == [Group(-1001, ("Quận 1",))]
    assert store.pending(NOW) == [OutboxRow("announce:2", -1001, "B", migrated_from=-1)]
    assert store.rows("announce:1") == [sent.sent()]


def test_chat_that_blocked_the_bot_gets_nothing_more(store: Store) -> None:
    store.save_subscription(subscription(chat_id=5))
    store.save_group(Group(5))
    store.enqueue([OutboxRow("announce:1", 5, "A"), OutboxRow("announce:1", 6, "A")], NOW)

    removed = store.drop_chat(5, "Forbidden: bot was blocked by the user")

    assert [s.chat_id for s in removed] == [5]
    assert store.subscriptions() == [] and store.groups() == []
    assert [row.chat_id for row in store.pending(NOW)] == [6]
    assert store.rows("announce:1")[0].state == "inactive"


def test_announcement_and_its_rows_commit_together(store: Store) -> None:
    draft = Announcement("a1", admin_id=7, admin_chat_id=7, text="Họp", created_at=NOW,
                         district="760", send_at=NOW + dt.timedelta(hours=2))
    store.save_announcement(draft)
    assert store.announcement("a1") == draft and store.pending(NOW) == []
    rows = announcement_rows(draft.message_key, draft.text, [Group(-1, (), "Tổ 1")], "760",
                             not_before=draft.send_at)
    store.save_announcement(replace(draft, state="queued"), rows, NOW)
    assert store.announcements("queued") == [replace(draft, state="queued")]
    assert store.next_attempt() == draft.send_at
    assert store.pending(draft.send_at) == rows
    assert store.announcement("nope") is None


def test_group_title_and_subscription_are_found_by_id(store: Store) -> None:
    store.save_group(Group(-5, ("760",), "Tổ 5"))
    saved = store.save_subscription(subscription(id="x1"))
    assert store.group(-5) == Group(-5, ("760",), "Tổ 5") and store.group(-6) is None
    assert store.subscription(saved.id) == saved and store.subscription("gone") is None


def test_old_finished_messages_are_forgotten_but_pending_ones_stay(store: Store) -> None:
    month_ago = NOW - dt.timedelta(days=31)
    done, waiting = OutboxRow("reminder:a", 1, "A"), OutboxRow("announce:b", 2, "B")
    store.enqueue([done, waiting], month_ago)
    store.save_row(done.sent())
    store.enqueue([OutboxRow("reminder:c", 1, "C")], NOW)
    old = Announcement("old", 7, 7, "x", month_ago, state="reported")
    queued = Announcement("q", 7, 7, "x", month_ago, state="queued")
    store.save_announcement(old)
    store.save_announcement(queued)

    assert store.forget_before(NOW - dt.timedelta(days=30)) == 1

    assert store.rows("reminder:a") == [] and store.sent_keys() == {"announce:b", "reminder:c"}
    assert store.pending(NOW) == [waiting, OutboxRow("reminder:c", 1, "C")]
    assert store.announcement("old") is None and store.announcement("q") == queued
