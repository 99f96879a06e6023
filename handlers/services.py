"""What handlers reach through the PTB context: knowledge, storage, delivery and bot policies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram.ext import Application, ContextTypes

from bot.background import Background
from bot.curation import Curator
from bot.delivery import Clock, Courier
from bot.library import Library
from bot.reminders import Reminders
from bot.storage import Store
from handlers.buttons import QuestionButtons
from handlers.flood import FloodControl
from knowledge import KnowledgeBase

if TYPE_CHECKING:  # PostgreSQL's modules load only when DATABASE_URL is set
    from bot.kbversions import KnowledgeVersions

_KEY = "services"


@dataclass(frozen=True, slots=True)
class Services:
    """The adapters the composition root hands to every handler.

    ``kb_versions`` shares reloads with the other instances (PostgreSQL; None on TinyDB).
    """

    library: Library
    buttons: QuestionButtons
    flood: FloodControl
    log_quota: FloodControl
    store: Store
    courier: Courier
    reminders: Reminders
    clock: Clock
    timezone: ZoneInfo
    admin_ids: frozenset[int]
    background: Background
    curator: Curator
    conversation_idle: dt.timedelta = dt.timedelta(minutes=30)
    # Bot admins whose private command menu (with the admin commands) is set in this run.
    admin_menus: set[int] = field(default_factory=set)
    kb_versions: KnowledgeVersions | None = None

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use (a reload replaces it)."""
        return self.library.kb


def install_services(application: Application, services: Services) -> None:
    """Make ``services`` available to the application's handlers."""
    application.bot_data[_KEY] = services


def services_of(context: ContextTypes.DEFAULT_TYPE | Application) -> Services:
    """Return the services installed for the running application (from a context or itself)."""
    return context.bot_data[_KEY]
