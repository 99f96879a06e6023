"""Sending and editing replies: quoted in groups, the keyboard under the last part."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import Chat, InlineKeyboardMarkup, Message
from telegram.error import BadRequest


async def reply_html(
    message: Message, parts: list[str], keyboard: InlineKeyboardMarkup | None = None,
    quote: bool = True,
) -> list[Message]:
    """Reply to ``message`` with each part in turn; in groups the first part quotes the asker.

    ``quote=False`` when ``message`` is not the asker's (a button under the bot's own message).
    Returns the messages sent.
    """
    quote = quote and message.chat.type != Chat.PRIVATE
    sent = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent.append(await message.reply_html(
            part, do_quote=quote and index == 0, reply_markup=keyboard if last else None
        ))
    return sent


async def reply_plain(message: Message, text: str) -> None:
    """Reply with a short plain-text line, quoting the asker in groups."""
    await message.reply_text(text, do_quote=message.chat.type != Chat.PRIVATE)


async def edit_unless_unchanged(edit: Awaitable[object]) -> None:
    """Await an edit of a message; one that changes nothing is refused by Telegram, and fine.

    That happens when a button is pressed twice before the first edit lands.
    """
    try:
        await edit
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
