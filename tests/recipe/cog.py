"""/watchlist add and /watchlist show: the recipe's cog, as thin as every cog."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.ui.autocomplete import complete_anime
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import answer
from bot.ui.send import reply
from tests.recipe.watchlist import render
from tests.recipe.watchlist.service import WatchlistService
from tests.recipe.watchlist.store import WatchlistStore


@app_commands.guild_only()
class Watchlist(commands.GroupCog, group_name="watchlist", group_description="Shows you mean to watch."):
    """A member's watchlist."""

    def __init__(self, service: WatchlistService) -> None:
        self.service = service
        super().__init__()

    @app_commands.command(name="add", description="Put a show on your watchlist.")
    @app_commands.describe(anime="The show's title (English, romaji or Japanese)")
    @app_commands.autocomplete(anime=complete_anime)
    async def add(self, interaction: Interaction, anime: str) -> None:
        """Put a show on your watchlist."""
        await answer(interaction, self._add, anime=anime)

    async def _add(self, interaction: Interaction, anime: str) -> None:
        title, new = await self.service.add(interaction.guild_id, interaction.user.id, anime)
        await reply(interaction, render.added(title, new), ephemeral=True)

    @app_commands.command(name="show", description="Your watchlist in this server.")
    async def show(self, interaction: Interaction) -> None:
        """Your watchlist."""
        entries = await self.service.entries(interaction.guild_id, interaction.user.id)
        await reply(interaction, cards=[render.watchlist(entries)], ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add the watchlist commands, on a service built from the bot's shared core."""
    await bot.add_cog(Watchlist(WatchlistService(WatchlistStore(bot.core.db), bot.core.catalogue)))
