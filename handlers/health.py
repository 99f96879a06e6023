"""Admin views of the bot's own state: /trangthai (health) and /nhatky (the audit log)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.health import health
from handlers.auditing import bot_admin_asks
from handlers.replies import reply_plain
from handlers.services import services_of
from handlers.texts import audit_report, status_report

AUDIT_SHOWN = 20


async def show_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a bot admin the outbox, uncertain and given-up sends, and the last commit error."""
    message = update.effective_message
    services = services_of(context)
    if not await bot_admin_asks(message, services, "/trangthai"):
        return
    now = services.clock()
    figures = await health(services.store, now, stalled=services.courier.stalled,
                           offline=services.courier.offline)
    await reply_plain(message, status_report(figures, now, services.timezone))


async def show_audit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a bot admin the latest audit entries: announcements, groups, reloads, refusals."""
    message = update.effective_message
    services = services_of(context)
    if not await bot_admin_asks(message, services, "/nhatky"):
        return
    entries = await services.store.audit(AUDIT_SHOWN)
    await reply_plain(message, audit_report(entries, services.timezone))
