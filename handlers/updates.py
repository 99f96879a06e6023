"""Hot reload: /capnhat (and SIGHUP) swap in the edited knowledge base and announce new results."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from telegram import Update, User
from telegram.ext import ContextTypes

from bot.library import Reload
from bot.schedule import announcement_rows
from handlers.auditing import audit, bot_admin_asks
from handlers.replies import reply_plain
from handlers.services import Services, services_of
from handlers.texts import new_results_html, reload_report
from knowledge.changes import PlaceChanges

logger = logging.getLogger(__name__)


def _results_key(change: PlaceChanges) -> str:
    """Names the announcement by its content, so announcing the same figures twice adds nothing."""
    digest = hashlib.blake2b(digest_size=8)
    for fact in change.new_figures:
        digest.update(repr((fact.id, fact.value, fact.of, fact.percent, fact.year)).encode())
    return f"results:{change.place.key}:{digest.hexdigest()}"


async def apply_reload(services: Services, user: User | None = None,
                       subject: str | None = None) -> str:
    """Reload the knowledge base; queue new figures to the groups of their districts.

    Returns the report for the admin (or the log). On any problem the old base stays in use.
    ``user`` is the admin who asked (None: ``thidua kb reload``); ``subject`` what made the
    reload, for the audit log (default: ``/capnhat`` or ``SIGHUP``). With several instances,
    the new version is published to the others.
    """
    # Loading a national knowledge base takes seconds: answers go on meanwhile.
    result = await asyncio.to_thread(services.library.reload)
    report = await announce_reload(services, result, user,
                                   subject=subject or ("/capnhat" if user else "SIGHUP"))
    if result.ok and services.kb_versions is not None:
        await services.kb_versions.published()
    return report


async def announce_reload(services: Services, result: Reload, user: User | None = None, *,
                          subject: str) -> str:
    """Queue a reload's new figures to the groups of their districts, audit it; the report."""
    rows = []
    if result.ok:
        labels = {metric.id: metric.label for metric in services.kb.metrics.values()}
        groups = await services.store.groups()
        for change in result.changes:
            if change.new_figures:
                rows.extend(announcement_rows(_results_key(change),
                                              new_results_html(change, labels), groups,
                                              change.place.code))
        if rows:
            rows = await services.store.enqueue(rows, services.clock())
            services.courier.kick()
    report = reload_report(result, len({row.chat_id for row in rows}))
    logger.info("Knowledge base reload: %s", report.replace("\n", " | "))
    await audit(services, "kb_reloaded", user, subject=subject, detail=report)
    return report


async def reload_knowledge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reload the knowledge base for a bot admin and say what changed, or what is wrong."""
    message = update.effective_message
    services = services_of(context)
    if not await bot_admin_asks(message, services, "/capnhat"):
        return
    await reply_plain(message, await apply_reload(services, message.from_user))
