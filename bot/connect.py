"""Reaching Telegram at start: a rejected token stops the bot, a missing network is waited out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from bot.settings import Settings, SettingsError
from handlers.texts import TOKEN_REJECTED, telegram_unreachable

logger = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
BACKOFF_START, BACKOFF_MAX = 1.0, 60.0


async def reach_telegram(settings: Settings, sleep: Sleep = asyncio.sleep) -> str:
    """Ask Telegram who the bot is, until it answers; return the bot's username.

    Each failed try is one log line (no traceback, no token) and the next waits twice as long,
    up to a minute. A token Telegram rejects raises ``SettingsError`` with one line saying so.
    """
    assert settings.telegram_bot_token, "no token: the console chat runs instead"
    bot = Bot(settings.telegram_bot_token,
              base_url=settings.telegram_api_base_url or "https://api.telegram.org/bot")
    wait = BACKOFF_START
    while True:
        try:
            async with bot:
                return bot.username
        except InvalidToken:
            raise SettingsError(TOKEN_REJECTED) from None
        except NetworkError as error:  # TimedOut included
            reason = str(error).replace(settings.telegram_bot_token, "<token>")
            logger.warning(telegram_unreachable(reason, round(wait)))
        await sleep(wait)
        wait = min(wait * 2, BACKOFF_MAX)
