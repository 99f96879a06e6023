"""Inline mode: ``@bot câu hỏi`` in any chat offers the sourced answer as a result to send."""

from __future__ import annotations

import hashlib

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers.render import render_one_html
from handlers.services import services_of
from handlers.texts import INLINE_HINT, INLINE_TITLE
from knowledge import answer

CACHE_SECONDS = 300
_DESCRIPTION_CHARS = 120


async def answer_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the answer to the typed question, with its sources, as an article to send."""
    query = update.inline_query
    question = query.query.strip()
    if not question:
        hint = InlineQueryResultsButton(text=INLINE_HINT, start_parameter="help")
        await query.answer([], button=hint, cache_time=CACHE_SECONDS)
        return
    services = services_of(context)
    result = answer(question, services.kb)
    article = InlineQueryResultArticle(
        id=hashlib.blake2b(question.encode(), digest_size=16).hexdigest(),
        title=INLINE_TITLE[result.status].format(question=question),
        description=result.body.split("\n", 1)[0][:_DESCRIPTION_CHARS],
        input_message_content=InputTextMessageContent(
            render_one_html(result), parse_mode=ParseMode.HTML
        ),
        reply_markup=services.buttons.keyboard(result.suggestions),
    )
    await query.answer([article], cache_time=CACHE_SECONDS)
