"""Per-user rate limits: a token bucket that allows a burst, then a steady rate."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class Verdict(enum.Enum):
    """What to do with a user's message or button press."""

    SERVE = "serve"
    WARN = "warn"
    IGNORE = "ignore"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class FloodControl:
    """Each user has a bucket of ``burst`` tokens, refilled at ``rate`` tokens per ``window``.

    Every action (a message, a command, a button press) takes one token, so a person can tap
    through the menus in a burst while a script is stopped after ``burst`` actions and then held
    to the rate. The first action refused gets one notice (WARN), the rest are ignored until a
    token is back. ``rate=0`` turns the control off.
    """

    def __init__(self, rate: int, window: float, burst: int | None = None,
                 max_users: int = 10_000) -> None:
        self._rate = rate / window if window > 0 else 0.0
        self._burst = float(max(burst if burst is not None else rate, 1))
        self._max_users = max_users
        self._buckets: dict[int, _Bucket] = {}

    @property
    def off(self) -> bool:
        """Whether every action is served."""
        return self._rate == 0

    def check(self, user_id: int, now: float) -> Verdict:
        """Decide on an action of ``user_id`` at ``now`` (monotonic seconds), taking a token."""
        if self.off:
            return Verdict.SERVE
        bucket = self._bucket(user_id, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.SERVE
        if bucket.warned:
            return Verdict.IGNORE
        bucket.warned = True
        return Verdict.WARN

    def wait_seconds(self, user_id: int, now: float) -> int:
        """Whole seconds until ``user_id`` has a token again (0 when they have one now)."""
        if self.off:
            return 0
        bucket = self._bucket(user_id, now)
        return 0 if bucket.tokens >= 1 else max(1, math.ceil((1 - bucket.tokens) / self._rate))

    def _bucket(self, user_id: int, now: float) -> _Bucket:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self._max_users:
                self._forget_full(now)
            bucket = self._buckets[user_id] = _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.at) * self._rate)
        bucket.at = now
        return bucket

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: their users are as good as new."""
        for user_id, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) * self._rate >= self._burst:
                del self._buckets[user_id]
