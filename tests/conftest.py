"""Fixtures shared by the whole suite: real SQLite files with the real migrations."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.catalogue.files import load_shipped_catalogue
from bot.catalogue.store import CatalogueStore
from bot.core.database import SQLiteDatabase


async def _build_catalogue_template(path: Path) -> None:
    async with await SQLiteDatabase.connect(path) as database:
        await load_shipped_catalogue(CatalogueStore(database))


@pytest.fixture(scope="session")
def catalogue_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the shipped catalogue loaded, built once per run and copied by tests."""
    path = tmp_path_factory.mktemp("template") / "catalogue.sqlite3"
    asyncio.run(_build_catalogue_template(path))
    return path


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SQLiteDatabase]:
    """An empty, fully migrated database in a temporary file."""
    async with await SQLiteDatabase.connect(tmp_path / "kansou.sqlite3") as database:
        yield database


@pytest.fixture
async def catalogue_db(tmp_path: Path, catalogue_template: Path) -> AsyncIterator[SQLiteDatabase]:
    """A fresh copy of the database with the shipped catalogue loaded (really loaded, by the real loader)."""
    path = tmp_path / "catalogue.sqlite3"
    shutil.copyfile(catalogue_template, path)
    async with await SQLiteDatabase.connect(path) as database:
        yield database
