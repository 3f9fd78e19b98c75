"""The live world behind the stand-in: who is in which guild with which roles, as Discord JSON."""

from __future__ import annotations

from typing import Any

import discord

from sandbox.config import (
    KIND_ROLE,
    MODERATOR_ROLE,
    OVERWRITE_MEMBER,
    OVERWRITE_ROLE,
    ChannelSpec,
    GuildSpec,
    RoleSpec,
    SandboxConfig,
    UserSpec,
)
from sandbox.ids import fixture_id

JOINED_AT = "2024-01-01T00:00:00.000000+00:00"
ALL_PERMISSIONS = discord.Permissions.all().value
GUILD_MEMBERS_INTENT = 1 << 1
GUILD_MESSAGES_INTENT = 1 << 9
MESSAGE_CONTENT_INTENT = 1 << 15
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)
# Kind 0 is never configured, so no user (however many are generated) can have the absent founder's id.
ABSENT_OWNER_ID = fixture_id(0, 0)


class World:
    """Config plus the state that changes at run time (member roles, DM channels)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.bot = UserSpec(config.bot_name, id=config.bot_id, bot=True)
        self.member_roles: dict[tuple[int, int], list[int]] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        for index, guild in enumerate(config.guilds):
            bot_role = next((r for r in guild.roles if r.managed and r.name == config.bot_name), None)
            if bot_role is None:
                bot_role = RoleSpec(config.bot_name, config.bot_permissions, managed=True,
                                    id=fixture_id(KIND_ROLE, 500 + index))
                guild.roles.append(bot_role)
            for name, role_names in guild.members.items():
                user = config.user(name)
                self.member_roles[(guild.id, user.id)] = [guild.role(r).id for r in role_names]
            self.member_roles[(guild.id, self.bot.id)] = [bot_role.id]

    # lookups -----------------------------------------------------------------

    def user(self, key: str | int) -> UserSpec:
        """A configured user, or the bot itself."""
        if key in (self.bot.id, self.bot.name):
            return self.bot
        return self.config.user(key)

    def find_user(self, user_id: int) -> UserSpec | None:
        """The user with that id, if there is one."""
        try:
            return self.user(user_id)
        except KeyError:
            return None

    def is_member(self, guild: GuildSpec, user_id: int) -> bool:
        """Whether the user is in the guild."""
        return (guild.id, user_id) in self.member_roles

    def roles_of(self, guild: GuildSpec, user_id: int) -> list[RoleSpec]:
        """The member's roles (without @everyone)."""
        ids = self.member_roles.get((guild.id, user_id), [])
        return [r for r in guild.roles if r.id in ids]

    def permissions(self, guild: GuildSpec, user_id: int, channel: ChannelSpec | None = None) -> int:
        """The member's permission bits, guild-wide or in ``channel`` (owners and administrators get everything).

        In a channel, its overwrites apply as Discord computes them: the @everyone overwrite, then the member's
        role overwrites together (every role's denies, then every role's allows), then the member's own overwrite.
        """
        if guild.owner is not None and self.config.user(guild.owner).id == user_id:
            return ALL_PERMISSIONS
        value = guild.everyone_permissions
        roles = self.roles_of(guild, user_id)
        for role in roles:
            value |= role.permissions
        if value & discord.Permissions(administrator=True).value:
            return ALL_PERMISSIONS
        if channel is None or not channel.overwrites:
            return value
        overwrites = {(o.type, o.id): o for o in channel.overwrites}
        everyone = overwrites.get((OVERWRITE_ROLE, guild.id))
        if everyone is not None:
            value = (value & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role in roles:
            found = overwrites.get((OVERWRITE_ROLE, role.id))
            if found is not None:
                allow, deny = allow | found.allow, deny | found.deny
        value = (value & ~deny) | allow
        member = overwrites.get((OVERWRITE_MEMBER, user_id))
        if member is not None:
            value = (value & ~member.deny) | member.allow
        return value

    def set_role(self, guild: GuildSpec, user_id: int, role_name: str, present: bool) -> None:
        """Give (``present``) or take away a role from a member."""
        role = guild.role(role_name)
        roles = self.member_roles.setdefault((guild.id, user_id), [])
        if present and role.id not in roles:
            roles.append(role.id)
        elif not present and role.id in roles:
            roles.remove(role.id)

    def is_moderator(self, guild: GuildSpec, user_id: int) -> bool:
        """Whether the member holds the moderator role."""
        return any(r.name == MODERATOR_ROLE for r in self.roles_of(guild, user_id))

    def guild_of_channel(self, channel_id: int) -> tuple[GuildSpec | None, ChannelSpec | None]:
        """The guild and channel spec for a channel id (``(None, None)`` for DMs and unknown ids)."""
        for guild in self.config.guilds:
            for channel in guild.channels:
                if channel.id == channel_id:
                    return guild, channel
        return None, None

    def dm_recipient(self, channel_id: int) -> UserSpec | None:
        """The user a DM channel is with."""
        for user_id, dm_id in self.dm_channels.items():
            if dm_id == channel_id:
                return self.find_user(user_id)
        return None

    # payloads ----------------------------------------------------------------

    def user_payload(self, user: UserSpec) -> dict[str, Any]:
        """A Discord user object."""
        payload: dict[str, Any] = {
            "id": str(user.id),
            "username": user.name,
            "global_name": user.global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "avatar_decoration_data": None,
        }
        if user.bot:
            payload["bot"] = True
        return payload

    def me_payload(self) -> dict[str, Any]:
        """``GET /users/@me`` for the bot."""
        return {**self.user_payload(self.bot), "verified": True, "mfa_enabled": False, "flags": 0,
                "email": None, "locale": self.config.locale}

    def member_payload(self, guild: GuildSpec, user_id: int, *, with_user: bool = True,
                       with_permissions: bool = False, channel: ChannelSpec | None = None) -> dict[str, Any]:
        """A guild member object (``permissions`` as a string, in ``channel`` when given, as in interactions)."""
        payload: dict[str, Any] = {
            "roles": [str(r.id) for r in self.roles_of(guild, user_id)],
            "nick": None,
            "avatar": None,
            "banner": None,
            "joined_at": JOINED_AT,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user_payload(self.user(user_id))
        if with_permissions:
            payload["permissions"] = str(self.permissions(guild, user_id, channel))
        return payload

    def role_payload(self, guild: GuildSpec, role: RoleSpec | None, position: int = 0) -> dict[str, Any]:
        """A role object; ``None`` means the guild's @everyone role."""
        if role is None:
            return {"id": str(guild.id), "name": "@everyone", "permissions": str(guild.everyone_permissions),
                    "position": 0, "color": 0, "colors": {"primary_color": 0}, "hoist": False, "managed": False,
                    "mentionable": False, "icon": None, "unicode_emoji": None, "flags": 0}
        payload: dict[str, Any] = {
            "id": str(role.id), "name": role.name, "permissions": str(role.permissions), "position": position,
            "color": role.color, "colors": {"primary_color": role.color}, "hoist": role.hoist,
            "managed": role.managed, "mentionable": role.mentionable, "icon": None, "unicode_emoji": None,
            "flags": 0,
        }
        if role.managed:
            payload["tags"] = {"bot_id": str(self.bot.id)}
        return payload

    def roles_payload(self, guild: GuildSpec) -> list[dict[str, Any]]:
        """All roles of a guild, @everyone first."""
        return [self.role_payload(guild, None)] + [
            self.role_payload(guild, role, position) for position, role in enumerate(guild.roles, start=1)
        ]

    def channel_payload(self, guild: GuildSpec, channel: ChannelSpec, position: int = 0) -> dict[str, Any]:
        """A guild channel object."""
        payload: dict[str, Any] = {
            "id": str(channel.id), "type": channel.type, "guild_id": str(guild.id), "name": channel.name,
            "position": position, "permission_overwrites": [o.payload() for o in channel.overwrites],
            "nsfw": channel.nsfw, "parent_id": None,
            "flags": 0,
        }
        if channel.type in (0, 5):
            payload.update(topic=channel.topic, rate_limit_per_user=0, last_message_id=None)
        elif channel.type in (2, 13):
            payload.update(bitrate=64000, user_limit=0, rtc_region=None)
        return payload

    def dm_payload(self, user: UserSpec) -> dict[str, Any]:
        """A DM channel object with ``user``."""
        return {"id": str(self.dm_channels[user.id]), "type": 1, "last_message_id": None, "flags": 0,
                "recipients": [self.user_payload(user)]}

    def guild_payload(self, guild: GuildSpec, *, all_members: bool) -> dict[str, Any]:
        """A GUILD_CREATE payload (every member only with the GUILD_MEMBERS intent, else just the bot)."""
        members = [uid for (gid, uid) in self.member_roles if gid == guild.id]
        shown = members if all_members else [self.bot.id]
        text = guild.text_channels
        return {
            "id": str(guild.id), "name": guild.name, "icon": None, "splash": None, "discovery_splash": None,
            "banner": None, "description": None,
            "owner_id": str(self.config.user(guild.owner).id if guild.owner else ABSENT_OWNER_ID),
            "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0,
            "default_message_notifications": 1, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "features": [], "emojis": [], "stickers": [], "application_id": None,
            "system_channel_id": str(text[0].id) if text else None, "system_channel_flags": 0,
            "rules_channel_id": None, "public_updates_channel_id": None, "vanity_url_code": None,
            "premium_tier": 0, "premium_subscription_count": 0, "premium_progress_bar_enabled": False,
            "preferred_locale": guild.locale, "max_members": 500_000, "joined_at": JOINED_AT, "large": False,
            "unavailable": False, "member_count": len(members), "lazy": True,
            "roles": self.roles_payload(guild),
            "channels": [self.channel_payload(guild, c, i) for i, c in enumerate(guild.channels)],
            "members": [self.member_payload(guild, uid) for uid in shown],
            "voice_states": [], "threads": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [],
        }

    def application_payload(self) -> dict[str, Any]:
        """``GET /oauth2/applications/@me``."""
        owner = self.config.users[0] if self.config.users else self.bot
        return {
            "id": str(self.config.application_id), "name": self.bot.name, "icon": None,
            "description": "A bot running against the kansou sandbox", "summary": "", "type": None,
            "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64, "flags": 0,
            "owner": self.user_payload(owner), "team": None, "bot": self.user_payload(self.bot),
            "rpc_origins": [], "tags": [], "redirect_uris": [], "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.config.guilds),
            "integration_types_config": {"0": {}},
        }
