"""One structured line per interaction, through discord.py's public hooks: the fields, the outcome, the timing."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any, cast

import discord
import pytest

from bot.catalogue.store import CatalogueStore
from bot.ui.client import KansouBot
from bot.ui.interactions import InteractionLog, describe_payload, note_outcome
from sandbox import Sandbox
from tests.cogs.conftest import (  # noqa: F401  # fixtures
    _restore_discord_endpoints,
    assert_clean,
    run_kansou,
    sandbox,
)
from tests.cogs.test_credits import _big_show

# -- the interaction log, unit by unit ----------------------------------------------------------------------


def _payload(kind: int = 2, **data: object) -> dict[str, object]:
    return {"id": str((1_000 << 22) | 5), "type": kind, "guild_id": "77", "member": {"user": {"id": "88"}},
            "data": data}


def _interaction(kind: int = 2, **data: object) -> Any:
    """What the log reads of an interaction: its public attributes."""
    return SimpleNamespace(id=(1_000 << 22) | 5, type=discord.InteractionType(kind), guild_id=77,
                           user=SimpleNamespace(id=88), data=data, extras={})


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


async def test_a_line_is_written_when_the_handler_finishes(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    created_ms = 1_420_070_400_000 + 1_000
    log = InteractionLog(monotonic=clock, wall=lambda: (created_ms + 2_500) / 1000)
    release = {"good": asyncio.Event(), "bad": asyncio.Event()}

    async def handler(interaction: Any, name: str) -> None:
        log.begin(interaction)  # what the tree's (or a view's) interaction_check does first
        log.begin(interaction)  # once is enough
        await release[name].wait()
        clock.now += 0.25
        if name == "bad":
            try:
                raise KeyError("x")
            except KeyError as error:
                note_outcome(interaction, "error", error)

    async def settle() -> None:
        for _ in range(5):
            await asyncio.sleep(0)

    with caplog.at_level(logging.DEBUG, logger="bot.interactions"):
        good = asyncio.create_task(handler(_interaction(2, name="good"), "good"))
        bad = asyncio.create_task(handler(_interaction(2, name="bad"), "bad"))
        await settle()
        assert not caplog.records  # nothing until the handlers finish
        release["good"].set()
        await settle()
        assert len(caplog.records) == 1
        release["bad"].set()
        await asyncio.gather(good, bad)
        await settle()
    first, second = cast(list[Any], caplog.records)
    assert first.levelno == logging.INFO and second.levelno == logging.WARNING
    assert (first.command, first.outcome, first.latency_ms) == ("good", "ok", 250.0)
    assert (second.command, second.outcome, second.error, second.latency_ms) == ("bad", "error", "KeyError", 500.0)
    assert not hasattr(first, "error") and first.since_created_ms == 2_500.0
    assert "interaction" in first.getMessage() and "good" in first.getMessage() and "ok" in first.getMessage()


async def test_an_interaction_nothing_handles_is_logged_as_unhandled(caplog: pytest.LogCaptureFixture) -> None:
    log = InteractionLog()
    claimed = _interaction(3, custom_id="pages:next", component_type=2)
    with caplog.at_level(logging.INFO, logger="bot.interactions"):
        log.unhandled(_interaction(3, custom_id="gone", component_type=2))
        log.begin(claimed)  # a view claimed this one: on_interaction, later, leaves it alone
        log.unhandled(claimed)
    (record,) = cast(list[Any], caplog.records)
    assert record.outcome == "unhandled" and record.command == "component:gone" and record.levelno == logging.WARNING


async def test_note_outcome_outside_a_logged_interaction_does_nothing(caplog: pytest.LogCaptureFixture) -> None:
    interaction = _interaction()
    with caplog.at_level(logging.DEBUG):
        note_outcome(interaction, "error", RuntimeError())  # not being logged: no effect, no error
    assert interaction.extras == {}  # nothing stamped that a later begin() would mistake for its own
    assert not caplog.records
    # The same call on an interaction being logged records the outcome and the error's type: the difference.
    stamped = _interaction()
    InteractionLog(logging.getLogger("test.interactions")).begin(stamped)
    note_outcome(stamped, "error", RuntimeError())
    (pending,) = stamped.extras.values()
    assert pending.outcome == "error" and pending.error == "RuntimeError"


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

    credits = sandbox.bot.get_cog("Credits")
    assert credits is not None
    monkeypatch.setattr(cast(Any, credits).pages, "first_person", broken)
    bug = await sandbox.invoke("person", {"name": "Shimamura"})
    assert bug.log_errors  # the central handler logged the bug
    await CatalogueStore(sandbox.bot.core.db).load_bundle(_big_show(150), source="test")
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
    assert (click.kind, click.outcome) == ("component", "ok") and click.command.startswith("component:pg:cr:n:")
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
