"""Which AniList match a typed title names: one, or choices — never a guess."""

from __future__ import annotations

import pytest

from bot.anilist import AnimeHit
from bot.anilist.enrich import hit_entry, hit_label, pick_hit
from bot.errors import NotSure

SERIES = AnimeHit(1, "Sousou no Frieren", "Frieren: Beyond Journey's End", "葬送のフリーレン", 2023, 28, "TV")
SEQUEL = AnimeHit(2, "Sousou no Frieren 2nd Season", None, None, 2026, None, "TV")
MOVIE = AnimeHit(3, "Sousou no Frieren", "Frieren: The Movie", None, 2027, 1, "MOVIE")


def test_one_match_is_that_match() -> None:
    assert pick_hit("frieren", [SEQUEL]) is SEQUEL


def test_the_only_match_with_the_typed_title_is_it() -> None:
    assert pick_hit("frieren beyond journey's end", [SEQUEL, SERIES]) is SERIES
    assert pick_hit("葬送のフリーレン", [SEQUEL, SERIES]) is SERIES


@pytest.mark.parametrize(("typed", "hits", "values"), [
    ("frieren", [SERIES, SEQUEL], ("anilist:1", "anilist:2")),  # no title equal: every match is a choice
    ("Sousou no Frieren", [SERIES, SEQUEL, MOVIE], ("anilist:1", "anilist:3")),  # two equal: those two
])
def test_otherwise_the_member_picks(typed: str, hits: list[AnimeHit], values: tuple[str, ...]) -> None:
    with pytest.raises(NotSure) as caught:
        pick_hit(typed, hits)
    assert caught.value.values == values and caught.value.query == typed
    assert "AniList knows several shows" in str(caught.value)


def test_labels_and_index_entries() -> None:
    assert hit_label(SERIES) == "Frieren: Beyond Journey's End (Sousou no Frieren) · 2023 · TV"
    assert hit_label(SEQUEL) == "Sousou no Frieren 2nd Season · 2026 · TV"
    assert hit_label(AnimeHit(4, "Odd", format="SOMETHING_NEW")) == "Odd · Other"
    entry = hit_entry(SERIES)
    assert entry is not None and entry.key == "anilist:1"
    assert entry.names == ("Frieren: Beyond Journey's End", "Sousou no Frieren", "葬送のフリーレン")


def test_index_entries_are_bounded() -> None:
    huge = hit_entry(AnimeHit(5, "Big", episodes=10**20, year=10**12))
    assert huge is not None and (huge.episodes, huge.year) == (0, None)
    assert hit_entry(AnimeHit(10**20, "Unstorable")) is None
    assert hit_entry(AnimeHit(6, "   ")) is None
    long = hit_entry(AnimeHit(7, "x" * 2_000_000))
    assert long is not None and len(long.title) == 300
