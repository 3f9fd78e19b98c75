"""/catalogue import: an admin fetches a show from AniList on purpose (on demand only, never a crawl)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.anilist.enrich import ImportResult
from bot.catalogue.store import LoadReport
from bot.core.markdown import plural
from bot.errors import InvalidInput
from bot.ui.client import KansouBot
from bot.ui.views import COLOUR, Interaction, clean, reply


def _what_was_added(report: LoadReport) -> str:
    """"30 characters and 61 people; 60 new voice roles and 30 new staff roles." — only what is there."""
    stored = [plural(n, word, many) for n, word, many in ((report.characters, "character", None),
                                                          (report.people, "person", "people")) if n]
    added = [plural(n, word) for n, word in ((report.voice_roles_added, "new voice role"),
                                            (report.staff_roles_added, "new staff role")) if n]
    text = " and ".join(stored) or "The show itself"
    return text + ("; " + " and ".join(added) if added else "; no new credits (it was already here)") + "."


def render_import(result: ImportResult) -> discord.Embed:
    """What an import added."""
    anime = result.anime
    report = result.report
    embed = discord.Embed(
        title=f"Imported from AniList — {clean(anime.title, 200)}",
        description=_what_was_added(report),
        colour=COLOUR,
    )
    facts = [f for f in (anime.studio, plural(anime.episodes, "episode") if anime.episodes else None,
                         str(anime.year) if anime.year else None) if f]
    if facts:
        embed.add_field(name="Show", value=clean(" · ".join(facts), 1000), inline=False)
    for note in result.notes[:3]:
        embed.add_field(name="Note", value=clean(note, 1000), inline=False)
    embed.set_footer(text="Try it: /credits, /voiced and /person now answer from the local catalogue.")
    return embed


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)  # Discord applies it to the whole /catalogue group
class Catalogue(commands.GroupCog, group_name="catalogue", group_description="Manage the credits catalogue."):
    """Catalogue administration."""

    def __init__(self, bot: KansouBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="import", description="Fetch a show's credits from AniList into the catalogue.")
    @app_commands.describe(query="The show's title, as AniList would know it")
    @app_commands.checks.has_permissions(manage_guild=True)  # the real check: server admins can widen access
    async def import_(self, interaction: Interaction, query: str) -> None:
        """Fetch a show's credits from AniList (Manage Server only)."""
        enricher = self.bot.services.enricher
        if enricher is None:
            raise InvalidInput("AniList is turned off on this bot (ANILIST_API_URL=off).")
        text = query.strip()
        if not text or len(text) > 200:
            raise InvalidInput("Give the show's title (up to 200 characters).")
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await enricher.import_anime(text, requester=(interaction.guild_id, interaction.user.id))
        await reply(interaction, embed=render_import(result), ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add the catalogue administration commands."""
    await bot.add_cog(Catalogue(bot))
