"""The stand-in's threads, driven by the real discord.py client: create from a message and in a channel, post,
archive, lock, delete, the permission checks and Discord's limits on thread names."""

from __future__ import annotations

import discord
import pytest

from sandbox import Sandbox, SandboxConfig
from sandbox.config import BOT_PERMISSIONS

from .conftest import RunBot
from .sandbox_bots import GoodBot


def client(sandbox: Sandbox) -> discord.Client:
    """The bot the stand-in runs."""
    assert sandbox.bot is not None
    return sandbox.bot


def text_channel(sandbox: Sandbox, name: str = "general") -> discord.TextChannel:
    """The bot's cached text channel."""
    channel = client(sandbox).get_channel(sandbox.channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_threads_in_a_channel_and_from_a_message(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        channel = text_channel(sandbox)
        thread = await channel.create_thread(name="Episode 5", type=discord.ChannelType.public_thread)
        assert thread.name == "Episode 5" and thread.parent_id == channel.id
        assert thread.auto_archive_duration == 1440  # the channel's default
        await thread.send("The rule: spoilers up to episode 5.")
        sent = sandbox.server.threads.messages(thread.id)
        assert [m.content for m in sent] == ["The rule: spoilers up to episode 5."]
        fetched = await client(sandbox).fetch_channel(thread.id)
        assert isinstance(fetched, discord.Thread) and not fetched.archived

        post = await channel.send("A review")
        replies = await post.create_thread(name="Review #1 · spoilers through ep 3")
        assert sandbox.server.threads.threads[replies.id].message_id == post.id == replies.id
        with pytest.raises(discord.HTTPException) as again:
            await post.create_thread(name="Twice")
        assert again.value.code == 160004  # one thread per message

        closed = await replies.edit(archived=True, locked=True)
        assert closed.archived and closed.locked
        await thread.edit(archived=True)
        await thread.send("Back again")  # an archived, unlocked thread reopens
        assert not sandbox.server.threads.threads[thread.id].archived

        await thread.delete()
        with pytest.raises(discord.NotFound):
            await client(sandbox).fetch_channel(thread.id)
        assert [t.id for t in sandbox.server.threads.live()] == [replies.id]
        assert sandbox.violations == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_thread_names_keep_discords_limits(run_bot: RunBot, name: str) -> None:
    async with run_bot(GoodBot) as sandbox:
        with pytest.raises(discord.HTTPException) as refused:
            await text_channel(sandbox).create_thread(name=name, type=discord.ChannelType.public_thread)
        assert refused.value.status == 400
        assert [v.name for v in sandbox.violations] == ["thread name length"]
        assert sandbox.server.threads.live() == []
    async with run_bot(GoodBot) as sandbox:
        longest = await text_channel(sandbox).create_thread(name="界" * 100, type=discord.ChannelType.public_thread)
        assert len(longest.name) == 100


async def test_thread_permissions_are_checked(run_bot: RunBot) -> None:
    config = SandboxConfig.default(bot_permissions=BOT_PERMISSIONS)
    threads = discord.Permissions(create_public_threads=True, send_messages_in_threads=True, manage_threads=True)
    for guild in config.guilds:
        guild.everyone_permissions &= ~threads.value
    async with run_bot(GoodBot, config=config) as sandbox:
        channel = text_channel(sandbox)
        with pytest.raises(discord.Forbidden):
            await channel.create_thread(name="Nope", type=discord.ChannelType.public_thread)
        assert [v.name for v in sandbox.violations] == ["missing permission: Create Public Threads"]
        assert sandbox.server.threads.live() == []
