"""Daily backups while the bot runs: ``kansou-YYYYMMDD-HHMMSS.sqlite3`` (UTC) in ``KANSOU_BACKUP_DIR``.

The first backup is taken shortly after start unless the folder already holds one from the last day; then
one a day. Only the newest ``keep`` files named like a kansou backup are kept; other files are never touched.
The clock and the sleep are injectable, so the schedule can be tested without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.errors import ConfigError
from bot.storage.backup import DatabaseSummary, backup_database

log = logging.getLogger(__name__)

NAME = re.compile(r"^kansou-(\d{8}-\d{6})\.sqlite3$")
DAY = timedelta(days=1)
FIRST_DELAY = timedelta(minutes=1)  # let the bot connect before the first copy
RETRY = timedelta(hours=1)  # after a failed backup

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def backup_name(when: datetime) -> str:
    """The file name of a backup taken at ``when``."""
    return f"kansou-{when.astimezone(UTC):%Y%m%d-%H%M%S}.sqlite3"


def list_backups(folder: Path) -> list[tuple[datetime, Path]]:
    """The kansou backups in ``folder`` with the time in their name, oldest first."""
    found: list[tuple[datetime, Path]] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = NAME.match(path.name)
        if match and path.is_file():
            with contextlib.suppress(ValueError):  # e.g. kansou-20241399-…: not one of ours
                found.append((datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC), path))
    found.sort()
    return found


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; return the deleted files."""
    backups = list_backups(folder)
    doomed = [path for _, path in backups[: max(0, len(backups) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


class DailyBackups:
    """Backs the database up into a folder once per ``interval`` and keeps the newest ``keep`` copies."""

    def __init__(
        self,
        source: Path,
        folder: Path,
        keep: int,
        *,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        interval: timedelta = DAY,
        first_delay: timedelta | None = None,
        retry: timedelta = RETRY,
    ) -> None:
        if keep < 1:
            raise ValueError("keep at least one backup")
        self.source = Path(source)
        self.folder = Path(folder)
        self.keep = keep
        self.clock = clock
        self.sleep = sleep
        self.interval = interval
        self.first_delay = FIRST_DELAY if first_delay is None else first_delay
        self.retry = retry

    def seconds_until_due(self) -> float:
        """How long until the next backup: none yet, or the newest is an ``interval`` old → now."""
        now = self.clock()
        backups = list_backups(self.folder)
        if not backups or backups[-1][0] > now:  # none, or the clock went back: take one now
            return 0.0
        return max(0.0, (backups[-1][0] + self.interval - now).total_seconds())

    async def backup_now(self) -> DatabaseSummary:
        """Write one backup and prune the old ones."""
        dest = self.folder / backup_name(self.clock())
        summary = await asyncio.to_thread(backup_database, self.source, dest)
        removed = await asyncio.to_thread(prune_backups, self.folder, self.keep)
        log.info("backup written: %s (%s bytes, schema %d); %d old backup(s) removed",
                 dest, f"{summary.size:,}", summary.schema_version, len(removed),
                 extra={"event": "backup", "path": str(dest), "size": summary.size, "removed": len(removed)})
        return summary

    async def run(self) -> None:
        """Back up whenever due, forever (cancel to stop); a failure is logged and retried later."""
        wait = max(self.seconds_until_due(), self.first_delay.total_seconds())
        while True:
            await self.sleep(wait)
            try:
                await self.backup_now()
            except Exception:
                log.exception("the daily backup into %s failed; trying again in %s", self.folder, self.retry)
                wait = self.retry.total_seconds()
            else:
                wait = self.seconds_until_due()


@asynccontextmanager
async def daily_backups(source: Path | str, folder: Path | None, keep: int) -> AsyncIterator[DailyBackups | None]:
    """Run :class:`DailyBackups` in the background for the length of the block (nothing when ``folder`` is None)."""
    if folder is None or str(source) == ":memory:":
        yield None
        return
    try:
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"KANSOU_BACKUP_DIR {folder} cannot be created: {exc.strerror}.") from None
    backups = DailyBackups(Path(source), folder, keep)
    task = asyncio.create_task(backups.run(), name="kansou-daily-backups")
    log.info("daily backups into %s (keeping %d)", folder, keep)
    try:
        yield backups
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
