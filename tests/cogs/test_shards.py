"""Shard processes: KANSOU_SHARD_COUNT and KANSOU_SHARDS split the gateway's shards, each answering its servers."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.ui.client import KansouBot
from sandbox import SandboxConfig, running_sandbox
from sandbox.kansou import kansou_bot_factory
from tests.cogs.conftest import TEST_SETTINGS, assert_clean, text_of

ROUGE = "Metallic Rouge"


@pytest.mark.parametrize(("env", "count", "ids"), [
    ({}, None, None),
    ({"KANSOU_SHARD_COUNT": "4"}, 4, None),
    ({"KANSOU_SHARD_COUNT": "4", "KANSOU_SHARDS": "2,3"}, 4, (2, 3)),
    ({"KANSOU_SHARD_COUNT": "8", "KANSOU_SHARDS": "0-2, 6"}, 8, (0, 1, 2, 6)),
])
def test_shard_settings(env: dict[str, str], count: int | None, ids: tuple[int, ...] | None) -> None:
    settings = Settings.from_env(env)
    assert (settings.shard_count, settings.shard_ids) == (count, ids)


@pytest.mark.parametrize(("env", "says"), [
    ({"KANSOU_SHARDS": "0"}, "needs KANSOU_SHARD_COUNT"),
    ({"KANSOU_SHARD_COUNT": "2", "KANSOU_SHARDS": "2"}, "run from 0 to 1"),
    ({"KANSOU_SHARD_COUNT": "2", "KANSOU_SHARDS": "one"}, "like 0,1 or 2-3"),
    ({"KANSOU_SHARD_COUNT": "2", "KANSOU_SHARDS": "1-0"}, "not one of them"),
    ({"KANSOU_SHARD_COUNT": "0"}, "at least 1"),
    ({"KANSOU_SHARD_COUNT": "10000000"}, "at most"),
])
def test_shard_settings_that_cannot_work_are_refused_clearly(env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        Settings.from_env(env)


async def test_one_process_runs_every_shard_discord_recommends(tmp_path: Path, catalogue_template: Path) -> None:
    db = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db)
    async with running_sandbox(kansou_bot_factory(TEST_SETTINGS, db), config=SandboxConfig.default(shard_count=2)) \
            as sandbox:
        (bot,) = sandbox.bots
        assert isinstance(bot, KansouBot) and bot.shard_count == 2 and sorted(bot.shards) == [0, 1]
        for guild in ("Anime Club", "Other Server"):
            assert_clean(await sandbox.invoke("rate", {"anime": ROUGE, "category": "Music", "score": 4},
                                              guild=guild, user="bob"))


async def test_two_shard_processes_answer_their_own_servers_from_one_database(tmp_path: Path,
                                                                             catalogue_template: Path) -> None:
    db = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db)
    zero = dataclasses.replace(TEST_SETTINGS, shard_count=2, shard_ids=(0,))
    one = dataclasses.replace(TEST_SETTINGS, shard_count=2, shard_ids=(1,))
    async with running_sandbox(kansou_bot_factory(zero, db), kansou_bot_factory(one, db),
                               config=SandboxConfig.default(shard_count=2)) as sandbox:
        first, second = sandbox.bots
        assert isinstance(first, KansouBot) and isinstance(second, KansouBot)
        assert [g.name for g in first.guilds] == ["Anime Club"]
        assert [g.name for g in second.guilds] == ["Other Server"]
        club = await asyncio.gather(*(sandbox.invoke("rate", {"anime": ROUGE, "category": "Music", "score": s},
                                                     guild="Anime Club", user=u)
                                      for u, s in (("alice", 5), ("bob", 4))))
        other = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Music", "score": 2},
                                     guild="Other Server", user="carol")
        for result in (*club, other):
            assert_clean(result)
        assert {r.shard_id for r in club} == {0} and other.shard_id == 1
        # Each server's tally, written by one process, read back through either: one database, no mixing.
        shown = await sandbox.invoke("ratings show", {"anime": ROUGE}, guild="Anime Club", user="carol")
        assert shown.shard_id == 0 and "4.5" in text_of(shown) and "2 members" in text_of(shown), text_of(shown)
        shown = await sandbox.invoke("ratings show", {"anime": ROUGE}, guild="Other Server", user="alice")
        assert shown.shard_id == 1 and "1 member" in text_of(shown), text_of(shown)
