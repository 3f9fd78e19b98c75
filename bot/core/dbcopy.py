"""``kansou db copy SQLITE_PATH postgresql://…``: move a community's SQLite database into PostgreSQL.

Every table of the SQLite file is copied — the list comes from the file's own schema, never from a list written
here, so a table a later migration adds is copied too (and a table without a PostgreSQL form is refused before
anything is written). Tables go in foreign-key order, all in one PostgreSQL transaction, with the target's own
triggers off while they are filled (the aggregates are copied as they are, then checked), identity sequences
moved past the copied ids, and the row count of every table compared at the end.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core import migrations
from bot.core.postgres import PostgresDatabase, copy_records, redact
from bot.errors import DatabaseError

log = logging.getLogger(__name__)

__all__ = ["SEEDED", "CopyReport", "copy_database", "source_tables"]

SEEDED = {"rating_category": "guild_id = 0"}
"""Rows the migrations themselves put in a new database (every server's default categories): a target holding
only these is still empty; they are replaced by the source's."""

_CHUNK = 5000


@dataclass
class CopyReport:
    """What was copied: rows per table, in the order they were copied."""

    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> list[str]:
        """One line per table."""
        width = max((len(name) for name in self.counts), default=0)
        return [f"  {name:<{width}}  {count} rows" for name, count in self.counts.items()]


def _connect(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise DatabaseError(f"There is no SQLite database at {path}.")
    try:
        # Read in worker threads (so the event loop keeps serving): the connection is not tied to one.
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable SQLite database ({exc}).") from None
    return conn


def source_tables(conn: sqlite3.Connection) -> list[str]:
    """The SQLite file's tables (the search index's internals left out), parents before children."""
    names = [str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '%_fts' AND name NOT LIKE '%_fts_%' ORDER BY name")]
    parents = {name: {str(r[2]) for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')} & set(names)
               for name in names}  # table names come from sqlite_master
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= {*ordered, n}]
        if not ready:
            raise DatabaseError("The SQLite database's foreign keys form a cycle; it cannot be copied in order.")
        ordered += ready
    return ordered


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _converter(pg_type: str) -> Callable[[Any], Any]:
    """How a SQLite value becomes what asyncpg expects for a column of ``pg_type``."""
    if pg_type in ("bigint", "integer", "smallint"):
        return lambda v: None if v is None else int(v)
    if pg_type in ("double precision", "real", "numeric"):
        return lambda v: None if v is None else float(v)
    if pg_type == "boolean":
        return lambda v: None if v is None else bool(v)
    return lambda v: None if v is None else (v if isinstance(v, str) else str(v)).replace("\x00", "")


async def copy_database(source: Path, target_url: str, *, progress: Callable[[str], None] = log.info) -> CopyReport:
    """Copy every table of the SQLite database ``source`` into the empty PostgreSQL database ``target_url``.

    Refuses (``DatabaseError``, nothing written) a source written by another kansou version than this one, a
    table without a PostgreSQL form, and a target that already holds data.
    """
    conn = _connect(source)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        latest = migrations.latest_version()
        if version != latest:
            raise DatabaseError(
                f"{source} has schema version {version}, this kansou writes {latest}: "
                + ("start this kansou on it once (it upgrades the file), then copy it." if version < latest
                   else "it was written by a newer kansou; copy it with that one.")
            )
        tables = source_tables(conn)
        async with await PostgresDatabase.connect(target_url) as db:
            import asyncpg  # noqa: PLC0415  # present: the connection above needed it

            try:
                return await _copy(conn, tables, db, target_url, progress)
            except asyncpg.PostgresError as exc:
                raise DatabaseError(f"Copying into {redact(target_url)} failed ({exc}); nothing was kept.") from exc
    finally:
        conn.close()


async def _copy(conn: sqlite3.Connection, tables: Sequence[str], db: PostgresDatabase, target_url: str,
                progress: Callable[[str], None]) -> CopyReport:
    where = redact(target_url)
    types: dict[str, dict[str, str]] = {}
    for row in await db.fetch_all(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    ):
        types.setdefault(str(row[0]), {})[str(row[1])] = str(row[2])
    types.pop("kansou_schema", None)
    missing = [t for t in tables if t not in types]
    extra = [t for t in types if t not in tables]
    if missing or extra:
        raise DatabaseError(
            f"The databases' tables differ: only in the SQLite file: {', '.join(missing) or 'none'}; only in "
            f"{where}: {', '.join(extra) or 'none'}. Each migration needs its PostgreSQL form (see CONTRIBUTING.md)."
        )
    for table in tables:
        if set(_columns(conn, table)) != set(types[table]):
            raise DatabaseError(f"The table {table} has other columns in the SQLite file than in {where}.")
    for table in tables:
        seeded = f" AND NOT ({SEEDED[table]})" if table in SEEDED else ""
        if await db.fetch_value(f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE true{seeded})'):
            raise DatabaseError(
                f"{where} is not empty (its table {table} has rows): `kansou db copy` only fills a new, empty "
                "database, so nothing is overwritten."
            )
    report = CopyReport()
    async with db.transaction() as tx:
        for table in tables:
            columns = _columns(conn, table)
            convert = [_converter(types[table][c]) for c in columns]
            # The aggregates are copied as they are, so no trigger may count the votes a second time.
            await tx.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            if table in SEEDED:
                await tx.execute(f'DELETE FROM "{table}" WHERE {SEEDED[table]}')
            cursor = conn.execute(f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} FROM "{table}"')
            copied = 0
            while chunk := await asyncio.to_thread(cursor.fetchmany, _CHUNK):
                records = [tuple(f(v) for f, v in zip(convert, row, strict=True)) for row in chunk]
                await copy_records(tx, table, columns, records)
                copied += len(records)
            await tx.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
            report.counts[table] = copied
            progress(f"copied {table}: {copied} rows")
        # Identity columns: the next id comes after the largest copied one.
        for row in await tx.fetch_all(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ):
            table, column = str(row[0]), str(row[1])
            await tx.fetch_value(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                f'coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)'
            )
    counted = await db.table_counts()
    source = {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
    wrong = [f"{t}: {source[t]} in the SQLite file, {counted.get(t)} copied" for t in tables
             if counted.get(t) != source[t]]
    if wrong:
        raise DatabaseError("The copy does not match the source: " + "; ".join(wrong) + ".")
    return report
