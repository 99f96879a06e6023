"""Group announcements: /dangkynhom and /huydangkynhom, and following the bot's membership."""

from __future__ import annotations

import logging
import re

from telegram import Chat, ChatMember, Message, Update
from telegram.ext import ContextTypes

from bot.schedule import Group
from handlers.addressing import command_argument, command_name
from handlers.auditing import audit
from handlers.help import bot_joined, greet_group
from handlers.permissions import may_manage_chat
from handlers.replies import reply_plain
from handlers.services import services_of
from handlers.subscriptions import find_place
from handlers.texts import (
    GROUP_ADMINS_ONLY,
    GROUP_NOT_REGISTERED,
    GROUP_UNREGISTERED,
    GROUPS_ONLY,
    REGISTER_USAGE,
    group_registered,
)
from knowledge.model import Place
from knowledge.text import fold

logger = logging.getLogger(__name__)
_ALL = {"tat ca", "tat ca cac quan", "moi quan", "tat ca cac don vi", "moi don vi"}
_LIST_SEPARATOR = re.compile(r"[,;\n]+")


async def register_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Register the group for announcements: about every unit, or ``/dangkynhom A, B``."""
    message = update.effective_message
    services = services_of(context)
    if not await _group_admin_asks(message, context):
        return
    argument = command_argument(message)
    names = [] if fold(argument) in _ALL else [
        name.strip() for name in _LIST_SEPARATOR.split(argument) if name.strip()]
    places: list[Place] = []
    for name in names:
        found = find_place(name, services.kb, "dangkynhom", REGISTER_USAGE)
        if isinstance(found, str):
            await reply_plain(message, found)
            return
        places.append(found)
    places = list(dict.fromkeys(places))
    await services.store.save_group(Group(message.chat.id, tuple(p.key for p in places),
                                          message.chat.title or ""))
    await audit(services, "group_registered", message.from_user, chat_id=message.chat.id,
                subject=message.chat.title or "",
                detail=", ".join(p.key for p in places) or "tất cả")
    await reply_plain(message, group_registered(places))


async def unregister_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop announcements to the group."""
    message = update.effective_message
    if not await _group_admin_asks(message, context):
        return
    services = services_of(context)
    removed = await services.store.remove_group(message.chat.id)
    if removed:
        await audit(services, "group_unregistered", message.from_user, chat_id=message.chat.id,
                    subject=message.chat.title or "")
    await reply_plain(message, GROUP_UNREGISTERED if removed else GROUP_NOT_REGISTERED)


async def _group_admin_asks(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether a group admin sent this; if not, tell the sender where or who may."""
    if message.chat.type == Chat.PRIVATE:
        await reply_plain(message, GROUPS_ONLY)
        return False
    services = services_of(context)
    if not await may_manage_chat(message, context.bot, services.admin_ids):
        await audit(services, "refused", message.from_user, chat_id=message.chat.id,
                    subject=command_name(message))
        await reply_plain(message, GROUP_ADMINS_ONLY)
        return False
    return True


async def follow_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet a group the bot joins; when removed from a chat or blocked, stop delivering to it."""
    change = update.my_chat_member
    if bot_joined(change):
        await greet_group(change, context)
        return
    if change.new_chat_member.status not in (ChatMember.LEFT, ChatMember.BANNED):
        return
    services = services_of(context)
    dropped = await services.store.drop_chat(change.chat.id, "bot removed from the chat")
    services.reminders.cancel(dropped)
    logger.info("Left chat %s: its reminders and registration are removed.", change.chat.id)


async def follow_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Move a group's reminders and registration to its new id when it becomes a supergroup."""
    message = update.effective_message
    services = services_of(context)
    await services.store.migrate_chat(message.chat.id, message.migrate_to_chat_id)
    logger.info("Chat %s became %s.", message.chat.id, message.migrate_to_chat_id)
