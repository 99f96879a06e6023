"""``thidua state migrate``: a TinyDB state into PostgreSQL and back, every document kept."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.audit import AuditEntry
from bot.pgstore import PostgresStore
from bot.records import Ack, Conversation, InboxEntry, ReminderSent
from bot.schedule import Announcement, Group, OutboxRow, Subscription, announcement_rows
from bot.storage import open_store
from bot.unanswered import Unanswered

pytestmark = pytest.mark.postgres
THIDUA = str(Path(sys.executable).with_name("thidua"))
VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2024, 3, 4, 10, 0, tzinfo=VN)


def migrate(to: str, data_dir: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(data_dir), "DATABASE_URL": database_url}
    return subprocess.run([THIDUA, "state", "migrate", "--to", to], capture_output=True,
                          text=True, env=env, timeout=120)


async def fill(data_dir: Path) -> dict[str, object]:
    """A state with a document in every table; returns what a store reads back of it."""
    store = open_store(data_dir)
    await store.save_subscription(Subscription("s1", 5, "d008", NOW, "daily", 7, 30,
                                               reported_over=(2022,), title="Lan"))
    groups = [Group(-1, ("d008", "w04792"), "Tổ 1"), Group(-2)]
    for group in groups:
        await store.save_group(group)
    announcement = Announcement("a1", 9, 9, "Họp", NOW, state="queued")
    await store.save_announcement(announcement, announcement_rows(
        announcement.message_key, "Họp", groups, None), NOW)
    [first, _] = await store.pending()
    await store.save_rows([first.started(NOW).sent(11)])
    await store.queue_reminders([OutboxRow("reminder:s1:x", 5, "Nhắc",
                                           buttons=(("✅ Đã nhận", "n:s1:x"),))], NOW,
                                {"s1": (2023,)}, [ReminderSent("s1:x", 5, "d008", NOW, "Lan")])
    await store.record_ack(Ack("s1:x", 5, 5, "Lan", NOW))
    await store.record_given(5, ["f1", "f2"], NOW)
    await store.log_unanswered(Unanswered(NOW, "not_found", "Quận 10?", "quan 10", "private"))
    await store.record_updates([InboxEntry(77, {"update_id": 77}, NOW, chat=5)])
    await store.save_conversations([Conversation("chat:5", {"places": ["008"]}, NOW)])
    await store.record_audit(AuditEntry(NOW, "group_registered", 3, -1, "Tổ 1"))
    state = await read(store)
    await store.close()
    return state


async def read(store) -> dict[str, object]:
    return {"subscriptions": await store.subscriptions(), "groups": await store.groups(),
            "announcements": await store.announcements("queued"),
            "outbox": await store.outbox(), "sent": await store.sent_keys(),
            "unanswered": await store.unanswered(),
            "inbox": await store.unhandled_updates(),
            "conversation": await store.conversation("chat:5"), "audit": await store.audit(),
            "given": await store.given(["f1", "f2"]),
            "reminders_sent": await store.reminders_sent(), "acks": await store.acks()}


async def read_postgres(database_url: str) -> dict[str, object]:
    store = PostgresStore(database_url, register=False)
    await store.connect()
    try:
        return await read(store)
    finally:
        await store.close()


async def test_a_state_goes_to_postgres_and_back_whole(tmp_path, database_url):
    original = await fill(tmp_path / "state")
    there = migrate("postgres", tmp_path / "state", database_url)
    print(f"\n{there.stdout}")
    assert there.returncode == 0, there.stderr
    assert "All counts match" in there.stdout and "MISMATCH" not in there.stdout
    assert await read_postgres(database_url) == original
    again = migrate("postgres", tmp_path / "state", database_url)
    assert again.returncode == 1 and "copy only into an empty database" in again.stderr

    back = migrate("tinydb", tmp_path / "back", database_url)
    assert back.returncode == 0, back.stderr
    store = open_store(tmp_path / "back")
    assert await read(store) == original
    await store.save_group(Group(-3))  # the copy is a working state, numbering goes on
    [row] = await store.enqueue([OutboxRow("announce:b", -3, "B")], NOW)
    assert row.seq == max(r.seq for r in original["outbox"]) + 1
    await store.close()
    refused = migrate("tinydb", tmp_path / "back", database_url)
    assert refused.returncode == 1 and "already holds" in refused.stderr


def test_migrate_needs_a_database(tmp_path):
    result = subprocess.run([THIDUA, "state", "migrate", "--to", "postgres"],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": ""})
    assert result.returncode == 1 and "DATABASE_URL" in result.stderr


