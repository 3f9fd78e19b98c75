"""The stand-in's shared state: world, messages, commands, interactions and the violation log."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.errors import Breach, DiscordHTTPError, Violation
from sandbox.ids import SnowflakeFactory
from sandbox.store import CommandRegistry, InteractionRecord, MessageStore, SandboxAttachment
from sandbox.world import World

log = logging.getLogger(__name__)

EventSink = Callable[[str, dict[str, Any], int], Awaitable[None]]


class SandboxState:
    """Everything the REST handlers, the gateway and the driver share."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.world = World(config)
        self.ids = SnowflakeFactory()
        self.messages = MessageStore(self.ids)
        self.commands = CommandRegistry(self.ids, config.application_id)
        self.interactions: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        self.violations: list[Violation] = []
        self.uploads: dict[int, SandboxAttachment] = {}  # files users attached to attachment options
        self.requests: list[str] = []  # "METHOD /path" of every REST call, for debugging
        self.base_url = ""
        self.session_starts = 0  # IDENTIFYs accepted (GET /gateway/bot reports what is left of the day's 1000)
        self._sinks: list[EventSink] = []

    @property
    def cdn_base(self) -> str:
        """Where attachment bytes are served (Discord's CDN stand-in)."""
        return f"{self.base_url}/cdn"

    def add_event_sink(self, sink: EventSink) -> None:
        """Have ``sink(event, data, intent)`` called for every gateway event the REST side causes."""
        self._sinks.append(sink)

    async def emit(self, event: str, data: dict[str, Any], intent: int) -> None:
        """Dispatch a gateway event (only bots that asked for ``intent`` receive it; 0 = always)."""
        for sink in self._sinks:
            await sink(event, data, intent)

    def violate(
        self,
        name: str,
        detail: str,
        *,
        kind: str = "limit",
        path: str = "",
        endpoint: str = "",
        interaction: InteractionRecord | None = None,
    ) -> Violation:
        """Record a broken rule (and attach it to its interaction)."""
        violation = Violation(name, detail, kind, path, endpoint, interaction.id if interaction else None)
        self.violations.append(violation)
        if interaction is not None:
            interaction.violations.append(violation)
            interaction.touch()
        log.debug("sandbox violation: %s", violation)
        return violation

    def reject(
        self,
        breaches: list[Breach],
        *,
        prefix: str = "",
        kind: str = "limit",
        endpoint: str = "",
        interaction: InteractionRecord | None = None,
    ) -> DiscordHTTPError:
        """Record every breach and build the 400 Invalid Form Body Discord would answer."""
        placed = [b.prefixed(prefix) if prefix else b for b in breaches]
        for breach in placed:
            self.violate(breach.name, breach.detail, kind=kind, path=breach.path, endpoint=endpoint,
                         interaction=interaction)
        return DiscordHTTPError.invalid_form(placed)
