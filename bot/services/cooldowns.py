"""Per-member cooldowns: a member who acts too often is told how long to wait."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable

from bot.errors import OnCooldown


class Cooldown:
    """At most one action per ``seconds`` for each key (for example (guild, member))."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic, what: str = "that") -> None:
        self.seconds = seconds
        self._clock = clock
        self._what = what
        self._last: dict[Hashable, float] = {}

    def remaining(self, key: Hashable) -> float:
        """Seconds until ``key`` may act again (0 when it may now)."""
        last = self._last.get(key)
        if last is None:
            return 0.0
        return max(0.0, last + self.seconds - self._clock())

    def hit(self, key: Hashable) -> None:
        """Record an action for ``key``, or raise ``OnCooldown`` if it is too soon."""
        if self.seconds <= 0:
            return
        wait = self.remaining(key)
        if wait > 0:
            raise OnCooldown(f"You're doing {self._what} too quickly — try again in {math.ceil(wait)} s.", wait)
        now = self._clock()
        self._last[key] = now
        if len(self._last) > 10_000:  # forget members whose cooldown is long over
            self._last = {k: t for k, t in self._last.items() if t + self.seconds > now}

    def reset(self, key: Hashable) -> None:
        """Forget ``key`` (for example when its action failed and should not count)."""
        self._last.pop(key, None)
