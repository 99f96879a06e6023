"""Answering questions: private text, group mentions and replies, /hoi, and suggestion buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers.addressing import command_argument, group_question, without_mentions
from handlers.buttons import chart_button
from handlers.feedback import remember_unanswered, unanswered_entry
from handlers.render import render_html, render_one_html
from handlers.replies import edit_unless_unchanged, reply_html, reply_plain
from handlers.services import Services, services_of
from handlers.texts import ASK_USAGE, MAX_QUESTION_CHARS, STALE_BUTTON, TOO_LONG
from knowledge import answer
from knowledge.charts import chart_metric
from knowledge.model import FIGURE_KINDS, Answer


async def answer_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text sent to the bot in a private chat, with its sources."""
    message = update.effective_message
    await _reply_with_answer(message, without_mentions(message, context.bot.username), context)


async def answer_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a group message that mentions the bot or replies to it; ignore the rest."""
    message = update.effective_message
    question = group_question(message, context.bot.username, context.bot.id)
    if question is not None:
        await _reply_with_answer(message, question, context)


async def answer_ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer ``/hoi <câu hỏi>``; a bare ``/hoi`` gets its usage back."""
    message = update.effective_message
    question = command_argument(message)
    if not question:
        await reply_plain(message, ASK_USAGE)
        return
    await _reply_with_answer(message, question, context)


async def answer_pressed_suggestion(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the pressed suggestion in place of the message that offered it."""
    query = update.callback_query
    services = services_of(context)
    question = services.buttons.decode(query.data)
    if question is None:
        await query.answer(STALE_BUTTON)
        return
    result = answer(question, services.kb)
    if isinstance(query.message, Message):
        remember_given(services, query.message.chat.id, result)
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(
        render_one_html(result),
        parse_mode=ParseMode.HTML,
        # A chart is sent into a chat: none to send to under an inline-mode message.
        reply_markup=_keyboard(services, result, question, chart=query.message is not None),
    ))


async def _reply_with_answer(
    message: Message, question: str, context: ContextTypes.DEFAULT_TYPE
) -> None:
    # Longer than any real question: a pasted document would only produce noise.
    if len(question) > MAX_QUESTION_CHARS:
        await reply_plain(message, TOO_LONG)
        return
    services = services_of(context)
    result = answer(question, services.kb)
    if result.status != "answered":
        remember_unanswered(services, unanswered_entry(
            question, result.status, message.chat.type, message.from_user, services))
    await reply_html(message, render_html(result), _keyboard(services, result, question))
    remember_given(services, message.chat.id, result)


def remember_given(services: Services, chat_id: int, result: Answer) -> None:
    """Keep the ids of the figures an answer gave the chat, in the background.

    The chat then hears when a reload changes or withdraws one of them.
    """
    figures = [fact.id for fact in result.facts if fact.kind in FIGURE_KINDS]
    if result.status == "answered" and figures:
        services.background.run(services.store.record_given(chat_id, figures, services.clock()),
                                "Figures given")


def _keyboard(services: Services, result: Answer, question: str,
              chart: bool = True) -> InlineKeyboardMarkup | None:
    """Buttons under a reply: suggestions, "Xem biểu đồ" for comparisons, 👍/👎 for answers."""
    rows = []
    metric_id = chart_metric(result, services.kb) if chart else None
    button = chart_button(metric_id) if metric_id else None
    if button:
        rows.append([button])
    if result.status == "answered":
        rows.append(services.buttons.feedback_row(question))
    return services.buttons.keyboard(result.suggestions, rows)
