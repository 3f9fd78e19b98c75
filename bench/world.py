"""The benchmark's world: its size (:class:`Scale`) and the stand-in servers and members its data belongs to.

The generator and the runner agree on ids through this module: data server ``i`` is the stand-in guild
number ``i`` (``fixture_id(KIND_GUILD, i)``) and its reviews were posted in that guild's only text channel;
the members the runner acts as ("actors") are stand-in users, members of every data server, and have
ratings and reviews in the data like anybody else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sandbox.config import (
    KIND_CHANNEL,
    KIND_GUILD,
    KIND_USER,
    MODERATOR_PERMISSIONS,
    MODERATOR_ROLE,
    ChannelSpec,
    GuildSpec,
    RoleSpec,
    SandboxConfig,
    UserSpec,
)
from sandbox.ids import fixture_id


@dataclass(frozen=True)
class Scale:
    """How much data to generate and how many times to run each measurement."""

    name: str
    servers: int = 50
    shows: int = 2_000
    ratings: int = 1_000_000
    reviews: int = 100_000
    characters: int = 300_000
    people: int = 150_000
    actors: int = 64  # stand-in users the runner acts as (members of every data server)
    connected_servers: int = 100  # servers the bot is in (the data's, then empty ones)
    invocations: int = 2_000  # per command, end to end (a p99 from 2,000 samples is their 20th-largest)
    raters: int = 200
    writes_per_rater: int = 60
    tally_reads: int = 2_000
    board_reads: int = 600
    rss_commands: int = 300  # commands sent to the bot process before its peak RSS is read
    heavy_mix: tuple[int, int, int] = (400, 300, 300)  # then /review read (largest show), /credits, /person


FULL = Scale("full")
QUICK = Scale(
    "quick", shows=200, ratings=100_000, reviews=10_000, characters=30_000, people=15_000, actors=32,
    invocations=2_000, raters=200, writes_per_rater=10, tally_reads=300, board_reads=120,
    rss_commands=60,
)


def scaled(factor: int) -> Scale:
    """``factor`` times the full data (``--scale 5``: 5M ratings, 500k reviews), the same invocations."""
    return replace(FULL, name=f"x{factor}", shows=FULL.shows * factor, ratings=FULL.ratings * factor,
                   reviews=FULL.reviews * factor, characters=FULL.characters * factor,
                   people=FULL.people * factor)


def tiny(**overrides: object) -> Scale:
    """A very small scale for the smoke test (seconds to build and run)."""
    base = Scale(
        "tiny", servers=4, shows=40, ratings=3_000, reviews=300, characters=600, people=400, actors=6,
        connected_servers=6, invocations=3, raters=8, writes_per_rater=3, tally_reads=20,
        board_reads=12, rss_commands=8, heavy_mix=(2, 2, 2),  # each kind of command the process phase sends, once
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def guild_id(index: int) -> int:
    """The id of stand-in guild ``index`` (data server ``index`` for index < servers)."""
    return fixture_id(KIND_GUILD, index)


def channel_id(index: int) -> int:
    """The id of the one text channel of stand-in guild ``index``."""
    return fixture_id(KIND_CHANNEL, index)


def actor_id(index: int) -> int:
    """The user id of actor ``index``."""
    return fixture_id(KIND_USER, index)


def actor_name(index: int) -> str:
    """The stand-in user name of actor ``index``."""
    return f"member{index:03d}"


def sandbox_config(scale: Scale) -> SandboxConfig:
    """The stand-in's world: ``connected_servers`` guilds (the first ``servers`` hold the data) and the actors."""
    users = [UserSpec(actor_name(i), global_name=f"Member {i}") for i in range(scale.actors)]
    everyone: dict[str, list[str]] = {u.name: [] for u in users}
    guilds = []
    for index in range(max(scale.connected_servers, scale.servers)):
        members: dict[str, list[str]] = dict(everyone) if index < scale.servers else {users[0].name: []}
        if index < scale.servers:
            members[users[-1].name] = [MODERATOR_ROLE]
        guilds.append(GuildSpec(
            name=f"Anime Club {index:03d}",
            channels=[ChannelSpec("general", topic="Talk about anything anime")],
            roles=[RoleSpec(MODERATOR_ROLE, MODERATOR_PERMISSIONS)],
            members=members,
        ))
    config = SandboxConfig(guilds=guilds, users=users, dev_guild=guilds[0].name)
    for index, guild in enumerate(config.guilds):  # the ids the generator used
        assert guild.id == guild_id(index) and guild.channels[0].id == channel_id(index)
    assert all(u.id == actor_id(i) for i, u in enumerate(config.users))
    return config
