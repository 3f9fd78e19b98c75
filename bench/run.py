"""The benchmark runner: every command end to end, ingestion, tallies and the chart, memory and start-up.

``python -m bench`` (or ``--quick`` for a tenth of the data) prints the table and writes ``bench/results.md``.
Nothing here gates CI; ``tests/bench/test_bench_smoke.py`` only checks that it still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import random
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bench.e2e import Stopwatch, Timed, connected, noop_factory
from bench.generate import DATA_DIR, Built, build
from bench.ingest import IngestResult, ingest
from bench.inputs import Pools, picked, prefix, typed
from bench.names import NameMaker
from bench.process import ProcessResult, bot_process
from bench.stats import Row
from bench.world import Scale, actor_id, actor_name, guild_id, sandbox_config
from bot.config import Settings
from bot.core.database import Database
from bot.errors import KansouError
from bot.ratings.chart import render_chart
from bot.ratings.models import Tally
from bot.ratings.store import RatingStore
from bot.ui.client import KansouBot
from sandbox.kansou import kansou_bot_factory

SETTINGS_ENV = {
    "ANILIST_API_URL": "off",
    "KANSOU_REVIEW_COOLDOWN": "0",
    "KANSOU_RATE_COOLDOWN": "0",
    "KANSOU_LOOKUP_COOLDOWN": "0",
}
RESULTS = Path(__file__).resolve().parent / "results.md"
Log = Callable[[str], None]


@dataclass
class BoardResult:
    """Tally and leaderboard reads on the largest server."""

    tally: list[float] = field(default_factory=list)
    board: list[float] = field(default_factory=list)
    board_cached: list[float] = field(default_factory=list)
    chart: list[float] = field(default_factory=list)
    shows_ranked: int = 0


@dataclass
class Results:
    """Everything one run measured."""

    scale: Scale
    seed: int
    built: Built
    rows: list[Row] = field(default_factory=list)
    boards: BoardResult | None = None
    ingest: IngestResult | None = None
    process: ProcessResult | None = None
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average at the start and at the end


def settings() -> Settings:
    """The bot's settings for the benchmark: no AniList, no cooldowns."""
    return Settings.from_env(SETTINGS_ENV)


def scratch_copy(source: Path, name: str) -> Path:
    """A fresh copy of the built database to run against (the cached file is never written)."""
    target = source.with_name(name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


# -- end to end ---------------------------------------------------------------------------------------


class Bench:
    """Runs the command cases against a connected kansou, end to end."""

    def __init__(self, stopwatch: Stopwatch, bot: KansouBot, pools: Pools, scale: Scale, seed: int,
                 log: Log) -> None:
        self.sw = stopwatch
        self.bot = bot
        self.db = bot.core.db
        self.pools = pools
        self.scale = scale
        self.rng = random.Random(seed * 7919 + 1)
        self.names = NameMaker(random.Random(seed * 104_729 + 3))
        self.log = log
        self.rows: dict[str, Row] = {}
        self.taken: set[tuple[int, int, int]] = set()  # (guild, author, anime) written or forgotten here

    def row(self, name: str, kind: str) -> Row:
        """The row called ``name``, created on first use."""
        if name not in self.rows:
            self.rows[name] = Row(name, kind)
        return self.rows[name]

    def record(self, name: str, kind: str, timed: Timed) -> Timed:
        """Add one end-to-end measurement."""
        row = self.row(name, kind)
        row.first.append(timed.first)
        row.complete.append(timed.complete)
        row.outcomes[timed.outcome] += 1
        row.violations += timed.violations
        return timed

    # reads -------------------------------------------------------------------------------------------

    async def autocompletes(self) -> None:
        """The three name autocompletes, end to end."""
        p, rng, n = self.pools, self.rng, self.scale.invocations
        cases: list[tuple[str, str, str, Callable[[], str]]] = [
            ("/credits anime", "credits", "anime", lambda: p.titles[p.show(rng)]),
            ("/voiced character", "voiced", "character", lambda: p.character_names[p.character(rng)]),
            ("/person name", "person", "name", lambda: p.person_names[p.person(rng)]),
        ]
        for label, command, option, pick in cases:
            for _ in range(n):
                user, _, server = p.who(rng)
                self.record(label, "autocomplete", await self.sw.autocomplete(
                    command, {option: prefix(rng, pick())}, focused=option, user=user, guild=guild_id(server)))
            self.log(f"    {label}")

    async def reads(self) -> None:
        """/credits, /voiced, /person, /ratings show/top/mine and /review read."""
        p, rng, n = self.pools, self.rng, self.scale.invocations
        categories = [None, *p.categories.values()]

        def credits() -> dict[str, object]:
            return {"anime": p.anime_query(rng)[1]}

        def voiced() -> dict[str, object]:
            character, show = p.character_in(rng)
            options: dict[str, object] = {"character": typed(rng, p.character_names[character], character)}
            if rng.random() < 0.2:
                options["anime"] = typed(rng, p.titles[show], show)
            if rng.random() < 0.3:
                options["language"] = rng.choice(["japanese", "english"])
            return options

        def person() -> dict[str, object]:
            who = p.person(rng)
            return {"name": typed(rng, p.person_names[who], who)}

        def show() -> dict[str, object]:
            return {"anime": p.anime_query(rng)[1]}

        def top() -> dict[str, object]:
            category = rng.choice(categories)
            return {"category": category} if category else {}

        def read() -> dict[str, object]:
            anime, text = p.anime_query(rng)
            options: dict[str, object] = {"anime": text}
            if rng.random() < 0.5:
                options["watched"] = rng.randint(0, p.episodes.get(anime) or 24)
            if rng.random() < 0.1:
                options["author"] = p.who(rng)[0]
            return options

        cases: list[tuple[str, str, Callable[[], dict[str, object]]]] = [
            ("/credits", "credits", credits),
            ("/voiced", "voiced", voiced),
            ("/person", "person", person),
            ("/ratings show", "ratings show", show),
            ("/ratings top", "ratings top", top),
            ("/ratings mine", "ratings mine", dict),
            ("/review read", "review read", read),
        ]
        for label, command, make in cases:
            for _ in range(n):
                user, _, server = p.who(rng)
                self.record(label, "command", await self.sw.command(command, make(), user=user,
                                                                    guild=guild_id(server)))
            self.log(f"    {label}")

    # writes ------------------------------------------------------------------------------------------

    async def ratings(self) -> None:
        """/rate (one category and its score; and the rating panel opening), /ratings forget."""
        p, rng, n = self.pools, self.rng, self.scale.invocations
        for _ in range(n):
            user, _, server = p.who(rng)
            show, text = p.anime_query(rng)
            options: dict[str, object] = {"anime": text, **p.score(rng)}
            self.record("/rate", "command", await self.sw.command("rate", options, user=user,
                                                                 guild=guild_id(server)))
            # Reads right after the write: the tally, the chart and the leaderboard can't come from a cache.
            self.record("/ratings show (right after a vote)", "command", await self.sw.command(
                "ratings show", {"anime": typed(rng, p.titles[show], show)}, user=user, guild=guild_id(server)))
            self.record("/ratings top (right after a vote)", "command", await self.sw.command(
                "ratings top", {}, user=user, guild=guild_id(server)))
        self.log("    /rate, and reads right after it")
        for _ in range(n):
            user, _, server = p.who(rng)
            self.record("/rate (the panel)", "command", await self.sw.command(
                "rate", {"anime": p.anime_query(rng)[1]}, user=user, guild=guild_id(server)))
        self.log("    /rate (the panel)")
        for _ in range(n):
            user, _, server, show = p.rated_show(rng, self.taken)
            self.record("/ratings forget", "command", await self.sw.command(
                "ratings forget", {"anime": picked(show)}, user=user, guild=guild_id(server)))
        self.log("    /ratings forget")

    def _texts(self) -> dict[str, str]:
        title, body, warnings = self.names.review_text()
        values = {"Title": title, "Review": body}
        if warnings:
            values["Content warnings (optional)"] = warnings
        return values

    async def _number(self, guild: int, author: int, show: int) -> int | None:
        """The number of a member's review of a show in a server, if they wrote one."""
        found = await self.db.fetch_value(
            "SELECT number FROM review WHERE guild_id = ? AND author_id = ? AND anime_id = ?", (guild, author, show))
        return None if found is None else int(found)

    async def reviews(self) -> None:
        """/review write (modal, then submit), the review autocomplete, /review edit (modal, submit), delete."""
        p, rng, n = self.pools, self.rng, self.scale.invocations
        written: list[tuple[str, int, int]] = []  # (user name, server, number)
        for _ in range(n):
            user, actor, server, show = p.unreviewed(rng, self.taken)
            spoilers = rng.random() < 0.7
            options: dict[str, object] = {"anime": picked(show), "spoilers": spoilers}
            episodes = p.episodes.get(show)
            if spoilers and episodes and rng.random() < 0.5:
                options["through_episode"] = rng.randint(1, episodes)
            opened = self.record("/review write", "command", await self.sw.command(
                "review write", options, user=user, guild=guild_id(server)))
            if opened.outcome != "modal":
                continue
            self.record("/review write — submit", "submit", await self.sw.submit(
                opened, self._texts(), user=user, guild=guild_id(server)))
            number = await self._number(guild_id(server), actor_id(actor), show)
            if number is not None:
                written.append((user, server, number))
                self.record("/review read (right after a write)", "command", await self.sw.command(
                    "review read", {"anime": typed(rng, p.titles[show], show)}, user=user, guild=guild_id(server)))
        self.log("    /review write")
        for _ in range(n):
            user, actor, server = p.who(rng)
            self.record("/review edit review", "autocomplete", await self.sw.autocomplete(
                "review edit", {"review": str(rng.randint(1, 9)) if rng.random() < 0.5 else ""},
                focused="review", user=user, guild=guild_id(server)))
        self.log("    /review edit autocomplete")
        for user, server, number in written:
            opened = self.record("/review edit", "command", await self.sw.command(
                "review edit", {"review": number}, user=user, guild=guild_id(server)))
            if opened.outcome == "modal":
                self.record("/review edit — submit", "submit", await self.sw.submit(
                    opened, self._texts(), user=user, guild=guild_id(server)))
        self.log("    /review edit")
        for user, server, number in written:
            self.record("/review delete", "command", await self.sw.command(
                "review delete", {"review": number}, user=user, guild=guild_id(server)))
        self.log("    /review delete")

    # size independence -----------------------------------------------------------------------------------

    async def _largest_and_median(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[int, int]]:
        """(key, size) of the largest and the median of what ``sql`` lists as (key, size), largest first."""
        rows = [(int(k), int(v)) for k, v in await self.db.fetch_all(sql, params)]
        return [rows[0], rows[len(rows) // 2]] if rows else []

    async def sizes(self) -> None:
        """The same command on the largest and on the median show, person and member: its cost should not grow."""
        p, rng, n = self.pools, self.rng, self.scale.invocations
        largest = guild_id(0)
        actors = [actor_id(i) for i in range(self.scale.actors)]
        marks = ",".join("?" * len(actors))
        names: dict[int, str] = {}
        cases: list[tuple[str, str, list[tuple[int, int]], Callable[[int], dict[str, object]], str]] = [
            ("/review read", "review read", await self._largest_and_median(
                "SELECT anime_id, count(*) FROM review WHERE guild_id = ? GROUP BY anime_id ORDER BY 2 DESC",
                (largest,)), lambda key: {"anime": names[key]}, "reviews"),
            ("/credits", "credits", await self._largest_and_median(
                "SELECT anime_id, count(*) FROM (SELECT anime_id FROM voice_role UNION ALL "
                "SELECT anime_id FROM staff_role) GROUP BY anime_id ORDER BY 2 DESC"),
             lambda key: {"anime": names[key]}, "credits"),
            ("/person", "person", await self._largest_and_median(
                "SELECT person_id, count(*) FROM (SELECT person_id FROM voice_role UNION ALL "
                "SELECT person_id FROM staff_role) GROUP BY person_id ORDER BY 2 DESC"),
             lambda key: {"name": names[key]}, "credits"),
            ("/ratings mine", "ratings mine", await self._largest_and_median(
                f"SELECT member_id, count(*) FROM rating WHERE guild_id = ? AND member_id IN ({marks}) "
                "GROUP BY member_id ORDER BY 2 DESC", (largest, *actors)), lambda key: {}, "scores"),
        ]
        # The name as shown when it names that show or person alone; else what the member picks from the
        # autocomplete's list (an ambiguous name would measure the "which one?" answer, not the command).
        for _, command, picks, _, _ in cases:
            kind: Literal["anime", "person"] = "person" if command == "person" else "anime"
            for key, _ in picks:
                if command == "ratings mine":
                    continue
                shown = p.person_names[key] if kind == "person" else p.titles[key]
                try:
                    found = await self.bot.core.catalogue.find(kind, shown)
                    names[key] = shown if found.entity_id == key else picked(key)
                except KansouError:
                    names[key] = picked(key)
        for label, command, picks, options, unit in cases:
            for which, (key, size) in zip(("largest", "median"), picks, strict=False):
                name = f"{label} — {which} ({size:,} {unit})"
                user = actors.index(key) if command == "ratings mine" else None
                for _ in range(n):
                    who = actor_name(user) if user is not None else p.who(rng)[0]
                    self.record(name, "size", await self.sw.command(command, options(key), user=who,
                                                                   guild=largest))
            self.log(f"    {label}: largest and median")

    async def warm_up(self) -> None:
        """A few unmeasured commands, so first-use costs (lazy imports, caches) are not in the figures."""
        p, rng = self.pools, self.rng
        for _ in range(10):
            user, _, server = p.who(rng)
            await self.sw.command("credits", {"anime": p.anime_query(rng)[1]}, user=user, guild=guild_id(server))
            await self.sw.command("ratings show", {"anime": p.anime_query(rng)[1]}, user=user,
                                  guild=guild_id(server))
            await self.sw.autocomplete("person", {"name": prefix(rng, p.person_names[p.person(rng)])},
                                       focused="name", user=user, guild=guild_id(server))


async def baseline(scale: Scale, log: Log) -> Row:
    """The no-op command through the same stand-in and discord.py: what any command costs at least."""
    row = Row("no-op command (baseline)", "baseline")
    async with connected(noop_factory(), sandbox_config(scale)) as sandbox:
        sw = Stopwatch(sandbox)
        for i in range(scale.invocations + 20):
            timed = await sw.command("noop", {"text": "x"}, user="member000", guild=guild_id(i % scale.servers))
            if i >= 20:
                row.first.append(timed.first)
                row.complete.append(timed.complete)
                row.outcomes[timed.outcome] += 1
                row.violations += timed.violations
    log("    no-op baseline")
    return row


async def boards(db: Database, pools: Pools, scale: Scale, min_votes: int, seed: int) -> BoardResult:
    """Tally and leaderboard reads on the largest server, through the storage layer the bot uses."""
    rng = random.Random(seed * 31 + 7)
    result = BoardResult()
    largest = guild_id(0)
    repo = RatingStore(db)
    for _ in range(scale.tally_reads):
        show = pools.show(rng) if rng.random() < 0.7 else rng.choice(pools.shows)
        started = time.perf_counter()
        await repo.show_tally(largest, show)
        result.tally.append(time.perf_counter() - started)
    categories = [None, *pools.categories]
    for i in range(scale.board_reads):
        started = time.perf_counter()
        board = await repo.compute_leaderboard(largest, categories[i % len(categories)], min_votes=min_votes, limit=100)
        result.board.append(time.perf_counter() - started)
        result.shows_ranked = max(result.shows_ranked, board.shows)
    for i in range(scale.board_reads):
        started = time.perf_counter()
        await repo.leaderboard(largest, categories[i % len(categories)], min_votes=min_votes, limit=100)
        result.board_cached.append(time.perf_counter() - started)
    # The /ratings show chart, drawn and encoded (moved here from the tests, which assert no time): every draw a
    # fresh set of tallies, so no cached image is measured.
    labels = list(pools.categories.values())
    render_chart([(label, Tally(key, 3, 3.0, (0,) * 9)) for key, label in pools.categories.items()])  # the font
    for i in range(scale.board_reads):
        bars: list[tuple[str, Tally | None]] = [
            (label, Tally(label, 1 + (i + k) % 50, 1 + ((i * 7 + k) % 9) / 2, (0,) * 9) if (i + k) % 4 else None)
            for k, label in enumerate(labels)
        ]
        started = time.perf_counter()
        render_chart(bars)
        result.chart.append(time.perf_counter() - started)
    return result


async def commands_phase(results: Results, run_db: Path, pools: Pools, log: Log) -> None:
    """Baseline, then kansou: every command end to end, then tallies, leaderboards and the chart."""
    scale = results.scale
    t = time.perf_counter()
    results.rows.append(await baseline(scale, log))
    results.phases["baseline"] = time.perf_counter() - t
    t = time.perf_counter()
    config = sandbox_config(scale)
    async with connected(kansou_bot_factory(settings(), run_db), config) as sandbox:
        bot = sandbox.bot
        assert isinstance(bot, KansouBot)
        bench = Bench(Stopwatch(sandbox, count_misses=True), bot, pools, scale, results.seed, log)
        await bench.warm_up()
        await bench.autocompletes()
        await bench.reads()
        await bench.ratings()
        await bench.reviews()
        await bench.sizes()
        results.rows += list(bench.rows.values())
        min_votes = bot.core.settings.leaderboard_min_votes
    results.phases["commands"] = time.perf_counter() - t
    # Tallies and leaderboards through the storage layer on its own connection, once the bot is gone: the
    # figures are the storage layer's, not those of an event loop still busy with thousands of live views.
    t = time.perf_counter()
    async with await Database.open(run_db) as db:
        results.boards = await boards(db, pools, scale, min_votes, results.seed)
    results.phases["tallies"] = time.perf_counter() - t


async def run(scale: Scale, seed: int = 1, *, data_dir: Path = DATA_DIR, rebuild: bool = False,
              phases: frozenset[str] = frozenset({"commands", "ingest", "process"}), log: Log = print) -> Results:
    """Build (or reuse) the data and run the benchmarks; the results."""
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    log(f"data: {scale.name} scale, seed {seed}")
    built = await asyncio.to_thread(build, scale, seed, directory=data_dir, rebuild=rebuild, log=log)
    log(f"  {'cached' if built.cached else 'built'}: {built.path.name} (built in {built.seconds:.1f} s)")
    results = Results(scale, seed, built)
    pools = Pools.load(built.path, scale)
    if "commands" in phases:
        log("commands, end to end:")
        run_db = scratch_copy(built.path, f"run-{scale.name}-commands.sqlite3")
        await commands_phase(results, run_db, pools, log)
        _remove(run_db)
    if "sizes" in phases and "commands" not in phases:  # only the size-independence rows (and the no-op)
        log("size independence, end to end:")
        run_db = scratch_copy(built.path, f"run-{scale.name}-sizes.sqlite3")
        results.rows.append(await baseline(scale, log))
        async with connected(kansou_bot_factory(settings(), run_db), sandbox_config(scale)) as sandbox:
            bot = sandbox.bot
            assert isinstance(bot, KansouBot)
            bench = Bench(Stopwatch(sandbox, count_misses=True), bot, pools, scale, results.seed, log)
            await bench.warm_up()
            await bench.sizes()
            results.rows += list(bench.rows.values())
        _remove(run_db)
    if "ingest" in phases:
        log("ingestion:")
        t = time.perf_counter()
        writer_db = scratch_copy(built.path, f"run-{scale.name}-writer.sqlite3")
        raw_db = scratch_copy(built.path, f"run-{scale.name}-raw.sqlite3")
        results.ingest = await ingest(writer_db, raw_db, pools, scale, seed, settings(), log)
        _remove(writer_db)
        _remove(raw_db)
        results.phases["ingest"] = time.perf_counter() - t
    if "process" in phases:
        log("bot process (memory, start-up):")
        t = time.perf_counter()
        process_db = scratch_copy(built.path, f"run-{scale.name}-process.sqlite3")
        results.process = await bot_process(process_db, pools, scale, SETTINGS_ENV, seed, log)
        _remove(process_db)
        results.phases["process"] = time.perf_counter() - t
    results.seconds = time.perf_counter() - started
    results.load = (load_before, os.getloadavg()[0])
    return results


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def machine() -> str:
    """A one-line description of where the figures were taken."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{platform.system()} {platform.release()}")

