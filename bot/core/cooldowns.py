"""Per-member cooldowns: a member who acts too often is told how long to wait."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from bot.errors import OnCooldown

MAX_SECONDS = 3600.0
"""The longest cooldown a server may choose (``/settings``)."""


class Cooldown:
    """At most one action per ``seconds`` for each key (for example (guild, member))."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic, what: str = "that") -> None:
        self.seconds = seconds
        self._clock = clock
        self._what = what
        self._last: dict[Hashable, float] = {}
        self._running: set[Hashable] = set()

    def remaining(self, key: Hashable, seconds: float | None = None) -> float:
        """Seconds until ``key`` may act again (0 when it may now); ``seconds``: this key's period, if not the
        default (a server's own cooldown)."""
        last = self._last.get(key)
        if last is None:
            return 0.0
        return max(0.0, last + (self.seconds if seconds is None else seconds) - self._clock())

    def check(self, key: Hashable, seconds: float | None = None) -> None:
        """Raise ``OnCooldown`` if ``key`` may not act now (records nothing)."""
        period = self.seconds if seconds is None else seconds
        if period <= 0:
            return
        wait = self.remaining(key, period)
        if wait <= 0 and key in self._running:
            wait = period  # one charged action at a time: the next waits for a full period
        if wait > 0:
            raise OnCooldown(f"You're doing {self._what} too quickly — try again in {math.ceil(wait)} s.", wait)

    def _record(self, key: Hashable) -> None:
        now = self._clock()
        self._last[key] = now
        if len(self._last) > 10_000:  # forget members whose cooldown is long over (the longest a server may set)
            longest = max(self.seconds, MAX_SECONDS)
            self._last = {k: t for k, t in self._last.items() if t + longest > now}

    def hit(self, key: Hashable, seconds: float | None = None) -> None:
        """Record an action for ``key``, or raise ``OnCooldown`` if it is too soon."""
        self.check(key, seconds)
        if (self.seconds if seconds is None else seconds) > 0:
            self._record(key)

    @contextmanager
    def charged(self, key: Hashable) -> Iterator[None]:
        """Charge ``key`` for the block only if it succeeds: ``with cooldown.charged(member): await fetch()``.

        Refused at once (``OnCooldown``) when ``key`` is on cooldown or already inside a charged block — so a
        member cannot slip many actions in at once before the first is recorded; recorded when the block ends
        without an exception, forgotten when it raises (a failure that was not the member's doing costs nothing).
        """
        self.check(key)
        if self.seconds <= 0:
            yield
            return
        self._running.add(key)
        try:
            yield
        finally:
            self._running.discard(key)
        self._record(key)

    def reset(self, key: Hashable) -> None:
        """Forget ``key`` (for example when its action failed and should not count)."""
        self._last.pop(key, None)
