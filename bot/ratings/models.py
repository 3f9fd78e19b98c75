"""Ratings as plain data: a server's categories, a score (parsed once), tallies, leaderboards and a member's scores.

A score is 1–5 points in half points, kept as half points ×2 (1 → 2, 1.5 → 3, …, 5 → 10) so every score is an
exact integer. A server's categories are data: every server starts with the defaults (guild 0's rows — the
seed's five), and its first change gives it a set of its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from bot.core.text import Md, md
from bot.errors import InvalidInput

MIN_HALVES: Final = 2  # 1 point
MAX_HALVES: Final = 10  # 5 points
SCALE = "from 1 to 5 in half points (1, 1.5, 2, … 5)"
THE_SCORE: Final = Md("The score")
DEFAULTS: Final = 0
"""The guild id whose categories every server uses until it changes its own."""


@dataclass(frozen=True, order=True)
class Score:
    """1–5 points in half points; ``halves`` is the stored form (2–10)."""

    halves: int

    def __post_init__(self) -> None:
        if type(self.halves) is not int or not MIN_HALVES <= self.halves <= MAX_HALVES:
            raise ValueError(f"a score is {MIN_HALVES}..{MAX_HALVES} halves, not {self.halves!r}")

    @classmethod
    def parse(cls, value: object, what: Md = THE_SCORE) -> Score:
        """The score an option holds (1, 1.5, … 5); ``InvalidInput`` naming ``what`` for anything else."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(md("{what} must be a number {scale}.", what=what, scale=Md(SCALE)))
        number = float(value)
        if not math.isfinite(number):
            raise InvalidInput(md("{what} must be a number {scale}.", what=what, scale=Md(SCALE)))
        doubled = number * 2
        stored = round(doubled) if MIN_HALVES - 1 <= doubled <= MAX_HALVES + 1 else 0  # 1e308 × 2 is inf
        if abs(doubled - stored) > 1e-9 or not MIN_HALVES <= stored <= MAX_HALVES:
            raise InvalidInput(md("{what} must be {scale}, not {number}.", what=what, scale=Md(SCALE),
                                  number=Md(f"{number:g}")))
        return cls(stored)

    @property
    def points(self) -> float:
        """On the 1–5 scale: 3.5."""
        return self.halves / 2


SCORES: Final[tuple[Score, ...]] = tuple(Score(h) for h in range(MIN_HALVES, MAX_HALVES + 1))
"""Every score there is, lowest first (the order of :attr:`Tally.distribution`)."""


@dataclass(frozen=True)
class Category:
    """One rating category of a server: a stable ``key`` (what votes reference), the ``label`` members read."""

    key: str
    label: str
    position: int
    retired: bool = False


@dataclass(frozen=True)
class CategorySet:
    """A server's categories: the active ones in their order, then the retired ones."""

    guild_id: int
    categories: tuple[Category, ...]
    own: bool = False  # False: the defaults, shared by every server that has not changed them

    @property
    def active(self) -> tuple[Category, ...]:
        """The categories that take votes, in order."""
        return tuple(c for c in self.categories if not c.retired)

    @property
    def retired(self) -> tuple[Category, ...]:
        """Retired categories: their votes are kept and shown, they take no new ones."""
        return tuple(c for c in self.categories if c.retired)

    def get(self, key: str) -> Category | None:
        """The category with this key."""
        return next((c for c in self.categories if c.key == key), None)

    def find(self, text: str) -> Category | None:
        """The category a member means by ``text``: its label (any case, any spacing), else its key."""
        wanted = " ".join(text.replace("_", " ").split()).casefold()
        if not wanted:
            return None
        by_label = (c for c in self.categories if " ".join(c.label.replace("_", " ").split()).casefold() == wanted)
        by_key = (c for c in self.categories if c.key.replace("_", " ").casefold() == wanted)
        return next(by_label, None) or next(by_key, None)

    def label(self, key: str) -> str:
        """What members read for a category key (the key itself if the category is gone)."""
        found = self.get(key)
        return found.label if found is not None else key

    def rank(self, key: str) -> int:
        """Where a category sorts (active ones in order, then retired ones, then anything unknown)."""
        for index, category in enumerate(self.categories):
            if category.key == key:
                return index
        return len(self.categories)


@dataclass(frozen=True)
class Tally:
    """One category of one show in one server: votes, average (1–5) and votes per score (1, 1.5, …, 5)."""

    category: str
    votes: int
    average: float
    distribution: tuple[int, ...]


@dataclass(frozen=True)
class ShowTally:
    """A show's ratings in one server: per-category tallies and distinct voters."""

    anime_id: int
    tallies: tuple[Tally, ...]
    voters: int
    version: int = 0  # moves on with every write to the show's ratings (``rating_version``), from any process

    @property
    def overall(self) -> float | None:
        """The mean of the category averages (None when nothing is rated)."""
        if not self.tallies:
            return None
        return sum(t.average for t in self.tallies) / len(self.tallies)

    def get(self, category: str) -> Tally | None:
        """The tally of one category, if it has votes."""
        return next((t for t in self.tallies if t.category == category), None)


@dataclass(frozen=True)
class LeaderboardRow:
    """One show on a leaderboard: its plain average R, votes v and Bayesian average."""

    anime_id: int
    title: str
    average: float
    votes: int
    bayesian: float


@dataclass(frozen=True)
class Leaderboard:
    """A server's ranking by ``(v·R + m·C) / (v + m)``; ``mean`` is C, ``shows`` how many shows are ranked."""

    category: str | None
    min_votes: int
    mean: float | None
    shows: int
    rows: tuple[LeaderboardRow, ...]
    label: str = "Overall"


@dataclass(frozen=True)
class MemberRating:
    """One of a member's scores (1–5)."""

    anime_id: int
    title: str
    category: str
    score: float


@dataclass(frozen=True)
class MemberScores:
    """A member's current scores (1–5, by category key) for one show.

    After a rating, ``given`` lists the categories just set and ``previous`` the scores they had before (a
    category missing there was rated for the first time), so a reply can mark what is new and what changed.
    """

    anime_id: int
    title: str
    scores: Mapping[str, float]
    given: tuple[str, ...] = ()
    previous: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ShowRatings:
    """A show's ratings in one server, with the server's categories."""

    anime_id: int
    title: str
    tally: ShowTally = field(repr=False)
    categories: CategorySet = field(repr=False)

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


# -- writes (what the group-commit writer applies) -------------------------------------------------------------


@dataclass(frozen=True)
class ScoreWrite:
    """Set a member's scores for a show in a server (by category key); other categories are kept."""

    guild_id: int
    member_id: int
    anime_id: int
    scores: tuple[tuple[str, Score], ...]


@dataclass(frozen=True)
class ClearWrite:
    """Remove a member's score in one category of a show."""

    guild_id: int
    member_id: int
    anime_id: int
    category: str


@dataclass(frozen=True)
class ForgetWrite:
    """Remove every score of a member for a show in a server."""

    guild_id: int
    member_id: int
    anime_id: int


Write = ScoreWrite | ClearWrite | ForgetWrite
