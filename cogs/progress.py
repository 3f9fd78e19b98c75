"""/progress: how far you've watched each show, so spoiler-aware commands guard you (private by default)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.pages import Action, Shown, State, by_index
from bot.progress import render
from bot.progress.service import ProgressService
from bot.progress.store import ProgressStore
from bot.ui.autocomplete import complete_anime
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import answer
from bot.ui.options import Watched
from bot.ui.pages import send_page
from bot.ui.send import reply

PROGRESS = "pr"  # the kind of /progress show's page buttons


async def progress_page(service: ProgressService, interaction: Interaction, member_id: int | None, action: Action,
                        index: int) -> Shown:
    """A page of a member's progress, read again on each press (a member may have hidden theirs meanwhile)."""
    found = await service.show(interaction.guild_id, interaction.user.id, member_id)
    own = found.member_id == interaction.user.id
    pages = render.member_progress(found, own=own)
    return by_index(pages, action, index, prefix=(found.member_id,))


class ProgressPager:
    """/progress show's page buttons."""

    def __init__(self, service: ProgressService) -> None:
        self.service = service

    async def turn(self, interaction: Interaction, action: Action, state: State) -> Shown:
        """The page a button leads to."""
        member_id, index = state if len(state) == 2 else (None, 0)
        return await progress_page(self.service, interaction, member_id, action, index or 0)


class ProgressCog(commands.GroupCog, group_name="progress",
                  group_description="How far you've watched: spoiler-aware commands use it."):
    """Watching progress."""

    def __init__(self, service: ProgressService) -> None:
        self.service = service
        super().__init__()

    @app_commands.command(name="set", description="Record how far you've watched a show (private unless you share).")
    @app_commands.guild_only()
    @app_commands.describe(anime="The show's title (English, romaji or Japanese)",
                           episode="The last episode you've watched (0: not started)",
                           finished="True: you've watched every episode")
    @app_commands.autocomplete(anime=complete_anime)
    async def set_(self, interaction: Interaction, anime: str, episode: Watched | None = None,
                   finished: bool | None = None) -> None:
        """Record the member's progress in a show."""
        await answer(interaction, self._set, anime=anime, episode=episode, finished=finished)

    async def _set(self, interaction: Interaction, anime: str, episode: int | None, finished: bool | None) -> None:
        before, after = await self.service.set(interaction.guild_id, interaction.user.id, anime, episode=episode,
                                               finished=finished)
        await reply(interaction, render.recorded(before, after), ephemeral=True)

    @app_commands.command(name="show", description="Your progress, or a member's who shares theirs.")
    @app_commands.guild_only()
    @app_commands.describe(member="Whose progress (default: yours); theirs only if they made it visible")
    async def show(self, interaction: Interaction, member: discord.User | None = None) -> None:
        """Show a member's progress (only to whoever asked)."""
        shown = await progress_page(self.service, interaction, None if member is None else member.id, "f", 0)
        await send_page(interaction, PROGRESS, shown, ephemeral=True)

    @app_commands.command(name="clear", description="Forget your progress in one show, or in every show.")
    @app_commands.guild_only()
    @app_commands.describe(anime="The show to forget (leave out: every show)")
    @app_commands.autocomplete(anime=complete_anime)
    async def clear(self, interaction: Interaction, anime: str | None = None) -> None:
        """Forget progress."""
        await answer(interaction, self._clear, anime=anime)

    async def _clear(self, interaction: Interaction, anime: str | None) -> None:
        result = await self.service.clear(interaction.guild_id, interaction.user.id, anime)
        await reply(interaction, render.cleared(result), ephemeral=True)

    @app_commands.command(name="visibility", description="Show your progress to this server, or keep it private.")
    @app_commands.guild_only()
    @app_commands.describe(visible="True: members can see your progress with /progress show")
    async def visibility(self, interaction: Interaction, visible: bool) -> None:
        """Share or hide the member's progress."""
        await self.service.set_visible(interaction.guild_id, interaction.user.id, visible)
        await reply(interaction, render.visibility(visible), ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add the progress commands."""
    service = ProgressService(ProgressStore(bot.core.db), bot.core.catalogue)
    bot.page_sources[PROGRESS] = ProgressPager(service)
    await bot.add_cog(ProgressCog(service))
