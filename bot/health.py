"""How delivery and state are doing: the figures behind ``thidua status`` and ``/trangthai``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.storage import Store


@dataclass(frozen=True, slots=True)
class Health:
    """Outbox depth, its oldest pending message, the counts admins watch, the last commit error.

    ``uncertain`` counts kept rows one of whose tries may have arrived twice; ``given_up`` the
    rows that failed for good; ``waiting`` pending rows held back (retries, ``RetryAfter``,
    scheduled announcements).
    """

    pending: int
    waiting: int
    oldest_pending: dt.datetime | None
    uncertain: int
    given_up: int
    unhandled_updates: int
    last_commit_error: str | None
    last_commit_error_at: dt.datetime | None
    failing: bool
    stalled: bool = False
    offline: bool = False


async def health(store: Store, now: dt.datetime, *, stalled: bool = False,
                 offline: bool = False) -> Health:
    """Measure ``store`` at ``now`` (``stalled``/``offline``: what the courier is waiting for)."""
    rows = await store.outbox()
    pending = [row for row in rows if row.state == "pending"]
    queued = [row.queued_at for row in pending if row.queued_at is not None]
    state = store.health()
    return Health(
        pending=len(pending),
        waiting=sum(1 for row in pending if not row.is_due(now)),
        oldest_pending=min(queued, default=None),
        uncertain=sum(1 for row in rows if row.uncertain),
        given_up=sum(1 for row in rows if row.state == "failed"),
        unhandled_updates=len(await store.unhandled_updates()),
        last_commit_error=state.last_error,
        last_commit_error_at=state.last_error_at,
        failing=state.failing,
        stalled=stalled,
        offline=offline,
    )
