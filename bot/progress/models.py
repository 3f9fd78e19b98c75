"""Progress as plain data: a member's place in a show."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import Md, inline, md

ALL = 1_000_000
"""How many episodes a member who finished a show of unknown length has watched (every one)."""


@dataclass(frozen=True)
class Progress:
    """How far a member has watched a show in a server: the episode reached, or finished."""

    anime_id: int
    title: str
    episodes: int | None
    episode: int
    finished: bool
    updated_at: float

    @property
    def watched(self) -> int:
        """Episodes watched, for spoiler checks: a finished show counts as every episode."""
        if self.finished:
            return self.episodes if self.episodes is not None else ALL
        return self.episode

    def describe(self) -> Md:
        """"finished", "episode 5 of 13" or "episode 5"."""
        if self.finished:
            return Md("finished") + (md(" ({n} episodes)", n=self.episodes) if self.episodes else Md(""))
        if self.episode == 0:
            return Md("not started")
        return md("episode {n}", n=self.episode) + (md(" of {total}", total=self.episodes) if self.episodes
                                                     else Md(""))

    def line(self) -> Md:
        """One line for a list: "**Title** — episode 5 of 13"."""
        return md("**{title}** — {where}", title=inline(self.title, 150), where=self.describe())
