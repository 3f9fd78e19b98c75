"""``AniListClient`` against the fake AniList over loopback: mapping, paging, politeness, and every failure."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.anilist import ALL_QUERIES, AniListClient, make_http_client
from bot.anilist.client import CANNOT_ANSWER, NOT_ANSWERING
from bot.catalogue.models import LANGUAGES, CatalogueBundle
from bot.errors import NotFound, UpstreamUnavailable
from tests.fakes.anilist_server import (
    ADULT_SHOW_ID,
    BIG_SHOW_CHARACTERS,
    BIG_SHOW_ID,
    BIG_SHOW_STAFF_CREDITS,
    BIG_SHOW_TITLE,
    DIRECTOR_ID,
    KOREAN_PERSON_ID,
    MANGA_ID,
    MOVIE_ID,
    MULTI_PERSON_ID,
    MULTI_PERSON_NAME,
    ONLY_FAKE_CHARACTER_ID,
    ONLY_FAKE_CHARACTER_NAME,
    SECOND_SHOW_ID,
    CastRow,
    FakeAniList,
    RecordedRequest,
)

EPOCH = 1_750_000_000.0


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client(2.0) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _client(http: httpx.AsyncClient, fake: FakeAniList, clock: FakeClock, **kwargs: Any) -> AniListClient:
    return AniListClient(http, url=fake.url, clock=clock, sleep=clock.sleep, wall_clock=lambda: EPOCH, **kwargs)


@pytest.fixture
def client(http: httpx.AsyncClient, fake: FakeAniList, clock: FakeClock) -> AniListClient:
    return _client(http, fake, clock)


# --- searches ------------------------------------------------------------------------------------------------


async def test_search_anime_maps_hits_and_leaves_out_manga_and_adult_titles(
    client: AniListClient, fake: FakeAniList
) -> None:
    hits = await client.search_anime("  hoshizora   relay ", limit=3)
    assert [h.anilist_id for h in hits] == [BIG_SHOW_ID, MOVIE_ID]
    show = hits[0]
    assert (show.title_romaji, show.title_english, show.title_native) == (BIG_SHOW_TITLE, "Starry Sky Relay",
                                                                         "星空リレー！")
    assert (show.year, show.episodes, show.format, show.display_title) == (2023, 24, "TV", "Starry Sky Relay")
    assert hits[1].format == "MOVIE" and hits[1].display_title == hits[1].title_romaji
    assert MANGA_ID not in [h.anilist_id for h in hits] and ADULT_SHOW_ID not in [h.anilist_id for h in hits]
    assert fake.requests[-1].variables == {"search": "hoshizora relay", "perPage": 3}


async def test_empty_search_sends_nothing(client: AniListClient, fake: FakeAniList) -> None:
    assert await client.search_anime("   ") == []
    assert await client.search_character("") == []
    assert fake.count() == 0


async def test_search_character_finds_the_character_only_the_fake_knows(client: AniListClient) -> None:
    [hit] = await client.search_character("tsukimi")
    assert (hit.anilist_id, hit.name, hit.native) == (ONLY_FAKE_CHARACTER_ID, ONLY_FAKE_CHARACTER_NAME, "月見感想")
    assert hit.aliases == ("Kansou-chan",)  # the spoiler name is never fetched
    assert [m.anilist_id for m in hit.media] == [BIG_SHOW_ID, MOVIE_ID]  # anime only, most popular first
    assert hit.media[0].display_title == "Starry Sky Relay"


async def test_search_staff_maps_language_and_occupations(client: AniListClient) -> None:
    [singer] = await client.search_staff("Amagiri")
    assert (singer.anilist_id, singer.name, singer.language) == (MULTI_PERSON_ID, MULTI_PERSON_NAME, "japanese")
    assert singer.occupations == ("Voice Actor", "Singer")
    [korean] = await client.search_staff("Min-ji")
    assert (korean.anilist_id, korean.language) == (KOREAN_PERSON_ID, "korean")


# --- fetch_anime ---------------------------------------------------------------------------------------------


async def test_fetch_anime_follows_both_lists_to_the_end(client: AniListClient, fake: FakeAniList) -> None:
    bundle = await client.fetch_anime(BIG_SHOW_ID)
    bundle.validate()
    assert fake.count("FetchAnime") == 2  # 30 characters and 30 staff credits: two pages of each, together
    assert [(r.variables["characterPage"], r.variables["staffPage"]) for r in fake.requests] == [(1, 1), (2, 2)]
    [show] = bundle.anime
    assert show.key == f"anilist:anime:{BIG_SHOW_ID}" and show.anilist_id == BIG_SHOW_ID
    assert (show.title_romaji, show.title_english, show.aliases) == (BIG_SHOW_TITLE, "Starry Sky Relay", ("HoshiRe",))
    assert (show.studio, show.episodes, show.year, show.format) == ("Studio Kansou", 24, 2023, "TV")
    assert len(bundle.characters) == BIG_SHOW_CHARACTERS
    assert len({c.character for c in show.cast}) == BIG_SHOW_CHARACTERS
    assert len(show.staff) == BIG_SHOW_STAFF_CREDITS
    assert bundle.source == f"https://anilist.co/anime/{BIG_SHOW_ID}"
    assert bundle.notes == ()
    assert all(c.key == f"anilist:character:{c.anilist_id}" for c in bundle.characters)
    assert all(p.key == f"anilist:staff:{p.anilist_id}" for p in bundle.people)


async def test_fetch_anime_maps_japanese_and_english_voices(client: AniListClient) -> None:
    bundle = await client.fetch_anime(BIG_SHOW_ID)
    [show] = bundle.anime
    by_language: dict[str, int] = {}
    for credit in show.cast:
        by_language[credit.language] = by_language.get(credit.language, 0) + 1
    assert by_language == {"japanese": BIG_SHOW_CHARACTERS, "english": BIG_SHOW_CHARACTERS}
    tsukimi = f"anilist:character:{ONLY_FAKE_CHARACTER_ID}"
    voices = {(c.person, c.language) for c in show.cast if c.character == tsukimi}
    assert voices == {(f"anilist:staff:{MULTI_PERSON_ID}", "japanese"), ("anilist:staff:940001", "english")}
    dubbed = [c for c in show.cast if c.character == "anilist:character:920002" and c.language == "english"]
    assert dubbed[0].note == "Crunchyroll dub"
    character = next(c for c in bundle.characters if c.key == tsukimi)
    assert (character.name, character.native, character.aliases) == (ONLY_FAKE_CHARACTER_NAME, "月見感想",
                                                                      ("Kansou-chan",))
    person = next(p for p in bundle.people if p.anilist_id == MULTI_PERSON_ID)
    assert (person.name, person.native, person.aliases) == (MULTI_PERSON_NAME, "天霧咲夜", ("Saku",))


async def test_fetch_anime_keeps_every_role_of_a_person(client: AniListClient) -> None:
    [show] = (await client.fetch_anime(BIG_SHOW_ID)).anime
    director = f"anilist:staff:{DIRECTOR_ID}"
    assert [s.role for s in show.staff if s.person == director] == ["Director", "Storyboard (eps 1, 12)"]


async def test_fetch_anime_stops_asking_for_a_list_once_it_is_done(client: AniListClient, fake: FakeAniList) -> None:
    fake.add_staff(1, "Only Staffer", language=None, occupations=())
    for k in range(60):
        fake.add_character(800 + k, f"Extra {k}")
    fake.add_anime(7, "Crowded Show", cast=[CastRow(800 + k) for k in range(60)], staff=[(1, "Director")])
    bundle = await client.fetch_anime(7)
    assert len(bundle.characters) == 60 and len(bundle.anime[0].staff) == 1
    assert [(r.variables["withCharacters"], r.variables["withStaff"]) for r in fake.requests] == [
        (True, True), (True, False), (True, False)
    ]


async def test_fetch_anime_caps_pages_and_says_so(http: httpx.AsyncClient, fake: FakeAniList, clock: FakeClock) -> None:
    client = _client(http, fake, clock, max_pages=1)
    bundle = await client.fetch_anime(BIG_SHOW_ID)
    bundle.validate()
    assert fake.count() == 1
    assert len(bundle.characters) == 25
    assert any("characters" in note and "25" in note for note in bundle.notes)
    assert any("staff" in note for note in bundle.notes)


@pytest.mark.parametrize("anilist_id", [123456789, MANGA_ID])
async def test_fetch_anime_not_found(client: AniListClient, fake: FakeAniList, anilist_id: int) -> None:
    with pytest.raises(NotFound, match=f"no anime with id {anilist_id}"):
        await client.fetch_anime(anilist_id)
    assert fake.requests[-1].status == 404


# --- fetch_person --------------------------------------------------------------------------------------------


async def test_fetch_person_maps_voice_and_staff_roles(client: AniListClient, fake: FakeAniList) -> None:
    bundle = await client.fetch_person(MULTI_PERSON_ID)
    bundle.validate()
    me = f"anilist:staff:{MULTI_PERSON_ID}"
    assert [p.key for p in bundle.people] == [me]
    assert bundle.people[0].name == MULTI_PERSON_NAME
    shows = {a.anilist_id: a for a in bundle.anime}
    assert set(shows) == {BIG_SHOW_ID, SECOND_SHOW_ID, MOVIE_ID}  # the manga is not an anime
    assert shows[MOVIE_ID].format == "MOVIE" and shows[MOVIE_ID].year == 2024
    assert shows[BIG_SHOW_ID].studio == "Studio Kansou"
    tsukimi = f"anilist:character:{ONLY_FAKE_CHARACTER_ID}"
    assert [(c.character, c.person, c.language) for c in shows[BIG_SHOW_ID].cast] == [(tsukimi, me, "japanese")]
    assert [(c.character, c.note) for c in shows[SECOND_SHOW_ID].cast] == [("anilist:character:921001", "Child")]
    assert [(s.person, s.role) for s in shows[SECOND_SHOW_ID].staff] == [(me, "Theme Song Performance (OP)")]
    assert shows[BIG_SHOW_ID].staff == ()
    assert {c.key for c in bundle.characters} == {tsukimi, "anilist:character:921001"}
    assert fake.count("FetchPerson") == 1


async def test_fetch_person_takes_the_language_from_the_person(client: AniListClient) -> None:
    bundle = await client.fetch_person(KOREAN_PERSON_ID)
    [show] = bundle.anime
    assert [c.language for c in show.cast] == ["korean"]


async def test_fetch_person_with_a_language_kansou_does_not_list(client: AniListClient, fake: FakeAniList) -> None:
    fake.add_staff(5, "Dubbing Artist", language="Arabic")
    fake.add_anime(6, "Dubbed Show", cast=[CastRow(ONLY_FAKE_CHARACTER_ID, voices=(5,))], staff=[(5, "ADR Director")])
    bundle = await client.fetch_person(5)
    bundle.validate()
    [show] = bundle.anime
    assert show.cast == () and [s.role for s in show.staff] == ["ADR Director"]
    assert any("Arabic" in note for note in bundle.notes)
    assert "arabic" not in LANGUAGES


async def test_fetch_person_follows_pages(client: AniListClient, fake: FakeAniList) -> None:
    fake.add_staff(9, "Busy Actor")
    for k in range(30):
        fake.add_character(700 + k, f"Role {k}")
        fake.add_anime(600 + k, f"Show {k}", year=1990 + k, cast=[CastRow(700 + k, voices=(9,))])
    bundle = await client.fetch_person(9)
    assert len(bundle.anime) == 30 and all(len(a.cast) == 1 for a in bundle.anime)
    assert fake.count("FetchPerson") == 2
    assert fake.requests[1].variables["withStaff"] is False


async def test_fetch_person_not_found(client: AniListClient) -> None:
    with pytest.raises(NotFound, match="no person with id 4242"):
        await client.fetch_person(4242)


# --- single flight -------------------------------------------------------------------------------------------


async def test_fifty_identical_lookups_make_one_request(client: AniListClient, fake: FakeAniList) -> None:
    results = await asyncio.gather(*(client.search_character("Tsukimi") for _ in range(50)))
    assert fake.count() == 1
    assert all(r == results[0] for r in results) and results[0]


async def test_fifty_identical_fetches_make_one_fetch(client: AniListClient, fake: FakeAniList) -> None:
    bundles = await asyncio.gather(*(client.fetch_anime(BIG_SHOW_ID) for _ in range(50)))
    assert fake.count() == 2  # one fetch of two pages
    assert all(b == bundles[0] for b in bundles)


async def test_identical_lookups_share_an_error_too(client: AniListClient, fake: FakeAniList) -> None:
    fake.fail_with("500")
    results = await asyncio.gather(*(client.search_anime("x") for _ in range(20)), return_exceptions=True)
    assert fake.count() == 1
    assert all(isinstance(r, UpstreamUnavailable) for r in results)


async def test_different_lookups_are_not_merged(client: AniListClient, fake: FakeAniList) -> None:
    await asyncio.gather(client.search_anime("hoshizora"), client.search_anime("hoshizora", limit=2),
                         client.search_anime("kansou"))
    assert fake.count() == 3


# --- rate limits ---------------------------------------------------------------------------------------------


async def test_after_a_429_nothing_is_sent_until_retry_after_has_passed(
    client: AniListClient, fake: FakeAniList, clock: FakeClock
) -> None:
    arrivals: list[float] = []

    def note(_: RecordedRequest) -> None:
        arrivals.append(clock.now)

    fake.on_request = note
    assert client.retry_after() == 0
    fake.fail_with("429", retry_after=60, times=1)
    with pytest.raises(UpstreamUnavailable) as caught:
        await client.search_anime("hoshizora", max_wait=0)
    assert str(caught.value) == "AniList is rate limiting us; try again in 60 s."
    assert caught.value.retry_after == 60
    assert client.retry_after() == 60
    assert fake.requests[0].status == 429

    # Callers who cannot wait that long are answered at once, without a request.
    for call in (client.search_staff("Amagiri", max_wait=59), client.fetch_anime(BIG_SHOW_ID, max_wait=30)):
        with pytest.raises(UpstreamUnavailable, match="rate limiting us; try again in 60 s") as refused:
            await call
        assert refused.value.retry_after == 60
    assert fake.count() == 1

    # Callers who can wait, wait: everyone sharing the client, until the back-off is over.
    await asyncio.gather(client.search_anime("hoshizora"), client.search_staff("Amagiri"),
                         client.fetch_person(MULTI_PERSON_ID), client.search_character("Tsukimi", max_wait=60))
    assert fake.count() == 5
    assert arrivals[0] == 1000.0
    assert all(t >= 1060.0 for t in arrivals[1:]), arrivals


async def test_a_429_within_max_wait_is_waited_out_and_retried_once(
    client: AniListClient, fake: FakeAniList, clock: FakeClock
) -> None:
    fake.fail_with("429", retry_after=5, times=1)
    hits = await client.search_anime("hoshizora", max_wait=10)
    assert hits and fake.count() == 2
    assert clock.now >= 1005.0
    fake.fail_with("429", retry_after=5)
    with pytest.raises(UpstreamUnavailable, match="rate limiting us; try again in 5 s"):
        await client.search_anime("kansou", max_wait=10)
    assert fake.count() == 4  # one retry, not more


async def test_429_with_x_ratelimit_reset_only(client: AniListClient, fake: FakeAniList) -> None:
    fake.fail_with("429", reset_at=EPOCH + 30, times=1)
    with pytest.raises(UpstreamUnavailable) as caught:
        await client.search_anime("hoshizora", max_wait=0)
    assert caught.value.retry_after == 30


async def test_429_without_any_hint_backs_off_a_minute(client: AniListClient, fake: FakeAniList) -> None:
    fake.fail_with("429", retry_after=None, times=1)
    with pytest.raises(UpstreamUnavailable) as caught:
        await client.search_anime("hoshizora", max_wait=0)
    assert caught.value.retry_after == 60


async def test_real_short_retry_after_is_honoured(fake: FakeAniList, http: httpx.AsyncClient) -> None:
    client = AniListClient(http, url=fake.url)  # the real clock and sleep
    fake.fail_with("429", retry_after=1, times=1)
    assert await client.search_anime("hoshizora", max_wait=5)
    first, second = fake.request_times()
    assert second - first >= 0.99


async def test_own_limit_refuses_callers_who_cannot_wait(
    http: httpx.AsyncClient, fake: FakeAniList, clock: FakeClock
) -> None:
    client = _client(http, fake, clock, per_minute=3)
    for title in ("a", "b", "c"):
        await client.search_anime(title)
    with pytest.raises(UpstreamUnavailable) as caught:
        await client.search_anime("d", max_wait=10)
    assert str(caught.value) == "AniList is busy; try again in 60 s."
    assert caught.value.retry_after == 60
    assert fake.count() == 3
    await client.search_anime("d")
    assert clock.now == 1060.0 and fake.count() == 4


async def test_client_default_max_wait(http: httpx.AsyncClient, fake: FakeAniList, clock: FakeClock) -> None:
    client = _client(http, fake, clock, per_minute=1, max_wait=2.0)
    await client.search_anime("a")
    with pytest.raises(UpstreamUnavailable, match="busy"):
        await client.search_anime("b")
    await client.search_anime("b", max_wait=60)  # a call may allow more than the default
    assert fake.count() == 2


async def test_the_fakes_own_limit_is_answered_politely(http: httpx.AsyncClient, clock: FakeClock) -> None:
    async with FakeAniList(limit_per_minute=2) as strict:
        client = _client(http, strict, clock)
        await client.search_anime("a")
        await client.search_anime("b")
        with pytest.raises(UpstreamUnavailable, match="rate limiting") as caught:
            await client.search_anime("c", max_wait=0)
    assert caught.value.retry_after is not None and 1 <= caught.value.retry_after <= 60


# --- failures ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "message"),
    [("500", NOT_ANSWERING), ("invalid_json", NOT_ANSWERING), ("graphql_error", CANNOT_ANSWER),
     ("disconnect", NOT_ANSWERING)],
)
async def test_failures_become_friendly_upstream_errors(
    client: AniListClient, fake: FakeAniList, mode: Any, message: str
) -> None:
    fake.fail_with(mode)
    with pytest.raises(UpstreamUnavailable) as caught:
        await client.fetch_anime(BIG_SHOW_ID)
    assert str(caught.value) == message
    assert caught.value.retry_after is None
    assert fake.count() == 1  # no retry that would spend the rate limit


async def test_a_hang_past_the_timeout(fake: FakeAniList, clock: FakeClock) -> None:
    async with make_http_client(0.2) as http:
        client = _client(http, fake, clock)
        fake.fail_with("hang", hang=1.0)
        started = asyncio.get_running_loop().time()
        with pytest.raises(UpstreamUnavailable, match=NOT_ANSWERING):
            await client.search_anime("hoshizora")
        assert asyncio.get_running_loop().time() - started < 0.9
    assert fake.count() == 1


async def test_not_found_answer(client: AniListClient, fake: FakeAniList) -> None:
    fake.fail_with("not_found", times=1)
    with pytest.raises(NotFound, match=f"no anime with id {BIG_SHOW_ID}"):
        await client.fetch_anime(BIG_SHOW_ID)
    assert len((await client.fetch_anime(BIG_SHOW_ID)).characters) == BIG_SHOW_CHARACTERS


async def test_unreachable_server_is_tried_twice_then_reported(http: httpx.AsyncClient, clock: FakeClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AniListClient(http, url=f"http://127.0.0.1:{port}/", clock=clock, sleep=clock.sleep)
    with pytest.raises(UpstreamUnavailable, match=NOT_ANSWERING):
        await client.search_anime("hoshizora")
    assert len(client.limiter.sent) == 2  # both attempts went through the limiter


async def test_an_invalid_query_is_refused_by_the_fake_and_reported(
    client: AniListClient, fake: FakeAniList, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ALL_QUERIES, "SearchAnime", ALL_QUERIES["SearchAnime"].replace("seasonYear", "seasonYeer"))
    with pytest.raises(UpstreamUnavailable, match=CANNOT_ANSWER):
        await client.search_anime("hoshizora")
    assert fake.requests[0].status == 400


# --- the rest ------------------------------------------------------------------------------------------------


async def test_each_request_is_logged_at_debug(client: AniListClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="bot.anilist"):
        await client.search_anime("hoshizora")
    [record] = [r for r in caplog.records if r.name == "bot.anilist.client" and r.levelno == logging.DEBUG]
    assert isinstance(record.args, tuple) and record.args[0] == "SearchAnime"
    assert "SearchAnime" in record.getMessage() and "200" in record.getMessage()


async def test_make_http_client_sets_timeouts_and_user_agent() -> None:
    async with make_http_client(7.0) as http:
        assert http.headers["User-Agent"].startswith("kansou/")
        assert "+https://" in http.headers["User-Agent"]
        assert http.timeout.read == 7.0 and http.timeout.connect == 5.0


async def test_requests_carry_the_user_agent_and_a_json_body(fake: FakeAniList, clock: FakeClock) -> None:
    seen: list[str] = []
    async with make_http_client(2.0) as http:
        client = _client(http, fake, clock)
        http.event_hooks["request"].append(_remember_user_agent(seen))
        await client.search_anime("hoshizora")
    assert seen and seen[0].startswith("kansou/")
    assert fake.requests[0].kind == "SearchAnime" and fake.requests[0].root_fields == ("Page",)


def _remember_user_agent(seen: list[str]) -> Any:
    async def hook(request: httpx.Request) -> None:
        seen.append(request.headers["User-Agent"])
        assert request.headers["Content-Type"] == "application/json"

    return hook


async def test_bundle_is_a_catalogue_bundle(client: AniListClient) -> None:
    bundle = await client.fetch_anime(SECOND_SHOW_ID)
    assert isinstance(bundle, CatalogueBundle)
    [show] = bundle.anime
    languages = sorted(c.language for c in show.cast)
    assert languages == ["english", "japanese", "japanese"]  # the Korean dub is not asked for here
