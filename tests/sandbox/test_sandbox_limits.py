"""Each Discord rule the stand-in enforces: a Violation is recorded and the bot gets Discord's error."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import SandboxConfig

from .broken_bots import BadDescriptionBot, BrokenBot, PingBot
from .conftest import RunBot
from .sandbox_bots import GoodBot

UNANSWERED = "interaction not acknowledged within 3 seconds"


def names(result_or_list: object) -> list[str]:
    violations = getattr(result_or_list, "violations", result_or_list)
    assert isinstance(violations, list)
    return [v.name for v in violations]


@pytest.mark.parametrize(
    ("command", "expected", "path"),
    [
        ("long-content", ["message content > 2000 characters"], "data.content"),
        ("many-embeds", ["more than 10 embeds"], "data.embeds"),
        ("heavy-embeds", ["embeds total > 6000 characters"], "data.embeds"),
        ("empty-field", ["embed field value is empty"], "data.embeds.0.fields.0.value"),
        ("six-rows", ["more than 5 action rows"], "data.components"),
        ("wide-row", ["more than 5 buttons in an action row"], "data.components.0.components"),
        ("long-custom-id", ["custom_id > 100 characters"], "data.components.0.components.0.custom_id"),
        ("long-label", ["button label > 80 characters"], "data.components.0.components.0.label"),
        ("big-select", ["select menu > 25 options"], "data.components.0.components.0.options"),
        ("six-inputs", ["modal has more than 5 components"], "data.components"),
        ("long-title", ["modal title > 45 characters"], "data.title"),
    ],
)
async def test_message_and_modal_limits(run_bot: RunBot, command: str, expected: list[str], path: str) -> None:
    async with run_bot(BrokenBot) as sandbox:
        result = await sandbox.invoke(command.replace("-", "_"))
        assert names(result) == [*expected, UNANSWERED]  # the rejected reply leaves the interaction unanswered
        assert result.violations[0].path == path
        assert not result.acknowledged  # a rejected callback acknowledges nothing…
        assert result.log_errors  # …and the command failed with discord.py's HTTPException
        bot = sandbox.bot
        assert isinstance(bot, BrokenBot)
        error = bot.http_errors[0]
        assert (error.status, error.code) == (400, 50035)
        assert f"In {path}" in error.text


async def test_every_embed_limit_named(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot) as sandbox:
        result = await sandbox.invoke("big_embed")
        assert sorted(names(result)) == sorted([
            "embed title > 256 characters", "embed description > 4096 characters", "more than 25 embed fields",
            "embed field name > 256 characters", "embed field value > 1024 characters",
            "embed footer text > 2048 characters", "embed author name > 256 characters",
            "embeds total > 6000 characters", UNANSWERED])


async def test_text_input_limits(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot) as sandbox:
        result = await sandbox.invoke("long_input")
        assert sorted(names(result)) == [UNANSWERED, "text input label > 45 characters",
                                         "text input max_length > 4000"]


async def test_autocomplete_limits(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot) as sandbox:
        many = await sandbox.autocomplete_result("ac_many", {"anime": "s"}, focused="anime")
        assert names(many) == ["autocomplete > 25 choices", UNANSWERED]
        assert many.choices is None  # Discord refused them: the user sees "Loading options failed"
        long = await sandbox.autocomplete_result("ac_long", {"anime": "s"}, focused="anime")
        assert names(long) == ["autocomplete choice name > 100 characters",
                               "autocomplete choice value > 100 characters", UNANSWERED]
        assert await sandbox.autocomplete("ac_long", {"anime": "s"}, focused="anime") == []


async def test_late_response(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot, config=SandboxConfig.default(interaction_deadline=0.2)) as sandbox:
        result = await sandbox.invoke("late", timeout=2.0)
        assert names(result) == [UNANSWERED]
        assert not result.acknowledged
        bot = sandbox.bot
        assert isinstance(bot, BrokenBot)
        assert [(e.status, e.code) for e in bot.http_errors] == [(404, 10062)]


async def test_double_response(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot) as sandbox:
        result = await sandbox.invoke("double")
        assert result.content == "once"
        assert names(result) == ["interaction acknowledged twice"]
        bot = sandbox.bot
        assert isinstance(bot, BrokenBot)
        assert [(e.status, e.code) for e in bot.http_errors] == [(400, 40060)]
        assert "Interaction has already been acknowledged." in bot.http_errors[0].text


async def test_followup_before_response(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot) as sandbox:
        result = await sandbox.invoke("eager")
        assert names(result) == ["follow-up before the interaction was acknowledged"]
        assert result.content == "then the answer"


async def test_no_response_and_unfinished_defer(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot) as sandbox:
        silent = await sandbox.invoke("silent")
        assert names(silent) == [UNANSWERED]
        forgetful = await sandbox.invoke("forgetful")
        assert names(forgetful) == ["deferred response never completed"]
        assert forgetful.message is not None and forgetful.message.loading


async def test_empty_message_and_bot_errors(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot) as sandbox:
        empty = await sandbox.invoke("empty")
        assert names(empty) == ["empty message", UNANSWERED]
        bot = sandbox.bot
        assert isinstance(bot, BrokenBot)
        assert (bot.http_errors[0].status, bot.http_errors[0].code) == (400, 50006)
        boom = await sandbox.invoke("boom")
        assert "kaboom" in " ".join(boom.errors)
        assert not boom.ok


async def test_unimplemented_endpoint(run_bot: RunBot) -> None:
    async with run_bot(BrokenBot) as sandbox:
        result = await sandbox.invoke("bans")
        assert names(result) == ["unimplemented endpoint"]
        assert result.violations[0].detail.startswith("GET /api/v10/guilds/")
        bot = sandbox.bot
        assert isinstance(bot, BrokenBot)
        assert bot.http_errors[0].status == 404
        assert result.content == "checked bans"


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("everyone", {}, ["message would ping @everyone/@here"]),
        ("role", {"role": "Reviewers"}, ["message would ping a role"]),
        ("user", {"who": "bob"}, ["message would ping a user"]),
        ("invite", {"who": "bob"}, ["message would ping a user"]),
        ("safe", {"who": "bob"}, []),
        ("reply", {"message_id": "posted"}, ["reply would ping the author it replies to"]),
    ],
)
async def test_pings(run_bot: RunBot, command: str, options: dict[str, object], expected: list[str]) -> None:
    async with run_bot(PingBot) as sandbox:
        if options.get("message_id") == "posted":
            options = {"message_id": str((await sandbox.say("my review of Frieren", user="carol")).id)}
        result = await sandbox.invoke(command, options)
        assert names(result) == expected
        assert all(v.kind == "ping" for v in result.violations)
        if expected and command != "reply":
            assert (result.message is not None and result.message.allowed_mentions is None) or command == "invite"


async def test_explicit_pings_can_be_allowed(run_bot: RunBot) -> None:
    async with run_bot(PingBot, config=SandboxConfig.default(allow_explicit_pings=True)) as sandbox:
        invited = await sandbox.invoke("invite", {"who": "bob"})
        assert invited.ok
        assert invited.message is not None and [str(p) for p in invited.message.pings] == [
            "@bob (explicitly allowed)"]
        assert names(await sandbox.invoke("user", {"who": "bob"})) == ["message would ping a user"]


async def test_command_registration_rules(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        bot = sandbox.bot
        assert bot is not None and bot.application_id is not None
        guild = sandbox.guild().id

        def option(name: str, required: bool = False, **extra: object) -> dict[str, object]:
            return {"type": 3, "name": name, "description": "d", "required": required, **extra}

        bad: list[dict[str, Any]] = [
            {"name": "Review", "description": "uppercase", "type": 1},
            {"name": "wordy", "description": "d" * 101, "type": 1},
            {"name": "crowded", "description": "d", "options": [option(f"o{i}") for i in range(26)]},
            {"name": "order", "description": "d", "options": [option("a"), option("b", True)]},
            {"name": "picky", "description": "d",
             "options": [option("c", choices=[{"name": str(i), "value": str(i)} for i in range(26)])]},
            {"name": "nested", "description": "d", "options": [{"type": 1, "name": "sub", "description": "d",
                                                              "options": [{"type": 1, "name": "deeper",
                                                                           "description": "d"}]}]},
            {"name": "wordy", "description": "again"},
        ]
        from discord import HTTPException

        with pytest.raises(HTTPException) as caught:
            await bot.http.bulk_upsert_guild_commands(bot.application_id, guild, bad)
        assert (caught.value.status, caught.value.code) == (400, 50035)
        assert sorted(names(sandbox.violations)) == sorted([
            "command name must be lowercase", "command description > 100 characters", "more than 25 options",
            "required option after optional", "more than 25 choices", "subcommand nested too deep",
            "duplicate command name"])
        assert all(v.kind == "registration" for v in sandbox.violations)
        assert "In 0.name: Command name is invalid" in caught.value.text
        many = [{"name": f"c{i}", "description": "d"} for i in range(101)]
        with pytest.raises(HTTPException):
            await bot.http.bulk_upsert_global_commands(bot.application_id, many)
        assert sandbox.violations[-1].name == "more than 100 chat-input commands"
        assert [c.name for c in sandbox.commands()][:2] == ["hello", "review"]  # the old ones are untouched


async def test_sync_failure_reaches_the_bot(run_bot: RunBot) -> None:
    async with run_bot(BadDescriptionBot) as sandbox:
        bot = sandbox.bot
        assert isinstance(bot, BadDescriptionBot)
        assert bot.sync_error is not None
        assert "Must be between 1 and 100 in length." in str(bot.sync_error)
        assert names(sandbox.violations) == ["command description > 100 characters"]
        assert sandbox.violations[0].path == "0.description"


async def test_well_formed_bot_breaks_nothing(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        await sandbox.invoke("hello", {"name": "x"})
        pages = await sandbox.invoke("pages")
        await sandbox.click(pages, "Next ▶")
        await sandbox.invoke("slow")
        await sandbox.autocomplete("review write", {"anime": "f"}, focused="anime")
        modal = await sandbox.invoke("feedback")
        await sandbox.submit_modal(modal, {"Headline": "h"})
        await sandbox.invoke("poster")
        assert sandbox.violations == []


async def test_upload_size_limit(run_bot: RunBot) -> None:
    async with run_bot(GoodBot, config=SandboxConfig.default(max_upload_bytes=64)) as sandbox:
        result = await sandbox.invoke("poster")
        assert names(result) == ["attachment > 64 bytes", UNANSWERED]
        assert "413" in " ".join(result.errors)
    assert SandboxConfig.default().max_upload_bytes == 10 * 1024 * 1024  # named "attachment > 10 MiB"
