"""SIGKILL the real bot (`thidua run`) at random moments while it broadcasts and answers.

Counts what was lost (must be nothing) and what was repeated (at most one message per chat per
kill, each counted in the admin's report as "có thể đã gửi 2 lần"). ``tests/kill_bot.py`` runs
the same with more kills and prints the figures.
"""

import asyncio
import os
import random
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from broadcasts import ADMIN, deliveries, seed_broadcast
from fake_bot_api import FakeBotApi, user

THIDUA = str(Path(sys.executable).with_name("thidua"))
pytestmark = pytest.mark.faults


def reports(api: FakeBotApi) -> list[str]:
    """Every delivery report the admin holds, as it reads now (after edits)."""
    return [api.sent_message(ADMIN["id"], c.result["message_id"])["text"]
            for c in api.calls_to("sendMessage")
            if c.chat_id == ADMIN["id"] and c.error is None and "Kết quả gửi" in c.text]


async def run_with_kills(api: FakeBotApi, data_dir: Path, groups: int, askers: int,
                         kills: int, seed: int) -> dict[str, int]:
    """Broadcast to ``groups`` while ``askers`` users ask, killing the bot ``kills`` times."""
    chats = await seed_broadcast(data_dir, groups)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token,
           "TELEGRAM_API_BASE_URL": api.base_url, "DATA_DIR": str(data_dir),
           "ADMIN_IDS": str(ADMIN["id"]), "WEBHOOK_URL": "", "LOG_LEVEL": "WARNING",
           "OUTGOING_MAX_PER_SECOND": "60", "OUTGOING_GROUP_MAX_PER_MINUTE": "0",
           "FLOOD_MAX_MESSAGES": "0"}
    rng, at_kills = random.Random(seed), []
    users = [user(5_000 + n, f"U{n}") for n in range(askers)]
    for n, asker in enumerate(users):
        api.send_text(asker, "Quận 10 thu ngân sách 2030" if n % 2 else "/theodoi Bình Thạnh")
    for round_ in range(kills + 1):
        started = len(api.calls_to("setMyCommands"))
        process = await asyncio.create_subprocess_exec(
            THIDUA, "run", env=env, cwd=data_dir.parent,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await api.wait_until(lambda s=started: len(api.calls_to("setMyCommands")) > s, 30)
        if round_ < kills:
            await asyncio.sleep(rng.uniform(0.1, 1.0))
            process.send_signal(signal.SIGKILL)
            await process.wait()
            at_kills.append(sum(deliveries(api, "Họp khẩn").values()))
            continue

        def done() -> bool:
            return (len(deliveries(api, "Họp khẩn")) == groups
                    and all(api.texts_to(u["id"]) for u in users)
                    and any(f"đã gửi {groups}/{groups}" in r for r in reports(api)))

        try:
            await api.wait_until(done, 60)
        finally:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.communicate(), 30)
    got = deliveries(api, "Họp khẩn")
    replies = Counter(c.chat_id for c in api.calls_to("sendMessage") if c.error is None)
    fetched_unanswered = [u for u in users if not replies[u["id"]]]
    counted = max((int(r.split("Có thể đã gửi 2 lần: ")[1].split()[0]) for r in reports(api)
                   if "Có thể đã gửi 2 lần" in r), default=0)
    return {
        "kills": kills,
        "groups_lost": sum(1 for chat in chats if not got[chat]),
        "groups_twice": sum(1 for count in got.values() if count > 1),
        "most_to_one_group": max(got.values()),
        "counted_in_report": counted,
        "questions_unanswered": len(fetched_unanswered),
        "questions_answered_twice": sum(1 for u in users if replies[u["id"]] > 1),
        "fetched": len(api.fetched),
        "delivered_at_each_kill": at_kills,
    }


async def test_sigkill_loses_no_update_and_no_message_and_counts_repeats(fake_bot_api, tmp_path):
    figures = await run_with_kills(fake_bot_api, tmp_path / "data", groups=200, askers=60,
                                   kills=4, seed=15)
    print(f"\n{figures}")
    assert figures["groups_lost"] == 0 and figures["questions_unanswered"] == 0
    assert figures["most_to_one_group"] <= 1 + figures["kills"]
    assert figures["groups_twice"] <= figures["counted_in_report"]
