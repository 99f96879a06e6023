"""Shared fixtures: the shipped knowledge base, the fake Bot API and the bot running against it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import FakeBotApi
from pg_server import PostgresMissing, PostgresServer
from seed_reports import seed_reports_only
from telegram.ext import Application

from bot.app import build_application
from bot.delivery import Clock, Sleep
from bot.journal import Writer
from bot.settings import Settings
from knowledge import KnowledgeBase, load_knowledge_base

StartBot = Callable[..., Awaitable[Application]]


@pytest.fixture(scope="session")
def knowledge_base() -> KnowledgeBase:
    """The knowledge base the project ships, as its five seed reports make it."""
    return seed_reports_only(load_knowledge_base())


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the session (fails loudly when none can be started)."""
    try:
        server = PostgresServer().start()
    except PostgresMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the test server."""
    return postgres_server.create_database()


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API server on 127.0.0.1 with a free port."""
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
def bot_settings(fake_bot_api: FakeBotApi, tmp_path: Path) -> Settings:
    """Settings pointing at the fake server and a fresh data directory, outgoing limits off."""
    return Settings(
        telegram_bot_token=fake_bot_api.token,
        telegram_api_base_url=fake_bot_api.base_url,
        data_dir=tmp_path / "state",
        outgoing_max_per_second=0,
        outgoing_group_max_per_minute=0,
    )


@pytest.fixture
async def start_bot(
    bot_settings: Settings, knowledge_base: KnowledgeBase
) -> AsyncIterator[StartBot]:
    """Start the real Application from ``build_application``, polling the fake server.

    ``await start_bot(flood_max_messages=3)`` overrides settings, ``clock=…`` the bot's clock,
    ``sleep=…`` its waits, ``store_writer=…`` the journal's writes, ``kb_dir=…`` the
    knowledge-base directory.
    Started like ``run_polling`` does (initialize, post_init, polling, start); stopped the same
    way by ``stop_bot`` (a restart in a test) or at the end of the test.
    """
    running: list[Application] = []

    async def start(clock: Clock | None = None, kb_dir: Path | None = None,
                    sleep: Sleep | None = None, store_writer: Writer | None = None,
                    **overrides: Any) -> Application:
        kb = load_knowledge_base(kb_dir) if kb_dir else knowledge_base
        application = build_application(replace(bot_settings, **overrides), kb, clock, kb_dir,
                                        sleep=sleep, store_writer=store_writer)
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.updater.start_polling(poll_interval=0.1)
        await application.start()
        running.append(application)
        return application

    start.stop = lambda application: _stop(application, running)  # type: ignore[attr-defined]
    start.running = running  # type: ignore[attr-defined]
    yield start
    for application in list(running):
        await _stop(application, running)


@pytest.fixture
def settle(fake_bot_api: FakeBotApi, start_bot: StartBot) -> Callable[[], Awaitable[None]]:
    """A waiter for the moment the running bot has handled every update injected so far.

    Updates of different users are handled side by side, so waiting for one user's reply
    says nothing about another's.
    """

    async def wait() -> None:
        api = fake_bot_api
        if api.last_update_id:
            # PTB confirms an offset once the updates before it are in its queue.
            await api.wait_until(lambda: api.confirmed_offset > api.last_update_id, 10)
        for application in start_bot.running:  # type: ignore[attr-defined]
            await asyncio.wait_for(application.update_queue.join(), 10)

    return wait


async def _stop(application: Application, running: list[Application]) -> None:
    running.remove(application)
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


DATA = Path(__file__).resolve().parents[1] / "knowledge" / "data"
# Test data only (never shipped): a 2026 budget target of Quận Hoàng Mai from a second report,
# so a reminder has a current target beside the 2022 result of the shipped report.
TARGETS_SOURCE = """
- id: kiem-thu-hoang-mai-2026
  title: Kế hoạch năm 2026 (dữ liệu của bộ kiểm thử)
  publisher: Bộ kiểm thử
  date: 2026-01-05
  url:
"""
TARGETS_FACTS = """source: kiem-thu-hoang-mai-2026
unit: Quận Hoàng Mai
province: Hà Nội
facts:
  - id: kiem-thu-hoang-mai-2026-thu-ngan-sach
    year: 2026
    kind: target
    metric: thu_ngan_sach
    value: "6.000"
    unit: tỷ đồng
"""


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A copy of the shipped data files, to edit and reload."""
    copy = tmp_path / "kb"
    shutil.copytree(DATA, copy)
    return copy


@pytest.fixture
def targets_kb_dir(kb_dir: Path) -> Path:
    """The shipped data plus a 2026 budget target of Quận Hoàng Mai (6.000 tỷ đồng)."""
    with (kb_dir / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write(TARGETS_SOURCE)
    (kb_dir / "facts" / "kiem-thu-hoang-mai-2026.yaml").write_text(TARGETS_FACTS,
                                                                  encoding="utf-8")
    return kb_dir
