"""Numbered ``.sql`` migrations, applied in one transaction and recorded as the schema version.

kansou's migrations live in ``migrations/`` beside this module: ``0001_catalogue.sql``, ``0002_reviews.sql`` …
Each number is used once and they run in order; the schema version is the number of the last one applied
(SQLite keeps it in ``PRAGMA user_version``). A feature that needs tables adds the next number. Further
folders (a feature that lives elsewhere, a test's feature) can be given to :func:`load_migrations`: their files
are numbered in the same sequence.

PostgreSQL (:mod:`bot.core.postgres`) runs the same numbers from each folder's ``postgresql/`` subfolder:
``migrations/postgresql/0001_catalogue.sql`` is the PostgreSQL form of ``migrations/0001_catalogue.sql``
(same number, same name; a test checks every migration has both forms). There the version is the largest
number in the table ``kansou_schema``; each migration is one transaction, run under an advisory lock.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Protocol

from bot.errors import DatabaseError

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class _Statements(Protocol):
    """What running migrations needs of a transaction (``bot.core.database.Transaction`` has it)."""

    async def fetch_value(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...

    async def execute(self, sql: str, params: Sequence[Any] = ..., /) -> int: ...


class _Migratable(Protocol):
    """What running migrations needs of a database (``bot.core.database.Database`` has it)."""

    dialect: str

    async def schema_version(self) -> int: ...

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...


@dataclass(frozen=True)
class Migration:
    """One schema step: ``version`` is the number in its file name."""

    version: int
    name: str
    sql: str


def kansou_migrations() -> Traversable:
    """The folder of kansou's own migrations (shipped in the package)."""
    return resources.files("bot.core").joinpath("migrations")


def load_migrations(extra: Sequence[Traversable] = (), *, dialect: str = "sqlite") -> list[Migration]:
    """Every migration in kansou's folder and in ``extra``, in order, checked to be numbered 1, 2, 3, …

    ``dialect="postgresql"``: the PostgreSQL forms, from each folder's ``postgresql/`` subfolder.
    """
    found = []
    for folder in (kansou_migrations(), *extra):
        if dialect == "postgresql":
            forms = folder.joinpath("postgresql")
            if not forms.is_dir():
                if any(_NAME.match(entry.name) for entry in folder.iterdir()):
                    raise RuntimeError(f"the migrations in {folder} have no PostgreSQL forms (a postgresql/ folder "
                                       "beside them, see CONTRIBUTING.md)")
                continue
            folder = forms
        for entry in folder.iterdir():
            match = _NAME.match(entry.name)
            if match:
                found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {migration.version:04d} ({migration.name}) is out of sequence "
                               f"(expected {expected:04d})")
    return found


def latest_version(extra: Sequence[Traversable] = (), *, dialect: str = "sqlite") -> int:
    """The schema version this build of kansou writes."""
    return len(load_migrations(extra, dialect=dialect))


def split_statements(sql: str) -> list[str]:
    """The statements of a migration, one by one (a trigger's ``BEGIN … END`` stays whole)."""
    statements: list[str] = []
    current = ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip() and not all(
                part.strip().startswith("--") or not part.strip() for part in current.splitlines()
            ):
                statements.append(current.strip())
            current = ""
    if current.strip() and not all(p.strip().startswith("--") or not p.strip() for p in current.splitlines()):
        raise RuntimeError(f"an incomplete statement ends a migration: {current.strip()[:80]!r}")
    return statements


def check_version(version: int, known: int) -> None:
    """Refuse a database written by a newer kansou (``DatabaseError``)."""
    if version > known:
        raise DatabaseError(
            f"This database has schema version {version}, but this kansou only knows up to {known}. "
            "It was written by a newer kansou: upgrade kansou, or restore an older backup."
        )


async def migrate(db: _Migratable, migrations: Sequence[Migration] | None = None, *,
                  target: int | None = None) -> tuple[int, int]:
    """Bring the schema up to ``target`` (default: the last of ``migrations``) in one transaction; (before, after).

    The version is read inside the write transaction, so two processes opening a new database at the same
    moment cannot both apply the same migrations: the second waits, then finds nothing left to do.
    """
    migrations = load_migrations(dialect=db.dialect) if migrations is None else migrations
    target = len(migrations) if target is None else target
    check_version(await db.schema_version(), len(migrations))
    if db.dialect == "postgresql":
        return await _migrate_postgres(db, migrations, target)
    async with db.transaction() as transaction:
        tx: _Statements = transaction
        # SQLite only: the version lives in PRAGMA user_version, the tables in sqlite_master.
        before = int(await tx.fetch_value("PRAGMA user_version") or 0)
        check_version(before, len(migrations))
        if before == 0 and await tx.fetch_value(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ):
            raise DatabaseError("This file is an SQLite database, but not a kansou one (it has other tables).")
        pending = [m for m in migrations if before < m.version <= target]
        for migration in pending:
            for statement in split_statements(migration.sql):
                await tx.execute(statement)
        if pending:
            await tx.execute(f"PRAGMA user_version = {pending[-1].version}")
    if not pending:
        return before, before
    log.info("database schema upgraded from version %d to %d", before, pending[-1].version)
    return before, pending[-1].version


async def bring_up_to_date(db: _Migratable, known: Sequence[Migration], *, upgrade: bool,
                           engine_errors: type[Exception] | tuple[type[Exception], ...], where: str) -> None:
    """What every engine does on opening: apply the pending migrations (``upgrade``), or only refuse a newer schema.

    An engine's own error while upgrading (``engine_errors``) becomes ``DatabaseError`` naming ``where``.
    """
    if not upgrade:
        check_version(await db.schema_version(), len(known))
        return
    try:
        await migrate(db, known)
    except engine_errors as exc:
        raise DatabaseError(f"Upgrading the database {where} failed ({exc}); nothing was changed.") from exc


SCHEMA_LOCK = 0x6B616E736F75  # "kansou": the advisory lock every kansou process takes to read/upgrade the schema


async def _migrate_postgres(db: _Migratable, migrations: Sequence[Migration], target: int) -> tuple[int, int]:
    """PostgreSQL: one transaction per migration, each reading the version under an advisory lock.

    Two processes starting at once take turns on the lock; the second finds the work done.
    """
    before: int | None = None
    current = 0
    while True:
        async with db.transaction() as transaction:
            tx: _Statements = transaction
            await tx.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            exists = await tx.fetch_value("SELECT to_regclass('kansou_schema') IS NOT NULL")
            current = int(await tx.fetch_value("SELECT coalesce(max(version), 0) FROM kansou_schema") or 0) \
                if exists else 0
            if not exists and await tx.fetch_value(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            ):
                raise DatabaseError("This is a PostgreSQL database, but not a kansou one (it has other tables).")
            check_version(current, len(migrations))
            before = current if before is None else before
            step = next((m for m in migrations if m.version == current + 1 and m.version <= target), None)
            if step is None:
                break
            if not exists:
                await tx.execute(
                    "CREATE TABLE kansou_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
            await tx.execute(step.sql)  # the whole file: PostgreSQL runs several statements in one call
            await tx.execute("INSERT INTO kansou_schema (version, name) VALUES (?, ?)", (step.version, step.name))
    if before == current:
        return current, current
    log.info("database schema upgraded from version %d to %d", before, current)
    return before, current
