"""REST endpoints other than interactions: users, application, gateway, commands, channels, guilds, CDN."""

from __future__ import annotations

import json
import logging
from typing import Any

import discord
from aiohttp import web

from sandbox.config import GuildSpec
from sandbox.errors import (
    CANNOT_EDIT_OTHERS,
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    UNKNOWN_APPLICATION_COMMAND,
    UNKNOWN_CHANNEL,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    DiscordHTTPError,
    not_found,
)
from sandbox.messages import create_message, delete_message, edit_message, read_body
from sandbox.registration import check_command, check_commands
from sandbox.state import SandboxState
from sandbox.store import SandboxMessage
from sandbox.wire import json_response

log = logging.getLogger(__name__)

SEND = discord.Permissions(send_messages=True).value
VIEW = discord.Permissions(view_channel=True).value
MANAGE_MESSAGES = discord.Permissions(manage_messages=True).value
SESSION_STARTS = 1000  # IDENTIFYs Discord allows a bot per day


class RestAPI:
    """The bot-token endpoints."""

    def __init__(self, state: SandboxState, gateway_url: str) -> None:
        self.state = state
        self.gateway_url = gateway_url

    def routes(self, prefix: str) -> list[web.RouteDef]:
        """The aiohttp routes, under ``prefix`` (``/api/v10``)."""
        p = prefix
        app = p + "/applications/{app_id}"
        guild_cmds = app + "/guilds/{guild_id}/commands"
        msg = p + "/channels/{channel_id}/messages/{message_id}"
        return [
            web.get(p + "/users/@me", self.me),
            web.post(p + "/users/@me/channels", self.open_dm),
            web.get(p + "/users/{user_id}", self.get_user),
            web.get(p + "/oauth2/applications/@me", self.application),
            web.get(p + "/applications/@me", self.application),
            web.get(p + "/gateway", self.gateway),
            web.get(p + "/gateway/bot", self.gateway_bot),
            web.get(app + "/commands", self.list_commands),
            web.put(app + "/commands", self.overwrite_commands),
            web.post(app + "/commands", self.upsert_command),
            web.get(app + "/commands/{command_id}", self.get_command),
            web.patch(app + "/commands/{command_id}", self.edit_command),
            web.delete(app + "/commands/{command_id}", self.delete_command),
            web.get(guild_cmds + "/permissions", self.command_permissions),
            web.get(guild_cmds, self.list_commands),
            web.put(guild_cmds, self.overwrite_commands),
            web.post(guild_cmds, self.upsert_command),
            web.get(guild_cmds + "/{command_id}", self.get_command),
            web.patch(guild_cmds + "/{command_id}", self.edit_command),
            web.delete(guild_cmds + "/{command_id}", self.delete_command),
            web.get(app + "/entitlements", self.empty_list),
            web.get(p + "/channels/{channel_id}", self.get_channel),
            web.get(p + "/channels/{channel_id}/messages", self.list_messages),
            web.post(p + "/channels/{channel_id}/messages", self.post_message),
            web.post(p + "/channels/{channel_id}/typing", self.no_content),
            web.get(msg, self.get_message),
            web.patch(msg, self.edit_message),
            web.delete(msg, self.delete_message),
            web.put(msg + "/reactions/{emoji}/@me", self.add_reaction),
            web.delete(msg + "/reactions/{emoji}/@me", self.remove_reaction),
            web.get(p + "/guilds/{guild_id}", self.get_guild),
            web.get(p + "/guilds/{guild_id}/channels", self.guild_channels),
            web.get(p + "/guilds/{guild_id}/roles", self.guild_roles),
            web.get(p + "/guilds/{guild_id}/members", self.guild_members),
            web.get(p + "/guilds/{guild_id}/members/{user_id}", self.guild_member),
        ]

    # helpers -------------------------------------------------------------------

    def _guild(self, request: web.Request) -> GuildSpec:
        raw = request.match_info["guild_id"]
        try:
            return self.state.config.guild(int(raw))
        except (KeyError, ValueError):
            raise DiscordHTTPError(403, MISSING_ACCESS, "Missing Access") from None

    def _app(self, request: web.Request) -> None:
        if request.match_info["app_id"] != str(self.state.config.application_id):
            raise DiscordHTTPError(403, MISSING_ACCESS, "Missing Access")

    def _channel(self, request: web.Request) -> tuple[GuildSpec | None, int]:
        raw = request.match_info["channel_id"]
        channel_id = int(raw) if raw.isdigit() else 0
        guild, channel = self.state.world.guild_of_channel(channel_id)
        if channel is None and self.state.world.dm_recipient(channel_id) is None:
            raise not_found(UNKNOWN_CHANNEL, "Channel")
        return guild, channel_id

    def _message(self, request: web.Request, channel_id: int) -> SandboxMessage:
        raw = request.match_info["message_id"]
        message = self.state.messages.get(int(raw)) if raw.isdigit() else None
        if message is None or message.channel_id != channel_id or message.ephemeral:
            raise not_found(UNKNOWN_MESSAGE, "Message")
        return message

    channel_of = _channel  # for the stand-in's other endpoints (sandbox/threads.py)
    message_of = _message

    def _need(self, guild: GuildSpec | None, permission: int, what: str, endpoint: str,
              channel_id: int | None = None) -> None:
        if guild is None:
            return
        channel = next((c for c in guild.channels if c.id == channel_id), None)
        have = self.state.world.permissions(guild, self.state.world.bot.id, channel)
        if have & permission != permission:
            violation = self.state.violate(f"missing permission: {what}", f"the bot lacks {what} in {guild.name}",
                                           kind="endpoint", endpoint=endpoint)
            raise DiscordHTTPError(403, MISSING_PERMISSIONS, "Missing Permissions", violation=violation)

    # users, application, gateway -----------------------------------------------------

    async def me(self, request: web.Request) -> web.StreamResponse:
        """``GET /users/@me``."""
        return json_response(self.state.world.me_payload())

    async def get_user(self, request: web.Request) -> web.StreamResponse:
        """``GET /users/{id}``."""
        raw = request.match_info["user_id"]
        user = self.state.world.find_user(int(raw)) if raw.isdigit() else None
        if user is None:
            raise not_found(UNKNOWN_USER, "User")
        return json_response(self.state.world.user_payload(user))

    async def open_dm(self, request: web.Request) -> web.StreamResponse:
        """``POST /users/@me/channels``: a DM channel with a user."""
        body = await request.json()
        raw = str(body.get("recipient_id", ""))
        user = self.state.world.find_user(int(raw)) if raw.isdigit() else None
        if user is None:
            raise not_found(UNKNOWN_USER, "User")
        world = self.state.world
        if user.id not in world.dm_channels:
            world.dm_channels[user.id] = self.state.ids.next()
        return json_response(world.dm_payload(user))

    async def application(self, request: web.Request) -> web.StreamResponse:
        """``GET /oauth2/applications/@me``."""
        return json_response(self.state.world.application_payload())

    async def gateway(self, request: web.Request) -> web.StreamResponse:
        """``GET /gateway``."""
        return json_response({"url": self.gateway_url})

    async def gateway_bot(self, request: web.Request) -> web.StreamResponse:
        """``GET /gateway/bot``: the gateway URL, the recommended shard count and the session start limit."""
        config = self.state.config
        remaining = max(SESSION_STARTS - self.state.session_starts, 0)
        return json_response({"url": self.gateway_url, "shards": config.shard_count, "session_start_limit": {
            "total": SESSION_STARTS, "remaining": remaining, "reset_after": 14_400_000,
            "max_concurrency": config.max_concurrency}})

    async def empty_list(self, request: web.Request) -> web.StreamResponse:
        """An endpoint that lists nothing here (entitlements)."""
        return json_response([])

    async def no_content(self, request: web.Request) -> web.StreamResponse:
        """Accepted and ignored (typing)."""
        self._channel(request)
        return web.Response(status=204)

    # commands ------------------------------------------------------------------------

    def _scope(self, request: web.Request) -> int | None:
        self._app(request)
        return self._guild(request).id if "guild_id" in request.match_info else None

    async def list_commands(self, request: web.Request) -> web.StreamResponse:
        """``GET …/commands``."""
        scope = self._scope(request)
        return json_response([c.payload for c in self.state.commands.in_scope(scope)])

    async def overwrite_commands(self, request: web.Request) -> web.StreamResponse:
        """``PUT …/commands``: bulk overwrite, checked against Discord's registration rules."""
        scope = self._scope(request)
        body = json.loads(await request.text() or "[]")
        endpoint = f"PUT /applications/{{app}}{'/guilds/{guild}' if scope else ''}/commands"
        if not isinstance(body, list):
            raise DiscordHTTPError(400, 50035, "Invalid Form Body")
        breaches = check_commands(body)
        if breaches:
            raise self.state.reject(breaches, kind="registration", endpoint=endpoint)
        stored = self.state.commands.overwrite(scope, body)
        return json_response([c.payload for c in stored])

    async def upsert_command(self, request: web.Request) -> web.StreamResponse:
        """``POST …/commands``: create or replace one command."""
        scope = self._scope(request)
        body = json.loads(await request.text() or "{}")
        breaches = check_command(body, "")
        if breaches:
            raise self.state.reject(breaches, kind="registration", endpoint="POST …/commands")
        others = [c.payload for c in self.state.commands.in_scope(scope) if c.name != body.get("name")]
        count = check_commands([*others, body])
        if count:
            raise self.state.reject([b for b in count if not b.path[:1].isdigit()], kind="registration",
                                    endpoint="POST …/commands")
        return json_response(self.state.commands.upsert(scope, body).payload, status=201)

    def _command(self, request: web.Request, scope: int | None) -> dict[str, Any]:
        raw = request.match_info["command_id"]
        for command in self.state.commands.in_scope(scope):
            if str(command.id) == raw:
                return command.payload
        raise not_found(UNKNOWN_APPLICATION_COMMAND, "application command")

    async def get_command(self, request: web.Request) -> web.StreamResponse:
        """``GET …/commands/{id}``."""
        scope = self._scope(request)
        return json_response(self._command(request, scope))

    async def edit_command(self, request: web.Request) -> web.StreamResponse:
        """``PATCH …/commands/{id}``."""
        scope = self._scope(request)
        merged = {**self._command(request, scope), **json.loads(await request.text() or "{}")}
        breaches = check_command(merged, "")
        if breaches:
            raise self.state.reject(breaches, kind="registration", endpoint="PATCH …/commands/{id}")
        return json_response(self.state.commands.upsert(scope, merged).payload)

    async def delete_command(self, request: web.Request) -> web.StreamResponse:
        """``DELETE …/commands/{id}``."""
        scope = self._scope(request)
        command = self._command(request, scope)
        self.state.commands.delete(scope, int(command["id"]))
        return web.Response(status=204)

    async def command_permissions(self, request: web.Request) -> web.StreamResponse:
        """``GET …/guilds/{guild}/commands/permissions``: no overrides."""
        self._scope(request)
        return json_response([])

    # channels and messages ---------------------------------------------------------------

    async def get_channel(self, request: web.Request) -> web.StreamResponse:
        """``GET /channels/{id}``."""
        guild, channel_id = self._channel(request)
        world = self.state.world
        if guild is None:
            recipient = world.dm_recipient(channel_id)
            assert recipient is not None
            return json_response(world.dm_payload(recipient))
        index = next(i for i, c in enumerate(guild.channels) if c.id == channel_id)
        return json_response(world.channel_payload(guild, guild.channels[index], index))

    async def list_messages(self, request: web.Request) -> web.StreamResponse:
        """``GET /channels/{id}/messages`` (newest first, ``limit``/``before``/``after``)."""
        _, channel_id = self._channel(request)
        messages = self.state.messages.channel(channel_id, include_ephemeral=False)
        before, after = request.query.get("before"), request.query.get("after")
        if before and before.isdigit():
            messages = [m for m in messages if m.id < int(before)]
        if after and after.isdigit():
            messages = [m for m in messages if m.id > int(after)]
        limit = int(request.query.get("limit", "50") or 50)
        newest = list(reversed(messages))[: max(1, min(limit, 100))]
        return json_response([m.payload() for m in newest])

    async def post_message(self, request: web.Request) -> web.StreamResponse:
        """``POST /channels/{id}/messages``."""
        endpoint = "POST /channels/{channel}/messages"
        guild, channel_id = self._channel(request)
        self._need(guild, VIEW | SEND, "Send Messages", endpoint)
        payload, uploads = await read_body(request, self.state, endpoint)
        message = await create_message(self.state, channel_id=channel_id, guild_id=guild.id if guild else None,
                                       payload=payload, uploads=uploads, endpoint=endpoint,
                                       msg_type=19 if payload.get("message_reference") else 0)
        return json_response(message.payload())

    async def get_message(self, request: web.Request) -> web.StreamResponse:
        """``GET /channels/{id}/messages/{id}``."""
        _, channel_id = self._channel(request)
        return json_response(self._message(request, channel_id).payload())

    async def edit_message(self, request: web.Request) -> web.StreamResponse:
        """``PATCH /channels/{id}/messages/{id}`` (only the bot's own messages)."""
        endpoint = "PATCH /channels/{channel}/messages/{message}"
        _, channel_id = self._channel(request)
        message = self._message(request, channel_id)
        if message.author_id != self.state.world.bot.id:
            violation = self.state.violate("edit of another user's message", f"message {message.id}",
                                           kind="endpoint", endpoint=endpoint)
            raise DiscordHTTPError(403, CANNOT_EDIT_OTHERS, "Cannot edit a message authored by another user",
                                   violation=violation)
        payload, uploads = await read_body(request, self.state, endpoint)
        await edit_message(self.state, message, payload, uploads, endpoint=endpoint)
        return json_response(message.payload())

    async def delete_message(self, request: web.Request) -> web.StreamResponse:
        """``DELETE /channels/{id}/messages/{id}`` (others' messages need Manage Messages)."""
        endpoint = "DELETE /channels/{channel}/messages/{message}"
        guild, channel_id = self._channel(request)
        message = self._message(request, channel_id)
        if message.author_id != self.state.world.bot.id:
            self._need(guild, MANAGE_MESSAGES, "Manage Messages", endpoint, channel_id)
        await delete_message(self.state, message)
        return web.Response(status=204)

    async def add_reaction(self, request: web.Request) -> web.StreamResponse:
        """``PUT …/reactions/{emoji}/@me``."""
        _, channel_id = self._channel(request)
        message = self._message(request, channel_id)
        message.reactions.setdefault(request.match_info["emoji"], set()).add(self.state.world.bot.id)
        return web.Response(status=204)

    async def remove_reaction(self, request: web.Request) -> web.StreamResponse:
        """``DELETE …/reactions/{emoji}/@me``."""
        _, channel_id = self._channel(request)
        message = self._message(request, channel_id)
        message.reactions.get(request.match_info["emoji"], set()).discard(self.state.world.bot.id)
        return web.Response(status=204)

    # guilds -----------------------------------------------------------------------------

    async def get_guild(self, request: web.Request) -> web.StreamResponse:
        """``GET /guilds/{id}``."""
        guild = self._guild(request)
        payload = self.state.world.guild_payload(guild, all_members=False)
        for key in ("members", "channels", "voice_states", "threads", "presences", "joined_at", "large"):
            payload.pop(key, None)
        return json_response(payload)

    async def guild_channels(self, request: web.Request) -> web.StreamResponse:
        """``GET /guilds/{id}/channels``."""
        guild = self._guild(request)
        return json_response([self.state.world.channel_payload(guild, c, i) for i, c in
                                  enumerate(guild.channels)])

    async def guild_roles(self, request: web.Request) -> web.StreamResponse:
        """``GET /guilds/{id}/roles``."""
        return json_response(self.state.world.roles_payload(self._guild(request)))

    async def guild_members(self, request: web.Request) -> web.StreamResponse:
        """``GET /guilds/{id}/members``."""
        guild = self._guild(request)
        world = self.state.world
        ids = sorted(uid for (gid, uid) in world.member_roles if gid == guild.id)
        after = request.query.get("after", "0")
        ids = [u for u in ids if u > int(after if after.isdigit() else 0)][: int(request.query.get("limit", "1"))]
        return json_response([world.member_payload(guild, u) for u in ids])

    async def guild_member(self, request: web.Request) -> web.StreamResponse:
        """``GET /guilds/{id}/members/{user}``."""
        guild = self._guild(request)
        raw = request.match_info["user_id"]
        world = self.state.world
        user_id = int(raw) if raw.isdigit() else 0
        if not world.is_member(guild, user_id):
            raise DiscordHTTPError(404, 10007, "Unknown Member")
        return json_response(world.member_payload(guild, user_id))

