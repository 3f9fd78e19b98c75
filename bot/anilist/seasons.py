"""``/catalogue season``: one season's shows fetched from AniList into the title index, a few pages per run.

Titles and ids only (credits come on first use, as for any show). Each run sends at most ``PAGES_PER_RUN``
requests, so a season import never takes the whole bot's AniList budget from its members; each page is stored
with the import's progress in one transaction, so a run that stops (the page limit, AniList down or rate
limiting, the bot restarting) resumes at the next page. A season already imported is fetched afresh.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from bot.anilist.client import AniListClient
from bot.anilist.enrich import hit_entries
from bot.catalogue.title_store import SeasonProgress, TitleStore
from bot.errors import UpstreamUnavailable

SEASONS = ("WINTER", "SPRING", "SUMMER", "FALL")
PAGES_PER_RUN = 4  # of 50 shows each: 4 requests of the 25 a minute, the rest stays for members' look-ups
PER_PAGE = 50
MAX_WAIT = 5.0  # for a slot of the shared limiter, per page: past it, the run stops and says when to resume
MAX_PAGES = 40  # 2,000 shows: no season has that many; a bound whatever AniList says about more pages


def current_season(today: date) -> tuple[int, str]:
    """The season ``today`` is in, as AniList counts them (winter: December to February, and so on)."""
    if today.month == 12:
        return today.year + 1, "WINTER"
    return today.year, SEASONS[today.month // 3 if today.month > 2 else 0]


@dataclass(frozen=True)
class SeasonRun:
    """What one run did: the progress after it, pages fetched now, and why it stopped early (None: done)."""

    progress: SeasonProgress
    pages: int
    stopped: str | None


Progress = Callable[[SeasonProgress], Awaitable[None]]


class SeasonImporter:
    """Fetches one season's titles page by page, within a share of the AniList budget, resumably."""

    def __init__(self, client: AniListClient, titles: TitleStore, *, pages_per_run: int = PAGES_PER_RUN,
                 max_wait: float = MAX_WAIT, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._titles = titles
        self._pages_per_run = pages_per_run
        self._max_wait = max_wait
        self._clock = clock

    async def run(self, year: int, season: str, progress: Progress | None = None) -> SeasonRun:
        """Fetch the next pages of the season (from the first when it was done before); report after each."""
        if season not in SEASONS:
            raise ValueError(f"unknown season {season!r}")
        known = await self._titles.season_progress(year, season)
        state = known if known is not None and not known.done else SeasonProgress(year, season, 1, 0, False)
        pages = 0
        while pages < self._pages_per_run:
            try:
                hits, more = await self._client.season_page(season, year, state.next_page, per_page=PER_PAGE,
                                                            max_wait=self._max_wait)
            except UpstreamUnavailable as exc:
                return SeasonRun(state, pages, str(exc))
            pages += 1
            done = not more or not hits or state.next_page >= MAX_PAGES
            state = SeasonProgress(year, season, state.next_page + 1, state.titles + len(hits), done)
            entries = [dataclasses.replace(entry, season=season) for entry in hit_entries(hits)]
            await self._titles.add_season_page(entries, state, self._clock())
            if progress is not None:
                await progress(state)
            if done:
                return SeasonRun(state, pages, None)
        return SeasonRun(state, pages, "page limit")
