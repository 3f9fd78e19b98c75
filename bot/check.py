"""``kansou check``: every setting, the database and the catalogue files, read without changing anything.

The database is opened read-only (never created, never upgraded), the catalogue files are parsed but not
loaded, and discord.py is not imported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from bot.catalogue.files import SHIPPED_CATALOGUE_DIR, catalogue_files, read_catalogue
from bot.config import Settings
from bot.core.backups import inspect_database
from bot.core.migrations import latest_version
from bot.core.postgres import PostgresDatabase, redact

WIDTH = 30  # the longest setting name, KANSOU_LEADERBOARD_MIN_VOTES, and two spaces


def _seconds(value: float) -> str:
    return f"{value:g} s"


def setting_lines(settings: Settings) -> list[tuple[str, str]]:
    """Each setting's name and its value as kansou understood it (the token masked)."""
    anilist = "off (only the local catalogue answers)" if not settings.anilist_enabled else settings.anilist_url
    backups = str(settings.backup_dir.resolve()) if settings.backup_dir else "(not set: no daily backups)"
    catalogue = (str(settings.catalogue_dir.resolve()) if settings.catalogue_dir is not None
                 else f"(not set: the shipped catalogue, {SHIPPED_CATALOGUE_DIR})")
    return [
        ("DISCORD_TOKEN", settings.token.masked() if settings.token else "(not set)"),
        ("KANSOU_DB", redact(settings.db_url) if settings.db_url else str(settings.db_path.resolve())),
        ("KANSOU_DEV_GUILD", str(settings.dev_guild) if settings.dev_guild else "(not set)"),
        ("DISCORD_API_BASE", settings.api_base or "(Discord)"),
        ("DISCORD_GATEWAY_URL", settings.gateway_url or "(Discord)"),
        ("LOG_LEVEL", settings.log_level),
        ("LOG_FORMAT", settings.log_format),
        ("ANILIST_API_URL", anilist),
        ("ANILIST_PER_MINUTE", f"{settings.anilist_per_minute} requests a minute"),
        ("ANILIST_MAX_AGE_DAYS", f"{settings.anilist_max_age_days:g} days"),
        ("ANILIST_TIMEOUT", _seconds(settings.anilist_timeout)),
        ("KANSOU_LEADERBOARD_MIN_VOTES", f"{settings.leaderboard_min_votes} (the leaderboard's m)"),
        ("KANSOU_REVIEW_COOLDOWN", _seconds(settings.review_cooldown)),
        ("KANSOU_RATE_COOLDOWN", _seconds(settings.rate_cooldown)),
        ("KANSOU_LOOKUP_COOLDOWN", _seconds(settings.lookup_cooldown)),
        ("KANSOU_BACKUP_DIR", backups),
        ("KANSOU_BACKUP_KEEP", f"{settings.backup_keep} backups" + ("" if settings.backup_dir else " (unused)")),
        ("KANSOU_CATALOGUE_DIR", catalogue),
        ("KANSOU_SHARD_COUNT", str(settings.shard_count) if settings.shard_count
         else "(not set: as Discord recommends)"),
        ("KANSOU_SHARDS", ",".join(map(str, settings.shard_ids)) if settings.shard_ids is not None
         else "(not set: every shard in this process)"),
    ]


def _version_note(version: int) -> str:
    latest = latest_version()
    if version == 0:
        return f"0 (empty: kansou sets it up at the next start; this kansou writes {latest})"
    if version < latest:
        return f"{version}, this kansou writes {latest}: it will be upgraded at the next start"
    return f"{version} (current)"


def _postgres_lines(url: str) -> list[str]:
    """The PostgreSQL database's schema version and row counts, read in a read-only transaction."""

    async def read() -> tuple[int, dict[str, int]]:
        async with await PostgresDatabase.connect(url, upgrade=False, min_size=1, max_size=1) as db:
            return await db.summary()

    version, counts = asyncio.run(read())
    return [f"database {redact(url)} (PostgreSQL)", f"  schema version  {_version_note(version)}",
            *(f"  {table:<20} {count:>10,}" for table, count in counts.items())]


def _database_lines(path: Path) -> Iterable[str]:
    summary = inspect_database(path)
    yield f"database {path.resolve()}"
    if summary is None:
        yield "  (no file yet: kansou creates it at the next start)"
        return
    latest = latest_version()
    version = summary.schema_version
    if version == 0:
        note = f"0 (empty: kansou sets it up at the next start; this kansou writes {latest})"
    elif version < latest:
        note = f"{version}, this kansou writes {latest}: it will be upgraded at the next start"
    else:
        note = f"{version} (current)"
    yield f"  size            {summary.size:,} bytes"
    yield f"  schema version  {note}"
    yield from (f"  {table:<20} {count:>10,}" for table, count in summary.counts.items())


def _catalogue_lines(folder: Path | None) -> Iterable[str]:
    files = catalogue_files(folder)
    yield f"catalogue files ({len(files)}, loaded at start-up; an unchanged file is skipped)"
    for path in files:
        bundle = read_catalogue(path)  # raises CatalogueFormatError, as start-up would
        yield (f"  {path.name}: {len(bundle.anime)} shows, {len(bundle.people)} people, "
               f"{len(bundle.characters)} characters")


def check(settings: Settings) -> int:
    """Print the settings, the database's state and the catalogue files; change nothing."""
    print("kansou settings (from the environment and .env)")
    for name, value in setting_lines(settings):
        print(f"  {name:<{WIDTH}}{value}")
    for line in _postgres_lines(settings.db_url) if settings.db_url else _database_lines(settings.db_path):
        print(line)
    for line in _catalogue_lines(settings.catalogue_dir):
        print(line)
    return 0
