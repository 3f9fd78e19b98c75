"""AniList enrichment: a miss is fetched once and then served locally; outages serve stale data with its age."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.anilist import AniListClient, make_http_client
from bot.anilist.enrich import AniListEnricher
from bot.catalogue.credits import CreditsService
from bot.catalogue.service import Caller, CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.core.database import Database
from bot.errors import NotFound, OnCooldown, UpstreamUnavailable
from tests.fakes.anilist_server import (
    BIG_SHOW_TITLE,
    MULTI_PERSON_NAME,
    ONLY_FAKE_CHARACTER_NAME,
    SECOND_SHOW_TITLE,
    FakeAniList,
)


class Clock:
    """Wall-clock time that a test can move forward."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def service(catalogue_db: Database, fake: FakeAniList, clock: Clock) -> AsyncIterator[CreditsService]:
    async with make_http_client(1.5) as http:  # one deadline per request: room for a busy machine, < the 2 s hang
        client = AniListClient(http, url=fake.url, per_minute=1000)
        enricher = AniListEnricher(client, CatalogueStore(catalogue_db), max_age_days=7, member_cooldown=0,
                                   clock=clock)
        yield CreditsService(CatalogueService(CatalogueStore(catalogue_db), enricher))


async def test_a_character_only_anilist_knows_is_fetched_once_then_local(
    service: CreditsService, fake: FakeAniList
) -> None:
    deferred: list[bool] = []

    async def defer() -> None:
        deferred.append(True)

    first = await service.voiced(ONLY_FAKE_CHARACTER_NAME, caller=Caller("alice", defer))
    assert first.character.name == ONLY_FAKE_CHARACTER_NAME
    assert first.credits, "the fetched show's voice actors are stored"
    assert deferred, "the interaction is deferred before AniList is asked"
    sent = fake.count()
    assert sent >= 2  # a search, then the show's pages

    deferred.clear()
    again = await service.voiced(ONLY_FAKE_CHARACTER_NAME, caller=Caller("bob", defer))
    assert again.character.id == first.character.id
    assert fake.count() == sent, "the second look-up is answered locally"
    assert not deferred, "a local answer needs no deferral"


async def test_a_local_hit_never_asks_anilist(service: CreditsService, fake: FakeAniList) -> None:
    await service.voiced("Naomi Orthmann")
    await service.person("Yū Shimamura")
    await service.anime_credits("Metallic Rouge")
    assert fake.count() == 0


async def test_fifty_concurrent_misses_of_one_show_make_one_request_each(
    service: CreditsService, fake: FakeAniList
) -> None:
    results = await asyncio.gather(
        *(service.anime_credits(BIG_SHOW_TITLE, Caller(f"member-{i}")) for i in range(50))
    )
    assert {r.anime.id for r in results} == {results[0].anime.id}
    assert fake.count("SearchAnime") == 1
    pages = fake.count("FetchAnime")
    assert 1 <= pages <= 2  # 30 characters and 30 staff: two pages of 25, fetched once
    assert len(results[0].cast) == 30


async def test_a_person_miss_is_fetched_with_their_roles(service: CreditsService, fake: FakeAniList) -> None:
    person = await service.person(MULTI_PERSON_NAME, Caller("carol"))
    assert person.person.name == MULTI_PERSON_NAME
    assert len(person.voice) >= 2
    assert fake.count("SearchStaff") == 1


async def test_nothing_on_anilist_either(service: CreditsService, fake: FakeAniList) -> None:
    with pytest.raises(NotFound, match="AniList doesn't know it either"):
        await service.person("Nobody Anywhere Qwxz")


@pytest.mark.parametrize("mode", ["500", "hang", "invalid_json", "graphql_error", "429", "disconnect"])
async def test_a_fresh_miss_while_anilist_fails_is_a_clear_message(
    service: CreditsService, fake: FakeAniList, mode: str
) -> None:
    fake.fail_with(mode, hang=2.0)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable) as info:
        await service.voiced(ONLY_FAKE_CHARACTER_NAME, caller=Caller("dave"))
    assert time.monotonic() - started < 3.0
    text = str(info.value)
    assert text.startswith(f"I don't have “{ONLY_FAKE_CHARACTER_NAME}” yet, and AniList ")
    assert text.lower().count("try again") == 1 and text.count("AniList") == 1 and "(" not in text, text


async def test_stale_data_is_refreshed_or_served_with_its_age(
    service: CreditsService, fake: FakeAniList, clock: Clock
) -> None:
    fresh = await service.anime_credits(BIG_SHOW_TITLE, Caller("erin"))
    assert fresh.stale_age is None
    sent = fake.count()

    clock.now += 3 * 86400  # younger than the 7-day maximum age: served locally
    assert (await service.anime_credits(BIG_SHOW_TITLE, Caller("erin"))).stale_age is None
    assert fake.count() == sent

    clock.now += 5 * 86400  # eight days old, and AniList is down: stale data with its age
    fake.fail_with("500")
    stale = await service.anime_credits(BIG_SHOW_TITLE, Caller("erin"))
    assert stale.stale_age is not None and stale.stale_age >= 8 * 86400
    assert len(stale.cast) == 30

    fake.fail_with(None)  # AniList is back: the show is refreshed and no longer stale
    refreshed = await service.anime_credits(BIG_SHOW_TITLE, Caller("erin"))
    assert refreshed.stale_age is None
    assert refreshed.anime.fetched_at == pytest.approx(clock.now)


async def test_a_member_cannot_spend_the_budget_for_everyone(
    catalogue_db: Database, fake: FakeAniList
) -> None:
    async with make_http_client(1.5) as http:  # one deadline per request: room for a busy machine, < the 2 s hang
        client = AniListClient(http, url=fake.url, per_minute=1000)
        enricher = AniListEnricher(client, CatalogueStore(catalogue_db), member_cooldown=30)
        service = CreditsService(CatalogueService(CatalogueStore(catalogue_db), enricher))
        await service.person(MULTI_PERSON_NAME, Caller("mallory"))
        sent = fake.count()
        with pytest.raises(OnCooldown, match="try again in"):
            await service.anime_credits("Some Show Nobody Has Zqx", Caller("mallory"))
        assert fake.count() == sent, "a member on cooldown sends nothing"
        # another member is not held back by mallory
        with pytest.raises(NotFound):
            await service.anime_credits("Some Show Nobody Has Zqx", Caller("trent"))
        assert fake.count() == sent + 1


async def test_the_lookup_cooldown_charges_only_answers_from_anilist(
    catalogue_db: Database, fake: FakeAniList
) -> None:
    async with make_http_client(1.5) as http:  # one deadline per request: room for a busy machine, < the 2 s hang
        client = AniListClient(http, url=fake.url, per_minute=1000)
        enricher = AniListEnricher(client, CatalogueStore(catalogue_db), member_cooldown=30)
        service = CreditsService(CatalogueService(CatalogueStore(catalogue_db), enricher))
        # a look-up the catalogue answers costs nothing
        await service.voiced("Naomi Orthmann", caller=Caller("peggy"))
        assert enricher.cooldown.remaining("peggy") == 0
        # AniList failing is not the member's doing: no charge, and the next try goes out at once
        for mode in ("500", "disconnect"):
            fake.fail_with(mode)
            with pytest.raises(UpstreamUnavailable):
                await service.voiced(ONLY_FAKE_CHARACTER_NAME, caller=Caller("peggy"))
            assert enricher.cooldown.remaining("peggy") == 0, mode
        fake.fail_with(None)
        # a look-up AniList answered is charged
        await service.voiced(ONLY_FAKE_CHARACTER_NAME, caller=Caller("peggy"))
        assert enricher.cooldown.remaining("peggy") > 0
        with pytest.raises(OnCooldown):
            await service.anime_credits("Some Show Nobody Has Zqx", Caller("peggy"))
        # ... even when its answer is "nothing by that name": it spent AniList's budget all the same
        with pytest.raises(NotFound):
            await service.person("Nobody Anywhere Qwxz", Caller("victor"))
        assert enricher.cooldown.remaining("victor") > 0
        # AniList rate limiting us is not the member's doing either (last: its back-off holds every request)
        fake.fail_with("429", retry_after=60)
        with pytest.raises(UpstreamUnavailable, match="rate limiting"):
            await service.anime_credits(SECOND_SHOW_TITLE, Caller("wendy"))
        assert enricher.cooldown.remaining("wendy") == 0


async def test_one_charged_lookup_at_a_time_per_member(catalogue_db: Database, fake: FakeAniList) -> None:
    async with make_http_client(5.0) as http:
        client = AniListClient(http, url=fake.url, per_minute=1000)
        enricher = AniListEnricher(client, CatalogueStore(catalogue_db), member_cooldown=30)
        service = CreditsService(CatalogueService(CatalogueStore(catalogue_db), enricher))
        fake.fail_with("hang", hang=0.5, times=1)
        results = await asyncio.gather(
            service.person(MULTI_PERSON_NAME, Caller("walter")),
            service.anime_credits(BIG_SHOW_TITLE, Caller("walter")),
            return_exceptions=True,
        )
        assert [type(r).__name__ for r in results] == ["PersonCredits", "OnCooldown"]
