"""The central handler's ambiguity menu runs a command again only through the checks the command itself gets."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from discord import app_commands
from discord.ext import commands

from bot.errors import Ambiguous, InvalidInput
from bot.ui.errors import RERUN, answer, describe_error, run_checks


def _interaction(tree_says: bool = True) -> Any:
    async def interaction_check(_: object) -> bool:
        return tree_says

    return SimpleNamespace(client=SimpleNamespace(tree=SimpleNamespace(interaction_check=interaction_check)),
                           extras={})


class Shy(commands.Cog):
    """A cog whose own check says no to everyone."""

    async def interaction_check(self, interaction: Any) -> bool:
        return False

    @app_commands.command(name="shy", description="Never runs.")
    async def shy(self, interaction: Any) -> None:
        """Never runs."""


def _never(interaction: Any) -> bool:
    return False


@app_commands.command(name="guarded", description="A check that says no.")
@app_commands.check(_never)
async def guarded(interaction: Any) -> None:
    """Never runs."""


@app_commands.command(name="open", description="No checks.")
async def open_(interaction: Any) -> None:
    """Runs."""


async def test_the_menu_runs_the_tree_s_the_cog_s_and_the_command_s_checks() -> None:
    await run_checks(_interaction(), open_)  # nothing says no
    with pytest.raises(app_commands.CheckFailure, match="tree"):
        await run_checks(_interaction(tree_says=False), open_)
    with pytest.raises(app_commands.CheckFailure, match="guarded"):
        await run_checks(_interaction(), guarded)
    cog = Shy()
    (shy,) = cog.get_app_commands()
    assert isinstance(shy, app_commands.Command)
    with pytest.raises(app_commands.CheckFailure, match="shy"):
        await run_checks(_interaction(), shy)


async def test_a_command_body_is_kept_for_the_menu_with_its_parsed_arguments() -> None:
    ran: list[dict[str, object]] = []

    async def body(interaction: Any, anime: str, score: object) -> None:
        ran.append({"anime": anime, "score": score})

    interaction = _interaction()
    await answer(interaction, body, anime="Tsuda", score=7)
    assert ran == [{"anime": "Tsuda", "score": 7}] and interaction.extras[RERUN] == (body, {"anime": "Tsuda",
                                                                                           "score": 7})


def test_domain_errors_read_as_written_and_bugs_get_an_apology() -> None:
    text, expected = describe_error(Ambiguous("More than one show matches.", ["A [x](y)", "B"], ["id:1", "id:2"]))
    assert expected and "• A \\\\[x\\\\](y)" not in text and "• A \\[x\\](y)" in text
    assert describe_error(InvalidInput("Give the **show**."))[0] == "Give the **show**."
    text, expected = describe_error(ZeroDivisionError())
    assert not expected and text.startswith("Sorry")
