"""Threads in the stand-in: public threads created from a message or in a channel, messages in them, archiving,
locking and deleting — with Discord's permission checks and its limits on thread names (1–100 characters).

Routes are registered ahead of :class:`~sandbox.rest.RestAPI`'s; a request about a channel that is not a thread
is handed on to it unchanged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
from aiohttp import web

from sandbox.config import GuildSpec
from sandbox.errors import MISSING_PERMISSIONS, UNKNOWN_CHANNEL, Breach, DiscordHTTPError, not_found
from sandbox.messages import create_message, read_body
from sandbox.rest import RestAPI
from sandbox.state import SandboxState
from sandbox.store import SandboxMessage
from sandbox.wire import json_response

log = logging.getLogger(__name__)

PUBLIC_THREAD = 11
NAME_MAX = 100
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
THREAD_ALREADY_CREATED = 160004
THREAD_ARCHIVED = 50083
GUILDS_INTENT = 1

VIEW = discord.Permissions(view_channel=True).value
CREATE_PUBLIC = discord.Permissions(create_public_threads=True).value
SEND_IN_THREADS = discord.Permissions(send_messages_in_threads=True).value
MANAGE_THREADS = discord.Permissions(manage_threads=True).value
READ_HISTORY = discord.Permissions(read_message_history=True).value


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class SandboxThread:
    """A public thread: its parent channel, the message it was started from (if any), and its state."""

    id: int
    guild_id: int
    parent_id: int
    name: str
    owner_id: int
    message_id: int | None
    auto_archive_duration: int
    archived: bool = False
    locked: bool = False
    deleted: bool = False
    created: str = field(default_factory=_now)
    archived_at: str = field(default_factory=_now)
    message_count: int = 0

    def payload(self) -> dict[str, Any]:
        """Discord's channel object of a thread."""
        return {
            "id": str(self.id), "type": PUBLIC_THREAD, "guild_id": str(self.guild_id), "parent_id": str(self.parent_id),
            "name": self.name, "owner_id": str(self.owner_id), "last_message_id": None, "rate_limit_per_user": 0,
            "message_count": self.message_count, "member_count": 1, "total_message_sent": self.message_count,
            "flags": 0,
            "thread_metadata": {"archived": self.archived, "auto_archive_duration": self.auto_archive_duration,
                                "archive_timestamp": self.archived_at, "locked": self.locked,
                                "create_timestamp": self.created},
        }


def bot_permissions(state: SandboxState, guild: GuildSpec, channel_id: int) -> int:
    """The bot's permissions in a channel of ``guild``: its roles, then the channel's overwrites."""
    _, channel = state.world.guild_of_channel(channel_id)
    return state.world.permissions(guild, state.world.bot.id, channel)


class ThreadAPI:
    """The thread endpoints; other channels' requests go on to :class:`RestAPI`."""

    def __init__(self, state: SandboxState, rest: RestAPI) -> None:
        self.state = state
        self.rest = rest
        self.threads: dict[int, SandboxThread] = {}

    def routes(self, prefix: str) -> list[web.RouteDef]:
        """The aiohttp routes, under ``prefix`` (``/api/v10``); register them before the REST API's."""
        channel = prefix + "/channels/{channel_id}"
        return [
            web.post(channel + "/threads", self.create_in_channel),
            web.post(channel + "/messages/{message_id}/threads", self.create_from_message),
            web.get(channel, self.get_channel),
            web.patch(channel, self.modify),
            web.delete(channel, self.delete),
            web.post(channel + "/messages", self.post_message),
        ]

    # -- helpers ---------------------------------------------------------------------------------

    def live(self, guild_id: int | None = None) -> list[SandboxThread]:
        """Threads not deleted (of one guild), oldest first."""
        return [t for t in self.threads.values() if not t.deleted and (guild_id is None or t.guild_id == guild_id)]

    def messages(self, thread_id: int) -> list[SandboxMessage]:
        """A thread's live messages, oldest first."""
        return self.state.messages.channel(thread_id, include_ephemeral=False)

    def _find_thread(self, request: web.Request) -> SandboxThread | None:
        raw = request.match_info["channel_id"]
        thread = self.threads.get(int(raw)) if raw.isdigit() else None
        if thread is not None and thread.deleted:
            raise not_found(UNKNOWN_CHANNEL, "Channel")
        return thread

    def _guild(self, guild_id: int) -> GuildSpec:
        return next(g for g in self.state.config.guilds if g.id == guild_id)

    def _need(self, guild: GuildSpec, channel_id: int, permission: int, what: str, endpoint: str) -> None:
        have = bot_permissions(self.state, guild, channel_id)
        if have & permission != permission:
            violation = self.state.violate(f"missing permission: {what}", f"the bot lacks {what} in {guild.name}",
                                           kind="endpoint", endpoint=endpoint)
            raise DiscordHTTPError(403, MISSING_PERMISSIONS, "Missing Permissions", violation=violation)

    def _name(self, body: dict[str, Any], endpoint: str) -> str:
        name = body.get("name")
        text = name.strip() if isinstance(name, str) else ""
        if not 1 <= len(text) <= NAME_MAX:
            raise self.state.reject([Breach("thread name length", "name",
                                            f"a thread's name is 1 to {NAME_MAX} characters, not {len(text)}",
                                            code="BASE_TYPE_BAD_LENGTH",
                                            message=f"Must be between 1 and {NAME_MAX} in length.")],
                                    endpoint=endpoint)
        return text

    def _duration(self, body: dict[str, Any], default: int, endpoint: str) -> int:
        raw = body.get("auto_archive_duration", default)
        if raw not in ARCHIVE_DURATIONS:
            raise self.state.reject([Breach("thread archive duration", "auto_archive_duration",
                                            f"{raw!r} is not one of {ARCHIVE_DURATIONS}", code="BASE_TYPE_CHOICES")],
                                    endpoint=endpoint)
        return int(raw)

    async def _create(self, guild: GuildSpec, parent_id: int, body: dict[str, Any], message_id: int | None,
                      endpoint: str) -> web.StreamResponse:
        name = self._name(body, endpoint)
        duration = self._duration(body, 1440, endpoint)
        # As on Discord, a thread started from a message has the message's id.
        thread = SandboxThread(id=message_id or self.state.ids.next(), guild_id=guild.id, parent_id=parent_id,
                               name=name, owner_id=self.state.world.bot.id, message_id=message_id,
                               auto_archive_duration=duration)
        self.threads[thread.id] = thread
        await self.state.emit("THREAD_CREATE", {**thread.payload(), "newly_created": True}, GUILDS_INTENT)
        return json_response(thread.payload(), status=201)

    # -- endpoints -------------------------------------------------------------------------------

    async def create_in_channel(self, request: web.Request) -> web.StreamResponse:
        """``POST /channels/{id}/threads``: a public thread without a starter message."""
        endpoint = "POST /channels/{channel}/threads"
        guild, channel_id = self.rest.channel_of(request)
        if guild is None:
            raise not_found(UNKNOWN_CHANNEL, "Channel")
        body = await request.json()
        if int(body.get("type", PUBLIC_THREAD)) != PUBLIC_THREAD:
            raise self.state.reject([Breach("thread type", "type", "the stand-in makes public threads only",
                                            code="BASE_TYPE_CHOICES")], endpoint=endpoint)
        self._need(guild, channel_id, VIEW | CREATE_PUBLIC, "Create Public Threads", endpoint)
        return await self._create(guild, channel_id, body, None, endpoint)

    async def create_from_message(self, request: web.Request) -> web.StreamResponse:
        """``POST /channels/{id}/messages/{id}/threads``: a public thread started from a message (one per message)."""
        endpoint = "POST /channels/{channel}/messages/{message}/threads"
        guild, channel_id = self.rest.channel_of(request)
        if guild is None:
            raise not_found(UNKNOWN_CHANNEL, "Channel")
        message = self.rest.message_of(request, channel_id)
        self._need(guild, channel_id, VIEW | CREATE_PUBLIC | READ_HISTORY, "Create Public Threads", endpoint)
        if any(t.message_id == message.id for t in self.threads.values()):
            raise DiscordHTTPError(400, THREAD_ALREADY_CREATED, "A thread has already been created for this message")
        return await self._create(guild, channel_id, await request.json(), message.id, endpoint)

    async def get_channel(self, request: web.Request) -> web.StreamResponse:
        """``GET /channels/{id}``: a thread, or any other channel."""
        thread = self._find_thread(request)
        if thread is None:
            return await self.rest.get_channel(request)
        return json_response(thread.payload())

    async def modify(self, request: web.Request) -> web.StreamResponse:
        """``PATCH /channels/{id}`` of a thread: name, archived, locked, auto_archive_duration."""
        endpoint = "PATCH /channels/{thread}"
        thread = self._find_thread(request)
        if thread is None:
            raise not_found(UNKNOWN_CHANNEL, "Channel")  # the stand-in edits threads only
        guild = self._guild(thread.guild_id)
        body = await request.json()
        manages = bot_permissions(self.state, guild, thread.parent_id) & MANAGE_THREADS == MANAGE_THREADS
        if "locked" in body and bool(body["locked"]) != thread.locked:
            self._need(guild, thread.parent_id, MANAGE_THREADS, "Manage Threads", endpoint)
        if thread.locked and not manages:
            self._need(guild, thread.parent_id, MANAGE_THREADS, "Manage Threads", endpoint)
        if not manages and thread.owner_id != self.state.world.bot.id:
            self._need(guild, thread.parent_id, MANAGE_THREADS, "Manage Threads", endpoint)
        if "name" in body:
            thread.name = self._name(body, endpoint)
        if "auto_archive_duration" in body:
            thread.auto_archive_duration = self._duration(body, thread.auto_archive_duration, endpoint)
        if "locked" in body:
            thread.locked = bool(body["locked"])
        if "archived" in body:
            thread.archived = bool(body["archived"])
            thread.archived_at = _now()
        await self.state.emit("THREAD_UPDATE", thread.payload(), GUILDS_INTENT)
        return json_response(thread.payload())

    async def delete(self, request: web.Request) -> web.StreamResponse:
        """``DELETE /channels/{id}`` of a thread (Manage Threads)."""
        endpoint = "DELETE /channels/{thread}"
        thread = self._find_thread(request)
        if thread is None:
            raise not_found(UNKNOWN_CHANNEL, "Channel")
        guild = self._guild(thread.guild_id)
        self._need(guild, thread.parent_id, MANAGE_THREADS, "Manage Threads", endpoint)
        payload = thread.payload()
        await self.remove(thread)
        return json_response(payload)

    async def remove(self, thread: SandboxThread) -> None:
        """Delete a thread (as a moderator would) and tell the bot."""
        thread.deleted = True
        await self.state.emit("THREAD_DELETE", {"id": str(thread.id), "guild_id": str(thread.guild_id),
                                                "parent_id": str(thread.parent_id), "type": PUBLIC_THREAD},
                              GUILDS_INTENT)

    async def post_message(self, request: web.Request) -> web.StreamResponse:
        """``POST /channels/{id}/messages`` in a thread (Send Messages in Threads; an archived one reopens unless
        locked), or in any other channel."""
        thread = self._find_thread(request)
        if thread is None:
            return await self.rest.post_message(request)
        endpoint = "POST /channels/{thread}/messages"
        guild = self._guild(thread.guild_id)
        self._need(guild, thread.parent_id, VIEW | SEND_IN_THREADS, "Send Messages in Threads", endpoint)
        if thread.archived:
            manages = bot_permissions(self.state, guild, thread.parent_id) & MANAGE_THREADS == MANAGE_THREADS
            if thread.locked and not manages:
                raise DiscordHTTPError(400, THREAD_ARCHIVED, "Thread is locked")
            thread.archived = False
        payload, uploads = await read_body(request, self.state, endpoint)
        message = await create_message(self.state, channel_id=thread.id, guild_id=guild.id, payload=payload,
                                       uploads=uploads, endpoint=endpoint)
        thread.message_count += 1
        return json_response(message.payload())
