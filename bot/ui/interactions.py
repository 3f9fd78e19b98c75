"""One structured log line per interaction, through discord.py's public hooks only.

Every interaction is handled by one task that discord.py starts for it (the command tree's, a view's, a
modal's), and each of them asks a public check first: the tree's ``interaction_check``, a view's or a modal's
``interaction_check``. kansou's versions of those call :meth:`InteractionLog.begin`, which stamps the
interaction (in ``interaction.extras``) and writes its line when that task ends — after the answer was sent,
whatever happened. The central error handler records how it ended (:func:`note_outcome`). An interaction no
handler claimed (a button of a menu that timed out) is logged as "unhandled" from the bot's ``on_interaction``
event, which discord.py dispatches after the handler tasks have started.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import discord

__all__ = ["InteractionLog", "Outcome", "describe_payload", "note_outcome"]

Outcome = Literal["ok", "user-error", "error", "unhandled"]

DISCORD_EPOCH_MS = 1_420_070_400_000
KINDS = {2: "command", 3: "component", 4: "autocomplete", 5: "modal"}
PENDING = "kansou.interaction"  # the key in interaction.extras


@dataclass
class Pending:
    """An interaction being handled: what it is, when it arrived, and how it ended (set by the error handler)."""

    fields: dict[str, Any]
    received: float
    outcome: Outcome = "ok"
    error: str | None = None
    written: bool = False


def _command_path(data: Mapping[str, Any]) -> tuple[str, str | None]:
    """The qualified command name ("review write") and the focused option of an autocomplete."""
    parts = [str(data.get("name", "?"))]
    options = data.get("options") or []
    focused = None
    while options:
        first = options[0]
        if first.get("type") in (1, 2):  # a subcommand (group): descend
            parts.append(str(first.get("name")))
            options = first.get("options") or []
            continue
        focused = next((str(o.get("name")) for o in options if o.get("focused")), None)
        break
    return " ".join(parts), focused


def describe_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The fields logged for an interaction, from its payload: ids, kind and what was used."""
    data = payload.get("data") or {}
    kind = KINDS.get(int(payload.get("type", 0)), f"type {payload.get('type')}")
    user = (payload.get("member") or {}).get("user") or payload.get("user") or {}
    fields: dict[str, Any] = {
        "event": "interaction",
        "interaction_id": int(payload.get("id", 0)),
        "guild_id": int(payload["guild_id"]) if payload.get("guild_id") else None,
        "user_id": int(user["id"]) if user.get("id") else None,
        "kind": kind,
    }
    if kind in ("command", "autocomplete"):
        name, focused = _command_path(data)
        fields["command"] = name
        if focused is not None:
            fields["option"] = focused
    else:
        fields["command"] = f"{kind}:{data.get('custom_id', '?')}"
    return fields


def describe(interaction: discord.Interaction[Any]) -> dict[str, Any]:
    """The fields logged for an interaction (its public attributes, read as its payload)."""
    return describe_payload({
        "id": interaction.id,
        "type": interaction.type.value,
        "guild_id": interaction.guild_id,
        "user": {"id": interaction.user.id},
        "data": interaction.data or {},
    })


def note_outcome(interaction: discord.Interaction[Any], outcome: Outcome, error: BaseException | None = None) -> None:
    """Record how an interaction ended (the central error handler calls it); nothing if it is not being logged."""
    pending = interaction.extras.get(PENDING)
    if isinstance(pending, Pending):
        pending.outcome = outcome
        if error is not None:
            cause = error.__cause__ if error.__cause__ is not None else error
            pending.error = type(cause).__name__


class InteractionLog:
    """Times every interaction from the start of its handler to the end of it, and logs one line for it."""

    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.logger = logger or logging.getLogger("bot.interactions")
        self.monotonic = monotonic
        self.wall = wall

    def begin(self, interaction: discord.Interaction[Any]) -> None:
        """Start timing an interaction (once) and write its line when the running task — its handler — ends."""
        if PENDING in interaction.extras:
            return
        try:
            pending = Pending(describe(interaction), self.monotonic())
        except (KeyError, TypeError, ValueError, AttributeError):
            return  # an unexpected payload: discord.py decides what to do with it, unlogged
        interaction.extras[PENDING] = pending
        task = asyncio.current_task()
        if task is None:  # not inside a handler task (a test calling the check by hand)
            return
        task.add_done_callback(lambda _: self.finish(pending))

    def unhandled(self, interaction: discord.Interaction[Any]) -> None:
        """Log at once an interaction that no handler has claimed (nothing will answer it)."""
        if PENDING in interaction.extras:
            return
        self.begin(interaction)
        pending = interaction.extras.get(PENDING)
        if isinstance(pending, Pending):
            pending.outcome = "unhandled"
            self.finish(pending)

    def finish(self, pending: Pending) -> None:
        """Write the interaction's line (once)."""
        if pending.written:
            return
        pending.written = True
        fields = dict(pending.fields)
        fields["outcome"] = pending.outcome
        fields["latency_ms"] = round((self.monotonic() - pending.received) * 1000, 1)
        created_ms = (fields["interaction_id"] >> 22) + DISCORD_EPOCH_MS
        fields["since_created_ms"] = round(self.wall() * 1000 - created_ms, 1)
        if pending.error:
            fields["error"] = pending.error
        level = logging.WARNING if pending.outcome in ("error", "unhandled") else logging.INFO
        if fields["kind"] == "autocomplete" and pending.outcome == "ok":
            level = logging.DEBUG  # one per keystroke: too many for INFO
        if not self.logger.isEnabledFor(level):
            return
        extra = f" ({fields['error']})" if "error" in fields else ""
        self.logger.log(
            level, "interaction %s %s by %s in %s: %s%s in %.0f ms", fields["interaction_id"], fields["command"],
            fields["user_id"], fields["guild_id"] or "DM", fields["outcome"], extra, fields["latency_ms"],
            extra=fields,
        )
