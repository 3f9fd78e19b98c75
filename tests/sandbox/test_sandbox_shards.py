"""A sharded bot against the stand-in: guilds, events and interactions go to the right shard, as on Discord.

Discord routes a guild's events to the session with ``shard_id == (guild_id >> 22) % num_shards`` and DMs to
shard 0. The default config puts "Anime Club" on shard 0 and "Other Server" on shard 1 of 2.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands

from sandbox import (
    Sandbox,
    SandboxConfig,
    SandboxEndpoints,
    SandboxUsageError,
    running_sandbox,
    serving_sandbox,
)
from sandbox.harness import BotFactory

from .conftest import RunBot
from .sandbox_bots import GoodBot
from .sharded_bots import TWO, ShardBot

ROOT = Path(__file__).resolve().parents[2]


def shard_bot(name: str, **kwargs: object) -> BotFactory:
    """A ``make_bot`` for one :class:`ShardBot` client."""

    @asynccontextmanager
    async def make(_: SandboxEndpoints) -> AsyncIterator[discord.Client]:
        yield ShardBot(name, **kwargs)  # type: ignore[arg-type]  # the keyword arguments of ShardBot

    return make


def sharded(**overrides: object) -> SandboxConfig:
    """The default world, run as a bot with two shards."""
    return SandboxConfig.default(shard_count=TWO, **overrides)


def clients(sandbox: Sandbox) -> list[ShardBot]:
    """The sandbox's clients, typed."""
    assert all(isinstance(b, ShardBot) for b in sandbox.bots)
    return [b for b in sandbox.bots if isinstance(b, ShardBot)]


@asynccontextmanager
async def started(bot: discord.Client, endpoints: SandboxEndpoints) -> AsyncIterator[asyncio.Task[None]]:
    """Run a client for the length of the block (its task, to see how it ended)."""
    task = asyncio.create_task(bot.start(endpoints.token))
    try:
        yield task
    finally:
        with contextlib.suppress(Exception):
            await bot.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 5.0)


async def refused(bot: discord.Client, endpoints: SandboxEndpoints) -> int:
    """Start a client that the gateway should close; the close code it stopped with."""
    async with started(bot, endpoints) as task:
        with pytest.raises(discord.ConnectionClosed) as closed:
            await asyncio.wait_for(task, 10.0)
    return closed.value.code


# the layout ---------------------------------------------------------------------------------------------


def test_default_guilds_split_across_two_shards() -> None:
    config = sharded()
    assert [config.shard_of(g) for g in config.guilds] == [0, 1]
    assert [config.shard_of(g.id) for g in config.guilds] == [(g.id >> 22) % 2 for g in config.guilds]
    unsharded = SandboxConfig.default()
    assert [g.id for g in unsharded.guilds] == [g.id for g in config.guilds]  # the same ids as ever
    assert all(unsharded.shard_of(g) == 0 for g in unsharded.guilds)


def test_counts_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="shard_count"):
        SandboxConfig.default(shard_count=0)


async def test_gateway_bot_reports_the_shard_count() -> None:
    async with serving_sandbox(SandboxConfig.default(shard_count=3, max_concurrency=4)) as sandbox:
        endpoints = sandbox.server.endpoints
        async with aiohttp.ClientSession(headers={"Authorization": f"Bot {endpoints.token}"}) as http:
            async with http.get(f"{endpoints.api_base}/api/v10/gateway/bot") as response:
                body = await response.json()
            async with http.get(f"{endpoints.api_base}/api/v10/gateway") as response:
                plain = await response.json()
        assert body["shards"] == 3 and body["url"] == endpoints.gateway_url == plain["url"]
        limit = body["session_start_limit"]
        assert limit["max_concurrency"] == 4 and limit["total"] == 1000 and limit["remaining"] == 1000


async def test_auto_sharded_client_takes_the_recommended_count() -> None:
    async with running_sandbox(shard_bot("auto", shard_count=None), config=sharded()) as sandbox:
        (bot,) = clients(sandbox)
        assert bot.shard_count == TWO and sorted(bot.shards) == [0, 1]
        assert "GET /api/v10/gateway/bot" in sandbox.state.requests
        assert sorted(g.name for g in bot.guilds) == ["Anime Club", "Other Server"]
        assert sandbox.server.gateway.connected_shards == [(0, 2), (1, 2)]
        for guild, shard in (("Anime Club", 0), ("Other Server", 1)):
            result = await sandbox.invoke("whoami", guild=guild)
            assert result.ok, (result.violations, result.errors)
            assert result.content == f"auto shard {shard} in {guild}" and result.shard_id == shard
        assert sandbox.state.session_starts == TWO


# two clients, one shard each -------------------------------------------------------------------------------


async def test_each_client_gets_only_its_guilds_and_their_interactions() -> None:
    async with running_sandbox(shard_bot("zero", shard_ids=[0]), shard_bot("one", shard_ids=[1]),
                               config=sharded()) as sandbox:
        zero, one = clients(sandbox)
        assert [g.name for g in zero.guilds] == ["Anime Club"]
        assert [g.name for g in one.guilds] == ["Other Server"]
        gateway = sandbox.server.gateway
        ready = {s.shard: [g["id"] for g in s.buffer[0]["d"]["guilds"]] for s in gateway.live_sessions()}
        club, other = sandbox.guild("Anime Club"), sandbox.guild("Other Server")
        assert ready == {(0, 2): [str(club.id)], (1, 2): [str(other.id)]}

        first = await sandbox.invoke("whoami", guild="Anime Club", user="bob")
        second = await sandbox.invoke("whoami", guild="Other Server", user="bob")
        assert first.ok and second.ok, (first.violations, second.violations)
        assert (first.content, first.shard_id) == ("zero shard 0 in Anime Club", 0)
        assert (second.content, second.shard_id) == ("one shard 1 in Other Server", 1)
        assert zero.interactions == [club.id] and one.interactions == [other.id]

        # a button on shard 1's message is pressed on shard 1 only
        again = await sandbox.click(second, "Again")
        assert again.content == "one shard 1 in Other Server" and again.shard_id == 1
        assert zero.interactions == [club.id] and one.interactions == [other.id, other.id]

        # many at once, across both shards: each answered by its own client
        results = await asyncio.gather(*(sandbox.invoke("whoami", guild=g, user=u)
                                         for g in ("Anime Club", "Other Server") for u in ("alice", "carol")))
        assert [r.content for r in results] == ["zero shard 0 in Anime Club"] * 2 + \
            ["one shard 1 in Other Server"] * 2
        assert zero.interactions.count(club.id) == 3 and other.id not in zero.interactions
        assert one.interactions.count(other.id) == 4 and club.id not in one.interactions


async def test_an_unanswered_interaction_is_seen_on_its_shard() -> None:
    """Shard 1's client leaves one unanswered: the driver reports it once Discord's 3 seconds are up.

    (A sharded client shows no shard's connection through public attributes, so the driver cannot tell earlier
    that the handlers finished without a response, as it does for a plain client in this process.)
    """
    config = sharded(interaction_deadline=3.0)
    async with running_sandbox(shard_bot("zero", shard_ids=[0]), shard_bot("one", shard_ids=[1]),
                               config=config, timeout=20) as sandbox:
        zero, one = clients(sandbox)
        result = await sandbox.invoke("silent", guild="Other Server")
        assert not result.acknowledged and result.shard_id == 1
        assert result.violations, "an unanswered interaction must be reported"
        assert one.interactions == [sandbox.guild("Other Server").id] and zero.interactions == []


async def test_guild_events_reach_only_their_shard() -> None:
    intents = discord.Intents(guilds=True, guild_messages=True, dm_messages=True)
    async with running_sandbox(shard_bot("zero", shard_ids=[0], intents=intents),
                               shard_bot("one", shard_ids=[1], intents=intents), config=sharded()) as sandbox:
        zero, one = clients(sandbox)
        await sandbox.say("hello club", guild="Anime Club")
        await sandbox.say("hello other", guild="Other Server")
        async with asyncio.timeout(5):
            while not (zero.guild_messages and one.guild_messages):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # and nothing else arrives
        assert zero.guild_messages == ["Anime Club"] and one.guild_messages == ["Other Server"]
        assert zero.dm_messages == one.dm_messages == []  # not even as messages from unknown guilds


async def test_dm_interactions_and_dm_events_go_to_shard_zero() -> None:
    async with running_sandbox(shard_bot("zero", shard_ids=[0]), shard_bot("one", shard_ids=[1]),
                               config=sharded()) as sandbox:
        zero, one = clients(sandbox)
        result = await sandbox.invoke_dm("whoami", user="carol")
        assert result.ok, (result.violations, result.errors)
        assert result.guild_id is None and result.shard_id == 0
        assert result.content == "zero shard 0 in a DM"
        assert result.raw["context"] == 1 and "guild_id" not in result.raw and result.raw["user"]["username"] == "carol"
        assert zero.interactions == [None] and one.interactions == []
        assert result.message is not None and result.message.channel_id == result.channel_id
        assert sandbox.dm_messages("carol") == [result.message]

        again = await sandbox.click(result, "Again")  # a component in the DM, pressed by carol
        assert again.content == "zero shard 0 in a DM" and again.shard_id == 0
        assert zero.interactions == [None, None] and one.interactions == []

        # the bot's own DM replies come back as MESSAGE_CREATE without a guild: to shard 0 only
        async with asyncio.timeout(5):
            while len(zero.dm_messages) < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        assert one.dm_messages == []


async def test_dm_forms_options_and_contexts() -> None:
    async with running_sandbox(shard_bot("zero", shard_ids=[0]), shard_bot("one", shard_ids=[1]),
                               config=sharded()) as sandbox:
        zero, one = clients(sandbox)
        opened = await sandbox.invoke_dm("form", user="bob")
        assert opened.modal is not None and opened.shard_id == 0
        done = await sandbox.submit_modal(opened, {"Note": "from a DM"})
        assert done.ok and done.content == "zero shard 0 in a DM: from a DM" and done.guild_id is None
        greeted = await sandbox.invoke_dm("greet", {"someone": "@carol"}, user="bob")
        assert greeted.content == "hello carol (zero shard 0 in a DM)", greeted.errors
        carol = sandbox.member("carol")
        assert greeted.raw["data"]["resolved"] == {"users": {str(carol.id): sandbox.state.world.user_payload(carol)}}
        with pytest.raises(SandboxUsageError, match="a DM has no roles"):
            await sandbox.invoke_dm("greet", {"someone": "carol", "role": "Moderators"}, user="bob")
        with pytest.raises(SandboxUsageError, match="no command /club"):
            await sandbox.invoke_dm("club", user="bob")  # guild-only: not offered in DMs
        assert (await sandbox.invoke("club", guild="Other Server")).content == "one shard 1 in Other Server"
        whoami = await sandbox.invoke_dm("whoami", user="bob")
        with pytest.raises(SandboxUsageError, match="only the member the DM is with"):
            await sandbox.click(whoami, "Again", user="carol")  # carol cannot see bob's DM
        assert zero.interactions == [None] * 4 and one.interactions == []  # form, its submission, greet, whoami


async def test_a_second_connection_for_a_shard_is_refused() -> None:
    async with running_sandbox(shard_bot("zero", shard_ids=[0]), shard_bot("one", shard_ids=[1]),
                               config=sharded()) as sandbox:
        endpoints = sandbox.server.endpoints
        assert await refused(ShardBot("intruder", shard_ids=[0]), endpoints) == 4010
        gateway = sandbox.server.gateway
        refusal = [v for v in sandbox.violations if v.name == "gateway closed 4010 Invalid shard"]
        assert len(refusal) == 1 and "already has a connected session" in refusal[0].detail
        assert gateway.identify_count == TWO and len(gateway.live_sessions()) == TWO
        assert gateway.ready.is_set()
        result = await sandbox.invoke("whoami", guild="Anime Club")  # the first client keeps its shard
        assert result.content == "zero shard 0 in Anime Club"


@pytest.mark.parametrize(("count", "shard_ids", "code"), [
    (3, [0], 4010),  # another num_shards than the application runs
    (2, [2], 4010),  # shard_id out of range
    (1, None, 4011),  # unsharded, when the application must run 2 shards
])
async def test_a_shard_count_mismatch_is_refused(count: int, shard_ids: list[int] | None, code: int) -> None:
    async with serving_sandbox(sharded()) as sandbox:
        bot: discord.Client
        if count == 1:
            bot = commands.Bot(command_prefix="!", intents=discord.Intents(guilds=True))
        else:
            bot = ShardBot("wrong", shard_ids=shard_ids, shard_count=count)
        assert await refused(bot, sandbox.server.endpoints) == code
        assert sandbox.server.gateway.live_sessions() == []
        assert any(v.name.startswith(f"gateway closed {code}") for v in sandbox.violations)


async def test_a_session_with_too_many_guilds_must_shard() -> None:
    async with serving_sandbox(SandboxConfig.default(max_guilds_per_shard=1)) as sandbox:
        bot = commands.Bot(command_prefix="!", intents=discord.Intents(guilds=True))
        assert await refused(bot, sandbox.server.endpoints) == 4011
        (violation,) = sandbox.violations
        assert "would hold 2 guilds" in violation.detail


async def test_resume_keeps_a_shard_its_session() -> None:
    intents = discord.Intents(guilds=True, guild_messages=True, dm_messages=True)
    async with running_sandbox(shard_bot("zero", shard_ids=[0], intents=intents),
                               shard_bot("one", shard_ids=[1], intents=intents), config=sharded()) as sandbox:
        gateway = sandbox.server.gateway
        before = gateway.shard_session(1)
        assert before is not None
        await sandbox.drop_gateway(shard=1, wait=False)
        assert not gateway.ready.is_set() and gateway.shard_session(1) is None
        # an event for shard 1 while it is away is buffered, then replayed on RESUME
        await sandbox.say("while you were away", guild="Other Server")
        await sandbox.wait_until_connected()
        assert gateway.shard_session(1) is before and sandbox.resume_count == 1 and sandbox.identify_count == TWO
        zero, one = clients(sandbox)
        async with asyncio.timeout(5):
            while not one.guild_messages:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        assert one.guild_messages == ["Other Server"] and zero.guild_messages == []
        result = await sandbox.invoke("whoami", guild="Other Server")
        assert (result.content, result.shard_id) == ("one shard 1 in Other Server", 1)
        # an invalidated shard identifies afresh, and gets its guild again
        await sandbox.drop_gateway(shard=0, resumable=False)
        assert sandbox.identify_count == 3
        assert [g.name for g in zero.guilds] == ["Anime Club"]
        result = await sandbox.invoke("whoami", guild="Anime Club")
        assert (result.content, result.shard_id) == ("zero shard 0 in Anime Club", 0)


async def test_bots_that_connect_by_themselves() -> None:
    """The stand-in alone; clients it was not given (as other processes would be) still get and answer."""
    async with serving_sandbox(sharded()) as sandbox:
        endpoints = sandbox.server.endpoints
        zero, one = ShardBot("zero", shard_ids=[0]), ShardBot("one", shard_ids=[1])
        async with started(zero, endpoints):
            with pytest.raises(TimeoutError):  # shard 1 is missing
                await sandbox.wait_until_connected(timeout=0.5)
            async with started(one, endpoints):
                await sandbox.wait_until_connected(timeout=10)
                assert sandbox.bots == []
                result = await sandbox.invoke("whoami", guild="Other Server", user="alice")
                assert (result.content, result.shard_id) == ("one shard 1 in Other Server", 1)
                dm = await sandbox.invoke_dm("whoami", user="alice")
                assert (dm.content, dm.shard_id) == ("zero shard 0 in a DM", 0)


async def test_lenient_sharding_routes_each_session_by_its_own_count() -> None:
    """Discord allows several sessions per shard and other counts; ``strict_sharding=False`` does too."""
    async with serving_sandbox(sharded(strict_sharding=False)) as sandbox:
        endpoints = sandbox.server.endpoints
        bots = [ShardBot("a", shard_ids=[0]), ShardBot("b", shard_ids=[0]), ShardBot("c", shard_ids=[1]),
                ShardBot("all", shard_count=1)]
        async with contextlib.AsyncExitStack() as stack:
            for bot in bots:
                await stack.enter_async_context(started(bot, endpoints))
            await sandbox.wait_until_connected(timeout=10)
            async with asyncio.timeout(10):
                while len(sandbox.server.gateway.connected_shards) < len(bots):  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            gateway = sandbox.server.gateway
            club, other = sandbox.guild("Anime Club"), sandbox.guild("Other Server")
            routed = {key: sorted(s.shard or (0, 1) for s in gateway.routes(key)) for key in (club.id, other.id, None)}
            assert routed == {club.id: [(0, 1), (0, 2), (0, 2)], other.id: [(0, 1), (1, 2)],
                              None: [(0, 1), (0, 2), (0, 2)]}
            assert not [v for v in sandbox.violations if v.kind == "gateway"]


async def test_one_shard_by_default() -> None:
    """shard_count 1 (the default): an auto-sharded client runs one shard [0, 1] that gets everything."""
    async with running_sandbox(shard_bot("solo", shard_count=None), config=SandboxConfig.default()) as sandbox:
        (bot,) = clients(sandbox)
        assert bot.shard_count == 1 and sandbox.server.gateway.connected_shards == [(0, 1)]
        assert sorted(g.name for g in bot.guilds) == ["Anime Club", "Other Server"]
        result = await sandbox.invoke("whoami", guild="Other Server")
        assert result.content == "solo shard 0 in Other Server" and result.shard_id == 0
        dm = await sandbox.invoke_dm("whoami", user="bob")
        assert dm.content == "solo shard 0 in a DM"


async def test_an_unsharded_bot_is_unchanged(run_bot: RunBot) -> None:
    """A plain client sends no shard: one session gets every guild, DMs too, and results name no shard."""
    async with run_bot(GoodBot) as sandbox:
        gateway = sandbox.server.gateway
        assert gateway.connected_shards == [None] and gateway.covered()
        result = await sandbox.invoke("hello", {"name": "world"})
        assert result.ok and result.shard_id is None
        assert "shard" not in gateway.live_sessions()[0].buffer[0]["d"]  # READY without a shard


async def test_two_processes_one_shard_each() -> None:
    """The stand-in alone, and each shard a process of its own (as two kansou processes will be)."""
    async with serving_sandbox(sharded()) as sandbox:
        endpoints = sandbox.server.endpoints
        processes = [await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.sandbox.sharded_bots", f"process-{shard}", str(shard), str(TWO),
            endpoints.api_base, endpoints.gateway_url, cwd=ROOT, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE) for shard in range(TWO)]
        try:
            for process in processes:
                assert process.stdin is not None
                process.stdin.write(f"{endpoints.token}\n".encode())
                await process.stdin.drain()
                process.stdin.close()
            await sandbox.wait_until_connected(timeout=60)
            assert set(sandbox.server.gateway.connected_shards) == {(0, 2), (1, 2)}
            sandbox.timeout = 10
            club = await sandbox.invoke("whoami", guild="Anime Club")
            other = await sandbox.invoke("whoami", guild="Other Server")
            dm = await sandbox.invoke_dm("whoami", user="dave")
            assert (club.content, club.shard_id) == ("process-0 shard 0 in Anime Club", 0), club.errors
            assert (other.content, other.shard_id) == ("process-1 shard 1 in Other Server", 1), other.errors
            assert (dm.content, dm.shard_id) == ("process-0 shard 0 in a DM", 0), dm.errors
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
                    await process.wait()
        for process in processes:
            assert process.stderr is not None
            assert process.returncode == 0, (await process.stderr.read()).decode(errors="replace")[-2000:]


# the protocol, frame by frame ----------------------------------------------------------------------------------


async def raw_identify(http: aiohttp.ClientSession, endpoints: SandboxEndpoints,
                       shard: object) -> tuple[aiohttp.ClientWebSocketResponse, list[dict[str, Any]]]:
    """Connect, IDENTIFY with ``shard`` (omitted when None) and read until the guilds are sent or it closes."""
    ws = await http.ws_connect(f"{endpoints.gateway_url}?v=10&encoding=json")
    hello = await ws.receive_json()
    assert hello["op"] == 10
    data: dict[str, Any] = {"token": endpoints.token, "intents": 1, "properties": {}}
    if shard is not None:
        data["shard"] = shard
    await ws.send_json({"op": 2, "d": data})
    events: list[dict[str, Any]] = []
    while True:
        message = await ws.receive(timeout=5)
        if message.type is not aiohttp.WSMsgType.TEXT:
            return ws, events
        events.append(message.json())
        if events[0]["t"] == "READY" and len(events) == 1 + len(events[0]["d"]["guilds"]):
            return ws, events


@pytest.mark.parametrize("shard", [[0], [0, 2, 1], ["0", "2"], [-1, 2], [0, 0], "0/2", [True, 2]])
async def test_a_malformed_shard_is_refused(shard: object) -> None:
    async with serving_sandbox(sharded()) as sandbox, aiohttp.ClientSession() as http:
        ws, events = await raw_identify(http, sandbox.server.endpoints, shard)
        assert events == [] and ws.close_code == 4010
        assert sandbox.server.gateway.identify_count == 0


async def test_ready_and_guild_create_carry_only_the_shards_guilds() -> None:
    async with serving_sandbox(sharded()) as sandbox, aiohttp.ClientSession() as http:
        endpoints = sandbox.server.endpoints
        club, other = sandbox.guild("Anime Club"), sandbox.guild("Other Server")
        for shard, guild in ((0, club), (1, other)):
            ws, events = await raw_identify(http, endpoints, [shard, TWO])
            ready, *creates = events
            assert ready["d"]["shard"] == [shard, TWO]
            assert ready["d"]["guilds"] == [{"id": str(guild.id), "unavailable": True}]
            assert [(e["t"], e["d"]["id"]) for e in creates] == [("GUILD_CREATE", str(guild.id))]
            assert not ws.closed
        assert sandbox.server.gateway.ready.is_set()


async def test_a_new_session_ends_the_one_waiting_to_resume() -> None:
    """Strict sharding: once a shard identifies afresh, its old session (disconnected) cannot be resumed."""
    async with serving_sandbox(sharded()) as sandbox, aiohttp.ClientSession() as http:
        endpoints = sandbox.server.endpoints
        ws, events = await raw_identify(http, endpoints, [1, TWO])
        old_id = events[0]["d"]["session_id"]
        await ws.close(code=4000)  # not a clean close: the session waits to be resumed
        async with asyncio.timeout(5):
            while sandbox.server.gateway.shard_session(1) is not None:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        fresh, events = await raw_identify(http, endpoints, [1, TWO])  # accepted: nothing is connected
        assert events[0]["t"] == "READY" and events[0]["d"]["session_id"] != old_id
        late = await http.ws_connect(f"{endpoints.gateway_url}?v=10&encoding=json")
        await late.receive_json()  # HELLO
        await late.send_json({"op": 6, "d": {"token": endpoints.token, "session_id": old_id, "seq": 1}})
        assert (await late.receive_json(timeout=5))["op"] == 9  # INVALID_SESSION
        assert [s.id for s in sandbox.server.gateway.live_sessions()] == [events[0]["d"]["session_id"]]
        await late.close()
        await fresh.close()
