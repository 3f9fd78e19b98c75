"""`kansou check` reports and changes nothing: no folder or file created, no schema upgraded, every setting shown."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.core.database import Database
from bot.core.migrations import latest_version, load_migrations

ROOT = Path(__file__).resolve().parents[2]


def check(tmp_path: Path, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot check` in ``tmp_path`` with a clean environment (AniList off unless ``env`` says)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    clean.update({"KANSOU_DB": str(db), "ANILIST_API_URL": "off", **env})
    return subprocess.run([sys.executable, "-m", "bot", "check"], cwd=tmp_path, env=clean, capture_output=True,
                          text=True, timeout=60, check=False)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: its digest and modification time (ns)."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir",
                                     p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


def old_database(path: Path, version: int) -> None:
    """A kansou database of an older schema (the first ``version`` migrations), in WAL mode, closed cleanly."""
    conn = sqlite3.connect(path)
    for migration in load_migrations()[:version]:
        conn.executescript(migration.sql)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("INSERT INTO anime (key, title_romaji) VALUES ('old', 'An Old Show')")
    conn.commit()
    conn.close()


def test_a_missing_database_stays_missing(tmp_path: Path) -> None:
    mistyped = tmp_path / "no-such-folder" / "kansou.sqlite3"
    before = snapshot(tmp_path)
    result = check(tmp_path, mistyped)
    assert result.returncode == 0, result.stderr
    assert f"database {mistyped}" in result.stdout
    assert "no file yet: kansou creates it at the next start" in result.stdout
    assert not mistyped.parent.exists()
    assert snapshot(tmp_path) == before


def test_an_old_schema_stays_old_and_the_file_unchanged(tmp_path: Path) -> None:
    assert latest_version() > 2
    path = tmp_path / "old.sqlite3"
    old_database(path, 2)
    before = snapshot(tmp_path)
    result = check(tmp_path, path)
    assert result.returncode == 0, result.stderr
    assert f"schema version  2, this kansou writes {latest_version()}: it will be upgraded at the next start" \
        in result.stdout
    assert re.search(r"anime\s+1\b", result.stdout)
    assert snapshot(tmp_path) == before  # same bytes, same times, and no -wal or -shm beside it
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


async def test_a_current_database_is_counted_while_the_bot_has_it_open(tmp_path: Path) -> None:
    path = tmp_path / "kansou.sqlite3"
    async with await Database.open(path) as db:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO anime (key, title_romaji) VALUES ('a', 'A'), ('b', 'B'), ('c', 'C')")
        # The "bot" holds the database open in WAL mode: check reads through SQLite's locks and sees the rows.
        before = snapshot(tmp_path)
        result = check(tmp_path, path)
        assert result.returncode == 0, result.stderr
        assert f"schema version  {latest_version()} (current)" in result.stdout
        assert re.search(r"anime\s+3\b", result.stdout)
        assert snapshot(tmp_path).keys() == before.keys()
    closed = snapshot(tmp_path)
    assert check(tmp_path, path).returncode == 0
    assert snapshot(tmp_path) == closed  # nothing beside a cleanly closed database either


def _setting_names() -> set[str]:
    """Every environment variable bot/config.py reads."""
    source = (ROOT / "bot" / "config.py").read_text()
    return set(re.findall(r'"((?:DISCORD|KANSOU|ANILIST|LOG)_[A-Z_]+)"', source))


def test_every_setting_is_printed_with_its_value(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    result = check(
        tmp_path, tmp_path / "k.sqlite3",
        KANSOU_RATE_COOLDOWN="7", KANSOU_REVIEW_COOLDOWN="45", KANSOU_LOOKUP_COOLDOWN="1.5",
        ANILIST_API_URL="http://127.0.0.1:1/graphql", ANILIST_PER_MINUTE="12", ANILIST_TIMEOUT="4",
        ANILIST_MAX_AGE_DAYS="3", KANSOU_BACKUP_DIR=str(backups), KANSOU_BACKUP_KEEP="9",
        KANSOU_LEADERBOARD_MIN_VOTES="5", LOG_FORMAT="json",
    )
    assert result.returncode == 0, result.stderr
    shown = {line.split()[0]: line.split(None, 1)[1] for line in result.stdout.splitlines()
             if line.startswith("  ") and line.split()[0].isupper() and len(line.split()) > 1}
    names = _setting_names()
    assert len(names) >= 18
    assert names <= shown.keys(), names - shown.keys()
    assert shown["KANSOU_RATE_COOLDOWN"] == "7 s"
    assert shown["KANSOU_REVIEW_COOLDOWN"] == "45 s"
    assert shown["KANSOU_LOOKUP_COOLDOWN"] == "1.5 s"
    assert shown["ANILIST_API_URL"] == "http://127.0.0.1:1/graphql"
    assert shown["ANILIST_PER_MINUTE"] == "12 requests a minute"
    assert shown["ANILIST_TIMEOUT"] == "4 s"
    assert shown["ANILIST_MAX_AGE_DAYS"] == "3 days"
    assert shown["KANSOU_BACKUP_DIR"] == str(backups)
    assert shown["KANSOU_BACKUP_KEEP"] == "9 backups"
    assert shown["KANSOU_LEADERBOARD_MIN_VOTES"].startswith("5")
    assert shown["LOG_FORMAT"] == "json"
    assert not backups.exists()  # named, not created


def test_the_catalogue_files_are_read_but_not_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    shutil.copyfile(ROOT / "data" / "catalogue" / "metallic_rouge.toml", folder / "metallic_rouge.toml")
    result = check(tmp_path, tmp_path / "k.sqlite3", KANSOU_CATALOGUE_DIR=str(folder))
    assert result.returncode == 0, result.stderr
    assert re.search(r"metallic_rouge\.toml: \d+ shows, \d+ people, \d+ characters", result.stdout)
    assert not (tmp_path / "k.sqlite3").exists()
