"""The bot as a whole, end to end: extensions, command registration, reconnects, AniList behind a miss."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ui.client import KansouBot, discover_extensions
from sandbox import Sandbox, SandboxUsageError
from sandbox.registration import check_commands
from tests.cogs.conftest import RunKansou, assert_clean, text_of
from tests.fakes.anilist_server import BIG_SHOW_TITLE, ONLY_FAKE_CHARACTER_NAME, FakeAniList
from tests.hardening._dispatch import invoke_raw

ROOT = Path(__file__).resolve().parents[2]


def test_every_cog_is_discovered() -> None:
    # Every public module or package in cogs/ is an extension (a leading underscore keeps one private): adding a
    # feature's cog is enough, nothing lists them.
    on_disk = sorted(
        f"cogs.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "cogs").iterdir()
        if not path.name.startswith("_") and (path.suffix == ".py" or (path / "__init__.py").is_file())
    )
    assert discover_extensions() == on_disk and len(on_disk) >= 4


async def test_the_whole_tree_registers_without_breaking_a_discord_rule(sandbox: Sandbox) -> None:
    registered = await sandbox.wait_for_commands(None)
    bot = sandbox.bot
    assert isinstance(bot, KansouBot)
    assert {c.name for c in registered} == {c.name for c in bot.tree.get_commands()}
    for name in discover_extensions():  # every cog brings at least one command
        assert any(c.module is not None and c.module.startswith(name) for c in bot.tree.walk_commands()), name
    assert not [v for v in sandbox.violations if "regist" in v.name.lower() or "command" in v.name.lower()]
    assert not sandbox.violations
    for command in registered:
        payload = command.payload
        if payload.get("type", 1) != 1:  # a message or user menu: Discord allows it no description
            assert payload["description"] == "", payload["name"]
            continue
        assert payload["description"], payload["name"]
        for option in payload.get("options", []):
            assert option["description"], (payload["name"], option["name"])
            for sub in option.get("options", []):
                assert sub["description"], (payload["name"], option["name"], sub["name"])


async def test_every_option_has_help_text_and_fits_discord(sandbox: Sandbox) -> None:
    assert isinstance(sandbox.bot, KansouBot)
    payloads = [c.to_dict(sandbox.bot.tree) for c in sandbox.bot.tree.get_commands()]
    assert check_commands(payloads) == []


async def test_the_bot_survives_a_dropped_gateway_and_still_answers(sandbox: Sandbox) -> None:
    before = await sandbox.invoke("voiced", {"character": "Rouge Redstar"})
    assert_clean(before)
    await sandbox.drop_gateway()
    await sandbox.wait_until_connected(timeout=15)
    assert sandbox.resume_count + sandbox.identify_count >= 2
    after = await sandbox.invoke("voiced", {"character": "Rouge Redstar"})
    assert_clean(after)
    assert "Yume Miyamoto" in text_of(after)


@pytest.fixture
async def fake_anilist() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as fake:
        yield fake


async def test_voiced_for_a_character_only_anilist_knows(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        local = await sandbox.invoke("voiced", {"character": "Naomi Orthmann"})
        assert_clean(local)
        assert fake_anilist.count() == 0 and not local.deferred
        result = await sandbox.invoke("voiced", {"character": ONLY_FAKE_CHARACTER_NAME})
        assert_clean(result)
        assert result.deferred, "the interaction is acknowledged before AniList is asked"
        assert f"Who voiced {ONLY_FAKE_CHARACTER_NAME}" in text_of(result)
        sent = fake_anilist.count()
        again = await sandbox.invoke("voiced", {"character": ONLY_FAKE_CHARACTER_NAME}, user="bob")
        assert_clean(again)
        assert fake_anilist.count() == sent, "the second look-up is served from the catalogue"
        choices = await sandbox.autocomplete("voiced", {"character": "tsukimi"}, focused="character")
        assert choices and choices[0].name.startswith(ONLY_FAKE_CHARACTER_NAME)
        assert fake_anilist.count() == sent, "autocomplete never calls AniList"


async def test_anilist_down_gives_a_clear_message_in_time(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake_anilist.url, anilist_timeout=1.0) as sandbox:
        fake_anilist.fail_with("hang", hang=5.0)
        result = await sandbox.invoke("voiced", {"character": ONLY_FAKE_CHARACTER_NAME}, timeout=10)
        assert_clean(result)  # includes Discord's 3-second rule: the bot deferred first
        assert "AniList is not answering right now" in text_of(result) and result.messages[0].ephemeral


async def test_catalogue_import_is_for_server_managers(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        with pytest.raises(SandboxUsageError):  # Discord hides the command from members without Manage Server
            await sandbox.invoke("catalogue import", {"query": BIG_SHOW_TITLE}, user="bob")
        # ... and if a server admin opens it to everyone in the integration settings, the bot still refuses.
        refused = await invoke_raw(sandbox, "catalogue import", {"query": BIG_SHOW_TITLE}, user="bob",
                                   check_visible=False)
        assert_clean(refused)
        assert refused.ephemeral and "manage server" in text_of(refused).lower()
        assert fake_anilist.count() == 0
        sandbox.set_moderator("mod")
        done = await sandbox.invoke("catalogue import", {"query": BIG_SHOW_TITLE}, user="mod")
        assert_clean(done)
        assert done.ephemeral and "Imported from AniList" in text_of(done)
        assert done.embeds[0].description == "30 characters and 89 people; 60 new voice roles and 30 new staff roles."
        again = await sandbox.invoke("catalogue import", {"query": BIG_SHOW_TITLE}, user="mod")
        assert_clean(again)
        assert again.embeds[0].description == "30 characters and 89 people; no new credits (it was already here)."
        credits = await sandbox.invoke("credits", {"anime": BIG_SHOW_TITLE}, user="bob")
        assert_clean(credits)
        assert BIG_SHOW_TITLE in text_of(credits)


def test_a_script_that_breaks_a_rule_fails_and_names_it(tmp_path: Path) -> None:
    script = tmp_path / "bad.kansou"
    script.write_text("/voiced character: Naomi Orthmann\n/nonexistent thing: 1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
    env["ANILIST_API_URL"] = "off"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--script", str(script)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0
    assert "nonexistent" in result.stdout


def _setting_names() -> set[str]:
    """Every environment variable bot/config.py reads."""
    source = (ROOT / "bot" / "config.py").read_text()
    return set(re.findall(r'"((?:DISCORD|KANSOU|ANILIST|LOG)_[A-Z_]+)"', source))


def test_readme_and_env_example_document_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    names = _setting_names()
    assert {"DISCORD_TOKEN", "KANSOU_DB", "ANILIST_API_URL", "LOG_FORMAT"} <= names
    for name in sorted(names):
        assert f"`{name}`" in readme, name
        assert f"{name}=" in example, name
