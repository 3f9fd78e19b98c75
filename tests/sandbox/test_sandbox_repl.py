"""The REPL and ``--script`` runner, the line parser, the script reader and the renderer."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from sandbox import SandboxConfig, SandboxUsageError, plain_bot
from sandbox.harness import BotFactory
from sandbox.ids import SnowflakeFactory
from sandbox.lineparse import parse_command_line
from sandbox.render import hide_spoilers
from sandbox.repl import resolve_options, run_sandbox
from sandbox.script import parse_script
from sandbox.store import CommandRegistry

from .broken_bots import BrokenBot, PingBot
from .sandbox_bots import GoodBot

CLEAN = '''\
# every kind of step, all well-formed
/hello name: Naomi Orthmann
complete /review write anime: me
/review write anime: Metallic Rouge spoilers: yes rating: 8
/review read anime: Metallic Rouge author: @bob
/pages
press 2
press Next ▶
/pick
select 1 Frieren, dungeon-meshi
/feedback
  Headline: Loved it
  Review: """
  It was good.
    Really good.
  """
/opener
press Write a review
  headline: From the button
/poster
as bob
mod on
/purge
channel reviews
/announce channel: #general text: hi: there
'''


def bot_factory(cls: type, config: SandboxConfig) -> BotFactory:
    dev = config.dev_guild_id
    return plain_bot(lambda: cls(dev))


async def run_script(tmp_path: Path, cls: type, text: str, **kwargs: object) -> tuple[int, str]:
    config = SandboxConfig.default()
    script = tmp_path / "script.txt"
    script.write_text(text, encoding="utf-8")
    out = io.StringIO()
    code = await run_sandbox(bot_factory(cls, config), script=script, files_dir=tmp_path / "files", stdout=out,
                             config=config, **kwargs)  # type: ignore[arg-type]
    return code, out.getvalue()


async def test_clean_script_exits_zero(tmp_path: Path) -> None:
    code, out = await run_script(tmp_path, GoodBot, CLEAN)
    assert code == 0, out
    assert out.rstrip().endswith("OK: 18 steps; no Discord limit broken, no ping risked, no bot error.")
    assert "Hello Naomi Orthmann!" in out
    assert "choices: 1. Metallic Rouge, 2. Dungeon Meshi" in out
    assert "(only you can see this)\n┃ **Metallic Rouge**\n┃ █████████\n┃ Rating: 8" in out
    assert "Bob on Metallic Rouge" in out
    assert "[1] ◀ Prev (disabled)  [2] Next ▶  [3] Delete" in out
    assert "[2] Next ▶ (disabled)" in out
    assert "You picked frieren, dungeon-meshi" in out
    assert ("📝 modal «Your review» opened:\n  Headline (short, required, max 100)\n"
            "  Review (paragraph, optional)") in out
    assert "**Loved it**\nIt was good.\n  Really good." in out
    assert "**From the button**" in out
    saved = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "files").iterdir())
    assert saved == ["notes.txt", "poster.png"]
    assert "image: " + str(tmp_path / "files") in out
    assert "(bob is now a moderator in Anime Club)" in out and "purged" in out
    assert "posted in #general" in out


async def test_script_breaking_a_limit_fails_and_names_it(tmp_path: Path) -> None:
    code, out = await run_script(tmp_path, BrokenBot, "/hello\n/long_content\n/big_select\n")
    assert code == 1
    summary = next(line for line in out.splitlines() if line.startswith("FAILED"))
    assert summary.startswith("FAILED: broke message content > 2000 characters; interaction not acknowledged "
                              "within 3 seconds; select menu > 25 options")
    assert "line 2 `/long_content`: message content > 2000 characters [data.content]" in out
    assert "line 1 `/hello`: no command /hello" in out


async def test_script_with_ping_or_bot_error_fails(tmp_path: Path) -> None:
    code, out = await run_script(tmp_path, PingBot, "/everyone\n")
    assert code == 1
    assert "FAILED: risked a ping: message would ping @everyone/@here" in out
    code, out = await run_script(tmp_path, BrokenBot, "/boom\n")
    assert code == 1
    assert "1 bot error" in out and "RuntimeError: kaboom" in out


async def test_script_mistakes_exit_two(tmp_path: Path) -> None:
    code, out = await run_script(tmp_path, GoodBot, "/hello nam: x\nfly away\n/feedback\n  Nope: x\n")
    assert code == 2
    assert "'nam: x' is not an option" in out
    assert "unknown line 'fly away'" in out
    assert "has no field 'Nope'" in out
    code, out = await run_script(tmp_path, GoodBot, "/feedback\n  Review: \"\"\"\n  never closed\n")
    assert code == 2 and "never closed" in out


async def test_mod_flag_and_modal_dismissed(tmp_path: Path) -> None:
    code, out = await run_script(tmp_path, GoodBot, "/purge\n/feedback\n", mod=True, as_user="carol")
    assert code == 0, out
    assert "(carol is now a moderator in Anime Club)" in out
    assert "(modal dismissed)" in out


async def test_interactive_session(tmp_path: Path) -> None:
    config = SandboxConfig.default()
    stdin = io.StringIO("help\n/feedback\nGreat show\nline one\nline two\n.\n/purge\nmod on\n/purge\nquit\n")
    out = io.StringIO()
    code = await run_sandbox(bot_factory(GoodBot, config), script=None, files_dir=tmp_path, stdin=stdin,
                             stdout=out, config=config)
    text = out.getvalue()
    assert code == 2  # /purge before "mod on" is refused, as Discord would hide the command
    assert "press 2" in text  # help
    assert "alice@Anime Club #general> " in text
    assert "Review — end with an empty line (or '.'):" in text
    assert "**Great show**\nline one\nline two" in text
    assert "alice cannot see /purge in Anime Club: it needs manage_guild" in text
    assert "purged" in text


async def run_interactive(tmp_path: Path, cls: type, typed: str, **kwargs: Any) -> tuple[int, str]:
    config = SandboxConfig.default()
    out = io.StringIO()
    code = await run_sandbox(bot_factory(cls, config), script=None, files_dir=tmp_path, stdin=io.StringIO(typed),
                             stdout=out, config=config, **kwargs)
    return code, out.getvalue()


async def test_an_empty_line_ends_an_optional_paragraph_and_the_next_command_runs(tmp_path: Path) -> None:
    # Enter on the optional Review leaves it blank; the next line is a command again, not part of the form.
    code, text = await run_interactive(tmp_path, GoodBot, "/feedback\nGreat show\n\n/hello name: Naomi\nquit\n")
    assert code == 0, text
    assert "**Great show**\n(no text)" in text
    assert "Hello Naomi!" in text
    # Text then an empty line: the text is kept, and the command after it runs.
    code, text = await run_interactive(tmp_path, GoodBot,
                                       "/feedback\nTitle\nfirst line\nsecond line\n\n/hello name: Bob\nquit\n")
    assert code == 0, text
    assert "**Title**\nfirst line\nsecond line" in text
    assert "Hello Bob!" in text


class RequiredParagraphBot(GoodBot):
    """A modal whose paragraph is required: blank lines between paragraphs belong to the text."""

    def install(self, tree: app_commands.CommandTree[Any]) -> None:
        super().install(tree)

        class Essay(discord.ui.Modal, title="Essay"):
            body: discord.ui.TextInput[Essay] = discord.ui.TextInput(label="Body", style=discord.TextStyle.paragraph)

            async def on_submit(self, interaction: discord.Interaction) -> None:
                await interaction.response.send_message(f"essay: {self.body.value!r}")

        @tree.command(description="Write an essay")
        async def essay(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Essay())

        @tree.command(description="Defer, think for a while, then answer")
        async def ponder(interaction: discord.Interaction, seconds: float) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(seconds)
            await interaction.followup.send(f"pondered {seconds} s")


async def test_a_required_paragraph_keeps_blank_lines_and_ends_with_a_dot(tmp_path: Path) -> None:
    code, text = await run_interactive(tmp_path, RequiredParagraphBot, "/essay\none\n\ntwo\n.\nquit\n")
    assert code == 0, text
    assert "Body — end with a line containing only '.':" in text
    assert "essay: 'one\\n\\ntwo'" in text


async def test_a_step_waits_for_a_deferred_answer_as_long_as_it_is_told(tmp_path: Path) -> None:
    code, out = await run_script(tmp_path, RequiredParagraphBot, "/ponder seconds: 0.8\n", timeout=5.0)
    assert code == 0, out
    assert "pondered 0.8 s" in out
    code, out = await run_script(tmp_path, RequiredParagraphBot, "/ponder seconds: 0.8\n", timeout=0.3)
    assert code == 1 and "deferred response never completed" in out
    await asyncio.sleep(0.8)  # the abandoned handler ends (and fails) now, not in the next test's sandbox


async def test_notices_are_said_once_before_the_first_step(tmp_path: Path) -> None:
    calls: list[int] = []

    async def notices() -> list[str]:
        calls.append(1)
        return ["AniList is off or unreachable: only the local catalogue answers."]

    code, out = await run_script(tmp_path, GoodBot, "/hello name: a\n/hello name: b\n", notices=notices)
    assert code == 0, out
    assert calls == [1] and out.count("AniList is off or unreachable") == 1
    assert out.index("AniList is off") < out.index("Hello a!")
    code, text = await run_interactive(tmp_path, GoodBot, "/hello name: c\nquit\n", notices=notices)
    lines = text.splitlines()
    assert lines[0].startswith("kansou sandbox — a stand-in Discord")
    assert lines[1] == "AniList is off or unreachable: only the local catalogue answers."


class CrashingBot(GoodBot):
    async def setup_hook(self) -> None:
        raise RuntimeError("no database")


async def test_bot_that_cannot_start(tmp_path: Path) -> None:
    config = SandboxConfig.default()
    out = io.StringIO()
    code = await run_sandbox(bot_factory(CrashingBot, config), script=None, files_dir=tmp_path, stdout=out,
                             config=config, stdin=io.StringIO(""))
    assert code == 1
    assert out.getvalue() == "✖ the bot failed to start: RuntimeError: no database\n"


def registry(*commands: dict[str, Any]) -> CommandRegistry:
    reg = CommandRegistry(SnowflakeFactory(), 1)
    reg.overwrite(None, list(commands))
    return reg


REVIEW: dict[str, Any] = {"name": "review", "description": "d", "options": [
    {"type": 1, "name": "write", "description": "d", "options": [
        {"type": 3, "name": "anime", "description": "d", "required": True},
        {"type": 5, "name": "spoilers", "description": "d", "required": True},
        {"type": 4, "name": "rating", "description": "d"},
        {"type": 10, "name": "score", "description": "d"},
        {"type": 6, "name": "author", "description": "d"}]}]}
VOICED: dict[str, Any] = {"name": "voiced", "description": "d", "options": [
    {"type": 3, "name": "character", "description": "d", "required": True},
    {"type": 3, "name": "language", "description": "d"}]}


def test_line_parser() -> None:
    commands = registry(REVIEW, VOICED).in_scope(None)
    parsed = parse_command_line("/voiced character: Naomi Orthmann language: english", commands)
    assert (parsed.path, parsed.options) == ("voiced", {"character": "Naomi Orthmann", "language": "english"})
    parsed = parse_command_line(
        "/review write anime: Re:Zero season 2 spoilers: no rating: 7 score: 8.5 author: @bob", commands)
    assert parsed.path == "review write"
    assert parsed.options == {"anime": "Re:Zero season 2", "spoilers": False, "rating": 7, "score": 8.5,
                              "author": "@bob"}
    assert parsed.last == "author"
    assert parse_command_line('/voiced character: "language: x"', commands).options == {"character": "language: x"}
    for line, message in [
        ("/review write anime: x spoilers: maybe", "true/false"),
        ("/review write anime: x spoilers: yes rating: lots", "integer"),
        ("/review write oops anime: x", "'oops' is not an option"),
        ("/review", "needs a subcommand"),
        ("/nothing", "no command /nothing"),
        ("/voiced character: a character: b", "given twice"),
    ]:
        with pytest.raises(SandboxUsageError, match=message):
            parse_command_line(line, commands)


def test_script_reader() -> None:
    steps = parse_script('# comment\n/a\n  Title: x\n  Body: """\n    one\n\n    two\n  """\n\npress 1\n')
    assert [(s.line, s.text) for s in steps] == [(2, "/a"), (10, "press 1")]
    assert steps[0].modal == {"Title": "x", "Body": "one\n\ntwo"}
    with pytest.raises(SandboxUsageError, match="line 1"):
        parse_script("  Title: x\n")
    with pytest.raises(SandboxUsageError, match="Label: value"):
        parse_script("/a\n  no colon here\n")


async def test_select_by_the_start_of_a_label(tmp_path: Path) -> None:
    code, out = await run_script(tmp_path, GoodBot, "/pick\nselect 1 frier, Dungeon M\n")
    assert code == 0, out
    assert "You picked frieren, dungeon-meshi" in out


def test_resolving_typed_options() -> None:
    menu = {"options": [{"label": "Kenjiro Tsuda — Metallic Rouge", "value": "id:15"},
                        {"label": "Minami Tsuda — Metallic Rouge", "value": "id:16"},
                        {"label": "Minami Kuribayashi", "value": "id:17"}]}
    assert resolve_options(menu, ["Kenjiro"]) == ["id:15"]
    assert resolve_options(menu, ["minami t", "id:17"]) == ["id:16", "id:17"]
    assert resolve_options(menu, ["Minami Kuribayashi"]) == ["Minami Kuribayashi"]  # an exact label: as typed
    assert resolve_options(menu, ["nobody"]) == ["nobody"]
    with pytest.raises(SandboxUsageError, match="starts several options"):
        resolve_options(menu, ["Minami"])


def test_spoilers() -> None:
    assert hide_spoilers("the ||butler did it|| and ||x||") == "the █████████████ and ███"
    assert hide_spoilers("||a||", reveal=True) == "||a||"
