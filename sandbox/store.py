"""What the stand-in remembers: messages per channel (with attachments), commands and interactions."""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import discord

from sandbox.components import BUTTON, SELECTS, TEXT_DISPLAY, walk
from sandbox.errors import SandboxUsageError, Violation
from sandbox.ids import SnowflakeFactory
from sandbox.limits import FLAG_EPHEMERAL, FLAG_LOADING
from sandbox.mentions import Ping

log = logging.getLogger(__name__)

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}


def iso_now() -> str:
    """Discord's ISO-8601 timestamp for now."""
    return datetime.datetime.now(datetime.UTC).isoformat()


@dataclass
class SandboxAttachment:
    """A file the bot uploaded, with its bytes."""

    id: int
    filename: str
    data: bytes
    url: str
    content_type: str | None = None
    description: str | None = None

    @property
    def size(self) -> int:
        """Bytes."""
        return len(self.data)

    @property
    def spoiler(self) -> bool:
        """Whether Discord hides it behind a spoiler (``SPOILER_`` filename prefix)."""
        return self.filename.startswith("SPOILER_")

    def payload(self) -> dict[str, Any]:
        """The attachment object in a message."""
        payload: dict[str, Any] = {"id": str(self.id), "filename": self.filename, "size": self.size,
                                   "url": self.url, "proxy_url": self.url}
        if self.content_type:
            payload["content_type"] = self.content_type
        if self.description:
            payload["description"] = self.description
        return payload


@dataclass
class SandboxMessage:
    """A message as Discord holds it; the driver's results point at these live objects."""

    id: int
    channel_id: int
    guild_id: int | None
    author: dict[str, Any]
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[SandboxAttachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    interaction_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    pings: list[Ping] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    edits: int = 0
    deleted: bool = False
    reactions: dict[str, set[int]] = field(default_factory=dict)

    @property
    def author_id(self) -> int:
        """The author's user id."""
        return int(self.author["id"])

    @property
    def ephemeral(self) -> bool:
        """Only the invoking user sees it."""
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred response still showing "is thinking…"."""
        return bool(self.flags & FLAG_LOADING)

    def buttons(self) -> list[dict[str, Any]]:
        """Every button in display order (``[1]`` in the rendering is the first)."""
        return [c for _, c in walk(self.components) if c.get("type") == BUTTON]

    def selects(self) -> list[dict[str, Any]]:
        """Every select menu in display order."""
        return [c for _, c in walk(self.components) if c.get("type") in SELECTS]

    def text_displays(self) -> list[str]:
        """The text of components-v2 text displays."""
        return [str(c.get("content") or "") for _, c in walk(self.components) if c.get("type") == TEXT_DISPLAY]

    def button(self, target: str | int) -> dict[str, Any]:
        """A button by custom_id, by label, or by its 1-based position (as numbered in the rendering)."""
        buttons = self.buttons()
        if isinstance(target, int):
            if not 1 <= target <= len(buttons):
                raise SandboxUsageError(f"message {self.id} has {len(buttons)} buttons; there is no [{target}]")
            return buttons[target - 1]
        for key in ("custom_id", "label"):
            for button in buttons:
                if button.get(key) == target:
                    return button
        labels = [b.get("label") or b.get("custom_id") for b in buttons]
        raise SandboxUsageError(f"no button {target!r} on message {self.id}; buttons: {labels}")

    def select(self, target: str | int) -> dict[str, Any]:
        """A select menu by custom_id, by placeholder, or by its 1-based position."""
        selects = self.selects()
        if isinstance(target, int):
            if not 1 <= target <= len(selects):
                raise SandboxUsageError(f"message {self.id} has {len(selects)} select menus; no [{target}]")
            return selects[target - 1]
        for key in ("custom_id", "placeholder"):
            for select in selects:
                if select.get(key) == target:
                    return select
        raise SandboxUsageError(f"no select menu {target!r} on message {self.id}; "
                                f"custom ids: {[s.get('custom_id') for s in selects]}")

    def embed_objects(self) -> list[discord.Embed]:
        """The embeds as :class:`discord.Embed` objects."""
        return [discord.Embed.from_dict(e) for e in self.embeds]

    def attachment(self, filename: str) -> SandboxAttachment:
        """The attachment with that file name."""
        for attachment in self.attachments:
            if attachment.filename == filename:
                return attachment
        raise KeyError(f"no attachment {filename!r}; have {[a.filename for a in self.attachments]}")

    def payload(self) -> dict[str, Any]:
        """The message object discord.py parses."""
        payload: dict[str, Any] = {
            "id": str(self.id), "channel_id": str(self.channel_id), "author": self.author,
            "content": self.content, "timestamp": self.timestamp, "edited_timestamp": self.edited_timestamp,
            "tts": self.tts, "mention_everyone": any(p.target_id is None for p in self.pings),
            "mentions": self.mentions,
            "mention_roles": [str(p.target_id) for p in self.pings if p.rule.endswith("a role")],
            "attachments": [a.payload() for a in self.attachments], "embeds": self.embeds,
            "components": self.components, "pinned": False, "type": self.type, "flags": self.flags,
            "reactions": [{"emoji": {"id": None, "name": e}, "count": len(u), "me": True, "me_burst": False,
                           "burst_colors": [], "count_details": {"burst": 0, "normal": len(u)}}
                          for e, u in self.reactions.items() if u],
        }
        if self.guild_id is not None:
            payload["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            payload["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            payload["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            payload["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            payload["message_reference"] = self.message_reference
        return payload


class MessageStore:
    """Messages by id and by channel, in order; deleted ones are kept but hidden."""

    def __init__(self, ids: SnowflakeFactory) -> None:
        self.ids = ids
        self.by_id: dict[int, SandboxMessage] = {}
        self.by_channel: dict[int, list[int]] = {}
        self.log: list[tuple[str, int]] = []  # ("create" | "edit" | "delete", message id), in order

    def add(self, message: SandboxMessage) -> SandboxMessage:
        """Remember a new message."""
        self.by_id[message.id] = message
        self.by_channel.setdefault(message.channel_id, []).append(message.id)
        self.log.append(("create", message.id))
        return message

    def note(self, what: str, message_id: int) -> None:
        """Log an edit or a delete."""
        self.log.append((what, message_id))

    def get(self, message_id: int) -> SandboxMessage | None:
        """A live (not deleted) message."""
        message = self.by_id.get(message_id)
        return None if message is None or message.deleted else message

    def channel(self, channel_id: int, *, include_ephemeral: bool = True) -> list[SandboxMessage]:
        """The channel's live messages, oldest first."""
        out = []
        for message_id in self.by_channel.get(channel_id, []):
            message = self.by_id[message_id]
            if not message.deleted and (include_ephemeral or not message.ephemeral):
                out.append(message)
        return out


@dataclass
class RegisteredCommand:
    """An application command as stored after registration."""

    payload: dict[str, Any]
    guild_id: int | None

    @property
    def id(self) -> int:
        """Its snowflake."""
        return int(self.payload["id"])

    @property
    def name(self) -> str:
        """Its top-level name."""
        return str(self.payload["name"])

    @property
    def type(self) -> int:
        """1 chat input, 2 user, 3 message."""
        return int(self.payload.get("type", 1))


class CommandRegistry:
    """Global and per-guild application commands, with a way to wait for registration."""

    def __init__(self, ids: SnowflakeFactory, application_id: int) -> None:
        self.ids = ids
        self.application_id = application_id
        self.scopes: dict[int | None, list[RegisteredCommand]] = {}
        self.changed = asyncio.Event()
        self.registered_scopes: set[int | None] = set()

    def stored(self, payload: dict[str, Any], guild_id: int | None, previous: list[RegisteredCommand]) -> \
            RegisteredCommand:
        """A command as Discord returns it, keeping the id of a same-named one."""
        kind = int(payload.get("type", 1))
        old = next((c for c in previous if c.name == payload.get("name") and c.type == kind), None)
        stored: dict[str, Any] = {
            "id": str(old.id if old else self.ids.next()),
            "application_id": str(self.application_id),
            "version": str(self.ids.next()),
            "default_member_permissions": payload.get("default_member_permissions"),
            "type": kind,
            "name": payload.get("name"),
            "name_localizations": payload.get("name_localizations"),
            "description": payload.get("description", ""),
            "description_localizations": payload.get("description_localizations"),
            "dm_permission": payload.get("dm_permission", True),
            "contexts": payload.get("contexts"),
            "integration_types": payload.get("integration_types", [0]),
            "nsfw": payload.get("nsfw", False),
        }
        if payload.get("options"):
            stored["options"] = payload["options"]
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return RegisteredCommand(stored, guild_id)

    def overwrite(self, guild_id: int | None, payloads: list[dict[str, Any]]) -> list[RegisteredCommand]:
        """Bulk overwrite: the scope now holds exactly these commands."""
        previous = self.scopes.get(guild_id, [])
        commands = [self.stored(p, guild_id, previous) for p in payloads]
        self.scopes[guild_id] = commands
        self._touch(guild_id)
        return commands

    def upsert(self, guild_id: int | None, payload: dict[str, Any]) -> RegisteredCommand:
        """Create or replace one command."""
        previous = self.scopes.setdefault(guild_id, [])
        command = self.stored(payload, guild_id, previous)
        self.scopes[guild_id] = [c for c in previous if c.id != command.id] + [command]
        self._touch(guild_id)
        return command

    def delete(self, guild_id: int | None, command_id: int) -> bool:
        """Remove one command; whether it existed."""
        before = self.scopes.get(guild_id, [])
        self.scopes[guild_id] = [c for c in before if c.id != command_id]
        self._touch(guild_id)
        return len(before) != len(self.scopes[guild_id])

    def _touch(self, guild_id: int | None) -> None:
        self.registered_scopes.add(guild_id)
        self.changed.set()
        self.changed = asyncio.Event()

    def in_scope(self, guild_id: int | None) -> list[RegisteredCommand]:
        """The commands registered for exactly that scope (``None`` = global)."""
        return list(self.scopes.get(guild_id, []))

    def visible_in(self, guild_id: int | None) -> list[RegisteredCommand]:
        """What a member of ``guild_id`` can use: the guild's commands, then global ones not shadowed."""
        guild = self.in_scope(guild_id) if guild_id is not None else []
        names = {(c.name, c.type) for c in guild}
        return guild + [c for c in self.in_scope(None) if (c.name, c.type) not in names]

    def find(self, name: str, guild_id: int | None, kind: int = 1) -> RegisteredCommand | None:
        """The command a user in ``guild_id`` gets for ``name``."""
        return next((c for c in self.visible_in(guild_id) if c.name == name and c.type == kind), None)


@dataclass
class InteractionRecord:
    """One interaction the stand-in sent, and everything the bot did to answer it."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    guild_id: int | None
    channel_id: int
    user_id: int
    label: str
    source_message_id: int | None = None
    focused_type: int | None = None
    created: float = field(default_factory=time.monotonic)
    response_type: int | None = None
    expired: bool = False
    original_message_id: int | None = None
    deferred_pending: bool = False
    followup_ids: list[int] = field(default_factory=list)
    touched: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    violations: list[Violation] = field(default_factory=list)
    acknowledged: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)  # acknowledged-and-complete, or expired
    last_activity: float = field(default_factory=time.monotonic)

    def touch(self, message_id: int | None = None) -> None:
        """Note that the bot just did something for this interaction."""
        self.last_activity = time.monotonic()
        if message_id is not None and message_id not in self.touched:
            self.touched.append(message_id)
