"""Pointing discord.py at a stand-in and running a bot (or the clients of a sharded bot) against it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

import discord

from sandbox.config import SandboxConfig, SandboxEndpoints
from sandbox.driver import Sandbox
from sandbox.endpoints import point_discord_py_at
from sandbox.logs import LogCapture
from sandbox.server import SandboxServer

log = logging.getLogger(__name__)

BotFactory = Callable[[SandboxEndpoints], AbstractAsyncContextManager[discord.Client]]
__all__ = ["BotFactory", "plain_bot", "point_discord_py_at", "running_sandbox", "serving_sandbox"]


def plain_bot(factory: Callable[[], discord.Client]) -> BotFactory:
    """A ``make_bot`` for a bot that needs no set-up: ``plain_bot(MyBot)``."""

    @asynccontextmanager
    async def make(_: SandboxEndpoints) -> AsyncIterator[discord.Client]:
        yield factory()

    return make


async def _connected(sandbox: Sandbox, tasks: Sequence[asyncio.Task[None]], within: float) -> None:
    ready = asyncio.ensure_future(sandbox.server.gateway.ready.wait())
    try:
        done, _ = await asyncio.wait({ready, *tasks}, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ready.cancel()
    for task in tasks:
        if task in done:
            task.result()  # re-raise why the bot could not start (bad token, setup_hook error, …)
            raise RuntimeError("the bot stopped before connecting to the sandbox")
    if not done:
        shards = sandbox.server.gateway.connected_shards
        raise TimeoutError(f"the bot did not connect to the sandbox within {within} s "
                           f"(connected: {shards or 'nothing'}; shards configured: {sandbox.config.shard_count})")


async def _stop(bot: discord.Client, task: asyncio.Task[None]) -> None:
    with contextlib.suppress(Exception):
        await bot.close()
    try:
        await asyncio.wait_for(task, 5.0)
    except (Exception, asyncio.CancelledError):  # the bot's own failure was reported already
        log.debug("bot task ended with an error", exc_info=True)


@asynccontextmanager
async def running_sandbox(
    make_bot: BotFactory,
    *more_bots: BotFactory,
    config: SandboxConfig | None = None,
    connect_within: float = 10.0,
    timeout: float = 5.0,  # noqa: ASYNC109 - the driver's default wait, not this call's
    settle: float = 0.25,
) -> AsyncIterator[Sandbox]:
    """Start a stand-in, point discord.py at it, start the bot ``make_bot`` yields, and drive it.

    ``make_bot(endpoints)`` must yield an unstarted client; the sandbox logs it in with
    ``endpoints.token``, waits for READY, and closes it (then the server) on the way out. A bot sharded over
    several clients (say ``AutoShardedClient(shard_ids=[0], shard_count=2)`` and another with ``[1]``) gives
    one factory per client: all are started, and the sandbox is ready once every shard has its session.
    """
    async with serving_sandbox(config, timeout=timeout, settle=settle) as sandbox:
        endpoints = sandbox.server.endpoints
        async with AsyncExitStack() as stack:
            bots = [await stack.enter_async_context(make(endpoints)) for make in (make_bot, *more_bots)]
            tasks = [asyncio.create_task(bot.start(endpoints.token), name=f"sandbox-bot{f'-{i}' if i else ''}")
                     for i, bot in enumerate(bots)]
            sandbox.bots = bots
            try:
                await _connected(sandbox, tasks, connect_within)
                yield sandbox
            finally:
                for bot, task in zip(bots, tasks, strict=True):
                    await _stop(bot, task)


@asynccontextmanager
async def serving_sandbox(
    config: SandboxConfig | None = None,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - the driver's default wait, not this call's
    settle: float = 0.25,
) -> AsyncIterator[Sandbox]:
    """Start a stand-in alone (no bot) and point discord.py in this process at it; yield its driver.

    For bots that connect by themselves — other processes given ``sandbox.server.endpoints`` (a fixed
    ``config.port`` makes the URLs known in advance), or clients started here. ``await
    sandbox.wait_until_connected()`` waits until every shard has its session; the driver then works as
    with :func:`running_sandbox`. Clients started in this process may be appended to ``sandbox.bots``: the
    driver then tells early when they leave an interaction unanswered, instead of waiting for the 3 seconds.
    """
    server = SandboxServer(config)
    endpoints = await server.start()
    restore = point_discord_py_at(endpoints.api_base, endpoints.gateway_url)
    logs = LogCapture().install()
    try:
        yield Sandbox(server, logs=logs, timeout=timeout, settle=settle)
    finally:
        logs.remove()
        restore()
        await server.stop()
