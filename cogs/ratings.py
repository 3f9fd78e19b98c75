"""/rate and /ratings: per-category scores in the server's categories, tallies, leaderboards and your own ratings.

/rate takes a category and a score for the quick path, or opens a rating panel: one menu per category of the
server (Discord fixes a command's options when it is registered, so a server's own categories cannot be
options; ten categories of nine scores fit no form either — a message with a menu per category does).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.text import Md
from bot.errors import InvalidInput
from bot.ratings import render
from bot.ratings.models import Category, MemberScores, Score
from bot.ratings.service import Panel, RatingService
from bot.ratings.store import RatingStore
from bot.ui.autocomplete import complete_anime
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import answer
from bot.ui.lookups import Lookup
from bot.ui.options import ScoreOption
from bot.ui.send import NO_PINGS, reply
from bot.ui.views import OwnedLayout, Paginator

PANEL_TIMEOUT = 900.0


def _number(value: str) -> float | str:
    """A menu's value as a number, when it is one (a crafted client may send anything: Score.parse says so)."""
    try:
        return float(value)
    except ValueError:
        return value


class RatingPanel(OwnedLayout):
    """The member's scores for a show, a menu under each of the server's categories; each pick is saved at once."""

    def __init__(self, service: RatingService, panel: Panel, owner_id: int, guild_id: int) -> None:
        super().__init__(owner_id, timeout=PANEL_TIMEOUT)
        self.service = service
        self.panel = panel
        self.guild_id = guild_id
        self.before = dict(panel.scores.scores)
        self.scores = dict(panel.scores.scores)
        self.given: list[str] = []
        self._build()

    def _build(self) -> None:
        self.clear_items()
        shown = MemberScores(self.panel.anime_id, self.panel.title, self.scores, tuple(self.given), self.before)
        box: discord.ui.Container[RatingPanel] = discord.ui.Container()
        box.add_item(discord.ui.TextDisplay(render.panel_heading(self.panel)))
        for category in self.panel.categories.active:
            box.add_item(discord.ui.TextDisplay(render.score_line(category, shown)))
            menu: discord.ui.Select[RatingPanel] = discord.ui.Select(
                custom_id=f"rate:{category.key}",
                placeholder=render.category_placeholder(category),
                options=[discord.SelectOption(label=label, value=value, default=chosen)
                         for label, value, chosen in render.score_options(self.scores.get(category.key))],
            )
            menu.callback = self._picker(category, menu)  # type: ignore[method-assign, assignment]  # typed loosely by discord.py
            box.add_item(discord.ui.ActionRow(menu))
        box.add_item(discord.ui.TextDisplay(render.PANEL_NOTE))
        self.add_item(box)

    def _picker(self, category: Category, menu: discord.ui.Select[RatingPanel]
                ) -> Callable[[Interaction], Awaitable[None]]:
        async def picked(interaction: Interaction) -> None:
            value = menu.values[0]
            score = None if value == render.REMOVE else Score.parse(_number(value))
            self.scores = await self.service.pick(self.guild_id, self.owner_id, self.panel.anime_id, category.key,
                                                  score)
            if category.key not in self.given:
                self.given.append(category.key)
            self._build()
            await interaction.response.edit_message(view=self)

        return picked


class Ratings(commands.Cog):
    """Per-category ratings."""

    ratings = app_commands.Group(
        name="ratings",
        description="This server's anime ratings.",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    def __init__(self, service: RatingService) -> None:
        self.service = service

    async def cog_load(self) -> None:
        """Start the group-commit writer."""
        await self.service.start()

    async def cog_unload(self) -> None:
        """Commit what is pending and stop the writer."""
        await self.service.close()

    async def _choices(self, interaction: Interaction, current: str, *, retired: bool
                       ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        categories = await self.service.categories(interaction.guild_id)
        return [app_commands.Choice(name=name, value=value)
                for name, value in render.category_choices(categories, current, retired=retired)]

    async def complete_category(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The server's active categories."""
        return await self._choices(interaction, current, retired=False)

    async def complete_any_category(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The server's categories, the retired ones too (their history is still there)."""
        return await self._choices(interaction, current, retired=True)

    @app_commands.command(name="rate", description="Rate an anime from 1 to 5 (half points allowed) per category.")
    @app_commands.guild_only()
    @app_commands.describe(
        anime="The show's title (English, romaji or Japanese)",
        category="One of this server's categories (leave out, with the score, for a menu of every category)",
        score="The category's score: 1 to 5, in half points",
    )
    @app_commands.autocomplete(anime=complete_anime, category=complete_category)
    async def rate(
        self,
        interaction: Interaction,
        anime: str,
        category: str | None = None,
        score: app_commands.Transform[Score, ScoreOption] | None = None,
    ) -> None:
        """Rate an anime: one category at once, or every category from a panel of menus."""
        await answer(interaction, self._rate, anime=anime, category=category, score=score)

    async def _rate(self, interaction: Interaction, anime: str, category: str | None, score: Score | None) -> None:
        if score is not None and category is None:
            raise InvalidInput("Say which category that score is for (`category`), or leave the score out too for a "
                               "menu of every category.")
        lookup = Lookup(interaction, public=False)
        if category is not None and score is not None:
            result, categories = await self.service.rate(interaction.guild_id, interaction.user.id, anime, category,
                                                         score, lookup.caller)
            await reply(interaction, lookup.note(result.title), cards=[render.render_scores(result, categories)],
                        ephemeral=True)
            return
        panel = await self.service.panel(interaction.guild_id, interaction.user.id, anime, lookup.caller)
        assert interaction.guild_id is not None  # the service refuses ratings outside a server
        view = RatingPanel(self.service, panel, interaction.user.id, interaction.guild_id)
        if lookup.asked:  # deferred while AniList was asked: the panel fills the placeholder, with the note above
            note = lookup.note(panel.title)
            assert note is not None
            view.add_item(discord.ui.TextDisplay(note))
            view.message = await interaction.followup.send(view=view, ephemeral=True, allowed_mentions=NO_PINGS,
                                                           wait=True)
            return
        await interaction.response.send_message(view=view, ephemeral=True, allowed_mentions=NO_PINGS)
        view.message = await interaction.original_response()

    @ratings.command(name="show", description="This server's ratings of an anime, per category.")
    @app_commands.describe(anime="The show's title (English, romaji or Japanese)")
    @app_commands.autocomplete(anime=complete_anime)
    async def show(self, interaction: Interaction, anime: str) -> None:
        """This server's tally for a show, with a chart."""
        await answer(interaction, self._show, anime=anime)

    async def _show(self, interaction: Interaction, anime: str) -> None:
        # A show fetched from AniList just now has no ratings here yet: the answer will be private, so is the wait.
        lookup = Lookup(interaction, public=False)
        result = await self.service.show(interaction.guild_id, anime, lookup.caller)
        note = lookup.note(result.title)
        if result.overall is None:
            text = render.nobody_rated(result.title)
            await reply(interaction, text if note is None else Md(f"{text}\n{note}"), ephemeral=True)
            return
        await reply(interaction, note, page=render.render_show(result))

    @ratings.command(name="top", description="This server's best-rated anime (fairly weighted by votes).")
    @app_commands.describe(category="Rank by one category (default: overall)")
    @app_commands.autocomplete(category=complete_any_category)
    async def top(self, interaction: Interaction, category: str | None = None) -> None:
        """The server's leaderboard by Bayesian average."""
        board = await self.service.top(interaction.guild_id, category)
        if not board.rows:
            await reply(interaction, render.NOTHING_RATED, ephemeral=True)
            return
        await Paginator(render.render_top(board), interaction.user.id).start(interaction)

    @ratings.command(name="mine", description="Your own ratings in this server.")
    async def mine(self, interaction: Interaction) -> None:
        """Your ratings in this server (only you see them)."""
        result = await self.service.mine(interaction.guild_id, interaction.user.id)
        if not result.shows:
            await reply(interaction, render.NOTHING_OF_YOURS, ephemeral=True)
            return
        await Paginator(render.render_mine(result), interaction.user.id).start(interaction, ephemeral=True)

    @ratings.command(name="forget", description="Remove all your scores for an anime in this server.")
    @app_commands.describe(anime="The show whose scores to remove")
    @app_commands.autocomplete(anime=complete_anime)
    async def forget(self, interaction: Interaction, anime: str) -> None:
        """Remove your scores for a show."""
        await answer(interaction, self._forget, anime=anime)

    async def _forget(self, interaction: Interaction, anime: str) -> None:
        result = await self.service.forget(interaction.guild_id, interaction.user.id, anime)
        await reply(interaction, render.render_forgotten(result), ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add the ratings commands, on a rating service (with its writer) over the shared database and catalogue."""
    core = bot.core
    await bot.add_cog(Ratings(RatingService(RatingStore(core.db), core.catalogue, core.settings)))
