"""/credits, /voiced and /person: who made a show and who voiced whom."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalogue.credits import AnimeCredits, Caller, PersonCredits, VoicedResult, parse_language
from bot.catalogue.files import format_label
from bot.catalogue.store import Anime, Person
from bot.core.markdown import plural
from bot.ui.autocomplete import complete_anime, complete_character, complete_person
from bot.ui.client import KansouBot
from bot.ui.views import COLOUR, Interaction, Paginator, chunk_lines, clean, think_publicly

FLAGS = {"japanese": "🇯🇵", "english": "🇺🇸", "korean": "🇰🇷", "chinese": "🇨🇳", "spanish": "🇪🇸",
         "portuguese": "🇧🇷", "french": "🇫🇷", "german": "🇩🇪", "italian": "🇮🇹", "hebrew": "🇮🇱",
         "hungarian": "🇭🇺"}
FIELDS_PER_PAGE = 4
MAX_SHOWS = 12  # shows listed under one voice actor of a character (a field holds 1024 characters)


def _flag(language: str) -> str:
    return FLAGS.get(language, "🏳️")


def _person(person: Person) -> str:
    text = clean(person.name, 80)
    return text + (f" ({clean(person.native, 40)})" if person.native else "")


def _anime_line(anime: Anime) -> str:
    bits = [b for b in (format_label(anime.format), str(anime.year) if anime.year else None) if b]
    return clean(anime.title, 120) + (f" ({', '.join(bits)})" if bits else "")


def _footer(*parts: str | None) -> str | None:
    """The parts that say something, joined; None when none does (a count of nothing is not shown)."""
    said = [p for p in parts if p]
    return " · ".join(said) if said else None


def _age(seconds: float) -> str:
    """How old stale data is: "9 days", "1 hour", "less than an hour"."""
    if seconds >= 2 * 86400:
        return plural(round(seconds / 86400), "day")
    hours = round(seconds / 3600)
    return plural(hours, "hour") if hours >= 1 else "less than an hour"


def _pages(title: str, description: str, fields: list[tuple[str, str]], footer: str | None) -> list[discord.Embed]:
    """Spread fields over embeds, a few per page, each page carrying the title and description."""
    groups = [fields[i : i + FIELDS_PER_PAGE] for i in range(0, len(fields), FIELDS_PER_PAGE)] or [[]]
    pages = []
    for group in groups:
        embed = discord.Embed(title=title[:256], description=description[:4096] or None, colour=COLOUR)
        for name, value in group:
            embed.add_field(name=name[:256], value=value[:1024], inline=False)
        if footer:
            embed.set_footer(text=footer[:2048])
        pages.append(embed)
    return pages


def _field_blocks(heading: str, lines: list[str]) -> list[tuple[str, str]]:
    blocks = chunk_lines(lines)
    return [(heading if i == 0 else f"{heading} (cont.)", block) for i, block in enumerate(blocks)]


def render_anime(result: AnimeCredits) -> list[discord.Embed]:
    """The pages of /credits."""
    anime = result.anime
    facts = [b for b in (
        f"*{clean(anime.title_romaji, 200)}*" if anime.title_english and anime.title_english != anime.title_romaji
        else None,
        clean(anime.title_native, 100) if anime.title_native else None,
    ) if b]
    details = [b for b in (
        f"Studio: **{clean(anime.studio, 80)}**" if anime.studio else None,
        plural(anime.episodes, "episode") if anime.episodes else None,
        str(anime.year) if anime.year else None,
        format_label(anime.format),
    ) if b]
    description = "\n".join([" · ".join(facts), " · ".join(details)]).strip()
    if anime.note:
        description += f"\n-# {clean(anime.note, 600)}"
    staff_lines = [f"**{clean(role, 80)}** — {', '.join(_person(p) for p in people)}" for role, people in result.staff]
    cast_lines = [
        f"**{clean(character.name, 80)}** — "
        + " · ".join(f"{_flag(r.language)} {_person(r.person)}" for r in roles)
        for character, roles in result.cast
    ]
    fields = _field_blocks("Staff", staff_lines) + _field_blocks("Cast", cast_lines)
    if not fields:
        fields = [("Credits", "No staff or cast credits are stored for this show yet.")]
    footer = _footer(
        plural(len(result.staff), "staff role") if result.staff else None,
        plural(len(result.cast), "character") if result.cast else None,
        f"AniList didn't answer; this is {_age(result.stale_age)} old" if result.stale_age is not None else None,
    )
    return _pages(f"Credits — {clean(anime.title, 200)}", description, fields, footer)


def render_voiced(result: VoicedResult) -> list[discord.Embed]:
    """The pages of /voiced."""
    character = result.character
    title = f"Who voiced {clean(character.name, 200)}"
    description = clean(character.native, 100) if character.native else ""
    if result.aliases:
        description += ("\n" if description else "") + "Also known as " + ", ".join(
            clean(a, 80) for a in result.aliases[:5])
    if character.note:
        description += f"\n-# {clean(character.note, 600)}"
    fields = []
    for credit in result.credits:
        shows = " · ".join(f"**{_anime_line(r.anime)}**" for r in credit.roles[:MAX_SHOWS])
        if len(credit.roles) > MAX_SHOWS:
            shows += f" · and {plural(len(credit.roles) - MAX_SHOWS, 'more show')}"
        notes = [
            f"-# {clean(r.anime.title, 60) + ': ' if len(credit.roles) > 1 else ''}{clean(r.note, 300)}"
            for r in credit.roles if r.note
        ]
        value = "\n".join([shows, *notes])
        if credit.other_roles:
            value += "\nAlso voiced: " + "; ".join(
                f"{clean(r.character.name, 60)} ({clean(r.anime.title, 60)})" for r in credit.other_roles)
        fields.append((f"{_flag(credit.language)} {credit.language.title()} · {_person(credit.person)}", value))
    if not fields:
        wanted = "" if result.language == "all" else f"{result.language.title()} "
        text = f"No {wanted}voice credit is stored for this character."
        if result.other_languages:
            text += " Available: " + ", ".join(lang.title() for lang in result.other_languages) + "."
        fields = [("Nothing found", text)]
    footer = _footer(
        f"AniList didn't answer; this is {_age(result.stale_age)} old" if result.stale_age is not None else None,
    )
    return _pages(title, description, fields, footer)


def render_person(result: PersonCredits) -> list[discord.Embed]:
    """The pages of /person."""
    person = result.person
    description = clean(person.native, 100) if person.native else ""
    if result.aliases:
        description += ("\n" if description else "") + "Also credited as " + ", ".join(
            clean(a, 80) for a in result.aliases[:5])
    if person.note:
        description += f"\n-# {clean(person.note, 600)}"
    voice_lines = [
        f"**{_anime_line(anime)}** — "
        + ", ".join(f"{clean(r.character.name, 80)}{'' if r.language == 'japanese' else f' ({r.language})'}"
                    for r in roles)
        for anime, roles in result.voice
    ]
    staff_lines = [f"**{_anime_line(anime)}** — {', '.join(clean(r, 80) for r in roles)}"
                   for anime, roles in result.staff]
    fields = _field_blocks("Voice roles", voice_lines) + _field_blocks("Staff roles", staff_lines)
    if not fields:
        fields = [("Credits", "No credits are stored for this person yet.")]
    roles = sum(len(r) for _, r in result.voice)
    footer = _footer(
        f"{plural(roles, 'voice role')} in {plural(len(result.voice), 'show')}" if result.voice else None,
        f"{plural(len(result.staff), 'show')} as staff" if result.staff else None,
        f"AniList didn't answer; this is {_age(result.stale_age)} old" if result.stale_age is not None else None,
    )
    return _pages(clean(person.name, 200), description, fields, footer)


def _caller(interaction: Interaction) -> Caller:
    """The member, charged for AniList requests; the interaction is deferred before the first one."""

    async def defer() -> None:
        # AniList can take seconds; Discord wants an answer within three. Publicly, as the answer will be;
        # if it turns out to be an error, the central handler withdraws the placeholder and tells only the member.
        await think_publicly(interaction)

    return Caller(key=(interaction.guild_id, interaction.user.id), before_remote=defer)


class Credits(commands.Cog):
    """Credits look-ups."""

    def __init__(self, bot: KansouBot) -> None:
        self.bot = bot

    @app_commands.command(name="credits", description="Show an anime's staff and cast.")
    @app_commands.describe(anime="The show's title (English, romaji or Japanese)")
    @app_commands.autocomplete(anime=complete_anime)
    async def credits(self, interaction: Interaction, anime: str) -> None:
        """Show an anime's staff and cast."""
        result = await self.bot.services.credits.anime_credits(anime, _caller(interaction))
        await Paginator(render_anime(result), interaction.user.id).start(interaction)

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
        result = await self.bot.services.credits.voiced(
            character, anime, parse_language(language), _caller(interaction)
        )
        await Paginator(render_voiced(result), interaction.user.id).start(interaction)

    @app_commands.command(name="person", description="Everything a voice actor or staff member worked on.")
    @app_commands.describe(name="The person's name (any order, with or without macrons)")
    @app_commands.autocomplete(name=complete_person)
    async def person(self, interaction: Interaction, name: str) -> None:
        """Everything a person worked on."""
        result = await self.bot.services.credits.person(name, _caller(interaction))
        await Paginator(render_person(result), interaction.user.id).start(interaction)


async def setup(bot: KansouBot) -> None:
    """Add the credits commands."""
    await bot.add_cog(Credits(bot))
