"""End-to-end fixtures: the real KansouBot, the real discord.py client, the Discord stand-in over loopback."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.catalogue.store import CatalogueStore
from bot.config import Settings
from bot.shared import Core
from bot.ui.client import KansouBot
from sandbox import InteractionResult, Sandbox, SandboxConfig, running_sandbox
from sandbox.kansou import kansou_bot_factory
from tests.helpers.postgres import PostgresServer, e2e_engine

# No cooldowns unless a test asks for them, and no AniList unless a test brings its fake.
TEST_SETTINGS = Settings.from_env({
    "ANILIST_API_URL": "off",
    "KANSOU_REVIEW_COOLDOWN": "0",
    "KANSOU_RATE_COOLDOWN": "0",
    "KANSOU_LOOKUP_COOLDOWN": "0",
})

RunKansou = Callable[..., AbstractAsyncContextManager[Sandbox]]


@pytest.fixture(autouse=True)
def _restore_discord_endpoints() -> Iterator[None]:
    """Route.BASE and DEFAULT_GATEWAY are process-wide: put them back whatever happens."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
def run_kansou(tmp_path: Path, catalogue_template: Path, request: pytest.FixtureRequest) -> RunKansou:
    """``async with run_kansou(**settings_overrides) as sandbox:`` — kansou on a copy of the catalogue DB.

    With ``KANSOU_TEST_ENGINE=postgresql`` (CI runs these tests that way too), the copy is a fresh PostgreSQL
    database made from a template with the shipped catalogue.
    """
    runs = itertools.count()
    postgres: PostgresServer | None = None
    template = ""
    if e2e_engine() == "postgresql":
        postgres = request.getfixturevalue("postgres")
        template = request.getfixturevalue("postgres_catalogue_template")

    async def fresh_db() -> Path | str:
        if postgres is not None:
            return await postgres.fresh(template)
        path = tmp_path / f"kansou-{next(runs)}.sqlite3"
        shutil.copyfile(catalogue_template, path)
        return path

    @asynccontextmanager
    async def run(config: SandboxConfig | None = None, **overrides: Any) -> AsyncIterator[Sandbox]:
        db_path = await fresh_db()
        settings = dataclasses.replace(TEST_SETTINGS, **overrides)
        try:
            async with running_sandbox(kansou_bot_factory(settings, db_path), config=config) as sandbox:
                yield sandbox
        finally:
            if postgres is not None:
                await postgres.drop(str(db_path))

    return run


@pytest.fixture
async def sandbox(run_kansou: RunKansou) -> AsyncIterator[Sandbox]:
    """kansou connected to a fresh stand-in with the default servers and members."""
    async with run_kansou() as running:
        yield running


def assert_clean(result: InteractionResult) -> None:
    """Answered, within Discord's rules, no error logged, nobody pinged."""
    assert result.acknowledged, f"{result.label}: not answered"
    assert not result.violations, f"{result.label}: {result.violations}"
    assert not result.log_errors, f"{result.label}: {result.errors}"
    for message in result.messages:
        assert not message.pings, f"{result.label}: would ping {message.pings}"


def text_of(result: InteractionResult) -> str:
    """Everything visible in the reply: content, embed titles, descriptions, fields and footers."""
    parts: list[str] = []
    for message in result.messages:
        parts.append(message.content or "")
        for embed in message.embed_objects():
            parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
            if embed.author.name:
                parts.append(embed.author.name)
            for field in embed.fields:
                parts += [field.name or "", field.value or ""]
    return "\n".join(parts)


def kansou(sandbox: Sandbox) -> KansouBot:
    """The bot the sandbox runs."""
    assert isinstance(sandbox.bot, KansouBot)
    return sandbox.bot


def core(sandbox: Sandbox) -> Core:
    """What the running bot's features share: its settings, database and catalogue."""
    return kansou(sandbox).core


def catalogue_store(sandbox: Sandbox) -> CatalogueStore:
    """The running bot's catalogue, to add shows to directly."""
    return CatalogueStore(core(sandbox).db)
