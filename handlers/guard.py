"""The flood guard that runs before every other handler."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.addressing import is_for_bot
from handlers.flood import Verdict
from handlers.replies import reply_plain
from handlers.services import services_of
from handlers.texts import flood_notice


async def limit_flood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let a user's messages through up to the rate; past it, one notice and then silence."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    if not is_for_bot(message, context.bot.username, context.bot.id):
        return
    flood = services_of(context).flood
    now = time.monotonic()
    verdict = flood.check(user.id, now)
    if verdict is Verdict.SERVE:
        return
    if verdict is Verdict.WARN:
        await reply_plain(message, flood_notice(flood.wait_seconds(user.id, now)))
    raise ApplicationHandlerStop
