"""A sliding-window request limiter with a server-imposed block, for one upstream shared by the whole process.

Design: a *sliding-window log*. The limiter remembers when each of the last ``per_window`` requests was sent;
a new request may go at time ``t`` only if fewer than ``per_window`` were sent in ``(t - window, t]`` and no
back-off (from a 429) is in force. So no 60 s window, wherever it starts, ever holds more than ``per_window``
sends — unlike a token bucket, which allows a burst of a full bucket on top of the refill.

Waiters queue on one FIFO lock: the head of the queue sleeps until its slot, sends, and hands over. A 429
that arrives meanwhile moves ``blocked_until`` forward, and the head simply sleeps again when it wakes. A caller
that cannot wait long passes ``max_wait``: if its slot (counting everyone queued before it) is further away than
that, ``acquire`` raises ``LimiterBusy`` at once and the caller's request is never sent.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class LimiterBusy(Exception):
    """The wait for a slot is longer than the caller allowed; ``wait`` is in seconds."""

    def __init__(self, wait: float, *, blocked: bool) -> None:
        super().__init__(f"next slot in {wait:.1f} s")
        self.wait = wait
        self.blocked = blocked


class SlidingWindowLimiter:
    """At most ``per_window`` acquisitions in any rolling ``window`` seconds, plus an explicit block."""

    def __init__(
        self,
        per_window: int,
        *,
        window: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if per_window < 1:
            raise ValueError("per_window must be at least 1")
        self.per_window = per_window
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque(maxlen=per_window)
        self._blocked_until = -math.inf
        self._queued = 0
        self._lock = asyncio.Lock()

    @property
    def sent(self) -> tuple[float, ...]:
        """Clock times of the most recent sends (at most ``per_window`` of them), oldest first."""
        return tuple(self._sent)

    @property
    def queued(self) -> int:
        """How many callers are waiting for a slot right now."""
        return self._queued

    def blocked_for(self) -> float:
        """Seconds left of a back-off imposed by ``block`` (0.0 when none)."""
        return max(0.0, self._blocked_until - self._clock())

    def delay(self) -> float:
        """Seconds a request made now would wait for its slot, counting the callers already queued."""
        return self._wait_for(self._clock(), self._queued + 1)

    def block(self, seconds: float) -> None:
        """Send nothing for ``seconds`` from now (a longer block already in force is kept)."""
        self._blocked_until = max(self._blocked_until, self._clock() + max(0.0, seconds))

    async def acquire(self, max_wait: float = math.inf) -> None:
        """Wait for a slot and take it; raise ``LimiterBusy`` instead if that would take over ``max_wait`` s."""
        now = self._clock()
        wait = self._wait_for(now, self._queued + 1)
        if wait > max_wait:
            raise LimiterBusy(wait, blocked=self._blocked_until > now)
        deadline = now + max_wait
        self._queued += 1
        try:
            async with self._lock:
                while True:
                    now = self._clock()
                    wait = self._wait_for(now, 1)
                    if wait <= 0:
                        self._sent.append(now)
                        return
                    if now + wait > deadline:
                        raise LimiterBusy(wait, blocked=self._blocked_until > now)
                    await self._sleep(wait)
        finally:
            self._queued -= 1

    def _wait_for(self, now: float, nth: int) -> float:
        """Seconds from ``now`` until the ``nth`` next request may be sent (1 = the very next one)."""
        recent = list(self._sent)
        slot = max(now, self._blocked_until)
        for _ in range(nth):
            if len(recent) >= self.per_window:
                slot = max(slot, recent[-self.per_window] + self.window)
            recent.append(slot)
        return max(0.0, slot - now)


class MemberShare:
    """Each member's share of the upstream budget: a token bucket of ``per_minute`` requests a minute each.

    Design: a member may *start* a look-up while they hold at least one token (``check``); every request the
    look-up then sends is charged (``charge``), even past zero, so a look-up is never cut off half-way (a big
    show takes several pages) — the debt is paid back by the refill before that member's next look-up. So no
    member keeps more than about ``per_minute`` of the shared limiter's requests a minute, and the others keep
    the rest. A member who has not asked for a while holds a full bucket (``per_minute`` tokens: a short burst).
    """

    def __init__(self, per_minute: float, *, clock: Clock = time.monotonic, max_members: int = 10_000) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._max_members = max_members
        self._buckets: dict[object, tuple[float, float]] = {}  # member -> (tokens, when counted)

    def tokens(self, member: object) -> float:
        """The tokens ``member`` holds now (negative while paying back a look-up's debt)."""
        now = self._clock()
        tokens, then = self._buckets.get(member, (self.per_minute, now))
        return min(self.per_minute, tokens + (now - then) * self._rate)

    def wait(self, member: object) -> float:
        """Seconds until ``member`` holds a whole token again (0.0 when they hold one now)."""
        return max(0.0, (1.0 - self.tokens(member)) / self._rate)

    def check(self, member: object) -> None:
        """Raise ``LimiterBusy`` (with the wait) if ``member`` may not start a look-up now."""
        wait = self.wait(member)
        if wait > 0:
            raise LimiterBusy(wait, blocked=False)

    def charge(self, member: object, requests: int = 1) -> None:
        """Count ``requests`` sent for ``member`` (their tokens may go below zero: see the class docstring)."""
        now = self._clock()
        self._buckets[member] = (self.tokens(member) - requests, now)
        if len(self._buckets) > self._max_members:  # forget members whose bucket has filled up again
            self._buckets = {m: b for m, b in self._buckets.items() if self.tokens(m) < self.per_minute}
