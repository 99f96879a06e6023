"""`thidua run` with a token serves Telegram by long polling, as a user starts it."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from fake_bot_api import user

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
