"""Admin views of the bot's own state: /trangthai (health) and /nhatky (the audit log)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.health import health
from handlers.auditing import audit
from handlers.notices import ADMIN_ONLY
from handlers.permissions import is_bot_admin
from handlers.replies import reply_plain
from handlers.services import services_of
from handlers.texts import audit_report, status_report

AUDIT_SHOWN = 20


async def show_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a bot admin the outbox, uncertain and given-up sends, and the last commit error."""
    message = update.effective_message
    services = services_of(context)
    if not is_bot_admin(message.from_user, services.admin_ids):
        await audit(services, "refused", message.from_user, chat_id=message.chat.id,
                    subject="/trangthai")
        await reply_plain(message, ADMIN_ONLY)
        return
    now = services.clock()
    figures = await health(services.store, now, stalled=services.courier.stalled,
                           offline=services.courier.offline)
    await reply_plain(message, status_report(figures, now, services.timezone))


async def show_audit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a bot admin the latest audit entries: announcements, groups, reloads, refusals."""
    message = update.effective_message
    services = services_of(context)
    if not is_bot_admin(message.from_user, services.admin_ids):
        await audit(services, "refused", message.from_user, chat_id=message.chat.id,
                    subject="/nhatky")
        await reply_plain(message, ADMIN_ONLY)
        return
    entries = await services.store.audit(AUDIT_SHOWN)
    await reply_plain(message, audit_report(entries, services.timezone))
