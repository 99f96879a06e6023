"""Help: /start with example buttons and deep links, /help, the group greeting, and short hints."""

from __future__ import annotations

import logging
import re

from telegram import (
    Chat,
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.addressing import command_argument, command_target
from handlers.buttons import EXAMPLE
from handlers.permissions import is_bot_admin
from handlers.questions import reply_with_answer
from handlers.render import split_lines
from handlers.replies import reply_html, reply_plain
from handlers.services import Services, services_of
from handlers.texts import (
    EXAMPLE_QUESTIONS,
    NOT_TEXT,
    OPEN_PRIVATE_CHAT,
    UNKNOWN_COMMAND,
    group_intro_html,
    help_html,
    knows_of,
    start_html,
)
from knowledge import KnowledgeBase, coverage_text
from knowledge.charts import has_trends

logger = logging.getLogger(__name__)
HELP_PAYLOAD = "help"
_UNIT_KEY = re.compile(r"(?P<level>[dw])(?P<code>\d{1,6})")
_GROUP_EXAMPLES = 3


def deep_link_question(payload: str, kb: KnowledgeBase) -> str | None:
    """The question a ``/start <payload>`` link opens, or None for the start message.

    ``d008`` / ``w00070`` open a former district or a current ward by its code; other payloads
    are words joined by ``-`` or ``_`` (Telegram allows only ``A-Z a-z 0-9 _ -``), read as a
    question: ``hoang-mai-thu-ngan-sach-2022``.
    """
    if not payload or payload == HELP_PAYLOAD:
        return None
    unit = _UNIT_KEY.fullmatch(payload)
    if unit:
        places = kb.gazetteer.districts if unit["level"] == "d" else kb.gazetteer.wards
        place = places.get(unit["code"])
        return f"{place.name} {place.province_short}" if place else None
    return " ".join(re.split(r"[-_]+", payload)).strip() or None


def _examples(services: Services, count: int | None = None) -> InlineKeyboardMarkup | None:
    return services.buttons.keyboard(EXAMPLE_QUESTIONS[:count], kind=EXAMPLE)


async def show_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot knows, with example questions to tap; a deep link opens its question."""
    message = update.effective_message
    services = services_of(context)
    if message.chat.type != Chat.PRIVATE:
        await show_group_intro(update, context)
        return
    payload = command_argument(message)
    if payload == HELP_PAYLOAD:
        await show_help(update, context)
        return
    question = deep_link_question(payload, services.kb)
    if question is not None:
        await reply_with_answer(message, question, context)
        return
    await reply_html(message, [start_html(knows_of(services.kb))], _examples(services))


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command and how to ask; bot admins also get theirs. Groups get the short version."""
    message = update.effective_message
    if message.chat.type != Chat.PRIVATE:
        await show_group_intro(update, context)
        return
    services = services_of(context)
    admin = is_bot_admin(message.from_user, services.admin_ids)
    text = help_html(coverage_text(services.kb), context.bot.username, admin,
                     trends=has_trends(services.kb))
    await reply_html(message, split_lines(text.splitlines()), _examples(services))


async def show_group_intro(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group: how to ask there, what admins can do, a few examples and a link to /help."""
    services = services_of(context)
    text = group_intro_html(knows_of(services.kb), context.bot.username)
    await reply_html(update.effective_message, [text], _group_keyboard(services, context))


def _group_keyboard(services: Services,
                    context: ContextTypes.DEFAULT_TYPE) -> InlineKeyboardMarkup | None:
    link = InlineKeyboardButton(OPEN_PRIVATE_CHAT,
                                url=f"https://t.me/{context.bot.username}?start={HELP_PAYLOAD}")
    return services.buttons.keyboard(EXAMPLE_QUESTIONS[:_GROUP_EXAMPLES], [[link]], kind=EXAMPLE)


def bot_joined(change: ChatMemberUpdated) -> bool:
    """Whether this membership change is the bot being added to a group."""
    if change.chat.type == Chat.PRIVATE:
        return False
    outside = (ChatMember.LEFT, ChatMember.BANNED)
    return (change.old_chat_member.status in outside
            and change.new_chat_member.status not in outside)


async def greet_group(change: ChatMemberUpdated, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say how to ask in the group the bot was just added to."""
    services = services_of(context)
    text = group_intro_html(knows_of(services.kb), context.bot.username)
    try:
        await context.bot.send_message(change.chat.id, text, parse_mode=ParseMode.HTML,
                                       reply_markup=_group_keyboard(services, context))
    except TelegramError as error:  # e.g. a channel, or a group where members may not write
        logger.info("No greeting in chat %s: %s", change.chat.id, error)


async def explain_non_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a sticker, voice or an uncaptioned photo with a short help line."""
    await reply_plain(update.effective_message, NOT_TEXT)


async def explain_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an unknown command with a short help line; in groups only if it names this bot."""
    message = update.effective_message
    named_us = command_target(message) == context.bot.username.lower()
    if message.chat.type != Chat.PRIVATE and not named_us:
        return
    await reply_plain(message, UNKNOWN_COMMAND)
