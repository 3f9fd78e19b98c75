"""What each ``kansou`` sub-command does, once ``bot.__main__`` has read the settings."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import discord

from bot.app import load_catalogue_file, open_services
from bot.client import KansouBot
from bot.config import Settings
from bot.errors import ConfigError
from bot.sandbox.endpoints import point_discord_py_at
from bot.services.backups import daily_backups
from bot.storage import Database
from bot.storage.schema import latest_version

log = logging.getLogger(__name__)


def _apply_endpoints(settings: Settings) -> None:
    if settings.api_base or settings.gateway_url:
        point_discord_py_at(settings.api_base, settings.gateway_url)
        log.info("using Discord API at %s, gateway at %s", settings.api_base or "discord.com",
                 settings.gateway_url or "Discord's")


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
            except discord.LoginFailure:
                raise ConfigError("Discord refused the token: check DISCORD_TOKEN in your .env.") from None
            if guild_id is None:
                synced = await bot.tree.sync()
                print(f"Registered {len(synced)} commands globally (they can take up to an hour to appear).")
            else:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                print(f"Registered {len(synced)} commands in server {guild_id}.")
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


async def check(settings: Settings) -> int:
    """Print the configuration and the state of the database."""
    print("kansou configuration")
    print(f"  DISCORD_TOKEN        {settings.token.masked() if settings.token else '(not set)'}")
    print(f"  KANSOU_DB            {settings.db_path.resolve()}")
    print(f"  KANSOU_DEV_GUILD     {settings.dev_guild or '(not set)'}")
    print(f"  DISCORD_API_BASE     {settings.api_base or '(Discord)'}")
    print(f"  DISCORD_GATEWAY_URL  {settings.gateway_url or '(Discord)'}")
    print(f"  ANILIST_API_URL      {settings.anilist_url}")
    print(f"  LOG_LEVEL            {settings.log_level}")
    print(f"  LOG_FORMAT           {settings.log_format}")
    print(f"  KANSOU_BACKUP_DIR    {settings.backup_dir or '(no daily backups)'}"
          + (f" (keeping {settings.backup_keep})" if settings.backup_dir else ""))
    if settings.catalogue_dir is not None:
        print(f"  KANSOU_CATALOGUE_DIR {settings.catalogue_dir.resolve()}")
    async with open_services(settings) as services:
        db = services.db
        print(f"database schema version {await db.schema_version()} (this kansou writes {latest_version()})")
        for table, count in (await db.table_counts()).items():
            print(f"  {table:<20} {count:>10,}")
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
    settings: Settings, *, script: Path | None, db: Path | None, as_user: str, mod: bool, files: Path | None
) -> int:
    """Start the Discord stand-in and the real bot in this process, and give a prompt (or run a script)."""
    from bot.sandbox.kansou import run_kansou_sandbox  # noqa: PLC0415  # aiohttp server only when asked

    async with _scratch_db(db) as db_path:
        # Open the database and load the catalogue once before the stand-in starts, so a bad database or
        # catalogue is reported like for `kansou run` (a clear error, exit 1) rather than as a failed bot.
        async with open_services(settings, db_path=db_path):
            pass
        return await run_kansou_sandbox(
            settings, db_path=db_path, script=script, as_user=as_user, mod=mod,
            files_dir=files or Path.cwd() / "sandbox-files",
        )
