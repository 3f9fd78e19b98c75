"""The SQLite engine of the database interface (:mod:`bot.core.dbapi`), re-exported here with it.

Stores import ``Database``, ``Queries``, ``Row`` … from this module; importing it registers both engines
(SQLite here, PostgreSQL from :mod:`bot.core.postgres`, whose driver is imported only when it is used).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core import migrations
from bot.core.dbapi import Database, Params, Queries, Row, Transaction, register_engine
from bot.core.postgres import PostgresDatabase
from bot.errors import DatabaseError

log = logging.getLogger(__name__)

__all__ = ["Database", "Params", "PostgresDatabase", "Queries", "Row", "SQLiteDatabase", "Transaction"]

BUSY_TIMEOUT_MS = 5000
# Acknowledged means durable: with FULL, WAL mode fsyncs the log at every commit, so a write the bot has answered
# survives a power cut (NORMAL can lose the last commits then). The group-commit writer shares one commit — and
# its fsync — among every rating waiting at that moment; bench/durability.py measures what FULL costs.
SYNCHRONOUS = "FULL"


class _SQLiteQueries(Queries):
    """The query methods over one aiosqlite connection (each a single round trip to its thread)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query."""
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; rows affected."""
        # Not closed through a second round trip: a statement without RETURNING is finished once it has run.
        cursor = await self._conn.execute(sql, params)
        return max(cursor.rowcount, 0)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter row."""
        await self._conn.executemany(sql, rows)


class _SQLiteTransaction(_SQLiteQueries, Transaction):
    """A transaction on the engine's one connection (held by the writer lock while it is open)."""


def _probe(path: str) -> None:
    """Open the file once with the standard library, so a path SQLite cannot use fails here, clearly.

    aiosqlite starts a thread per connection; surfacing the errors before it starts keeps a failed open from
    leaving that thread behind.
    """
    try:
        conn = sqlite3.connect(path)
    except sqlite3.Error as exc:
        raise DatabaseError(f"Cannot open the database {path}: {exc}.") from None
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable SQLite database ({exc}).") from None
    finally:
        conn.close()


class SQLiteDatabase(_SQLiteQueries, Database):
    """The SQLite engine: one aiosqlite connection in WAL mode; write transactions take turns on it."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path | str, *, synchronous: str = SYNCHRONOUS) -> None:
        super().__init__(conn)
        self.path = path
        self.synchronous = synchronous
        # One connection serves every coroutine, so write transactions take turns (BEGIN cannot nest).
        self._writer = asyncio.Lock()
        self._writing: asyncio.Task[Any] | None = None  # the task whose transaction is open
        self.writes = 0

    @classmethod
    async def connect(
        cls, path: Path | str, *, upgrade: bool = True, migration_dirs: Sequence[Traversable] = (),
        synchronous: str = SYNCHRONOUS,
    ) -> SQLiteDatabase:
        """Open (creating if needed) and upgrade the SQLite file at ``path`` (or ``":memory:"``).

        ``synchronous`` is SQLite's setting of that name; anything but the durable default is for benchmarks.
        """
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"unknown synchronous setting {synchronous!r}")
        if path != ":memory:":
            path = Path(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"Cannot create the folder for the database {path}: {exc.strerror}.") from None
            await asyncio.to_thread(_probe, str(path))
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as exc:  # the file changed since the probe
            raise DatabaseError(f"Cannot open the database {path}: {exc}.") from None
        db = cls(conn, path, synchronous=synchronous)
        try:
            try:
                await db._configure()
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(f"{path} is not a usable SQLite database ({exc}).") from None
            await migrations.bring_up_to_date(db, migrations.load_migrations(migration_dirs), upgrade=upgrade,
                                              engine_errors=sqlite3.Error, where=str(path))
        except BaseException:
            await conn.close()
            raise
        return db

    async def _configure(self) -> None:
        conn = self._conn
        conn.row_factory = sqlite3.Row
        # SQLite only: the connection's settings.
        await self.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await self.fetch_all("PRAGMA journal_mode = WAL")
        await self.execute(f"PRAGMA synchronous = {self.synchronous}")  # one of four names, checked in connect
        await self.execute("PRAGMA foreign_keys = ON")

    def _not_inside_a_transaction(self) -> None:
        if self._writing is not None and self._writing is asyncio.current_task():
            # It would wait for its own transaction forever.
            raise RuntimeError("inside a transaction, write through the transaction, not the database")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement as a transaction of its own (waiting for an open one to finish); rows affected."""
        self._not_inside_a_transaction()
        async with self._writer:
            try:
                return await super().execute(sql, params)
            finally:
                self.writes += 1

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement per parameter row, all in one transaction of their own."""
        async with self.transaction() as tx:
            await tx.execute_many(sql, rows)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Transaction]:
        self._not_inside_a_transaction()
        async with self._writer:
            self._writing = asyncio.current_task()
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield _SQLiteTransaction(self._conn)
                except BaseException:
                    if self._conn.in_transaction:  # an error may have ended it already
                        await self._conn.execute("ROLLBACK")
                    raise
                else:
                    await self._conn.execute("COMMIT")
            finally:
                self._writing = None
                self.writes += 1

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A write transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on error), one at a time."""
        return self._transaction()

    async def change_stamp(self) -> tuple[int, int]:
        """This object's write count and SQLite's ``PRAGMA data_version``.

        ``data_version`` is per connection: it moves when *another* connection (another process) commits, and not
        on this connection's own commits — which :attr:`writes` counts. Together they move on every commit.
        """
        # SQLite only: PRAGMA data_version.
        return self.writes, int(await self.fetch_value("PRAGMA data_version"))

    async def schema_version(self) -> int:
        """The schema version recorded in the file (SQLite keeps it in ``PRAGMA user_version``)."""
        return int(await self.fetch_value("PRAGMA user_version") or 0)

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: "ok" when the file is sound."""
        return "\n".join(str(r[0]) for r in await self.fetch_all("PRAGMA integrity_check"))

    async def table_counts(self) -> dict[str, int]:
        """Row counts of kansou's tables (the search index's internals left out)."""
        names = [str(r[0]) for r in await self.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%_fts%' ORDER BY name"
        )]
        # Table names come from sqlite_master, not from anyone's input.
        return {name: int(await self.fetch_value(f'SELECT count(*) FROM "{name}"') or 0) for name in names}

    async def close(self) -> None:
        """Let SQLite refresh its statistics, then close (the last connection checkpoints the WAL)."""
        try:
            await self._conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            log.debug("PRAGMA optimize failed at close", exc_info=True)
        await self._conn.close()


async def _open_sqlite(path: Path | str, upgrade: bool, migration_dirs: Sequence[Traversable]) -> Database:
    return await SQLiteDatabase.connect(path, upgrade=upgrade, migration_dirs=migration_dirs)


async def _open_postgres(url: Path | str, upgrade: bool, migration_dirs: Sequence[Traversable]) -> Database:
    return await PostgresDatabase.connect(str(url), upgrade=upgrade, migration_dirs=migration_dirs)


register_engine("sqlite", _open_sqlite)
register_engine("postgresql", _open_postgres)
