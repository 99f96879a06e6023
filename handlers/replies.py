"""Sending rendered HTML replies: quoted in groups, the keyboard under the last part."""

from __future__ import annotations

from telegram import Chat, InlineKeyboardMarkup, Message


async def reply_html(
    message: Message, parts: list[str], keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Reply to ``message`` with each part in turn; in groups the first part quotes the asker."""
    quote = message.chat.type != Chat.PRIVATE
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await message.reply_html(
            part, do_quote=quote and index == 0, reply_markup=keyboard if last else None
        )


async def reply_plain(message: Message, text: str) -> None:
    """Reply with a short plain-text line, quoting the asker in groups."""
    await message.reply_text(text, do_quote=message.chat.type != Chat.PRIVATE)
