"""Threads on Discord for the features that open them: create (in a channel or from a message), check, close."""

from __future__ import annotations

import contextlib
import logging

import discord

from bot.core.text import Md
from bot.errors import Forbidden
from bot.ui.permissions import NAMES, THREADS
from bot.ui.send import NO_PINGS

log = logging.getLogger(__name__)

THREAD_ALREADY_CREATED = 160004  # Discord's code: "A thread has already been created for this message"


class DiscordThreads:
    """Public threads through the bot's client (the :class:`bot.threads.service.ThreadMaker` of the Discord side)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def exists(self, thread_id: int) -> bool:
        """Whether the thread is still there (anything but "unknown channel" counts as there: never duplicate)."""
        try:
            await self.client.fetch_channel(thread_id)
        except discord.NotFound:
            return False
        except discord.HTTPException:
            log.warning("could not check thread %s", thread_id, exc_info=True)
        return True

    async def _opened(self, thread: discord.Thread, opening: Md) -> int:
        try:
            await thread.send(opening, allowed_mentions=NO_PINGS)
        except BaseException:
            with contextlib.suppress(discord.HTTPException):  # nothing half-done: no thread without its rule
                await thread.delete()
            raise
        return thread.id

    async def create(self, channel_id: int, name: str, opening: Md) -> int:
        """A public thread in a text channel (its default auto-archive duration), with its opening message."""
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            fetched = await self.client.fetch_channel(channel_id)
            if not isinstance(fetched, discord.TextChannel):
                raise discord.InvalidData("threads are opened in text channels")
            channel = fetched
        thread = await channel.create_thread(name=name, type=discord.ChannelType.public_thread,
                                             auto_archive_duration=channel.default_auto_archive_duration)
        return await self._opened(thread, opening)

    async def from_message(self, guild_id: int, channel_id: int, message_id: int, name: str, opening: Md) -> int:
        """A public thread started from a message (a review post), with its opening message; the thread the
        message already has, if another request opened it first (a message's thread has the message's id)."""
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        message = channel.get_partial_message(message_id)
        try:
            thread = await message.create_thread(name=name)
        except discord.HTTPException as exc:
            if exc.code == THREAD_ALREADY_CREATED:
                return message_id
            raise
        return await self._opened(thread, opening)

    async def close(self, thread_id: int) -> bool:
        """Archive and lock a thread; False when it is already gone."""
        try:
            channel = await self.client.fetch_channel(thread_id)
        except discord.NotFound:
            return False
        if not isinstance(channel, discord.Thread):
            return False
        await channel.edit(archived=True, locked=True)
        return True


class DiscordAnnouncer(DiscordThreads):
    """Threads and plain announcements for the airing task (no interaction: the bot's own permissions decide)."""

    def _check(self, channel_id: int, needed: tuple[str, ...]) -> None:
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return  # not cached: let Discord answer
        lacking = [name for name in needed if not getattr(channel.permissions_for(channel.guild.me), name)]
        if lacking:
            raise Forbidden(f"the bot lacks {', '.join(NAMES.get(n, n) for n in lacking)} in channel {channel_id}")

    async def create(self, channel_id: int, name: str, opening: Md) -> int:
        """A public thread, after checking the bot may open one there."""
        self._check(channel_id, THREADS)
        return await super().create(channel_id, name, opening)

    async def post(self, channel_id: int, text: Md) -> None:
        """An announcement in a channel."""
        self._check(channel_id, ("view_channel", "send_messages"))
        await self.client.get_partial_messageable(channel_id).send(text, allowed_mentions=NO_PINGS)
