"""Command options parsed once, at the boundary, into the values the services take.

A transformer here turns what Discord sends into a domain value or a friendly ``InvalidInput`` (which the
central handler shows); the rest of the code trusts the value. Discord's client already keeps a number option
within its registered range, but a crafted client need not: the transformer checks everything again.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.core.i18n import _
from bot.core.text import inline, md
from bot.ratings.models import Score

EPISODE_MAX = 5000
NUMBER_MAX = 1_000_000_000

Episode = app_commands.Range[int, 1, EPISODE_MAX]
"""An episode number (through_episode)."""
Watched = app_commands.Range[int, 0, EPISODE_MAX]
"""How many episodes a member has watched."""
ReviewNumber = app_commands.Range[int, 1, NUMBER_MAX]
"""A review's number in its server (#12 → 12)."""
Position = app_commands.Range[int, 1, 25]
"""A place in a list, 1 first."""


class ScoreOption(app_commands.Transformer[Any]):
    """A score option: 1 to 5 in half points, as Discord's number option → :class:`~bot.ratings.models.Score`."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        """A number option."""
        return discord.AppCommandOptionType.number

    @property
    def min_value(self) -> float:
        """What Discord's client lets through, at least."""
        return 1

    @property
    def max_value(self) -> float:
        """What Discord's client lets through, at most."""
        return 5

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Score:
        """The score, or ``InvalidInput`` naming the category it was for (when the command has one)."""
        category = getattr(interaction.namespace, "category", None)
        what = (md(_("The {category} score"), category=inline(category, 60)) if isinstance(category, str)
                and category.strip() else None)  # None: "The score"
        return Score.parse(value, what)
