"""The audit log's entries: who did what to announcements, groups, reports and the data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Action = Literal[
    "announcement_drafted", "announcement_confirmed", "announcement_cancelled",
    "group_registered", "group_unregistered", "kb_reloaded", "refused",
    "report_drafted", "report_added", "report_cancelled",
]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited act.

    ``actor`` is a Telegram user id (None: the bot or the command line);
    ``subject`` what it was about (an announcement id, a group id, a command); ``detail`` the
    rest in plain words (the groups an announcement went to, what a reload changed).
    """

    at: dt.datetime
    action: Action
    actor: int | None = None
    chat_id: int | None = None
    subject: str = ""
    detail: str = ""
