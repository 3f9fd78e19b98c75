"""/catalogue import: an admin fetches a show from AniList on purpose (on demand only, never a crawl)."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.catalogue.render import render_import
from bot.catalogue.service import CatalogueService
from bot.core.i18n import _
from bot.errors import InvalidInput
from bot.ui.client import Interaction, KansouBot
from bot.ui.send import reply


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)  # Discord applies it to the whole /catalogue group
class Catalogue(commands.GroupCog, group_name="catalogue", group_description="Manage the credits catalogue."):
    """Catalogue administration."""

    def __init__(self, catalogue: CatalogueService) -> None:
        self.catalogue = catalogue
        super().__init__()

    @app_commands.command(name="import", description="Fetch a show's credits from AniList into the catalogue.")
    @app_commands.describe(query="The show's title, as AniList would know it")
    @app_commands.checks.has_permissions(manage_guild=True)  # the real check: server admins can widen access
    async def import_(self, interaction: Interaction, query: str) -> None:
        """Fetch a show's credits from AniList (Manage Server only)."""
        enricher = self.catalogue.enricher
        if enricher is None:
            raise InvalidInput(_("AniList is turned off on this bot (ANILIST_API_URL=off)."))
        text = query.strip()
        if not text or len(text) > 200:
            raise InvalidInput(_("Give the show's title (up to {most} characters).").format(most=200))
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await enricher.import_anime(text, requester=(interaction.guild_id, interaction.user.id))
        await reply(interaction, cards=[render_import(result)], ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add the catalogue administration commands."""
    await bot.add_cog(Catalogue(bot.core.catalogue))
