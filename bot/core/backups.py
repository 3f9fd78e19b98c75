"""Backups and restores of the kansou database through SQLite's online backup API (safe while the bot runs).

A backup reads the live database in one step of ``sqlite3.Connection.backup``: one read transaction, so the
copy is the database as it was when that transaction began (WAL mode lets the bot keep writing meanwhile).
The copy is written to a temporary file next to the destination, switched to a self-contained rollback
journal, checked with ``PRAGMA integrity_check``, and only then renamed over the destination.

A restore first checks that the file is a kansou database this version can use (SQLite, sound, kansou's
tables and nothing else, a schema no newer than this kansou's), then takes SQLite's exclusive lock on the
current database — which fails while any other connection, such as a running bot's, has it open — saves
it to ``<db>.before-restore-<timestamp>``, removes its stale ``-wal``/``-shm`` files and renames the
restored copy into place. An older schema is upgraded the next time kansou opens the database.

Files are only ever read through :func:`_reading`, which leaves nothing behind (no ``-wal``/``-shm``), and
every file written takes the mode of the one it copies or replaces, never the temporary file's 0600.
:func:`inspect_database` is ``kansou check``'s view of the live database: read-only, changing nothing.

Daily backups while the bot runs (:func:`daily_backups`): ``kansou-YYYYMMDD-HHMMSS.sqlite3`` (UTC) in
``KANSOU_BACKUP_DIR``. The first is taken shortly after start unless the folder already holds one from the last
day; then one a day. Only the newest ``keep`` files named like a kansou backup are kept; other files are never
touched. The clock and the sleep are injectable, so the schedule can be tested without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from bot.core.migrations import latest_version, load_migrations
from bot.errors import ConfigError, DatabaseError

__all__ = [
    "DailyBackups",
    "DatabaseSummary",
    "RestoreReport",
    "backup_database",
    "backup_name",
    "daily_backups",
    "inspect_backup",
    "inspect_database",
    "list_backups",
    "prune_backups",
    "restore_database",
    "utc_now",
]

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
# How long a restore waits for the current database's lock before deciding that something else holds it.
LOCK_WAIT = 1.0


@dataclass(frozen=True)
class DatabaseSummary:
    """What a database file holds: its size, schema version and row counts."""

    path: Path
    size: int
    schema_version: int
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> list[str]:
        """Lines for the terminal: size, schema version and one line per table."""
        lines = [
            f"  size            {self.size:,} bytes",
            f"  schema version  {self.schema_version} (this kansou writes {latest_version()})",
        ]
        lines += [f"  {table:<20} {count:>10,}" for table, count in self.counts.items()]
        return lines


@dataclass(frozen=True)
class RestoreReport:
    """The outcome of a restore: what is now in place, and where the previous database was saved."""

    restored: DatabaseSummary
    previous: Path | None

    @property
    def needs_upgrade(self) -> bool:
        """True when the restored schema is older than this kansou's (it is upgraded at the next start)."""
        return self.restored.schema_version < latest_version()


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _connect(path: Path, mode: str = "rw", *, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection to an existing file (``mode`` "rw" or "ro"): never creates one by accident."""
    try:
        return sqlite3.connect(_uri(path, mode), uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"Cannot open the database {path}: {exc}.") from None


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``path`` that leaves no file behind, not even an empty ``-wal`` or ``-shm``.

    SQLite needs a ``-shm`` file to read a database in WAL mode and creates it (with an empty ``-wal``) even
    for a read-only connection, unless told the file is immutable. With nothing beside the file it is
    complete on its own (a backup, or a database whose bot stopped cleanly), so it is read as immutable; with
    a ``-wal``, ``-shm`` or ``-journal`` beside it (a bot has it open, or stopped uncleanly) it is read
    normally, through SQLite's locks, and those files were already there.
    """
    quiet = not any(path.with_name(path.name + s).exists() for s in ("-wal", "-shm", "-journal"))
    try:
        conn = sqlite3.connect(_uri(path, "ro") + ("&immutable=1" if quiet else ""), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise DatabaseError(f"Cannot open the database {path}: {exc}.") from None
    try:
        yield conn
    finally:
        conn.close()


def _mode_like(path: Path) -> int:
    """The permission bits of the file ``path`` or, when there is none, those the umask gives a new file.

    (A temporary file is created 0600; renamed into place as it is, it would change who can read the data.)
    """
    try:
        if path.is_file():
            return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError as exc:
        raise DatabaseError(f"Cannot read {path}: {exc.strerror}.") from None


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _summary(conn: sqlite3.Connection, path: Path) -> DatabaseSummary:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    counts = {}
    for name in _tables(conn):
        if "_fts" in name:  # the search index's internals, as in Database.table_counts
            continue
        counts[name] = int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])  # names from sqlite_master
    return DatabaseSummary(path=path, size=path.stat().st_size if path.exists() else 0, schema_version=version,
                           counts=counts)


def _integrity(conn: sqlite3.Connection) -> str:
    try:
        return "\n".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall())
    except UnicodeDecodeError:
        # On a damaged file SQLite's own message can quote damaged bytes that are not UTF-8: that is damage too.
        return "the check's own report is garbled (damaged bytes)"


def expected_tables(version: int) -> set[str]:
    """The tables kansou's migrations 1..``version`` create (built in memory, so never out of date)."""
    conn = sqlite3.connect(":memory:")
    try:
        for migration in load_migrations()[:version]:
            conn.executescript(migration.sql)
        return set(_tables(conn))
    finally:
        conn.close()


def _check_kansou(conn: sqlite3.Connection, path: Path) -> None:
    """Raise ``DatabaseError`` unless ``conn`` is a sound kansou database of a schema this kansou knows."""
    integrity = _integrity(conn)
    if integrity != "ok":
        first = integrity.splitlines()[0] if integrity else "no answer"
        raise DatabaseError(f"{path} is damaged (SQLite's integrity check says: {first}); it was not restored.")
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    latest = latest_version()
    if version > latest:
        raise DatabaseError(
            f"{path} has schema version {version}, but this kansou only knows up to {latest}: it was written by "
            "a newer kansou. Upgrade kansou first, or restore an older backup."
        )
    tables = set(_tables(conn))
    if version == 0:
        what = "other tables" if tables else "no tables at all"
        raise DatabaseError(f"{path} is an SQLite database, but not a kansou one ({what}); it was not restored.")
    expected = expected_tables(version)
    foreign, missing = sorted(tables - expected), sorted(expected - tables)
    if foreign or missing:
        detail = f"tables kansou does not have: {', '.join(foreign)}" if foreign else \
            f"missing kansou tables: {', '.join(missing)}"
        raise DatabaseError(f"{path} is not a kansou database ({detail}); it was not restored.")


def inspect_backup(path: Path) -> DatabaseSummary:
    """Check that ``path`` is a kansou database this version can restore, and summarise it."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseError(f"There is no backup file at {path}.")
    if not _is_sqlite(path):
        raise DatabaseError(f"{path} is not an SQLite database (nor a kansou backup); it was not restored.")
    try:
        with _reading(path) as conn:
            _check_kansou(conn, path)
            return _summary(conn, path)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable SQLite database ({exc}); it was not restored.") from None


def inspect_database(path: Path) -> DatabaseSummary | None:
    """Summarise the database at ``path`` without changing anything (None when there is no file yet).

    Raise ``DatabaseError`` for what would stop the bot at start-up: a folder, a file that is not SQLite, a
    foreign SQLite database, a schema from a newer kansou. An older schema is reported, not upgraded.
    """
    path = Path(path)
    if not path.exists():
        return None
    if path.is_dir():
        raise DatabaseError(f"Cannot open the database {path}: it is a folder.")
    try:
        with _reading(path) as conn:
            summary = _summary(conn, path)
            foreign = summary.schema_version == 0 and bool(summary.counts)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable SQLite database ({exc}).") from None
    latest = latest_version()
    if summary.schema_version > latest:
        raise DatabaseError(
            f"{path} has schema version {summary.schema_version}, but this kansou only knows up to {latest}. "
            "It was written by a newer kansou: upgrade kansou, or restore an older backup."
        )
    if foreign:
        raise DatabaseError(f"{path} is an SQLite database, but not a kansou one (it has other tables).")
    return summary


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):  # a best effort: not every file system lets a folder be opened
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _temporary_next_to(dest: Path) -> Iterator[Path]:
    """A fresh temporary file in ``dest``'s folder (same file system, so it can be renamed over ``dest``)."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise DatabaseError(f"Cannot write in {dest.parent}: {exc.strerror}.") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)


def _copy_into(source: sqlite3.Connection, tmp: Path) -> DatabaseSummary:
    """Copy ``source`` into the empty file ``tmp`` in one backup step; leave a sound, self-contained file."""
    dest = sqlite3.connect(tmp, isolation_level=None)
    try:
        # pages=-1: the whole database in one step, hence one read transaction and a consistent snapshot.
        # (Smaller steps would restart from scratch each time another connection writes in between.)
        source.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode = DELETE").fetchone()  # one file, no -wal/-shm beside it
        integrity = _integrity(dest)
        if integrity != "ok":
            raise DatabaseError(f"The copy failed SQLite's integrity check ({integrity.splitlines()[0]}).")
        summary = _summary(dest, tmp)
    finally:
        dest.close()
    _fsync(tmp)
    return summary


def _install(tmp: Path, dest: Path, summary: DatabaseSummary, mode: int) -> DatabaseSummary:
    os.chmod(tmp, mode)
    os.replace(tmp, dest)
    _fsync(dest.parent)
    return DatabaseSummary(path=dest, size=dest.stat().st_size, schema_version=summary.schema_version,
                           counts=summary.counts)


def backup_database(source: Path, dest: Path, *, overwrite: bool = False) -> DatabaseSummary:
    """Copy the database ``source`` to ``dest`` atomically and consistently, even while others write to it.

    An existing ``dest`` is refused unless ``overwrite``; the copy gets ``source``'s permission bits.
    """
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise DatabaseError(f"There is no database at {source} to back up.")
    if dest.exists() and (dest.is_dir() or dest.resolve() == source.resolve()):
        raise DatabaseError(f"Cannot back up {source} to {dest}: choose a new file name.")
    if dest.exists() and not overwrite:
        raise DatabaseError(f"{dest} already exists: choose a new name, or add --force to replace it.")
    mode = _mode_like(source)  # a backup is as private as the database it copies
    # No peeking at the file's header here: in the bot's own process, opening and closing the live database
    # file outside SQLite would drop SQLite's POSIX locks on it. SQLite itself says when it is not a database.
    with _temporary_next_to(dest) as tmp:
        try:
            conn = _connect(source, "rw")
            try:
                summary = _copy_into(conn, tmp)
            finally:
                conn.close()
            return _install(tmp, dest, summary, mode)
        except sqlite3.Error as exc:
            if "not a database" in str(exc):
                raise DatabaseError(f"{source} is not an SQLite database; there is nothing to back up.") from None
            raise DatabaseError(f"Backing up {source} failed: {exc}.") from None
        except OSError as exc:
            raise DatabaseError(f"Writing the backup {dest} failed: {exc.strerror or exc}.") from None


def _lock_for_restore(target: Path) -> sqlite3.Connection:
    """An exclusive lock on the current database; fails while another connection (a running bot) has it open."""
    conn = _connect(target, "rw", timeout=LOCK_WAIT)
    try:
        # In WAL mode a plain BEGIN EXCLUSIVE coexists with readers; EXCLUSIVE locking mode needs the file to
        # itself, so it also fails while an idle bot merely holds the database open. It keeps the lock after
        # the transaction, until the connection closes.
        conn.execute("PRAGMA locking_mode = EXCLUSIVE").fetchone()
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseError(
                f"The database {target} is in use (is the bot running?). Stop the bot, then restore again."
            ) from None
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def restore_database(backup: Path, target: Path, *, now: datetime | None = None) -> RestoreReport:
    """Replace the database ``target`` by the kansou backup ``backup``, keeping the current one aside."""
    backup, target = Path(backup), Path(target)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    inspect_backup(backup)
    if target.exists() and (target.is_dir() or target.resolve() == backup.resolve()):
        raise DatabaseError(f"Cannot restore over {target}: it is a folder or the backup itself.")
    # The restored file keeps the current database's permission bits (a new one gets the umask's).
    mode = _mode_like(target)
    with _temporary_next_to(target) as tmp:
        try:
            with _reading(backup) as source:
                summary = _copy_into(source, tmp)
        except sqlite3.Error as exc:
            raise DatabaseError(f"Reading the backup {backup} failed: {exc}.") from None
        previous = _free_name(target.with_name(f"{target.name}.before-restore-{stamp}")) if target.exists() else None
        try:
            if previous is not None:
                _set_aside(target, previous)
            for suffix in ("-wal", "-shm", "-journal"):
                target.with_name(target.name + suffix).unlink(missing_ok=True)
            restored = _install(tmp, target, summary, mode)
        except sqlite3.Error as exc:
            raise DatabaseError(f"Saving the current database {target} failed: {exc}; nothing was changed.") from None
        except OSError as exc:
            raise DatabaseError(f"Restoring into {target} failed: {exc.strerror or exc}.") from None
    return RestoreReport(restored=restored, previous=previous)


def _set_aside(target: Path, previous: Path) -> None:
    """Save the current database as ``previous`` (refusing while it is in use); unreadable files are copied."""
    try:
        conn = _lock_for_restore(target)
    except sqlite3.DatabaseError:  # not SQLite, or damaged beyond its reach: keep the bytes (and WAL) as they are
        shutil.copyfile(target, previous)
        wal = target.with_name(target.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, previous.with_name(previous.name + "-wal"))
        return
    try:
        with _temporary_next_to(previous) as tmp:
            summary = _copy_into(conn, tmp)
            _install(tmp, previous, summary, _mode_like(target))
    finally:
        # Closing the last connection checkpoints the WAL into the old file; a bot starting after this
        # moment and before the rename below would open the old file (a window of microseconds).
        conn.close()


# -- daily backups while the bot runs ----------------------------------------------------------------------

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
