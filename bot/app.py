"""Wiring, once — settings → database → HTTP client → AniList → catalogue → :class:`~bot.shared.Core` → bot — and
what each ``kansou`` sub-command that needs it does (talking to Discord is the bot's own business: ``bot.ui``).

:func:`open_core` is the one way to the shared core: ``kansou run`` and ``sync``, the CLI's catalogue commands,
the sandbox and the tests all go through it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources.abc import Traversable
from pathlib import Path

from bot.anilist import AniListClient, make_http_client
from bot.anilist.enrich import AniListEnricher
from bot.catalogue.files import load_catalogue_file, load_shipped_catalogue
from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.catalogue.title_store import TitleStore
from bot.catalogue.titles import file_digest, read_release
from bot.config import Settings
from bot.core.backups import daily_backups
from bot.core.database import Database
from bot.errors import ConfigError
from bot.shared import Core
from bot.ui.client import KansouBot, point_discord_py_at

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_core(settings: Settings, *, db_path: Path | str | None = None,
                    migration_dirs: Sequence[Traversable] = ()) -> AsyncIterator[Core]:
    """Open the database (upgrading it), load the shipped catalogue, connect AniList; close it all on exit.

    ``migration_dirs``: migrations beyond kansou's own (a feature kept outside ``bot/``; see CONTRIBUTING.md).
    """
    path = db_path if db_path is not None else settings.db_target
    async with (
        await Database.open(path, migration_dirs=migration_dirs) as db,
        make_http_client(settings.anilist_timeout) as http,
    ):
        store = CatalogueStore(db)
        titles = TitleStore(db)
        await load_shipped_catalogue(store, settings.catalogue_dir)
        anilist = enricher = None
        if settings.anilist_enabled:
            anilist = AniListClient(http, url=settings.anilist_url, per_minute=settings.anilist_per_minute)
            enricher = AniListEnricher(anilist, store, max_age_days=settings.anilist_max_age_days,
                                       member_cooldown=settings.lookup_cooldown, titles=titles)
        yield Core(settings, db, CatalogueService(store, enricher, titles), anilist)


def _apply_endpoints(settings: Settings) -> None:
    if settings.api_base or settings.gateway_url:
        point_discord_py_at(settings.api_base, settings.gateway_url)
        log.info("using Discord API at %s, gateway at %s", settings.api_base or "discord.com",
                 settings.gateway_url or "Discord's")


def _sqlite_backup_dir(settings: Settings) -> Path | None:
    """Where daily backups go: nowhere on PostgreSQL, whose backups are pg_dump's job."""
    if settings.db_url is not None and settings.backup_dir is not None:
        log.warning("KANSOU_BACKUP_DIR is ignored on PostgreSQL: back it up with pg_dump (see the README)")
        return None
    return settings.backup_dir


async def run_bot(settings: Settings) -> int:
    """Connect to Discord and serve commands until cancelled."""
    if settings.token is None:
        raise ConfigError("DISCORD_TOKEN is not set.")
    _apply_endpoints(settings)
    async with (
        open_core(settings) as core,
        daily_backups(settings.db_path, _sqlite_backup_dir(settings), settings.backup_keep),
        KansouBot(core) as bot,
    ):
        await bot.serve(settings.token.reveal())
    return 0


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Register the command tree (globally, or in one server) and exit."""
    if settings.token is None:
        raise ConfigError("DISCORD_TOKEN is not set.")
    _apply_endpoints(settings)
    async with open_core(settings) as core, KansouBot(core, sync_on_start=False) as bot:
        registered = await bot.register(settings.token.reveal(), guild_id)
    where = "globally (they can take up to an hour to appear)" if guild_id is None else f"in server {guild_id}"
    print(f"Registered {len(registered)} commands {where}.")
    for name, description in registered:
        print(f"  /{name} — {description}")
    return 0


async def catalogue_load(settings: Settings, path: Path) -> int:
    """Load a catalogue file into the database and say what it added."""
    async with await Database.open(settings.db_target) as db:
        report = await load_catalogue_file(CatalogueStore(db), path, force=True)
    print(f"Loaded {path}: {report.describe()}.")
    return 0


async def catalogue_load_titles(settings: Settings, path: Path) -> int:
    """Load an anime-offline-database release into the title index and say what changed."""
    async with await Database.open(settings.db_target) as db:
        store = TitleStore(db)
        # The same file again is known by its digest, before the work of reading it; any other is checked whole
        # before the database is touched.
        result = await store.loaded(file_digest(path)) or await store.load(read_release(path))
    print(f"Loaded {path}: {result.describe()}.")
    return 0


async def catalogue_import(settings: Settings, title: str) -> int:
    """Fetch one show from AniList into the database and say what was added."""
    async with open_core(settings) as core:
        if core.catalogue.enricher is None:
            raise ConfigError("AniList is turned off (ANILIST_API_URL=off).")
        result = await core.catalogue.enricher.import_anime(title)
    print(f"Imported {result.anime.title} (AniList {result.anime.anilist_id}): {result.report.describe()}.")
    for note in result.notes:
        print(f"  note: {note}")
    return 0
