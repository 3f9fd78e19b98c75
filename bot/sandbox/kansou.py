"""The kansou-specific wiring of the sandbox: the real KansouBot on a scratch database, against the stand-in."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import open_services
from bot.client import KansouBot
from bot.config import Settings
from bot.sandbox.config import SandboxConfig, SandboxEndpoints
from bot.sandbox.harness import BotFactory
from bot.sandbox.repl import run_sandbox


def kansou_bot_factory(settings: Settings, db_path: Path | str) -> BotFactory:
    """A ``make_bot`` for the stand-in: the real bot, its commands registered globally at start-up."""

    @asynccontextmanager
    async def make_bot(endpoints: SandboxEndpoints) -> AsyncIterator[KansouBot]:
        local = dataclasses.replace(
            settings, api_base=endpoints.api_base, gateway_url=endpoints.gateway_url, dev_guild=None
        )
        async with open_services(local, db_path=db_path) as services:
            # Global registration, so every sandbox server (and the isolation tests) sees the commands.
            yield KansouBot(services, sync_on_start=True)

    return make_bot


async def run_kansou_sandbox(
    settings: Settings,
    *,
    db_path: Path | str,
    script: Path | None,
    as_user: str,
    mod: bool,
    files_dir: Path,
    config: SandboxConfig | None = None,
) -> int:
    """``kansou sandbox``: the stand-in and the real bot in this process, with a prompt or a script."""
    return await run_sandbox(
        kansou_bot_factory(settings, db_path),
        script=script,
        as_user=as_user,
        mod=mod,
        files_dir=files_dir,
        config=config,
    )
