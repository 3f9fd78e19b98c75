"""/catalogue import: an admin fetches a show from AniList on purpose (on demand only, never a crawl)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.anilist.seasons import SeasonImporter, SeasonRun, current_season
from bot.catalogue.render import render_import
from bot.catalogue.service import CatalogueService
from bot.catalogue.title_store import SeasonProgress
from bot.core.text import Md
from bot.errors import InvalidInput
from bot.ui.client import Interaction, KansouBot
from bot.ui.send import NO_PINGS, content, reply

_SEASON_NAMES = {"WINTER": "Winter", "SPRING": "Spring", "SUMMER": "Summer", "FALL": "Fall"}


def _season_line(progress: SeasonProgress) -> str:
    name = f"{_SEASON_NAMES[progress.season]} {progress.year}"
    return (f"Fetching the titles of {name} from AniList: {progress.titles:,} shows so far "
            f"(page {progress.next_page - 1})…")


def _season_done(run: SeasonRun) -> Md:
    """The last word of a season import: done, or where it stopped and how to go on."""
    progress = run.progress
    name = f"{_SEASON_NAMES[progress.season]} {progress.year}"
    if run.stopped is None:
        return Md(f"**{name}**: the titles of {progress.titles:,} shows are in autocomplete now. Their credits come "
                  "from AniList when each show is first used.")
    why = ("To leave AniList's budget to members, one run fetches a few pages." if run.stopped == "page limit"
           else f"AniList stopped answering: {run.stopped}")
    return Md(f"**{name}**: {progress.titles:,} shows so far (page {progress.next_page - 1}). {why} Run the same "
              "command again to go on from the next page.")


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
            raise InvalidInput("AniList is turned off on this bot (ANILIST_API_URL=off).")
        text = query.strip()
        if not text or len(text) > 200:
            raise InvalidInput("Give the show's title (up to 200 characters).")
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await enricher.import_anime(text, requester=(interaction.guild_id, interaction.user.id))
        await reply(interaction, cards=[render_import(result)], ephemeral=True)


    @app_commands.command(name="season", description="Fetch one season's show titles from AniList for autocomplete.")
    @app_commands.describe(year="The season's year (default: this season's)",
                           season="Winter (Dec–Feb), Spring, Summer or Fall (default: the current season)")
    @app_commands.choices(season=[app_commands.Choice(name=name, value=code) for code, name in _SEASON_NAMES.items()])
    @app_commands.checks.has_permissions(manage_guild=True)
    async def season(self, interaction: Interaction, year: app_commands.Range[int, 1940, 2100] | None = None,
                     season: str | None = None) -> None:
        """Fetch a season's titles into the title index, a few pages per run, resumable (Manage Server only)."""
        anilist = interaction.client.core.anilist
        titles = self.catalogue.titles
        if anilist is None or titles is None:
            raise InvalidInput("AniList is turned off on this bot (ANILIST_API_URL=off).")
        this_year, this_season = current_season(datetime.now(UTC).date())
        chosen = (season or this_season).upper()
        if chosen not in _SEASON_NAMES:
            raise InvalidInput("Season must be Winter, Spring, Summer or Fall.")
        if year is not None and not 1940 <= year <= 2100:
            raise InvalidInput("Give a year from 1940 to 2100.")
        await interaction.response.defer(ephemeral=True, thinking=True)

        async def show(progress: SeasonProgress) -> None:
            with contextlib.suppress(discord.HTTPException):  # progress is a courtesy: the import goes on
                await interaction.edit_original_response(content=content(_season_line(progress)),
                                                         allowed_mentions=NO_PINGS)

        run = await SeasonImporter(anilist, titles).run(year or this_year, chosen, show)
        await interaction.edit_original_response(content=content(_season_done(run)), allowed_mentions=NO_PINGS)


async def setup(bot: KansouBot) -> None:
    """Add the catalogue administration commands."""
    await bot.add_cog(Catalogue(bot.core.catalogue))
