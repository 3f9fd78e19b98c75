"""End-to-end timing through the Discord stand-in: dispatch → first reply, measured where the stand-in sees it.

The sandbox driver waits for follow-ups by polling and lets things settle, which is right for tests and
wrong for timing. :class:`Stopwatch` builds the same INTERACTION_CREATE payloads (with the stand-in's own
helpers), stamps the moment the stand-in dispatches it, the moment it receives the bot's callback (the
first reply the member sees) and the moment the reply is complete (a deferred one edited or followed up),
then waits — untimed — for the bot's handler tasks to end before the next interaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands

from bot.ui.send import ERROR_COLOUR
from sandbox import Sandbox, SandboxConfig, running_sandbox
from sandbox.driver import AUTOCOMPLETE, COMMAND, HANDLER_TASK_PREFIXES, MODAL_SUBMIT
from sandbox.harness import BotFactory
from sandbox.invocation import OptionBuilder, Target, can_use, fresh_ids, interaction_payload, nest, resolve_command
from sandbox.modal import ModalView
from sandbox.store import InteractionRecord

RESPONSE_MODAL = 9
RESPONSE_CHOICES = 8


class StampedEvent(asyncio.Event):
    """An event that remembers when it was first set (``time.perf_counter()``)."""

    at: float | None = None

    def set(self) -> None:
        """Set the event, stamping the first time."""
        if self.at is None:
            self.at = time.perf_counter()
        super().set()


@dataclass
class Timed:
    """One timed interaction: seconds to the first reply and to the complete reply, and how it ended."""

    first: float
    complete: float
    outcome: str  # "reply", "error", "modal", "choices", "no choices", "none"
    record: InteractionRecord
    violations: list[str] = field(default_factory=list)

    @property
    def modal(self) -> ModalView | None:
        """The modal the bot opened, if it did."""
        return ModalView.parse(self.record.modal) if self.record.modal is not None else None


class Stopwatch:
    """Sends interactions to a connected bot and times them (run one at a time)."""

    def __init__(self, sandbox: Sandbox, *, timeout: float = 10.0, count_misses: bool = False) -> None:
        self.sandbox = sandbox
        self.timeout = timeout
        # True: an interaction left unanswered is counted ("no answer", timed at the timeout) rather than raised,
        # so one stall on a busy machine does not end a run of tens of thousands.
        self.count_misses = count_misses

    def target(self, user: str, guild: str | int) -> Target:
        """Who acts where: ``user`` in ``guild``'s first text channel."""
        return self.sandbox.target(user, guild)

    def _command_data(self, command: str, options: Mapping[str, object], target: Target,
                      focused: str | None = None) -> tuple[dict[str, Any], int | None]:
        state = self.sandbox.state
        resolved = resolve_command(state.commands.visible_in(target.guild.id), command)
        can_use(state, resolved.command, target)
        built = OptionBuilder(state, target).build(resolved, dict(options), focused=focused)
        data: dict[str, Any] = {"id": str(resolved.command.id), "name": resolved.command.name, "type": 1,
                                "options": nest(resolved, built.options)}
        if built.resolved and focused is None:
            data["resolved"] = built.resolved
        if resolved.command.guild_id is not None:
            data["guild_id"] = str(resolved.command.guild_id)
        return data, built.focused_type

    async def command(self, command: str, options: Mapping[str, object], *, user: str,
                      guild: str | int) -> Timed:
        """Run a slash command and time it."""
        target = self.target(user, guild)
        data, _ = self._command_data(command, options, target)
        return await self._send(target, COMMAND, data, f"/{command}")

    async def autocomplete(self, command: str, options: Mapping[str, object], *, focused: str, user: str,
                           guild: str | int) -> Timed:
        """Ask for autocomplete choices and time the answer."""
        target = self.target(user, guild)
        data, focused_type = self._command_data(command, options, target, focused=focused)
        return await self._send(target, AUTOCOMPLETE, data, f"/{command} {focused}…", focused_type=focused_type)

    async def submit(self, opened: Timed, values: Mapping[str, str], *, user: str, guild: str | int) -> Timed:
        """Submit the modal ``opened`` showed, and time the answer."""
        modal = opened.modal
        if modal is None:
            raise ValueError(f"{opened.record.label} did not open a modal ({opened.outcome})")
        target = self.target(user, guild)
        data = {"custom_id": modal.custom_id, "components": modal.submission(values)}
        return await self._send(target, MODAL_SUBMIT, data, f"submitted «{modal.title}»")

    async def _send(self, target: Target, kind: int, data: dict[str, Any], label: str,
                    focused_type: int | None = None) -> Timed:
        sandbox = self.sandbox
        state = sandbox.state
        interaction_id, token = fresh_ids(state)
        payload = interaction_payload(state, target, kind=kind, data=data, interaction_id=interaction_id,
                                      token=token)
        acknowledged, finished = StampedEvent(), StampedEvent()
        record = InteractionRecord(
            id=interaction_id, token=token, type=kind, payload=payload, guild_id=target.guild.id,
            channel_id=target.channel.id, user_id=target.user.id, label=f"{target.user.name}: {label}",
            focused_type=focused_type, acknowledged=acknowledged, finished=finished)
        before = asyncio.all_tasks()
        sandbox.server.lifecycle.open(record)
        started = time.perf_counter()
        await sandbox.server.gateway.dispatch("INTERACTION_CREATE", payload)
        try:
            async with asyncio.timeout(self.timeout):
                await acknowledged.wait()
                await _drain(before)  # untimed: the reply's completion is stamped by the stand-in
                if record.deferred_pending:
                    await finished.wait()
        except TimeoutError:
            if not self.count_misses:
                raise RuntimeError(f"{record.label}: no answer within {self.timeout} s") from None
            return Timed(self.timeout, self.timeout, "no answer", record, [str(v) for v in record.violations])
        first = (acknowledged.at or time.perf_counter()) - started
        complete = (finished.at or acknowledged.at or time.perf_counter()) - started
        return Timed(first, max(first, complete), _outcome(sandbox, record), record,
                     [str(v) for v in record.violations])


async def _drain(before: set[asyncio.Task[Any]]) -> None:
    """Wait until the bot's handler tasks started since ``before`` have ended (and any they started)."""
    for _ in range(50):
        pending = [t for t in asyncio.all_tasks() - before
                   if not t.done() and t.get_name().startswith(HANDLER_TASK_PREFIXES)]
        if not pending:
            await asyncio.sleep(0)
            return
        await asyncio.wait(pending)


def _outcome(sandbox: Sandbox, record: InteractionRecord) -> str:
    if record.response_type is None:
        return "none"
    if record.response_type == RESPONSE_MODAL:
        return "modal"
    if record.response_type == RESPONSE_CHOICES:
        return "choices" if record.choices else "no choices"
    messages = sandbox.state.messages.by_id
    ids = [record.original_message_id, *record.followup_ids]
    for message_id in ids:
        message = messages.get(message_id or 0)
        if message is not None and message.embeds and message.embeds[0].get("color") == ERROR_COLOUR.value:
            return "error"
    return "reply"


# -- the no-op baseline -------------------------------------------------------------------------------


class NoopBot(discord.Client):
    """A bot with one slash command that replies "ok" and does nothing else: discord.py's own cost."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents(guilds=True), allowed_mentions=discord.AllowedMentions.none(),
                         member_cache_flags=discord.MemberCacheFlags.none(), chunk_guilds_at_startup=False)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="noop", description="Does nothing.")
        async def noop(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.send_message("ok", ephemeral=True)

    async def setup_hook(self) -> None:
        """Register the command globally."""
        await self.tree.sync()


def noop_factory() -> BotFactory:
    """A ``make_bot`` for :class:`NoopBot`."""

    @asynccontextmanager
    async def make(_: object) -> AsyncIterator[discord.Client]:
        yield NoopBot()

    return make


@asynccontextmanager
async def connected(make_bot: BotFactory, config: SandboxConfig) -> AsyncIterator[Sandbox]:
    """A bot connected to a fresh stand-in serving ``config``, with its commands registered."""
    async with running_sandbox(make_bot, config=config, connect_within=60.0, timeout=10.0) as sandbox:
        await sandbox.wait_for_commands(None, timeout=30.0)
        yield sandbox
