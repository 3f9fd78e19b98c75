"""The gateway: what discord.py negotiates, and surviving dropped connections (RESUME and re-IDENTIFY)."""

from __future__ import annotations

import asyncio

import discord

from .conftest import RunBot
from .sandbox_bots import GoodBot


async def test_negotiation(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        gateway = sandbox.server.gateway
        # zlib-stream, or zstd-stream when a zstd module is installed (both are served)
        expected = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
        assert gateway.query_log[0] == {"v": "10", "encoding": "json", "compress": expected}
        assert gateway.heartbeats >= 1  # discord.py beats right after HELLO
        assert sandbox.identify_count == 1 and sandbox.resume_count == 0
        bot = sandbox.bot
        assert bot is not None and bot.user is not None and bot.user.name == "kansou"
        assert sorted(g.name for g in bot.guilds) == ["Anime Club", "Other Server"]
        club = next(g for g in bot.guilds if g.name == "Anime Club")
        assert [c.name for c in club.text_channels] == ["general", "reviews", "off-topic"]
        assert {r.name for r in club.roles} >= {"@everyone", "Moderators", "Reviewers", "kansou"}
        assert club.me is not None and club.me.guild_permissions.manage_messages


async def test_resume_after_drop(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        await sandbox.drop_gateway()
        assert sandbox.resume_count == 1 and sandbox.identify_count == 1
        result = await sandbox.invoke("hello", {"name": "again"})
        assert result.content == "Hello again!"
        assert result.ok


async def test_events_sent_while_disconnected_are_replayed(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        gateway = sandbox.server.gateway
        session = gateway.current
        assert session is not None
        await sandbox.drop_gateway(wait=False)
        await gateway.dispatch("TYPING_START", {"channel_id": "1", "user_id": "1", "timestamp": 0})
        await sandbox.wait_until_connected()
        assert gateway.current is session and sandbox.resume_count == 1
        assert any(e["t"] == "TYPING_START" for e in session.buffer)
        assert (await sandbox.invoke("hello", {"name": "x"})).ok


async def test_reidentify_when_session_is_invalid(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        await sandbox.drop_gateway(resumable=False)
        assert sandbox.identify_count == 2
        pages = await sandbox.invoke("pages")
        clicked = await sandbox.click(pages, "Next ▶")  # views survive a new session
        assert clicked.content == "page 2"
        assert clicked.ok


async def test_reconnect_opcode(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        gateway = sandbox.server.gateway
        gateway.ready.clear()
        await gateway.reconnect_request()
        await sandbox.wait_until_connected()
        assert sandbox.resume_count == 1
        await asyncio.sleep(0)
        assert (await sandbox.invoke("hello", {"name": "y"})).content == "Hello y!"
