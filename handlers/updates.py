"""Hot reload: /capnhat (and SIGHUP) swap in the edited knowledge base and tell who should know.

Each chat told gets one message: the units it follows (a group's registration, a subscription)
with their new, changed and withdrawn figures, and the figures it was given in an answer in the
last 30 days that changed or were withdrawn.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging

from telegram import Update, User
from telegram.ext import ContextTypes

from bot.library import Reload
from bot.schedule import OutboxRow
from handlers.auditing import audit, bot_admin_asks
from handlers.replies import reply_plain
from handlers.services import Services, services_of
from handlers.texts import kb_news_html, reload_report
from knowledge.changes import FigureChange, PlaceChanges

logger = logging.getLogger(__name__)
# How long the figures given to a chat are kept, so it hears when one changes.
GIVEN_KEPT = dt.timedelta(days=30)


def _news_key(changes: tuple[PlaceChanges, ...]) -> str:
    """Names the news by its content, so telling the same changes twice adds nothing."""
    digest = hashlib.blake2b(digest_size=8)
    for change in changes:
        for fact in (*change.added, *change.changed, *change.removed):
            digest.update(repr((fact.id, fact.value, fact.of, fact.percent, fact.year)).encode())
    return f"kb:{digest.hexdigest()}"


async def news_rows(services: Services, result: Reload) -> list[OutboxRow]:
    """One outbox row per chat to tell about this reload (see the module's docstring)."""
    changes = [c for c in result.changes if c.worth_telling]
    if not changes:
        return []
    now = services.clock()
    followed: dict[int, dict[str, PlaceChanges]] = {}
    titles: dict[int, str] = {}
    for group in await services.store.groups():
        titles[group.chat_id] = group.title
        for change in changes:
            if group.wants(change.place.key):
                followed.setdefault(group.chat_id, {})[change.place.key] = change
    by_place = {change.place.key: change for change in changes}
    for subscription in await services.store.subscriptions():
        if (change := by_place.get(subscription.place)) is not None:
            followed.setdefault(subscription.chat_id, {})[change.place.key] = change
    revised = {c.old.id: c for change in changes for c in change.revised}
    given: dict[int, dict[str, FigureChange]] = {}
    for record in await services.store.given(revised):
        figure = revised[record.fact_id]
        if now - record.at <= GIVEN_KEPT and (
                figure.old.place.key not in followed.get(record.chat_id, {})):
            given.setdefault(record.chat_id, {})[record.fact_id] = figure
    key = _news_key(result.changes)
    today = now.date()
    return [OutboxRow(key, chat_id, kb_news_html(list(followed.get(chat_id, {}).values()),
                                                 list(given.get(chat_id, {}).values()),
                                                 result.labels, today),
                      chat_title=titles.get(chat_id, ""))
            for chat_id in dict.fromkeys([*followed, *given])]


async def apply_reload(services: Services, user: User | None = None,
                       subject: str | None = None) -> str:
    """Reload the knowledge base; queue the news to the chats that should know.

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
    """Queue a reload's news to the chats that should know, audit it; return the report."""
    rows = []
    if result.ok:
        rows = await news_rows(services, result)
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
