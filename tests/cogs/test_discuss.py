"""/discuss end to end: one thread per (server, show, episode), found or created, with its rule; members behind
the episode are warned privately; the discussion channel setting; the bot's permissions checked first."""

from __future__ import annotations

import re

import discord

from sandbox import InteractionResult, Invocation, Sandbox, SandboxConfig
from sandbox.config import BOT_PERMISSIONS
from sandbox.threads import SandboxThread
from tests.cogs.conftest import RunKansou, assert_clean, core, text_of

ROUGE = "Metallic Rouge"  # 13 episodes
NAME = "Metallic Rouge · Episode 5 · spoilers up to ep 5"


def threads(sandbox: Sandbox) -> list[SandboxThread]:
    """The stand-in's live threads."""
    return sandbox.server.threads.live()


def linked_thread(result: InteractionResult) -> int:
    """The thread a /discuss answer links to."""
    found = re.search(r"<#(\d+)>", text_of(result))
    assert found is not None, text_of(result)
    return int(found.group(1))


async def discuss(sandbox: Sandbox, episode: int = 5, *, user: str = "alice", **where: str) -> InteractionResult:
    """/discuss Metallic Rouge ``episode``, answered cleanly."""
    result = await sandbox.invoke("discuss", {"anime": ROUGE, "episode": episode}, user=user,
                                  **where)  # type: ignore[arg-type]  # guild/channel keys
    assert_clean(result)
    return result


async def test_the_first_request_opens_the_thread_and_the_next_links_it(sandbox: Sandbox) -> None:
    first = await discuss(sandbox)
    assert not first.ephemeral and "a new thread" in text_of(first)
    (thread,) = threads(sandbox)
    assert linked_thread(first) == thread.id
    assert thread.name == NAME and thread.parent_id == sandbox.channel("general").id
    (opening,) = sandbox.server.threads.messages(thread.id)
    assert "**The rule:** everything up to and including episode 5 is fair game here" in opening.content
    assert not opening.pings
    second = await discuss(sandbox, user="bob")
    assert linked_thread(second) == thread.id and "a new thread" not in text_of(second)
    assert len(threads(sandbox)) == 1
    other_episode = await discuss(sandbox, 6)
    assert linked_thread(other_episode) != thread.id and len(threads(sandbox)) == 2
    elsewhere = await discuss(sandbox, guild=sandbox.config.guilds[1].name)
    assert linked_thread(elsewhere) not in (thread.id, linked_thread(other_episode))  # each server its own


async def test_twenty_requests_at_once_open_exactly_one_thread(sandbox: Sandbox) -> None:
    users = ["alice", "bob", "carol", "dave"]
    results = await sandbox.invoke_many(
        [Invocation("discuss", {"anime": ROUGE, "episode": 5}, user=users[i % 4]) for i in range(20)])
    for result in results:
        assert_clean(result)
    (thread,) = threads(sandbox)
    assert {linked_thread(r) for r in results} == {thread.id}
    assert sum("a new thread" in text_of(r) for r in results) == 1
    assert len(sandbox.server.threads.messages(thread.id)) == 1  # one opening message
    assert await core(sandbox).db.fetch_value("SELECT count(*) FROM episode_thread") == 1


async def test_a_thread_deleted_by_a_moderator_is_recreated(sandbox: Sandbox) -> None:
    first = await discuss(sandbox)
    (gone,) = threads(sandbox)
    await sandbox.server.threads.remove(gone)
    results = await sandbox.invoke_many(
        [Invocation("discuss", {"anime": ROUGE, "episode": 5}, user=u) for u in ("alice", "bob", "carol")])
    (again,) = threads(sandbox)
    assert again.id != linked_thread(first)
    assert {linked_thread(r) for r in results} == {again.id}


async def test_a_member_behind_is_warned_privately_with_a_link_button(sandbox: Sandbox) -> None:
    await sandbox.invoke("progress set", {"anime": ROUGE, "episode": 3})
    warned = await discuss(sandbox)
    assert warned.ephemeral
    assert "you're at episode 3 of 13 of **Metallic Rouge**" in text_of(warned)
    assert warned.message is not None
    (button,) = warned.message.buttons()
    (thread,) = threads(sandbox)
    assert button["style"] == 5 and str(button["url"]).endswith(f"/{thread.id}")
    assert f"<#{thread.id}>" not in text_of(warned)
    await sandbox.invoke("progress set", {"anime": ROUGE, "episode": 5})
    assert not (await discuss(sandbox)).ephemeral  # caught up: a plain link


async def test_the_discussion_channel_setting_and_bounds(sandbox: Sandbox) -> None:
    done = await sandbox.invoke("settings discussion-channel", {"channel": "off-topic"}, user="mod")
    assert_clean(done)
    await discuss(sandbox)
    (thread,) = threads(sandbox)
    assert thread.parent_id == sandbox.channel("off-topic").id
    refused = await discuss(sandbox, 14)
    assert refused.ephemeral and "Metallic Rouge has 13 episodes, so `episode` is at most 13" in text_of(refused)
    assert len(threads(sandbox)) == 1


async def test_missing_thread_permissions_are_named_and_nothing_happens(run_kansou: RunKansou) -> None:
    without = ~discord.Permissions(create_public_threads=True, send_messages_in_threads=True).value
    config = SandboxConfig.default(bot_permissions=BOT_PERMISSIONS & without)
    for guild in config.guilds:
        guild.everyone_permissions &= without
    async with run_kansou(config) as sandbox:
        refused = await discuss(sandbox)
        assert refused.ephemeral
        assert "**Create Public Threads** and **Send Messages in Threads**" in text_of(refused)
        assert threads(sandbox) == []
        assert await core(sandbox).db.fetch_value("SELECT count(*) FROM episode_thread") == 0
