"""The `kansou` command as a member of the public would run it: a real process, a real database file."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_BROKEN_PIPE, _parser, no_token_message, program_name
from tests.helpers.terminal import PROMPT, Terminal

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` in an empty folder, with a clean environment but for ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
    clean.update({"KANSOU_DB": str(tmp_path / "k.sqlite3"), "ANILIST_API_URL": "off", **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=clean, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_without_a_token_or_a_terminal_it_explains_what_to_do_and_offers_the_sandbox(tmp_path: Path) -> None:
    result = run([], tmp_path)  # stdin and stdout are pipes here: a service manager, CI
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr and ".env" in result.stderr
    assert "applications.commands" in result.stderr
    # The commands it names can be typed as they are, here: the program is this python (by name when PATH
    # finds it, as in an activated virtual environment; else by its path), with -m bot.
    (typed,) = re.findall(r"right now: +(.+) -m bot sandbox$", result.stderr, re.MULTILINE)
    found = shutil.which(typed) if os.sep not in typed else str(tmp_path / typed)
    assert found is not None and Path(found).absolute() == Path(sys.executable).absolute(), typed
    assert "Traceback" not in result.stderr
    assert run(["run"], tmp_path).returncode == 2
    assert run(["sync"], tmp_path).returncode == 2
    assert not (tmp_path / "k.sqlite3").exists()


def test_the_set_up_steps_name_the_command_as_it_can_be_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "kansou").write_text("#!/bin/sh\n")
    (venv_bin / "kansou").chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # the virtual environment is not active
    assert program_name(".venv/bin/kansou") == ".venv/bin/kansou"
    assert ".venv/bin/kansou sandbox" in no_token_message(".venv/bin/kansou")
    monkeypatch.setenv("PATH", f"{venv_bin}:/usr/bin:/bin")  # `source .venv/bin/activate`
    assert program_name(str(venv_bin / "kansou")) == "kansou"
    assert program_name(str(tmp_path / "bot" / "__main__.py")).endswith(" -m bot")


def test_in_a_terminal_without_a_token_it_starts_the_sandbox(tmp_path: Path) -> None:
    """A newcomer's first `kansou`: one line, then a prompt taking slash commands; the log goes to a file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    env.update(ANILIST_API_URL="off", KANSOU_DB=str(tmp_path / "real.sqlite3"), TERM="dumb")
    with Terminal([sys.executable, "-m", "bot"], cwd=tmp_path, env=env) as term:
        greeting = term.read_until(PROMPT)
        term.type("/voiced character: Naomi Orthmann")
        answer = term.read_until(PROMPT)
        term.type("quit")
        assert term.wait() == 0, term.output
    first = greeting.splitlines()[0]
    assert first.startswith("kansou: no DISCORD_TOKEN is set, so this is the sandbox")
    assert "AniList is off or unreachable: only the local catalogue answers" in greeting
    assert "sandbox-files/sandbox.log" in greeting
    assert "Who voiced Naomi Orthmann" in answer and "Tomoyo Kurosawa" in answer
    # Nothing but the conversation on the screen: the bot's log lines went to the file.
    assert "bot.interactions" not in term.output and " INFO " not in term.output
    log = (tmp_path / "sandbox-files" / "sandbox.log").read_text()
    assert "bot.interactions" in log and "voiced" in log and ": ok in" in log
    assert not (tmp_path / "real.sqlite3").exists()  # a scratch database, not KANSOU_DB


def all_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
                ) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """The parser and every sub-command's parser, with the words that reach it."""
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += all_parsers(sub, (*path, name))
    return found


def test_every_command_and_argument_is_described() -> None:
    parsers = all_parsers(_parser())
    assert {p for p, _ in parsers} >= {("run",), ("sync",), ("check",), ("backup",), ("restore",), ("sandbox",),
                                       ("catalogue", "load"), ("catalogue", "import-anilist")}
    for path, parser in parsers:
        assert parser.description and len(parser.description) > 20, path
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions), path
            else:
                assert action.help and action.help != argparse.SUPPRESS, (path, action.dest)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "--help"], ["DISCORD_TOKEN", "sandbox", "exit 2"]),
        (["catalogue", "load", "--help"], ["FILE", "TOML", "data/README.md"]),
        (["sandbox", "--help"], ["--script FILE", "examples/tour.kansou", '"""', "indented", "press", "as bob"]),
        (["backup", "--help"], ["--force", "ending in /"]),
        (["check", "--help"], ["Read-only", "not created", "not upgraded"]),
    ],
)
def test_help_explains_each_command(tmp_path: Path, args: list[str], expected: list[str]) -> None:
    result = run(args, tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps lines to the terminal's width
    for phrase in expected:
        assert phrase in text, (phrase, result.stdout)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", ["run", "sync"])
def test_with_a_token_and_no_discord_it_says_where_it_could_not_connect(tmp_path: Path, command: str) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    result = run([command], tmp_path, DISCORD_TOKEN="fake-token-for-this-test", DISCORD_API_BASE=base)
    assert result.returncode == 1, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("kansou: ")]
    assert line.startswith(f"kansou: Discord could not be reached at {base}/api/v10 (")
    assert "Check that this machine is online" in line and "DNS, a firewall or a proxy" in line
    assert f"DISCORD_API_BASE is set to {base}" in line
    assert "Traceback" not in result.stderr and "fake-token-for-this-test" not in result.stderr


def test_the_unreachable_message_names_the_cause_and_discords_host() -> None:
    import aiohttp
    from aiohttp.client_reqrep import ConnectionKey

    from bot.config import Settings
    from bot.ui.client import discord_unreachable

    key = ConnectionKey("discord.com", 443, True, True, None, None, None)
    error = aiohttp.ClientConnectorError(key, socket.gaierror(-2, "Name or service not known"))
    message = str(discord_unreachable(Settings().api_base, error))
    assert message.startswith("Discord could not be reached at https://discord.com/api/v10 (Name or service not known)")
    assert "connect to discord.com" in message and "DISCORD_API_BASE" not in message


def run_into_a_closed_pipe(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run kansou with its stdout a pipe whose reader has already gone (as `| head -1` leaves it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    env.update(KANSOU_DB=str(tmp_path / "k.sqlite3"), ANILIST_API_URL="off")
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, stdout=write_end,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=120, check=False)
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [["--help"], ["sandbox", "--help"], ["check"], ["sandbox", "--script", str(ROOT / "examples" / "tour.kansou")],
     ["backup", "copy.sqlite3"]],
    ids=["help", "sandbox-help", "check", "sandbox-script", "backup"],
)
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args: list[str]) -> None:
    if args[0] == "backup":
        assert run(["catalogue", "load", str(ROOT / "data" / "catalogue" / "metallic_rouge.toml")],
                   tmp_path).returncode == 0
    result = run_into_a_closed_pipe(args, tmp_path)
    assert result.returncode in (0, EXIT_BROKEN_PIPE), result.stderr
    assert result.stderr == "" or result.stderr.startswith("kansou: "), result.stderr
    assert "Traceback" not in result.stderr and "Broken pipe" not in result.stderr
    assert "Exception ignored" not in result.stderr


def test_piping_into_head_shows_the_first_lines_and_no_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    env.update(KANSOU_DB=str(tmp_path / "k.sqlite3"), ANILIST_API_URL="off")
    tour = ROOT / "examples" / "tour.kansou"
    result = subprocess.run(
        ["bash", "-c", f'set -o pipefail; "{sys.executable}" -m bot sandbox --script "{tour}" | head -3; '
                       'echo "status ${PIPESTATUS[0]}" >&2'],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr.strip() in ("status 0", f"status {EXIT_BROKEN_PIPE}"), result.stderr


def test_a_bad_setting_is_a_clear_error(tmp_path: Path) -> None:
    result = run([], tmp_path, KANSOU_DEV_GUILD="abc")
    assert result.returncode == 2
    assert "KANSOU_DEV_GUILD must be a whole number" in result.stderr


def test_check_prints_the_configuration_with_the_token_masked(tmp_path: Path) -> None:
    token = "MTIzNDU2.secret-part-that-must-not-appear.wxyz"
    catalogue = ROOT / "data" / "catalogue" / "metallic_rouge.toml"
    assert run(["catalogue", "load", str(catalogue)], tmp_path).returncode == 0  # creates the database
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
    assert re.search(r"^  KANSOU_DEV_GUILD +42$", result.stdout, re.MULTILINE)


def test_catalogue_load_reports_what_it_added(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        'format = 1\n[[person]]\nkey = "p"\nname = "Test Person"\n[[character]]\nkey = "c"\nname = "Test Hero"\n'
        '[[anime]]\nkey = "a"\ntitle_romaji = "Test Show"\nepisodes = 12\n'
        '[[anime.cast]]\ncharacter = "c"\nperson = "p"\n'
    )
    first = run(["catalogue", "load", str(extra)], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "1 new voice role," in first.stdout
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
