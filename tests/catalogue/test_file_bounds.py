"""Numbers in catalogue files are bounded where they enter: left out with a log warning, the rest loads
(issue 12, item 6)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.catalogue.files import load_catalogue_file, read_catalogue
from bot.catalogue.store import CatalogueStore
from bot.core.database import SQLiteDatabase
from bot.errors import CatalogueFormatError

TOML = """
format = 1
[[person]]
key = "p"
name = "Person P"
anilist_id = {big}
[[character]]
key = "c"
name = "Character C"
[[anime]]
key = "huge"
title_romaji = "Huge Numbers"
episodes = {big}
year = {big}
anilist_id = {big}
cast = [{{ character = "c", person = "p" }}]
"""


@pytest.mark.parametrize("number", [10**20, 2**63, 2**64])
async def test_huge_numbers_in_a_catalogue_file(tmp_path: Path, number: int,
                                                caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(TOML.format(big=number), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.catalogue.files"):
        bundle = read_catalogue(path)
    (show,) = bundle.anime
    assert (show.episodes, show.year, show.anilist_id) == (None, None, None)
    assert bundle.people[0].anilist_id is None
    assert "'episodes' is outside" in caplog.text and "anime #1" in caplog.text
    async with await SQLiteDatabase.connect(tmp_path / "kansou.sqlite3") as db:
        report = await load_catalogue_file(CatalogueStore(db), path)
        assert report.anime == 1 and report.voice_roles_added == 1


async def test_a_huge_negative_episode_count_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "negative.toml"
    path.write_text(TOML.format(big=-(2**64)), encoding="utf-8")
    with pytest.raises(CatalogueFormatError, match="episodes must be at least 1"):
        read_catalogue(path)
