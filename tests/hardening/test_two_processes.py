"""Two kansou processes on one database file: what one stores, the other shows at its next read.

Process A answers one stand-in, process B another; both open the same SQLite file (as two bot instances of a
deployment sharing a volume would). A's leaderboard is cached; B's votes are commits A's connection did not make,
so A's cache must notice them (``PRAGMA data_version``), not only A's own writes.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

import pytest

from sandbox import InteractionResult, Sandbox, SandboxConfig, SandboxServer, UserSpec
from tests.hardening._dispatch import Burst
from tests.hardening.test_crash import STARTUP, BotProcess, mark, start_bot, wait_until_serving

pytestmark = pytest.mark.slow

ROUGE = 1  # Metallic Rouge


def board_text(result: InteractionResult) -> str:
    """The leaderboard's text."""
    assert result.acknowledged and not result.violations, result.label
    assert result.message is not None
    return " ".join(str(e.get("description") or "") for e in result.message.embeds)


async def rate_all(burst: Burst, members: list[UserSpec], score: float) -> None:
    """Members of ``burst`` rate Metallic Rouge's animation, and each is acknowledged."""
    sent = [await burst.rate(member, ROUGE, {"animation": score}) for member in members]
    async with asyncio.timeout(STARTUP):
        while any(s.record.response_type is None and not s.record.expired for s in sent):  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # the stand-in's records are polled
    assert all(s.record.response_type == 4 for s in sent)


async def test_a_cached_leaderboard_shows_votes_another_process_stored(tmp_path: Path,
                                                                       catalogue_template: Path) -> None:
    db_path = tmp_path / "shared.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    servers = [SandboxServer(SandboxConfig.default()), SandboxServer(SandboxConfig.default())]
    bots: list[BotProcess] = []
    try:
        for name, server in zip(("bot-a", "bot-b"), servers, strict=True):
            await server.start()
            before = mark(server)
            bots.append(await start_bot(server, db_path, tmp_path, name))
            await wait_until_serving(server, bots[-1], before)
        server_a, server_b = servers
        guild = server_a.config.guild(None)
        assert server_b.config.guild(None).id == guild.id  # the same server, as both processes know it
        burst_a, burst_b = Burst(server_a, guild), Burst(server_b, server_b.config.guild(None))
        await rate_all(burst_a, burst_a.add_members(1), 4.0)

        driver = Sandbox(server_a, timeout=10.0)
        first = board_text(await driver.invoke("ratings top", {"category": "animation"}, user="alice"))
        assert "Metallic Rouge" in first and "1 vote)" in first, first
        again = board_text(await driver.invoke("ratings top", {"category": "animation"}, user="alice"))
        assert again == first  # read twice: the second answer came from A's cache

        await rate_all(burst_b, burst_b.add_members(3, first=20_000), 5.0)  # stored by process B

        after = board_text(await driver.invoke("ratings top", {"category": "animation"}, user="alice"))
        assert "4 votes)" in after, after
        for bot in bots:
            bot.process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(STARTUP):
                assert await bot.process.wait() == 0, bot.tail()
    finally:
        for bot in bots:
            if bot.process.returncode is None:
                bot.process.kill()
                await bot.process.wait()
            bot.log.close()
        for server in servers:
            await server.stop()
