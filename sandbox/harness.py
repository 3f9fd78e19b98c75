"""Pointing discord.py at a stand-in and running a bot against it for the length of a ``with`` block."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import discord

from sandbox.config import SandboxConfig, SandboxEndpoints
from sandbox.driver import Sandbox
from sandbox.endpoints import point_discord_py_at
from sandbox.logs import LogCapture
from sandbox.server import SandboxServer

log = logging.getLogger(__name__)

BotFactory = Callable[[SandboxEndpoints], AbstractAsyncContextManager[discord.Client]]
__all__ = ["BotFactory", "plain_bot", "point_discord_py_at", "running_sandbox"]


def plain_bot(factory: Callable[[], discord.Client]) -> BotFactory:
    """A ``make_bot`` for a bot that needs no set-up: ``plain_bot(MyBot)``."""

    @asynccontextmanager
    async def make(_: SandboxEndpoints) -> AsyncIterator[discord.Client]:
        yield factory()

    return make


async def _connected(sandbox: Sandbox, task: asyncio.Task[None], within: float) -> None:
    ready = asyncio.ensure_future(sandbox.server.gateway.ready.wait())
    try:
        done, _ = await asyncio.wait({ready, task}, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ready.cancel()
    if task in done:
        task.result()  # re-raise why the bot could not start (bad token, setup_hook error, …)
        raise RuntimeError("the bot stopped before connecting to the sandbox")
    if not done:
        raise TimeoutError(f"the bot did not connect to the sandbox within {within} s")


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
    *,
    config: SandboxConfig | None = None,
    connect_within: float = 10.0,
    timeout: float = 5.0,  # noqa: ASYNC109 - the driver's default wait, not this call's
    settle: float = 0.25,
) -> AsyncIterator[Sandbox]:
    """Start a stand-in, point discord.py at it, start the bot ``make_bot`` yields, and drive it.

    ``make_bot(endpoints)`` must yield an unstarted client; the sandbox logs it in with
    ``endpoints.token``, waits for READY, and closes it (then the server) on the way out.
    """
    server = SandboxServer(config)
    endpoints = await server.start()
    restore = point_discord_py_at(endpoints.api_base, endpoints.gateway_url)
    logs = LogCapture().install()
    try:
        async with make_bot(endpoints) as bot:
            task = asyncio.create_task(bot.start(endpoints.token), name="sandbox-bot")
            sandbox = Sandbox(server, bot=bot, logs=logs, timeout=timeout, settle=settle)
            try:
                await _connected(sandbox, task, connect_within)
                yield sandbox
            finally:
                await _stop(bot, task)
    finally:
        logs.remove()
        restore()
        await server.stop()
