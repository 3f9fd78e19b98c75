"""The PostgreSQL engine: the :class:`~bot.core.database.Database` interface over an asyncpg pool.

Selected by ``KANSOU_DB=postgresql://…`` (or ``postgres://…``); asyncpg is the optional extra ``postgres``.
Stores write SQL with ``?`` or ``:name`` parameters; each SQL text is translated once (cached) to asyncpg's
``$1, $2 …``. Rows are ``asyncpg.Record``: read by position and by column name, like ``sqlite3.Row``.

Writes are not serialised by a lock in this process: PostgreSQL's own row locks do that, across every process
sharing the database. The "one transaction per task" rule is kept (a task inside a transaction must write
through it), so code that is right on SQLite is right here too.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from bot.core import migrations
from bot.core.dbapi import Database, Params, Queries, Row, Transaction
from bot.errors import DatabaseError

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

__all__ = ["PostgresDatabase", "is_postgres_url", "translate"]

POOL_MIN = 1
POOL_MAX = 10
"""Connections per process: enough for the group-commit writer, reads in parallel and a few transactions."""

_URL = re.compile(r"^postgres(ql)?://", re.IGNORECASE)


def is_postgres_url(target: object) -> bool:
    """Whether a ``KANSOU_DB`` value names a PostgreSQL database (``postgresql://…`` or ``postgres://…``)."""
    return isinstance(target, str) and bool(_URL.match(target))


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, tuple[str, ...] | int]:
    """``?`` / ``:name`` placeholders → ``$n``; the parameter names in order (``:name``) or the ``?`` count.

    String literals, quoted identifiers, comments, ``::`` casts and dollar-quoted bodies are left alone.
    The same ``:name`` used twice becomes the same ``$n``.
    """
    out: list[str] = []
    names: list[str] = []
    count = 0
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = sql.find(c, i + 1)
            while end != -1 and end + 1 < n and sql[end + 1] == c:  # a doubled quote inside
                end = sql.find(c, end + 2)
            end = n - 1 if end == -1 else end
            out.append(sql[i : end + 1])
            i = end + 1
        elif c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end])
            i = end
        elif c == "$" and (m := re.match(r"\$[A-Za-z_]*\$", sql[i:])):
            tag = m.group(0)
            end = sql.find(tag, i + len(tag))
            end = n if end == -1 else end + len(tag)
            out.append(sql[i:end])
            i = end
        elif c == "?":
            count += 1
            out.append(f"${count}")
            i += 1
        elif c == ":" and sql.startswith("::", i):
            out.append("::")
            i += 2
        elif c == ":" and (m := re.match(r":([A-Za-z_]\w*)", sql[i:])) and (i == 0 or sql[i - 1] != ":"):
            name = m.group(1)
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    if names and count:
        raise ValueError("a statement mixes ? and :name parameters")
    return "".join(out), (tuple(names) if names else count)


def _clean(value: Any) -> Any:
    """A parameter as PostgreSQL can take it: its text cannot hold U+0000 (SQLite's can), so that is dropped.

    (Discord shows nothing for it either; everything else round-trips exactly.)
    """
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _positional(shape: tuple[str, ...] | int, params: Params) -> list[Any]:
    if isinstance(params, Mapping):
        names = shape if isinstance(shape, tuple) else ()
        return [_clean(params[name]) for name in names]
    return [_clean(value) for value in params]


def _args(sql: str, params: Params) -> tuple[str, list[Any]]:
    """The translated SQL and its positional arguments."""
    text, shape = translate(sql)
    return text, _positional(shape, params)


def _rowcount(status: str) -> int:
    """Rows affected, from a command status such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1] if status else ""
    return int(last) if last.isdigit() else 0


class _PostgresQueries(Queries):
    """The query methods over one asyncpg connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query."""
        text, args = _args(sql, params)
        return list(await self._conn.fetch(text, *args))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        text, args = _args(sql, params)
        return await self._conn.fetchrow(text, *args)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement (several, separated by ``;``, when there are no parameters); rows affected."""
        if not params:
            return _rowcount(await self._conn.execute(sql))
        text, args = _args(sql, params)
        return _rowcount(await self._conn.execute(text, *args))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter row."""
        text, shape = translate(sql)
        args = [_positional(shape, row) for row in rows]
        if args:
            await self._conn.executemany(text, args)


class _PostgresTransaction(_PostgresQueries, Transaction):
    """A transaction on one connection taken from the pool."""


async def copy_records(tx: Transaction, table: str, columns: Sequence[str], records: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL only: bulk-load rows into ``table`` with COPY, inside ``tx`` (for ``kansou db copy``)."""
    if not isinstance(tx, _PostgresTransaction):
        raise TypeError("copy_records needs a PostgreSQL transaction")
    await tx._conn.copy_records_to_table(table, records=records, columns=list(columns))


class PostgresDatabase(Database):
    """The PostgreSQL engine: an asyncpg pool; each transaction on a connection of its own."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = url
        self.path = redact(url)
        self._writing: set[asyncio.Task[Any]] = set()  # tasks whose transaction is open
        self.writes = 0

    @classmethod
    async def connect(
        cls, url: str, *, upgrade: bool = True, migration_dirs: Sequence[Traversable] = (),
        min_size: int = POOL_MIN, max_size: int = POOL_MAX,
    ) -> PostgresDatabase:
        """Connect to the PostgreSQL database at ``url`` and upgrade its schema."""
        try:
            import asyncpg  # noqa: PLC0415  # an optional extra: only needed when PostgreSQL is chosen
        except ImportError:
            raise DatabaseError(
                "KANSOU_DB names a PostgreSQL database, but asyncpg is not installed: "
                "pip install 'kansou[postgres]' (or -e '.[postgres]' in a checkout)."
            ) from None
        where = redact(url)
        try:
            pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size)
        except (OSError, asyncpg.PostgresError, ValueError) as exc:
            raise DatabaseError(f"Cannot connect to the PostgreSQL database {where}: {exc}.") from None
        db = cls(pool, url)
        try:
            await migrations.bring_up_to_date(db, migrations.load_migrations(migration_dirs, dialect=cls.dialect),
                                              upgrade=upgrade, engine_errors=asyncpg.PostgresError, where=where)
        except BaseException:
            await pool.close()
            raise
        return db

    def _not_inside_a_transaction(self) -> None:
        if asyncio.current_task() in self._writing:
            raise RuntimeError("inside a transaction, write through the transaction, not the database")

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query (on any free connection)."""
        text, args = _args(sql, params)
        return list(await self._pool.fetch(text, *args))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        text, args = _args(sql, params)
        return await self._pool.fetchrow(text, *args)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement as a transaction of its own; rows affected."""
        self._not_inside_a_transaction()
        try:
            async with self._pool.acquire() as conn:
                return await _PostgresQueries(conn).execute(sql, params)
        finally:
            self.writes += 1

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement per parameter row, all in one transaction of their own."""
        async with self.transaction() as tx:
            await tx.execute_many(sql, rows)

    @asynccontextmanager
    async def _transaction(self, *, readonly: bool = False) -> AsyncIterator[Transaction]:
        self._not_inside_a_transaction()
        task = asyncio.current_task()
        assert task is not None
        self._writing.add(task)
        try:
            async with self._pool.acquire() as conn, conn.transaction(readonly=readonly):
                yield _PostgresTransaction(conn)
        finally:
            self._writing.discard(task)
            if not readonly:
                self.writes += 1

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A transaction (BEGIN … COMMIT, ROLLBACK on error) on a connection of its own."""
        return self._transaction()

    def read_only(self) -> AbstractAsyncContextManager[Transaction]:
        """A read-only transaction (``kansou check``: nothing it runs can change the database)."""
        return self._transaction(readonly=True)

    async def change_stamp(self) -> str:
        """The server's current snapshot (``pg_current_snapshot()``, as text): it moves on every commit, anywhere.

        A snapshot (xmin, xmax and the transactions then in progress) decides exactly which transactions a read
        sees, and commits only ever add to that set: two equal stamps mean no transaction committed between them,
        so whatever was read after the first is what a read after the second would see — exact, whichever process
        wrote. And cheap: one read of the server's in-memory transaction table, nothing written, so writers pay
        nothing (a counter row bumped by triggers would serialise every vote on that row; a sequence moves before
        its transaction commits, so a read in between would cache stale rows under the new value). It also moves
        on commits that change no cached data (any table, any database of the server): that costs a re-read,
        never a stale answer.
        """
        # PostgreSQL only (13+): pg_current_snapshot(); cast to text, as asyncpg has no codec for pg_snapshot.
        return str(await self.fetch_value("SELECT pg_current_snapshot()::text"))

    async def schema_version(self) -> int:
        """The schema version recorded in ``kansou_schema`` (0 for a database kansou never wrote)."""
        if await self.fetch_value("SELECT to_regclass('kansou_schema')") is None:
            return 0
        return int(await self.fetch_value("SELECT coalesce(max(version), 0) FROM kansou_schema") or 0)

    async def integrity_check(self) -> str:
        """"ok" when the server answers a read of the schema (PostgreSQL keeps its own files consistent)."""
        await self.schema_version()
        return "ok"

    async def table_counts(self) -> dict[str, int]:
        """Row counts of kansou's tables (the version table left out)."""
        names = [str(r[0]) for r in await self.fetch_all(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'kansou_schema' "
            "ORDER BY tablename"
        )]
        # Table names come from the catalogue, not from anyone's input.
        return {name: int(await self.fetch_value(f'SELECT count(*) FROM "{name}"') or 0) for name in names}

    async def summary(self) -> tuple[int, dict[str, int]]:
        """The schema version and each table's row count, read in one read-only transaction (``kansou check``)."""
        async with self.read_only() as tx:
            if await tx.fetch_value("SELECT to_regclass('kansou_schema')") is None:
                version = 0
            else:
                version = int(await tx.fetch_value("SELECT coalesce(max(version), 0) FROM kansou_schema") or 0)
            names = [str(r[0]) for r in await tx.fetch_all(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'kansou_schema' ORDER BY tablename"
            )]
            # Table names come from the catalogue, not from anyone's input.
            counts = {name: int(await tx.fetch_value(f'SELECT count(*) FROM "{name}"') or 0) for name in names}
        return version, counts

    async def close(self) -> None:
        """Close every connection of the pool."""
        await self._pool.close()
