"""Each member's share of the AniList budget (issue 12, item 9): a token bucket inside the shared limiter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.anilist import AniListClient, make_http_client
from bot.anilist.client import DEFAULT_MEMBER_PER_MINUTE, share_used_message
from bot.anilist.limiter import LimiterBusy, MemberShare
from bot.errors import UpstreamUnavailable
from tests.fakes.anilist_server import BIG_SHOW_ID, FakeAniList


class Clock:
    """A clock that moves only when told (or slept on)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def test_a_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    clock = Clock()
    share = MemberShare(6, clock=clock)
    for _ in range(6):
        share.check("alice")
        share.charge("alice")
    with pytest.raises(LimiterBusy) as busy:
        share.check("alice")
    assert busy.value.wait == pytest.approx(10.0)  # one token back every 10 s at 6 a minute
    share.check("bob")  # another member's share is untouched
    clock.now += 10
    share.check("alice")
    clock.now += 3600
    assert share.tokens("alice") == 6  # never more than a full bucket


def test_a_look_up_may_run_into_debt_which_delays_the_next() -> None:
    clock = Clock()
    share = MemberShare(6, clock=clock)
    share.check("alice")
    share.charge("alice", 20)  # one big show: twenty pages
    assert share.tokens("alice") == -14
    assert share.wait("alice") == pytest.approx(150.0)


def test_members_whose_bucket_is_full_again_are_forgotten() -> None:
    clock = Clock()
    share = MemberShare(6, clock=clock, max_members=10)
    for member in range(10):
        share.charge(member)
    clock.now += 60
    share.charge("last")
    assert len(share._buckets) == 1  # the others' buckets were full again: nothing to remember


@pytest.fixture
async def fake() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client(2.0) as client:
        yield client


async def test_requests_are_charged_to_the_member_and_a_spent_share_sends_nothing(
    http: httpx.AsyncClient, fake: FakeAniList
) -> None:
    clock = Clock()
    client = AniListClient(http, url=fake.url, clock=clock, sleep=clock.sleep, member_per_minute=3)
    for n in range(3):
        with client.on_behalf_of("alice"):
            await client.search_anime(f"nothing {n}")
    assert fake.count() == 3
    with pytest.raises(UpstreamUnavailable) as refused, client.on_behalf_of("alice"):
        await client.search_anime("one more")
    assert str(refused.value) == share_used_message(20) and refused.value.retry_after == 20
    assert fake.count() == 3  # nothing was sent
    with client.on_behalf_of("bob"):
        await client.search_anime("bob's turn")
    await client.search_anime("nobody's")  # outside any member's look-up (start-up, the command line)
    assert fake.count() == 5


async def test_a_started_look_up_is_never_cut_off(http: httpx.AsyncClient, fake: FakeAniList) -> None:
    clock = Clock()
    client = AniListClient(http, url=fake.url, clock=clock, sleep=clock.sleep, member_per_minute=1,
                           max_pages=2)
    with client.on_behalf_of("alice"):
        await client.search_anime("hoshizora")
        bundle = await client.fetch_anime(BIG_SHOW_ID)  # two pages: more than alice's share, in one look-up
    assert bundle.anime and fake.count() >= 3
    assert client.share.tokens("alice") <= -1
    with pytest.raises(UpstreamUnavailable, match="your share"):
        client.check_share("alice")


def test_the_default_share_leaves_room_for_others() -> None:
    assert 1 <= DEFAULT_MEMBER_PER_MINUTE <= 25 // 4
