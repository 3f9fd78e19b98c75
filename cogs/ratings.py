"""/rate and /ratings: per-category scores, a server's tallies, leaderboards and your own ratings."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.ratings.chart import CHART_FILENAME, one_decimal, render_chart
from bot.ratings.service import CATEGORIES, Forgotten, MemberScores, ShowRatings
from bot.ratings.store import SCORES, Leaderboard, Tally
from bot.ui.autocomplete import complete_anime
from bot.ui.client import KansouBot
from bot.ui.views import COLOUR, Interaction, Paginator, clean, reply

PER_PAGE = 10
SPARKS = "▁▂▃▄▅▆▇█"
Score = app_commands.Range[float, 1, 5]

CATEGORY_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in CATEGORIES.items()]


def _number(value: float) -> str:
    return f"{value:g}"


def stars(score: float) -> str:
    """A score as stars: 3.5 → ★★★½."""
    full = int(score)
    return "★" * full + ("½" if score - full >= 0.5 else "")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def sparkline(distribution: Sequence[int]) -> str:
    """Votes per score (1, 1.5, … 5) as one line of bars; "·" marks a score nobody gave."""
    top = max(distribution, default=0)
    if top <= 0:
        return "·" * len(distribution)
    return "".join("·" if n <= 0 else SPARKS[max(0, math.ceil(n / top * len(SPARKS)) - 1)] for n in distribution)


def _tally_field(tally: Tally) -> tuple[str, str]:
    name = f"{tally.label} — {one_decimal(tally.average)} ({_plural(tally.votes, 'vote')})"
    counts = " · ".join(
        f"{_number(score)}★ ×{n}" for score, n in reversed(list(zip(SCORES, tally.distribution, strict=True))) if n
    )
    return name, f"`1 {sparkline(tally.distribution)} 5`\n-# {counts}"


def render_scores(result: MemberScores) -> discord.Embed:
    """The ephemeral reply of /rate: the member's current scores for the show."""
    lines = []
    for key, label in CATEGORIES.items():
        score = result.scores.get(key)
        if score is None:
            lines.append(f"{label}: —")
            continue
        before = result.previous.get(key)
        mark = ""  # a score given again unchanged, or not given this time, is just shown
        if key in result.given:
            if before is None:
                mark = " *(new)*"
            elif before != score:
                mark = f" *(was {_number(before)})*"
        lines.append(f"{label}: **{_number(score)}** {stars(score)}{mark}")
    embed = discord.Embed(title=f"Your ratings — {clean(result.title, 200)}", description="\n".join(lines),
                          colour=COLOUR)
    embed.set_footer(text="Rate a category again to replace its score · /ratings forget removes them all")
    return embed


def render_show(result: ShowRatings) -> discord.Embed:
    """The embed of /ratings show (the chart is attached as ratings.png)."""
    tally = result.tally
    overall = result.overall
    if len(tally.tallies) == 1:
        basis = f"{tally.tallies[0].label} is the only category rated"
    else:
        basis = f"the mean of the {len(tally.tallies)} category averages"
    description = (
        f"Overall **{one_decimal(overall)}** / 5 — {basis} · {_plural(tally.voters, 'member')} rated it in this server"
        if overall is not None
        else ""
    )
    embed = discord.Embed(title=f"Ratings — {clean(result.title, 200)}", description=description, colour=COLOUR)
    for key, label in CATEGORIES.items():
        found = tally.get(key)
        if found is None:
            embed.add_field(name=f"{label} — no votes yet", value="Be the first: `/rate`", inline=False)
        else:
            name, value = _tally_field(found)
            embed.add_field(name=name, value=value, inline=False)
    embed.set_image(url=f"attachment://{CHART_FILENAME}")
    return embed


def render_top(board: Leaderboard) -> list[discord.Embed]:
    """The pages of /ratings top."""
    label = CATEGORIES.get(board.category, "Overall") if board.category else "Overall"
    if board.category is None:
        how = ("Overall R is the mean of a show's category averages; v counts the members who rated it; "
               "C is the server's mean of R weighted by v.")
        unit = "member"
    else:
        how = f"R is a show's {label} average; v its votes; C the mean of every {label} vote in this server."
        unit = "vote"
    intro = f"Ranked by Bayesian average (v·R + m·C) / (v + m), so a show needs votes to rise.\n-# {how}"
    mean = one_decimal(board.mean) if board.mean is not None else "—"
    footer = f"m = {board.min_votes} · C = {mean} · {_plural(board.shows, 'show')} rated"
    # Every average to one decimal, as /ratings show and the chart give it: the rank carries the finer order.
    lines = [
        f"**{rank}.** {clean(row.title, 90)} — **{one_decimal(row.bayesian)}** "
        f"(average {one_decimal(row.average)}, {_plural(row.votes, unit)})"
        for rank, row in enumerate(board.rows, start=1)
    ]
    pages = []
    for start in range(0, len(lines), PER_PAGE):
        embed = discord.Embed(title=f"Top rated — {label}", colour=COLOUR,
                              description=intro + "\n\n" + "\n".join(lines[start : start + PER_PAGE]))
        embed.set_footer(text=footer)
        pages.append(embed)
    return pages


def render_mine(shows: Sequence[MemberScores]) -> list[discord.Embed]:
    """The pages of /ratings mine."""
    lines = [
        f"**{clean(s.title, 90)}** — "
        + " · ".join(f"{CATEGORIES.get(k, k)} {_number(v)}" for k, v in s.scores.items())
        for s in shows
    ]
    scores = sum(len(s.scores) for s in shows)
    pages = []
    for start in range(0, len(lines), PER_PAGE):
        embed = discord.Embed(title="Your ratings in this server", colour=COLOUR,
                              description="\n".join(lines[start : start + PER_PAGE]))
        embed.set_footer(text=f"{_plural(len(shows), 'show')} · {_plural(scores, 'score')}")
        pages.append(embed)
    return pages


def render_forgotten(result: Forgotten) -> str:
    """The confirmation of /ratings forget."""
    title = clean(result.title, 200)
    if not result.removed:
        return f"You hadn't rated **{title}** in this server — nothing to remove."
    return f"Removed {_plural(result.removed, 'score')} for **{title}**."


class Ratings(commands.Cog):
    """Per-category ratings."""

    ratings = app_commands.Group(
        name="ratings",
        description="This server's anime ratings.",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    def __init__(self, bot: KansouBot) -> None:
        self.bot = bot

    @app_commands.command(name="rate", description="Rate an anime from 1 to 5 (half points allowed) per category.")
    @app_commands.guild_only()
    @app_commands.describe(
        anime="The show's title (English, romaji or Japanese)",
        animation="Animation: 1 to 5, in half points",
        voice_acting="Voice acting: 1 to 5, in half points",
        music="Music: 1 to 5, in half points",
        writing="Writing: 1 to 5, in half points",
        story="Story: 1 to 5, in half points",
    )
    @app_commands.autocomplete(anime=complete_anime)
    async def rate(
        self,
        interaction: Interaction,
        anime: str,
        animation: Score | None = None,
        voice_acting: Score | None = None,
        music: Score | None = None,
        writing: Score | None = None,
        story: Score | None = None,
    ) -> None:
        """Rate an anime per category; re-rating a category replaces your score."""
        scores = {"animation": animation, "voice_acting": voice_acting, "music": music, "writing": writing,
                  "story": story}
        result = await self.bot.services.ratings.rate(interaction.guild_id, interaction.user.id, anime, scores)
        await reply(interaction, embed=render_scores(result), ephemeral=True)

    @ratings.command(name="show", description="This server's ratings of an anime, per category.")
    @app_commands.describe(anime="The show's title (English, romaji or Japanese)")
    @app_commands.autocomplete(anime=complete_anime)
    async def show(self, interaction: Interaction, anime: str) -> None:
        """This server's tally for a show, with a chart."""
        result = await self.bot.services.ratings.show(interaction.guild_id, anime)
        if result.overall is None:
            text = f"Nobody in this server has rated **{clean(result.title, 200)}** yet — be the first with `/rate`."
            await reply(interaction, text, ephemeral=True)
            return
        chart = discord.File(io.BytesIO(render_chart(result.tally.tallies)), filename=CHART_FILENAME)
        await reply(interaction, embed=render_show(result), file=chart)

    @ratings.command(name="top", description="This server's best-rated anime (fairly weighted by votes).")
    @app_commands.describe(category="Rank by one category (default: overall)")
    @app_commands.choices(category=CATEGORY_CHOICES)
    async def top(self, interaction: Interaction, category: str | None = None) -> None:
        """The server's leaderboard by Bayesian average."""
        board = await self.bot.services.ratings.top(interaction.guild_id, category)
        if not board.rows:
            await reply(interaction, "Nothing has been rated in this server yet — start with `/rate`.", ephemeral=True)
            return
        await Paginator(render_top(board), interaction.user.id).start(interaction)

    @ratings.command(name="mine", description="Your own ratings in this server.")
    async def mine(self, interaction: Interaction) -> None:
        """Your ratings in this server (only you see them)."""
        shows = await self.bot.services.ratings.mine(interaction.guild_id, interaction.user.id)
        if not shows:
            await reply(interaction, "You haven't rated anything in this server yet — try `/rate`.", ephemeral=True)
            return
        await Paginator(render_mine(shows), interaction.user.id).start(interaction, ephemeral=True)

    @ratings.command(name="forget", description="Remove all your scores for an anime in this server.")
    @app_commands.describe(anime="The show whose scores to remove")
    @app_commands.autocomplete(anime=complete_anime)
    async def forget(self, interaction: Interaction, anime: str) -> None:
        """Remove your scores for a show."""
        result = await self.bot.services.ratings.forget(interaction.guild_id, interaction.user.id, anime)
        await reply(interaction, render_forgotten(result), ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add the ratings commands."""
    await bot.add_cog(Ratings(bot))
