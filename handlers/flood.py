"""Per-user flood control: serve a user up to a rate, then one notice, then silence."""

from __future__ import annotations

import enum
import math
from collections import deque


class Verdict(enum.Enum):
    """What to do with a user's message."""

    SERVE = "serve"
    WARN = "warn"
    IGNORE = "ignore"


class FloodControl:
    """Count each user's served messages in a sliding window.

    Past ``max_messages`` in ``window`` seconds the user's next message is answered with one
    notice and later ones are ignored, until the oldest served message leaves the window.
    ``max_messages=0`` turns the control off.
    """

    def __init__(self, max_messages: int, window: float, max_users: int = 10_000) -> None:
        self._max = max_messages
        self._window = window
        self._max_users = max_users
        self._served: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int, now: float) -> Verdict:
        """Decide on a message from ``user_id`` arriving at ``now`` (monotonic seconds)."""
        if self._max == 0:
            return Verdict.SERVE
        served = self._recent(user_id, now)
        if len(served) < self._max:
            served.append(now)
            self._warned.discard(user_id)
            return Verdict.SERVE
        if user_id in self._warned:
            return Verdict.IGNORE
        self._warned.add(user_id)
        return Verdict.WARN

    def wait_seconds(self, user_id: int, now: float) -> int:
        """Whole seconds until ``user_id`` is served again (0 when they would be now)."""
        served = self._recent(user_id, now)
        if len(served) < self._max:
            return 0
        return max(1, math.ceil(served[0] + self._window - now))

    def _recent(self, user_id: int, now: float) -> deque[float]:
        if user_id not in self._served and len(self._served) >= self._max_users:
            self._forget_idle(now)
        served = self._served.setdefault(user_id, deque())
        while served and served[0] <= now - self._window:
            served.popleft()
        return served

    def _forget_idle(self, now: float) -> None:
        cutoff = now - self._window
        idle = [u for u, times in self._served.items() if not times or times[-1] <= cutoff]
        for user_id in idle:
            del self._served[user_id]
            self._warned.discard(user_id)
