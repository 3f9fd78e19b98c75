"""Single flight: concurrent calls with the same key share one execution and all get its result or error."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Flight(Generic[T]):
    task: asyncio.Future[T]
    waiters: int = 0


class SingleFlight(Generic[T]):
    """Runs at most one ``factory()`` per key at a time; callers arriving meanwhile await the same one.

    A caller that is cancelled stops waiting without disturbing the others; when the last waiter is gone
    the shared work is cancelled too (so an abandoned request waiting for a rate-limit slot is never sent).
    """

    def __init__(self) -> None:
        self._flights: dict[Hashable, _Flight[T]] = {}

    def in_flight(self) -> int:
        """How many keys are being worked on right now."""
        return len(self._flights)

    async def run(self, key: Hashable, factory: Callable[[], Awaitable[T]]) -> T:
        """Join the flight for ``key``, starting it with ``factory()`` if there is none."""
        flight = self._flights.get(key)
        if flight is None:
            flight = _Flight(asyncio.ensure_future(factory()))
            self._flights[key] = flight
            flight.task.add_done_callback(functools.partial(self._landed, key))
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task)
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.task.done():
                # Forget it first, so a caller arriving now starts afresh instead of joining a cancelled flight.
                if self._flights.get(key) is flight:
                    del self._flights[key]
                flight.task.cancel()

    def _landed(self, key: Hashable, task: asyncio.Future[T]) -> None:
        current = self._flights.get(key)
        if current is not None and current.task is task:
            del self._flights[key]
        if not task.cancelled():
            task.exception()  # retrieved here, so a failure nobody awaited is not reported as "never retrieved"
