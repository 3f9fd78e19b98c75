"""Operations logging: text or JSON lines, the token never logged."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest
from discord.voice_client import VoiceClient

from bot.config import Settings
from bot.errors import ConfigError
from bot.logs import REDACTED, configure_logging, redact, reset_logging
from tests.cogs.conftest import (  # noqa: F401  # fixtures
    _restore_discord_endpoints,
    assert_clean,
    run_kansou,
    sandbox,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GaBcDe.not-a-real-token-but-the-right-shape-0123"
OTHER_TOKEN = "OTk5OTk5OTk5OTk5OTk5OTk5OTk.XyZ123.another-token-shaped-string-nobody-set"
ODD_SECRET = "short.secret.value"  # not token-shaped: only redacted because it is the configured token


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """Logging configured (text) into a buffer for the test; undone afterwards."""
    stream = io.StringIO()
    configure_logging("DEBUG", "text", secrets=[TOKEN, ODD_SECRET], stream=stream)
    yield stream
    reset_logging()


def test_redact_replaces_the_secret_and_anything_token_shaped() -> None:
    assert redact(f"token={TOKEN}!", [TOKEN]) == f"token={REDACTED}!"
    assert redact(f"Authorization: Bot {OTHER_TOKEN}") == f"Authorization: Bot {REDACTED}"
    assert redact("short.secret.value", ["short.secret.value"]) == REDACTED
    assert redact("version 2.7.1 at discord.com/api/v10") == "version 2.7.1 at discord.com/api/v10"


def test_the_token_logged_through_discord_and_bot_loggers_is_redacted(output: io.StringIO,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("discord.http").debug("POST /login with Authorization: Bot %s", TOKEN)
        logging.getLogger("discord.gateway").info(f"IDENTIFY {{'token': '{TOKEN}'}}")
        logging.getLogger("discord.client").warning("other token %s", OTHER_TOKEN)
        logging.getLogger("bot.cli").info("the configured value %s", ODD_SECRET)
        logging.getLogger("cogs.credits").info("extra field", extra={"header": f"Bot {TOKEN}"})
        try:
            raise RuntimeError(f"login failed for {TOKEN}")
        except RuntimeError:
            logging.getLogger("bot").exception("could not log in")
        logging.getLogger("bot").info("stack", stack_info=True, extra={"note": ODD_SECRET})
    text = output.getvalue()
    for secret in (TOKEN, OTHER_TOKEN, ODD_SECRET, "not-a-real-token"):
        assert secret not in text
        assert secret not in caplog.text  # another handler sees redacted records too (the record factory)
        for r in caplog.records:
            assert secret not in r.getMessage() + (r.exc_text or "") + (r.stack_info or "")
            assert secret not in str(getattr(r, "header", "")) + str(getattr(r, "note", ""))
    assert text.count(REDACTED) >= 5
    assert "POST /login with Authorization: Bot [REDACTED]" in text
    assert "RuntimeError: login failed for [REDACTED]" in text


def test_json_lines_carry_the_extra_fields(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", secrets=[TOKEN], stream=stream)
    try:
        logging.getLogger("bot.interactions").info("interaction %s", 42, extra={"interaction_id": 42,
                                                                                "outcome": "ok", "token": TOKEN})
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("bot").exception("failed")
        logging.getLogger("discord").debug("not shown at INFO")
    finally:
        reset_logging()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "interaction 42" and first["logger"] == "bot.interactions"
    assert first["level"] == "INFO" and first["interaction_id"] == 42 and first["outcome"] == "ok"
    assert first["token"] == REDACTED and first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and "ValueError: boom" in second["exception"]


def test_configuring_twice_leaves_one_handler() -> None:
    root = logging.getLogger()
    before = len(root.handlers)
    try:
        configure_logging("INFO", "text", stream=io.StringIO())
        configure_logging("INFO", "json", stream=io.StringIO())
        assert len(root.handlers) == before + 1
    finally:
        reset_logging()
    assert len(root.handlers) == before
    assert logging.getLogRecordFactory() is logging.LogRecord


def test_voice_warnings_are_quiet_but_other_warnings_are_not(output: io.StringIO,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(VoiceClient, "warn_dave", True)
    discord.Client(intents=discord.Intents.none())  # warns about voice support, once per process
    logging.getLogger("discord.client").warning("something else is not installed")
    text = output.getvalue()
    assert "PyNaCl" not in text and "davey" not in text
    assert "something else is not installed" in text


def test_log_format_setting() -> None:
    assert Settings.from_env({}).log_format == "text"
    assert Settings.from_env({"LOG_FORMAT": " JSON "}).log_format == "json"
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        Settings.from_env({"LOG_FORMAT": "xml"})


def test_the_new_settings_are_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in ("LOG_FORMAT", "KANSOU_CATALOGUE_DIR"):
        assert f"`{name}`" in readme and f"{name}=" in example


def test_json_logs_from_the_command_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    env.update(KANSOU_DB=str(tmp_path / "k.sqlite3"), ANILIST_API_URL="off", LOG_FORMAT="json", DISCORD_TOKEN=TOKEN)
    catalogue = ROOT / "data" / "catalogue" / "metallic_rouge.toml"
    result = subprocess.run([sys.executable, "-m", "bot", "catalogue", "load", str(catalogue)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines, "creating the database logs the schema upgrade"
    entries = [json.loads(line) for line in lines]
    assert any(e["logger"] == "bot.core.migrations" and "upgraded" in e["message"] for e in entries)
    assert TOKEN not in result.stdout + result.stderr
