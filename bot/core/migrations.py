"""Numbered ``.sql`` migrations, applied in one transaction and recorded in ``PRAGMA user_version``."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

import aiosqlite

from bot.errors import DatabaseError

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One schema step: ``version`` is the number in its file name."""

    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """Every migration shipped in ``bot/core/migrations``, in order, checked to be 1, 2, 3, …"""
    found = []
    for entry in resources.files("bot.core").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {migration.version:04d} is out of sequence (expected {expected:04d})")
    return found


def latest_version() -> int:
    """The schema version this build of kansou writes."""
    return len(load_migrations())


async def current_version(conn: aiosqlite.Connection) -> int:
    """``PRAGMA user_version`` of an open database."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


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


def _check_version(version: int, known: int) -> None:
    if version > known:
        raise DatabaseError(
            f"This database has schema version {version}, but this kansou only knows up to {known}. "
            "It was written by a newer kansou: upgrade kansou, or restore an older backup."
        )


async def migrate(conn: aiosqlite.Connection, *, target: int | None = None) -> tuple[int, int]:
    """Bring the schema up to ``target`` (default: latest) in one transaction; return (before, after).

    The version is read inside the write transaction, so two processes opening a new database at the same
    moment cannot both apply the same migrations: the second waits, then finds nothing left to do.
    """
    migrations = load_migrations()
    target = len(migrations) if target is None else target
    _check_version(await current_version(conn), len(migrations))
    await conn.execute("BEGIN IMMEDIATE")
    try:
        before = await current_version(conn)
        _check_version(before, len(migrations))
        if before == 0:
            async with conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ) as cur:
                row = await cur.fetchone()
            if row and row[0]:
                raise DatabaseError("This file is an SQLite database, but not a kansou one (it has other tables).")
        pending = [m for m in migrations if before < m.version <= target]
        for migration in pending:
            for statement in split_statements(migration.sql):
                await conn.execute(statement)
        if pending:
            await conn.execute(f"PRAGMA user_version = {pending[-1].version}")
        await conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise
    if not pending:
        return before, before
    log.info("database schema upgraded from version %d to %d", before, pending[-1].version)
    return before, pending[-1].version
