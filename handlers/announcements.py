"""Announcements by bot admins: drafted (/thongbao), decided (Gửi/Hủy), scheduled ones listed.

A scheduled announcement is listed by /lichthongbao with a button that cancels it.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import replace

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.schedule import Announcement, announcement_rows
from bot.timewords import Unclear, split_send_time
from handlers.addressing import command_argument
from handlers.auditing import audit, bot_admin_asks
from handlers.permissions import is_bot_admin
from handlers.replies import edit_unless_unchanged, reply_html, reply_plain
from handlers.services import services_of
from handlers.texts import (
    ANNOUNCE_IN_PRIVATE,
    ANNOUNCE_USAGE,
    ANNOUNCEMENT_CANCELLED,
    ANNOUNCEMENT_DONE,
    ANNOUNCEMENT_TOO_LONG,
    ANNOUNCEMENT_UNKNOWN,
    CANCEL_BUTTON,
    MAX_ANNOUNCEMENT_CHARS,
    NO_GROUPS_LEFT,
    NOT_BOT_ADMIN,
    NOT_DRAFT_AUTHOR,
    SEND_BUTTON,
    announcement_content,
    announcement_html,
    announcement_preview,
    announcement_queued,
    cancel_scheduled_button,
    first_words,
    place_problem,
    scheduled_cancelled,
    scheduled_list,
    unclear_moment,
)
from knowledge import KnowledgeBase, lookup_place
from knowledge.model import Place
from knowledge.text import fold

logger = logging.getLogger(__name__)
ANNOUNCEMENT_PATTERN = r"^a:"
SCHEDULED_PATTERN = r"^l:"
_SEND, _CANCEL = "send", "cancel"
_UNSCHEDULE = "l:"
_ALL = ("tat ca", "tat ca cac nhom", "moi nhom")
_MAX_NAME_WORDS = 6


def split_target(text: str, kb: KnowledgeBase) -> tuple[Place | None, str] | str:
    """Split ``[đơn vị|tất cả] <nội dung>`` into the unit (None: all) and the content.

    The target is the longest run of leading words that names exactly one unit of either map,
    or ``tất cả``; without either, the announcement goes to every group. Returns the reply text
    when the leading words name several same-named units.
    """
    ends = [m.end() for m in re.finditer(r"\S+", text)][:_MAX_NAME_WORDS]
    for end in reversed(ends):
        head, rest = text[:end], text[end:].strip()
        if fold(head) in _ALL:
            return None, rest
        lookup = lookup_place(head, kb)
        if lookup.rest:
            continue
        if lookup.place is not None:
            return lookup.place, rest
        if lookup.options:
            return place_problem(lookup, "thongbao", kb)
    return None, text.strip()


def _keyboard(announcement_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(SEND_BUTTON, callback_data=f"a:{_SEND}:{announcement_id}"),
        InlineKeyboardButton(CANCEL_BUTTON, callback_data=f"a:{_CANCEL}:{announcement_id}"),
    ]])


async def draft_announcement(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a bot admin the announcement, its groups and time, with Gửi and Hủy buttons."""
    message = update.effective_message
    services = services_of(context)
    user = message.from_user
    if not is_bot_admin(user, services.admin_ids):
        logger.warning("User %s tried /thongbao without being in ADMIN_IDS.",
                       user.id if user else None)
        await audit(services, "refused", user, chat_id=message.chat.id, subject="/thongbao")
        await reply_plain(message, NOT_BOT_ADMIN)
        return
    if message.chat.type != Chat.PRIVATE:
        await reply_plain(message, ANNOUNCE_IN_PRIVATE)
        return
    now = services.clock()
    timed = split_send_time(command_argument(message), now)
    if isinstance(timed, Unclear):
        await reply_plain(message, unclear_moment(timed, services.timezone, now))
        return
    targeted = split_target(timed[0], services.kb)
    if isinstance(targeted, str):
        await reply_plain(message, targeted)
        return
    place, content = targeted
    if not content:
        await reply_plain(message, ANNOUNCE_USAGE)
        return
    if len(content) > MAX_ANNOUNCEMENT_CHARS:
        await reply_plain(message, ANNOUNCEMENT_TOO_LONG)
        return
    announcement = Announcement(
        id=secrets.token_hex(4), admin_id=user.id, admin_chat_id=message.chat.id,
        text=announcement_html(content, place), created_at=now,
        place=place.key if place else None, send_at=timed[1], content=content)
    groups = [g for g in await services.store.groups() if g.wants(announcement.place)]
    await services.store.save_announcement(announcement)
    await audit(services, "announcement_drafted", user, chat_id=message.chat.id,
                subject=announcement.id, detail=f"{len(groups)} nhóm: {content}")
    preview = announcement_preview(announcement, place, len(groups), now, services.timezone)
    await reply_html(message, [preview], _keyboard(announcement.id) if groups else None)


async def decide_announcement(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the previewed announcement for its groups (Gửi) or drop it (Hủy)."""
    query = update.callback_query
    services = services_of(context)
    if not is_bot_admin(query.from_user, services.admin_ids):
        logger.warning("User %s pressed an announcement button without being in ADMIN_IDS.",
                       query.from_user.id)
        await audit(services, "refused", query.from_user, subject=query.data or "")
        await query.answer(NOT_BOT_ADMIN, show_alert=True)
        return
    action, _, announcement_id = (query.data or "").removeprefix("a:").partition(":")
    announcement = await services.store.announcement(announcement_id)
    if announcement is None or action not in (_SEND, _CANCEL):
        await query.answer(ANNOUNCEMENT_UNKNOWN, show_alert=True)
        return
    if query.from_user.id != announcement.admin_id:
        logger.warning("Admin %s pressed the buttons of admin %s's announcement %s.",
                       query.from_user.id, announcement.admin_id, announcement.id)
        await audit(services, "refused", query.from_user, subject=announcement.id,
                    detail=f"bản nháp của {announcement.admin_id}")
        await query.answer(NOT_DRAFT_AUTHOR, show_alert=True)
        return
    if announcement.state != "draft":
        await query.answer(ANNOUNCEMENT_DONE)
        return
    if action == _CANCEL:
        await services.store.save_announcement(replace(announcement, state="cancelled"))
        await audit(services, "announcement_cancelled", query.from_user,
                    subject=announcement.id)
        await query.answer()
        await query.edit_message_text(ANNOUNCEMENT_CANCELLED)
        return
    rows = announcement_rows(announcement.message_key, announcement.text,
                             await services.store.groups(), announcement.place,
                             not_before=announcement.send_at)
    if not rows:
        await services.store.save_announcement(replace(announcement, state="cancelled"))
        await query.answer()
        await query.edit_message_text(NO_GROUPS_LEFT)
        return
    await services.store.save_announcement(replace(announcement, state="queued"), rows,
                                           services.clock())
    await audit(services, "announcement_confirmed", query.from_user, subject=announcement.id,
                detail="nhóm " + ", ".join(str(row.chat_id) for row in rows))
    services.courier.kick()
    await query.answer()
    await query.edit_message_text(
        f"{announcement.text}\n\n"
        f"{announcement_queued(len(rows), announcement.send_at, services.timezone)}",
        parse_mode=ParseMode.HTML)


async def list_scheduled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a bot admin the announcements waiting for their time, each with a "Hủy" button."""
    message = update.effective_message
    services = services_of(context)
    if not await bot_admin_asks(message, services, "/lichthongbao"):
        return
    now = services.clock()
    waiting = sorted((a for a in await services.store.announcements("queued")
                      if a.send_at is not None and a.send_at > now),
                     key=lambda a: a.send_at or now)
    counts = {a.id: len(await services.store.rows(a.message_key)) for a in waiting}
    buttons = [[InlineKeyboardButton(cancel_scheduled_button(n),
                                     callback_data=f"{_UNSCHEDULE}{a.id}")]
               for n, a in enumerate(waiting, 1)]
    await message.reply_text(scheduled_list(waiting, counts, services.timezone),
                             reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
                             do_quote=message.chat.type != Chat.PRIVATE)


async def cancel_scheduled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel the scheduled announcement pressed under /lichthongbao, unless it started."""
    query = update.callback_query
    services = services_of(context)
    if not is_bot_admin(query.from_user, services.admin_ids):
        await audit(services, "refused", query.from_user, subject=query.data or "")
        await query.answer(NOT_BOT_ADMIN, show_alert=True)
        return
    announcement = await services.store.announcement(
        (query.data or "").removeprefix(_UNSCHEDULE))
    if announcement is None:
        await query.answer(ANNOUNCEMENT_UNKNOWN, show_alert=True)
        return
    cancelled = await services.store.cancel_announcement(announcement.id)
    if cancelled:
        await audit(services, "announcement_cancelled", query.from_user,
                    subject=announcement.id, detail=first_words(announcement_content(announcement)))
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(
        scheduled_cancelled(announcement, cancelled, services.timezone)))
