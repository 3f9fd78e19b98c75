"""What one interaction produced: the response, the messages, a modal or choices, and what went wrong."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import discord

from sandbox.config import UserSpec
from sandbox.errors import Violation
from sandbox.modal import ModalView
from sandbox.store import SandboxMessage

log = logging.getLogger(__name__)

RESPONSE_NAMES = {4: "message", 5: "deferred", 6: "deferred update", 7: "update", 8: "autocomplete", 9: "modal"}


@dataclass(frozen=True)
class Choice:
    """One autocomplete suggestion."""

    name: str
    value: str | int | float


@dataclass
class InteractionResult:
    """Everything the bot did in answer to one interaction (messages are live: later edits show)."""

    interaction_id: int
    kind: str  # "command" | "autocomplete" | "button" | "select" | "modal" | "context menu"
    label: str  # e.g. "/review write anime: Metallic Rouge"
    user: UserSpec
    guild_id: int | None  # None: in the member's DM with the bot
    channel_id: int
    response_type: int | None = None
    message: SandboxMessage | None = None  # the original response (or the updated component message)
    followups: list[SandboxMessage] = field(default_factory=list)
    other_messages: list[SandboxMessage] = field(default_factory=list)  # posted/edited elsewhere meanwhile
    deleted: list[SandboxMessage] = field(default_factory=list)
    modal: ModalView | None = None
    choices: list[Choice] | None = None
    violations: list[Violation] = field(default_factory=list)
    log_errors: list[logging.LogRecord] = field(default_factory=list)
    source_message: SandboxMessage | None = None  # the message a clicked component belongs to
    timed_out: bool = False  # the driver stopped waiting before the bot finished
    raw: dict[str, Any] = field(default_factory=dict)  # the INTERACTION_CREATE payload sent
    shard_id: int | None = None  # the shard whose session received it (None: an unsharded bot)

    @property
    def response_name(self) -> str:
        """``message``, ``deferred``, ``update``, ``modal``… or ``none``."""
        return RESPONSE_NAMES.get(self.response_type or 0, "none")

    @property
    def acknowledged(self) -> bool:
        """The bot answered the interaction in time."""
        return self.response_type is not None

    @property
    def deferred(self) -> bool:
        """The bot answered with "thinking…" (type 5)."""
        return self.response_type == 5

    @property
    def ephemeral(self) -> bool:
        """The response message is visible only to the user."""
        return self.message is not None and self.message.ephemeral

    @property
    def messages(self) -> list[SandboxMessage]:
        """The response and follow-ups that still exist, in order."""
        out: list[SandboxMessage] = []
        for message in [self.message, *self.followups]:
            if message is not None and not message.deleted and message not in out:
                out.append(message)
        return out

    @property
    def content(self) -> str:
        """The response message's text ("" when there is none)."""
        return self.message.content if self.message is not None else ""

    @property
    def embeds(self) -> list[discord.Embed]:
        """The response message's embeds as :class:`discord.Embed`."""
        return self.message.embed_objects() if self.message is not None else []

    @property
    def errors(self) -> list[str]:
        """The ERROR log lines of the bot (and discord.py) during this interaction."""
        return [format_record(r) for r in self.log_errors]

    @property
    def ok(self) -> bool:
        """Acknowledged, no violation, no error logged."""
        return self.acknowledged and not self.violations and not self.log_errors

    def last_message_with_components(self) -> SandboxMessage | None:
        """The newest message of this result that has buttons or selects."""
        for message in reversed([*self.messages, *self.other_messages]):
            if not message.deleted and (message.buttons() or message.selects()):
                return message
        return None


def format_record(record: logging.LogRecord) -> str:
    """``logger: message`` plus the exception's last line."""
    text = f"{record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        cause = error.__cause__ or getattr(error, "original", None) or error
        text += f" ({type(cause).__name__}: {cause})"
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())
