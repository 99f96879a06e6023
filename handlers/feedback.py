"""What officials could not get answered: the log, the 👍/👎 buttons and /chuatraloi."""

from __future__ import annotations

import time

from telegram import InlineKeyboardMarkup, Message, Update, User
from telegram.ext import ContextTypes

from bot.unanswered import Kind, Unanswered, most_frequent, normalised_form
from handlers.auditing import bot_admin_asks
from handlers.buttons import BAD, GOOD
from handlers.flood import Verdict
from handlers.permissions import is_bot_admin
from handlers.replies import edit_unless_unchanged, reply_plain
from handlers.services import Services, services_of
from handlers.texts import NOTED_BAD_ANSWER, THANKS, unanswered_report

MAX_LOGGED_CHARS = 300
TOP_UNANSWERED = 15


def unanswered_entry(question: str, kind: Kind, chat_type: str, user: User | None,
                     services: Services, answer: str = "") -> Unanswered:
    """A log entry; it names the asker only when the asker is a bot admin."""
    admin_id = user.id if user is not None and is_bot_admin(user, services.admin_ids) else None
    return Unanswered(at=services.clock(), kind=kind, question=question[:MAX_LOGGED_CHARS],
                      normalised=normalised_form(question or answer)[:MAX_LOGGED_CHARS],
                      chat_type=chat_type, admin_id=admin_id, answer=answer)


def record_unanswered(question: str, kind: Kind, chat_type: str, user: User | None,
                      services: Services, answer: str = "") -> bool:
    """Log a question for the curators, unless its asker used up their share of the log.

    The share keeps one user (or script) from pushing everyone else's questions out of the
    bounded log. The write runs in the background: a slow or failing one never delays an
    answer. Returns whether it was logged.
    """
    if user is not None and services.log_quota.check(user.id, time.monotonic()) \
            is not Verdict.SERVE:
        return False
    entry = unanswered_entry(question, kind, chat_type, user, services, answer)
    services.background.run(services.store.log_unanswered(entry), "Unanswered-question log")
    return True


async def record_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Thank for 👍; log 👎 with its question for the curators. Either way one vote per answer."""
    query = update.callback_query
    services = services_of(context)
    good = (query.data or "").startswith(GOOD)
    message = query.message if isinstance(query.message, Message) else None
    if not good:
        question = services.buttons.decode(query.data, BAD) or ""
        shown = (message.text or "").split("\n", 1)[0][:MAX_LOGGED_CHARS] if message else ""
        record_unanswered(question, "thumbs_down", message.chat.type if message else "inline",
                          query.from_user, services, shown)
    await query.answer(THANKS if good else NOTED_BAD_ANSWER)
    if message is None or message.reply_markup is None:
        return
    rows = [row for row in message.reply_markup.inline_keyboard
            if not any((b.callback_data or "").startswith((GOOD, BAD)) for b in row)]
    await edit_unless_unchanged(
        query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None))


async def list_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a bot admin the most frequent questions the bot could not answer."""
    message = update.effective_message
    services = services_of(context)
    if not await bot_admin_asks(message, services, "/chuatraloi"):
        return
    entries = await services.store.unanswered()
    groups = most_frequent(entries, TOP_UNANSWERED)
    await reply_plain(message, unanswered_report(groups, len(entries), services.timezone))
