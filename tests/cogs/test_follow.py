"""/follow and /unfollow end to end, and the airing task: a followed show's episode airing (the fake AniList's
schedule, the clock moved by the test) opens exactly one thread and one announcement, also across a restart."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import pytest

from bot.ui.client import KansouBot
from cogs.follow import Follow
from sandbox import InteractionResult, Sandbox, SandboxUsageError
from sandbox.harness import serving_sandbox
from sandbox.kansou import kansou_bot_factory
from tests.cogs.conftest import TEST_SETTINGS, RunKansou, assert_clean, core, kansou, text_of
from tests.fakes.airing import schedule_of
from tests.fakes.anilist_server import FakeAniList
from tests.hardening._dispatch import invoke_raw

ROUGE, ROUGE_ANILIST = "Metallic Rouge", 163270
T0 = 2_000_000_000  # after any real clock reading, so the task's own first step (at the real time) is behind it


@pytest.fixture
async def fake() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as server:
        yield server


def follow_cog(bot: KansouBot) -> Follow:
    """The running bot's /follow cog (loaded as an extension: its own copy of the module, hence no isinstance)."""
    cog = bot.get_cog("Follow")
    assert cog is not None and type(cog).__name__ == "Follow"
    return cast(Follow, cog)


async def on_anilist(bot: KansouBot) -> None:
    """Link the shipped Metallic Rouge to its AniList id (the shipped catalogue has none)."""
    await bot.core.db.execute("UPDATE anime SET anilist_id = ? WHERE title_romaji = ?", (ROUGE_ANILIST, ROUGE))


async def mod(sandbox: Sandbox, command: str, options: dict[str, object] | None = None) -> InteractionResult:
    result = await sandbox.invoke(command, options or {}, user="mod")
    assert_clean(result)
    assert result.ephemeral
    return result


def announcements(sandbox: Sandbox) -> list[str]:
    return [m.content for m in sandbox.channel_messages("general", include_ephemeral=False) if "is out!" in m.content]


async def test_an_aired_episode_opens_one_thread_and_is_announced_once(run_kansou: RunKansou,
                                                                       fake: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake.url) as sandbox:
        bot = kansou(sandbox)
        await on_anilist(bot)
        cog = follow_cog(bot)
        now = [float(T0)]
        cog.service.clock = lambda: now[0]
        done = await mod(sandbox, "follow", {"anime": ROUGE})
        assert "Following **Metallic Rouge**" in text_of(done)
        listed = await mod(sandbox, "follow")
        assert "**Metallic Rouge** — since" in text_of(listed)
        again = await mod(sandbox, "follow", {"anime": ROUGE})
        assert "already follows" in text_of(again)
        assert await cog.tick() == []  # the watermark is now T0

        schedule = schedule_of(fake.data)
        schedule.add(ROUGE_ANILIST, 5, T0 + 100)
        schedule.add(ROUGE_ANILIST, 6, T0 + 100 + 7 * 86400)  # next week: not yet
        schedule.add(999, 1, T0 + 50)  # a show nobody follows
        now[0] = T0 + 200
        (announced,) = await cog.tick()
        assert announced.episode == 5
        (thread,) = sandbox.server.threads.live()
        assert thread.name == "Metallic Rouge · Episode 5 · spoilers up to ep 5"
        assert thread.id == announced.thread_id
        (said,) = announcements(sandbox)
        assert f"**Metallic Rouge** episode 5 is out! Discuss it in <#{thread.id}>" in said
        assert await cog.tick() == [] and len(announcements(sandbox)) == 1  # once
        linked = await sandbox.invoke("discuss", {"anime": ROUGE, "episode": 5})
        assert f"<#{thread.id}>" in text_of(linked)  # the same thread /discuss finds
        queries = [r for r in fake.requests if r.kind == "AiringSchedule"]
        assert queries and all(r.variables["ids"] == [ROUGE_ANILIST] for r in queries)

        stopped = await mod(sandbox, "unfollow", {"anime": ROUGE})
        assert "No longer following **Metallic Rouge**" in text_of(stopped)
        now[0] = T0 + 200 + 8 * 86400
        assert await cog.tick() == []  # episode 6 aired, but nobody follows the show any more


async def test_following_needs_anilist_and_manage_server(run_kansou: RunKansou, fake: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake.url) as sandbox:
        refused = await mod(sandbox, "follow", {"anime": "Sound! Euphonium"})
        assert "isn't linked to AniList" in text_of(refused) and "can't be followed" in text_of(refused)
        with pytest.raises(SandboxUsageError, match="manage_guild"):
            await sandbox.invoke("follow", {"anime": ROUGE}, user="alice")
        forced = await invoke_raw(sandbox, "follow", {"anime": ROUGE}, user="alice", check_visible=False)
        assert_clean(forced)
        assert "Manage Server" in text_of(forced)
        assert await core(sandbox).db.fetch_value("SELECT count(*) FROM follow") == 0


@asynccontextmanager
async def kansou_on(sandbox: Sandbox, db_path: Path, anilist_url: str) -> AsyncIterator[KansouBot]:
    """One kansou process's bot on the database at ``db_path``, connected to the stand-in."""
    endpoints = sandbox.server.endpoints
    settings = dataclasses.replace(TEST_SETTINGS, anilist_url=anilist_url)
    async with kansou_bot_factory(settings, db_path)(endpoints) as bot:
        assert isinstance(bot, KansouBot)
        task = asyncio.create_task(bot.start(endpoints.token))
        sandbox.bots = [bot]
        try:
            await sandbox.wait_until_connected()
            yield bot
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_a_restart_neither_misses_nor_doubles(tmp_path: Path, catalogue_template: Path,
                                                    fake: FakeAniList) -> None:
    db_path = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    schedule = schedule_of(fake.data)
    async with serving_sandbox() as sandbox:
        async with kansou_on(sandbox, db_path, fake.url) as first:
            await on_anilist(first)
            follow_cog(first).service.clock = lambda: float(T0)
            await mod(sandbox, "follow", {"anime": ROUGE})
            await follow_cog(first).tick()
            schedule.add(ROUGE_ANILIST, 1, T0 + 10)
            follow_cog(first).service.clock = lambda: float(T0 + 20)
            assert [a.episode for a in await follow_cog(first).tick()] == [1]
        schedule.add(ROUGE_ANILIST, 2, T0 + 30)  # airs while kansou is down
        async with kansou_on(sandbox, db_path, fake.url) as second:
            follow_cog(second).service.clock = lambda: float(T0 + 40)
            assert [a.episode for a in await follow_cog(second).tick()] == [2]  # not missed, 1 not doubled
            assert await follow_cog(second).tick() == []
        names = sorted(t.name for t in sandbox.server.threads.live())
        assert names == ["Metallic Rouge · Episode 1 · spoilers up to ep 1",
                         "Metallic Rouge · Episode 2 · spoilers up to ep 2"]
        assert len(announcements(sandbox)) == 2
