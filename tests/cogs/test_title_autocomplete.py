"""Autocomplete that knows every title, offline: the title index, AniList results seen, and "Search AniList".

End to end through the stand-in with the fake AniList; autocomplete itself never sends AniList a request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.catalogue.title_store import TitleStore
from bot.catalogue.titles import read_release
from sandbox import Sandbox
from tests.cogs.conftest import RunKansou, assert_clean, core, text_of
from tests.fakes.anilist_server import SECOND_SHOW_ID, FakeAniList
from tests.fakes.offline_titles import NATIVE_TITLE, NO_ANILIST_TITLE, SAMPLE

TWIN_TITLE = "Kagerou Relay"


@pytest.fixture
async def fake_anilist() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as fake:
        fake.add_anime(960001, TWIN_TITLE, format="TV", year=2021, episodes=12, popularity=50)
        fake.add_anime(960002, TWIN_TITLE, format="MOVIE", year=2023, episodes=1, popularity=40)
        yield fake


async def _load_titles(sandbox: Sandbox) -> None:
    await TitleStore(core(sandbox).db).load(read_release(SAMPLE))


async def test_autocomplete_offers_index_titles_and_picking_one_fetches_its_credits(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        await _load_titles(sandbox)
        choices = await sandbox.autocomplete("rate", {"anime": "kansou gak"}, focused="anime")
        assert choices and choices[0].name == "Kansou Gakuen · 2024 · TV", [c.name for c in choices]
        assert choices[0].value == f"anilist:{SECOND_SHOW_ID}"
        native = await sandbox.autocomplete("review read", {"anime": NATIVE_TITLE[:4]}, focused="anime")
        assert native and native[0].name.startswith("Hoshikuzu Relay Tanteidan (星屑リレー探偵団)")
        assert fake_anilist.count() == 0, "autocomplete never asks AniList"
        rated = await sandbox.invoke("rate", {"anime": choices[0].value, "category": "story", "score": 4})
        assert_clean(rated)
        assert "came from AniList just now" in text_of(rated)
        assert fake_anilist.count("SearchAnime") == 0 and fake_anilist.count("FetchAnime") >= 1, \
            "the id came from the index: fetched by id, no search"
        credits = await sandbox.invoke("credits", {"anime": choices[0].value})
        assert_clean(credits)
        assert "Credits — Impressions Academy" in text_of(credits)
        # Now the catalogue has it: offered from there, once, as a catalogue id.
        sent = fake_anilist.count()
        again = await sandbox.autocomplete("rate", {"anime": "kansou gak"}, focused="anime")
        assert [c.value for c in again].count(f"anilist:{SECOND_SHOW_ID}") == 0
        assert str(again[0].value).startswith("id:") and fake_anilist.count() == sent


async def test_an_index_title_without_an_anilist_id_is_searched_by_name(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        await _load_titles(sandbox)
        choices = await sandbox.autocomplete("rate", {"anime": "moonlit ferry"}, focused="anime")
        assert choices[0].name.startswith(NO_ANILIST_TITLE) and choices[0].value == NO_ANILIST_TITLE
        result = await sandbox.invoke("rate", {"anime": choices[0].value, "category": "story", "score": 4})
        assert_clean(result)
        assert fake_anilist.count("SearchAnime") == 1
        assert "AniList doesn't know it either" in text_of(result)


async def test_search_anilist_is_the_last_choice_when_local_results_are_thin(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        choices = await sandbox.autocomplete("rate", {"anime": "Impressions Acad"}, focused="anime")
        assert choices[-1].name == "Search AniList for “Impressions Acad”" and choices[-1].value == "Impressions Acad"
        assert fake_anilist.count() == 0
        result = await sandbox.invoke("rate", {"anime": choices[-1].value, "category": "story", "score": 4})
        assert_clean(result)
        assert "came from AniList just now" in text_of(result)
        # a title the catalogue knows well gets no such choice
        known = await sandbox.autocomplete("rate", {"anime": "Metallic Rouge"}, focused="anime")
        assert all(not c.name.startswith("Search AniList") for c in known)


async def test_no_search_anilist_choice_when_anilist_is_off(run_kansou: RunKansou) -> None:
    async with run_kansou() as sandbox:
        choices = await sandbox.autocomplete("rate", {"anime": "Impressions Acad"}, focused="anime")
        assert all(not c.name.startswith("Search AniList") for c in choices)


async def test_anilist_results_seen_are_offered_to_the_next_member(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        asked = await sandbox.invoke("rate", {"anime": TWIN_TITLE, "category": "story", "score": 5})
        assert "AniList knows several shows" in text_of(asked)
        sent = fake_anilist.count()
        choices = await sandbox.autocomplete("rate", {"anime": "kagerou"}, focused="anime", user="bob")
        assert {c.value for c in choices} >= {"anilist:960001", "anilist:960002"}, [c.name for c in choices]
        assert {c.name for c in choices} >= {f"{TWIN_TITLE} · 2021 · TV", f"{TWIN_TITLE} · 2023 · Movie"}
        assert fake_anilist.count() == sent, "offered from what was kept, not asked again"
        # ... until they expire
        await core(sandbox).db.execute("UPDATE title_index SET expires_at = 0 WHERE origin = 'search'")
        later = await sandbox.autocomplete("rate", {"anime": "kagerou"}, focused="anime", user="bob")
        assert all(not str(c.value).startswith("anilist:") for c in later)


async def test_an_index_pick_in_a_look_up_only_option_is_said_plainly(run_kansou: RunKansou) -> None:
    async with run_kansou() as sandbox:
        await _load_titles(sandbox)
        result = await sandbox.invoke("voiced", {"character": "Naomi Orthmann", "anime": f"anilist:{SECOND_SHOW_ID}"})
        assert_clean(result)
        assert result.ephemeral and "That show isn't in my catalogue yet" in text_of(result)
        forget = await sandbox.invoke("ratings forget", {"anime": "anilist:12x"})
        assert forget.ephemeral and "That isn't an AniList show id." in text_of(forget)


async def test_an_index_pick_with_anilist_off_says_so(run_kansou: RunKansou) -> None:
    async with run_kansou() as sandbox:
        await _load_titles(sandbox)
        choices = await sandbox.autocomplete("rate", {"anime": "kansou gak"}, focused="anime")
        assert choices[0].value == f"anilist:{SECOND_SHOW_ID}"
        result = await sandbox.invoke("rate", {"anime": choices[0].value, "category": "story", "score": 4})
        assert result.ephemeral and "AniList look-ups are off" in text_of(result)
