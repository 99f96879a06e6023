"""`thidua run` with a token serves Telegram by long polling, as a user starts it."""

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from fake_bot_api import FakeBotApi, user

THIDUA = str(Path(sys.executable).with_name("thidua"))
LAN = user(1001, "Lan")


async def test_thidua_run_answers_over_long_polling_and_never_logs_the_token(
    fake_bot_api, tmp_path
):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake_bot_api.token,
           "TELEGRAM_API_BASE_URL": fake_bot_api.base_url, "LOG_LEVEL": "DEBUG",
           "WEBHOOK_URL": "", "DATA_DIR": str(tmp_path / "data")}
    process = await asyncio.create_subprocess_exec(
        THIDUA, "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_bot_api.wait_for("setMyCommands", timeout=20)
        fake_bot_api.send_text(LAN, "hoang mai thu ngan sach 2022")
        [reply] = await fake_bot_api.wait_for("sendMessage", timeout=10)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert "4.670,8" in reply.text
    assert process.returncode == 0
    log = stdout.decode() + stderr.decode()
    assert "long polling" in log
    assert "<token>" in log  # PTB logs the Bot API URL at DEBUG: redacted
    assert fake_bot_api.token not in log
    assert fake_bot_api.token.split(":")[1] not in log
    assert "Calling Bot API endpoint `getUpdates`" in log  # DEBUG is on
    assert "hoang mai thu ngan sach" not in log and LAN["first_name"] not in log
    assert "4.670,8" not in log


async def test_reload_signal_while_the_bot_starts_neither_kills_it_nor_is_lost(
    fake_bot_api, tmp_path
):
    from bot.storage import lock_holder

    data = tmp_path / "data"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake_bot_api.token,
           "TELEGRAM_API_BASE_URL": fake_bot_api.base_url, "LOG_LEVEL": "INFO",
           "WEBHOOK_URL": "", "DATA_DIR": str(data)}
    process = await asyncio.create_subprocess_exec(
        THIDUA, "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    signals = 0
    try:
        # As `thidua kb reload` does: signal the process holding the data directory's lock.
        while not fake_bot_api.calls_to("setMyCommands"):
            if data.exists() and lock_holder(data) == process.pid:
                process.send_signal(signal.SIGHUP)
                signals += 1
            await asyncio.sleep(0.02)
            assert process.returncode is None
        fake_bot_api.send_text(LAN, "hoang mai thu ngan sach 2022")
        [reply] = await fake_bot_api.wait_for("sendMessage", timeout=10)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert signals >= 1 and "4.670,8" in reply.text
    assert process.returncode == 0
    assert "Knowledge base reload" in stdout.decode() + stderr.decode()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_env(tmp_path, token, base_url):
    return {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": base_url,
            "LOG_LEVEL": "INFO", "WEBHOOK_URL": "", "DATA_DIR": str(tmp_path / "data")}


async def test_rejected_token_is_one_line_without_the_token(fake_bot_api, tmp_path):
    wrong = "987654:ANOTHER-token_the-server-rejects"
    process = await asyncio.create_subprocess_exec(
        THIDUA, "run", cwd=tmp_path, env=run_env(tmp_path, wrong, fake_bot_api.base_url),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    output = (stdout + stderr).decode()
    assert process.returncode == 1
    assert wrong not in output and wrong.split(":")[1] not in output
    assert "Traceback" not in output
    lines = output.strip().splitlines()
    assert len(lines) <= 3
    assert lines[-1].startswith("Error: Telegram từ chối TELEGRAM_BOT_TOKEN")


async def test_without_network_it_says_so_in_one_line_and_retries_until_telegram_answers(
        tmp_path):
    port = free_port()
    api = FakeBotApi(port=port)
    process = await asyncio.create_subprocess_exec(
        THIDUA, "run", cwd=tmp_path, env=run_env(tmp_path, api.token, api.base_url),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        waiting = []
        while len(waiting) < 2:  # tries after 1 s, then after 2 s more
            line = (await asyncio.wait_for(process.stderr.readline(), 20)).decode()
            assert line, "the bot stopped instead of retrying"
            waiting.append(line)
        async with api:  # the network is back
            await api.wait_for("setMyCommands", timeout=20)
            api.send_text(LAN, "hoang mai thu ngan sach 2022")
            [reply] = await api.wait_for("sendMessage", timeout=10)
            assert "4.670,8" in reply.text
            process.send_signal(signal.SIGINT)
            _, rest = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
    assert all("Chưa kết nối được Telegram" in line and "thử lại sau" in line
               for line in waiting)
    assert "thử lại sau 1 giây" in waiting[0] and "thử lại sau 2 giây" in waiting[1]
    assert "Traceback" not in "".join(waiting) + rest.decode()
    assert api.token not in "".join(waiting) + rest.decode()
