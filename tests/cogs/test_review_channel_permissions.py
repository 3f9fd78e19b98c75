"""``/review delete`` by a moderator: Manage Messages *in the review's channel*, its permission overwrites counted.

The stand-in models channel overwrites as Discord computes them (the @everyone overwrite, then the member's
roles' denies and allows, then the member's own overwrite): in interaction payloads, in channel objects, and in
what its REST API allows. A review posted in a channel the bot has not cached is judged by that channel's
overwrites too (the bot asks Discord for the channel), not by server-wide permissions.
"""

from __future__ import annotations

import discord

from sandbox import ChannelSpec, Overwrite, RoleSpec, Sandbox, SandboxConfig
from sandbox.config import KIND_CHANNEL, KIND_ROLE, OVERWRITE_MEMBER, OVERWRITE_ROLE
from sandbox.ids import fixture_id
from tests.cogs.conftest import RunKansou, assert_clean, text_of

MANAGE_MESSAGES = discord.Permissions(manage_messages=True).value
ROUGE = "Metallic Rouge"
REFUSED = "Only the author of review #1, or a moderator"


def config() -> SandboxConfig:
    """The default world, plus "Janitors" (Manage Messages server-wide, nothing else) held by carol."""
    made = SandboxConfig.default()
    club = made.guilds[0]
    club.roles.append(RoleSpec("Janitors", MANAGE_MESSAGES, id=fixture_id(KIND_ROLE, 900)))
    club.members["carol"] = ["Janitors"]
    return made


def uncached_channel(sandbox: Sandbox, *overwrites: Overwrite) -> ChannelSpec:
    """A channel created after the bot connected, without telling it: not in its cache."""
    channel = ChannelSpec("late-night", id=fixture_id(KIND_CHANNEL, 900), overwrites=list(overwrites))
    sandbox.config.guild(None).channels.append(channel)
    return channel


async def post_review(sandbox: Sandbox, channel: str) -> None:
    """alice posts review #1 in ``channel``."""
    form = await sandbox.invoke("review write", {"anime": ROUGE}, channel=channel)
    assert form.modal is not None, text_of(form)
    done = await sandbox.submit_modal(form, {"Title": "Mine", "Review": "Posted late at night."})
    assert_clean(done)
    assert [m for m in sandbox.channel_messages(channel) if not m.ephemeral]


async def test_a_role_overwrite_denying_manage_messages_in_an_uncached_channel_refuses(run_kansou: RunKansou) -> None:
    async with run_kansou(config=config()) as sandbox:
        janitors = sandbox.config.guild(None).role("Janitors")
        uncached_channel(sandbox, Overwrite(janitors.id, OVERWRITE_ROLE, deny=MANAGE_MESSAGES))
        await post_review(sandbox, "late-night")
        assert sandbox.state.world.permissions(sandbox.config.guild(None), sandbox.config.user("carol").id) \
            & MANAGE_MESSAGES  # server-wide, carol may manage messages ...
        refused = await sandbox.invoke("review delete", {"review": 1}, user="carol", channel="general")
        assert_clean(refused)
        assert REFUSED in text_of(refused)  # ... but not in the review's channel
        assert [m for m in sandbox.channel_messages("late-night") if not m.ephemeral]


async def test_a_member_overwrite_allowing_manage_messages_in_an_uncached_channel_permits(
        run_kansou: RunKansou) -> None:
    async with run_kansou(config=config()) as sandbox:
        bob = sandbox.config.user("bob")
        uncached_channel(sandbox, Overwrite(bob.id, OVERWRITE_MEMBER, allow=MANAGE_MESSAGES))
        await post_review(sandbox, "late-night")
        deleted = await sandbox.invoke("review delete", {"review": 1}, user="bob", channel="general")
        assert_clean(deleted)
        assert "is deleted." in text_of(deleted), text_of(deleted)
        assert not [m for m in sandbox.channel_messages("late-night") if not m.ephemeral]
        # Elsewhere bob is no moderator: his overwrite is that channel's alone.
        await post_review(sandbox, "general")
        refused = await sandbox.invoke("review delete", {"review": 2}, user="bob", channel="general")
        assert "Only the author of review #2, or a moderator" in text_of(refused)


async def test_overwrites_in_a_cached_channel_count_from_anywhere(run_kansou: RunKansou) -> None:
    made = config()
    club = made.guilds[0]
    moderators = club.role("Moderators")
    # In #reviews the moderators may not manage messages, and @everyone's denial is lifted for carol alone.
    club.channel("reviews").overwrites = [
        Overwrite(club.id, OVERWRITE_ROLE, deny=MANAGE_MESSAGES),
        Overwrite(moderators.id, OVERWRITE_ROLE, deny=MANAGE_MESSAGES),
        Overwrite(fixture_id(KIND_ROLE, 900), OVERWRITE_ROLE, allow=MANAGE_MESSAGES),
    ]
    async with run_kansou(config=made) as sandbox:
        await post_review(sandbox, "reviews")
        for channel in ("general", "reviews"):  # from another channel, and in the review's channel itself
            refused = await sandbox.invoke("review delete", {"review": 1}, user="mod", channel=channel)
            assert_clean(refused)
            assert REFUSED in text_of(refused), (channel, text_of(refused))
        deleted = await sandbox.invoke("review delete", {"review": 1}, user="carol", channel="reviews")
        assert_clean(deleted)
        assert "is deleted." in text_of(deleted)


def test_the_stand_in_computes_overwrites_as_discord_does() -> None:
    made = config()
    club = made.guilds[0]
    from sandbox.world import World

    world = World(made)
    channel = club.channel("off-topic")
    carol, bob = made.user("carol"), made.user("bob")
    janitors, reviewers = club.role("Janitors"), club.role("Reviewers")
    send = discord.Permissions(send_messages=True).value
    assert world.permissions(club, carol.id, channel) & MANAGE_MESSAGES  # no overwrites: the server's rights
    channel.overwrites = [
        Overwrite(club.id, OVERWRITE_ROLE, deny=send),  # @everyone may not talk here ...
        Overwrite(reviewers.id, OVERWRITE_ROLE, allow=send),  # ... except reviewers (a role allow beats it)
        Overwrite(janitors.id, OVERWRITE_ROLE, deny=MANAGE_MESSAGES),
        Overwrite(carol.id, OVERWRITE_MEMBER, allow=MANAGE_MESSAGES),  # the member's own overwrite comes last
    ]
    assert not world.permissions(club, carol.id, channel) & send
    assert world.permissions(club, carol.id, channel) & MANAGE_MESSAGES
    assert world.permissions(club, bob.id, channel) & send
    assert world.permissions(club, carol.id) & send  # server-wide, nothing changed
