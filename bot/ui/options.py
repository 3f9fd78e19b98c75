"""Command options parsed once, at the boundary, into the values the services take.

A transformer here turns what Discord sends into a domain value or a friendly ``InvalidInput`` (which the
central handler shows); the rest of the code trusts the value. Discord's client already keeps a number option
within its registered range, but a crafted client need not: the transformer checks everything again.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.core.text import Md, inline, md
from bot.errors import InvalidInput
from bot.ratings.models import Score

EPISODE_MAX = 5000
NUMBER_MAX = 1_000_000_000



class BoundedInt(app_commands.Transformer[Any]):
    """A whole-number option within ``low..high``, checked again when it arrives.

    ``app_commands.Range`` only tells Discord's client the bounds; a crafted client may still send 2**63 or
    10**30, which no SQLite integer holds (``OverflowError``). So every integer is bounded here, where it enters.
    """

    def __init__(self, low: int, high: int, what: str) -> None:
        self.low, self.high, self.what = low, high, what

    @property
    def type(self) -> discord.AppCommandOptionType:
        """An integer option."""
        return discord.AppCommandOptionType.integer

    @property
    def min_value(self) -> int:
        """What Discord's client lets through, at least."""
        return self.low

    @property
    def max_value(self) -> int:
        """What Discord's client lets through, at most."""
        return self.high

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> int:
        """The number, or ``InvalidInput`` saying which numbers are allowed."""
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            raise InvalidInput(md("{what} must be a whole number from {low:,} to {high:,}.",
                                  what=Md(self.what), low=self.low, high=self.high))
        return value


Episode = app_commands.Transform[int, BoundedInt(1, EPISODE_MAX, "An episode number")]
"""An episode number (through_episode)."""
Watched = app_commands.Transform[int, BoundedInt(0, EPISODE_MAX, "The number of episodes watched")]
"""How many episodes a member has watched."""
ReviewNumber = app_commands.Transform[int, BoundedInt(1, NUMBER_MAX, "A review number")]
"""A review's number in its server (#12 → 12)."""
Position = app_commands.Transform[int, BoundedInt(1, 25, "A position")]
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
        what = (md("The {category} score", category=inline(category, 60)) if isinstance(category, str)
                and category.strip() else Md("The score"))
        return Score.parse(value, what)
