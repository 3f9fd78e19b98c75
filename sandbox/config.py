"""The stand-in's fixed world: guilds, channels, roles and members, plus its tunable limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from sandbox.ids import fixture_id

KIND_GUILD, KIND_CHANNEL, KIND_ROLE, KIND_USER, KIND_BOT = 1, 2, 3, 4, 5

EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    use_application_commands=True,
    create_instant_invite=True,
    change_nickname=True,
    connect=True,
    speak=True,
).value
MODERATOR_PERMISSIONS = discord.Permissions(manage_messages=True, manage_guild=True).value
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    manage_messages=True,
    manage_threads=True,  # kansou locks the reply thread of a deleted review
).value
MODERATOR_ROLE = "Moderators"


@dataclass
class UserSpec:
    """A Discord user the sandbox knows (members are users placed in guilds)."""

    name: str
    id: int = 0
    global_name: str | None = None
    bot: bool = False


@dataclass
class RoleSpec:
    """A guild role (the @everyone role is implicit: its permissions live on the guild)."""

    name: str
    permissions: int = 0
    color: int = 0
    mentionable: bool = False
    hoist: bool = False
    managed: bool = False
    id: int = 0


OVERWRITE_ROLE, OVERWRITE_MEMBER = 0, 1


@dataclass
class Overwrite:
    """A channel permission overwrite: bits allowed and denied for a role (the guild's id: @everyone) or a member."""

    id: int
    type: int = OVERWRITE_ROLE
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, object]:
        """As Discord sends it in a channel's ``permission_overwrites``."""
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass
class ChannelSpec:
    """A guild channel; ``type`` is Discord's channel type (0 text, 2 voice, 4 category, 5 news)."""

    name: str
    type: int = 0
    topic: str | None = None
    nsfw: bool = False
    id: int = 0
    overwrites: list[Overwrite] = field(default_factory=list)


@dataclass
class GuildSpec:
    """A guild (Discord's name for a server) with its channels, roles and members."""

    name: str
    channels: list[ChannelSpec]
    roles: list[RoleSpec]
    members: dict[str, list[str]]  # user name -> role names
    everyone_permissions: int = EVERYONE_PERMISSIONS
    owner: str | None = None  # a configured user's name; None: an absent founder owns it
    locale: str = "en-US"
    id: int = 0

    def channel(self, key: str | int) -> ChannelSpec:
        """The channel called ``key`` (a leading ``#`` is ignored) or with that id."""
        for channel in self.channels:
            if channel.id == _as_id(key) or channel.name == str(key).lstrip("#"):
                return channel
        raise KeyError(f"no channel {key!r} in {self.name!r}; known: {[c.name for c in self.channels]}")

    def role(self, key: str | int) -> RoleSpec:
        """The role called ``key`` (a leading ``@`` is ignored) or with that id."""
        for role in self.roles:
            if role.id == _as_id(key) or role.name == str(key).lstrip("@"):
                return role
        raise KeyError(f"no role {key!r} in {self.name!r}; known: {[r.name for r in self.roles]}")

    @property
    def text_channels(self) -> list[ChannelSpec]:
        """Channels a message can be sent in."""
        return [c for c in self.channels if c.type in (0, 5)]


def shard_for(guild_id: int, shard_count: int) -> int:
    """Discord's sharding formula: the shard that receives the events of ``guild_id``."""
    return (guild_id >> 22) % shard_count


def _as_id(key: str | int) -> int | None:
    if isinstance(key, int):
        return key
    text = key.strip().lstrip("#@&<>!")
    return int(text) if text.isdigit() else None


@dataclass
class _UserIndex:
    """Where each user id and name first occurs in ``SandboxConfig.users`` (for lookups in O(1))."""

    users: list[UserSpec]  # the list indexed (a different list means a stale index)
    size: int
    by_id: dict[int, int]
    by_name: dict[str, int]

    @classmethod
    def of(cls, users: list[UserSpec]) -> _UserIndex:
        """Index ``users`` (the first occurrence of an id or a name wins, as in a scan)."""
        by_id: dict[int, int] = {}
        by_name: dict[str, int] = {}
        for position, user in enumerate(users):
            by_id.setdefault(user.id, position)
            by_name.setdefault(user.name, position)
        return cls(users, len(users), by_id, by_name)

    def current(self, users: list[UserSpec]) -> bool:
        """Whether the index was built from this list at its present length."""
        return self.users is users and self.size == len(users)


@dataclass
class SandboxConfig:
    """Everything the stand-in serves; ids left at 0 are filled with stable fixture ids."""

    guilds: list[GuildSpec]
    users: list[UserSpec]
    bot_name: str = "kansou"
    bot_id: int = 0
    application_id: int = 0
    token: str = "sandbox.bot-token.not-a-secret"
    dev_guild: str | None = "Anime Club"
    bot_permissions: int = BOT_PERMISSIONS
    # Discord's limits that are about time; tests shorten them.
    interaction_deadline: float = 3.0
    token_lifetime: float = 15 * 60.0
    heartbeat_interval_ms: int = 41_250
    max_upload_bytes: int = 10 * 1024 * 1024
    # Privileged intents switched on in the (imaginary) developer portal.
    privileged_intents: bool = True
    # When True, a ping named explicitly in allowed_mentions.users/roles (or replied_user=True)
    # is recorded on the message but not reported as a violation.
    allow_explicit_pings: bool = False
    locale: str = "en-US"
    # Sharding. ``shard_count`` is what ``GET /gateway/bot`` recommends; every guild's events and interactions go
    # to the session whose ``[shard_id, num_shards]`` matches ``(guild_id >> 22) % num_shards``, DMs to shard 0.
    # With ``strict_sharding`` (the default) the stand-in also holds the bot to that count: an unsharded IDENTIFY
    # when ``shard_count`` > 1 closes with 4011 (Sharding required), another ``num_shards`` or a shard that
    # already has a connected session closes with 4010 (Invalid shard) — so two processes claiming one shard
    # fail loudly instead of answering twice. Discord itself only recommends the count and accepts several
    # sessions per shard (each routed by its own ``num_shards``); ``strict_sharding=False`` models exactly that.
    shard_count: int = 1
    strict_sharding: bool = True
    max_concurrency: int = 1  # session_start_limit.max_concurrency (reported, not enforced)
    max_guilds_per_shard: int = 2500  # a session that would hold more is closed with 4011, as Discord does
    host: str = "127.0.0.1"
    port: int = 0
    extra: dict[str, object] = field(default_factory=dict)
    _user_index: _UserIndex | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.shard_count < 1 or self.max_concurrency < 1 or self.max_guilds_per_shard < 1:
            raise ValueError("shard_count, max_concurrency and max_guilds_per_shard must be 1 or more")
        if not self.bot_id:
            self.bot_id = fixture_id(KIND_BOT, 0)
        if not self.application_id:
            self.application_id = self.bot_id
        for index, user in enumerate(self.users):
            if not user.id:
                user.id = fixture_id(KIND_USER, index)
        channel_index = role_index = 0
        for index, guild in enumerate(self.guilds):
            if not guild.id:
                guild.id = fixture_id(KIND_GUILD, index)
            for channel in guild.channels:
                if not channel.id:
                    channel.id = fixture_id(KIND_CHANNEL, channel_index)
                channel_index += 1
            for role in guild.roles:
                if not role.id:
                    role.id = fixture_id(KIND_ROLE, role_index)
                role_index += 1
            for member, role_names in guild.members.items():
                self.user(member)
                for role_name in role_names:
                    guild.role(role_name)
        if self.dev_guild is not None:
            self.guild(self.dev_guild)

    @classmethod
    def default(cls, **overrides: object) -> SandboxConfig:
        """Two guilds ("Anime Club", "Other Server"), members alice/bob/carol/dave and a moderator "mod".

        Their fixture ids put "Anime Club" on shard 0 and "Other Server" on shard 1 of 2 (``shard_count=2``).
        """
        users = [UserSpec(n, global_name=n.capitalize()) for n in ("alice", "bob", "carol", "dave", "mod")]
        club = GuildSpec(
            name="Anime Club",
            channels=[
                ChannelSpec("general", topic="Talk about anything anime"),
                ChannelSpec("reviews", topic="Post your 感想 here"),
                ChannelSpec("off-topic"),
                ChannelSpec("Voice", type=2),
            ],
            roles=[
                RoleSpec(MODERATOR_ROLE, MODERATOR_PERMISSIONS, color=0x2ECC71, hoist=True),
                RoleSpec("Reviewers", 0, color=0x3498DB, mentionable=True),
            ],
            members={"alice": [], "bob": ["Reviewers"], "carol": [], "dave": [], "mod": [MODERATOR_ROLE]},
        )
        other = GuildSpec(
            name="Other Server",
            channels=[ChannelSpec("general"), ChannelSpec("random")],
            roles=[RoleSpec(MODERATOR_ROLE, MODERATOR_PERMISSIONS)],
            members={"alice": [], "bob": [], "carol": [], "mod": [MODERATOR_ROLE]},
        )
        return cls(guilds=[club, other], users=users, **overrides)  # type: ignore[arg-type]

    # lookups -----------------------------------------------------------------

    def guild(self, key: str | int | None = None) -> GuildSpec:
        """The guild with that name or id; ``None`` means the dev guild (or the first one)."""
        if key is None:
            return self.guild(self.dev_guild) if self.dev_guild is not None else self.guilds[0]
        for guild in self.guilds:
            if guild.id == _as_id(key) or guild.name == key:
                return guild
        raise KeyError(f"no guild {key!r}; known: {[g.name for g in self.guilds]}")

    def user(self, key: str | int) -> UserSpec:
        """The user with that name (a leading ``@`` is ignored) or id (the first in ``users`` that matches)."""
        ident, name = _as_id(key), str(key).lstrip("@")
        for fresh in (False, True):  # a miss or a hit that no longer matches rebuilds the index once
            index = self._user_index
            if fresh or index is None or not index.current(self.users):
                index = self._user_index = _UserIndex.of(self.users)
            found = [p for p in (index.by_id.get(ident) if ident is not None else None, index.by_name.get(name))
                     if p is not None and p < len(self.users)]
            if found:
                user = self.users[min(found)]
                if user.id == ident or user.name == name:
                    return user
        known = [u.name for u in self.users]
        raise KeyError(f"no user {key!r}; known: {known if len(known) <= 20 else [*known[:20], '…']}")

    def add_members(self, count: int, *, prefix: str = "member", guilds: Sequence[str | int] | None = None,
                    roles: Sequence[str] = ()) -> list[UserSpec]:
        """Generate ``count`` users ``{prefix}1`` … ``{prefix}{count}`` who join ``guilds`` (default: the dev guild).

        For crowds — say a thousand distinct members voting at once. Each gets a stable fixture id (like the
        configured users) and ``roles`` in every one of those guilds. Call it before the sandbox starts: the
        stand-in builds its world from the config then.
        """
        if count < 0:
            raise ValueError(f"count must be 0 or more, not {count}")
        where = [self.guild(g) for g in guilds] if guilds is not None else [self.guild(None)]
        for guild in where:
            for role_name in roles:
                guild.role(role_name)
        taken = {u.name for u in self.users}
        names = [f"{prefix}{n}" for n in range(1, count + 1)]
        clash = next((n for n in names if n in taken), None)
        if clash is not None:
            raise ValueError(f"a user called {clash!r} exists already; pick another prefix")
        added = []
        for name in names:
            user = UserSpec(name, id=fixture_id(KIND_USER, len(self.users)), global_name=name.capitalize())
            self.users.append(user)
            added.append(user)
            for guild in where:
                guild.members[name] = list(roles)
        return added

    def channel(self, key: str | int) -> tuple[GuildSpec, ChannelSpec]:
        """The guild and channel for a channel id (or a name, searched in every guild in order)."""
        for guild in self.guilds:
            try:
                return guild, guild.channel(key)
            except KeyError:
                continue
        raise KeyError(f"no channel {key!r}")

    def shard_of(self, guild: str | int | GuildSpec) -> int:
        """The shard (of ``shard_count``) that receives the events of a guild (by name, id or spec).

        DMs and other events without a guild go to shard 0.
        """
        spec = guild if isinstance(guild, GuildSpec) else self.guild(guild)
        return shard_for(spec.id, self.shard_count)

    @property
    def dev_guild_id(self) -> int | None:
        """The id of the guild the bot registers its commands in at start-up."""
        return None if self.dev_guild is None else self.guild(self.dev_guild).id


@dataclass(frozen=True)
class SandboxEndpoints:
    """Where a bot must connect to reach a running stand-in, and with what token."""

    api_base: str
    gateway_url: str
    token: str
    dev_guild_id: int | None
    guild_ids: frozenset[int]
    application_id: int
