import asyncio
import datetime as dt
import errno
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot import journal, storage
from bot.audit import AuditEntry
from bot.backups import backup_state, check_state, restore_state
from bot.pgstore import PostgresStore
from bot.records import Ack, InboxEntry, ReminderSent, ReportDraft, encode
from bot.schedule import Announcement, Group, OutboxRow, Subscription, announcement_rows, due_sends
from bot.storage import (
    DataDirLocked,
    Store,
    StoreUnavailable,
    TinyStore,
    memory_store,
    open_store,
    read_store,
)
from bot.unanswered import Unanswered

ROOT = Path(__file__).resolve().parent.parent
WRITER = Path(__file__).with_name("crash_writer.py")
VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2024, 3, 4, 10, 0, tzinfo=VN)  # a Monday


def subscription(chat_id: int = 1, place: str = "d008", **kwargs) -> Subscription:
    fields = {"id": f"sub-{chat_id}-{place}", "created_at": NOW - dt.timedelta(days=30)}
    return Subscription(chat_id=chat_id, place=place, **(fields | kwargs))


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


def keys(rows: list[OutboxRow]) -> list[tuple[str, int, str]]:
    return [(row.message_key, row.chat_id, row.state) for row in rows]


async def reopen(store: TinyStore, directory: Path) -> TinyStore:
    await store.close()
    return open_store(directory)


@pytest.fixture(params=["file", "memory", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """Each store behind the ``Store`` protocol: TinyDB on disk, in memory, PostgreSQL."""
    if request.param == "postgres":
        opened: Store = PostgresStore(request.getfixturevalue("database_url"))
        await opened.connect()
    else:
        opened = open_store(tmp_path) if request.param == "file" else memory_store()
    yield opened
    await opened.close()


# Durability and atomicity


async def test_state_survives_reopening(tmp_path: Path) -> None:
    row = OutboxRow("announce:1", -100, "Họp giao ban", not_before=NOW)
    store = open_store(tmp_path)
    await store.save_subscription(subscription(frequency="monthly", day=31, hour=7, minute=30))
    await store.save_group(Group(-100, ("Quận 1",)))
    [added] = await store.enqueue([row], NOW)
    await store.record_audit(AuditEntry(NOW, "group_registered", 7, -100, "Tổ 1"))
    store = await reopen(store, tmp_path)
    assert await store.subscriptions() == [subscription(frequency="monthly", day=31, hour=7,
                                                       minute=30)]
    assert await store.groups() == [Group(-100, ("Quận 1",))]
    assert await store.rows("announce:1") == [added] and added.seq == 1
    assert await store.sent_keys() == {"announce:1"}
    assert await store.audit() == [AuditEntry(NOW, "group_registered", 7, -100, "Tổ 1")]
    await store.close()


def test_store_holds_every_acknowledged_write_after_sigkill(tmp_path: Path) -> None:
    rng = random.Random(20240304)
    acknowledged: list[int] = []
    for _ in range(20):
        writer, first = start_writer(tmp_path, len(acknowledged))
        time.sleep(rng.uniform(0, 0.05))
        writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate()
        assert writer.returncode == -signal.SIGKILL
        acknowledged += [first, *map(int, rest.split())]
        held = {row.message_key for row in asyncio.run(read_store(tmp_path).outbox())}
        assert {f"crash:{number}" for number in acknowledged} <= held
        assert not list(tmp_path.glob("*.corrupt-*")), "a kill left a corrupt state file"
    assert len(acknowledged) > 20
    print(f"{len(acknowledged)} acknowledged commits across 20 SIGKILLs: none lost")


async def test_a_torn_last_line_is_dropped_and_earlier_commits_kept(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    await store.save_group(Group(-100))
    await store.close()
    [(_, segment)] = journal.segments(tmp_path)
    with segment.open("ab") as handle:
        handle.write(b'{"n": 99, "c": {"groups": {"-2": {"chat_id": -2')  # killed mid-write
    store = open_store(tmp_path)
    assert await store.groups() == [Group(-100)]
    await store.save_group(Group(-300))
    store = await reopen(store, tmp_path)
    assert await store.groups() == [Group(-100), Group(-300)]
    await store.close()


async def test_a_failed_commit_changes_nothing_and_is_reported(tmp_path: Path) -> None:
    full = {"on": False}

    def writer(fd: int, data: bytes) -> None:
        if full["on"]:
            os.write(fd, data[: len(data) // 2])  # a partial write, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        os.write(fd, data)

    store = open_store(tmp_path, writer=writer)
    await store.save_group(Group(-1))
    full["on"] = True
    with pytest.raises(StoreUnavailable, match="No space left"):
        await store.save_group(Group(-2))
    assert await store.groups() == [Group(-1)]
    assert store.health().failing and "No space" in store.health().last_error
    full["on"] = False
    await store.save_group(Group(-3))
    assert not store.health().failing
    store = await reopen(store, tmp_path)
    assert await store.groups() == [Group(-1), Group(-3)]
    await store.close()
    assert "No space left" in storage.last_error(tmp_path)


async def test_commit_cost_does_not_grow_with_the_state(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(storage, "MAX_UNANSWERED", 1000)  # full sooner; the outbox makes the size
    store = open_store(tmp_path)

    async def cost() -> float:
        started = time.perf_counter()
        for n in range(200):
            await store.save_group(Group(-5, (), f"t{n}"))
        return (time.perf_counter() - started) / 200

    empty = await cost()
    await store.enqueue([OutboxRow("announce:big", -n - 10, "x" * 300) for n in range(10_000)],
                        NOW)
    for n in range(storage.MAX_UNANSWERED):
        await store.log_unanswered(Unanswered(NOW, "not_found", f"q{n} " * 20, f"q{n}", "private"))
    full = await cost()
    await store.close()
    print(f"commit: {empty * 1000:.2f} ms empty, {full * 1000:.2f} ms with 10,000 rows and "
          f"a full unanswered log")
    assert full < empty * 3 + 0.002  # the same order: no rewrite of the whole state


async def test_journal_is_compacted_into_a_snapshot_beside_the_bot(tmp_path: Path,
                                                                   monkeypatch) -> None:
    monkeypatch.setattr(journal, "MIN_SEGMENT_BYTES", 2000)
    store = open_store(tmp_path)
    for n in range(60):
        await store.save_group(Group(-n - 1, (), "Tổ dân phố số " + str(n)))
    await store.close()  # waits for the compactor
    snapshot = json.loads((tmp_path / journal.SNAPSHOT).read_text())
    assert snapshot["schema"] == storage.SCHEMA and snapshot["segment"] >= 1
    assert 0 < len(snapshot["tables"]["groups"]) < 60  # the rest is still in the journal
    assert [n for n, _ in journal.segments(tmp_path)] > [snapshot["segment"]]
    store = open_store(tmp_path)
    assert len(await store.groups()) == 60
    await store.close()


# State of an older version, bad documents, backups


async def test_schema_1_file_is_migrated_and_kept(tmp_path: Path, caplog) -> None:
    old = {"groups": {"1": {"chat_id": -100, "districts": ["760"], "title": "Tổ 1"}},
           "outbox": {"1": {"message_key": "announce:a", "chat_id": -100, "text": "Họp",
                            "state": "pending", "attempts": 0, "last_error": None,
                            "not_before": None, "migrated_from": None, "chat_title": ""}},
           "subscriptions": {"1": {**json.loads(json.dumps(
               {"id": "s1", "chat_id": 5, "district": "760", "frequency": "weekly",
                "hour": 8, "minute": 0, "weekday": 0, "day": 1, "tz": "Asia/Ho_Chi_Minh"})),
               "created_at": NOW.isoformat()}},
           "sent_log": {"1": {"key": "announce:a", "at": NOW.isoformat()}}}
    (tmp_path / "state.json").write_text(json.dumps(old))
    with caplog.at_level(logging.WARNING):
        store = open_store(tmp_path)
    assert await store.groups() == [Group(-100, ("d760",), "Tổ 1")]
    assert keys(await store.pending()) == [("announce:a", -100, "pending")]
    assert [(s.id, s.place) for s in await store.subscriptions()] == [("s1", "d760")]
    await store.close()
    assert (tmp_path / "state.json.schema1").exists() and not (tmp_path / "state.json").exists()
    assert any("schema" in r.getMessage() for r in caplog.records)


async def test_schema_2_district_codes_become_place_keys(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    await store.close()
    [(_, segment)] = journal.segments(tmp_path)
    old = {"subscriptions": {"s1": {**encode(subscription(id="s1")), "district": "765"}},
           "groups": {"-100": {"chat_id": -100, "districts": ["760", "008"], "title": "Tổ"}},
           "announcements": {"a1": {**encode(Announcement("a1", 7, 7, "Họp", NOW)),
                                    "district": "760"}}}
    del old["subscriptions"]["s1"]["place"]
    del old["announcements"]["a1"]["place"]
    snapshot = json.loads((tmp_path / journal.SNAPSHOT).read_text())
    snapshot["schema"], snapshot["tables"] = 2, old
    (tmp_path / journal.SNAPSHOT).write_text(json.dumps(snapshot))
    segment.unlink()
    store = open_store(tmp_path)
    assert [s.place for s in await store.subscriptions()] == ["d765"]
    assert await store.groups() == [Group(-100, ("d760", "d008"), "Tổ")]
    assert (await store.announcement("a1")).place == "d760"
    await store.close()
    assert json.loads((tmp_path / journal.SNAPSHOT).read_text())["schema"] == storage.SCHEMA


async def test_a_document_of_the_wrong_shape_is_quarantined_loudly(tmp_path: Path,
                                                                   caplog) -> None:
    store = open_store(tmp_path)
    await store.save_subscription(subscription(id="good"))
    await store.save_group(Group(-1))
    await store.close()
    bad = {"n": 100, "c": {"subscriptions": {
        "nodate": {"id": "nodate", "chat_id": 2, "place": "d760"},
        "late": {**encode(subscription(chat_id=3, id="late")), "hour": 99}}}}
    [(_, segment)] = journal.segments(tmp_path)
    with segment.open("a") as handle:
        handle.write(json.dumps(bad) + "\n")
    assert check_state(tmp_path).problems  # `thidua state check` sees both
    with caplog.at_level(logging.CRITICAL):
        store = open_store(tmp_path)
    assert [s.id for s in await store.subscriptions()] == ["good"]
    await store.close()
    critical = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert any("nodate" in m and "created_at" in m for m in critical)
    assert any("late" in m and "invalid reminder time" in m for m in critical)
    quarantined = [json.loads(line) for line in (tmp_path / "quarantine.jsonl").open()]
    assert {entry["key"] for entry in quarantined} == {"nodate", "late"}
    assert not check_state(tmp_path).problems


async def test_corrupt_snapshot_is_moved_aside_and_the_newest_backup_restored(
        tmp_path: Path, caplog) -> None:
    store = open_store(tmp_path)
    await store.save_group(Group(-100))
    await store.close()
    store = open_store(tmp_path)  # the journal is folded into the snapshot and a backup
    await store.close()
    (tmp_path / journal.SNAPSHOT).write_text('{"format": "thidua-state", "tables": ')
    with caplog.at_level(logging.CRITICAL):
        store = open_store(tmp_path)
    assert await store.groups() == [Group(-100)]
    await store.close()
    assert list(tmp_path.glob("snapshot.json.corrupt-*"))
    assert any("corrupt" in r.getMessage() for r in caplog.records)


async def test_backups_rotate_and_restore_brings_a_state_back(tmp_path: Path) -> None:
    data = tmp_path / "state"
    store = open_store(data)
    await store.save_group(Group(-1))
    await store.close()
    saved = backup_state(data, tmp_path / "saved.json")
    for _ in range(storage.DEFAULT_BACKUPS + 3):
        backup_state(data)
    assert len(journal.backups(data)) == storage.DEFAULT_BACKUPS
    store = open_store(data)
    await store.save_group(Group(-2))
    with pytest.raises(DataDirLocked):
        restore_state(data, saved)
    await store.close()
    kept = restore_state(data, saved)
    store = open_store(data)
    assert await store.groups() == [Group(-1)]
    await store.close()
    assert json.loads(kept.read_text())["tables"]["groups"].keys() == {"-1", "-2"}
    with pytest.raises(ValueError, match="not a state backup"):
        restore_state(data, WRITER)


async def test_an_empty_start_where_state_existed_is_a_warning(tmp_path: Path, caplog) -> None:
    store = open_store(tmp_path)
    await store.save_group(Group(-1))
    await store.record_audit(AuditEntry(NOW, "group_registered", 1))
    await store.close()
    for path in [tmp_path / journal.SNAPSHOT, *(p for _, p in journal.segments(tmp_path))]:
        path.unlink()
    with caplog.at_level(logging.WARNING):
        store = open_store(tmp_path)
    await store.close()
    assert any(r.levelno == logging.WARNING and "EMPTY" in r.getMessage()
               for r in caplog.records)


async def test_a_fresh_directory_starts_empty_without_noise(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        store = open_store(tmp_path / "new")
        assert await store.subscriptions() == [] and await store.sent_keys() == set()
        await store.close()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# One process per data directory


async def test_second_process_is_refused_by_the_lock(tmp_path: Path) -> None:
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
    store = open_store(tmp_path)  # the lock dies with its holder
    assert await store.pending()
    await store.close()


# Repository behaviour, the same for the file and the in-memory store


async def test_resubscribing_to_a_unit_replaces_it_and_keeps_its_id(store: Store) -> None:
    first = await store.save_subscription(subscription(id="a"))
    second = await store.save_subscription(subscription(id="b", frequency="daily", hour=9))
    assert second.id == first.id == "a"
    assert await store.subscriptions() == [second]


async def test_resubscribing_keeps_the_years_already_reported_over(store: Store) -> None:
    await store.save_subscription(subscription(id="a"))
    await store.queue_reminders([], NOW, {"a": (2022,)}, [])
    # The chat re-subscribes with what it read before that reminder was queued.
    saved = await store.save_subscription(subscription(id="b", hour=9, reported_over=(2021,)))
    assert saved.reported_over == (2021, 2022) and saved.hour == 9
    assert await store.subscriptions() == [saved]


async def test_unsubscribing_removes_one_unit_or_all(store: Store) -> None:
    for place in ("d760", "d775", "w04792"):
        await store.save_subscription(subscription(place=place))
    await store.save_subscription(subscription(chat_id=2, place="d760"))
    assert [s.place for s in await store.remove_subscriptions(1, "d775")] == ["d775"]
    assert len(await store.remove_subscriptions(1)) == 2
    assert [s.chat_id for s in await store.subscriptions()] == [2]


async def test_group_registration_replaces_and_unregisters(store: Store) -> None:
    await store.save_group(Group(-100))
    await store.save_group(Group(-100, ("d760",)))
    assert await store.groups() == [Group(-100, ("d760",))]
    assert await store.remove_group(-100) is True
    assert await store.remove_group(-100) is False


async def test_enqueuing_the_same_message_twice_adds_nothing(store: Store) -> None:
    rows = [OutboxRow("announce:1", chat, "Họp") for chat in (-1, -2)]
    added = await store.enqueue(rows, NOW)
    assert [(row.chat_id, row.seq, row.queued_at) for row in added] == [(-1, 1, NOW), (-2, 2, NOW)]
    assert await store.enqueue(rows, NOW) == []
    assert await store.pending() == added
    assert await store.sent_keys() == {"announce:1"}


async def test_rows_keep_their_order_and_record_each_try(store: Store) -> None:
    first, second = await store.enqueue(
        [OutboxRow("announce:1", -1, "A"), OutboxRow("announce:2", -1, "B")], NOW)
    await store.save_rows([first.started(NOW)])
    [in_flight, waiting] = await store.pending()
    assert in_flight.in_flight and in_flight.attempts == 1 and waiting == second
    await store.save_rows([in_flight.sent(42)])
    assert (await store.row(first.id)).message_id == 42
    assert await store.pending() == [second]


async def test_reminder_due_while_down_is_sent_once_across_restarts(tmp_path: Path) -> None:
    grace = dt.timedelta(hours=6)
    store = open_store(tmp_path)
    await store.save_subscription(subscription())
    for restart in range(3):  # the bot restarts three times after Monday 08:00
        store = await reopen(store, tmp_path)
        now = NOW + dt.timedelta(minutes=restart)
        sends = due_sends(await store.subscriptions(), await store.sent_keys(), now, grace)
        await store.enqueue([send.row("Nhắc chỉ tiêu") for send in sends], now)
    store = await reopen(store, tmp_path)
    assert [row.message_key for row in await store.pending()] == [
        "reminder:sub-1-d008:2024-03-04T08:00:00+07:00"]
    await store.close()


async def test_migrated_chat_keeps_subscriptions_group_and_pending_rows(store: Store) -> None:
    await store.save_subscription(subscription(chat_id=-1))
    await store.save_group(Group(-1, ("d760",)))
    await store.record_given(-1, ["f1"], NOW)
    sent, waiting = await store.enqueue(
        [OutboxRow("announce:1", -1, "A"), OutboxRow("announce:2", -1, "B")], NOW)
    await store.save_rows([sent.started(NOW).sent(1)])

    await store.migrate_chat(-1, -1001)

    assert [(s.id, s.chat_id) for s in await store.subscriptions()] == [("sub--1-d008", -1001)]
    assert await store.groups() == [Group(-1001, ("d760",))]
    assert [g.chat_id for g in await store.given(["f1"])] == [-1001]
    assert await store.pending() == [replace(waiting, chat_id=-1001, migrated_from=-1)]
    assert keys(await store.rows("announce:1")) == [("announce:1", -1, "sent")]


async def test_chat_that_blocked_the_bot_gets_nothing_more(store: Store) -> None:
    await store.save_subscription(subscription(chat_id=5))
    await store.save_group(Group(5))
    await store.record_given(5, ["f1"], NOW)
    await store.enqueue([OutboxRow("announce:1", 5, "A"), OutboxRow("announce:1", 6, "A")], NOW)

    removed = await store.drop_chat(5, "Forbidden: bot was blocked by the user")

    assert [s.chat_id for s in removed] == [5]
    assert await store.subscriptions() == [] and await store.groups() == []
    assert await store.given(["f1"]) == []
    assert [row.chat_id for row in await store.pending()] == [6]
    assert (await store.rows("announce:1"))[0].state == "inactive"


async def test_announcement_and_its_rows_commit_together(store: Store) -> None:
    draft = Announcement("a1", admin_id=7, admin_chat_id=7, text="Họp", created_at=NOW,
                         place="d760", send_at=NOW + dt.timedelta(hours=2))
    await store.save_announcement(draft)
    assert await store.announcement("a1") == draft and await store.pending() == []
    rows = announcement_rows(draft.message_key, draft.text, [Group(-1, (), "Tổ 1")], "d760",
                             not_before=draft.send_at)
    await store.save_announcement(replace(draft, state="queued"), rows, NOW)
    assert await store.announcements("queued") == [replace(draft, state="queued")]
    [row] = await store.pending()
    assert row.not_before == draft.send_at and not row.is_due(NOW)
    assert await store.announcement("nope") is None


async def test_group_title_and_subscription_are_found_by_id(store: Store) -> None:
    await store.save_group(Group(-5, ("d760",), "Tổ 5"))
    saved = await store.save_subscription(subscription(id="x1"))
    assert await store.group(-5) == Group(-5, ("d760",), "Tổ 5") and await store.group(-6) is None
    assert await store.subscription(saved.id) == saved
    assert await store.subscription("gone") is None


async def test_old_finished_messages_are_forgotten_but_pending_ones_stay(store: Store) -> None:
    month_ago = NOW - dt.timedelta(days=31)
    done, waiting = await store.enqueue(
        [OutboxRow("reminder:a", 1, "A"), OutboxRow("announce:b", 2, "B")], month_ago)
    await store.save_rows([done.started(month_ago).sent(1)])
    [later] = await store.enqueue([OutboxRow("reminder:c", 1, "C")], NOW)
    old = Announcement("old", 7, 7, "x", month_ago, state="reported")
    queued = Announcement("q", 7, 7, "x", month_ago, state="queued")
    await store.save_announcement(old)
    await store.save_announcement(queued)

    assert await store.forget_before(NOW - dt.timedelta(days=30)) == 1

    assert await store.rows("reminder:a") == []
    assert await store.sent_keys() == {"announce:b", "reminder:c"}
    assert await store.pending() == [waiting, later]
    assert await store.announcement("old") is None and await store.announcement("q") == queued


async def test_inbox_keeps_updates_until_they_are_handled(store: Store) -> None:
    assert await store.record_updates([InboxEntry(7, {"update_id": 7}, NOW),
                                       InboxEntry(8, {"update_id": 8}, NOW)]) == set()
    await store.finish_update(7, NOW)
    assert await store.record_updates([InboxEntry(7, {"update_id": 7}, NOW)]) == {7}
    assert [entry.update_id for entry in await store.unhandled_updates()] == [8]
    await store.forget_updates(NOW + dt.timedelta(seconds=1))
    assert await store.record_updates([InboxEntry(7, {"update_id": 7}, NOW)]) == set()


def report_draft(draft_id: str = "a1b2c3d4e5f6", admin_id: int = 7, **kwargs) -> ReportDraft:
    fields = {"chat_id": admin_id, "file_name": "bao-cao.pdf", "digest": "d1",
              "review": {"yaml": "source: x\n"}, "created_at": NOW}
    return ReportDraft(id=draft_id, admin_id=admin_id, **(fields | kwargs))


async def test_report_drafts_are_kept_per_admin_and_forgotten_after_their_week(
        store: Store) -> None:
    await store.save_report_draft(report_draft("aaaaaaaaaaaa", 7))
    await store.save_report_draft(report_draft("bbbbbbbbbbbb", 8, created_at=NOW - dt.timedelta(
        days=8)))
    assert [d.id for d in await store.report_drafts()] == ["bbbbbbbbbbbb", "aaaaaaaaaaaa"]
    assert [d.id for d in await store.report_drafts(7)] == ["aaaaaaaaaaaa"]
    assert await store.forget_report_drafts(NOW - dt.timedelta(days=7)) == 1
    assert await store.report_draft("bbbbbbbbbbbb") is None
    assert (await store.report_draft("aaaaaaaaaaaa")).file_name == "bao-cao.pdf"


async def test_only_one_of_two_claims_of_an_open_draft_wins(store: Store) -> None:
    draft = report_draft()
    await store.save_report_draft(draft)
    claims = await asyncio.gather(*(
        store.save_report_draft(replace(draft, state="adding", decided_by=admin),
                                if_state="open") for admin in (7, 8)))
    assert sorted(claims) == [False, True]
    assert (await store.report_draft(draft.id)).state == "adding"
    assert not await store.save_report_draft(replace(draft, state="adding"), if_state="open")
    assert not await store.save_report_draft(report_draft("cccccccccccc"), if_state="open")


async def test_schema_3_state_gains_report_drafts(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    await store.save_group(Group(-100, ("Quận 1",)))
    await store.close()
    snapshot = json.loads((tmp_path / journal.SNAPSHOT).read_text(encoding="utf-8"))
    snapshot["schema"] = 3
    snapshot["tables"].pop("report_drafts", None)
    (tmp_path / journal.SNAPSHOT).write_text(json.dumps(snapshot), encoding="utf-8")
    store = open_store(tmp_path)
    migrated = json.loads((tmp_path / journal.SNAPSHOT).read_text(encoding="utf-8"))
    assert migrated["schema"] == storage.SCHEMA == 4 and "report_drafts" in migrated["tables"]
    assert await store.groups() == [Group(-100, ("Quận 1",))]
    await store.save_report_draft(report_draft())
    store = await reopen(store, tmp_path)
    assert [d.id for d in await store.report_drafts()] == ["a1b2c3d4e5f6"]
    await store.close()


async def test_a_scheduled_announcement_is_cancelled_only_before_any_try(store: Store) -> None:
    later = NOW + dt.timedelta(hours=2)
    for name in ("a1", "a2"):
        announcement = Announcement(name, 7, 7, "Họp", NOW, send_at=later, state="queued")
        await store.save_announcement(announcement, announcement_rows(
            announcement.message_key, "Họp", [Group(-1), Group(-2)], None, later), NOW)
    [started, *_] = await store.rows("announce:a2")
    await store.save_rows([started.started(later)])

    assert await store.cancel_announcement("a1") is True
    assert (await store.announcement("a1")).state == "cancelled"
    assert await store.rows("announce:a1") == [] and "announce:a1" not in await store.sent_keys()
    assert await store.cancel_announcement("a1") is False  # already cancelled
    assert await store.cancel_announcement("a2") is False  # its sending began
    assert (await store.announcement("a2")).state == "queued"
    assert await store.cancel_announcement("nope") is False


async def test_reminders_note_the_years_they_report_over_in_the_same_commit(store: Store) -> None:
    await store.save_subscription(subscription(id="s", reported_over=(2021,)))
    receipt = ReminderSent("s:202403040800", 1, "d008", NOW)
    [row] = await store.queue_reminders([OutboxRow("reminder:s:x", 1, "Nhắc")], NOW,
                                        {"s": (2022,), "gone": (2022,)}, [receipt])
    assert row.message_key == "reminder:s:x"
    assert (await store.subscription("s")).reported_over == (2021, 2022)
    assert await store.subscription("gone") is None  # a removed subscription stays removed
    assert await store.reminders_sent(1) == [receipt] and await store.reminders_sent(2) == []


async def test_an_acknowledgement_is_kept_once_per_person(store: Store) -> None:
    first = Ack("s:202403040800", -1, 11, "Lan", NOW)
    assert await store.record_ack(first) is True
    assert await store.record_ack(replace(first, at=NOW + dt.timedelta(hours=1))) is False
    assert await store.record_ack(replace(first, user_id=12, name="Hùng")) is True
    assert [(a.name, a.at) for a in await store.acks(-1)] == [("Lan", NOW), ("Hùng", NOW)]
    assert await store.acks(-2) == []


async def test_figures_given_are_kept_per_chat_until_trimmed(store: Store) -> None:
    month_ago = NOW - dt.timedelta(days=31)
    await store.record_given(1, ["a", "b", "a"], month_ago)
    await store.record_given(2, ["a"], NOW)
    await store.record_given(1, ["b"], NOW)  # given again: kept from now on
    assert sorted((g.chat_id, g.fact_id) for g in await store.given(["a", "b"])) == [
        (1, "a"), (1, "b"), (2, "a")]
    await store.record_ack(Ack("old", 1, 1, "Lan", month_ago))
    await store.trim_records(NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=400))
    assert sorted((g.chat_id, g.fact_id) for g in await store.given(["a", "b"])) == [
        (1, "b"), (2, "a")]
    assert len(await store.acks()) == 1
