"""`kansou db copy`: a benchmark-generated SQLite database (data in every table) moved into PostgreSQL, verified;
a non-empty target refused; the command line's own output."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.generate import build
from bench.world import Scale
from bot.cli import main
from bot.core.database import Database
from bot.core.dbcopy import SEEDED, copy_database, source_tables
from bot.core.postgres import PostgresDatabase
from bot.errors import DatabaseError
from bot.ratings.store import RatingStore
from tests.helpers.postgres import PostgresServer

pytestmark = pytest.mark.postgresql

TINY = Scale("tiny", servers=3, shows=12, ratings=600, reviews=40, characters=200, people=120, actors=4,
             connected_servers=3)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real kansou SQLite database with rows in every table (the benchmark's generator, tiny)."""
    path = build(TINY, seed=3, directory=tmp_path_factory.mktemp("bench"), log=lambda _: None).path
    conn = sqlite3.connect(path)
    try:  # a server with categories of its own, so rating_category holds more than the defaults
        conn.execute("INSERT INTO rating_category (guild_id, key, label, position, created_at) "
                     "VALUES (42, 'pacing', 'Pacing', 1, 0)")
        # The title index (load-titles, AniList results kept, a season's import), which the generator leaves empty.
        conn.execute("INSERT INTO title_index (id, key, anilist_id, title, origin, expires_at) "
                     "VALUES (7, 'anilist:990001', 990001, 'Sōsō', 'search', 1.5)")
        conn.execute("INSERT INTO title_index_name (norm, title_id, pos, name) VALUES ('soso', 7, 0, 'Sōsō')")
        conn.execute("INSERT INTO title_index_release (id, digest, last_update, entries, loaded_at) "
                     "VALUES (1, 'abc', '2026-11-30', 1, 0)")
        conn.execute("INSERT INTO season_import (year, season, next_page, titles, done, updated_at) "
                     "VALUES (2026, 'FALL', 2, 1, 0, 0)")
        # Settings, progress, threads and follows (the generator leaves them empty too).
        show = conn.execute("SELECT min(id) FROM anime").fetchone()[0]
        review = conn.execute("SELECT min(id) FROM review").fetchone()[0]
        conn.execute("INSERT INTO server_settings (guild_id, reviews_channel_id, reply_threads, review_cooldown) "
                     "VALUES (42, 4200, 1, 2.5)")
        conn.execute("INSERT INTO server_settings_change (id, guild_id, member_id, name, old_value, new_value, "
                     "changed_at) VALUES (3, 42, 7, 'review_cooldown', 'default', '2.5 s', 1.25)")
        conn.execute("INSERT INTO progress (guild_id, member_id, anime_id, episode, finished, updated_at) "
                     "VALUES (42, 7, ?, 3, 0, 1.5)", (show,))
        conn.execute("INSERT INTO progress_visibility (guild_id, member_id, visible) VALUES (42, 7, 1)")
        conn.execute("INSERT INTO episode_thread (guild_id, anime_id, episode, channel_id, thread_id, claim, "
                     "claimed_at) VALUES (42, ?, 3, 4200, 4300, 'token', 1.5)", (show,))
        conn.execute("INSERT INTO review_thread (review_id, guild_id, channel_id, thread_id) "
                     "VALUES (?, 42, 4200, 4301)", (review,))
        conn.execute("INSERT INTO follow (guild_id, anime_id, channel_id, followed_by, followed_at) "
                     "VALUES (42, ?, 4200, 7, 1.5)", (show,))
        conn.execute("INSERT INTO airing_watermark (id, handled_until) VALUES (1, 1700000000)")
        conn.execute("INSERT INTO airing_announcement (guild_id, anime_id, episode, thread_id, announced_at) "
                     "VALUES (42, ?, 3, 4300, 1.5)", (show,))
        conn.commit()
    finally:
        conn.close()
    return path


@pytest.fixture
async def target(engine: str, postgres: PostgresServer) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database (never opened by kansou)."""
    url = await postgres.fresh()
    try:
        yield url
    finally:
        await postgres.drop(url)


def counts_of(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in source_tables(conn)}
    finally:
        conn.close()


async def test_every_table_is_copied_and_verified(source: Path, target: str) -> None:
    expected = counts_of(source)
    empty = [table for table, count in expected.items() if count == 0]
    assert empty == [], "the source must have rows in every table, so a table left out is noticed"
    report = await copy_database(source, target, progress=lambda _: None)
    assert report.counts == expected  # every table of the schema, none left out
    async with await Database.open(target) as db:
        assert await db.table_counts() == expected
        assert await RatingStore(db).recount_mismatches() == []
        # The identity sequences moved past the copied ids: new rows get new ids.
        before = await db.fetch_value("SELECT max(id) FROM anime")
        new_id = await db.fetch_value("INSERT INTO anime (key, title_romaji) VALUES ('new', 'New') RETURNING id")
        assert new_id > before
        # Votes after the copy keep the copied tallies exact (the triggers are on again).
        row = await db.fetch_one("SELECT guild_id, anime_id FROM rating_show LIMIT 1")
        assert row is not None
        version = (await RatingStore(db).show_tally(int(row[0]), int(row[1]))).version
        await db.execute("INSERT INTO rating (guild_id, member_id, anime_id, category, score, rated_at) "
                         "VALUES (?, 999999, ?, 'story', 8, 0)", (row[0], row[1]))
        assert await RatingStore(db).recount_mismatches() == []
        # The copied rating versions go on counting from where they were.
        assert version > 0
        assert (await RatingStore(db).show_tally(int(row[0]), int(row[1]))).version == version + 1


async def test_a_target_with_data_is_refused_and_left_alone(source: Path, target: str) -> None:
    async with await Database.open(target) as db:
        await db.execute("INSERT INTO anime (key, title_romaji) VALUES ('mine', 'Mine')")
    with pytest.raises(DatabaseError, match="not empty"):
        await copy_database(source, target, progress=lambda _: None)
    async with await Database.open(target) as db:
        assert await db.table_counts() == {**dict.fromkeys(counts_of(source), 0), "anime": 1, "rating_category": 5}


async def test_only_the_listed_seed_rows_come_from_the_migrations(target: str) -> None:
    async with await PostgresDatabase.connect(target) as db:
        seeded = {t: n for t, n in (await db.table_counts()).items() if n}
    assert set(seeded) <= set(SEEDED), "a migration that inserts rows must list them in dbcopy.SEEDED"


def test_the_command_copies_verifies_and_refuses_a_second_time(source: Path, target: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "copy", str(source), target]) == 0
    out = capsys.readouterr().out
    assert "Verified: every table's row count matches" in out and "review_message" in out
    assert main(["db", "copy", str(source), target]) == 1
    assert "is not empty" in capsys.readouterr().err
    assert main(["db", "copy", str(source), "mysql://x/y"]) == 2
