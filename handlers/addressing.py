"""Deciding whether a message is meant for the bot, and the question it asks.

A photo's or document's caption counts as the message's text, with its own entities.
"""

from __future__ import annotations

from telegram import Chat, Message, MessageEntity


def is_for_bot(message: Message, username: str, bot_id: int) -> bool:
    """Tell private messages, our commands and group messages mentioning or replying to us."""
    if message.chat.type == Chat.PRIVATE:
        return True
    command = command_target(message)
    if command is not None:
        return command in ("", username.lower())
    return group_question(message, username, bot_id) is not None


def command_target(message: Message) -> str | None:
    """Name the bot a command is for: ``/hoi@x_bot`` → ``x_bot``, ``/hoi`` → ``""``, text → None."""
    text = message.text
    if not text:
        return None
    entity = next(iter(message.parse_entities([MessageEntity.BOT_COMMAND])), None)
    if entity is None or entity.offset != 0:
        return None
    return text[: entity.length].partition("@")[2].lower()


def command_name(message: Message) -> str:
    """The command as typed, without the bot's name: ``/thongbao@x_bot …`` → ``/thongbao``."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[0].partition("@")[0] if parts else ""


def command_argument(message: Message) -> str:
    """Return the text after the command: ``/hoi Hoàng Mai 2022`` → ``Hoàng Mai 2022``."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def group_question(message: Message, username: str, bot_id: int) -> str | None:
    """Return the question of a group message mentioning or replying to the bot, else None."""
    if _mentions(message, username):
        return without_mentions(message, username)
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return written(message).strip()
    return None


def written(message: Message) -> str:
    """The text of a message, or the caption of a photo or document."""
    return message.text or message.caption or ""


def without_mentions(message: Message, username: str) -> str:
    """Return the message text (or caption) with every ``@username`` of the bot removed.

    Telegram counts entity offsets in UTF-16 code units, so the cut is made on UTF-16 text.
    """
    units = written(message).encode("utf-16-le")
    for entity in sorted(_mentions(message, username), key=lambda e: e.offset, reverse=True):
        units = units[: entity.offset * 2] + units[(entity.offset + entity.length) * 2 :]
    return " ".join(units.decode("utf-16-le").split())


def _mentions(message: Message, username: str) -> list[MessageEntity]:
    mention = f"@{username}".lower()
    if message.text:
        found = message.parse_entities([MessageEntity.MENTION])
    elif message.caption:
        found = message.parse_caption_entities([MessageEntity.MENTION])
    else:
        return []
    return [entity for entity, text in found.items() if text.lower() == mention]
