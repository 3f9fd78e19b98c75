"""Durable acknowledgements: what ``synchronous=FULL`` costs next to the old ``NORMAL``.

``python -m bench durability [--quick] [--rounds N] [--out FILE]`` (or ``python -m bench.durability``); the last
full run is in bench/durability.md.

kansou answers a write only after its commit, and with ``synchronous=FULL`` (WAL mode) every commit fsyncs the
log, so an acknowledged write survives a power cut. This measures the price on this machine, for each setting on
a fresh copy of the same database (the shipped catalogue), through the bot's own code paths:

* **ingestion** — many raters at once, each submitting one rating at a time to the group-commit writer (what
  ``/rate`` does): writes answered per second, the commits (and so fsyncs) they took, p50/p99 per write;
* **one /rate write alone** — one member's ratings one after another: nothing to share a commit with, so each
  pays a whole fsync (p50/p99);
* **one /review write alone** — ``ReviewService.create``'s insert (a transaction of its own), one after another.

The settings alternate round by round, so a change in the machine's load touches both. Timings are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.stats import percentile
from bot.catalogue.files import load_shipped_catalogue
from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.config import Settings
from bot.core.database import SQLiteDatabase
from bot.ratings.models import Score, ScoreWrite
from bot.ratings.service import RatingService
from bot.ratings.store import RatingStore
from bot.reviews.models import EpisodeScope, ReviewText
from bot.reviews.store import ReviewStore

SETTINGS = ("NORMAL", "FULL")
CATEGORIES = ("animation", "voice_acting", "music", "writing", "story")
GUILD = 900_000_000_000_000_001
MEMBER_BASE = 800_000_000_000_000_000
BODY = "A review long enough to need a page or two of its own. " * 60


@dataclass(frozen=True)
class Sizes:
    """How much work each measurement does."""

    raters: int = 200
    writes_per_rater: int = 20
    alone: int = 2000  # sequential writes, for the p99 of a write that shares no commit


QUICK = Sizes(raters=50, writes_per_rater=8, alone=300)
TINY = Sizes(raters=5, writes_per_rater=3, alone=10)


@dataclass
class Measured:
    """One setting's figures in one round."""

    setting: str
    writes: int = 0
    seconds: float = 0.0
    commits: int = 0
    ingest_latencies: list[float] = field(default_factory=list)
    rate_latencies: list[float] = field(default_factory=list)
    review_latencies: list[float] = field(default_factory=list)
    synchronous: int = -1  # what the connection reported (1 NORMAL, 2 FULL)

    @property
    def writes_per_s(self) -> float:
        """Ingestion: writes answered per second."""
        return self.writes / self.seconds if self.seconds else 0.0


async def _template(directory: Path) -> Path:
    path = directory / "template.sqlite3"
    async with await SQLiteDatabase.connect(path) as db:
        await load_shipped_catalogue(CatalogueStore(db))
    return path


async def measure(template: Path, directory: Path, setting: str, sizes: Sizes, seed: int) -> Measured:
    """Ingestion, then lone /rate and /review writes, on a fresh copy of ``template`` with ``setting``."""
    path = directory / f"{setting.lower()}-{seed}.sqlite3"
    shutil.copyfile(template, path)
    result = Measured(setting)
    rng = random.Random(seed)
    db = await SQLiteDatabase.connect(path, synchronous=setting)
    service = RatingService(RatingStore(db), CatalogueService(CatalogueStore(db)), Settings.from_env({}))
    try:
        result.synchronous = int(await db.fetch_value("PRAGMA synchronous"))
        shows = [int(r[0]) for r in await db.fetch_all("SELECT id FROM anime ORDER BY id")]
        await service.start()
        writer = service.writer

        def write(member: int) -> ScoreWrite:
            return ScoreWrite(GUILD, member, rng.choice(shows), ((rng.choice(CATEGORIES), Score(rng.randint(2, 10))),))

        async def rater(member: int) -> None:
            for _ in range(sizes.writes_per_rater):
                started = time.perf_counter()
                await writer.submit(write(member))
                result.ingest_latencies.append(time.perf_counter() - started)

        commits = writer.commits
        started = time.perf_counter()
        await asyncio.gather(*(rater(MEMBER_BASE + n) for n in range(sizes.raters)))
        result.seconds = time.perf_counter() - started
        result.writes = sizes.raters * sizes.writes_per_rater
        result.commits = writer.commits - commits

        for _ in range(sizes.alone):
            started = time.perf_counter()
            await writer.submit(write(MEMBER_BASE - 1))
            result.rate_latencies.append(time.perf_counter() - started)

        reviews = ReviewStore(db)
        text = ReviewText.parse("Durable", BODY)
        for n in range(sizes.alone):
            started = time.perf_counter()
            stored = await reviews.insert(guild_id=GUILD, channel_id=1, author_id=MEMBER_BASE + 10_000 + n,
                                          anime_id=shows[n % len(shows)], text=text, scope=EpisodeScope(),
                                          created_at=time.time())
            result.review_latencies.append(time.perf_counter() - started)
            assert stored is not None
    finally:
        await service.close()
        await db.close()
    return result


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.2f} ms" if values else "—"


def render(rounds: list[list[Measured]], sizes: Sizes) -> str:
    """The figures as a markdown report: each round, then FULL's cost relative to NORMAL (medians of rounds)."""
    lines = [
        "## Durable commits: synchronous = NORMAL vs FULL",
        "",
        f"{sizes.raters} raters × {sizes.writes_per_rater} ratings through the group-commit writer; then "
        f"{sizes.alone:,} lone /rate writes and {sizes.alone:,} lone /review writes. {os.cpu_count()} CPUs, "
        f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end.",
        "",
        "| round | setting | ingestion writes/s | commits | ingestion p50 / p99 | lone /rate p50 / p99 "
        "| lone /review p50 / p99 |",
        "|---|---|---|---|---|---|---|",
    ]
    for index, measured in enumerate(rounds, start=1):
        for m in measured:
            lines.append(
                f"| {index} | {m.setting} | {m.writes_per_s:,.0f} | {m.commits:,} | "
                f"{_ms(m.ingest_latencies, 0.5)} / {_ms(m.ingest_latencies, 0.99)} | "
                f"{_ms(m.rate_latencies, 0.5)} / {_ms(m.rate_latencies, 0.99)} | "
                f"{_ms(m.review_latencies, 0.5)} / {_ms(m.review_latencies, 0.99)} |")

    def median(setting: str, pick: Callable[[Measured], float]) -> float:
        return statistics.median(pick(m) for measured in rounds for m in measured if m.setting == setting)

    figures: list[tuple[str, Callable[[Measured], float]]] = [
        ("ingestion writes/s", lambda m: m.writes_per_s),
        ("lone /rate p50", lambda m: percentile(m.rate_latencies, 0.5)),
        ("lone /rate p99", lambda m: percentile(m.rate_latencies, 0.99)),
        ("lone /review p50", lambda m: percentile(m.review_latencies, 0.5)),
        ("lone /review p99", lambda m: percentile(m.review_latencies, 0.99)),
    ]
    lines += ["", "FULL relative to NORMAL (median of the rounds; above 1× for a time means FULL is slower, below 1× "
              "for writes/s means fewer):", ""]
    for name, pick in figures:
        normal, full = median("NORMAL", pick), median("FULL", pick)
        lines.append(f"- {name}: {full / normal:.2f}×" if normal else f"- {name}: —")
    return "\n".join(lines) + "\n"


async def run(sizes: Sizes, rounds: int = 2, seed: int = 1, *, log: Callable[[str], None] = print
              ) -> list[list[Measured]]:
    """Every round measures both settings, in alternating order."""
    out: list[list[Measured]] = []
    with tempfile.TemporaryDirectory(prefix="kansou-durability-") as tmp:
        directory = Path(tmp)
        template = await _template(directory)
        for index in range(rounds):
            order = SETTINGS if index % 2 == 0 else tuple(reversed(SETTINGS))
            measured = []
            for setting in order:
                m = await measure(template, directory, setting, sizes, seed + index)
                log(f"  round {index + 1} {setting}: {m.writes_per_s:,.0f} writes/s in {m.commits} commits, "
                    f"lone /rate p99 {_ms(m.rate_latencies, 0.99)}, lone /review p99 {_ms(m.review_latencies, 0.99)}")
                measured.append(m)
            out.append(sorted(measured, key=lambda m: SETTINGS.index(m.setting)))
    return out


def main(argv: list[str] | None = None) -> int:
    """Measure both settings and print (or write) the report."""
    parser = argparse.ArgumentParser(prog="python -m bench durability", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="less work per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of both settings (default 2)")
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    report = render(asyncio.run(run(sizes, args.rounds)), sizes)
    print(report)
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
