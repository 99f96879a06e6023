"""Writing the audit log from handlers: who did what, and each refused attempt."""

from __future__ import annotations

import logging

from telegram import Message, User

from bot.audit import Action, AuditEntry
from bot.storage import StoreUnavailable
from handlers.permissions import is_bot_admin
from handlers.replies import reply_plain
from handlers.services import Services
from handlers.texts import ADMIN_ONLY

logger = logging.getLogger(__name__)


async def audit(services: Services, action: Action, user: User | None, *,
                chat_id: int | None = None, subject: str = "", detail: str = "") -> None:
    """Append to the audit log; a failure to write it is logged, never shown to the user."""
    entry = AuditEntry(at=services.clock(), action=action, actor=user.id if user else None,
                       chat_id=chat_id, subject=subject, detail=detail)
    try:
        await services.store.record_audit(entry)
    except StoreUnavailable as error:
        logger.error("Audit entry not written (%s): %s", error, entry)


async def bot_admin_asks(message: Message, services: Services, command: str) -> bool:
    """Whether a bot admin sent ``command``; if not, audit the refusal and say who may."""
    if is_bot_admin(message.from_user, services.admin_ids):
        return True
    await audit(services, "refused", message.from_user, chat_id=message.chat.id,
                subject=command)
    await reply_plain(message, ADMIN_ONLY)
    return False
