"""Numbered ``.sql`` migrations, applied in one transaction and recorded in ``PRAGMA user_version``."""

from __future__ import annotations

import logging
import re
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
    """Every migration shipped in ``bot/storage/migrations``, in order, checked to be 1, 2, 3, …"""
    found = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
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


async def migrate(conn: aiosqlite.Connection, *, target: int | None = None) -> tuple[int, int]:
    """Bring the schema up to ``target`` (default: latest) in one transaction; return (before, after)."""
    migrations = load_migrations()
    target = len(migrations) if target is None else target
    before = await current_version(conn)
    if before > len(migrations):
        raise DatabaseError(
            f"This database has schema version {before}, but this kansou only knows up to {len(migrations)}. "
            "It was written by a newer kansou: upgrade kansou, or restore an older backup."
        )
    if before == 0:
        async with conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            row = await cur.fetchone()
        if row and row[0]:
            raise DatabaseError("This file is an SQLite database, but not a kansou one (it has other tables).")
    pending = [m for m in migrations if before < m.version <= target]
    if not pending:
        return before, before
    script = "BEGIN IMMEDIATE;\n"
    for m in pending:
        script += f"-- {m.version:04d}_{m.name}\n{m.sql}\n"
    script += f"PRAGMA user_version = {pending[-1].version};\nCOMMIT;\n"
    try:
        await conn.executescript(script)
    except Exception:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise
    log.info("database schema upgraded from version %d to %d", before, pending[-1].version)
    return before, pending[-1].version
