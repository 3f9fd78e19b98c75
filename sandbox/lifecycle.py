"""An interaction's life: opened by the driver, acknowledged once within 3 seconds, then completed."""

from __future__ import annotations

import asyncio
import logging
import time

from sandbox.errors import UNKNOWN_INTERACTION, DiscordHTTPError
from sandbox.state import SandboxState
from sandbox.store import InteractionRecord

log = logging.getLogger(__name__)

NOT_ACKNOWLEDGED = "interaction not acknowledged within 3 seconds"


class Lifecycle:
    """Registers interactions and expires the ones the bot does not acknowledge in time."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._timers: dict[int, asyncio.TimerHandle] = {}

    def open(self, record: InteractionRecord) -> None:
        """Start the 3-second clock on a freshly sent interaction."""
        self.state.interactions[record.id] = record
        self.state.by_token[record.token] = record
        loop = asyncio.get_running_loop()
        self._timers[record.id] = loop.call_later(self.state.config.interaction_deadline, self.expire, record)

    def expire(self, record: InteractionRecord, detail: str | None = None) -> None:
        """The deadline passed without a response: Discord shows "This interaction failed"."""
        self._timers.pop(record.id, None)
        if record.response_type is not None or record.expired:
            return
        record.expired = True
        deadline = self.state.config.interaction_deadline
        self.state.violate(NOT_ACKNOWLEDGED, detail or f"{record.label}: no callback within {deadline:g} s "
                           "(the user sees \"The application did not respond\")", kind="interaction",
                           interaction=record)
        record.finished.set()

    def acknowledge(self, record: InteractionRecord, response_type: int) -> None:
        """Mark the first (and only) callback."""
        timer = self._timers.pop(record.id, None)
        if timer is not None:
            timer.cancel()
        record.response_type = response_type
        record.touch()
        record.acknowledged.set()

    def check_open(self, record: InteractionRecord) -> None:
        """Raise Discord's 404 Unknown interaction when the 3 seconds are over."""
        if not record.expired and time.monotonic() - record.created > self.state.config.interaction_deadline:
            self.expire(record)
        if record.expired:
            raise DiscordHTTPError(404, UNKNOWN_INTERACTION, "Unknown interaction")

    def close(self) -> None:
        """Cancel every pending timer (server shutdown)."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
