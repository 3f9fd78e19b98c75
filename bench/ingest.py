"""Rating ingestion: many concurrent raters through kansou's group-commit writer, next to raw sqlite3.

Each rater is a coroutine that submits one write at a time to the writer behind ``RatingService.rate``
and waits for its answer, which comes only after the transaction holding it committed (checked: for a
sample of answers, a separate connection must already see the score). The same writes then go to a
fresh copy of the database through a plain ``sqlite3`` connection with the app's settings and upsert
statement, batched one round of raters per transaction: the ceiling the writer is compared with.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.inputs import Pools
from bench.world import Scale, guild_id
from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.config import Settings
from bot.core.database import Database
from bot.ratings.models import Score, ScoreWrite
from bot.ratings.service import RatingService
from bot.ratings.store import _UPSERT as RATING_UPSERT
from bot.ratings.store import RatingStore

RATER_BASE = 700_000_000_000_000_000
CHECK_EVERY = 10


@dataclass
class IngestResult:
    """What the writer and raw sqlite3 achieved with the same writes."""

    raters: int
    writes: int
    rows: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    commits: int = 0
    largest_batch: int = 0
    checked: int = 0
    visible: int = 0
    raw_seconds: float = 0.0
    raw_transactions: int = 0

    @property
    def writes_per_s(self) -> float:
        """Writes (one member's scores for one show) answered per second."""
        return self.writes / self.seconds

    @property
    def rows_per_s(self) -> float:
        """Scores (rating rows upserted) per second."""
        return self.rows / self.seconds

    @property
    def raw_writes_per_s(self) -> float:
        """The same writes per second through raw sqlite3."""
        return self.writes / self.raw_seconds

    @property
    def ratio(self) -> float:
        """The writer's throughput as a fraction of raw sqlite3's."""
        return self.writes_per_s / self.raw_writes_per_s


def plans(pools: Pools, scale: Scale, seed: int) -> list[list[ScoreWrite]]:
    """Each rater's writes, in order: mostly new shows, sometimes re-rating one it already rated."""
    rng = random.Random(seed * 131 + 5)
    categories = list(pools.categories)
    out = []
    for rater in range(scale.raters):
        guild = guild_id(pools.guild(rng))
        member = RATER_BASE + rater
        done: list[int] = []
        writes = []
        for _ in range(scale.writes_per_rater):
            if done and rng.random() < 0.3:
                show = rng.choice(done)
            else:
                show = pools.show(rng)
                done.append(show)
            chosen = categories if rng.random() < 0.4 else sorted(rng.sample(categories, rng.randint(1, 4)))
            writes.append(ScoreWrite(guild, member, show, tuple((c, Score(rng.randint(2, 10))) for c in chosen)))
        out.append(writes)
    return out


async def _writer(path: Path, work: list[list[ScoreWrite]], settings: Settings, result: IngestResult) -> None:
    db = await Database.open(path)
    service = RatingService(RatingStore(db), CatalogueService(CatalogueStore(db)), settings)
    await service.start()
    checker = sqlite3.connect(path, isolation_level=None)
    writer = service.writer
    commits_before = writer.commits

    async def rater(writes: list[ScoreWrite]) -> None:
        for index, op in enumerate(writes):
            started = time.perf_counter()
            await writer.submit(op)
            result.latencies.append(time.perf_counter() - started)
            if index % CHECK_EVERY == 0:  # answered only after the commit: another connection sees it now
                category, score = op.scores[0]
                row = checker.execute(
                    "SELECT score FROM rating WHERE guild_id = ? AND member_id = ? AND anime_id = ? AND category = ?",
                    (op.guild_id, op.member_id, op.anime_id, category),
                ).fetchone()
                result.checked += 1
                result.visible += int(row is not None and row[0] == score.halves)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(rater(w) for w in work))
        result.seconds = time.perf_counter() - started
        result.commits = writer.commits - commits_before
        result.largest_batch = writer.largest_batch
    finally:
        checker.close()
        await service.close()
        await db.close()


def _raw(path: Path, work: list[list[ScoreWrite]], result: IngestResult) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
            conn.execute(f"PRAGMA {pragma}").fetchall()
        rounds = max(len(w) for w in work)
        started = time.perf_counter()
        for i in range(rounds):
            now = time.time()
            rows = [(op.guild_id, op.member_id, op.anime_id, c, s.halves, now)
                    for w in work if i < len(w) for op in [w[i]] for c, s in op.scores]
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(RATING_UPSERT, rows)
            conn.execute("COMMIT")
            result.raw_transactions += 1
        result.raw_seconds = time.perf_counter() - started
    finally:
        conn.close()


async def ingest(writer_db: Path, raw_db: Path, pools: Pools, scale: Scale, seed: int, settings: Settings,
                 log: Callable[[str], None]) -> IngestResult:
    """Run the same writes through the writer (on ``writer_db``) and raw sqlite3 (on ``raw_db``)."""
    work = plans(pools, scale, seed)
    writes = sum(len(w) for w in work)
    rows = sum(len(op.scores) for w in work for op in w)
    result = IngestResult(scale.raters, writes, rows, 0.0)
    await _writer(writer_db, work, settings, result)
    log(f"    writer: {result.writes_per_s:,.0f} writes/s in {result.commits} commits")
    _raw(raw_db, work, result)
    log(f"    raw sqlite3: {result.raw_writes_per_s:,.0f} writes/s; ratio {result.ratio:.0%}")
    return result
