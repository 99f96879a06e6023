"""Seeding a data directory with a confirmed broadcast, and counting what groups received."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from fake_bot_api import FakeBotApi, user

from bot.schedule import Announcement, Group, announcement_rows
from bot.storage import open_store

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = user(1001, "Lan")


async def seed_broadcast(data_dir: Path, count: int, key: str = "c0ffee01",
                         text: str = "📢 Họp khẩn") -> list[int]:
    """Register ``count`` groups and queue one announcement to all, as a confirmed draft does."""
    now = dt.datetime.now(VN)
    groups = [Group(-100_000 - n, (), f"Tổ {n}") for n in range(count)]
    announcement = Announcement(key, ADMIN["id"], ADMIN["id"], text, now, state="queued")
    store = open_store(data_dir)
    for group in groups:
        await store.save_group(group)
    rows = announcement_rows(announcement.message_key, announcement.text, groups, None)
    await store.save_announcement(announcement, rows, now)
    await store.close()
    return [group.chat_id for group in groups]


def deliveries(api: FakeBotApi, fragment: str) -> Counter:
    return Counter(c.chat_id for c in api.calls_to("sendMessage")
                   if c.error is None and fragment in c.text and c.chat_id != ADMIN["id"])


def report_text(api: FakeBotApi) -> str:
    """The admin's delivery report as it reads now (after edits)."""
    calls = [c for c in api.calls_to("sendMessage")
             if c.chat_id == ADMIN["id"] and c.error is None and "Kết quả gửi" in c.text]
    if not calls:
        return ""
    return api.sent_message(ADMIN["id"], calls[0].result["message_id"])["text"]


async def seed_broadcast_more(data_dir: Path, chats: list[int], key: str, text: str) -> None:
    """Queue another announcement to the same groups."""
    now = dt.datetime.now(VN)
    announcement = Announcement(key, ADMIN["id"], ADMIN["id"], text, now, state="queued")
    groups = [Group(chat) for chat in chats]
    store = open_store(data_dir)
    await store.save_announcement(announcement, announcement_rows(
        announcement.message_key, text, groups, None), now)
    await store.close()
