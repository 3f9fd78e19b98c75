"""Fixtures shared by the whole suite: real databases with the real migrations, on SQLite and on PostgreSQL.

The ``db`` and ``catalogue_db`` fixtures are SQLite files, except in the store and service tests (the folders in
``BOTH_ENGINES``, or a test marked ``both_engines``), which run once per engine: ``[sqlite]`` and
``[postgresql]``. PostgreSQL is a throwaway server started once per session (see tests/helpers/postgres.py).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.catalogue.files import load_shipped_catalogue
from bot.catalogue.store import CatalogueStore
from bot.core.database import Database, SQLiteDatabase
from tests.helpers.postgres import ENGINES, PostgresServer, start_server

# The tests of every store and service that reads or writes the database run on both engines.
BOTH_ENGINES = ("tests/catalogue/", "tests/ratings/", "tests/reviews/", "tests/data/", "tests/settings/",
                "tests/threads/", "tests/follows/")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the store tests once per engine."""
    if "engine" not in metafunc.fixturenames:
        return
    where = Path(str(metafunc.definition.fspath)).as_posix()
    if metafunc.definition.get_closest_marker("postgresql"):
        metafunc.parametrize("engine", ["postgresql"], indirect=True)
    elif metafunc.definition.get_closest_marker("both_engines") or any(f"/{p}" in where for p in BOTH_ENGINES):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a test's database runs on ("sqlite" unless the test is parametrised on both)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (skips locally, fails in CI, when there is none)."""
    url, stop = start_server()
    server = PostgresServer(url)
    try:
        yield server
    finally:
        server.drop_templates()
        stop()


async def _build_catalogue_template(target: Path | str) -> None:
    async with await Database.open(target) as database:
        await load_shipped_catalogue(CatalogueStore(database))


async def _build_empty_template(target: str) -> None:
    async with await Database.open(target):
        pass


@pytest.fixture(scope="session")
def catalogue_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the shipped catalogue loaded, built once per run and copied by tests."""
    path = tmp_path_factory.mktemp("template") / "catalogue.sqlite3"
    asyncio.run(_build_catalogue_template(path))
    return path


@pytest.fixture
def _empty_template(engine: str, request: pytest.FixtureRequest) -> str | None:
    """The PostgreSQL template of an empty database, made (synchronously) once per session; None on SQLite."""
    if engine != "postgresql":
        return None
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.template("empty", _build_empty_template)


@pytest.fixture
def postgres_catalogue_template(postgres: PostgresServer) -> str:
    """The name of the PostgreSQL template database with the shipped catalogue (made once per session)."""
    return postgres.template("catalogue", _build_catalogue_template)


@pytest.fixture
def _catalogue_source(engine: str, request: pytest.FixtureRequest) -> Path | str:
    """What a catalogue database is copied from: the SQLite template file or the PostgreSQL template's name."""
    if engine != "postgresql":
        path: Path = request.getfixturevalue("catalogue_template")
        return path
    return str(request.getfixturevalue("postgres_catalogue_template"))


@pytest.fixture
async def db(tmp_path: Path, engine: str, _empty_template: str | None,
             request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """An empty, fully migrated database: a temporary SQLite file, or a fresh PostgreSQL database."""
    if engine != "postgresql":
        async with await Database.open(tmp_path / "kansou.sqlite3") as database:
            yield database
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = await server.fresh(_empty_template)
    try:
        async with await Database.open(url) as database:
            yield database
    finally:
        await server.drop(url)


@pytest.fixture
async def catalogue_db(tmp_path: Path, engine: str, _catalogue_source: Path | str,
                       request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A fresh database with the shipped catalogue loaded (really loaded, by the real loader)."""
    if engine != "postgresql":
        path = tmp_path / "catalogue.sqlite3"
        shutil.copyfile(_catalogue_source, path)
        async with await Database.open(path) as database:
            yield database
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = await server.fresh(str(_catalogue_source))
    try:
        async with await Database.open(url) as database:
            yield database
    finally:
        await server.drop(url)


__all__ = ["SQLiteDatabase"]  # re-exported for tests that annotate with it
