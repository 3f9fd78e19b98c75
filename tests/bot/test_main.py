"""The `kansou` command as a member of the public would run it: a real process, a real database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` in an empty folder, with a clean environment but for ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
    clean.update({"KANSOU_DB": str(tmp_path / "k.sqlite3"), "ANILIST_API_URL": "off", **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_without_a_token_it_explains_what_to_do_and_offers_the_sandbox(tmp_path: Path) -> None:
    result = run([], tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr and ".env" in result.stderr
    assert "applications.commands" in result.stderr
    assert "kansou sandbox" in result.stderr
    assert "Traceback" not in result.stderr
    assert run(["run"], tmp_path).returncode == 2
    assert run(["sync"], tmp_path).returncode == 2


def test_a_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    result = run([], tmp_path, KANSOU_DEV_GUILD="abc")
    assert result.returncode == 2
    assert "KANSOU_DEV_GUILD must be a whole number" in result.stderr


def test_check_prints_the_configuration_with_the_token_masked(tmp_path: Path) -> None:
    token = "MTIzNDU2.secret-part-that-must-not-appear.wxyz"
    result = run(["check"], tmp_path, DISCORD_TOKEN=token)
    assert result.returncode == 0, result.stderr
    assert "secret-part" not in result.stdout + result.stderr
    assert "…wxyz" in result.stdout
    assert "schema version" in result.stdout
    assert "anime" in result.stdout and "voice_role" in result.stdout


def test_the_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=WARNING\nKANSOU_DEV_GUILD=42\n")
    result = run(["check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "KANSOU_DEV_GUILD     42" in result.stdout


def test_catalogue_load_reports_what_it_added(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        'format = 1\n[[person]]\nkey = "p"\nname = "Test Person"\n[[character]]\nkey = "c"\nname = "Test Hero"\n'
        '[[anime]]\nkey = "a"\ntitle_romaji = "Test Show"\nepisodes = 12\n'
        '[[anime.cast]]\ncharacter = "c"\nperson = "p"\n'
    )
    first = run(["catalogue", "load", str(extra)], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "1 new voice roles" in first.stdout
    again = run(["catalogue", "load", str(extra)], tmp_path)
    assert "0 new voice roles" in again.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [("not toml [[[", "not valid TOML"), ('[[anime]]\nkey = "a"\n', "'title_romaji' is required")],
)
def test_a_bad_catalogue_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(content)
    result = run(["catalogue", "load", str(bad)], tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
