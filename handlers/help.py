"""Help: /start and /help, and a short help line for non-text messages and unknown commands."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import ContextTypes

from handlers.addressing import command_target
from handlers.render import split_lines
from handlers.replies import reply_html, reply_plain
from handlers.services import services_of
from handlers.texts import NOT_TEXT, UNKNOWN_COMMAND, help_html
from knowledge import coverage_text


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell what the bot knows (districts, years, topics), example questions and the commands."""
    text = help_html(coverage_text(services_of(context).kb), context.bot.username)
    await reply_html(update.effective_message, split_lines(text.splitlines()))


async def explain_non_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a sticker, photo, voice or other non-text message with a short help line."""
    await reply_plain(update.effective_message, NOT_TEXT)


async def explain_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an unknown command with a short help line; in groups only if it names this bot."""
    message = update.effective_message
    named_us = command_target(message) == context.bot.username.lower()
    if message.chat.type != Chat.PRIVATE and not named_us:
        return
    await reply_plain(message, UNKNOWN_COMMAND)
