"""CONTRIBUTING.md's two recipes, followed: a new command is a feature home, a cog and a migration; a new default
rating category is one row.

The recipe's feature here lives under tests/ (``tests/recipe/watchlist/`` and ``tests/recipe/cog.py``), so it is
handed to kansou the way CONTRIBUTING.md says a feature outside ``bot/`` and ``cogs/`` is: its cog added to the
bot's extensions, its migration folder to the database's. Nothing else is registered anywhere.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.core.migrations import latest_version
from bot.ui.client import discover_extensions
from sandbox import Sandbox, running_sandbox
from sandbox.kansou import kansou_bot_factory
from tests.cogs.conftest import TEST_SETTINGS, assert_clean, text_of
from tests.helpers.commands import leaf_commands

HERE = Path(__file__).resolve().parent
ROUGE = "Metallic Rouge"


@asynccontextmanager
async def kansou_with(tmp_path: Path, catalogue_template: Path, migration: tuple[str, str],
                      extensions: list[str]) -> AsyncIterator[Sandbox]:
    """kansou with one more migration (its name and SQL) and these extensions, on a copy of the catalogue."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    name, sql = migration
    (folder / f"{latest_version() + 1:04d}_{name}.sql").write_text(sql, encoding="utf-8")  # the next number
    db_path = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    settings = dataclasses.replace(TEST_SETTINGS)
    factory = kansou_bot_factory(settings, db_path, extensions=extensions, migration_dirs=[folder])
    async with running_sandbox(factory) as sandbox:
        yield sandbox


async def test_a_command_is_a_feature_home_a_cog_and_a_migration(tmp_path: Path, catalogue_template: Path) -> None:
    sql = (HERE / "watchlist.sql").read_text(encoding="utf-8")
    async with kansou_with(tmp_path, catalogue_template, ("watchlist", sql),
                           [*discover_extensions(), "tests.recipe.cog"]) as sandbox:
        registered = {c.name for c in await sandbox.wait_for_commands(None)}
        assert "watchlist" in registered and {"rate", "review", "credits"} <= registered
        added = await sandbox.invoke("watchlist add", {"anime": "metallic rouge"}, user="alice")
        assert_clean(added)
        assert added.ephemeral and text_of(added) == f"Added **{ROUGE}** to your watchlist."
        again = await sandbox.invoke("watchlist add", {"anime": ROUGE}, user="alice")
        assert text_of(again) == f"**{ROUGE}** is on your watchlist already."
        unknown = await sandbox.invoke("watchlist add", {"anime": "Zzyzx Qwerty Show"}, user="alice")
        assert_clean(unknown)
        assert "couldn't find a show" in text_of(unknown)  # shows are named as for every feature
        choices = await sandbox.autocomplete("watchlist add", {"anime": "metallic"}, focused="anime")
        assert choices and choices[0].name == ROUGE
        shown = await sandbox.invoke("watchlist show", user="alice")
        assert_clean(shown)
        assert shown.embeds[0].description == f"1. {ROUGE}"
        elsewhere = await sandbox.invoke("watchlist show", user="alice", guild="Other Server")
        assert elsewhere.embeds[0].description == "Nothing yet."
    # The real features are unchanged by it: every cog still there, and the recipe's only where it was added.
    assert "watchlist add" not in leaf_commands()


async def test_a_default_category_is_one_row(tmp_path: Path, catalogue_template: Path) -> None:
    row = ("-- A default rating category: one row of guild 0.\n"
           "INSERT INTO rating_category (guild_id, key, label, position) VALUES (0, 'pacing', 'Pacing', 6);\n")
    async with kansou_with(tmp_path, catalogue_template, ("default_pacing", row), discover_extensions()) as sandbox:
        opened = await sandbox.invoke("rate", {"anime": ROUGE}, user="alice")
        assert_clean(opened)
        assert opened.message is not None
        assert [m["custom_id"] for m in opened.message.selects()][-1] == "rate:pacing"
        assert "Pacing: —" in opened.message.text_displays()
        quick = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Pacing", "score": 4}, user="bob")
        assert_clean(quick)
        assert "Pacing: **4** ★★★★ *(new)*" in text_of(quick)
        elsewhere = await sandbox.invoke("rate", {"anime": ROUGE}, user="bob", guild="Other Server")
        assert elsewhere.message is not None and "Pacing: —" in elsewhere.message.text_displays()
