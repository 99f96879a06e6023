"""Several instances of the bot on one PostgreSQL database behind a small local load balancer.

``Balancer`` forwards Telegram's webhook requests to the instances in turn, and to the next one
when an instance does not answer (as nginx's ``proxy_next_upstream error``). ``Instance``
runs the real bot in this process (``serve_webhook``); ``spawn`` runs ``thidua run`` as a
process a test can SIGKILL. Both are in webhook mode with one shared secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from aiohttp import ClientConnectionError, ClientSession, web
from fake_bot_api import FakeBotApi

from bot.app import build_application, serve_webhook
from bot.settings import Settings
from bot.webhook import SECRET_HEADER
from knowledge import KnowledgeBase

SECRET = "shared-webhook-secret-of-the-instances"
HOOK_PATH = "/hook/thidua"
THIDUA = str(Path(sys.executable).with_name("thidua"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Balancer:
    """Round-robin HTTP forwarding to ``ports`` on 127.0.0.1; a refused connection tries the next.

    ``served`` counts the requests each port answered.
    """

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.port = free_port()
        self.served: Counter[int] = Counter()
        self._turn = itertools.cycle(range(len(ports)))
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{HOOK_PATH}"

    async def __aenter__(self) -> Balancer:
        self._session = ClientSession()
        app = web.Application()
        app.router.add_route("POST", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._runner is not None and self._session is not None
        await self._runner.cleanup()
        await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, ""),
                   "Content-Type": "application/json"}
        first = next(self._turn)
        for step in range(len(self.ports)):
            port = self.ports[(first + step) % len(self.ports)]
            try:
                async with self._session.post(f"http://127.0.0.1:{port}{request.path}",
                                              data=body, headers=headers) as answer:
                    self.served[port] += 1
                    return web.Response(status=answer.status, body=await answer.read())
            except ClientConnectionError:
                continue
        return web.Response(status=502)


async def eventually(condition: Callable[[], bool], timeout: float = 10.0,
                     every: float = 0.05) -> None:
    """Wait until ``condition()`` holds, looking ``every`` seconds (TimeoutError if not)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(every)


async def post_update(url: str, update: dict[str, Any],
                      client: httpx.AsyncClient | None = None) -> int:
    """POST an update as Telegram does; return the HTTP status.

    Pass one ``client`` for many posts: making one costs tens of milliseconds of CPU.
    """
    if client is None:
        async with httpx.AsyncClient() as fresh:
            return await post_update(url, update, fresh)
    answer = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
    return answer.status_code


def instance_settings(settings: Settings, database_url: str, port: int) -> Settings:
    """An instance's settings: webhook mode on ``port``, the shared database and secret."""
    return replace(settings, database_url=database_url, webhook_port=port,
                   webhook_url=f"https://bot.example.vn{HOOK_PATH}", webhook_secret=SECRET)


@dataclass
class Instance:
    """The real bot serving a webhook in this process."""

    settings: Settings
    application: Any = None
    task: asyncio.Task[None] | None = None
    stop_event: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.webhook_port}{HOOK_PATH}"

    async def start(self, api: FakeBotApi, kb: KnowledgeBase, **build: Any) -> Instance:
        """Build and serve; return once it has registered its webhook."""
        before = len(api.calls_to("setWebhook"))
        self.application = build_application(self.settings, kb, **build)
        self.stop_event = asyncio.Event()
        self.task = asyncio.ensure_future(serve_webhook(self.application, self.settings,
                                                        self.stop_event))
        await api.wait_until(lambda: len(api.calls_to("setWebhook")) > before or
                             self.task.done(), timeout=30)
        if self.task.done():
            self.task.result()
        return self

    async def stop(self) -> None:
        if self.task is not None and self.stop_event is not None:
            self.stop_event.set()
            await self.task
            self.task = None


def process_env(api: FakeBotApi, database_url: str, port: int,
                **overrides: str) -> dict[str, str]:
    """The environment of ``thidua run`` as one of the instances."""
    return {**os.environ, "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url, "DATABASE_URL": database_url,
            "WEBHOOK_URL": f"https://bot.example.vn{HOOK_PATH}", "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET, "LOG_LEVEL": "WARNING", "FLOOD_MAX_MESSAGES": "0",
            **overrides}


async def spawn(env: dict[str, str], cwd: Path,
                log: Path | None = None) -> asyncio.subprocess.Process:
    """Start ``thidua run`` with ``env`` (its log in ``log``)."""
    output = open(log, "ab") if log else asyncio.subprocess.DEVNULL  # noqa: SIM115
    try:
        return await asyncio.create_subprocess_exec(THIDUA, "run", env=env, cwd=cwd,
                                                    stdout=output, stderr=output)
    finally:
        if log:
            output.close()


async def stop_process(process: asyncio.subprocess.Process) -> None:
    """SIGINT, as an operator stops it; kill after 30 s."""
    if process.returncode is not None:
        return
    process.send_signal(2)
    try:
        await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
