"""Wiring shared by every entry point: open the database, load the shipped catalogue, build the services."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.anilist import AniListClient, make_http_client
from bot.catalogue.files import catalogue_files, file_digest, read_catalogue
from bot.catalogue.store import LoadReport
from bot.config import Settings
from bot.core.database import Database
from bot.ui.client import Services

log = logging.getLogger(__name__)


async def load_catalogue_file(db: Database, path: Path, *, force: bool = False) -> LoadReport:
    """Load one catalogue file; an unchanged file that was loaded before is skipped unless ``force``."""
    bundle = read_catalogue(path)
    digest = file_digest(path)
    return await db.catalogue.load_bundle(bundle, source=f"file:{path.name}", digest=None if force else digest)


async def load_shipped_catalogue(db: Database, folder: Path | None = None) -> list[tuple[Path, LoadReport]]:
    """Load the catalogue files that ship in ``data/catalogue`` (or ``folder``; idempotent, fast when unchanged)."""
    reports = []
    for path in catalogue_files(folder):
        report = await load_catalogue_file(db, path)
        if not report.skipped:
            log.info("loaded catalogue %s: %s", path.name, report.describe())
        reports.append((path, report))
    return reports


@asynccontextmanager
async def open_services(settings: Settings, *, db_path: Path | str | None = None) -> AsyncIterator[Services]:
    """Open the database (upgrading it), load the shipped catalogue and build the services; close on exit."""
    async with (
        await Database.open(db_path if db_path is not None else settings.db_path) as db,
        make_http_client(settings.anilist_timeout) as http,
    ):
        await load_shipped_catalogue(db, settings.catalogue_dir)
        anilist = None
        if settings.anilist_enabled:
            anilist = AniListClient(http, url=settings.anilist_url, per_minute=settings.anilist_per_minute)
        services = Services.build(settings, db, anilist)
        await services.ratings.start()
        try:
            yield services
        finally:
            await services.ratings.close()
