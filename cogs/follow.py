"""/follow and /unfollow: kansou opens and announces each new episode's thread by itself.

Discord cannot have both ``/follow anime:`` and a ``/follow list`` sub-command (a command with sub-commands cannot
be run itself), so ``/follow`` without a show lists the followed ones.

The airing task runs in the background (started in ``cog_load``): every ``INTERVAL`` seconds one airing
schedule query per page covers every followed show, through the shared AniList client and its limiter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from discord import app_commands
from discord.ext import commands

from bot.core.text import Md, inline, md
from bot.follows.service import MAX_FOLLOWS, Announced, FollowService
from bot.follows.store import FollowStore
from bot.progress.service import ProgressService
from bot.progress.store import ProgressStore
from bot.settings.service import ServerSettingsService
from bot.threads.service import EpisodeThreads
from bot.threads.store import ThreadStore
from bot.ui.autocomplete import complete_anime
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import answer
from bot.ui.permissions import THREADS, require
from bot.ui.send import reply
from bot.ui.threads import DiscordAnnouncer

log = logging.getLogger(__name__)

INTERVAL = 300.0
"""Seconds between two looks at the airing schedule (one request a page: well within AniList's budget)."""


class Follow(commands.Cog):
    """Followed shows (Manage Server) and the airing task."""

    def __init__(self, bot: KansouBot, service: FollowService) -> None:
        self.bot = bot
        self.service = service
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start the airing task."""
        self._task = asyncio.create_task(self._run(), name="kansou-airing")

    async def cog_unload(self) -> None:
        """Stop the airing task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("the airing task failed; trying again in %.0f s", INTERVAL)
            await asyncio.sleep(INTERVAL)

    async def tick(self) -> list[Announced]:
        """One look at the airing schedule (tests call it after moving the service's clock)."""
        return await self.service.tick(DiscordAnnouncer(self.bot))

    @app_commands.command(name="follow", description="Follow a show: each new episode gets its thread when it "
                                                      "airs (leave out the show: the list).")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)  # what Discord shows
    @app_commands.describe(anime="The show's title (English, romaji or Japanese), on AniList; leave out for the "
                                 "followed shows")
    @app_commands.autocomplete(anime=complete_anime)
    @app_commands.checks.has_permissions(manage_guild=True)  # the real check: server admins can widen access
    async def follow(self, interaction: Interaction, anime: str | None = None) -> None:
        """Follow a show in this server, or list the followed ones."""
        await answer(interaction, self._follow, anime=anime)

    async def _follow(self, interaction: Interaction, anime: str | None) -> None:
        if anime is None or not anime.strip():
            await self._list(interaction)
            return
        assert interaction.channel_id is not None
        require(interaction, interaction.channel_id, THREADS, "open episode threads")
        followed = await self.service.follow(interaction.guild_id, interaction.user.id, anime,
                                             interaction.channel_id)
        await reply(interaction, md("Following **{title}**: when AniList says an episode is out, I'll open its "
                                    "thread (in the discussion channel from `/settings`, else here) and announce it "
                                    "once.", title=inline(followed.title, 200)), ephemeral=True)

    async def _list(self, interaction: Interaction) -> None:
        shows = await self.service.following(interaction.guild_id)
        if not shows:
            await reply(interaction, "This server follows no show yet: `/follow anime:`.", ephemeral=True)
            return
        lines = [md("• **{title}** — since <t:{at}:D>, by <@{who}>", title=inline(f.title, 150),
                    at=int(f.followed_at), who=f.followed_by) for f in shows]
        await reply(interaction, md("Followed shows ({n} of at most {max}):\n", n=len(shows), max=MAX_FOLLOWS)
                    + Md("\n").lines(lines), ephemeral=True)

    @app_commands.command(name="unfollow", description="Stop following a show (its threads stay).")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(anime="A show this server follows")
    @app_commands.autocomplete(anime=complete_anime)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def unfollow(self, interaction: Interaction, anime: str) -> None:
        """Unfollow a show."""
        await answer(interaction, self._unfollow, anime=anime)

    async def _unfollow(self, interaction: Interaction, anime: str) -> None:
        title = await self.service.unfollow(interaction.guild_id, anime)
        await reply(interaction, md("No longer following **{title}**; its threads stay.", title=inline(title, 200)),
                    ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add /follow and start the airing task."""
    core = bot.core
    settings = ServerSettingsService.over(core.db, core.settings)
    threads = EpisodeThreads(ThreadStore(core.db), core.catalogue, ProgressService(ProgressStore(core.db),
                                                                                   core.catalogue))
    service = FollowService(FollowStore(core.db), core.catalogue, threads, settings, core.anilist)
    await bot.add_cog(Follow(bot, service))
