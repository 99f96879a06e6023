"""Delivery benchmark at production limits: registering groups, one broadcast, not_found answers.

The real Application runs against the fake Bot API on 127.0.0.1. Prints:
- how long registering the groups takes (one commit each, as /dangkynhom does);
- the broadcast's messages per second against Telegram's ceiling of 30/s, and how many groups
  got the announcement zero times (lost) or more than once (duplicated): both must be 0;
- not_found answers per second end to end (fetched, recorded, answered, logged) with the
  unanswered log already full; outgoing limits are off for this part, since 100 answers a
  second to different users is more than Telegram allows a bot anyway.

With ``DATABASE_URL`` set (a PostgreSQL server where the user may create databases), it
measures several instances instead (``--instances``, 2 by default): ``thidua run`` processes
in webhook mode on a fresh database behind a local balancer broadcast to the groups while a
user asks a private question every half second; it prints the messages per second (against
the shared 30/s) and the p50/p99 of the time from a question reaching the balancer to its answer
reaching the fake Bot API.

Run: .venv/bin/python tests/bench_broadcast.py [--groups 10000] [--questions 1000]
     DATABASE_URL=postgresql://… .venv/bin/python tests/bench_broadcast.py --groups 2000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fake_bot_api import FakeBotApi, user

from bot import storage
from bot.app import build_application
from bot.schedule import Group
from bot.settings import Settings
from bot.storage import open_store
from bot.unanswered import Unanswered
from knowledge import load_knowledge_base

ADMIN = user(1, "Lan")
TELEGRAM_CEILING = 30.0
CONTENT = "Họp tổng kết thi đua cuối năm"
NOT_FOUND = "Quận 10 thu ngân sách 2030"


async def register(data_dir: Path, group_count: int) -> float:
    """Register ``group_count`` groups, one commit each; return the seconds it took."""
    store = open_store(data_dir)
    started = time.perf_counter()
    for n in range(group_count):
        await store.save_group(Group(-1_000_000_000_000 - n, (), f"Nhóm {n}"))
    elapsed = time.perf_counter() - started
    await store.close()
    return elapsed


async def running(settings: Settings):  # type: ignore[no-untyped-def]
    application = build_application(settings, load_knowledge_base())
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(poll_interval=0.1)
    await application.start()
    return application


async def stopping(application) -> None:  # type: ignore[no-untyped-def]
    await application.updater.stop()
    await application.stop()
    await application.post_stop(application)
    await application.shutdown()
    await application.post_shutdown(application)


async def broadcast(group_count: int, limits: bool) -> bool:
    """Register groups, announce to all of them and print the figures; False on loss/repeats."""
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
            setup = await register(Path(data_dir), group_count)
            print(f"groups registered: {group_count:,} in {setup:.1f} s (one commit each)")
            application = await running(settings)
            try:
                return await _announce_and_wait(api, group_count, Path(data_dir))
            finally:
                await stopping(application)


async def _announce_and_wait(api: FakeBotApi, group_count: int, data_dir: Path) -> bool:
    api.send_text(ADMIN, f"/thongbao tất cả {CONTENT}")
    [preview] = await api.wait_for("sendMessage", timeout=60)
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
    state_kib = sum(p.stat().st_size for p in data_dir.glob("*.json*")) / 1024
    print(f"announcement delivered: {sum(delivered.values()):,} messages in {elapsed:.1f} s "
          "(press of Gửi to the admin's report)")
    print(f"rate: {rate:.1f} messages/s = {rate / TELEGRAM_CEILING:.0%} of Telegram's "
          f"{TELEGRAM_CEILING:.0f}/s ceiling")
    print(f"lost: {lost}, duplicated: {duplicated}")
    print(f"state files: {state_kib:,.0f} KiB; peak memory {peak_mib:.0f} MiB")
    return not (lost or duplicated)


async def questions(count: int) -> None:
    """Ask ``count`` not_found questions from different users with a full unanswered log."""
    async with FakeBotApi() as api:
        with tempfile.TemporaryDirectory() as data_dir:
            store = open_store(data_dir)
            at = dt.datetime.now(dt.UTC)
            for n in range(storage.MAX_UNANSWERED):
                await store.log_unanswered(Unanswered(at, "not_found", f"{NOT_FOUND} {n}",
                                                      f"quan 10 thu ngan sach {n}", "private"))
            await store.close()
            settings = Settings(telegram_bot_token=api.token,
                                telegram_api_base_url=api.base_url, data_dir=Path(data_dir),
                                outgoing_max_per_second=0, outgoing_group_max_per_minute=0)
            application = await running(settings)
            try:
                askers = [user(10_000 + n, f"U{n}") for n in range(count)]
                started, cpu = time.perf_counter(), time.process_time()
                for asker in askers:
                    api.send_text(asker, NOT_FOUND)
                await api.wait_until(lambda: len(api.calls_to("sendMessage")) >= count,
                                     timeout=count)
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu
            finally:
                await stopping(application)
            store = open_store(data_dir)
            logged = len(await store.unanswered())
            await store.close()
    print(f"not_found answers: {count:,} in {elapsed:.1f} s = {count / elapsed:.0f} q/s end to "
          f"end (recorded, answered, logged) with a full log of {logged:,} entries")
    print(f"CPU per answer: {cpu / count * 1000:.1f} ms, the fake Bot API's included "
          f"(= {count / cpu:.0f} q/s on one free core; the wall-clock rate drops when the "
          "machine is shared)")


async def cluster_broadcast(url: str, group_count: int, instances: int) -> None:
    """Several instances on a fresh database at ``url``'s server: msg/s and answer latency."""
    import gc
    import statistics

    import httpx
    import psycopg
    from cluster import Balancer, free_port, post_update, process_env, spawn, stop_process
    from test_cluster_kill import Tally, seed

    name = f"thidua_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database_url = urlunparse(urlparse(url)._replace(path=f"/{name}"))
    gc.collect()
    gc.freeze()  # the fake Bot API times what arrives: no pauses here
    try:
        async with FakeBotApi() as api:
            started_seeding = time.perf_counter()
            chats = await seed(database_url, group_count)
            print(f"groups registered: {group_count:,} in "
                  f"{time.perf_counter() - started_seeding:.1f} s (PostgreSQL, one commit each)")
            ports = [free_port() for _ in range(instances)]
            with tempfile.TemporaryDirectory() as root:
                processes = [await spawn(process_env(api, database_url, port,
                                                     ADMIN_IDS=str(ADMIN["id"])), Path(root))
                             for port in ports]
                await api.wait_until(lambda: len(api.calls_to("setWebhook")) >= instances, 60)
                tally, latencies = Tally(api), []
                async with Balancer(ports) as balancer, httpx.AsyncClient() as client:
                    n = 0
                    while len(tally.update().content) < group_count:
                        asker = user(900_000 + n, f"U{n}")
                        n += 1
                        asked = time.monotonic()
                        await post_update(balancer.url,
                                          api.text_update(asker, "Quận 10 thu ngân sách 2030"),
                                          client)
                        await api.wait_until(lambda a=asker: bool(api.texts_to(a["id"])), 30)
                        reply = next(c for c in api.calls_to("sendMessage")
                                     if c.chat_id == asker["id"])
                        latencies.append(reply.at - asked)
                        await asyncio.sleep(0.5)
                for process in processes:
                    await stop_process(process)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sends = [c for c in api.calls_to("sendMessage") if c.error is None and c.chat_id in
             set(chats)]
    elapsed = sends[-1].at - sends[0].at
    latencies.sort()
    lost = group_count - len(tally.content)
    print(f"{instances} instances on PostgreSQL, outgoing limits 30/s overall, 20/min per group")
    print(f"announcement delivered: {len(sends):,} messages in {elapsed:.1f} s = "
          f"{len(sends) / elapsed:.1f} messages/s ({len(sends) / elapsed / TELEGRAM_CEILING:.0%}"
          f" of Telegram's {TELEGRAM_CEILING:.0f}/s); lost {lost}, duplicated "
          f"{sum(count - 1 for count in tally.content.values())}")
    print(f"private answers while broadcasting: {len(latencies)}, p50 "
          f"{statistics.median(latencies) * 1000:.0f} ms, p99 "
          f"{latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms (question at the balancer to answer at the API)")


def main() -> None:
    """Parse the arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--no-limits", action="store_true",
                        help="turn the outgoing limits off, to see the bot's own ceiling")
    parser.add_argument("--instances", type=int, default=2,
                        help="with DATABASE_URL: how many instances broadcast")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        asyncio.run(cluster_broadcast(database_url, args.groups, args.instances))
        return
    ok = asyncio.run(broadcast(args.groups, limits=not args.no_limits))
    asyncio.run(questions(args.questions))
    if not ok:
        raise SystemExit("FAILED: messages lost or duplicated")


if __name__ == "__main__":
    main()
