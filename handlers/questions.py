"""Answering questions: private text, group mentions and replies, /hoi, captions and buttons."""

from __future__ import annotations

from telegram import Chat, ForceReply, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers.addressing import command_argument, group_question, without_mentions
from handlers.buttons import EXAMPLE, chart_button
from handlers.feedback import record_unanswered
from handlers.render import render_html, render_one_html
from handlers.replies import edit_unless_unchanged, reply_html, reply_plain
from handlers.services import Services, services_of
from handlers.texts import ASK_PLACEHOLDER, ASK_PROMPT, MAX_QUESTION_CHARS, STALE_BUTTON, TOO_LONG
from knowledge import answer
from knowledge.charts import chart_metric
from knowledge.model import Answer


async def answer_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text, or a photo's or document's caption, sent in a private chat."""
    message = update.effective_message
    await reply_with_answer(message, without_mentions(message, context.bot.username), context)


async def answer_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a group message (or caption) that mentions the bot or replies to it."""
    message = update.effective_message
    question = group_question(message, context.bot.username, context.bot.id)
    if question is not None:
        await reply_with_answer(message, question, context)


async def answer_ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer ``/hoi <câu hỏi>``; a bare ``/hoi`` asks for the question in a reply field."""
    message = update.effective_message
    question = command_argument(message)
    if not question:
        # In a group, selective: only the asker gets the reply field opened.
        await message.reply_text(
            ASK_PROMPT, do_quote=message.chat.type != Chat.PRIVATE,
            reply_markup=ForceReply(selective=True, input_field_placeholder=ASK_PLACEHOLDER))
        return
    await reply_with_answer(message, question, context)


async def answer_pressed_suggestion(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the pressed suggestion in place of the message that offered it."""
    query = update.callback_query
    services = services_of(context)
    question = services.buttons.decode(query.data)
    if question is None:
        await query.answer(STALE_BUTTON)
        return
    result = answer(question, services.kb)
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(
        render_one_html(result),
        parse_mode=ParseMode.HTML,
        # A chart is sent into a chat: none to send to under an inline-mode message.
        reply_markup=_keyboard(services, result, question, chart=query.message is not None),
    ))


async def answer_pressed_example(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask the example question pressed under /start; the answer comes as a new message."""
    query = update.callback_query
    question = services_of(context).buttons.decode(query.data, EXAMPLE)
    if question is None or not isinstance(query.message, Message):
        await query.answer(STALE_BUTTON)
        return
    await query.answer()
    await reply_with_answer(query.message, question, context, asker=query.from_user,
                            quote=False)


async def reply_with_answer(message: Message, question: str,
                            context: ContextTypes.DEFAULT_TYPE, asker: User | None = None,
                            quote: bool = True) -> None:
    """Reply to ``message`` with the answer to ``question`` (asked by ``asker``, else its sender).

    Questions the bot cannot answer go to the unanswered log.
    """
    # Longer than any real question: a pasted document would only produce noise.
    if len(question) > MAX_QUESTION_CHARS:
        await reply_plain(message, TOO_LONG)
        return
    services = services_of(context)
    result = answer(question, services.kb)
    if result.status != "answered":
        record_unanswered(question, result.status, message.chat.type,
                          asker or message.from_user, services)
    await reply_html(message, render_html(result), _keyboard(services, result, question), quote)


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
