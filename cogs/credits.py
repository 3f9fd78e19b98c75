"""/credits, /voiced and /person: who made a show and who voiced whom."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.catalogue.credits import CreditsService, parse_language
from bot.catalogue.pages import CREDITS, PERSON, VOICED, CreditPages, voiced_page, voiced_state
from bot.catalogue.render import render_voiced
from bot.catalogue.service import Caller
from bot.core.pages import Action, Shown, State, by_index
from bot.ui.autocomplete import complete_anime, complete_character, complete_person
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import answer
from bot.ui.pages import send_page
from bot.ui.send import think_publicly


def _caller(interaction: Interaction) -> Caller:
    """The member, charged for AniList requests; the interaction is deferred before the first one."""

    async def defer() -> None:
        # AniList can take seconds; Discord wants an answer within three. Publicly, as the answer will be;
        # if it turns out to be an error, the central handler withdraws the placeholder and tells only the member.
        await think_publicly(interaction)

    return Caller(key=(interaction.guild_id, interaction.user.id), before_remote=defer)


class Credits(commands.Cog):
    """Credits look-ups."""

    def __init__(self, service: CreditsService, pages: CreditPages) -> None:
        self.service = service
        self.pages = pages

    @app_commands.command(name="credits", description="Show an anime's staff and cast.")
    @app_commands.describe(anime="The show's title (English, romaji or Japanese)")
    @app_commands.autocomplete(anime=complete_anime)
    async def credits(self, interaction: Interaction, anime: str) -> None:
        """Show an anime's staff and cast."""
        await answer(interaction, self._credits, anime=anime)

    async def _credits(self, interaction: Interaction, anime: str) -> None:
        shown = await self.pages.first_credits(anime, _caller(interaction))
        await send_page(interaction, CREDITS, shown)

    @app_commands.command(name="voiced", description="Who voiced a character, in Japanese and in the English dub.")
    @app_commands.describe(
        character="The character's name",
        anime="Only this show (optional)",
        language="Which voices to show (default: all)",
    )
    @app_commands.choices(language=[
        app_commands.Choice(name="Japanese", value="japanese"),
        app_commands.Choice(name="English", value="english"),
        app_commands.Choice(name="All languages", value="all"),
    ])
    @app_commands.autocomplete(character=complete_character, anime=complete_anime)
    async def voiced(
        self,
        interaction: Interaction,
        character: str,
        anime: str | None = None,
        language: str = "all",
    ) -> None:
        """Who voiced a character."""
        await answer(interaction, self._voiced, character=character, anime=anime, language=language)

    async def _voiced(self, interaction: Interaction, character: str, anime: str | None, language: str) -> None:
        result = await self.service.voiced(character, anime, parse_language(language), _caller(interaction))
        await send_page(interaction, VOICED, by_index(render_voiced(result), "f", 0, voiced_state(result)))

    @app_commands.command(name="person", description="Everything a voice actor or staff member worked on.")
    @app_commands.describe(name="The person's name (any order, with or without macrons)")
    @app_commands.autocomplete(name=complete_person)
    async def person(self, interaction: Interaction, name: str) -> None:
        """Everything a person worked on."""
        await answer(interaction, self._person, name=name)

    async def _person(self, interaction: Interaction, name: str) -> None:
        shown = await self.pages.first_person(name, _caller(interaction))
        await send_page(interaction, PERSON, shown)


class VoicedPager:
    """/voiced's page buttons: each press answers again from the catalogue (by id) and shows the page asked for."""

    def __init__(self, service: CreditsService) -> None:
        self.service = service

    async def turn(self, interaction: Interaction, action: Action, state: State) -> Shown:
        """The page a button leads to."""
        return await voiced_page(self.service, action, state)


class CreditPager:
    """The page buttons of /credits or /person: each press fetches the page it leads to."""

    def __init__(self, pages: CreditPages, kind: str) -> None:
        self.pages = pages
        self.kind = kind

    async def turn(self, interaction: Interaction, action: Action, state: State) -> Shown:
        """The page a button leads to."""
        return await self.pages.turn(self.kind, action, state)


async def setup(bot: KansouBot) -> None:
    """Add the credits commands, on a credits service over the shared catalogue."""
    pages = CreditPages(bot.core.catalogue)
    service = CreditsService(bot.core.catalogue)
    for kind in (CREDITS, PERSON):
        bot.page_sources[kind] = CreditPager(pages, kind)
    bot.page_sources[VOICED] = VoicedPager(service)
    await bot.add_cog(Credits(service, pages))
