"""A clock for end-to-end tests: starts where a test says and runs at real speed."""

from __future__ import annotations

import datetime as dt
import time


class FakeClock:
    """The bot's clock: starts at ``start`` and runs at real speed, so jobs fire for real."""

    def __init__(self, start: dt.datetime) -> None:
        self.start = start
        self.started = time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.started)
