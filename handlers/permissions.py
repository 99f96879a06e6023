"""Who may act for a chat: group admins for their group, bot admins (ADMIN_IDS) everywhere."""

from __future__ import annotations

from telegram import Bot, CallbackQuery, Chat, ChatMember, Message, User


async def may_manage_chat(message: Message, bot: Bot, admin_ids: frozenset[int]) -> bool:
    """Whether the sender may change the chat's reminders and registration.

    Anyone in a private chat; in a group its admins (also when posting anonymously as the
    group) and the bot's own admins.
    """
    if message.chat.type != Chat.PRIVATE and message.sender_chat is not None:
        return message.sender_chat.id == message.chat.id
    return await _may_manage(message.chat, message.from_user, bot, admin_ids)


async def may_press_for_chat(query: CallbackQuery, bot: Bot, admin_ids: frozenset[int]) -> bool:
    """Whether the user pressing a button under a chat's message may manage that chat."""
    if not isinstance(query.message, Message):
        return False
    return await _may_manage(query.message.chat, query.from_user, bot, admin_ids)


async def _may_manage(chat: Chat, user: User | None, bot: Bot,
                      admin_ids: frozenset[int]) -> bool:
    if chat.type == Chat.PRIVATE:
        return True
    if user is None:
        return False
    if is_bot_admin(user, admin_ids):
        return True
    member = await bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def is_bot_admin(user: User | None, admin_ids: frozenset[int]) -> bool:
    """Whether ``user`` is one of the bot's admins (``ADMIN_IDS``)."""
    return user is not None and user.id in admin_ids
