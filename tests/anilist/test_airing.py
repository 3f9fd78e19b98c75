"""The airing schedule query through the real client and the fake AniList: one query per page for many shows."""

from __future__ import annotations

import httpx

from bot.anilist.airing import Airing, airing_of
from bot.anilist.client import AniListClient
from tests.fakes.airing import schedule_of
from tests.fakes.anilist_server import FakeAniList

WEEK = 7 * 24 * 3600
START = 1_700_000_000


async def test_many_shows_in_one_query_per_page() -> None:
    async with FakeAniList() as fake, httpx.AsyncClient() as http:
        schedule = schedule_of(fake.data)
        for show in range(1, 31):
            schedule.weekly(show, START + show, range(1, 4))  # 90 episodes, 30 shows
        schedule.weekly(999, START, range(1, 4))  # not asked for
        client = AniListClient(http, url=fake.url)
        found = await client.airing(list(range(1, 31)), START - 1, START + 3 * WEEK)
        assert len(found) == 90 and found == sorted(found)
        assert found[0] == Airing(START + 1, 1, 1)
        assert all(a.anilist_id != 999 for a in found)
        requests = [r for r in fake.requests if r.kind == "AiringSchedule"]
        assert len(requests) == 2  # 50 a page
        assert requests[0].variables["ids"] == list(range(1, 31))
        window = await client.airing([1, 2], START + WEEK, START + 2 * WEEK + 2)
        assert [(a.anilist_id, a.episode) for a in window] == [(1, 2), (2, 2), (1, 3)]  # strictly inside, by time
        assert await client.airing([], 0, START) == []


def test_entries_of_a_strange_shape_are_left_out() -> None:
    assert airing_of({"airingAt": 5, "mediaId": 1, "episode": 2}) == Airing(5, 1, 2)
    bad: object
    for bad in (None, [], {"airingAt": "5", "mediaId": 1, "episode": 2}, {"airingAt": 5, "mediaId": 1},
                {"airingAt": 5, "mediaId": True, "episode": 2}, {"airingAt": 5, "mediaId": 1, "episode": 0}):
        assert airing_of(bad) is None
