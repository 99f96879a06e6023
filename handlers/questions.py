"""Answering questions: private text, group mentions and replies, /hoi, captions and buttons.

Every question is read in its conversation: a private chat, one member in a group, or the
thread of the bot's answer the user replies to.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Chat, ForceReply, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.records import Conversation
from bot.storage import StoreUnavailable
from handlers.addressing import command_argument, group_question, without_mentions
from handlers.buttons import EXAMPLE, chart_button
from handlers.feedback import record_unanswered
from handlers.render import render_html, render_one_html
from handlers.replies import edit_unless_unchanged, reply_html, reply_plain
from handlers.services import Services, services_of
from handlers.texts import ASK_PLACEHOLDER, ASK_PROMPT, MAX_QUESTION_CHARS, STALE_BUTTON, TOO_LONG
from knowledge import Context, respond
from knowledge.charts import chart_metric
from knowledge.model import FIGURE_KINDS, Answer

logger = logging.getLogger(__name__)
# A reply to one of the bot's answers continues that answer's conversation this long.
THREAD_KEPT = dt.timedelta(days=7)


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
    message = query.message if isinstance(query.message, Message) else None
    # Under an inline-mode message there is no chat, hence no conversation.
    keys = [] if message is None else [
        _thread_key(message.chat.id, message.message_id),
        _conversation_key(message.chat, query.from_user.id)]
    reply = respond(question, services.kb, await _context(services, keys))
    if message is not None:
        remember_given(services, message.chat.id, reply.answer)
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(
        render_one_html(reply.answer),
        parse_mode=ParseMode.HTML,
        # A chart is sent into a chat: none to send to under an inline-mode message.
        reply_markup=_keyboard(services, reply.answer, question, chart=message is not None),
    ))
    await _remember(services, reply.context, keys)


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
    """Reply to ``message`` with the answer to ``question``, in the asker's conversation.

    ``asker`` asked it (a button's presser), else the message's sender. Questions the bot
    cannot answer go to the unanswered log.
    """
    # Longer than any real question: a pasted document would only produce noise.
    if len(question) > MAX_QUESTION_CHARS:
        await reply_plain(message, TOO_LONG)
        return
    services = services_of(context)
    asker = asker or message.from_user
    conversation = _conversation_key(message.chat, asker.id if asker else 0)
    replied = message.reply_to_message
    thread = [_thread_key(replied.chat.id, replied.message_id)] if replied and (
        replied.from_user and replied.from_user.id == context.bot.id) else []
    reply = respond(question, services.kb, await _context(services, [*thread, conversation]))
    result = reply.answer
    if result.status != "answered" and not result.smalltalk:
        record_unanswered(question, result.status, message.chat.type, asker, services)
    # Kept before the reply goes out, so the asker's next message finds it.
    await _remember(services, reply.context, [conversation])
    sent = await reply_html(message, render_html(result), _keyboard(services, result, question),
                            quote)
    await _remember(services, reply.context, [_thread_key(m.chat.id, m.message_id) for m in sent])
    remember_given(services, message.chat.id, result)


def _conversation_key(chat: Chat, user_id: int) -> str:
    """A private chat is one conversation; in a group each member has their own."""
    return f"chat:{chat.id}" if chat.type == Chat.PRIVATE else f"chat:{chat.id}:user:{user_id}"


def _thread_key(chat_id: int, message_id: int) -> str:
    return f"message:{chat_id}:{message_id}"


async def _context(services: Services, keys: list[str]) -> Context:
    """The context of the first of ``keys`` still fresh.

    An answer's thread keeps it ``THREAD_KEPT``; the asker's conversation while it is quiet for
    less than ``conversation_idle``.
    """
    now = services.clock()
    for key in keys:
        try:
            stored = await services.store.conversation(key)
        except StoreUnavailable as error:
            logger.warning("Conversation not read, the question stands alone: %s", error)
            return Context()
        kept = THREAD_KEPT if key.startswith("message:") else services.conversation_idle
        if stored is not None and now - stored.at <= kept:
            return Context.from_dict(stored.context)
    return Context()


async def _remember(services: Services, context: Context, keys: list[str]) -> None:
    """Keep what the conversation settled; a failing store costs the follow-up, not the answer."""
    if not keys:
        return
    now, data = services.clock(), context.to_dict()
    try:
        await services.store.save_conversations(Conversation(key, data, now) for key in keys)
    except StoreUnavailable as error:
        logger.warning("Conversation not kept: %s", error)


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
