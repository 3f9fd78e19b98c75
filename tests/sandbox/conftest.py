"""Fixtures for the sandbox tests: run a test bot against a fresh stand-in, and always undo the patching."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from sandbox import Sandbox, SandboxConfig, plain_bot, running_sandbox

RunBot = Callable[..., AbstractAsyncContextManager[Sandbox]]


@pytest.fixture(autouse=True)
def _restore_discord_endpoints() -> Iterator[None]:
    """Route.BASE and DEFAULT_GATEWAY are process-wide: put them back whatever happens."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
def run_bot() -> RunBot:
    """``async with run_bot(BotClass, config=…) as sandbox:`` — the bot class takes the dev guild id."""

    @asynccontextmanager
    async def run(bot_class: Callable[[int], discord.Client], config: SandboxConfig | None = None,
                  **kwargs: float) -> AsyncIterator[Sandbox]:
        config = config or SandboxConfig.default()
        dev = config.dev_guild_id
        assert dev is not None
        async with running_sandbox(plain_bot(lambda: bot_class(dev)), config=config, **kwargs) as sandbox:
            yield sandbox

    return run
