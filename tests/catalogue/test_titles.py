"""The offline title index: `load-titles` of anime-offline-database releases (checked, idempotent, updatable)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.title_store import SeasonProgress, TitleStore
from bot.catalogue.titles import TitleEntry, read_release
from bot.core.database import Database
from bot.core.names import normalize
from bot.errors import CatalogueFormatError
from tests.bot.test_cli import run
from tests.fakes.anilist_server import SECOND_SHOW_ID
from tests.fakes.offline_titles import (
    KOREAN_TITLE,
    NATIVE_TITLE,
    NO_ANILIST_TITLE,
    NO_IDS_TITLE,
    RUSSIAN_TITLE,
    SAMPLE,
    SAMPLE_SIZE,
    release,
    write_json,
    write_jsonl,
)

NOW = 1_800_000_000.0


async def snapshot(db: Database) -> list[Any]:
    """Everything the index holds, in a fixed order."""
    return [
        await db.fetch_all("SELECT * FROM title_index ORDER BY key"),
        await db.fetch_all("SELECT n.norm, t.key, n.pos, n.name FROM title_index_name n "
                           "JOIN title_index t ON t.id = n.title_id ORDER BY n.norm, t.key"),
        await db.fetch_all("SELECT digest, last_update, entries FROM title_index_release"),
    ]


def test_the_committed_sample_is_what_the_generator_writes() -> None:
    assert json.loads(SAMPLE.read_text(encoding="utf-8")) == release()


def test_the_sample_passes_the_schema_checks() -> None:
    checked = read_release(SAMPLE)
    assert len(checked.entries) == SAMPLE_SIZE and checked.last_update == "2026-11-30"
    by_title = {e.title: e for e in checked.entries}
    assert by_title[NO_ANILIST_TITLE].anilist_id is None and by_title[NO_ANILIST_TITLE].mal_id == 990001
    assert by_title[NO_IDS_TITLE].anilist_id is None and by_title[NO_IDS_TITLE].mal_id is None
    assert by_title[NO_IDS_TITLE].season is None and by_title[NO_IDS_TITLE].year is None
    assert any(e.anilist_id == SECOND_SHOW_ID for e in checked.entries)


async def test_load_then_search_titles_synonyms_and_other_scripts(db: Database) -> None:
    store = TitleStore(db)
    result = await store.load(read_release(SAMPLE))
    assert (result.entries, result.added, result.removed, result.unchanged) == (SAMPLE_SIZE, SAMPLE_SIZE, 0, False)
    for typed, title in [(NATIVE_TITLE[:3], "Hoshikuzu Relay Tanteidan"), (KOREAN_TITLE, "Hoshikuzu Relay Tanteidan"),
                         ("звёздная", "Hoshikuzu Relay Tanteidan"), ("relay tanteidan", "Hoshikuzu Relay Tanteidan"),
                         ("stardust", "Hoshikuzu Relay Tanteidan"), ("moonlit", NO_ANILIST_TITLE),
                         ("watashibune", NO_ANILIST_TITLE), ("lantern street", NO_IDS_TITLE)]:
        hits = await store.search(normalize(typed), now=NOW, limit=25)
        assert hits and hits[0].title == title, (typed, hits[:3])
    russian = await store.search(normalize(RUSSIAN_TITLE), now=NOW, limit=5)
    assert russian[0].exact and russian[0].matched == RUSSIAN_TITLE
    many = await store.search("hoshi", now=NOW, limit=25)
    assert len(many) >= 10 and all(h.at_start for h in many[:5])


def _show(anilist_id: int, title: str) -> TitleEntry:
    return TitleEntry(f"anilist:{anilist_id}", anilist_id, None, title, "TV", 12, "FALL", 2026, (title,))


async def test_anilist_results_and_a_season_join_a_loaded_index(db: Database) -> None:
    store = TitleStore(db)
    await store.load(read_release(SAMPLE))
    loaded = (await store.search(normalize("hoshikuzu relay"), now=NOW, limit=1))[0]
    # New shows take ids after the loaded ones (on PostgreSQL the identity was moved past the load's own ids).
    await store.remember([_show(880001, "Kiri no Tou"), _show(880002, "Kiri no Umi")], NOW + 60, NOW)
    kiri = await store.search(normalize("kiri no"), now=NOW, limit=5)
    assert [h.title for h in kiri] == ["Kiri no Tou", "Kiri no Umi"]
    # A show the offline release holds stays as the release has it; a kept result is refreshed, not doubled.
    offline = _show(int(loaded.key.removeprefix("anilist:")), "Renamed")
    await store.remember([offline, _show(880001, "Kiri no Tou 2")], NOW + 60, NOW)
    assert (await store.search(normalize("hoshikuzu relay"), now=NOW, limit=1))[0].title == loaded.title
    assert [h.title for h in await store.search(normalize("kiri no tou"), now=NOW, limit=5)] == ["Kiri no Tou 2"]
    assert await store.count() == SAMPLE_SIZE + 2
    # A season's page takes over a kept result of the same show, and stays when the results expire.
    progress = SeasonProgress(2026, "FALL", 2, 1, False)
    await store.add_season_page([_show(880002, "Kiri no Umi")], progress, NOW)
    assert await store.season_progress(2026, "FALL") == progress
    await store.remember([_show(880003, "Kiri no Sora")], NOW + 600, NOW + 120)  # the first two expired
    kiri = await store.search(normalize("kiri"), now=NOW + 120, limit=5)
    assert [h.title for h in kiri] == ["Kiri no Umi", "Kiri no Sora"]  # shorter titles first
    assert await store.count() == SAMPLE_SIZE + 2


async def test_a_second_load_of_the_same_file_changes_nothing(db: Database) -> None:
    store = TitleStore(db)
    await store.load(read_release(SAMPLE))
    before = await snapshot(db)
    again = await store.load(read_release(SAMPLE))
    assert again.unchanged and "nothing changed" in again.describe()
    assert await snapshot(db) == before


async def test_jsonl_loads_the_same_index(db: Database, tmp_path: Path) -> None:
    store = TitleStore(db)
    await store.load(read_release(SAMPLE))
    from_json = (await snapshot(db))[:2]
    lines = write_jsonl(tmp_path / "anime-offline-database.jsonl", release())
    result = await store.load(read_release(lines))
    assert not result.unchanged and (result.added, result.removed) == (0, 0)
    assert (await snapshot(db))[:2] == from_json


async def test_a_newer_release_updates_the_index(db: Database, tmp_path: Path) -> None:
    store = TitleStore(db)
    await store.load(read_release(SAMPLE))
    newer = release(last_update="2026-12-07")
    gone = newer["data"].pop(10)["title"]
    newer["data"][20]["synonyms"].append("A Brand New Spelling")
    newer["data"].append({**copy.deepcopy(newer["data"][30]), "sources": ["https://anilist.co/anime/999999"],
                          "title": "Entirely New Show"})
    result = await store.load(read_release(write_json(tmp_path / "newer.json", newer)))
    assert (result.entries, result.added, result.removed) == (SAMPLE_SIZE, 1, 1)
    assert (await store.search("entirely new", now=NOW, limit=5))[0].anilist_id == 999999
    assert (await store.search("a brand new spelling", now=NOW, limit=5))[0].title == newer["data"][20]["title"]
    assert all(h.title != gone for h in await store.search(normalize(gone), now=NOW, limit=25))


def _broken(change: str) -> dict[str, Any] | str:
    document = release(40)
    data = document["data"]
    if change == "missing key":
        del data[5]["animeSeason"]
    elif change == "unknown type":
        data[6]["type"] = "MUSIC_VIDEO"
    elif change == "year before 1907":
        data[7]["animeSeason"]["year"] = 1850
    elif change == "episodes too large":
        data[8]["episodes"] = 10**20
    elif change == "negative episodes":
        data[8]["episodes"] = -1
    elif change == "repeated synonym":
        data[9]["synonyms"] = ["Same", "Same"]
    elif change == "source not a url":
        data[3]["sources"] = ["anilist 12"]
    elif change == "wrong licence":
        document["license"] = {"name": "All rights reserved", "url": "https://example.com"}
    elif change == "no data":
        del document["data"]
    elif change == "bad date":
        document["lastUpdate"] = "30.11.2026"
    elif change == "not an object":
        return json.dumps(data)
    elif change == "bad duration":
        data[2]["duration"] = {"value": 0, "unit": "MINUTES"}
    return document


@pytest.mark.parametrize(("change", "says"), [
    ("missing key", "entry 6: has no 'animeSeason'"),
    ("unknown type", "entry 7: 'type' must be one of TV"),
    ("year before 1907", "entry 8: 'animeSeason.year' must be a whole number from 1907"),
    ("episodes too large", "entry 9: 'episodes' must be a whole number up to 100,000"),
    ("negative episodes", "entry 9: 'episodes' must be a number of at least 0"),
    ("repeated synonym", "entry 10: 'synonyms' must not repeat an item"),
    ("source not a url", "entry 4: 'sources' must hold URLs only"),
    ("wrong licence", "'license' must name the ODbL"),
    ("no data", "the document: has no 'data'"),
    ("bad date", "'lastUpdate' must be a date"),
    ("not an object", "the document: must be a JSON object"),
    ("bad duration", "entry 3: 'duration' must be an object"),
])
async def test_a_file_against_the_schema_is_refused_and_nothing_changes(
    db: Database, tmp_path: Path, change: str, says: str
) -> None:
    store = TitleStore(db)
    await store.load(read_release(SAMPLE))
    before = await snapshot(db)
    broken = _broken(change)
    path = tmp_path / "bad.json"
    if isinstance(broken, str):
        path.write_text(broken, encoding="utf-8")
    else:
        write_json(path, broken)
    with pytest.raises(CatalogueFormatError) as caught:
        await store.load(read_release(path))
    assert says in str(caught.value) and "Nothing was changed." in str(caught.value), str(caught.value)
    assert await snapshot(db) == before


@pytest.mark.parametrize(("content", "says"), [
    ("this is not json", "is not valid JSON"),
    ("", "is not valid JSON"),
    (None, "is it truncated?"),  # the sample cut in the middle
    (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
])
async def test_unreadable_files_are_refused_and_nothing_changes(
    db: Database, tmp_path: Path, content: str | bytes | None, says: str
) -> None:
    store = TitleStore(db)
    await store.load(read_release(SAMPLE))
    before = await snapshot(db)
    path = tmp_path / "bad.json"
    if content is None:
        raw = SAMPLE.read_bytes()
        path.write_bytes(raw[: len(raw) // 2])
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueFormatError) as caught:
        read_release(path)
    assert says in str(caught.value), str(caught.value)
    assert await snapshot(db) == before


def test_truncated_jsonl_is_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", release(20))
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) - 40])
    with pytest.raises(CatalogueFormatError, match="truncated"):
        read_release(path)


def test_the_command_loads_reports_and_refuses(tmp_path: Path) -> None:
    first = run(["catalogue", "load-titles", str(SAMPLE)], tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"{SAMPLE_SIZE:,} titles (release of 2026-11-30): {SAMPLE_SIZE:,} new, 0 gone" in first.stdout
    again = run(["catalogue", "load-titles", str(SAMPLE)], tmp_path)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    refused = run(["catalogue", "load-titles", str(bad)], tmp_path)
    assert refused.returncode == 1 and "Nothing was changed." in refused.stderr, refused.stderr
