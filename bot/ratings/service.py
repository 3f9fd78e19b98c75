"""Ratings: per-category scores, tallies and fair leaderboards, in each server's own categories.

A member gives a show 1–5 points in half points in any of the server's active categories; each (server,
member, show, category) holds one vote, and re-rating replaces it. Writes go through the group-commit writer
(:class:`bot.ratings.writer.RatingWriter`), started by :meth:`RatingService.start`. Scores arrive parsed
(:class:`~bot.ratings.models.Score`); show names are resolved by the catalogue, as for every feature.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalogue.service import LOCAL, Caller, CatalogueService
from bot.config import Settings
from bot.core.cooldowns import Cooldown
from bot.core.text import inline, md, quote
from bot.errors import InvalidInput
from bot.ratings.chart import ChartCache
from bot.ratings.models import (
    DEFAULTS,
    Category,
    CategorySet,
    ClearWrite,
    ForgetWrite,
    Forgotten,
    Leaderboard,
    MemberScores,
    Score,
    ScoreWrite,
    ShowRatings,
)
from bot.ratings.store import RatingStore
from bot.ratings.writer import RatingWriter
from bot.settings.service import ServerSettingsService

__all__ = ["LEADERBOARD_SIZE", "MineResult", "Panel", "RatingService"]

LEADERBOARD_SIZE = 100


@dataclass(frozen=True)
class MinePage:
    """One page of /ratings mine: its shows, which page it is of how many, and the member's totals."""

    result: MineResult
    number: int
    pages: int
    shows: int
    scores: int
    keys: tuple[int, ...]


def guild_of(guild_id: int | None) -> int:
    """The server a rating belongs to; ``InvalidInput`` outside one."""
    if guild_id is None or guild_id == DEFAULTS:
        raise InvalidInput("Ratings belong to a server — use this command inside one.")
    return guild_id


@dataclass(frozen=True)
class Panel:
    """What the rating panel shows: a show, the server's categories and the member's scores."""

    anime_id: int
    title: str
    categories: CategorySet
    scores: MemberScores


@dataclass(frozen=True)
class MineResult:
    """A member's scores in a server, one entry per show (by title), with the server's categories."""

    shows: tuple[MemberScores, ...]
    categories: CategorySet


class RatingService:
    """Rating rules: scores in the server's active categories, one vote per member/show/category/server, tallies."""

    def __init__(self, store: RatingStore, catalogue: CatalogueService, settings: Settings, *,
                 server_settings: ServerSettingsService | None = None) -> None:
        self._store = store
        self._catalogue = catalogue
        self._settings = settings
        self.writer = RatingWriter(store)
        self.cooldown = Cooldown(settings.rate_cooldown, what="ratings")
        self.server_settings = server_settings
        self.charts = ChartCache()  # /ratings show's charts, drawn once per version of a show's ratings

    async def _cooldown(self, guild: int) -> float:
        """The server's rating cooldown (``/settings``), else the global one."""
        if self.server_settings is None:
            return self.cooldown.seconds
        return (await self.server_settings.effective(guild)).rate_cooldown

    async def _min_votes(self, guild: int) -> int:
        """The server's leaderboard m (``/settings``), else the global one."""
        if self.server_settings is None:
            return self._settings.leaderboard_min_votes
        return (await self.server_settings.effective(guild)).leaderboard_m

    async def start(self) -> None:
        """Start the group-commit writer; called once the event loop runs."""
        self.writer.start()

    async def close(self) -> None:
        """Commit pending writes and stop the writer."""
        await self.writer.close()

    # -- categories ------------------------------------------------------------------------------------

    async def categories(self, guild_id: int | None) -> CategorySet:
        """The server's categories (its own, or the defaults)."""
        guild = guild_of(guild_id)
        found, own = await self._store.categories(guild)
        return CategorySet(guild, tuple(found), own)

    @staticmethod
    def category_in(categories: CategorySet, text: str, *, active: bool) -> Category:
        """The category ``text`` names in the server (``active``: one that takes votes); ``InvalidInput`` if none."""
        found = categories.find(text)
        if found is None:
            names = ", ".join(c.label for c in categories.active)
            raise InvalidInput(md("There is no rating category called {name} in this server. Its categories: "
                                  "{names}.", name=quote(text, max_len=50), names=inline(names, 1000)))
        if active and found.retired:
            raise InvalidInput(md("{label} is retired in this server: it keeps its scores, but takes no new ones.",
                                  label=inline(found.label, 60)))
        return found

    # -- rating ------------------------------------------------------------------------------------------

    async def rate(self, guild_id: int | None, member_id: int, show: str, category: str, score: Score,
                   caller: Caller = LOCAL) -> tuple[MemberScores, CategorySet]:
        """Set one score of a member for the show ``show`` names; all their scores for it, and the categories."""
        guild = guild_of(guild_id)
        categories = await self.categories(guild)
        chosen = self.category_in(categories, category, active=True)  # before anything else: a bad one writes nothing
        match = await self._catalogue.show(show, caller)
        key = (guild, member_id)
        self.cooldown.hit(key, await self._cooldown(guild))
        try:
            # Read just before the write: the cooldown keeps a member's own /rate calls apart, and nobody else
            # writes this member's scores, so these are the scores the write replaces.
            previous = await self._store.member_scores(guild, member_id, match.entity_id)
            await self.writer.submit(ScoreWrite(guild, member_id, match.entity_id, ((chosen.key, score),)))
        except BaseException:
            self.cooldown.reset(key)
            raise
        current = await self._store.member_scores(guild, member_id, match.entity_id)
        return MemberScores(match.entity_id, match.display, current, (chosen.key,), previous), categories

    async def panel(self, guild_id: int | None, member_id: int, show: str, caller: Caller = LOCAL) -> Panel:
        """The rating panel for the show ``show`` names: the server's categories and the member's scores."""
        guild = guild_of(guild_id)
        match = await self._catalogue.show(show, caller)
        self.cooldown.hit((guild, member_id), await self._cooldown(guild))
        categories = await self.categories(guild)
        scores = await self._store.member_scores(guild, member_id, match.entity_id)
        return Panel(match.entity_id, match.display, categories,
                     MemberScores(match.entity_id, match.display, scores, (), dict(scores)))

    async def pick(self, guild_id: int, member_id: int, anime_id: int, category_key: str, score: Score | None
                   ) -> dict[str, float]:
        """Set (or, with ``None``, remove) one score from the panel; the member's scores for the show after it.

        The category must still be active: it may have been retired since the panel opened.
        """
        categories = await self.categories(guild_id)
        chosen = categories.get(category_key)
        if chosen is None:
            raise InvalidInput("That category is gone from this server — run /rate again for its categories now.")
        if chosen.retired and score is not None:
            self.category_in(categories, chosen.key, active=True)  # says it is retired
        write = (ScoreWrite(guild_id, member_id, anime_id, ((chosen.key, score),)) if score is not None
                 else ClearWrite(guild_id, member_id, anime_id, chosen.key))
        await self.writer.submit(write)
        return await self._store.member_scores(guild_id, member_id, anime_id)

    # -- reading -----------------------------------------------------------------------------------------

    async def show(self, guild_id: int | None, show: str, caller: Caller = LOCAL) -> ShowRatings:
        """A show's tally in the server."""
        guild = guild_of(guild_id)
        match = await self._catalogue.show(show, caller)
        tally = await self._store.show_tally(guild, match.entity_id)
        return ShowRatings(match.entity_id, match.display, tally, await self.categories(guild))

    async def top(self, guild_id: int | None, category: str | None = None) -> Leaderboard:
        """The server's leaderboard by Bayesian average, for one category (retired ones too) or overall."""
        guild = guild_of(guild_id)
        chosen = None
        if category is not None and category.strip():
            chosen = self.category_in(await self.categories(guild), category, active=False)
        board = await self._store.leaderboard(
            guild, chosen.key if chosen else None, min_votes=await self._min_votes(guild),
            limit=LEADERBOARD_SIZE,
        )
        return Leaderboard(board.category, board.min_votes, board.mean, board.shows, board.rows,
                           chosen.label if chosen else "Overall")

    async def mine(self, guild_id: int | None, member_id: int) -> MineResult:
        """A member's scores in the server, one entry per show, by title."""
        guild = guild_of(guild_id)
        grouped: dict[int, tuple[str, dict[str, float]]] = {}
        for r in await self._store.member_ratings(guild, member_id):
            grouped.setdefault(r.anime_id, (r.title, {}))[1][r.category] = r.score
        shows = tuple(MemberScores(anime_id, title, scores) for anime_id, (title, scores) in grouped.items())
        return MineResult(shows, await self.categories(guild))

    async def mine_page(self, guild_id: int | None, member_id: int, *, after: int | None = None,
                        forward: bool = True, size: int) -> MinePage:
        """One page of a member's scores (``size`` shows), by keyset from show ``after``; at an end, the page at
        that end. Only that page is read, and its place is counted over the primary key."""
        guild = guild_of(guild_id)
        shows, scores = await self._store.member_counts(guild, member_id)
        keys: list[int] = []
        if after is not None:
            keys = await self._store.member_show_keys(guild, member_id, after=after, forward=forward, limit=size)
        if not keys and shows:
            # From an end: the first page (asked for, or nothing before), or the last (asked for, or nothing after),
            # which holds what is left over so that pages stay where counting from the start puts them.
            at_end = forward == (after is not None)
            keys = await self._store.member_show_keys(guild, member_id, after=None, forward=not at_end,
                                                      limit=(shows % size or size) if at_end else size)
        grouped: dict[int, tuple[str, dict[str, float]]] = {key: ("", {}) for key in keys}
        for r in await self._store.member_ratings_of(guild, member_id, keys):
            grouped[r.anime_id] = (r.title, grouped[r.anime_id][1])
            grouped[r.anime_id][1][r.category] = r.score
        listed = tuple(MemberScores(anime_id, title, found) for anime_id, (title, found) in grouped.items() if found)
        before = (await self._store.member_counts(guild, member_id, before=keys[0]))[0] if keys else 0
        return MinePage(MineResult(listed, await self.categories(guild)), before // size + 1,
                        max(1, -(-shows // size)), shows, scores, tuple(keys))

    async def forget(self, guild_id: int | None, member_id: int, show: str) -> Forgotten:
        """Remove every score of a member for a show in the server."""
        guild = guild_of(guild_id)
        match = await self._catalogue.find("anime", show)
        removed = await self.writer.submit(ForgetWrite(guild, member_id, match.entity_id))
        return Forgotten(match.entity_id, match.display, removed)
