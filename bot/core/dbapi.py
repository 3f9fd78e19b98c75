"""The database interface every store uses (engine-neutral), and how a database is opened.

Stores never see an engine's objects (an aiosqlite connection, an asyncpg pool): they call the five query methods
of :class:`Queries` — on the :class:`Database` itself, or on the :class:`Transaction` that
:meth:`Database.transaction` yields — and get back rows that can be read by position and by column name
(``sqlite3.Row`` on SQLite, ``asyncpg.Record`` on PostgreSQL). SQL uses ``?`` positional or ``:name``
parameters. Statements only one engine understands are marked where they are written, with a branch on
:attr:`Database.dialect`.

The engines live in :mod:`bot.core.database` (SQLite) and :mod:`bot.core.postgres` (PostgreSQL); each registers
how it opens a target with :func:`register_engine`, so this module imports neither.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeAlias

__all__ = ["Database", "Opener", "Params", "Queries", "Row", "Transaction", "register_engine"]

Row: TypeAlias = Any
"""One result row, indexable by position and by column name (``sqlite3.Row``, ``asyncpg.Record``)."""
Params: TypeAlias = Sequence[Any] | Mapping[str, Any]
"""Query parameters: a sequence for ``?`` placeholders, a mapping for ``:name`` ones."""


class Queries(abc.ABC):
    """The five ways a store talks to the database."""

    @abc.abstractmethod
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query."""

    @abc.abstractmethod
    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    @abc.abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement whose rows are not wanted (use a fetch method for ``RETURNING``); rows affected."""

    @abc.abstractmethod
    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter row."""


class Transaction(Queries, abc.ABC):
    """A write transaction: everything through it commits together, or nothing does."""


class Database(Queries, abc.ABC):
    """kansou's database: the query interface, write transactions (one writer at a time) and the engine's chores.

    Outside a transaction, each :meth:`execute` is a transaction of its own.
    """

    dialect: str
    """The engine's SQL dialect ("sqlite" or "postgresql"): branch on it only where the engines truly differ."""
    writes: int = 0
    """Grows when a write through this object ends (a transaction, committed or not, or a lone statement). Only
    this object's writes: a cache keys on :meth:`change_stamp`, which also moves on other processes' commits."""

    @classmethod
    async def open(
        cls, path: Path | str, *, upgrade: bool = True, migration_dirs: Sequence[Traversable] = ()
    ) -> Database:
        """Open (creating if needed) and upgrade the database at ``path`` (or ``":memory:"``).

        ``path`` is a file path, ``sqlite:///path``, or a ``postgresql://…`` URL (the PostgreSQL engine, in
        :mod:`bot.core.postgres`). ``migration_dirs`` are folders of numbered migrations beyond kansou's own
        (see :mod:`bot.core.migrations`).
        """
        target = str(path)
        scheme = "sqlite"
        if target.lower().startswith(("postgresql://", "postgres://")):
            scheme = "postgresql"
        elif target.startswith("sqlite:///"):  # sqlite:///relative/path or sqlite:////absolute/path
            path = target.removeprefix("sqlite:///")
        if scheme not in _ENGINES:
            raise RuntimeError(f"no {scheme} engine is registered (import bot.core.database, which registers both)")
        return await _ENGINES[scheme](path if scheme == "sqlite" else target, upgrade, migration_dirs)

    @abc.abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """``async with db.transaction() as tx:`` — BEGIN … COMMIT, ROLLBACK on an error; one at a time."""

    @abc.abstractmethod
    async def change_stamp(self) -> Any:
        """A value that differs whenever a write has been committed since it was taken — by any writer, this
        process or another on the same database — so a cache keyed on it is never stale. Take it before reading."""

    @abc.abstractmethod
    async def schema_version(self) -> int:
        """The schema version recorded in the database."""

    @abc.abstractmethod
    async def integrity_check(self) -> str:
        """The engine's own consistency check: "ok" when the database is sound."""

    @abc.abstractmethod
    async def table_counts(self) -> dict[str, int]:
        """Row counts of kansou's tables, for ``kansou check``."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Finish pending work and close."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


Opener: TypeAlias = Callable[[Path | str, bool, Sequence[Traversable]], Awaitable[Database]]
"""How an engine opens a target: (path or URL, upgrade, extra migration folders) → the open database."""

_ENGINES: dict[str, Opener] = {}


def register_engine(scheme: str, opener: Opener) -> None:
    """Make ``Database.open`` open targets of ``scheme`` ("sqlite", "postgresql") with ``opener``."""
    _ENGINES[scheme] = opener
