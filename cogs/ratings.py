"""/rate and /ratings: per-category scores in the server's categories, tallies, leaderboards and your own ratings.

/rate takes a category and a score for the quick path, or opens a rating panel: one menu per category of the
server (Discord fixes a command's options when it is registered, so a server's own categories cannot be
options; ten categories of nine scores fit no form either — a message with a menu per category does).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.pages import Action, Shown, State
from bot.core.text import Md, inline, md
from bot.errors import InvalidInput
from bot.progress.service import ProgressService
from bot.progress.store import ProgressStore
from bot.ratings import paging, render
from bot.ratings.models import Category, MemberScores, Score
from bot.ratings.service import Panel, RatingService
from bot.ratings.store import RatingStore
from bot.settings.service import ServerSettingsService
from bot.ui.autocomplete import complete_anime
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import answer
from bot.ui.lookups import Lookup
from bot.ui.options import ScoreOption
from bot.ui.pages import send_page
from bot.ui.send import NO_PINGS, reply
from bot.ui.views import OwnedLayout, OwnedView

PANEL_TIMEOUT = 900.0


def _number(value: str) -> float | str:
    """A menu's value as a number, when it is one (a crafted client may send anything: Score.parse says so)."""
    try:
        return float(value)
    except ValueError:
        return value


async def mark_finished(interaction: Interaction, progress: ProgressService, guild_id: int, anime_id: int,
                        button: discord.ui.Button[Any]) -> None:
    """The "mark as finished" offer under a rating, pressed: record it, and say so privately."""
    done = await progress.finish(guild_id, interaction.user.id, anime_id)
    button.disabled = True
    button.label = "Marked as finished"
    await interaction.response.edit_message(view=button.view)
    await interaction.followup.send(md("Marked **{title}** as finished in your `/progress`: reviews of the whole "
                                       "series are shown to you in clear now.", title=inline(done.title, 200)),
                                    ephemeral=True, allowed_mentions=NO_PINGS)


def finish_button(progress: ProgressService, guild_id: int, anime_id: int) -> discord.ui.Button[Any]:
    """A button that marks the show finished in the member's progress."""
    button: discord.ui.Button[Any] = discord.ui.Button(label="Mark as finished", emoji="✅",
                                                       style=discord.ButtonStyle.secondary)

    async def pressed(interaction: Interaction) -> None:
        await mark_finished(interaction, progress, guild_id, anime_id, button)

    button.callback = pressed  # type: ignore[method-assign, assignment]  # typed loosely by discord.py
    return button


class FinishOffer(OwnedView):
    """Under a quick /rate: offer to mark the show finished (when the member's progress isn't)."""

    def __init__(self, progress: ProgressService, guild_id: int, anime_id: int, owner_id: int) -> None:
        super().__init__(owner_id, timeout=PANEL_TIMEOUT)
        self.add_item(finish_button(progress, guild_id, anime_id))


class RatingPanel(OwnedLayout):
    """The member's scores for a show, a menu under each of the server's categories; each pick is saved at once."""

    def __init__(self, service: RatingService, panel: Panel, owner_id: int, guild_id: int,
                 progress: ProgressService | None = None) -> None:
        super().__init__(owner_id, timeout=PANEL_TIMEOUT)
        self.service = service
        self.panel = panel
        self.guild_id = guild_id
        # The offer to mark the show finished, when the member's progress isn't (kept across rebuilds).
        self.finish = finish_button(progress, guild_id, panel.anime_id) if progress is not None else None
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
        if self.finish is not None:
            box.add_item(discord.ui.ActionRow(self.finish))
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

    def __init__(self, service: RatingService, progress: ProgressService | None = None) -> None:
        self.service = service
        self.progress = progress

    async def _offer_finish(self, guild_id: int, member_id: int, anime_id: int) -> bool:
        """Whether to offer "mark as finished": the member's progress in the show isn't finished."""
        return self.progress is not None and not await self.progress.finished(guild_id, member_id, anime_id)

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
            assert interaction.guild_id is not None  # the service refuses ratings outside a server
            offer = None
            if self.progress is not None and await self._offer_finish(interaction.guild_id, interaction.user.id,
                                                                      result.anime_id):
                offer = FinishOffer(self.progress, interaction.guild_id, result.anime_id, interaction.user.id)
            await reply(interaction, lookup.note(result.title), cards=[render.render_scores(result, categories)],
                        view=offer, ephemeral=True)
            if offer is not None:
                offer.message = await interaction.original_response()
            return
        panel = await self.service.panel(interaction.guild_id, interaction.user.id, anime, lookup.caller)
        assert interaction.guild_id is not None  # the service refuses ratings outside a server
        offer_finish = await self._offer_finish(interaction.guild_id, interaction.user.id, panel.anime_id)
        view = RatingPanel(self.service, panel, interaction.user.id, interaction.guild_id,
                           self.progress if offer_finish else None)
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
        await reply(interaction, note, page=render.render_show(result, self.service.charts))

    @ratings.command(name="top", description="This server's best-rated anime (fairly weighted by votes).")
    @app_commands.describe(category="Rank by one category (default: overall)")
    @app_commands.autocomplete(category=complete_any_category)
    async def top(self, interaction: Interaction, category: str | None = None) -> None:
        """The server's leaderboard by Bayesian average."""
        shown = await paging.top(self.service, interaction.guild_id, "f", category=category)
        await send_page(interaction, paging.TOP, shown, ephemeral=shown.card is None)

    @ratings.command(name="mine", description="Your own ratings in this server.")
    async def mine(self, interaction: Interaction) -> None:
        """Your ratings in this server (only you see them)."""
        shown = await paging.turn(self.service, interaction.guild_id, interaction.user.id, "f")
        await send_page(interaction, paging.KIND, shown, ephemeral=True)

    @ratings.command(name="forget", description="Remove all your scores for an anime in this server.")
    @app_commands.describe(anime="The show whose scores to remove")
    @app_commands.autocomplete(anime=complete_anime)
    async def forget(self, interaction: Interaction, anime: str) -> None:
        """Remove your scores for a show."""
        await answer(interaction, self._forget, anime=anime)

    async def _forget(self, interaction: Interaction, anime: str) -> None:
        result = await self.service.forget(interaction.guild_id, interaction.user.id, anime)
        await reply(interaction, render.render_forgotten(result), ephemeral=True)


class MinePager:
    """/ratings mine's page buttons: each press reads the page it leads to (the presser is the member who asked)."""

    def __init__(self, service: RatingService) -> None:
        self.service = service

    async def turn(self, interaction: Interaction, action: Action, state: State) -> Shown:
        """The page a button leads to."""
        return await paging.turn(self.service, interaction.guild_id, interaction.user.id, action, state)


class TopPager:
    """/ratings top's page buttons: each press reads the (cached) leaderboard and shows the page asked for."""

    def __init__(self, service: RatingService) -> None:
        self.service = service

    async def turn(self, interaction: Interaction, action: Action, state: State) -> Shown:
        """The page a button leads to."""
        return await paging.top(self.service, interaction.guild_id, action, state)


async def setup(bot: KansouBot) -> None:
    """Add the ratings commands, on a rating service (with its writer) over the shared database and catalogue."""
    core = bot.core
    service = RatingService(RatingStore(core.db), core.catalogue, core.settings,
                            server_settings=ServerSettingsService.over(core.db, core.settings))
    bot.page_sources[paging.KIND] = MinePager(service)
    bot.page_sources[paging.TOP] = TopPager(service)
    await bot.add_cog(Ratings(service, ProgressService(ProgressStore(core.db), core.catalogue)))
