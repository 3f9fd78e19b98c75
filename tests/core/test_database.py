"""The database interface every store uses, on its SQLite engine: queries, transactions, one writer, opening."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot.core.database import Database, SQLiteDatabase
from bot.core.migrations import latest_version, load_migrations
from bot.errors import DatabaseError


async def test_queries_hand_back_rows_by_position_and_by_name(db: SQLiteDatabase) -> None:
    assert db.dialect == "sqlite"
    await db.execute_many("INSERT INTO anime (key, title_romaji, episodes) VALUES (?, ?, ?)",
                          [("a", "Show A", 12), ("b", "Show B", None)])
    rows = await db.fetch_all("SELECT key, episodes FROM anime ORDER BY key")
    assert [(r[0], r["episodes"]) for r in rows] == [("a", 12), ("b", None)]
    one = await db.fetch_one("SELECT title_romaji FROM anime WHERE key = :key", {"key": "b"})
    assert one is not None and one["title_romaji"] == "Show B"
    assert await db.fetch_one("SELECT 1 FROM anime WHERE key = 'zz'") is None
    assert await db.fetch_value("SELECT count(*) FROM anime") == 2
    assert await db.fetch_value("SELECT key FROM anime WHERE key = 'zz'") is None
    assert await db.execute("UPDATE anime SET studio = 'Bones'") == 2  # rows affected
    assert await db.execute("UPDATE anime SET studio = 'x' WHERE key = 'zz'") == 0


async def test_a_transaction_commits_together_or_not_at_all(db: SQLiteDatabase) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO anime (key, title_romaji) VALUES ('a', 'A')")
        assert await tx.fetch_value("SELECT count(*) FROM anime") == 1  # its own writes, before the commit
    with pytest.raises(ZeroDivisionError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO anime (key, title_romaji) VALUES ('b', 'B')")
            raise ZeroDivisionError
    assert [r[0] for r in await db.fetch_all("SELECT key FROM anime")] == ["a"]


async def test_one_writer_at_a_time(db: SQLiteDatabase) -> None:
    order: list[str] = []

    async def write(name: str) -> None:
        async with db.transaction() as tx:
            order.append(f"{name} begins")
            await tx.execute("INSERT INTO anime (key, title_romaji) VALUES (?, ?)", (name, name))
            await asyncio.sleep(0.01)
            order.append(f"{name} ends")

    await asyncio.gather(write("a"), write("b"), db.execute("INSERT INTO anime (key, title_romaji) VALUES ('c', 'c')"))
    assert order in (["a begins", "a ends", "b begins", "b ends"], ["b begins", "b ends", "a begins", "a ends"])
    assert await db.fetch_value("SELECT count(*) FROM anime") == 3


async def test_writing_past_an_open_transaction_is_refused_not_a_deadlock(db: SQLiteDatabase) -> None:
    async with db.transaction():
        with pytest.raises(RuntimeError, match="through the transaction"):
            await db.execute("INSERT INTO anime (key, title_romaji) VALUES ('a', 'A')")
        with pytest.raises(RuntimeError):
            async with db.transaction():
                pass
    assert await db.fetch_value("SELECT count(*) FROM anime") == 0


async def test_every_finished_write_counts(db: SQLiteDatabase) -> None:
    start = db.writes
    await db.execute("INSERT INTO anime (key, title_romaji) VALUES ('a', 'A')")
    async with db.transaction() as tx:
        await tx.execute("UPDATE anime SET studio = 'x'")
        assert db.writes == start + 1  # not finished yet
    with pytest.raises(KeyError):
        async with db.transaction():
            raise KeyError  # rolled back: still a write that ended (a cache read meanwhile is stale)
    assert db.writes == start + 3


async def test_a_path_sqlite_cannot_open_fails_clearly_and_starts_no_thread(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()

    def connection_threads() -> int:  # aiosqlite runs each connection on a thread of its own
        return sum("connection_worker" in thread.name for thread in threading.enumerate())

    threads = connection_threads()
    with pytest.raises(DatabaseError, match="Cannot open the database"):
        await Database.open(folder)
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database\n" * 100)
    with pytest.raises(DatabaseError, match="not a usable SQLite database"):
        await Database.open(garbage)
    await asyncio.sleep(0)
    assert connection_threads() == threads  # checked with the standard library before aiosqlite's thread starts
    async with await Database.open(tmp_path / "good.sqlite3"):
        assert connection_threads() == threads + 1  # (what the count counts)


async def test_migrations_from_more_folders_continue_the_numbering(tmp_path: Path) -> None:
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / f"{latest_version() + 1:04d}_notes.sql").write_text("CREATE TABLE note (id INTEGER PRIMARY KEY);\n")
    async with await Database.open(tmp_path / "k.sqlite3", migration_dirs=[extra]) as db:
        assert await db.schema_version() == latest_version() + 1 == len(load_migrations([extra]))
        assert await db.fetch_value("SELECT count(*) FROM note") == 0
    gap = tmp_path / "gap"
    gap.mkdir()
    (gap / f"{latest_version() + 2:04d}_late.sql").write_text("CREATE TABLE late (id INTEGER);\n")
    with pytest.raises(RuntimeError, match="out of sequence"):
        load_migrations([gap])
    # Opened later without the extra folder, the database is from "a newer kansou": refused, not damaged.
    with pytest.raises(DatabaseError, match="newer kansou"):
        await Database.open(tmp_path / "k.sqlite3")
