"""Backups under write load, restores that refuse what they should, daily backups with a kept count."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.backups import (
    DailyBackups,
    backup_database,
    backup_name,
    daily_backups,
    expected_tables,
    inspect_backup,
    list_backups,
    prune_backups,
    restore_database,
)
from bot.core.database import Database, SQLiteDatabase
from bot.core.migrations import latest_version, migrate
from bot.errors import ConfigError, DatabaseError
from tests.ratings.test_store import add_shows, assert_aggregates_match, set_scores

G = 4242


def count(path: Path, sql: str = "SELECT count(*) FROM rating") -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def members(path: Path) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        return {int(r[0]) for r in conn.execute("SELECT member_id FROM rating")}
    finally:
        conn.close()


def saved_before_restore(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.before-restore-*"))


# -- backups ---------------------------------------------------------------------------------------------


async def test_a_backup_under_write_load_restores_every_row_committed_before_it(
    db: SQLiteDatabase, tmp_path: Path
) -> None:
    (show,) = await add_shows(db, 1)
    committed = 0
    stop, progress = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        nonlocal committed
        while not stop.is_set():
            await set_scores(db, G, committed + 1, show, {"story": 2 + committed % 9, "music": 10})
            committed += 1
            progress.set()

    task = asyncio.create_task(writer())
    try:
        for round_ in range(3):
            target = committed + 25
            while committed < target:  # let the writer get going (and keep going) between backups
                progress.clear()
                await progress.wait()
            before = committed
            backup = tmp_path / f"backup-{round_}.sqlite3"
            summary = await asyncio.to_thread(backup_database, Path(db.path), backup)
            after = committed
            restored = tmp_path / f"restored-{round_}.sqlite3"
            restore_database(backup, restored)
            present = members(restored)
            assert set(range(1, before + 1)) <= present  # every row committed before the backup began
            # …and nothing but whole transactions: at most the one in flight when `after` was read
            assert present == set(range(1, len(present) + 1)) and len(present) <= after + 1
            assert summary.counts["rating"] == 2 * len(present)
            async with await Database.open(restored) as copy:
                assert await copy.integrity_check() == "ok"
                await assert_aggregates_match(copy)  # the trigger-kept tallies match the rows: one snapshot
    finally:
        stop.set()
        await task
    assert committed > 75


async def test_a_backup_skips_a_transaction_still_open_elsewhere(db: SQLiteDatabase, tmp_path: Path) -> None:
    shows = await add_shows(db, 2)
    await set_scores(db, G, 1, shows[0], {"story": 6})
    async with db.transaction() as tx:  # open (uncommitted) while the backup runs on its own connection
        await tx.execute("INSERT INTO rating VALUES (?, 2, ?, 'story', 8, 0)", (G, shows[1]))
        summary = await asyncio.to_thread(backup_database, Path(db.path), tmp_path / "b.sqlite3")
    assert summary.counts["rating"] == 1 and count(tmp_path / "b.sqlite3") == 1
    assert count(Path(db.path)) == 2


async def test_a_backup_is_one_self_contained_sound_file(catalogue_db: SQLiteDatabase, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "copy.sqlite3"
    summary = backup_database(Path(catalogue_db.path), dest)
    assert summary.path == dest and summary.size == dest.stat().st_size > 0
    assert summary.schema_version == latest_version()
    assert summary.counts == await catalogue_db.table_counts()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.sqlite3"]  # no temp file, no -wal/-shm
    assert dest.read_bytes()[18:20] == b"\x01\x01"  # rollback journal, not WAL
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with pytest.raises(DatabaseError, match="already exists"):
        backup_database(Path(catalogue_db.path), dest)
    again = backup_database(Path(catalogue_db.path), dest, overwrite=True)  # replaces the old copy atomically
    assert again.counts == summary.counts


def test_a_backup_needs_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no database"):
        backup_database(tmp_path / "missing.sqlite3", tmp_path / "b.sqlite3")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        backup_database(text, tmp_path / "b.sqlite3")
    assert not (tmp_path / "missing.sqlite3").exists() and not (tmp_path / "b.sqlite3").exists()


async def test_a_backup_never_overwrites_its_source(db: SQLiteDatabase) -> None:
    with pytest.raises(DatabaseError, match="new file name"):
        backup_database(Path(db.path), Path(db.path))


# -- restores -------------------------------------------------------------------------------------------


async def test_restore_refuses_what_is_not_a_kansou_database(tmp_path: Path) -> None:
    target = tmp_path / "live" / "kansou.sqlite3"
    async with await Database.open(target):
        pass
    good = target.read_bytes()
    text = tmp_path / "notes.sqlite3"
    text.write_bytes(b"just some text, not a database at all " * 100)
    foreign = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    mixed = tmp_path / "mixed.sqlite3"
    shutil.copyfile(target, mixed)
    conn = sqlite3.connect(mixed)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(target, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.commit()
    conn.close()
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    cases = [
        (text, "not an SQLite database"),
        (foreign, "not a kansou one"),
        (mixed, "tables kansou does not have: invoices"),
        (newer, "newer kansou"),
        (tmp_path / "nothing.sqlite3", "no backup file"),
    ]
    for bad, message in cases:
        with pytest.raises(DatabaseError, match=message):
            restore_database(bad, target)
        assert target.read_bytes() == good, bad  # untouched
        assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith(target.name)) == [target.name]
    with pytest.raises(DatabaseError, match="not a kansou one"):
        inspect_backup(empty)


async def test_restore_refuses_a_damaged_file(catalogue_db: SQLiteDatabase, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    backup_database(Path(catalogue_db.path), damaged)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data) - page, 2 * page):  # scribble over every other page's content
        data[offset + 100: offset + 400] = os.urandom(300)
    damaged.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match=r"damaged|not a usable|malformed"):
        inspect_backup(damaged)


async def test_restore_refuses_while_the_database_is_open(db: SQLiteDatabase, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.core.backups.LOCK_WAIT", 0.05)
    backup = tmp_path / "b.sqlite3"
    backup_database(Path(db.path), backup)
    with pytest.raises(DatabaseError, match="in use"):
        restore_database(backup, Path(db.path))
    assert await db.integrity_check() == "ok"  # the open database carries on
    assert not saved_before_restore(tmp_path)


async def test_restore_keeps_the_current_database_and_accepts_an_older_schema(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    async with await Database.open(old, upgrade=False) as older:
        await migrate(older, target=2)
        await older.execute("INSERT INTO anime (key, title_romaji) VALUES ('old', 'Old Show')")
    target = tmp_path / "live" / "kansou.sqlite3"
    async with await Database.open(target) as live:
        (show,) = await add_shows(live, 1, prefix="live")
        await set_scores(live, G, 1, show, {"story": 4})
    target.with_name(target.name + "-wal").write_bytes(b"stale")  # left by a crash: must not survive
    target.with_name(target.name + "-shm").write_bytes(b"stale")
    when = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    report = restore_database(old, target, now=when)
    assert report.previous == target.with_name("kansou.sqlite3.before-restore-20250304-050607")
    assert report.restored.schema_version == 2 and report.needs_upgrade
    assert not target.with_name(target.name + "-wal").exists() and not target.with_name(target.name + "-shm").exists()
    assert count(report.previous) == 1  # the database it replaced, rating and all
    async with await Database.open(target) as restored:
        assert await restored.schema_version() == latest_version()  # upgraded on open
        assert (await restored.table_counts())["anime"] == 1 and await restored.integrity_check() == "ok"
    second = restore_database(old, target, now=when)  # same second: a fresh name, nothing overwritten
    assert second.previous is not None and second.previous != report.previous and second.previous.exists()


async def test_restore_sets_aside_a_file_that_is_not_a_database(db: SQLiteDatabase, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3"
    backup_database(Path(db.path), backup)
    target = tmp_path / "broken.sqlite3"
    target.write_bytes(b"garbage" * 1000)
    report = restore_database(backup, target)
    assert report.previous is not None and report.previous.read_bytes() == b"garbage" * 1000
    assert inspect_backup(target).schema_version == latest_version()


def test_expected_tables_grow_with_the_schema() -> None:
    assert expected_tables(0) == set()
    assert "anime" in expected_tables(1) and "review" not in expected_tables(1)
    assert {"review", "rating"} <= expected_tables(latest_version())


# -- the command line ------------------------------------------------------------------------------------


def kansou(args: list[str], tmp_path: Path, db: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
    env.update(KANSOU_DB=str(db), ANILIST_API_URL="off")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


async def test_backup_and_restore_from_the_command_line(catalogue_template: Path, tmp_path: Path) -> None:
    live = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, live)
    async with await Database.open(live) as db:
        (show,) = await add_shows(db, 1, prefix="cli")
        await set_scores(db, G, 1, show, {"story": 10})
        # taken while this connection (the "bot") has the database open
        made = await asyncio.to_thread(kansou, ["backup", "saved.sqlite3"], tmp_path, live)
        assert made.returncode == 0, made.stderr
        await set_scores(db, G, 2, show, {"story": 2})  # after the backup: lost by the restore
    assert "saved.sqlite3" in made.stdout and "schema version" in made.stdout and "rating" in made.stdout
    into_folder = kansou(["backup", "."], tmp_path, live)
    assert into_folder.returncode == 0 and len(list_backups(tmp_path)) == 1
    result = kansou(["restore", "saved.sqlite3"], tmp_path, live)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout and "before-restore" in result.stdout
    assert members(live) == {1}
    (previous,) = saved_before_restore(tmp_path)
    assert members(previous) == {1, 2}
    check = kansou(["check"], tmp_path, live)
    assert check.returncode == 0, check.stderr


async def test_restore_from_the_command_line_refuses_clearly(db: SQLiteDatabase, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("nope")
    result = await asyncio.to_thread(kansou, ["restore", str(bad)], tmp_path, Path(db.path))
    assert result.returncode == 1
    assert "not an SQLite database" in result.stderr and "Traceback" not in result.stderr
    good = tmp_path / "good.sqlite3"
    backup_database(Path(db.path), good)  # in this process: must not lose the open connection's locks
    busy = await asyncio.to_thread(kansou, ["restore", str(good)], tmp_path, Path(db.path))
    assert busy.returncode == 1 and "in use" in busy.stderr and "Traceback" not in busy.stderr


def sidecars(folder: Path) -> list[str]:
    """The SQLite side files (-wal, -shm, -journal) in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(("-wal", "-shm", "-journal")))


def wal_copy(source: Path, dest: Path, *, version: int | None = None) -> Path:
    """A byte copy of a closed database in WAL mode (as a user might copy the live file), optionally re-versioned."""
    shutil.copyfile(source, dest)
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        if version is not None:
            conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()
    assert sidecars(dest.parent) == []  # SQLite removed them when the last connection closed
    return dest


def test_backup_into_a_folder_named_with_a_trailing_slash(catalogue_template: Path, tmp_path: Path) -> None:
    live = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, live)
    made = kansou(["backup", "backups/"], tmp_path, live)  # the folder does not exist yet
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "backups").is_dir() and not (tmp_path / "backups").is_file()
    (first,) = (path for _, path in list_backups(tmp_path / "backups"))
    assert str(first.resolve()) in made.stdout
    assert count(first, "SELECT count(*) FROM anime") == count(live, "SELECT count(*) FROM anime")


def test_backup_refuses_to_overwrite_a_file_unless_forced(catalogue_template: Path, tmp_path: Path) -> None:
    live = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, live)
    precious = tmp_path / "precious.sqlite3"
    precious.write_bytes(b"last month's backup")
    refused = kansou(["backup", "precious.sqlite3"], tmp_path, live)
    assert refused.returncode == 1
    assert "already exists" in refused.stderr and "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert precious.read_bytes() == b"last month's backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    forced = kansou(["backup", "precious.sqlite3", "--force"], tmp_path, live)
    assert forced.returncode == 0, forced.stderr
    assert count(precious, "SELECT count(*) FROM anime") == count(live, "SELECT count(*) FROM anime")


def test_a_backup_keeps_the_databases_mode(catalogue_template: Path, tmp_path: Path) -> None:
    live = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, live)
    live.chmod(0o640)
    assert kansou(["backup", "copy.sqlite3"], tmp_path, live).returncode == 0
    assert (tmp_path / "copy.sqlite3").stat().st_mode & 0o777 == 0o640


async def test_a_refused_restore_leaves_no_wal_or_shm_behind(catalogue_template: Path, tmp_path: Path) -> None:
    live = tmp_path / "live" / "kansou.sqlite3"
    live.parent.mkdir()
    async with await Database.open(live):  # WAL mode, closed cleanly: no side files
        pass
    backups = tmp_path / "backups"
    backups.mkdir()
    newer = wal_copy(catalogue_template, backups / "newer.sqlite3", version=latest_version() + 1)
    before = live.read_bytes()
    refused = kansou(["restore", str(newer)], tmp_path, live)
    assert refused.returncode == 1 and "newer kansou" in refused.stderr
    assert sidecars(backups) == [] and sidecars(live.parent) == []
    assert live.read_bytes() == before
    # and a restore that succeeds, from a WAL-mode copy, leaves none either
    good = wal_copy(catalogue_template, backups / "good.sqlite3")
    done = kansou(["restore", str(good)], tmp_path, live)
    assert done.returncode == 0, done.stderr
    assert sidecars(backups) == [] and sidecars(live.parent) == []


@pytest.mark.parametrize("mode", [0o644, 0o640])
async def test_restore_keeps_the_database_files_mode(catalogue_template: Path, tmp_path: Path, mode: int) -> None:
    live = tmp_path / "kansou.sqlite3"
    async with await Database.open(live):
        pass
    live.chmod(mode)
    saved = tmp_path / "saved.sqlite3"
    backup_database(catalogue_template, saved)
    saved.chmod(0o600)  # the backup's own mode does not matter: the database keeps its own
    done = kansou(["restore", str(saved)], tmp_path, live)
    assert done.returncode == 0, done.stderr
    assert live.stat().st_mode & 0o777 == mode
    (previous,) = saved_before_restore(tmp_path)
    assert previous.stat().st_mode & 0o777 == mode


def test_restore_into_a_new_database_follows_the_umask(catalogue_template: Path, tmp_path: Path) -> None:
    target = tmp_path / "new.sqlite3"
    umask = os.umask(0o022)
    try:
        restore_database(catalogue_template, target)
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


# -- daily backups ---------------------------------------------------------------------------------------


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_backup_names_sort_by_time(tmp_path: Path) -> None:
    assert backup_name(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)) == "kansou-20250102-030405.sqlite3"
    for name in ("kansou-20250102-030405.sqlite3", "kansou-20241231-235959.sqlite3", "kansou-20241399-000000.sqlite3",
                 "notes.txt", "kansou-latest.sqlite3"):
        (tmp_path / name).write_text("x")
    assert [p.name for _, p in list_backups(tmp_path)] == [
        "kansou-20241231-235959.sqlite3", "kansou-20250102-030405.sqlite3"]


async def test_retention_keeps_exactly_the_newest_n(db: SQLiteDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    clock = Clock(datetime(2025, 1, 1, tzinfo=UTC))
    daily = DailyBackups(Path(db.path), folder, keep=3, clock=clock)
    names = []
    for _ in range(5):
        await daily.backup_now()
        names.append(backup_name(clock.now))
        assert len(list_backups(folder)) == min(len(names), 3)
        clock.now += timedelta(days=1)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names[-3:], "notes.txt"])
    assert prune_backups(folder, 1) == [folder / names[-3], folder / names[-2]]


async def test_the_schedule_runs_daily_without_waiting(db: SQLiteDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    clock = Clock(datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) > 4:
            raise asyncio.CancelledError
        clock.now += timedelta(seconds=seconds)

    daily = DailyBackups(Path(db.path), folder, keep=2, clock=clock, sleep=sleep, first_delay=timedelta(minutes=1))
    with pytest.raises(asyncio.CancelledError):
        await daily.run()
    assert slept == [60.0, 86400.0, 86400.0, 86400.0, 86400.0]
    assert [p.name for _, p in list_backups(folder)] == ["kansou-20250603-120100.sqlite3",
                                                         "kansou-20250604-120100.sqlite3"]


async def test_a_recent_backup_postpones_the_first_one(db: SQLiteDatabase, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    clock = Clock(datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    (folder / backup_name(clock.now - timedelta(hours=20))).write_text("x")
    daily = DailyBackups(Path(db.path), folder, keep=2, clock=clock)
    assert daily.seconds_until_due() == 4 * 3600
    clock.now += timedelta(hours=5)
    assert daily.seconds_until_due() == 0
    (folder / backup_name(clock.now + timedelta(days=3))).write_text("x")  # from a clock that ran ahead
    assert daily.seconds_until_due() == 0


async def test_a_failed_backup_is_logged_and_retried(db: SQLiteDatabase, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock(datetime(2025, 6, 1, tzinfo=UTC))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) > 2:
            raise asyncio.CancelledError
        clock.now += timedelta(seconds=seconds)

    daily = DailyBackups(tmp_path / "missing.sqlite3", tmp_path / "b", keep=1, clock=clock, sleep=sleep,
                         retry=timedelta(hours=1))
    with pytest.raises(asyncio.CancelledError):
        await daily.run()
    assert slept == [60.0, 3600.0, 3600.0]
    assert "daily backup" in caplog.text and "no database" in caplog.text


async def test_daily_backups_run_in_the_background(db: SQLiteDatabase, tmp_path: Path) -> None:
    async with daily_backups(db.path, None, 3) as nothing:
        assert nothing is None
    with pytest.raises(ConfigError, match="KANSOU_BACKUP_DIR"):
        async with daily_backups(db.path, Path(db.path) / "sub", 3):
            pass
    async with daily_backups(db.path, tmp_path / "b", 3) as running:
        assert running is not None and (tmp_path / "b").is_dir()
        await running.backup_now()
    assert len(list_backups(tmp_path / "b")) == 1


async def test_the_running_bot_takes_its_first_backup_soon_after_start(
    catalogue_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    from bot.app import run_bot
    from bot.config import Secret, Settings
    from sandbox.server import SandboxServer

    monkeypatch.setattr("bot.core.backups.FIRST_DELAY", timedelta(0))
    monkeypatch.setattr(Route, "BASE", Route.BASE)  # run_bot points discord.py at the stand-in: put it back
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    live = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, live)
    server = SandboxServer()
    endpoints = await server.start()
    folder = tmp_path / "backups"
    settings = Settings.from_env({"ANILIST_API_URL": "off"})
    settings = Settings(**{**vars(settings), "token": Secret(endpoints.token), "db_path": live,
                           "api_base": endpoints.api_base, "gateway_url": endpoints.gateway_url,
                           "backup_dir": folder, "backup_keep": 2})
    bot = asyncio.create_task(run_bot(settings))
    try:
        for _ in range(500):  # bounded: fail rather than hang
            if list_backups(folder) or bot.done():
                break
            await asyncio.sleep(0.02)
        assert not bot.done(), bot.exception()
        ((_, made),) = list_backups(folder)
        assert inspect_backup(made).counts["anime"] > 0
    finally:
        bot.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await bot
        await server.stop()
