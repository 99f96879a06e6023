"""Writing the audit log from handlers: who did what, and each refused attempt."""

from __future__ import annotations

import logging

from telegram import User

from bot.audit import Action, AuditEntry
from bot.storage import StoreUnavailable
from handlers.services import Services

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
