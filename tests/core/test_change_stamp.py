"""The database's change stamp moves on every commit: this connection's own and another process's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.database import SQLiteDatabase


async def test_the_stamp_moves_on_every_commit_by_anyone(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    async with await SQLiteDatabase.connect(path) as db:
        start = await db.change_stamp()
        assert await db.change_stamp() == start  # nothing committed: the same stamp, so a cache is reused
        await db.execute("INSERT INTO review_counter (guild_id, last_number) VALUES (1, 1)")
        own = await db.change_stamp()
        assert own != start
        other = sqlite3.connect(path, isolation_level=None)  # another process's connection, as far as SQLite knows
        try:
            other.execute("UPDATE review_counter SET last_number = 2 WHERE guild_id = 1")
        finally:
            other.close()
        assert await db.change_stamp() != own
        assert db.writes == own[0]  # the write count alone would not have noticed
