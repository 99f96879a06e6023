"""What handlers reach through the PTB context: the knowledge base, buttons and flood control."""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import Application, ContextTypes

from handlers.buttons import QuestionButtons
from handlers.flood import FloodControl
from knowledge import KnowledgeBase

_KEY = "services"


@dataclass(frozen=True, slots=True)
class Services:
    """The adapters the composition root hands to every handler."""

    kb: KnowledgeBase
    buttons: QuestionButtons
    flood: FloodControl


def install_services(application: Application, services: Services) -> None:
    """Make ``services`` available to the application's handlers."""
    application.bot_data[_KEY] = services


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """Return the services installed for the running application."""
    return context.bot_data[_KEY]
