"""Building INTERACTION_CREATE payloads from the commands the bot registered, as Discord's client would."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord

from sandbox.config import ChannelSpec, GuildSpec, RoleSpec, UserSpec
from sandbox.errors import SandboxUsageError
from sandbox.ids import new_token
from sandbox.state import SandboxState
from sandbox.store import RegisteredCommand, SandboxAttachment, SandboxMessage

SUB_COMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(1, 12)
TYPE_NAMES = {STRING: "string", INTEGER: "integer", BOOLEAN: "boolean", USER: "user", CHANNEL: "channel",
              ROLE: "role", MENTIONABLE: "mentionable", NUMBER: "number", ATTACHMENT: "attachment"}
TRUE_WORDS = {"true", "yes", "y", "on", "1"}
FALSE_WORDS = {"false", "no", "n", "off", "0"}
MAX_SAFE_INTEGER = 2**53


@dataclass(frozen=True)
class SandboxFile:
    """A file a user attaches to an attachment option."""

    filename: str
    data: bytes


@dataclass
class Target:
    """Where an interaction happens and who triggers it."""

    guild: GuildSpec
    channel: ChannelSpec
    user: UserSpec


@dataclass
class DmTarget:
    """A user in their DM with the bot (Discord's bot-DM context; such interactions reach shard 0)."""

    user: UserSpec
    channel_id: int


@dataclass
class ResolvedCommand:
    """A command line resolved against the registered commands."""

    command: RegisteredCommand
    path: list[str]  # ["review", "write"]
    options: list[dict[str, Any]]  # the leaf's option definitions

    @property
    def qualified_name(self) -> str:
        """``review write``."""
        return " ".join(self.path)


@dataclass
class BuiltOptions:
    """Interaction ``options`` and ``resolved`` for one invocation."""

    options: list[dict[str, Any]] = field(default_factory=list)
    resolved: dict[str, dict[str, Any]] = field(default_factory=dict)
    focused_type: int | None = None


def resolve_command(commands: list[RegisteredCommand], line: str) -> ResolvedCommand:
    """Find ``review write`` (a leading ``/`` is fine) among the commands a user can see."""
    words = line.strip().lstrip("/").split()
    if not words:
        raise SandboxUsageError("empty command")
    command = next((c for c in commands if c.type == 1 and c.name == words[0]), None)
    if command is None:
        known = sorted(f"/{c.name}" for c in commands if c.type == 1)
        raise SandboxUsageError(f"no command /{words[0]} is registered here; registered: {', '.join(known) or 'none'}")
    path = [words[0]]
    options: list[dict[str, Any]] = list(command.payload.get("options") or [])
    for word in words[1:]:
        nested = [o for o in options if o.get("type") in (SUB_COMMAND, GROUP)]
        if not nested:
            raise SandboxUsageError(f"/{' '.join(path)} has no subcommand {word!r}")
        match = next((o for o in nested if o.get("name") == word), None)
        if match is None:
            raise SandboxUsageError(f"/{' '.join(path)} has no subcommand {word!r}; it has: "
                                    f"{', '.join(str(o.get('name')) for o in nested)}")
        path.append(word)
        options = list(match.get("options") or [])
    nested = [o for o in options if o.get("type") in (SUB_COMMAND, GROUP)]
    if nested:
        raise SandboxUsageError(f"/{' '.join(path)} needs a subcommand: "
                                f"{', '.join(str(o.get('name')) for o in nested)}")
    return ResolvedCommand(command, path, options)


def nest(resolved: ResolvedCommand, leaf: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wrap leaf options in their subcommand / group layers."""
    out = leaf
    definitions = list(resolved.command.payload.get("options") or [])
    layers: list[dict[str, Any]] = []
    for name in resolved.path[1:]:
        match = next(o for o in definitions if o.get("name") == name)
        layers.append(match)
        definitions = list(match.get("options") or [])
    for layer in reversed(layers):
        out = [{"type": layer["type"], "name": layer["name"], "options": out}]
    return out


class OptionBuilder:
    """Turns user-given values into typed options, with ``resolved`` users, members, roles and channels."""

    def __init__(self, state: SandboxState, target: Target | DmTarget) -> None:
        self.state = state
        self.target = target

    def build(self, resolved: ResolvedCommand, values: Mapping[str, object], *,
              focused: str | None = None) -> BuiltOptions:
        """Check names, types, ranges and required options; ``focused`` makes it an autocomplete."""
        where = f"/{resolved.qualified_name}"
        by_name = {str(o.get("name")): o for o in resolved.options}
        unknown = [k for k in values if k not in by_name]
        if unknown:
            raise SandboxUsageError(f"{where} has no option {unknown[0]!r}; options: {', '.join(by_name) or 'none'}")
        if focused is not None:
            if focused not in by_name:
                raise SandboxUsageError(f"{where} has no option {focused!r} to autocomplete")
            if not by_name[focused].get("autocomplete"):
                raise SandboxUsageError(f"option {focused!r} of {where} has no autocomplete")
        built = BuiltOptions()
        for definition in resolved.options:
            name = str(definition.get("name"))
            kind = int(definition.get("type", STRING))
            if name == focused:
                built.focused_type = kind
                built.options.append({"type": kind, "name": name, "value": str(values.get(name, "")),
                                      "focused": True})
                continue
            if name not in values or values[name] is None:
                if definition.get("required") and focused is None:
                    raise SandboxUsageError(f"{where} needs option {name!r} ({TYPE_NAMES.get(kind, kind)})")
                continue
            value = self.convert(where, definition, values[name], with_resolved=focused is None, built=built)
            built.options.append({"type": kind, "name": name, "value": value})
        return built

    def build_raw(self, resolved: ResolvedCommand, values: Mapping[str, object]) -> BuiltOptions:
        """Options with the values verbatim, as a modified client could send them (only the names are checked).

        No range, length, choice, type or required-option checks: the type comes from the registered
        definition and the value is sent as given. JSON has no NaN or infinity, so such floats are refused
        (send the strings ``"NaN"`` / ``"Infinity"`` instead); no ``resolved`` data is added.
        """
        where = f"/{resolved.qualified_name}"
        by_name = {str(o.get("name")): o for o in resolved.options}
        unknown = [k for k in values if k not in by_name]
        if unknown:
            raise SandboxUsageError(f"{where} has no option {unknown[0]!r}; options: {', '.join(by_name) or 'none'}")
        built = BuiltOptions()
        for name, value in values.items():
            if isinstance(value, float) and not math.isfinite(value):
                spelled = "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
                raise SandboxUsageError(f"option {name!r} of {where}: JSON cannot carry {value!r}; "
                                        f"send the string {spelled!r} instead")
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                raise SandboxUsageError(f"option {name!r} of {where}: {value!r} is not a JSON value") from None
            kind = int(by_name[name].get("type", STRING))
            built.options.append({"type": kind, "name": name, "value": value})
        return built

    def convert(self, where: str, definition: dict[str, Any], value: object, *, with_resolved: bool,
                built: BuiltOptions) -> Any:
        """One option's wire value (``resolved`` entries are added to ``built``)."""
        name, kind = definition.get("name"), int(definition.get("type", STRING))
        label = f"option {name!r} of {where} ({TYPE_NAMES.get(kind, kind)})"
        if kind == STRING:
            if not isinstance(value, str):
                raise SandboxUsageError(f"{label} takes text, not {value!r}")
            return self._choice(label, definition, value, self._length(label, definition, value))
        if kind == INTEGER:
            number = _integer(label, value)
            return self._choice(label, definition, value, self._range(label, definition, number))
        if kind == NUMBER:
            real = _number(label, value)
            return self._choice(label, definition, value, self._range(label, definition, real))
        if kind == BOOLEAN:
            return _boolean(label, value)
        if kind == ATTACHMENT:
            return self._attachment(label, value, built)
        return self._entity(label, kind, definition, value, built, with_resolved)

    def _length(self, label: str, definition: dict[str, Any], value: str) -> str:
        lo, hi = definition.get("min_length"), definition.get("max_length")
        if (isinstance(lo, int) and len(value) < lo) or (isinstance(hi, int) and len(value) > hi):
            raise SandboxUsageError(f"{label} takes {lo or 0}..{hi or 6000} characters; got {len(value)}")
        if len(value) > 6000:
            raise SandboxUsageError(f"{label}: Discord's client takes at most 6000 characters")
        return value

    def _range(self, label: str, definition: dict[str, Any], value: float) -> Any:
        lo, hi = definition.get("min_value"), definition.get("max_value")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise SandboxUsageError(f"{label} must be between {lo} and {hi}; got {value}")
        return value

    def _choice(self, label: str, definition: dict[str, Any], given: object, value: Any) -> Any:
        choices = definition.get("choices") or []
        if not choices:
            return value
        for choice in choices:
            if choice.get("value") == value or choice.get("name") == given:
                return choice.get("value")
        raise SandboxUsageError(f"{label} must be one of {[c.get('name') for c in choices]}; got {given!r}")

    def _attachment(self, label: str, value: object, built: BuiltOptions) -> str:
        if isinstance(value, Path):
            value = SandboxFile(value.name, value.read_bytes())
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], bytes):
            value = SandboxFile(str(value[0]), value[1])
        if not isinstance(value, SandboxFile):
            raise SandboxUsageError(f"{label} takes a SandboxFile, a Path or (filename, bytes); got {value!r}")
        ident = self.state.ids.next()
        channel_id = self.target.channel_id if isinstance(self.target, DmTarget) else self.target.channel.id
        url = f"{self.state.cdn_base}/attachments/{channel_id}/{ident}/{value.filename}"
        attachment = SandboxAttachment(ident, value.filename, value.data, url)
        self.state.uploads[ident] = attachment
        built.resolved.setdefault("attachments", {})[str(ident)] = attachment.payload()
        return str(ident)

    def _entity(self, label: str, kind: int, definition: dict[str, Any], value: object, built: BuiltOptions,
                with_resolved: bool) -> str:
        if isinstance(self.target, DmTarget):
            return self._dm_entity(label, kind, value, built, with_resolved)
        guild, world = self.target.guild, self.state.world
        if kind in (USER, MENTIONABLE) and isinstance(value, UserSpec | int | str):
            user = self.user(value) if not isinstance(value, UserSpec) else value
            if user is not None:
                if with_resolved:
                    built.resolved.setdefault("users", {})[str(user.id)] = world.user_payload(user)
                    if world.is_member(guild, user.id):
                        built.resolved.setdefault("members", {})[str(user.id)] = world.member_payload(
                            guild, user.id, with_user=False, with_permissions=True, channel=self.target.channel)
                return str(user.id)
        if kind in (ROLE, MENTIONABLE) and isinstance(value, RoleSpec | int | str):
            try:
                role = value if isinstance(value, RoleSpec) else guild.role(value)
            except KeyError:
                role = None
            if role is not None:
                if with_resolved:
                    position = guild.roles.index(role) + 1
                    built.resolved.setdefault("roles", {})[str(role.id)] = world.role_payload(guild, role, position)
                return str(role.id)
        if kind == CHANNEL and isinstance(value, ChannelSpec | int | str):
            try:
                channel = value if isinstance(value, ChannelSpec) else guild.channel(value)
            except KeyError:
                raise SandboxUsageError(f"{label}: no channel {value!r} in {guild.name}") from None
            allowed = definition.get("channel_types")
            if allowed and channel.type not in allowed:
                raise SandboxUsageError(f"{label} takes channel types {allowed}; #{channel.name} is {channel.type}")
            if with_resolved:
                payload = world.channel_payload(guild, channel, guild.channels.index(channel))
                payload["permissions"] = str(world.permissions(guild, self.target.user.id, channel))
                built.resolved.setdefault("channels", {})[str(channel.id)] = payload
            return str(channel.id)
        raise SandboxUsageError(f"{label}: {value!r} is not a known "
                                f"{'user or role' if kind == MENTIONABLE else TYPE_NAMES.get(kind, 'value')}")

    def _dm_entity(self, label: str, kind: int, value: object, built: BuiltOptions, with_resolved: bool) -> str:
        """In a DM only users can be picked (there are no members, roles or guild channels)."""
        if kind not in (USER, MENTIONABLE):
            raise SandboxUsageError(f"{label}: a DM has no {TYPE_NAMES.get(kind, 'such values')}s to pick")
        user = value if isinstance(value, UserSpec) else self.user(value)
        if user is None:
            raise SandboxUsageError(f"{label}: {value!r} is not a known user")
        if with_resolved:
            built.resolved.setdefault("users", {})[str(user.id)] = self.state.world.user_payload(user)
        return str(user.id)

    def user(self, value: object) -> UserSpec | None:
        """A configured user by name, ``@name``, ``<@id>`` or id."""
        try:
            return self.state.world.user(value if isinstance(value, int) else str(value).strip())
        except KeyError:
            return None


def _integer(label: str, value: object) -> int:
    if isinstance(value, bool):
        raise SandboxUsageError(f"{label} takes a whole number, not {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise SandboxUsageError(f"{label} takes a whole number, not {value!r}")
    if abs(number) > MAX_SAFE_INTEGER:
        raise SandboxUsageError(f"{label} must be within ±2^53")
    return number


def _number(label: str, value: object) -> float | int:
    if isinstance(value, bool):
        raise SandboxUsageError(f"{label} takes a number, not {value!r}")
    if isinstance(value, int | float):
        result: float | int = value
    else:
        try:
            result = float(str(value))
        except ValueError:
            raise SandboxUsageError(f"{label} takes a number, not {value!r}") from None
    if isinstance(result, float) and not math.isfinite(result):
        raise SandboxUsageError(f"{label} takes a finite number")
    return result


def _boolean(label: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise SandboxUsageError(f"{label} takes true/false (or yes/no), not {value!r}")


def can_use(state: SandboxState, command: RegisteredCommand, target: Target | DmTarget) -> None:
    """Refuse a command the member could not even see (``default_member_permissions``, contexts)."""
    contexts = command.payload.get("contexts")
    if isinstance(target, DmTarget):
        if command.guild_id is not None or (contexts is not None and 1 not in contexts) or \
                (contexts is None and command.payload.get("dm_permission") is False):
            raise SandboxUsageError(f"/{command.name} is not available in DMs with the bot")
        return
    if contexts is not None and 0 not in contexts:
        raise SandboxUsageError(f"/{command.name} is not available in servers (contexts {contexts})")
    raw = command.payload.get("default_member_permissions")
    if raw is None:
        return
    needed = int(raw)
    have = state.world.permissions(target.guild, target.user.id)
    if have & needed != needed:
        missing = [name for name, on in discord.Permissions(needed & ~have) if on]
        raise SandboxUsageError(f"{target.user.name} cannot see /{command.name} in {target.guild.name}: "
                                f"it needs {', '.join(missing)}")


def interaction_payload(state: SandboxState, target: Target | DmTarget, *, kind: int, data: dict[str, Any],
                        interaction_id: int, token: str, message: SandboxMessage | None = None) -> dict[str, Any]:
    """A complete INTERACTION_CREATE ``d`` as Discord sends it for a guild (or bot-DM) interaction."""
    if isinstance(target, DmTarget):
        return _dm_payload(state, target, kind=kind, data=data, interaction_id=interaction_id, token=token,
                           message=message)
    world, guild, channel, user = state.world, target.guild, target.channel, target.user
    channel_payload = world.channel_payload(guild, channel, guild.channels.index(channel))
    channel_payload["permissions"] = str(world.permissions(guild, user.id, channel))
    payload: dict[str, Any] = {
        "id": str(interaction_id), "application_id": str(state.config.application_id), "type": kind,
        "data": data, "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
        "channel_id": str(channel.id), "channel": channel_payload,
        "member": world.member_payload(guild, user.id, with_permissions=True, channel=channel),
        "token": token, "version": 1,
        "app_permissions": str(world.permissions(guild, world.bot.id, channel)),
        "locale": state.config.locale, "guild_locale": guild.locale,
        "entitlements": [], "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0, "attachment_size_limit": state.config.max_upload_bytes,
    }
    if message is not None:
        payload["message"] = message.payload()
    return payload


def _dm_payload(state: SandboxState, target: DmTarget, *, kind: int, data: dict[str, Any], interaction_id: int,
                token: str, message: SandboxMessage | None) -> dict[str, Any]:
    """INTERACTION_CREATE for a bot DM: a ``user`` (no member), the DM channel, no guild."""
    world = state.world
    payload: dict[str, Any] = {
        "id": str(interaction_id), "application_id": str(state.config.application_id), "type": kind,
        "data": data, "channel_id": str(target.channel_id), "channel": world.dm_payload(target.user),
        "user": world.user_payload(target.user), "token": token, "version": 1,
        "app_permissions": str(state.config.bot_permissions), "locale": state.config.locale,
        "entitlements": [], "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": "0"},  # a server-installed app, used in its bot DM
        "context": 1, "attachment_size_limit": state.config.max_upload_bytes,
    }
    if message is not None:
        payload["message"] = message.payload()
    return payload


def fresh_ids(state: SandboxState) -> tuple[int, str]:
    """A new interaction id and token."""
    return state.ids.next(), new_token("aW50ZXJhY3Rpb24")
