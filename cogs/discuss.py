"""/discuss: the one discussion thread of an episode, found or opened, with a warning for members behind it."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.progress.service import ProgressService
from bot.progress.store import ProgressStore
from bot.settings.service import ServerSettingsService
from bot.threads import render
from bot.threads.service import EpisodeThreads
from bot.threads.store import ThreadStore
from bot.ui.autocomplete import complete_anime
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import answer
from bot.ui.options import Episode
from bot.ui.permissions import THREADS, require
from bot.ui.send import reply, think_publicly
from bot.ui.threads import DiscordThreads


class Discuss(commands.Cog):
    """Episode discussion threads."""

    def __init__(self, threads: EpisodeThreads, settings: ServerSettingsService) -> None:
        self.threads = threads
        self.settings = settings

    @app_commands.command(name="discuss", description="Open (or find) the discussion thread of an episode.")
    @app_commands.guild_only()
    @app_commands.describe(anime="The show's title (English, romaji or Japanese)",
                           episode="The episode: its thread allows spoilers up to it, no further")
    @app_commands.autocomplete(anime=complete_anime)
    async def discuss(self, interaction: Interaction, anime: str, episode: Episode) -> None:
        """Link the episode's thread, creating it once; warn a member whose progress is behind it."""
        await answer(interaction, self._discuss, anime=anime, episode=episode)

    async def _discuss(self, interaction: Interaction, anime: str, episode: int) -> None:
        target = await self.threads.target(interaction.guild_id, interaction.user.id, anime, episode)
        assert interaction.guild_id is not None  # target() refuses a DM
        settings = await self.settings.effective(interaction.guild_id)
        channel_id = settings.discussion_channel_id or interaction.channel_id
        assert channel_id is not None
        require(interaction, channel_id, THREADS, "open the episode's thread")
        if target.behind:
            await interaction.response.defer(ephemeral=True, thinking=True)
        else:
            await think_publicly(interaction)
        found = await self.threads.find_or_create(interaction.guild_id, target.anime, episode, channel_id,
                                                  DiscordThreads(interaction.client))
        if not target.behind:
            await reply(interaction, render.linked(found))
            return
        view = discord.ui.View()
        view.add_item(discord.ui.Button(style=discord.ButtonStyle.link, label=f"Open the episode {episode} thread",
                                        url=render.thread_url(interaction.guild_id, found.thread_id)))
        await reply(interaction, render.behind(target, found), view=view, ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add /discuss."""
    core = bot.core
    progress = ProgressService(ProgressStore(core.db), core.catalogue)
    threads = EpisodeThreads(ThreadStore(core.db), core.catalogue, progress)
    await bot.add_cog(Discuss(threads, ServerSettingsService.over(core.db, core.settings)))
