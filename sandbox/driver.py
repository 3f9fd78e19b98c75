"""The driver: act as Discord users (slash commands, autocomplete, buttons, selects, modals) and collect results.

::

    async with running_sandbox(make_bot) as sandbox:
        result = await sandbox.invoke("review write", {"anime": "Metallic Rouge", "spoilers": True}, user="bob")
        assert result.ok, (result.violations, result.errors)
        page2 = await sandbox.click(result, "Next ▶")          # custom_id, label or 1-based position
        form = await sandbox.invoke("feedback")
        done = await sandbox.submit_modal(form, {"Headline": "Loved it"})

Each call sends a real INTERACTION_CREATE over the gateway, waits for the callback (and, after a defer,
for the edit or follow-up that completes it), lets follow-ups settle, and returns an
:class:`InteractionResult` whose messages are the live stored ones.

To have many interactions in flight at once (a thousand members pressing Enter in the same instant), send
them together with :meth:`Sandbox.invoke_many`; one waiter watches them all::

    crowd = config.add_members(1000, prefix="fan")            # before the sandbox starts
    results = await sandbox.invoke_many(
        [Invocation("rate", {"anime": "id:1", "music": 4}, user=fan) for fan in crowd], timeout=60)

Plain calls may overlap too (``asyncio.gather`` of :meth:`Sandbox.invoke`), but each then polls on its own,
which does not scale past a few dozen. Either way, an interaction's own violations and messages are exactly
its own, while the bot's ERROR log lines (and violations that name no interaction) cannot be told apart:
every result of the batch carries those of the whole time it was in flight.

A sharded bot may be several clients (in this process, or other processes): each interaction goes to the
session of its guild's shard (DMs to shard 0), and its result says which (``result.shard_id``); whichever
client answers, the stand-in records the answer, so results read the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from sandbox.components import BUTTON, LINK_STYLE, STRING_SELECT
from sandbox.config import MODERATOR_ROLE, ChannelSpec, GuildSpec, SandboxConfig, UserSpec
from sandbox.errors import SandboxUsageError, Violation
from sandbox.gateway import Delivery
from sandbox.invocation import (
    DmTarget,
    OptionBuilder,
    ResolvedCommand,
    Target,
    can_use,
    fresh_ids,
    interaction_payload,
    nest,
    resolve_command,
)
from sandbox.logs import LogCapture
from sandbox.modal import ModalView
from sandbox.results import Choice, InteractionResult
from sandbox.server import SandboxServer
from sandbox.store import InteractionRecord, RegisteredCommand, SandboxMessage
from sandbox.world import GUILD_MEMBERS_INTENT, GUILD_MESSAGES_INTENT, MESSAGE_CONTENT_INTENT

log = logging.getLogger(__name__)

COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
HANDLER_TASK_PREFIXES = ("CommandTree-invoker", "discord-ui-view-dispatch-", "discord-ui-modal-dispatch-",
                         "discord-ui-dynamic-item-", "discord.py: on_interaction", "discord.py: on_app_command")
POLL = 0.005
QUIET = 0.02

UserKey = str | int | UserSpec
GuildKey = str | int | GuildSpec
ChannelKey = str | int | ChannelSpec
MessageKey = SandboxMessage | InteractionResult | int


@dataclass(frozen=True)
class Invocation:
    """One slash command for :meth:`Sandbox.invoke_many`: the arguments :meth:`Sandbox.invoke` takes."""

    command: str
    options: Mapping[str, object] = field(default_factory=dict)
    user: UserKey | None = None
    guild: GuildKey | None = None
    channel: ChannelKey | None = None
    raw: bool = False  # option values on the wire verbatim (see Sandbox.invoke)


@dataclass
class _Outgoing:
    """An interaction built and recorded, about to be sent (or in flight)."""

    record: InteractionRecord
    target: Target | DmTarget
    what: str
    label: str
    message: SandboxMessage | None = None
    shard_id: int | None = None  # the shard whose session it was sent to (None: unsharded)


class Sandbox:
    """Drives a connected bot through a running :class:`SandboxServer`.

    ``bot`` (and ``bots``, for a bot sharded over several clients) are the clients running in this process:
    knowing them lets the driver tell early that an interaction went unanswered. Bots in other processes
    need not be given (the driver then waits for the callback or Discord's 3-second expiry).
    """

    def __init__(self, server: SandboxServer, *, bot: discord.Client | None = None,
                 bots: Sequence[discord.Client] = (), logs: LogCapture | None = None, timeout: float = 5.0,
                 settle: float = 0.25) -> None:
        self.server = server
        self.state = server.state
        self.bots: list[discord.Client] = [b for b in (bot, *bots) if b is not None]
        self.logs = logs
        self.timeout = timeout
        self.settle = settle
        self.user: UserSpec = self.config.users[0]
        self.last_result: InteractionResult | None = None
        self._background: set[asyncio.Task[None]] = set()
        # Once discord.py has read the interaction and every handler task it started has ended without a
        # callback, nothing will answer: after this grace the interaction is failed early (not after 3 s).
        self.unanswered_grace = 0.05

    @property
    def bot(self) -> discord.Client | None:
        """The (first) client running in this process, if any."""
        return self.bots[0] if self.bots else None

    # the world -----------------------------------------------------------------

    @property
    def config(self) -> SandboxConfig:
        """The configured guilds, channels, roles and members."""
        return self.server.config

    @property
    def violations(self) -> list[Violation]:
        """Every violation so far (all interactions, registration, unimplemented endpoints…)."""
        return self.state.violations

    def member(self, key: UserKey) -> UserSpec:
        """A configured user by name (``alice`` or ``@alice``) or id."""
        if isinstance(key, UserSpec):
            return key
        try:
            return self.config.user(key)
        except KeyError as error:
            raise SandboxUsageError(str(error.args[0])) from None

    def guild(self, key: GuildKey | None = None) -> GuildSpec:
        """A guild by name or id (``None``: the dev guild)."""
        if isinstance(key, GuildSpec):
            return key
        try:
            return self.config.guild(key)
        except KeyError as error:
            raise SandboxUsageError(str(error.args[0])) from None

    def channel(self, key: ChannelKey | None = None, guild: GuildKey | None = None) -> ChannelSpec:
        """A channel by name (``general`` / ``#general``) or id; ``None``: the guild's first text channel."""
        if isinstance(key, ChannelSpec):
            return key
        if key is None:
            return self.guild(guild).text_channels[0]
        try:
            return self.guild(guild).channel(key) if guild is not None else self.config.channel(key)[1]
        except KeyError as error:
            raise SandboxUsageError(str(error.args[0])) from None

    def target(self, user: UserKey | None = None, guild: GuildKey | None = None,
               channel: ChannelKey | None = None) -> Target:
        """Resolve who acts where (defaults: the current user, the dev guild, its first text channel)."""
        if guild is None and channel is not None and not isinstance(channel, ChannelSpec):
            try:
                guild_spec = self.config.channel(channel)[0]
            except KeyError:
                guild_spec = self.guild(None)
        else:
            guild_spec = self.guild(guild)
        if isinstance(channel, ChannelSpec) and guild is None:
            guild_spec = next((g for g in self.config.guilds if channel in g.channels), guild_spec)
        channel_spec = self.channel(channel, guild_spec)
        if channel_spec.type not in (0, 5, 2):
            raise SandboxUsageError(f"#{channel_spec.name} is not a channel commands can be used in")
        member = self.member(user) if user is not None else self.user
        if not self.state.world.is_member(guild_spec, member.id):
            raise SandboxUsageError(f"{member.name} is not a member of {guild_spec.name}")
        return Target(guild_spec, channel_spec, member)

    def set_moderator(self, user: UserKey | None = None, on: bool = True, guild: GuildKey | None = None) -> None:
        """Give (or take away) the Moderators role (Manage Messages + Manage Guild)."""
        target = self.target(user, guild)
        self.state.world.set_role(target.guild, target.user.id, MODERATOR_ROLE, on)
        session = self.server.gateway.session_for(target.guild.id)
        if session is not None and session.intents & GUILD_MEMBERS_INTENT:
            data = self.state.world.member_payload(target.guild, target.user.id)
            data["guild_id"] = str(target.guild.id)
            task = asyncio.get_running_loop().create_task(self.server.gateway.dispatch("GUILD_MEMBER_UPDATE", data))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def is_moderator(self, user: UserKey | None = None, guild: GuildKey | None = None) -> bool:
        """Whether the member holds the Moderators role."""
        target = self.target(user, guild)
        return self.state.world.is_moderator(target.guild, target.user.id)

    # messages --------------------------------------------------------------------

    def channel_messages(self, channel: ChannelKey, *, include_ephemeral: bool = True,
                         guild: GuildKey | None = None) -> list[SandboxMessage]:
        """The live messages of a channel, oldest first (deleted ones are gone)."""
        spec = self.channel(channel, guild)
        return self.state.messages.channel(spec.id, include_ephemeral=include_ephemeral)

    async def say(self, content: str, *, user: UserKey | None = None, guild: GuildKey | None = None,
                  channel: ChannelKey | None = None) -> SandboxMessage:
        """Post an ordinary message as a member (MESSAGE_CREATE reaches bots with the guild messages intent)."""
        target = self.target(user, guild, channel)
        world = self.state.world
        message = SandboxMessage(id=self.state.ids.next(), channel_id=target.channel.id, guild_id=target.guild.id,
                                 author=world.user_payload(target.user), content=content)
        self.state.messages.add(message)
        payload = message.payload()
        payload["member"] = world.member_payload(target.guild, target.user.id, with_user=False)
        session = self.server.gateway.session_for(target.guild.id)
        if session is not None and not session.intents & MESSAGE_CONTENT_INTENT and \
                f"<@{world.bot.id}>" not in content:
            payload.update(content="", embeds=[], attachments=[], components=[])
        await self.server.gateway.dispatch("MESSAGE_CREATE", payload, GUILD_MESSAGES_INTENT)
        return message

    def dm_messages(self, user: UserKey) -> list[SandboxMessage]:
        """The messages the bot sent to a member in a DM, oldest first."""
        channel_id = self.state.world.dm_channels.get(self.member(user).id)
        return [] if channel_id is None else self.state.messages.channel(channel_id)

    def get_message(self, message_id: int) -> SandboxMessage | None:
        """A live message by id (``None`` once deleted)."""
        return self.state.messages.get(message_id)

    def _message(self, key: MessageKey) -> SandboxMessage:
        if isinstance(key, InteractionResult):
            found = key.last_message_with_components() or key.message
            if found is None:
                raise SandboxUsageError(f"{key.label} produced no message")
            key = found
        message = self.get_message(key) if isinstance(key, int) else key
        if message is None or message.deleted:
            raise SandboxUsageError("that message does not exist (any more)")
        return message

    # commands ----------------------------------------------------------------------

    def commands(self, guild: GuildKey | None = None) -> list[RegisteredCommand]:
        """The commands a member of ``guild`` sees (guild commands, then global ones)."""
        return self.state.commands.visible_in(self.guild(guild).id)

    async def wait_for_commands(
        self,
        guild_id: int | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[RegisteredCommand]:
        """Wait until the bot has registered commands globally (``None``) or in that guild."""
        registry = self.state.commands
        async with asyncio.timeout(timeout or self.timeout):
            while guild_id not in registry.registered_scopes:
                await registry.changed.wait()
        return registry.in_scope(guild_id)

    async def wait_until_connected(self, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until the bot is identified (or resumed) on the gateway: every shard, when it is sharded."""
        await self.server.gateway.wait_ready(timeout or self.timeout)

    async def drop_gateway(self, code: int = 4000, *, resumable: bool = True, wait: bool = True,
                           shard: int | None = None) -> None:
        """Close the bot's gateway connection (4000 = resumable); by default wait until it is back.

        ``shard``: close that shard's connection (default: the session identified last).
        """
        await self.server.gateway.drop(code, resumable=resumable, shard=shard)
        if wait:
            await self.wait_until_connected(timeout=max(self.timeout, 10.0))

    @property
    def identify_count(self) -> int:
        """How many times the bot sent IDENTIFY."""
        return self.server.gateway.identify_count

    @property
    def resume_count(self) -> int:
        """How many times the bot RESUMEd a session."""
        return self.server.gateway.resume_count

    # interactions ----------------------------------------------------------------------

    async def _resolve(self, command: str, target: Target) -> ResolvedCommand:
        commands = self.state.commands.visible_in(target.guild.id)
        if not commands:
            with contextlib.suppress(TimeoutError):
                await self.wait_for_commands(target.guild.id, timeout=min(self.timeout, 2.0))
            commands = self.state.commands.visible_in(target.guild.id)
        resolved = resolve_command(commands, command)
        can_use(self.state, resolved.command, target)
        return resolved

    async def invoke(
        self,
        command: str,
        options: Mapping[str, object] | None = None,
        *,
        user: UserKey | None = None,
        guild: GuildKey | None = None,
        channel: ChannelKey | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
        raw: bool = False,
    ) -> InteractionResult:
        """Run a slash command (``"review write"``) with options typed by its registered definition.

        Like Discord's client, the driver refuses what the client would not send (a number outside the
        registered range, a missing required option, …). With ``raw=True`` the option values go on the
        wire verbatim instead — what a modified client could send — so the bot's own validation is what
        gets tested: only option names are checked; JSON has no NaN or infinity, so send the strings
        ``"NaN"`` / ``"Infinity"`` (which discord.py reads as floats) to mimic one.
        """
        outgoing = await self._command(Invocation(command, dict(options or {}), user, guild, channel, raw))
        await self.wait_until_connected()
        (result,) = await self._run([outgoing], timeout or self.timeout)
        return result

    async def invoke_many(
        self,
        invocations: Iterable[Invocation],
        *,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[InteractionResult]:
        """Send many slash commands at once — all in flight together — and wait for every one; results in order.

        Every invocation is built (and checked as by :meth:`invoke`) before the first is sent, so a usage
        error sends nothing. ``timeout`` bounds the whole batch. Each result has exactly its own response,
        follow-ups and violations; ``log_errors`` (and violations that name no interaction) are the whole
        batch's, as log lines cannot be attributed to one of several interactions in flight.
        """
        outgoing = [await self._command(invocation) for invocation in invocations]
        if not outgoing:
            return []
        await self.wait_until_connected()
        return await self._run(outgoing, timeout or self.timeout)

    async def invoke_dm(
        self,
        command: str,
        options: Mapping[str, object] | None = None,
        *,
        user: UserKey | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
        raw: bool = False,
    ) -> InteractionResult:
        """Run a global slash command in the member's DM with the bot (Discord sends it to shard 0).

        Only commands registered globally and usable in DMs (``contexts`` with 1, or ``dm_permission``)
        can be run; options as in :meth:`invoke`, except that a DM has no roles or channels to pick.
        """
        target = self.dm_target(user)
        commands = self._dm_commands()
        if not commands:
            with contextlib.suppress(TimeoutError):
                await self.wait_for_commands(None, timeout=min(self.timeout, 2.0))
            commands = self._dm_commands()
        resolved = resolve_command(commands, command)
        can_use(self.state, resolved.command, target)
        builder = OptionBuilder(self.state, target)
        values = dict(options or {})
        built = builder.build_raw(resolved, values) if raw else builder.build(resolved, values)
        data: dict[str, Any] = {"id": str(resolved.command.id), "name": resolved.command.name, "type": 1,
                                "options": nest(resolved, built.options)}
        if built.resolved:
            data["resolved"] = built.resolved
        shown = " ".join(f"{k}: {_show(v)}" for k, v in values.items())
        label = f"/{resolved.qualified_name}{' ' + shown if shown else ''} (DM){' (raw)' if raw else ''}"
        return await self._send(target, COMMAND, data, label, "command", within=timeout)

    def dm_target(self, user: UserKey | None = None) -> DmTarget:
        """A member in their DM with the bot (the DM channel is opened if need be)."""
        member = self.member(user) if user is not None else self.user
        channels = self.state.world.dm_channels
        if member.id not in channels:
            channels[member.id] = self.state.ids.next()
        return DmTarget(member, channels[member.id])

    def _dm_commands(self) -> list[RegisteredCommand]:
        return [c for c in self.state.commands.in_scope(None)
                if c.payload.get("contexts") is None or 1 in c.payload["contexts"]]

    async def _command(self, invocation: Invocation) -> _Outgoing:
        target = self.target(invocation.user, invocation.guild, invocation.channel)
        resolved = await self._resolve(invocation.command, target)
        builder = OptionBuilder(self.state, target)
        values = dict(invocation.options)
        built = builder.build_raw(resolved, values) if invocation.raw else builder.build(resolved, values)
        data: dict[str, Any] = {"id": str(resolved.command.id), "name": resolved.command.name, "type": 1,
                                "options": nest(resolved, built.options)}
        if built.resolved:
            data["resolved"] = built.resolved
        if resolved.command.guild_id is not None:
            data["guild_id"] = str(resolved.command.guild_id)
        shown = " ".join(f"{k}: {_show(v)}" for k, v in values.items())
        label = f"/{resolved.qualified_name}{' ' + shown if shown else ''}{' (raw)' if invocation.raw else ''}"
        return self._outgoing(target, COMMAND, data, label, "command")

    async def autocomplete(
        self,
        command: str,
        options: Mapping[str, object] | None = None,
        *,
        focused: str,
        user: UserKey | None = None,
        guild: GuildKey | None = None,
        channel: ChannelKey | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Choice]:
        """The choices the bot suggests while the user types ``options[focused]``."""
        result = await self.autocomplete_result(command, options, focused=focused, user=user, guild=guild,
                                                channel=channel, timeout=timeout)
        return result.choices or []

    async def autocomplete_result(
        self,
        command: str,
        options: Mapping[str, object] | None = None,
        *,
        focused: str,
        user: UserKey | None = None,
        guild: GuildKey | None = None,
        channel: ChannelKey | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> InteractionResult:
        """Like :meth:`autocomplete` but the whole result (violations included)."""
        target = self.target(user, guild, channel)
        resolved = await self._resolve(command, target)
        built = OptionBuilder(self.state, target).build(resolved, dict(options or {}), focused=focused)
        data: dict[str, Any] = {"id": str(resolved.command.id), "name": resolved.command.name, "type": 1,
                                "options": nest(resolved, built.options)}
        if resolved.command.guild_id is not None:
            data["guild_id"] = str(resolved.command.guild_id)
        label = f"/{resolved.qualified_name} {focused}: {(options or {}).get(focused, '')}…"
        return await self._send(target, AUTOCOMPLETE, data, label, "autocomplete", within=timeout,
                                focused_type=built.focused_type)

    def _component_target(self, message: SandboxMessage, user: UserKey | None) -> Target | DmTarget:
        if message.guild_id is None:
            recipient = self.state.world.dm_recipient(message.channel_id)
            member = self.member(user) if user is not None else recipient
            if recipient is None or member is None or member.id != recipient.id:
                raise SandboxUsageError("only the member the DM is with can use its components")
            return DmTarget(recipient, message.channel_id)
        guild = next((g for g in self.config.guilds if g.id == message.guild_id), None)
        if guild is None:
            raise SandboxUsageError(f"message {message.id} is in no guild the sandbox knows")
        target = self.target(user, guild, message.channel_id)
        owner = (message.interaction_metadata or {}).get("user", {}).get("id")
        if message.ephemeral and owner is not None and owner != str(target.user.id):
            raise SandboxUsageError(f"{target.user.name} cannot see that ephemeral message")
        return target

    async def click(
        self,
        message: MessageKey,
        target: str | int,
        *,
        user: UserKey | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> InteractionResult:
        """Press a button by custom_id, label, or 1-based position (as numbered ``[1]`` in the rendering)."""
        msg = self._message(message)
        button = msg.button(target)
        if button.get("disabled"):
            raise SandboxUsageError(f"button {button.get('label') or button.get('custom_id')!r} is disabled")
        if button.get("style") == LINK_STYLE or not button.get("custom_id"):
            raise SandboxUsageError(f"button {button.get('label')!r} is a link ({button.get('url')}); "
                                    "it opens a browser, not an interaction")
        where = self._component_target(msg, user)
        data = {"custom_id": button["custom_id"], "component_type": BUTTON}
        label = f"pressed [{button.get('label') or button.get('custom_id')}]"
        return await self._send(where, COMPONENT, data, label, "button", within=timeout, message=msg)

    async def select(
        self,
        message: MessageKey,
        target: str | int,
        values: Sequence[object] | str,
        *,
        user: UserKey | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> InteractionResult:
        """Choose ``values`` in a select menu (by custom_id, placeholder or 1-based position)."""
        msg = self._message(message)
        menu = msg.select(target)
        if menu.get("disabled"):
            raise SandboxUsageError(f"select menu {menu.get('custom_id')!r} is disabled")
        where = self._component_target(msg, user)
        chosen: list[object] = [values] if isinstance(values, str) else list(values)
        lo, hi = int(menu.get("min_values", 1)), int(menu.get("max_values", 1))
        if not lo <= len(chosen) <= hi:
            raise SandboxUsageError(f"select menu {menu.get('custom_id')!r} takes {lo}..{hi} values, "
                                    f"not {len(chosen)}")
        kind = int(menu.get("type", STRING_SELECT))
        data: dict[str, Any] = {"custom_id": menu["custom_id"], "component_type": kind}
        if kind == STRING_SELECT:
            options = menu.get("options") or []
            by_value = {str(o.get("value")): o for o in options}
            by_label = {str(o.get("label")): str(o.get("value")) for o in options}
            wire = []
            for value in chosen:
                text = str(value)
                if text not in by_value and text not in by_label:
                    raise SandboxUsageError(f"select menu {menu.get('custom_id')!r} has no option {text!r}; "
                                            f"options: {list(by_value)}")
                wire.append(text if text in by_value else by_label[text])
            data["values"] = wire
        else:
            data["values"], data["resolved"] = self._entity_values(where, kind, chosen)
        label = f"selected {', '.join(map(str, chosen))} in [{menu.get('placeholder') or menu.get('custom_id')}]"
        return await self._send(where, COMPONENT, data, label, "select", within=timeout, message=msg)

    def _entity_values(self, where: Target | DmTarget, kind: int, chosen: list[object]) -> \
            tuple[list[str], dict[str, dict[str, Any]]]:
        from sandbox.invocation import BuiltOptions  # noqa: PLC0415

        option_type = {5: 6, 6: 8, 7: 9, 8: 7}[kind]
        builder = OptionBuilder(self.state, where)
        built = BuiltOptions()
        definition = {"name": "values", "type": option_type}
        wire = [builder.convert("select", definition, v, with_resolved=True, built=built) for v in chosen]
        return [str(w) for w in wire], built.resolved

    async def submit_modal(
        self,
        result: InteractionResult,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: UserKey | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> InteractionResult:
        """Fill in and submit the modal ``result`` opened (keys: a field's custom_id or label)."""
        if result.modal is None:
            raise SandboxUsageError(f"{result.label} did not open a modal (response: {result.response_name})")
        components = result.modal.submission(values)
        who = user if user is not None else result.user
        target: Target | DmTarget = self.dm_target(who) if result.guild_id is None else \
            self.target(who, result.guild_id, result.channel_id)
        data = {"custom_id": result.modal.custom_id, "components": components}
        message = self.get_message(result.source_message.id) if result.source_message is not None else None
        label = f"submitted «{result.modal.title}»"
        return await self._send(target, MODAL_SUBMIT, data, label, "modal", within=timeout, message=message)

    async def context_menu(
        self,
        name: str,
        target_object: UserKey | SandboxMessage,
        *,
        user: UserKey | None = None,
        guild: GuildKey | None = None,
        channel: ChannelKey | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> InteractionResult:
        """Run a user command (on a member) or a message command (on a message)."""
        where = self.target(user, guild, channel)
        kind = 3 if isinstance(target_object, SandboxMessage) else 2
        command = self.state.commands.find(name, where.guild.id, kind)
        if command is None:
            raise SandboxUsageError(f"no {'message' if kind == 3 else 'user'} command {name!r} is registered")
        can_use(self.state, command, where)
        data: dict[str, Any] = {"id": str(command.id), "name": name, "type": kind}
        if isinstance(target_object, SandboxMessage):
            data["target_id"] = str(target_object.id)
            data["resolved"] = {"messages": {str(target_object.id): target_object.payload()}}
        else:
            member = self.member(target_object)
            data["target_id"] = str(member.id)
            world = self.state.world
            data["resolved"] = {"users": {str(member.id): world.user_payload(member)}}
            if world.is_member(where.guild, member.id):
                data["resolved"]["members"] = {str(member.id): world.member_payload(
                    where.guild, member.id, with_user=False, with_permissions=True, channel=where.channel)}
        if command.guild_id is not None:
            data["guild_id"] = str(command.guild_id)
        return await self._send(where, COMMAND, data, f"{name} (context menu)", "context menu", within=timeout)

    # the engine ----------------------------------------------------------------------------

    async def _send(self, target: Target | DmTarget, kind: int, data: dict[str, Any], label: str, what: str, *,
                    within: float | None, message: SandboxMessage | None = None,
                    focused_type: int | None = None) -> InteractionResult:
        await self.wait_until_connected()
        outgoing = self._outgoing(target, kind, data, label, what, message, focused_type)
        (result,) = await self._run([outgoing], within or self.timeout)
        return result

    def _outgoing(self, target: Target | DmTarget, kind: int, data: dict[str, Any], label: str, what: str,
                  message: SandboxMessage | None = None, focused_type: int | None = None) -> _Outgoing:
        interaction_id, token = fresh_ids(self.state)
        payload = interaction_payload(self.state, target, kind=kind, data=data, interaction_id=interaction_id,
                                      token=token, message=message)
        guild_id, channel_id = _where(target)
        record = InteractionRecord(
            id=interaction_id, token=token, type=kind, payload=payload, guild_id=guild_id,
            channel_id=channel_id, user_id=target.user.id, label=f"{target.user.name}: {label}",
            source_message_id=message.id if message is not None else None, focused_type=focused_type)
        return _Outgoing(record, target, what, label, message)

    async def _run(self, batch: list[_Outgoing], within: float) -> list[InteractionResult]:
        """Send the interactions (one INTERACTION_CREATE each, back to back), wait for all, and collect them."""
        log_mark = len(self.logs.records) if self.logs else 0
        log_index = len(self.state.messages.log)
        before = set(asyncio.all_tasks())
        deliveries: list[Delivery] = []
        for outgoing in batch:
            # the 3 seconds start now, not when it was built
            outgoing.record.created = outgoing.record.last_activity = time.monotonic()
            self.server.lifecycle.open(outgoing.record)
            sent = await self.server.gateway.deliver("INTERACTION_CREATE", outgoing.record.payload)
            outgoing.shard_id = next((s.shard[0] for s, _ in sent if s.shard is not None), None)
            deliveries.extend(sent)
        records = [outgoing.record for outgoing in batch]
        timed_out = await self._wait(records, before, deliveries, within)
        log_errors = self.logs.since(log_mark) if self.logs is not None else []
        # the messages of every interaction sent together are nobody's "other" messages
        ours = {i for r in records for i in (r.original_message_id, *r.followup_ids) if i is not None}
        others, deleted = self._window(log_index, ours)
        results = []
        for outgoing in batch:
            result = self._result(outgoing.record, outgoing.target, outgoing.what, outgoing.label,
                                  outgoing.message, outgoing.record.id in timed_out, others, deleted)
            result.shard_id = outgoing.shard_id
            result.log_errors = list(log_errors)
            results.append(result)
        self.last_result = results[-1]
        return results

    def _handlers(self, before: set[asyncio.Task[Any]]) -> list[asyncio.Task[Any]]:
        return [t for t in asyncio.all_tasks() - before if t.get_name().startswith(HANDLER_TASK_PREFIXES)]

    def _websockets(self) -> list[Any]:
        """The gateway connections of the clients in this process (one per shard of a sharded client)."""
        found: list[Any] = []
        for bot in self.bots:
            # A sharded client shows no shard's connection through public attributes: its interactions are
            # treated as a client's in another process (answered, or unanswered once the 3 s have passed).
            if not isinstance(bot, discord.AutoShardedClient):
                found.append(getattr(bot, "ws", None))
        return [ws for ws in found if ws is not None]

    def _parsed(self, deliveries: list[Delivery]) -> bool:
        """Whether clients in this process have read every delivered gateway message (by session and sequence)."""
        if not deliveries:
            return False
        read = {getattr(ws, "session_id", None): getattr(ws, "sequence", None) for ws in self._websockets()}
        for session, seq in deliveries:
            sequence = read.get(session.id)
            if not isinstance(sequence, int) or sequence < seq:
                return False
        return True

    async def _wait(self, records: list[InteractionRecord], before: set[asyncio.Task[Any]],
                    deliveries: list[Delivery], within: float) -> set[int]:
        """Wait for the callbacks, for deferred replies to be completed, then for the handlers to settle.

        One loop watches every record; returns the ids of those still unanswered when ``within`` ran out.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        parsed_at: float | None = None
        # 1. the callbacks (or the 3-second expiry; or no handler left that could answer)
        waiting = records
        timed_out: set[int] = set()
        while waiting := [r for r in waiting if not r.acknowledged.is_set() and not r.expired]:
            now = loop.time()
            if now > deadline:
                timed_out = {r.id for r in waiting}
                break
            if parsed_at is None and self._parsed(deliveries):
                parsed_at = now
            if parsed_at is not None and now - parsed_at > self.unanswered_grace and \
                    all(t.done() for t in self._handlers(before)):
                for record in waiting:
                    self.server.lifecycle.expire(record, f"{record.label}: the bot finished handling it without "
                                                         "responding (Discord would say \"This interaction failed\")")
            await asyncio.sleep(POLL)
        live = [r for r in records if r.id not in timed_out]
        # 2. a deferred "thinking…" reply must be completed by an edit or a follow-up
        while thinking := [r for r in live if r.deferred_pending and not r.finished.is_set()]:
            if loop.time() > deadline or (self.bots and all(t.done() for t in self._handlers(before))):
                for record in thinking:
                    self.state.violate("deferred response never completed",
                                       f"{record.label}: still \"thinking…\" when the bot stopped handling it",
                                       kind="interaction", interaction=record)
                break
            await asyncio.sleep(POLL)
        # 3. let follow-ups arrive: wait for the handler tasks (bounded), then for a quiet moment
        if any(r.response_type not in (8, 9) for r in live):
            # after an expiry, wait for the late handler too: its 404 belongs to this result
            settle_until = deadline if any(r.expired for r in live) else min(deadline, loop.time() + self.settle)
            while loop.time() < settle_until and not all(t.done() for t in self._handlers(before)):  # noqa: ASYNC110
                await asyncio.sleep(POLL)
        while live and time.monotonic() - max(r.last_activity for r in live) < QUIET and \
                loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(POLL)
        for record in live:
            record.finished.set()
        return timed_out

    def _window(self, log_index: int, ours: set[int]) -> tuple[list[SandboxMessage], list[SandboxMessage]]:
        """The messages posted or edited since ``log_index`` that are not in ``ours``, and those deleted."""
        messages = self.state.messages
        others: list[SandboxMessage] = []
        deleted: list[SandboxMessage] = []
        seen_other: set[int] = set()
        seen_deleted: set[int] = set()
        for action, message_id in messages.log[log_index:]:
            message = messages.by_id[message_id]
            if action == "delete" and message_id not in seen_deleted:
                seen_deleted.add(message_id)
                deleted.append(message)
            elif message_id not in ours and message_id not in seen_other and not message.deleted:
                seen_other.add(message_id)
                others.append(message)
        return others, deleted

    def _result(self, record: InteractionRecord, target: Target | DmTarget, what: str, label: str,
                source: SandboxMessage | None, timed_out: bool, others: list[SandboxMessage],
                deleted: list[SandboxMessage]) -> InteractionResult:
        messages = self.state.messages
        original = messages.by_id.get(record.original_message_id or 0)
        followups = [messages.by_id[i] for i in record.followup_ids if i in messages.by_id]
        guild_id, channel_id = _where(target)
        return InteractionResult(
            interaction_id=record.id, kind=what, label=label, user=target.user, guild_id=guild_id,
            channel_id=channel_id, response_type=record.response_type, message=original,
            followups=followups, other_messages=list(others), deleted=list(deleted),
            modal=ModalView.parse(record.modal) if record.modal is not None else None,
            choices=[Choice(str(c.get("name")), c["value"]) for c in record.choices]
            if record.choices is not None else None,
            violations=list(record.violations) + self._unattached(record),
            source_message=source, timed_out=timed_out, raw=record.payload,
        )

    def _unattached(self, record: InteractionRecord) -> list[Violation]:
        """Violations recorded during the interaction that name no interaction (channel posts, endpoints)."""
        return [v for v in self.state.violations if v.interaction_id is None and v.at >= record.created]


def _where(target: Target | DmTarget) -> tuple[int | None, int]:
    """The guild id (None in a DM) and the channel id of a target."""
    if isinstance(target, DmTarget):
        return None, target.channel_id
    return target.guild.id, target.channel.id


def _show(value: object) -> str:
    if isinstance(value, UserSpec):
        return "@" + value.name
    if isinstance(value, ChannelSpec):
        return "#" + value.name
    return str(value)
