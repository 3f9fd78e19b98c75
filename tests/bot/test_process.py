"""The `kansou` process itself, with a token, against a Discord-compatible server: it connects, answers, stops."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox import Sandbox, SandboxConfig, SandboxServer
from tests.cogs.conftest import assert_clean, text_of


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    stand_in = SandboxServer(SandboxConfig.default())
    await stand_in.start()
    try:
        yield stand_in
    finally:
        await stand_in.stop()


async def test_kansou_connects_answers_and_stops_cleanly_on_sigterm(tmp_path: Path, server: SandboxServer) -> None:
    endpoints = server.endpoints
    db = tmp_path / "kansou.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
    env.update({
        "DISCORD_TOKEN": endpoints.token,
        "DISCORD_API_BASE": endpoints.api_base,
        "DISCORD_GATEWAY_URL": endpoints.gateway_url,
        "KANSOU_DEV_GUILD": str(endpoints.dev_guild_id),
        "KANSOU_DB": str(db),
        "ANILIST_API_URL": "off",
        "LOG_LEVEL": "INFO",
    })
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        sandbox = Sandbox(server, timeout=10)
        await sandbox.wait_for_commands(endpoints.dev_guild_id, timeout=30)
        await sandbox.wait_until_connected(timeout=30)

        result = await sandbox.invoke("voiced", {"character": "Naomi Orthmann"})
        assert_clean(result)
        assert "Tomoyo Kurosawa" in text_of(result)
        choices = await sandbox.autocomplete("person", {"name": "yu shimamura"}, focused="name")
        assert choices[0].name.startswith("Yū Shimamura")
        credits = await sandbox.invoke("credits", {"anime": "Metallic Rouge"})
        assert_clean(credits)
        assert "Motonobu Hori" in text_of(credits)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    log = stderr.decode()
    assert process.returncode == 0, log[-3000:]
    assert "closed cleanly" in log
    assert endpoints.token not in log
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM voice_role").fetchone()[0] >= 44


@pytest.mark.parametrize("scope", ["global", "guild"])
async def test_kansou_sync_registers_the_commands_and_exits(
    tmp_path: Path, server: SandboxServer, scope: str
) -> None:
    endpoints = server.endpoints
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
    env.update({
        "DISCORD_TOKEN": endpoints.token,
        "DISCORD_API_BASE": endpoints.api_base,
        "DISCORD_GATEWAY_URL": endpoints.gateway_url,
        "KANSOU_DB": str(tmp_path / "kansou.sqlite3"),
        "ANILIST_API_URL": "off",
    })
    guild = [] if scope == "global" else ["--guild", str(endpoints.dev_guild_id)]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sync", *guild, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()[-2000:]
    out = stdout.decode()
    registered = Sandbox(server).state.commands.in_scope(None if scope == "global" else endpoints.dev_guild_id)
    # What it says it registered is what the stand-in received: every command of every cog (tests/cogs/test_bot.py
    # checks the tree itself), each listed with its description.
    assert f"Registered {len(registered)} commands" in out and "/voiced" in out
    listed = {line.split(" — ")[0].strip().lstrip("/") for line in out.splitlines() if line.startswith("  /")}
    assert listed == {c.name for c in registered} and len(registered) >= 7
    assert not server.violations
