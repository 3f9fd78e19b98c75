"""Wiring, once — settings → database → HTTP client → AniList → catalogue → :class:`~bot.shared.Core` → bot — and
what each ``kansou`` sub-command that needs it does.

:func:`open_core` is the one way to the shared core: ``kansou run`` and ``sync``, the CLI's catalogue commands,
the sandbox and the tests all go through it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources.abc import Traversable
from pathlib import Path

import aiohttp
import discord
import yarl
from discord.http import Route

from bot.anilist import AniListClient, make_http_client
from bot.anilist.enrich import AniListEnricher
from bot.catalogue.files import load_catalogue_file, load_shipped_catalogue
from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
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
    path = db_path if db_path is not None else settings.db_path
    async with (
        await Database.open(path, migration_dirs=migration_dirs) as db,
        make_http_client(settings.anilist_timeout) as http,
    ):
        store = CatalogueStore(db)
        await load_shipped_catalogue(store, settings.catalogue_dir)
        anilist = enricher = None
        if settings.anilist_enabled:
            anilist = AniListClient(http, url=settings.anilist_url, per_minute=settings.anilist_per_minute)
            enricher = AniListEnricher(anilist, store, max_age_days=settings.anilist_max_age_days,
                                       member_cooldown=settings.lookup_cooldown)
        yield Core(settings, db, CatalogueService(store, enricher), anilist)


def _apply_endpoints(settings: Settings) -> None:
    if settings.api_base or settings.gateway_url:
        point_discord_py_at(settings.api_base, settings.gateway_url)
        log.info("using Discord API at %s, gateway at %s", settings.api_base or "discord.com",
                 settings.gateway_url or "Discord's")


def discord_unreachable(settings: Settings, error: aiohttp.ClientConnectionError) -> ConfigError:
    """A clear error for a connection to Discord that failed: the address, why, and what to check."""
    base = Route.BASE  # where discord.py sent the request (DISCORD_API_BASE, or Discord itself)
    cause = getattr(error, "os_error", None)
    reason = (cause.strerror if isinstance(cause, OSError) and cause.strerror else None) or str(error) or \
        type(error).__name__
    host = yarl.URL(base).host or base
    hint = (f" DISCORD_API_BASE is set to {settings.api_base}: check it too, or unset it to use Discord."
            if settings.api_base else "")
    return ConfigError(
        f"Discord could not be reached at {base} ({reason}). Check that this machine is online and can look up "
        f"and connect to {host}: the network connection, DNS, a firewall or a proxy.{hint}"
    )


async def run_bot(settings: Settings) -> int:
    """Connect to Discord and serve commands until cancelled."""
    if settings.token is None:
        raise ConfigError("DISCORD_TOKEN is not set.")
    _apply_endpoints(settings)
    async with (
        open_core(settings) as core,
        daily_backups(settings.db_path, settings.backup_dir, settings.backup_keep),
    ):
        bot = KansouBot(core)
        async with bot:
            try:
                await bot.start(settings.token.reveal())
            except discord.LoginFailure:
                raise ConfigError("Discord refused the token: check DISCORD_TOKEN in your .env.") from None
            except aiohttp.ClientConnectionError as exc:  # once connected, discord.py reconnects by itself
                raise discord_unreachable(settings, exc) from None
    return 0


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Register the command tree (globally, or in one server) and exit."""
    if settings.token is None:
        raise ConfigError("DISCORD_TOKEN is not set.")
    _apply_endpoints(settings)
    async with open_core(settings) as core:
        bot = KansouBot(core, sync_on_start=False)
        async with bot:
            try:
                await bot.login(settings.token.reveal())
                if guild_id is None:
                    synced = await bot.tree.sync()
                    where = "globally (they can take up to an hour to appear)"
                else:
                    guild = discord.Object(id=guild_id)
                    bot.tree.copy_global_to(guild=guild)
                    synced = await bot.tree.sync(guild=guild)
                    where = f"in server {guild_id}"
            except discord.LoginFailure:
                raise ConfigError("Discord refused the token: check DISCORD_TOKEN in your .env.") from None
            except aiohttp.ClientConnectionError as exc:
                raise discord_unreachable(settings, exc) from None
            print(f"Registered {len(synced)} commands {where}.")
            for command in synced:
                print(f"  /{command.name} — {command.description}")
    return 0


async def catalogue_load(settings: Settings, path: Path) -> int:
    """Load a catalogue file into the database and say what it added."""
    async with await Database.open(settings.db_path) as db:
        report = await load_catalogue_file(CatalogueStore(db), path, force=True)
    print(f"Loaded {path}: {report.describe()}.")
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
