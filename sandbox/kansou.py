"""The kansou-specific wiring of the sandbox: the real KansouBot on a scratch database, against the stand-in."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources.abc import Traversable
from pathlib import Path

import httpx

from bot.anilist import USER_AGENT
from bot.anilist.enrich import MAX_WAIT
from bot.app import open_core
from bot.config import Settings
from bot.errors import ConfigError
from bot.ui.client import KansouBot
from sandbox.config import SandboxConfig, SandboxEndpoints
from sandbox.harness import BotFactory
from sandbox.registration import LOCALES
from sandbox.repl import run_sandbox

ANILIST_OFF = "AniList is off or unreachable: only the local catalogue answers"
PROBE_TIMEOUT = 3.0
"""How long the start-up check waits for AniList (it runs while the bot connects, so it rarely adds time)."""
REPLY_MARGIN = 5.0


def reply_timeout(settings: Settings) -> float:
    """How long a sandbox step waits for the bot's answer: as long as the bot may wait for AniList, and more.

    A look-up asks AniList at most twice (a search, then the fetch); each may wait ``MAX_WAIT`` seconds for a
    request slot and ``ANILIST_TIMEOUT`` for the last answer. Discord lets a deferred reply take 15 minutes.
    """
    return 2 * (MAX_WAIT + settings.anilist_timeout) + REPLY_MARGIN


async def anilist_notice(settings: Settings, *, timeout: float = PROBE_TIMEOUT) -> str | None:  # noqa: ASYNC109
    """One line saying that AniList cannot answer (turned off, unreachable, failing), or None when it can."""
    if not settings.anilist_enabled:
        return f"{ANILIST_OFF} (ANILIST_API_URL=off)."
    try:
        async with httpx.AsyncClient(timeout=timeout, headers={"User-Agent": USER_AGENT}) as http:
            # The smallest valid query; any answer but a server error means AniList is there (even a 429).
            response = await http.post(settings.anilist_url, json={"query": "query SandboxProbe { __typename }"})
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        return f"{ANILIST_OFF} ({settings.anilist_url}: {reason})."
    if response.status_code >= 500:
        return f"{ANILIST_OFF} ({settings.anilist_url} answers HTTP {response.status_code})."
    return None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def kansou_bot_factory(settings: Settings, db_path: Path | str, *, extensions: Sequence[str] | None = None,
                       migration_dirs: Sequence[Traversable] = ()) -> BotFactory:
    """A ``make_bot`` for the stand-in: the real bot, its commands registered globally at start-up.

    ``extensions`` and ``migration_dirs``: a feature beyond kansou's own (see CONTRIBUTING.md).
    """

    @asynccontextmanager
    async def make_bot(endpoints: SandboxEndpoints) -> AsyncIterator[KansouBot]:
        local = dataclasses.replace(
            settings, api_base=endpoints.api_base, gateway_url=endpoints.gateway_url, dev_guild=None
        )
        async with open_core(local, db_path=db_path, migration_dirs=migration_dirs) as core:
            # Global registration, so every sandbox server (and the isolation tests) sees the commands.
            yield KansouBot(core, sync_on_start=True, extensions=extensions)

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
    log_path: Path | None = None,
) -> int:
    """``kansou sandbox``: the stand-in and the real bot in this process, with a prompt or a script.

    Before the first step it says, once, where the bot's log goes (``log_path``) and whether AniList can
    answer look-ups the catalogue cannot (checked while the bot connects).
    """
    probe = asyncio.create_task(anilist_notice(settings), name="sandbox-anilist-probe")

    async def notices() -> list[str]:
        said = [f"(The bot's log goes to {_shown(log_path)}.)"] if log_path is not None else []
        anilist = await probe
        return said + ([anilist] if anilist else [])

    try:
        return await run_sandbox(
            kansou_bot_factory(settings, db_path),
            script=script,
            as_user=as_user,
            mod=mod,
            files_dir=files_dir,
            config=config,
            timeout=reply_timeout(settings),
            notices=notices,
        )
    finally:
        probe.cancel()


@asynccontextmanager
async def _scratch_db(path: Path | None) -> AsyncIterator[Path]:
    if path is not None:
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="kansou-sandbox-"))
    try:
        yield folder / "sandbox.sqlite3"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def sandbox_command(
    settings: Settings, *, script: Path | None, db: Path | None, as_user: str, mod: bool, files: Path,
    log_path: Path | None = None, locale: str | None = None,
) -> int:
    """``kansou sandbox``: the stand-in and the real bot in this process, on a scratch database (or ``db``)."""
    async with _scratch_db(db) as db_path:
        # Open the database and load the catalogue once before the stand-in starts, so a bad database or
        # catalogue is reported like for `kansou run` (a clear error, exit 1) rather than as a failed bot.
        async with open_core(settings, db_path=db_path):
            pass
        if locale is not None and locale not in LOCALES:
            raise ConfigError(f"--locale {locale}: not one of Discord's locales (e.g. ja, es-ES, pt-BR, en-US).")
        return await run_kansou_sandbox(
            settings, db_path=db_path, script=script, as_user=as_user, mod=mod, files_dir=files,
            log_path=log_path, config=SandboxConfig.default(locale=locale) if locale else None,
        )
