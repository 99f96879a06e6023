"""The bot's face in Telegram apps: command menus per kind of chat, and its descriptions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import (
    Bot,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Chat,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.services import services_of
from handlers.texts import (
    BOT_ADMIN_COMMANDS,
    DESCRIPTION,
    GROUP_ADMIN_COMMANDS,
    GROUP_COMMANDS,
    PRIVATE_COMMANDS,
    SHORT_DESCRIPTION,
)

logger = logging.getLogger(__name__)


async def set_profile(bot: Bot, admin_ids: frozenset[int]) -> set[int]:
    """Set the descriptions and the menus: private chats, groups, group admins, each bot admin.

    Returns the bot admins whose menu is set; the others get it when they first write (a
    private-chat menu cannot be set before the admin has opened a chat with the bot). A refusal
    is logged and never stops the bot.
    """
    calls: list[tuple[str, Callable[[], Awaitable[bool]]]] = [
        ("description", lambda: bot.set_my_description(DESCRIPTION)),
        ("short description", lambda: bot.set_my_short_description(SHORT_DESCRIPTION)),
        ("private menu", lambda: bot.set_my_commands(
            PRIVATE_COMMANDS, scope=BotCommandScopeAllPrivateChats())),
        ("group menu", lambda: bot.set_my_commands(
            GROUP_COMMANDS, scope=BotCommandScopeAllGroupChats())),
        ("group admin menu", lambda: bot.set_my_commands(
            GROUP_ADMIN_COMMANDS, scope=BotCommandScopeAllChatAdministrators())),
    ]
    for what, call in calls:
        try:
            await call()
        except TelegramError as error:
            logger.warning("Could not set the bot's %s: %s", what, error)
    return {admin_id for admin_id in sorted(admin_ids) if await _set_admin_menu(bot, admin_id)}


async def _set_admin_menu(bot: Bot, admin_id: int) -> bool:
    try:
        await bot.set_my_commands(BOT_ADMIN_COMMANDS, scope=BotCommandScopeChat(admin_id))
    except TelegramError as error:
        logger.info("No admin menu for %s yet (set when they write): %s", admin_id, error)
        return False
    return True


async def offer_admin_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Give a bot admin the menu with the admin commands when they first write in private."""
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    if (user is None or chat is None or chat.type != Chat.PRIVATE
            or user.id not in services.admin_ids or user.id in services.admin_menus):
        return
    if await _set_admin_menu(context.bot, user.id):
        services.admin_menus.add(user.id)
