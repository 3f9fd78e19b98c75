"""Sending interactions the driver would refuse to build, and bursts of them without waiting for each answer.

* :func:`invoke_raw` sends option values Discord's client would never send (past a ``min_value``/``max_value``,
  outside ``choices``, NaN): the bot must still refuse them itself, in time and politely.
* :class:`Burst` builds INTERACTION_CREATE payloads exactly as the driver does, for synthetic members, and
  pushes them through the stand-in's gateway concurrently; acknowledgements are read from the stand-in's
  interaction records. It needs no bot object, so it also drives a bot running in another process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sandbox import InteractionResult, Sandbox, SandboxServer, UserSpec
from sandbox.config import KIND_USER, GuildSpec
from sandbox.ids import fixture_id
from sandbox.invocation import (
    BuiltOptions,
    OptionBuilder,
    Target,
    can_use,
    fresh_ids,
    interaction_payload,
    nest,
    resolve_command,
)
from sandbox.store import InteractionRecord

COMMAND = 2


async def invoke_raw(
    sandbox: Sandbox,
    command: str,
    options: Mapping[str, object] | None = None,
    raw: Mapping[str, object] | None = None,
    *,
    user: str | None = None,
    guild: str | None = None,
    check_visible: bool = True,
) -> InteractionResult:
    """Like ``sandbox.invoke``, but the ``raw`` options go on the wire as given (no range, type or choice check).

    ``check_visible=False`` also skips the "can this member see the command" check, as when a server admin has
    opened an admin command to everyone in the server's integration settings.
    """
    target = sandbox.target(user, guild)
    commands = sandbox.state.commands.visible_in(target.guild.id)
    if not commands:
        commands = await sandbox.wait_for_commands(None)
    resolved = resolve_command(commands, command)
    if check_visible:
        can_use(sandbox.state, resolved.command, target)
    builder, built = OptionBuilder(sandbox.state, target), BuiltOptions()
    leaf: list[dict[str, Any]] = []
    for definition in resolved.options:  # in definition order, as Discord sends them; no "required" check
        name, kind = str(definition.get("name")), int(definition.get("type", 3))
        if raw is not None and name in raw:
            leaf.append({"type": kind, "name": name, "value": raw[name]})
        elif options is not None and options.get(name) is not None:
            value = builder.convert(f"/{resolved.qualified_name}", definition, options[name], with_resolved=True,
                                    built=built)
            leaf.append({"type": kind, "name": name, "value": value})
    data: dict[str, Any] = {"id": str(resolved.command.id), "name": resolved.command.name, "type": 1,
                            "options": nest(resolved, leaf)}
    if built.resolved:
        data["resolved"] = built.resolved
    if resolved.command.guild_id is not None:
        data["guild_id"] = str(resolved.command.guild_id)
    shown = " ".join(f"{k}: {v!r}" for k, v in {**(options or {}), **(raw or {})}.items())
    label = f"/{resolved.qualified_name} {shown} (raw)"
    # The driver's engine: open the interaction, dispatch it, wait for the answer, collect the result.
    return await sandbox._send(target, COMMAND, data, label, "command", within=None)


@dataclass
class Sent:
    """One interaction of a burst."""

    member: UserSpec
    record: InteractionRecord
    scores: dict[str, float]
    anime_id: int


class Burst:
    """Synthetic members and concurrent /rate interactions through a running stand-in (no driver waiting)."""

    def __init__(self, server: SandboxServer, guild: GuildSpec) -> None:
        self.server = server
        self.state = server.state
        self.guild = guild
        self.sent: list[Sent] = []

    def add_members(self, count: int, *, first: int = 10_000) -> list[UserSpec]:
        """``count`` new members of the guild, known to the stand-in (ids like real fixture ids)."""
        members = []
        world = self.state.world
        for index in range(first, first + count):
            user = UserSpec(f"rater{index}", id=fixture_id(KIND_USER, index), global_name=f"Rater {index}")
            self.server.config.users.append(user)
            world.member_roles[(self.guild.id, user.id)] = []
            members.append(user)
        return members

    def _command(self, name: str) -> tuple[Any, Any]:
        commands = self.state.commands.visible_in(self.guild.id)
        resolved = resolve_command(commands, name)
        return resolved, commands

    async def rate(self, member: UserSpec, anime_id: int, scores: Mapping[str, float]) -> Sent:
        """Dispatch one /rate (the anime by its autocomplete id, one category and its score) and return at once."""
        ((category, score),) = scores.items()
        resolved, _ = self._command("rate")
        channel = self.guild.text_channels[0]
        target = Target(self.guild, channel, member)
        built = OptionBuilder(self.state, target).build(
            resolved, {"anime": f"id:{anime_id}", "category": category, "score": score})
        data: dict[str, Any] = {"id": str(resolved.command.id), "name": resolved.command.name, "type": 1,
                                "options": nest(resolved, built.options)}
        if resolved.command.guild_id is not None:
            data["guild_id"] = str(resolved.command.guild_id)
        interaction_id, token = fresh_ids(self.state)
        payload = interaction_payload(self.state, target, kind=COMMAND, data=data, interaction_id=interaction_id,
                                      token=token)
        record = InteractionRecord(id=interaction_id, token=token, type=COMMAND, payload=payload,
                                   guild_id=self.guild.id, channel_id=channel.id, user_id=member.id,
                                   label=f"{member.name}: /rate")
        self.server.lifecycle.open(record)
        await self.server.gateway.dispatch("INTERACTION_CREATE", payload)
        sent = Sent(member, record, dict(scores), anime_id)
        self.sent.append(sent)
        return sent

    @property
    def acknowledged(self) -> list[Sent]:
        """The interactions the bot answered (the stand-in accepted their callback)."""
        return [s for s in self.sent if s.record.response_type is not None]

    @property
    def in_flight(self) -> int:
        """Sent, neither answered nor expired."""
        return sum(1 for s in self.sent if s.record.response_type is None and not s.record.expired)

    async def wait_in_flight_below(self, limit: int, *, poll: float = 0.002) -> None:
        """Wait until fewer than ``limit`` interactions are in flight."""
        while self.in_flight >= limit:  # noqa: ASYNC110 - the records are plain objects, polled
            await asyncio.sleep(poll)
