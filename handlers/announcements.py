"""Announcements by bot admins: /thongbao drafts a preview, its Gửi/Hủy buttons decide."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import replace

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.schedule import Announcement, UsageError, announcement_rows, split_send_time
from handlers.addressing import command_argument
from handlers.auditing import audit
from handlers.permissions import is_bot_admin
from handlers.replies import reply_html, reply_plain
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
    announcement_html,
    announcement_preview,
    announcement_queued,
    district_problem,
    usage_error,
)
from knowledge import KnowledgeBase, lookup_district
from knowledge.model import District
from knowledge.text import fold

logger = logging.getLogger(__name__)
ANNOUNCEMENT_PATTERN = r"^a:"
_SEND, _CANCEL = "send", "cancel"
_ALL = ("tat ca", "tat ca cac nhom", "moi nhom")
_MAX_NAME_WORDS = 6


def split_target(text: str, kb: KnowledgeBase) -> tuple[District | None, str] | str:
    """Split ``[quận|tất cả] <nội dung>`` into the district (None: all) and the content.

    The target is the longest run of leading words that names exactly one former district, or
    ``tất cả``; without either, the announcement goes to every group. Returns the reply text
    when the leading words name several same-named districts.
    """
    ends = [m.end() for m in re.finditer(r"\S+", text)][:_MAX_NAME_WORDS]
    for end in reversed(ends):
        head, rest = text[:end], text[end:].strip()
        if fold(head) in _ALL:
            return None, rest
        lookup = lookup_district(head, kb)
        if lookup.whole and lookup.district is not None:
            return lookup.district, rest
        if lookup.whole and lookup.options:
            return district_problem(lookup, "thongbao", list(kb.places))
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
    if isinstance(timed, UsageError):
        await reply_plain(message, usage_error(timed))
        return
    targeted = split_target(timed[0], services.kb)
    if isinstance(targeted, str):
        await reply_plain(message, targeted)
        return
    district, content = targeted
    if not content:
        await reply_plain(message, ANNOUNCE_USAGE)
        return
    if len(content) > MAX_ANNOUNCEMENT_CHARS:
        await reply_plain(message, ANNOUNCEMENT_TOO_LONG)
        return
    announcement = Announcement(
        id=secrets.token_hex(4), admin_id=user.id, admin_chat_id=message.chat.id,
        text=announcement_html(content, district), created_at=now,
        district=district.code if district else None, send_at=timed[1])
    groups = [g for g in await services.store.groups() if g.wants(announcement.district)]
    await services.store.save_announcement(announcement)
    await audit(services, "announcement_drafted", user, chat_id=message.chat.id,
                subject=announcement.id, detail=f"{len(groups)} nhóm: {content}")
    preview = announcement_preview(announcement, district, len(groups), services.timezone)
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
                             await services.store.groups(), announcement.district,
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
