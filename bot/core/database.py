"""Storage: one :class:`Database` owns the aiosqlite connection; repositories hold all of kansou's SQL."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.catalogue.store import CatalogueRepo
from bot.core.migrations import current_version, latest_version, migrate
from bot.errors import DatabaseError
from bot.ratings.store import RatingRepo
from bot.reviews.store import ReviewRepo

log = logging.getLogger(__name__)

__all__ = ["Database"]


class Database:
    """The kansou database: connection settings, migrations, the write lock and the repositories."""

    def __init__(self, conn: aiosqlite.Connection, path: Path | str) -> None:
        self.conn = conn
        self.path = path
        # One connection serves every coroutine, so write transactions take turns (BEGIN cannot nest).
        self.write_lock = asyncio.Lock()
        self.catalogue = CatalogueRepo(self)
        self.reviews = ReviewRepo(self)
        self.ratings = RatingRepo(self)

    @classmethod
    async def open(cls, path: Path | str, *, upgrade: bool = True) -> Database:
        """Open (creating if needed) and upgrade the database at ``path`` (or ``":memory:"``)."""
        if path != ":memory:":
            path = Path(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"Cannot create the folder for the database {path}: {exc.strerror}.") from None
        connecting = aiosqlite.connect(str(path), isolation_level=None)
        try:
            conn = await connecting
        except sqlite3.Error as exc:
            # aiosqlite stops its worker thread on the way out: let it finish while this event loop still
            # runs, or the thread dies with "Event loop is closed" (a traceback) when the program exits.
            await asyncio.to_thread(connecting._thread.join, 5.0)
            raise DatabaseError(f"Cannot open the database {path}: {exc}.") from None
        db = cls(conn, path)
        try:
            try:
                await db._configure()
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(f"{path} is not a usable SQLite database ({exc}).") from None
            if upgrade:
                try:
                    await migrate(conn)
                except sqlite3.Error as exc:
                    raise DatabaseError(
                        f"Upgrading the database {path} failed ({exc}); nothing was changed."
                    ) from exc
            elif await current_version(conn) > latest_version():
                await migrate(conn, target=0)  # raises the "newer version" error
        except BaseException:
            await conn.close()
            raise
        return db

    async def _configure(self) -> None:
        conn = self.conn
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 5000")
        async with conn.execute("PRAGMA journal_mode = WAL") as cur:
            await cur.fetchone()
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")

    async def close(self) -> None:
        """Checkpoint and close the connection."""
        try:
            await self.conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            log.debug("PRAGMA optimize failed at close", exc_info=True)
        await self.conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on error), one at a time."""
        async with self.write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def schema_version(self) -> int:
        """The schema version recorded in the file."""
        return await current_version(self.conn)

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: "ok" when the file is sound."""
        async with self.conn.execute("PRAGMA integrity_check") as cur:
            rows = await cur.fetchall()
        return "\n".join(str(r[0]) for r in rows)

    async def table_counts(self) -> dict[str, int]:
        """Row counts of kansou's tables, for ``kansou check``."""
        async with self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_fts%' ORDER BY name"
        ) as cur:
            names = [str(r[0]) for r in await cur.fetchall()]
        counts = {}
        for name in names:
            async with self.conn.execute(f'SELECT count(*) FROM "{name}"') as cur:  # names from sqlite_master
                row = await cur.fetchone()
            counts[name] = int(row[0]) if row else 0
        return counts
