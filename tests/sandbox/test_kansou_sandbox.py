"""`kansou sandbox` wiring: the AniList notice, and waiting for a deferred answer as long as the bot may."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from sandbox.kansou import ANILIST_OFF, anilist_notice, reply_timeout
from tests.fakes.anilist_server import ONLY_FAKE_CHARACTER_NAME, FakeAniList


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_notice_when_anilist_is_turned_off() -> None:
    notice = await anilist_notice(Settings.from_env({"ANILIST_API_URL": "off"}))
    assert notice == "AniList is off or unreachable: only the local catalogue answers (ANILIST_API_URL=off)."


async def test_the_notice_when_anilist_cannot_be_reached() -> None:
    url = f"http://127.0.0.1:{closed_port()}/graphql"
    notice = await anilist_notice(Settings.from_env({"ANILIST_API_URL": url}))
    assert notice is not None and notice.startswith(f"{ANILIST_OFF} ({url}: ")


async def test_the_notice_when_anilist_fails() -> None:
    async with FakeAniList() as fake:
        fake.fail_with("500", times=1)
        settings = Settings.from_env({"ANILIST_API_URL": fake.url})
        notice = await anilist_notice(settings)
    assert notice == f"{ANILIST_OFF} ({settings.anilist_url} answers HTTP 500)."


async def test_no_notice_when_anilist_answers() -> None:
    async with FakeAniList() as fake:
        assert await anilist_notice(Settings.from_env({"ANILIST_API_URL": fake.url})) is None
        fake.fail_with("429", times=1)  # busy is still there
        assert await anilist_notice(Settings.from_env({"ANILIST_API_URL": fake.url})) is None
        assert fake.count("SandboxProbe") == 2


@pytest.mark.parametrize("timeout", ["10", "30"])
def test_a_step_waits_longer_than_the_bot_waits_for_anilist(timeout: str) -> None:
    settings = Settings.from_env({"ANILIST_TIMEOUT": timeout})
    assert reply_timeout(settings) > 2 * settings.anilist_timeout


@pytest.mark.slow
async def test_a_script_waits_for_a_slow_anilist_answer(tmp_path: Path) -> None:
    """AniList takes 6 s (more than the stand-in's old 5 s, less than ANILIST_TIMEOUT): the answer still counts."""
    script = tmp_path / "slow.kansou"
    script.write_text(f"/voiced character: {ONLY_FAKE_CHARACTER_NAME}\n")
    async with FakeAniList() as fake:
        fake.fail_with("hang", hang=6.0, times=1, only="SearchCharacter")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
        env.update(ANILIST_API_URL=fake.url, ANILIST_TIMEOUT="10", KANSOU_LOOKUP_COOLDOWN="0")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "sandbox", "--script", str(script), cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 90)
        assert fake.count("SearchCharacter") == 1
    transcript = out.decode()
    assert process.returncode == 0, transcript + err.decode()
    assert "AniList is off or unreachable" not in transcript
    assert ONLY_FAKE_CHARACTER_NAME in transcript.split("/voiced", 1)[1].split("\nOK:", 1)[0]
    assert "never completed" not in transcript
