"""The PostgreSQL engine: placeholders, queries, transactions, migrations (forms, lock, refusals), exact tallies
under many concurrent connections. Runs against the session's throwaway server (see tests/helpers/postgres.py)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.database import Database
from bot.core.migrations import kansou_migrations, latest_version, load_migrations
from bot.core.postgres import PostgresDatabase, redact, translate
from bot.errors import DatabaseError
from bot.ratings.models import Score, ScoreWrite
from bot.ratings.store import RatingStore
from tests.helpers.postgres import PostgresServer

pytestmark = pytest.mark.postgresql  # the db fixture is a PostgreSQL database here


@pytest.fixture
async def empty_url(engine: str, postgres: PostgresServer) -> AsyncIterator[str]:
    """A database kansou has never opened."""
    url = await postgres.fresh()
    try:
        yield url
    finally:
        await postgres.drop(url)


def test_placeholders_become_numbered_outside_literals_and_casts() -> None:
    assert translate("SELECT ? , ? FROM t WHERE a = '?' AND b = ?") == (
        "SELECT $1 , $2 FROM t WHERE a = '?' AND b = $3", 3)
    assert translate("SELECT :a, :b::text, :a, 'x:y', \":q\" -- :c\nFROM t") == (
        "SELECT $1, $2::text, $1, 'x:y', \":q\" -- :c\nFROM t", ("a", "b"))
    assert translate("SELECT 'it''s ?', $$ ? $$, ?") == ("SELECT 'it''s ?', $$ ? $$, $1", 1)
    with pytest.raises(ValueError, match="mixes"):
        translate("SELECT ?, :a")


def test_a_url_is_shown_without_its_password() -> None:
    assert redact("postgresql://kansou:s3cret@db.example/kansou") == "postgresql://kansou:***@db.example/kansou"


def test_every_migration_has_a_postgresql_form_of_the_same_name() -> None:
    sqlite = [(m.version, m.name) for m in load_migrations()]
    postgresql = [(m.version, m.name) for m in load_migrations(dialect="postgresql")]
    assert postgresql == sqlite, "add the PostgreSQL form of each migration (see CONTRIBUTING.md)"
    assert kansou_migrations().joinpath("postgresql").is_dir()


async def test_queries_rows_and_rowcounts(db: Database) -> None:
    assert isinstance(db, PostgresDatabase) and db.dialect == "postgresql"
    await db.execute_many("INSERT INTO anime (key, title_romaji, episodes) VALUES (?, ?, ?)",
                          [("a", "Show A", 12), ("b", "Show B", None)])
    rows = await db.fetch_all("SELECT key, episodes FROM anime ORDER BY key")
    assert [(r[0], r["episodes"]) for r in rows] == [("a", 12), ("b", None)]
    one = await db.fetch_one("SELECT title_romaji FROM anime WHERE key = :key", {"key": "b"})
    assert one is not None and one["title_romaji"] == "Show B"
    assert await db.fetch_one("SELECT 1 FROM anime WHERE key = 'zz'") is None
    assert await db.fetch_value("SELECT count(*) FROM anime") == 2
    assert await db.execute("UPDATE anime SET studio = 'Bones'") == 2
    assert await db.execute("UPDATE anime SET studio = ? WHERE key = ?", ("x", "zz")) == 0
    big = 1_234_567_890_123_456_789  # a Discord id does not fit in 32 bits
    await db.execute("INSERT INTO review_counter (guild_id, last_number) VALUES (?, 1)", (big,))
    assert await db.fetch_value("SELECT guild_id FROM review_counter") == big


async def test_transactions_commit_together_and_one_per_task(db: Database) -> None:
    start = db.writes
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO anime (key, title_romaji) VALUES ('a', 'A')")
        assert await tx.fetch_value("SELECT count(*) FROM anime") == 1
        with pytest.raises(RuntimeError, match="through the transaction"):
            await db.execute("INSERT INTO anime (key, title_romaji) VALUES ('b', 'B')")
    with pytest.raises(ZeroDivisionError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO anime (key, title_romaji) VALUES ('c', 'C')")
            raise ZeroDivisionError
    assert [r[0] for r in await db.fetch_all("SELECT key FROM anime")] == ["a"]
    assert db.writes == start + 2


async def test_a_new_database_is_migrated_and_opens_again(empty_url: str) -> None:
    async with await Database.open(empty_url) as db:
        assert await db.schema_version() == latest_version(dialect="postgresql") == latest_version()
        assert await db.integrity_check() == "ok"
        assert "kansou_schema" not in await db.table_counts()
    async with await Database.open(empty_url, upgrade=False) as db:
        assert await db.schema_version() == latest_version()


async def test_two_processes_opening_a_new_database_at_once_both_succeed(empty_url: str) -> None:
    first, second = await asyncio.gather(Database.open(empty_url), Database.open(empty_url))
    try:
        applied = await first.fetch_all("SELECT version FROM kansou_schema ORDER BY version")
        assert [r[0] for r in applied] == list(range(1, latest_version() + 1))  # each once
    finally:
        await first.close()
        await second.close()


async def test_a_newer_schema_and_a_stranger_database_are_refused(empty_url: str, postgres: PostgresServer) -> None:
    async with await Database.open(empty_url) as db:
        await db.execute("INSERT INTO kansou_schema (version, name) VALUES (?, 'future')", (latest_version() + 1,))
    with pytest.raises(DatabaseError, match="newer kansou"):
        await Database.open(empty_url)
    other = await postgres.fresh()
    try:
        import asyncpg

        conn = await asyncpg.connect(other)
        await conn.execute("CREATE TABLE invoices (id int)")
        await conn.close()
        with pytest.raises(DatabaseError, match="not a kansou one"):
            await Database.open(other)
    finally:
        await postgres.drop(other)


async def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=r"Cannot connect to the PostgreSQL database .*\*\*\*"):
        await Database.open(f"postgresql://kansou:secret@/kansou?host={tmp_path}&port=1")


async def test_concurrent_votes_from_many_connections_keep_tallies_exact(db: Database) -> None:
    """Many connections vote at once on the same shows (every category, re-votes, forgets): tallies = recount."""
    from tests.ratings.test_store import add_shows, assert_aggregates_match

    shows = await add_shows(db, 2)
    url = db.url if isinstance(db, PostgresDatabase) else ""
    others = [await PostgresDatabase.connect(url, min_size=1, max_size=2) for _ in range(6)]
    categories = ("animation", "voice_acting", "music", "writing", "story")
    try:
        async def member(i: int) -> None:
            store = RatingStore(others[i % len(others)])
            for round_ in range(3):
                for c, category in enumerate(categories):
                    show = shows[(i + c) % 2]
                    await store.apply([ScoreWrite(7, i % 9, show, ((category, Score(2 + (i + c + round_) % 9)),))])
            if i % 4 == 0:
                await store.db.execute("DELETE FROM rating WHERE guild_id = 7 AND member_id = ?", (i % 9,))

        await asyncio.gather(*(member(i) for i in range(24)))
    finally:
        for other in others:
            await other.close()
    assert await db.fetch_value("SELECT count(*) FROM rating") > 0
    await assert_aggregates_match(db)


def kansou(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` with KANSOU_DB set to ``url`` and a clean environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    clean.update({"KANSOU_DB": url, "ANILIST_API_URL": "off"})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean, capture_output=True,
                          text=True, timeout=60, check=False)


async def test_check_reads_a_postgresql_database_without_changing_it(db: Database, tmp_path: Path) -> None:
    assert isinstance(db, PostgresDatabase)
    await db.execute("INSERT INTO anime (key, title_romaji) VALUES ('a', 'A')")
    before = await db.table_counts()
    done = await asyncio.to_thread(kansou, tmp_path, db.url, "check")
    assert done.returncode == 0, done.stderr
    assert f"schema version  {latest_version()} (current)" in done.stdout
    assert re.search(r"anime\s+1\n", done.stdout) and "(PostgreSQL)" in done.stdout
    assert await db.table_counts() == before
    assert os.listdir(tmp_path) == []  # nothing written anywhere


async def test_backup_and_restore_say_to_use_pg_dump(tmp_path: Path) -> None:
    url = "postgresql://kansou:s3cret@db.example/kansou"
    backup = await asyncio.to_thread(kansou, tmp_path, url, "backup", str(tmp_path / "b.sqlite3"))
    assert backup.returncode == 2 and "pg_dump --format=custom" in backup.stderr
    assert "s3cret" not in backup.stderr and "postgresql://kansou:***@db.example/kansou" in backup.stderr
    restore = await asyncio.to_thread(kansou, tmp_path, url, "restore", str(tmp_path / "b.dump"))
    assert restore.returncode == 2 and "pg_restore --clean" in restore.stderr
    assert os.listdir(tmp_path) == []


def test_a_migration_folder_without_postgresql_forms_is_refused_on_postgresql(tmp_path: Path) -> None:
    (tmp_path / f"{latest_version() + 1:04d}_notes.sql").write_text("CREATE TABLE note (id INTEGER PRIMARY KEY);\n")
    assert len(load_migrations([tmp_path])) == latest_version() + 1  # SQLite: fine
    with pytest.raises(RuntimeError, match="no PostgreSQL forms"):
        load_migrations([tmp_path], dialect="postgresql")
    (tmp_path / "postgresql").mkdir()
    (tmp_path / "postgresql" / f"{latest_version() + 1:04d}_notes.sql").write_text("CREATE TABLE note (id BIGINT);\n")
    assert len(load_migrations([tmp_path], dialect="postgresql")) == latest_version() + 1


async def test_the_change_stamp_moves_on_every_commit_and_only_then(db: Database) -> None:
    assert isinstance(db, PostgresDatabase)
    start = await db.change_stamp()
    assert await db.change_stamp() == start  # nothing committed: the same stamp, so a cache is reused
    await db.execute("INSERT INTO review_counter (guild_id, last_number) VALUES (1, 1)")
    own = await db.change_stamp()
    assert own != start
    async with await Database.open(db.url) as other:  # another process's pool, as far as PostgreSQL knows
        async with other.transaction() as tx:
            await tx.execute("UPDATE review_counter SET last_number = 2 WHERE guild_id = 1")
            # Written but not committed: a read now sees the old row, so the stamp must not have moved for good
            # — it has to move again at the commit (a stamp that moved at the write would keep the stale read).
            during = await db.change_stamp()
            assert await db.fetch_value("SELECT last_number FROM review_counter") == 1
        assert await db.change_stamp() not in (own, during)
    assert await db.fetch_value("SELECT last_number FROM review_counter") == 2
