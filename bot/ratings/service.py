"""Ratings: per-category scores, tallies and fair leaderboards.

A member gives a show 1–5 points in half points in any of five categories; each (server, member, show,
category) holds one vote, and re-rating replaces it. Writes go through a group-commit writer
(:class:`bot.ratings.store.RatingWriter`) started by :meth:`RatingService.start`.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.catalogue.search import NameSearch
from bot.config import Settings
from bot.core.cooldowns import Cooldown
from bot.core.database import Database
from bot.core.markdown import quote
from bot.errors import InvalidInput, NotFound
from bot.ratings.store import (
    CATEGORIES,
    MAX_STORED,
    MIN_STORED,
    ForgetWrite,
    Leaderboard,
    RatingWriter,
    ScoreWrite,
    ShowTally,
)

__all__ = [
    "CATEGORIES",
    "Forgotten",
    "MemberScores",
    "RatingService",
    "ShowRatings",
    "parse_category",
    "parse_score",
    "parse_scores",
]

LEADERBOARD_SIZE = 100
_SCALE = "from 1 to 5 in half points (1, 1.5, 2, … 5)"


def parse_score(category: str, value: object) -> int:
    """A score on the 1–5 scale as stored (half points ×2, 2–10); ``InvalidInput`` for anything else."""
    label = CATEGORIES.get(category, category)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"The {label} score must be a number {_SCALE}.")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInput(f"The {label} score must be a number {_SCALE}.")
    doubled = number * 2
    if not MIN_STORED - 1 <= doubled <= MAX_STORED + 1:  # far out of range (1e308 doubled cannot even be rounded)
        raise InvalidInput(f"The {label} score must be {_SCALE}, not {number:g}.")
    stored = round(doubled)
    if abs(doubled - stored) > 1e-9 or not MIN_STORED <= stored <= MAX_STORED:
        raise InvalidInput(f"The {label} score must be {_SCALE}, not {number:g}.")
    return stored


def parse_scores(scores: Mapping[str, object]) -> dict[str, int]:
    """Every given (not None) score, validated and in stored units; at least one is required."""
    unknown = [c for c in scores if c not in CATEGORIES]
    if unknown:
        raise InvalidInput(f"There is no rating category called {quote(unknown[0], max_len=50)}.")
    parsed = {c: parse_score(c, scores[c]) for c in CATEGORIES if scores.get(c) is not None}
    if not parsed:
        raise InvalidInput("Give at least one score: " + ", ".join(CATEGORIES.values()) + f", each {_SCALE}.")
    return parsed


def parse_category(text: str | None) -> str | None:
    """A category key from an option value (key or label, any case); None or empty means overall."""
    if text is None or not text.strip():
        return None
    wanted = text.strip().casefold().replace(" ", "_")
    for key, label in CATEGORIES.items():
        if wanted in (key, label.casefold().replace(" ", "_")):
            return key
    raise InvalidInput("The category must be one of " + ", ".join(CATEGORIES.values()) + ".")


@dataclass(frozen=True)
class MemberScores:
    """A member's current scores (1–5, in category order) for one show.

    After /rate, ``given`` lists the categories just set and ``previous`` the scores they had before (a category
    missing there was rated for the first time), so a reply can mark what is new and what changed.
    """

    anime_id: int
    title: str
    scores: Mapping[str, float]
    given: tuple[str, ...] = ()
    previous: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ShowRatings:
    """A show's ratings in one server."""

    anime_id: int
    title: str
    tally: ShowTally = field(repr=False)

    @property
    def overall(self) -> float | None:
        """The mean of the category averages (None when nobody rated the show)."""
        return self.tally.overall


@dataclass(frozen=True)
class Forgotten:
    """What ``/ratings forget`` removed."""

    anime_id: int
    title: str
    removed: int


def _guild(guild_id: int | None) -> int:
    if guild_id is None:
        raise InvalidInput("Ratings belong to a server — use this command inside one.")
    return guild_id


class RatingService:
    """Rating rules: valid scores, one vote per member/show/category/server, tallies."""

    def __init__(self, db: Database, settings: Settings, search: NameSearch | None = None) -> None:
        self._db = db
        self._settings = settings
        self._search = search or NameSearch(db.catalogue)
        self.writer = RatingWriter(db, db.ratings)
        self.cooldown = Cooldown(settings.rate_cooldown, what="ratings")

    async def start(self) -> None:
        """Start the group-commit writer; called once the event loop runs."""
        self.writer.start()

    async def close(self) -> None:
        """Commit pending writes and stop the writer."""
        await self.writer.close()

    async def rate(
        self, guild_id: int | None, member_id: int, anime: str, scores: Mapping[str, object]
    ) -> MemberScores:
        """Set a member's scores for a show (each 1–5 in half points) and return all their scores for it."""
        guild = _guild(guild_id)
        stored = parse_scores(scores)  # before anything else: a bad score changes nothing
        match = await self._search.resolve_listed_show(anime, importable=self._settings.anilist_enabled)
        key = (guild, member_id)
        self.cooldown.hit(key)
        try:
            # Read just before the write: the cooldown keeps a member's own /rate calls apart, and nobody else
            # writes this member's scores, so these are the scores the write replaces.
            previous = await self._db.ratings.member_scores(guild, member_id, match.entity_id)
            await self.writer.submit(ScoreWrite(guild, member_id, match.entity_id, tuple(stored.items())))
        except sqlite3.IntegrityError:
            self.cooldown.reset(key)
            raise NotFound("That show is no longer in the catalogue.") from None
        except BaseException:
            self.cooldown.reset(key)
            raise
        current = await self._db.ratings.member_scores(guild, member_id, match.entity_id)
        return MemberScores(match.entity_id, match.display, current, tuple(stored), previous)

    async def show(self, guild_id: int | None, anime: str) -> ShowRatings:
        """A show's tally in the server."""
        guild = _guild(guild_id)
        match = await self._search.resolve("anime", anime)
        tally = await self._db.ratings.show_tally(guild, match.entity_id)
        return ShowRatings(match.entity_id, match.display, tally)

    async def top(self, guild_id: int | None, category: str | None = None) -> Leaderboard:
        """The server's leaderboard by Bayesian average, for one category or overall."""
        guild = _guild(guild_id)
        return await self._db.ratings.leaderboard(
            guild, parse_category(category), min_votes=self._settings.leaderboard_min_votes, limit=LEADERBOARD_SIZE
        )

    async def mine(self, guild_id: int | None, member_id: int) -> list[MemberScores]:
        """A member's scores in the server, one entry per show, by title."""
        guild = _guild(guild_id)
        grouped: dict[int, tuple[str, dict[str, float]]] = {}
        for r in await self._db.ratings.member_ratings(guild, member_id):
            grouped.setdefault(r.anime_id, (r.title, {}))[1][r.category] = r.score
        return [MemberScores(anime_id, title, scores) for anime_id, (title, scores) in grouped.items()]

    async def forget(self, guild_id: int | None, member_id: int, anime: str) -> Forgotten:
        """Remove every score of a member for a show in the server."""
        guild = _guild(guild_id)
        match = await self._search.resolve("anime", anime)
        removed = await self.writer.submit(ForgetWrite(guild, member_id, match.entity_id))
        return Forgotten(match.entity_id, match.display, removed)
