"""`kansou`, `kansou check` and `kansou sandbox` stop with one clear paragraph (no traceback) when they cannot start."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.core.migrations import latest_version

COMMANDS = ("run", "check", "sandbox")
FAKE_TOKEN = "fake-token-for-start-up-tests"


def kansou(command: str, tmp_path: Path, db: Path | None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run one kansou command in a clean environment; the run never reaches a real Discord (closed port)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    clean.update(ANILIST_API_URL="off", KANSOU_DB=str(db or tmp_path / f"{command}.sqlite3"), **env)
    args = [command]
    if command == "run":
        clean.update(DISCORD_TOKEN=FAKE_TOKEN, DISCORD_API_BASE="http://127.0.0.1:9",
                     DISCORD_GATEWAY_URL="ws://127.0.0.1:9")
    if command == "sandbox":
        script = tmp_path / "script.kansou"
        script.write_text("/credits anime: Metallic Rouge\n")
        args += ["--script", str(script), "--files", str(tmp_path / "files")]
        if db is not None:
            args += ["--db", str(db)]
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean, capture_output=True,
                          text=True, timeout=60, check=False)


def run_all(tmp_path: Path, db: Path | None, **env: str) -> dict[str, subprocess.CompletedProcess[str]]:
    """The three commands, side by side (each is a Python start-up: run them concurrently)."""
    with ThreadPoolExecutor(len(COMMANDS)) as pool:
        futures = {c: pool.submit(kansou, c, tmp_path, db, **env) for c in COMMANDS}
        return {c: f.result() for c, f in futures.items()}


def assert_clear_error(results: dict[str, subprocess.CompletedProcess[str]], *phrases: str) -> None:
    """Each command failed with a non-zero code, one ``kansou:`` paragraph naming the problem, and no traceback."""
    for command, result in results.items():
        output = result.stdout + result.stderr
        assert result.returncode == 1, (command, output)
        assert "Traceback" not in output, (command, output)
        assert "failed to start" not in output, (command, output)  # reported before the sandbox starts
        errors = [line for line in result.stderr.splitlines() if line.startswith("kansou: ")]
        assert len(errors) == 1, (command, result.stderr)
        for phrase in phrases:
            assert phrase in errors[0], (command, errors[0])
        assert FAKE_TOKEN not in output


def test_a_folder_in_place_of_the_database(tmp_path: Path) -> None:
    folder = tmp_path / "kansou.sqlite3"
    folder.mkdir()
    assert_clear_error(run_all(tmp_path, folder), "Cannot open the database", str(folder), "KANSOU_DB")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    garbage = tmp_path / "kansou.sqlite3"
    garbage.write_bytes(b"these are my notes, not a database\n" * 200)
    assert_clear_error(run_all(tmp_path, garbage), str(garbage), "not a usable SQLite database")
    assert garbage.read_bytes().startswith(b"these are my notes")  # left as it was


def test_a_database_from_a_newer_kansou(tmp_path: Path) -> None:
    newer = tmp_path / "kansou.sqlite3"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    assert_clear_error(run_all(tmp_path, newer), f"schema version {latest_version() + 1}", "newer kansou")


def test_a_missing_catalogue(tmp_path: Path) -> None:
    empty = tmp_path / "no-catalogue"
    empty.mkdir()
    assert_clear_error(run_all(tmp_path, None, KANSOU_CATALOGUE_DIR=str(empty)), str(empty), "has no .toml file")


def test_a_catalogue_file_that_does_not_parse(tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "broken.toml").write_text("format = 1\n[[anime]\nkey = ")
    assert_clear_error(run_all(tmp_path, None, KANSOU_CATALOGUE_DIR=str(folder)), "broken.toml", "not valid TOML",
                       "catalogue")


def test_a_catalogue_file_that_breaks_the_format(tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "broken.toml").write_text('[[anime]]\nkey = "a"\n')
    result = kansou("check", tmp_path, None, KANSOU_CATALOGUE_DIR=str(folder))  # the same path as above: once
    assert_clear_error({"check": result}, "broken.toml", "'title_romaji' is required")
