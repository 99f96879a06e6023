"""The reload signal (SIGHUP from ``thidua kb reload``), safe at any moment of the bot's life."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable


class ReloadSignal:
    """Notes SIGHUP from process start and applies it once the bot runs.

    A signal during start-up neither kills the bot (SIGHUP's default) nor gets lost: it is
    applied as soon as the bot is up. Import-light, so ``thidua run`` installs it first thing.
    """

    def __init__(self) -> None:
        self.pending = False
        self._apply: Callable[[], None] | None = None

    def install(self) -> None:
        """Note SIGHUP from now on (before the event loop exists)."""
        signal.signal(signal.SIGHUP, lambda *_: self.fire())

    def fire(self) -> None:
        """Reload now if the bot runs, else as soon as it does."""
        if self._apply is None:
            self.pending = True
            return
        self._apply()

    def attach(self, apply: Callable[[], None]) -> None:
        """Apply reloads from now on (in the running loop), first one noted during start-up."""
        self._apply = apply
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.fire)
        if self.pending:
            self.pending = False
            apply()

    def detach(self) -> None:
        """Stop applying reloads (shutdown): a late signal is only noted, never fatal."""
        self._apply = None
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        self.install()
