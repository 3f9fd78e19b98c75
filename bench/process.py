"""The bot as its own process (``python -m bot run``) against the stand-in: start-up time and peak memory.

The stand-in runs in the benchmark's process, so its memory is not counted; the bot is started the way an
operator starts it, with DISCORD_TOKEN, DISCORD_API_BASE and DISCORD_GATEWAY_URL pointing at the stand-in
and KANSOU_DB at a copy of the built database, after ``python -m bot sync`` registered the commands (as an
operator does once). Memory is the kernel's own account of the process (VmRSS, and VmHWM: the peak).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.e2e import Stopwatch
from bench.inputs import Pools, picked, prefix, typed
from bench.world import Scale, guild_id, sandbox_config
from sandbox.driver import Sandbox
from sandbox.server import SandboxServer

READY_LINE = "bot.ui.client: ready as"


@dataclass
class ProcessResult:
    """Start-up and memory of the bot process."""

    servers: int
    connected: float  # spawn → IDENTIFY answered and every server sent (READY + GUILD_CREATEs)
    first_answer: float  # spawn → first command answered
    on_ready: float | None  # spawn → discord.py's on_ready (it waits guild_ready_timeout after the last server)
    rss_idle_kib: int  # VmRSS once it answered its first command
    hwm_kib: int  # VmHWM after the workload
    rss_end_kib: int
    commands: int
    heavy: tuple[int, int, int] = (0, 0, 0)  # the heavy mix: /review read (largest show), /credits, /person
    rss_heavy_kib: int = 0  # VmRSS right after the heavy mix
    rss_settled_kib: int = 0  # VmRSS a moment later, nothing running


def _status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def _env(base: Mapping[str, str], server: SandboxServer, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
    env.update(base)
    endpoints = server.endpoints
    env.update(DISCORD_TOKEN=endpoints.token, DISCORD_API_BASE=endpoints.api_base,
               DISCORD_GATEWAY_URL=endpoints.gateway_url, KANSOU_DB=str(db), LOG_LEVEL="INFO")
    return env


async def bot_process(db: Path, pools: Pools, scale: Scale, settings_env: Mapping[str, str], seed: int,
                      log: Callable[[str], None]) -> ProcessResult:
    """Start the bot process against a stand-in with ``scale.connected_servers`` servers and measure it."""
    config = sandbox_config(scale)
    server = SandboxServer(config)
    await server.start()
    workdir = db.parent  # no .env there
    stderr_path = db.with_suffix(".log")
    try:
        env = _env(settings_env, server, db)
        sync = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "sync", env=env, cwd=workdir,
                                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if await sync.wait() != 0:
            raise RuntimeError("`python -m bot sync` failed against the stand-in")
        with stderr_path.open("w") as stderr:
            started = time.perf_counter()
            proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=workdir,
                                                        stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            return await _measure(proc, server, stderr_path, started, pools, scale, seed, log)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                os.kill(proc.pid, signal.SIGKILL)
                await proc.wait()
    finally:
        await server.stop()
        stderr_path.unlink(missing_ok=True)


async def _measure(proc: asyncio.subprocess.Process, server: SandboxServer, stderr_path: Path, started: float,
                   pools: Pools, scale: Scale, seed: int, log: Callable[[str], None]) -> ProcessResult:
    on_ready: float | None = None

    async def watch() -> None:  # discord.py's on_ready is logged by the bot as "ready as …"
        nonlocal on_ready
        while READY_LINE not in stderr_path.read_text(errors="replace"):  # noqa: ASYNC110, ASYNC240 - polls a log
            await asyncio.sleep(0.005)
        on_ready = time.perf_counter() - started

    watcher = asyncio.create_task(watch())
    try:
        return await _workload(proc, server, stderr_path, started, pools, scale, seed, log, lambda: on_ready)
    finally:
        if not watcher.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(watcher), 5.0)
        watcher.cancel()


async def _workload(proc: asyncio.subprocess.Process, server: SandboxServer, stderr_path: Path, started: float,
                    pools: Pools, scale: Scale, seed: int, log: Callable[[str], None],
                    ready_at: Callable[[], float | None]) -> ProcessResult:
    await server.gateway.wait_ready(60.0)
    connected = time.perf_counter() - started
    sandbox = Sandbox(server, timeout=10.0)
    stopwatch = Stopwatch(sandbox, timeout=10.0)
    while True:
        with contextlib.suppress(RuntimeError):  # not answered (yet)
            timed = await stopwatch.command("ratings top", {}, user="member000", guild=guild_id(0))
            if timed.outcome != "none":
                break
        if proc.returncode is not None:
            log_tail = stderr_path.read_text()[-2000:]  # noqa: ASYNC240 - the bot died: read why
            raise RuntimeError(f"the bot process exited ({proc.returncode}): {log_tail}")
    first_answer = time.perf_counter() - started
    idle = _status(proc.pid)["VmRSS"]
    log(f"    connected in {connected:.2f} s, first answer at {first_answer:.2f} s, {idle / 1024:.1f} MiB")
    rng = random.Random(seed * 17 + 3)
    for i in range(scale.rss_commands):
        user, _, server_index = pools.who(rng)
        guild = guild_id(server_index)
        choice = i % 8
        if choice == 0:
            await stopwatch.command("credits", {"anime": pools.anime_query(rng)[1]}, user=user, guild=guild)
        elif choice == 1:
            who = pools.person(rng)
            await stopwatch.command("person", {"name": typed(rng, pools.person_names[who], who)}, user=user,
                                    guild=guild)
        elif choice == 2:
            character = pools.character(rng)
            await stopwatch.command("voiced", {"character": typed(rng, pools.character_names[character], character)},
                                    user=user, guild=guild)
        elif choice == 3:
            await stopwatch.command("ratings show", {"anime": pools.anime_query(rng)[1]}, user=user, guild=guild)
        elif choice == 4:
            await stopwatch.command("ratings mine", {}, user=user, guild=guild)
        elif choice == 5:
            await stopwatch.command("review read", {"anime": pools.anime_query(rng)[1]}, user=user, guild=guild)
        elif choice == 6:
            name = pools.person_names[pools.person(rng)]
            await stopwatch.autocomplete("person", {"name": prefix(rng, name)}, focused="name", user=user,
                                         guild=guild)
        else:
            await stopwatch.command("rate", {"anime": pools.anime_query(rng)[1], **pools.score(rng)}, user=user,
                                    guild=guild)
    heavy = await _heavy_mix(stopwatch, pools, scale, rng)
    heavy_rss = _status(proc.pid)["VmRSS"]
    log(f"    heavy mix {heavy}: {heavy_rss / 1024:.1f} MiB")
    deadline = time.perf_counter() + 5.0
    while ready_at() is None and time.perf_counter() < deadline:  # noqa: ASYNC110 - polling a log file
        await asyncio.sleep(0.01)
    await asyncio.sleep(2.0)  # nothing running: what the process holds on to
    status = _status(proc.pid)
    return ProcessResult(len(server.config.guilds), connected, first_answer, ready_at(), idle, status["VmHWM"],
                         status["VmRSS"], scale.rss_commands, heavy, heavy_rss, status["VmRSS"])


def _largest(path: Path, sql: str) -> tuple[int, int]:
    """(key, size) of the first row ``sql`` gives (largest first), read from the database file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(sql).fetchone()
    finally:
        conn.close()
    return int(row[0]), int(row[1])


async def _heavy_mix(stopwatch: Stopwatch, pools: Pools, scale: Scale, rng: random.Random) -> tuple[int, int, int]:
    """The issue's heavy mix: /review read on the largest show, /credits and /person on the largest ones — each
    picked from the autocomplete's list (``id:``), as a member would when the name alone may be ambiguous, so that
    every one of them is a long answer, not a "which one?"."""
    reads, credits, persons = scale.heavy_mix
    path = pools.path
    show, _ = _largest(path, f"SELECT anime_id, count(*) FROM review WHERE guild_id = {guild_id(0)} "
                             "GROUP BY anime_id ORDER BY 2 DESC LIMIT 1")
    cast, _ = _largest(path, "SELECT anime_id, count(*) FROM voice_role GROUP BY anime_id ORDER BY 2 DESC LIMIT 1")
    person, _ = _largest(path, "SELECT person_id, count(*) FROM voice_role GROUP BY person_id ORDER BY 2 DESC "
                               "LIMIT 1")
    for _ in range(reads):
        user, _, _ = pools.who(rng)
        await stopwatch.command("review read", {"anime": picked(show)}, user=user, guild=guild_id(0))
    for _ in range(credits):
        user, _, _ = pools.who(rng)
        await stopwatch.command("credits", {"anime": picked(cast)}, user=user, guild=guild_id(0))
    for _ in range(persons):
        user, _, _ = pools.who(rng)
        await stopwatch.command("person", {"name": picked(person)}, user=user, guild=guild_id(0))
    return reads, credits, persons
