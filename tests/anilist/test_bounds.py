"""Integers from AniList are bounded where they enter: left out with a note, never an ``OverflowError``
(issue 12, item 6; files: tests/catalogue/test_file_bounds.py; end to end: tests/cogs/test_hostile_catalogue.py)."""

from __future__ import annotations

import logging

import pytest

from bot.anilist import AniListClient, make_http_client
from bot.anilist import mapping as m
from bot.catalogue.models import MAX_ID
from bot.errors import NotFound
from tests.fakes.anilist_server import FakeAniList

HUGE = [10**20, 2**63, 2**64, -(2**63) - 1, MAX_ID + 1]


@pytest.mark.parametrize("number", HUGE)
def test_huge_numbers_from_anilist_are_left_out(number: int, caplog: pytest.LogCaptureFixture) -> None:
    media = {"id": 7, "title": {"romaji": "Seven"}, "episodes": number, "seasonYear": number, "format": "TV"}
    with caplog.at_level(logging.INFO, logger="bot.anilist.mapping"):
        hit = m.anime_hit(media)
    assert hit is not None and hit.episodes is None and hit.year is None
    assert "left out" in caplog.text and str(number) not in caplog.text
    assert m.anime_hit({**media, "id": number}) is None  # an id that is not AniList's: no show at all
    assert m.person_hit({"id": number, "name": {"full": "Someone"}}) is None
    assert m.character_hit({"id": number, "name": {"full": "Someone"}}) is None


def test_numbers_in_range_are_kept() -> None:
    media = {"id": MAX_ID, "title": {"romaji": "Max"}, "episodes": 100_000, "seasonYear": 1917}
    hit = m.anime_hit(media)
    assert hit is not None and (hit.anilist_id, hit.episodes, hit.year) == (MAX_ID, 100_000, 1917)
    assert m.anime_hit({**media, "episodes": 0}) is not None  # "no episodes yet" is simply unknown
    assert m.anime_hit({**media, "seasonYear": None, "startDate": {"year": 2024}}).year == 2024  # type: ignore[union-attr]  # a hit, as above


@pytest.mark.parametrize("number", [10**20, 0, -1, MAX_ID + 1])
async def test_an_id_out_of_range_is_never_sent(number: int) -> None:
    async with FakeAniList() as fake, make_http_client(2.0) as http:
        client = AniListClient(http, url=fake.url)
        with pytest.raises(NotFound):
            await client.fetch_anime(number)
        with pytest.raises(NotFound):
            await client.fetch_person(number)
        assert fake.count() == 0


def test_texts_from_anilist_are_kept_to_a_bounded_length(caplog: pytest.LogCaptureFixture) -> None:
    huge = "Q" + "x" * (2 * 1024 * 1024)
    with caplog.at_level(logging.INFO, logger="bot.anilist.mapping"):
        hit = m.person_hit({"id": 5, "name": {"full": huge, "alternative": [huge]}})
    assert hit is not None and len(hit.name) == m.MAX_TEXT and hit.name.startswith("Qx")
    assert "only the first 1000 were kept" in caplog.text
    assert m.as_str("  short  ") == "short"
