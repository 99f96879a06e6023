"""Webhook mode: strangers are refused, an update is recorded before Telegram hears 200."""

import asyncio
import errno
import os
import socket
from dataclasses import replace

import httpx
import pytest
from fake_bot_api import private_chat, user

from bot.app import build_application, serve_webhook
from bot.settings import load_settings
from bot.webhook import SECRET_HEADER

LAN = user(1001, "Lan")
ADMIN = user(1, "Admin")
pytestmark = pytest.mark.faults


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def update(update_id: int, text: str, sender=LAN) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_700_000_000, "chat": private_chat(sender),
        "from": sender, "text": text,
        **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
           if text.startswith("/") else {})}}


@pytest.fixture
async def webhook_bot(fake_bot_api, bot_settings, knowledge_base):
    """The bot serving a webhook on a free port; yields (url, secret, writer flag)."""
    port, disk = free_port(), {"full": False}

    def writer(fd: int, data: bytes) -> None:
        if disk["full"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        os.write(fd, data)

    settings = replace(bot_settings, webhook_url="https://bot.example.vn/hook/thidua",
                       webhook_port=port, admin_ids=frozenset({ADMIN["id"]}))
    application = build_application(settings, knowledge_base, store_writer=writer)
    stop = asyncio.Event()
    server = asyncio.create_task(serve_webhook(application, settings, stop))
    [registered] = await fake_bot_api.wait_for("setWebhook", timeout=10)
    yield f"http://127.0.0.1:{port}/hook/thidua", registered.params["secret_token"], disk
    stop.set()
    await server


async def test_webhook_registers_a_generated_secret_and_refuses_forged_updates(
        fake_bot_api, webhook_bot):
    url, secret, _ = webhook_bot
    assert len(secret) >= 32
    forged = [
        {},  # no secret at all
        {SECRET_HEADER: "guessed"},
        {SECRET_HEADER: secret[:-1]},
    ]
    async with httpx.AsyncClient() as client:
        statuses = [(await client.post(url, json=update(10 + n, "/dangkynhom"),
                                       headers=headers)).status_code
                    for n, headers in enumerate(forged)]
        ok = await client.post(url, json=update(20, "Hoàng Mai thu ngân sách 2022"),
                               headers={SECRET_HEADER: secret})
    assert statuses == [403, 403, 403] and ok.status_code == 200
    [reply] = await fake_bot_api.wait_for("sendMessage")
    assert "4.670,8" in reply.text
    await asyncio.sleep(0.2)
    print(f"\nforged webhook updates: {statuses.count(403)} of {len(forged)} refused; "
          "the genuine one answered")
    assert len(fake_bot_api.calls_to("sendMessage")) == 1


async def test_webhook_answers_telegram_only_after_recording(fake_bot_api, webhook_bot):
    url, secret, disk = webhook_bot
    disk["full"] = True
    async with httpx.AsyncClient() as client:
        refused = await client.post(url, json=update(30, "Q1 thu NS 2023"),
                                    headers={SECRET_HEADER: secret})
        disk["full"] = False
        retried = await client.post(url, json=update(30, "Q1 thu NS 2023"),
                                    headers={SECRET_HEADER: secret})
        bad = await client.post(url, content=b"{not json", headers={SECRET_HEADER: secret})
    assert (refused.status_code, retried.status_code, bad.status_code) == (503, 200, 400)
    [reply] = await fake_bot_api.wait_for("sendMessage")
    assert "16.728" in reply.text


def test_webhook_listens_on_localhost_unless_told():
    settings = load_settings(None, environ={"WEBHOOK_URL": "https://x.example/hook"})
    assert settings.webhook_listen == "127.0.0.1"


async def test_an_update_telegram_sends_again_is_handled_once(fake_bot_api, webhook_bot):
    url, secret, _ = webhook_bot
    async with httpx.AsyncClient() as client:
        for _ in range(3):  # Telegram resends when our 200 got lost
            answer = await client.post(url, json=update(40, "Q1 thu NS 2023"),
                                       headers={SECRET_HEADER: secret})
            assert answer.status_code == 200
    await fake_bot_api.wait_for("sendMessage")
    await asyncio.sleep(0.3)
    assert len(fake_bot_api.calls_to("sendMessage")) == 1
