"""Broadcast benchmark: one announcement to many groups with production rate limits.

The real Application sends through the fake Bot API on 127.0.0.1. Prints the messages per
second achieved against Telegram's ceiling of 30/s, and how many groups got the announcement
zero times (lost) or more than once (duplicated); both must be 0.

Run: .venv/bin/python tests/bench_broadcast.py [--groups 1000] [--no-limits]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fake_bot_api import FakeBotApi, user

from bot.app import build_application
from bot.schedule import Group
from bot.settings import Settings
from handlers.services import services_of
from knowledge import load_knowledge_base

ADMIN = user(1, "Lan")
TELEGRAM_CEILING = 30.0
CONTENT = "Họp tổng kết thi đua cuối năm"


async def broadcast(group_count: int, limits: bool) -> None:
    """Register ``group_count`` groups, announce to all of them and report the figures."""
    async with FakeBotApi() as api:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(telegram_bot_token=api.token,
                                telegram_api_base_url=api.base_url,
                                data_dir=Path(data_dir), admin_ids=frozenset({ADMIN["id"]}))
            if not limits:
                settings = replace(settings, outgoing_max_per_second=0,
                                   outgoing_group_max_per_minute=0)
            print(f"limits: {settings.outgoing_max_per_second:g}/s overall, "
                  f"{settings.outgoing_group_max_per_minute:g}/min per group (0: off)")
            application = build_application(settings, load_knowledge_base())
            store = services_of(application).store
            setup = time.perf_counter()
            for n in range(group_count):
                store.save_group(Group(-1_000_000_000_000 - n, (), f"Nhóm {n}"))
            setup = time.perf_counter() - setup
            await application.initialize()
            await application.post_init(application)
            await application.updater.start_polling(poll_interval=0.1)
            await application.start()
            try:
                await _announce_and_wait(api, group_count, setup, Path(data_dir))
            finally:
                await application.updater.stop()
                await application.stop()
                await application.shutdown()
                await application.post_shutdown(application)


async def _announce_and_wait(api: FakeBotApi, group_count: int, setup: float,
                             data_dir: Path) -> None:
    api.send_text(ADMIN, f"/thongbao tất cả {CONTENT}")
    [preview] = await api.wait_for("sendMessage")
    send = preview.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    started = time.perf_counter()
    api.press_button(ADMIN, preview.result, send)

    def reported() -> bool:
        return any("Kết quả gửi thông báo" in c.text for c in api.calls_to("sendMessage"))

    await api.wait_until(reported, timeout=group_count / 5 + 60)
    elapsed = time.perf_counter() - started
    delivered = Counter(c.chat_id for c in api.calls_to("sendMessage")
                        if c.error is None and CONTENT in c.text and c.chat_id != ADMIN["id"])
    lost = group_count - len(delivered)
    duplicated = sum(count - 1 for count in delivered.values())
    rate = sum(delivered.values()) / elapsed
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"groups registered: {group_count:,} in {setup:.1f} s")
    print(f"announcement delivered: {sum(delivered.values()):,} messages in {elapsed:.1f} s "
          "(press of Gửi to the admin's report)")
    print(f"rate: {rate:.1f} messages/s = {rate / TELEGRAM_CEILING:.0%} of Telegram's "
          f"{TELEGRAM_CEILING:.0f}/s ceiling")
    print(f"lost: {lost}, duplicated: {duplicated}")
    print(f"state file: {(data_dir / 'state.json').stat().st_size / 1024:,.0f} KiB; "
          f"peak memory {peak_mib:.0f} MiB")
    if lost or duplicated:
        raise SystemExit("FAILED: messages lost or duplicated")


def main() -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--no-limits", action="store_true",
                        help="turn the outgoing limits off, to see the bot's own ceiling")
    args = parser.parse_args()
    asyncio.run(broadcast(args.groups, limits=not args.no_limits))


if __name__ == "__main__":
    main()
