"""Wiring, once: settings → database → AniList → services → bot; and what each ``kansou`` sub-command does."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import discord
import yarl
from discord.http import Route

from bot.anilist import AniListClient, make_http_client
from bot.catalogue.files import catalogue_files, file_digest, read_catalogue
from bot.catalogue.store import LoadReport
from bot.config import Settings
from bot.core.backups import daily_backups
from bot.core.database import Database
from bot.errors import ConfigError
from bot.ui.client import KansouBot, Services
from sandbox.endpoints import point_discord_py_at

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
        open_services(settings) as services,
        daily_backups(services.db.path, settings.backup_dir, settings.backup_keep),
    ):
        bot = KansouBot(services)
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
    async with open_services(settings) as services:
        bot = KansouBot(services, sync_on_start=False)
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
        report = await load_catalogue_file(db, path, force=True)
    print(f"Loaded {path}: {report.describe()}.")
    return 0


async def catalogue_import(settings: Settings, title: str) -> int:
    """Fetch one show from AniList into the database and say what was added."""
    async with open_services(settings) as services:
        if services.enricher is None:
            raise ConfigError("AniList is turned off (ANILIST_API_URL=off).")
        result = await services.enricher.import_anime(title)
    print(f"Imported {result.anime.title} (AniList {result.anime.anilist_id}): {result.report.describe()}.")
    for note in result.notes:
        print(f"  note: {note}")
    return 0


@asynccontextmanager
async def _scratch_db(path: Path | None) -> AsyncIterator[Path]:
    if path is not None:
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="kansou-sandbox-"))
    try:
        yield folder / "sandbox.sqlite3"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def sandbox(
    settings: Settings, *, script: Path | None, db: Path | None, as_user: str, mod: bool, files: Path,
    log_path: Path | None = None,
) -> int:
    """Start the Discord stand-in and the real bot in this process, and give a prompt (or run a script)."""
    from sandbox.kansou import run_kansou_sandbox  # noqa: PLC0415  # aiohttp server only when asked

    async with _scratch_db(db) as db_path:
        # Open the database and load the catalogue once before the stand-in starts, so a bad database or
        # catalogue is reported like for `kansou run` (a clear error, exit 1) rather than as a failed bot.
        async with open_services(settings, db_path=db_path):
            pass
        return await run_kansou_sandbox(
            settings, db_path=db_path, script=script, as_user=as_user, mod=mod, files_dir=files,
            log_path=log_path,
        )
