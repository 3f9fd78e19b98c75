"""Operations logging: text or JSON lines, the token never logged, one structured line per interaction."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import discord
import pytest
from discord.voice_client import VoiceClient

from bot.config import Settings
from bot.errors import ConfigError
from bot.logs import REDACTED, InteractionLog, configure_logging, describe_payload, note_outcome, redact, reset_logging
from bot.ui.client import KansouBot
from sandbox import Sandbox
from tests.cogs.conftest import (  # noqa: F401  # fixtures
    _restore_discord_endpoints,
    assert_clean,
    run_kansou,
    sandbox,
)
from tests.cogs.test_credits import _big_show

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


# -- the interaction log, unit by unit ----------------------------------------------------------------------


def _payload(kind: int = 2, **data: object) -> dict[str, object]:
    return {"id": str((1_000 << 22) | 5), "type": kind, "guild_id": "77", "member": {"user": {"id": "88"}},
            "data": data}


def test_describe_payload_names_commands_subcommands_and_components() -> None:
    command = describe_payload(_payload(2, name="review", options=[{"type": 1, "name": "write", "options": [
        {"type": 3, "name": "anime", "value": "x"}]}]))
    assert command == {"event": "interaction", "interaction_id": (1_000 << 22) | 5, "guild_id": 77, "user_id": 88,
                       "kind": "command", "command": "review write"}
    typing = describe_payload(_payload(4, name="person", options=[{"type": 3, "name": "name", "focused": True}]))
    assert typing["kind"] == "autocomplete" and typing["command"] == "person" and typing["option"] == "name"
    button = describe_payload(_payload(3, custom_id="pages:next", component_type=2))
    assert button["kind"] == "component" and button["command"] == "component:pages:next"
    dm = describe_payload({"id": "9", "type": 5, "user": {"id": "3"}, "data": {"custom_id": "abc"}})
    assert dm["guild_id"] is None and dm["user_id"] == 3 and dm["command"] == "modal:abc"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_line_is_written_when_the_handlers_finish(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    created_ms = 1_420_070_400_000 + 1_000
    log = InteractionLog(monotonic=clock, wall=lambda: (created_ms + 2_500) / 1000)
    release = {"good": asyncio.Event(), "bad": asyncio.Event()}

    async def handler(name: str) -> None:
        await release[name].wait()
        clock.now += 0.25
        if name == "bad":
            try:
                raise KeyError("x")
            except KeyError as error:
                note_outcome("error", error)

    def parse(data: dict[str, object]) -> None:  # what discord.py does: schedule the handler, return
        name = data["data"]["name"]  # type: ignore[index]
        asyncio.get_running_loop().create_task(handler(name), name="CommandTree-invoker")

    async def settle() -> None:
        for _ in range(5):
            await asyncio.sleep(0)

    wrapped = log.wrap(parse)
    with caplog.at_level(logging.DEBUG, logger="bot.interactions"):
        wrapped(_payload(2, name="good"))
        wrapped(_payload(2, name="bad"))
        await settle()
        assert not caplog.records  # nothing until the handlers finish
        release["good"].set()
        await settle()
        assert len(caplog.records) == 1
        release["bad"].set()
        await settle()
    good, bad = cast(list[Any], caplog.records)
    assert good.levelno == logging.INFO and bad.levelno == logging.WARNING
    assert (good.command, good.outcome, good.latency_ms) == ("good", "ok", 250.0)
    assert (bad.command, bad.outcome, bad.error, bad.latency_ms) == ("bad", "error", "KeyError", 500.0)
    assert not hasattr(good, "error") and good.since_created_ms == 2_500.0
    assert "interaction" in good.getMessage() and "good" in good.getMessage() and "ok" in good.getMessage()


async def test_an_interaction_nothing_handles_is_logged_as_unhandled(caplog: pytest.LogCaptureFixture) -> None:
    log = InteractionLog()
    with caplog.at_level(logging.INFO, logger="bot.interactions"):
        log.wrap(lambda data: None)(_payload(3, custom_id="gone", component_type=2))
    (record,) = cast(list[Any], caplog.records)
    assert record.outcome == "unhandled" and record.command == "component:gone" and record.levelno == logging.WARNING


def test_note_outcome_outside_an_interaction_does_nothing() -> None:
    note_outcome("error", RuntimeError())  # no interaction being handled: no effect, no error


# -- the interaction log, end to end ------------------------------------------------------------------------


async def _lines(caplog: pytest.LogCaptureFixture, count: int) -> list[Any]:
    for _ in range(200):  # the line is written as the handler task finishes, just after the reply
        records = [r for r in caplog.records if r.name == "bot.interactions"]
        if len(records) >= count:
            return records
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} interaction lines, got {[r.getMessage() for r in caplog.records]}")


async def test_every_interaction_gets_a_line(sandbox: Sandbox, caplog: pytest.LogCaptureFixture,  # noqa: F811
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(sandbox.bot, KansouBot)
    caplog.set_level(logging.DEBUG, logger="bot.interactions")
    ok = await sandbox.invoke("voiced", {"character": "Naomi Orthmann"})
    assert_clean(ok)
    missing = await sandbox.invoke("credits", {"anime": "no such show zzzz"}, user="bob")
    assert missing.ephemeral
    await sandbox.autocomplete("person", {"name": "shima"}, focused="name")

    async def broken(*args: object) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(sandbox.bot.services.credits, "person", broken)
    bug = await sandbox.invoke("person", {"name": "Shimamura"})
    assert bug.log_errors  # the central handler logged the bug
    await sandbox.bot.services.db.catalogue.load_bundle(_big_show(150), source="test")
    pages = await sandbox.invoke("credits", {"anime": "A Very Big Show"})
    assert pages.message is not None
    turned = await sandbox.click(pages.message, "Next")
    assert_clean(turned)
    records = await _lines(caplog, 6)
    by_id = {r.interaction_id: r for r in records}
    line = by_id[ok.interaction_id]
    guild = sandbox.guild()
    assert (line.kind, line.command, line.outcome) == ("command", "voiced", "ok")
    assert line.guild_id == guild.id and line.user_id == sandbox.member("alice").id
    assert line.latency_ms >= 0 and line.levelno == logging.INFO
    assert (by_id[missing.interaction_id].outcome, by_id[missing.interaction_id].error) == ("user-error", "NotFound")
    assert by_id[missing.interaction_id].user_id == sandbox.member("bob").id
    assert (by_id[bug.interaction_id].outcome, by_id[bug.interaction_id].error) == ("error", "ZeroDivisionError")
    assert by_id[bug.interaction_id].levelno == logging.WARNING
    click = by_id[turned.interaction_id]
    assert (click.kind, click.command, click.outcome) == ("component", "component:pages:next", "ok")
    typing = [r for r in records if r.kind == "autocomplete"]
    assert len(typing) == 1 and typing[0].levelno == logging.DEBUG and typing[0].option == "name"


async def test_a_modal_submission_gets_a_line(sandbox: Sandbox,  # noqa: F811
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.interactions")
    form = await sandbox.invoke("review write", {"anime": "Metallic Rouge"})
    assert form.modal is not None
    sent = await sandbox.submit_modal(form, {"Title": "Fine", "Review": "A good show."})
    assert_clean(sent)
    records = await _lines(caplog, 2)
    by_id = {r.interaction_id: r for r in records}
    assert by_id[form.interaction_id].command == "review write"
    line = by_id[sent.interaction_id]
    assert line.kind == "modal" and line.command.startswith("modal:") and line.outcome == "ok"
