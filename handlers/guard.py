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
    """Serve a user's messages and button presses up to the limit; past it, one notice, then none.

    Group chatter not meant for the bot costs nothing. Inline queries are not counted: Telegram
    sends one per pause in typing.
    """
    message, query, user = update.message, update.callback_query, update.effective_user
    if user is None or (message is None and query is None):
        return
    if message is not None and not is_for_bot(message, context.bot.username, context.bot.id):
        return
    flood = services_of(context).flood
    now = time.monotonic()
    verdict = flood.check(user.id, now)
    if verdict is Verdict.SERVE:
        return
    if verdict is Verdict.WARN:
        notice = flood_notice(flood.wait_seconds(user.id, now))
        if query is not None:
            await query.answer(notice)
        else:
            await reply_plain(message, notice)
    raise ApplicationHandlerStop
