"""The "Đã nhận" button under every reminder, and /baocao: who read the targets."""

from __future__ import annotations

import datetime as dt
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.records import Ack
from bot.storage import Store, StoreUnavailable
from handlers.auditing import bot_admin_asks
from handlers.render import split_lines
from handlers.replies import edit_unless_unchanged, reply_plain
from handlers.services import services_of
from handlers.texts import (
    ACK_BUTTON,
    FAILURE,
    STALE_BUTTON,
    ack_button,
    ack_lines,
    ack_report,
    ack_thanks,
)
from knowledge import KnowledgeBase

logger = logging.getLogger(__name__)
ACK_PATTERN = r"^n:"
_ACK = "n:"
_ACK_DATA = re.compile(r"n:(?P<id>[0-9a-f]{1,16}:\d{12}(?::[0-9a-f]{6})?)")
# How far back /baocao and `thidua reminders acks` look.
REPORT_DAYS = 30


def ack_buttons(ack_id: str) -> tuple[tuple[str, str], ...]:
    """The buttons under a reminder (``Send.ack_id`` names it)."""
    return ((ACK_BUTTON, f"{_ACK}{ack_id}"),)


async def acknowledge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record that the person pressing "Đã nhận" read the reminder (once per person)."""
    query = update.callback_query
    services = services_of(context)
    found = _ACK_DATA.fullmatch(query.data or "")
    message = query.message if isinstance(query.message, Message) else None
    if found is None or message is None:
        await query.answer(STALE_BUTTON)
        return
    user = query.from_user
    ack = Ack(found["id"], message.chat.id, user.id, user.full_name, services.clock())
    try:
        first = await services.store.record_ack(ack)
        acks = [a for a in await services.store.acks(message.chat.id) if a.reminder == ack.reminder]
    except StoreUnavailable as error:
        logger.error("Acknowledgement not recorded: %s", error)
        await query.answer(FAILURE, show_alert=True)
        return
    mine = next((a.at for a in acks if a.user_id == user.id), None)
    await query.answer(ack_thanks(first, mine, services.timezone))
    if first:
        await edit_unless_unchanged(query.edit_message_reply_markup(InlineKeyboardMarkup([[
            InlineKeyboardButton(ack_button(len(acks)), callback_data=query.data)]])))


async def acks_report(store: Store, kb: KnowledgeBase, now: dt.datetime,
                      tz: dt.tzinfo) -> str:
    """Who acknowledged the reminders of the last ``REPORT_DAYS`` days, across chats."""
    since = now - dt.timedelta(days=REPORT_DAYS)
    sent = [r for r in await store.reminders_sent() if r.due >= since]
    places = {key: place for key in {r.place for r in sent}
              if (place := kb.gazetteer.place_by_key(key)) is not None}
    lines = ack_lines(sent, await store.acks(), places, tz, per_chat=5)
    return ack_report(lines, REPORT_DAYS)


async def show_acks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a bot admin who acknowledged the reminders, across chats."""
    message = update.effective_message
    services = services_of(context)
    if not await bot_admin_asks(message, services, "/baocao"):
        return
    report = await acks_report(services.store, services.kb, services.clock(), services.timezone)
    for part in split_lines(report.split("\n")):
        await reply_plain(message, part)
