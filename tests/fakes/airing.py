"""The fake AniList's airing schedule: which episode of which show airs when, on a clock the test moves.

Plugged into the fake's resolvers by one line (``Page.airingSchedules``); a test gets a fake's schedule with
:func:`schedule_of` and adds episodes to it.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field
from typing import Any

_SCHEDULES: weakref.WeakKeyDictionary[Any, FakeSchedule] = weakref.WeakKeyDictionary()


@dataclass
class FakeSchedule:
    """Episodes by airing time, and the fake's "now" (for ``timeUntilAiring``)."""

    now: int = 1_700_000_000
    entries: list[dict[str, int]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, anilist_id: int, episode: int, airing_at: int) -> None:
        """Schedule an episode of a show."""
        self.entries.append({"id": next(self._ids), "mediaId": anilist_id, "episode": episode,
                             "airingAt": airing_at})

    def weekly(self, anilist_id: int, first_airing: int, episodes: range) -> None:
        """A show airing one episode a week from ``first_airing``."""
        for index, episode in enumerate(episodes):
            self.add(anilist_id, episode, first_airing + index * 7 * 24 * 3600)


def schedule_of(data: Any) -> FakeSchedule:
    """The airing schedule of a fake's dataset (``fake.data``), made on first use."""
    schedule = _SCHEDULES.get(data)
    if schedule is None:
        schedule = _SCHEDULES[data] = FakeSchedule()
    return schedule


def page_airing_schedules(page: dict[str, Any], info: Any, **args: Any) -> list[dict[str, Any]]:
    """``Page.airingSchedules`` with the filters kansou uses (show ids, airing window), sorted by time."""
    schedule = schedule_of(info.context)
    ids = args.get("mediaId_in")
    after, before = args.get("airingAt_greater"), args.get("airingAt_lesser")
    found = [e for e in schedule.entries
             if (ids is None or e["mediaId"] in ids)
             and (after is None or e["airingAt"] > after) and (before is None or e["airingAt"] < before)]
    found.sort(key=lambda e: (e["airingAt"], e["mediaId"]))
    start = (page["_page"] - 1) * page["_per_page"]
    page["pageInfo"].update(total=len(found), hasNextPage=start + page["_per_page"] < len(found))
    return [{**e, "timeUntilAiring": e["airingAt"] - schedule.now} for e in found[start: start + page["_per_page"]]]
