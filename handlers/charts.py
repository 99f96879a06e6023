"""Charts in Telegram: ``/bieudo`` and the "Xem biểu đồ" button send a PNG with its sources."""

from __future__ import annotations

import asyncio

from telegram import Chat, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers.addressing import command_argument
from handlers.buttons import chart_button, chart_metric_of
from handlers.render import render_chart_caption
from handlers.replies import reply_plain
from handlers.services import services_of
from handlers.texts import (
    CHART_IN_CHAT_ONLY,
    MAX_QUESTION_CHARS,
    NOTHING_TO_CHART,
    STALE_CHART_BUTTON,
    TOO_LONG,
    chart_pick,
)
from knowledge import KnowledgeBase
from knowledge.chart_png import render_png
from knowledge.charts import (
    Chart,
    NoChart,
    chart_for,
    chartable_metrics,
    compare_chart,
    has_trends,
)

CHART_FILENAME = "bieudo.png"


async def send_chart_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the chart ``/bieudo <chỉ số> [quận]`` asks for; a bare /bieudo offers the metrics."""
    message = update.effective_message
    kb = services_of(context).kb
    request = command_argument(message)
    if not request:
        keyboard = _metric_keyboard(kb)
        if keyboard is None:
            await reply_plain(message, NOTHING_TO_CHART)
            return
        await message.reply_text(chart_pick(has_trends(kb)), reply_markup=keyboard,
                                 do_quote=message.chat.type != Chat.PRIVATE)
        return
    if len(request) > MAX_QUESTION_CHARS:
        await reply_plain(message, TOO_LONG)
        return
    result = chart_for(kb, request)
    if isinstance(result, NoChart):
        await reply_plain(message, result.reason)
        return
    await _send_chart(message, result)


async def send_pressed_chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the comparison chart of the metric behind a pressed "Xem biểu đồ" button."""
    query = update.callback_query
    kb = services_of(context).kb
    metric_id = chart_metric_of(query.data)
    if metric_id is None or metric_id not in kb.metrics:
        await query.answer(STALE_CHART_BUTTON)
        return
    # Under an inline-mode message, or one too old to reach, there is no chat to send to.
    if not isinstance(query.message, Message):
        await query.answer(CHART_IN_CHAT_ONLY)
        return
    await query.answer()
    result = compare_chart(kb, metric_id)
    if isinstance(result, NoChart):
        await reply_plain(query.message, result.reason)
        return
    await _send_chart(query.message, result)


def _metric_keyboard(kb: KnowledgeBase) -> InlineKeyboardMarkup | None:
    """One button per metric that can be compared, named by its label."""
    buttons = [chart_button(m.id, m.label[:1].upper() + m.label[1:])
               for m in chartable_metrics(kb)]
    rows = [[button] for button in buttons if button is not None]
    return InlineKeyboardMarkup(rows) if rows else None


async def _send_chart(message: Message, chart: Chart) -> None:
    # Drawing takes a tenth of a second or more: keep the event loop serving other chats.
    png = await asyncio.to_thread(render_png, chart)
    await message.reply_photo(
        png,
        caption=render_chart_caption(chart),
        parse_mode=ParseMode.HTML,
        filename=CHART_FILENAME,
        do_quote=message.chat.type != Chat.PRIVATE,
    )
