"""Migrations: applied in order, in one transaction, recorded in user_version, upgrading old files intact."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.catalogue.store import CatalogueStore
from bot.core import migrations as migrate_module
from bot.core.database import Database
from bot.core.migrations import Migration, latest_version, load_migrations, migrate, split_statements
from bot.errors import DatabaseError


async def scalar(db: Database, sql: str) -> object:
    """The first column of the first row of ``sql``."""
    row = await db.fetch_one(sql)
    assert row is not None
    return row[0]


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == list(range(1, len(versions) + 1))
    assert latest_version() == len(versions) >= 1


async def test_new_database_has_latest_schema_and_pragmas(tmp_path: Path) -> None:
    async with await Database.open(tmp_path / "new.sqlite3") as db:
        assert await db.schema_version() == latest_version()
        assert await scalar(db, "PRAGMA journal_mode") == "wal"
        assert await scalar(db, "PRAGMA foreign_keys") == 1
        assert await scalar(db, "PRAGMA synchronous") == 2  # FULL: an acknowledged write survives a power cut
        assert await scalar(db, "PRAGMA busy_timeout") == 5000
        assert await db.integrity_check() == "ok"


async def test_reopening_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    async with await Database.open(path):
        pass
    async with await Database.open(path) as db:
        assert await db.schema_version() == latest_version()


@pytest.mark.parametrize("old_version", range(1, latest_version() + 1))
async def test_upgrading_an_older_database_keeps_its_rows(tmp_path: Path, old_version: int) -> None:
    path = tmp_path / "old.sqlite3"
    async with await Database.open(path, upgrade=False) as old:
        await migrate(old, target=old_version)
        assert await old.schema_version() == old_version
        await old.execute("INSERT INTO anime (key, title_romaji, episodes) VALUES ('old-show', 'Old Show', 12)")
        await old.execute("INSERT INTO person (key, name) VALUES ('old-person', 'Old Person')")
        await old.execute("INSERT INTO staff_role (anime_id, person_id, role) VALUES (1, 1, 'Director')")

    async with await Database.open(path) as db:
        assert await db.schema_version() == latest_version()
        anime = await CatalogueStore(db).anime(1)
        assert anime is not None and anime.title_romaji == "Old Show" and anime.episodes == 12
        staff = await CatalogueStore(db).anime_staff(1)
        assert [(s.person.name, s.role) for s in staff] == [("Old Person", "Director")]
        assert await db.integrity_check() == "ok"


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    async with await Database.open(path):
        pass
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {latest_version() + 5}")
    with pytest.raises(DatabaseError, match="newer kansou"):
        await Database.open(path)


async def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseError, match="not a kansou one"):
        await Database.open(path)


async def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("this is not a database\n" * 100)
    with pytest.raises(DatabaseError, match="not a usable SQLite database"):
        await Database.open(path)


async def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = load_migrations()
    broken = [*real, Migration(len(real) + 1, "broken", "CREATE TABLE extra (x);\nTHIS IS NOT SQL;")]
    path = tmp_path / "k.sqlite3"
    async with await Database.open(path):
        pass
    monkeypatch.setattr(migrate_module, "load_migrations", lambda extra=(): broken)
    with pytest.raises(DatabaseError, match="nothing was changed"):
        await Database.open(path)
    monkeypatch.undo()
    async with await Database.open(path) as db:
        assert await db.schema_version() == len(real)
        assert await scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'extra'") == 0


async def test_two_processes_opening_a_new_database_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "race.sqlite3"
    first, second = await asyncio.gather(Database.open(path), Database.open(path))
    try:
        assert await first.schema_version() == await second.schema_version() == latest_version()
        assert await first.integrity_check() == "ok"
    finally:
        await first.close()
        await second.close()


def test_statements_are_split_with_triggers_whole() -> None:
    sql = (
        "CREATE TABLE a (x);\n-- a comment\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n"
    )
    assert split_statements(sql) == [
        "CREATE TABLE a (x);",
        "-- a comment\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;",
    ]
