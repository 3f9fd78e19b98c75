"""Autocomplete callbacks shared by every cog: names and titles from the local catalogue, never AniList."""

from __future__ import annotations

from discord import app_commands

from bot.catalogue.models import Kind
from bot.catalogue.search import ID_PREFIX
from bot.core import limits
from bot.core.text import plain
from bot.ui.client import Interaction


async def _complete(interaction: Interaction, kind: Kind, current: str) -> list[app_commands.Choice[str]]:
    matches = await interaction.client.core.catalogue.complete(kind, current, limit=limits.CHOICES)
    # A choice's name is plain text (no markdown), but catalogue text may hold control characters and line
    # breaks Discord refuses there: one clean line, cut with "…".
    return [app_commands.Choice(name=plain(m.label, limits.CHOICE_NAME) or "?", value=f"{ID_PREFIX}{m.entity_id}")
            for m in matches]


async def complete_anime(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete show titles: the catalogue, the offline title index, AniList results seen; never AniList."""
    suggestions = await interaction.client.core.catalogue.suggest_shows(current, limit=limits.CHOICES)
    return [app_commands.Choice(name=plain(s.label, limits.CHOICE_NAME) or "?", value=s.value[: limits.CHOICE_VALUE])
            for s in suggestions]


async def complete_character(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete character names from the catalogue."""
    return await _complete(interaction, "character", current)


async def complete_person(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete people's names from the catalogue."""
    return await _complete(interaction, "person", current)
