"""The last-resort error handler: log the failed update, tell the user to try again."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ContextTypes

from handlers.texts import FAILURE

logger = logging.getLogger(__name__)


async def report_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the update id and the exception; reply "Có lỗi, vui lòng thử lại." where possible."""
    update_id = update.update_id if isinstance(update, Update) else None
    if update is None and isinstance(context.error, NetworkError):
        # Fetching updates failed; PTB tries again with backoff. A traceback each time says
        # nothing more than this line.
        logger.warning("Telegram unreachable while fetching updates (%s); retrying.",
                       context.error)
        return
    # The token never reaches the log: run_telegram's handlers redact it (see TokenRedactor).
    logger.error("Update %s failed: %r", update_id, context.error, exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return
    try:
        await context.bot.send_message(chat.id, FAILURE)
    except TelegramError as error:
        logger.warning("Update %s: could not tell chat %s about the failure: %s",
                       update_id, chat.id, error)
