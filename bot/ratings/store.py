"""The ratings repository (all SQL about ratings and their tallies) and the group-commit writer.

Scores are stored in half points ×2 (1 → 2, …, 5 → 10). The aggregates ``rating_tally`` and
``rating_show`` are kept right by triggers (migration 0003), in the same transaction as every vote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import aiosqlite

if TYPE_CHECKING:
    from bot.core.database import Database

log = logging.getLogger(__name__)

# Fixed category keys and their labels, in display order.
CATEGORIES: Final[dict[str, str]] = {
    "animation": "Animation",
    "voice_acting": "Voice Acting",
    "music": "Music",
    "writing": "Writing",
    "story": "Story",
}
MIN_STORED: Final = 2  # 1 point
MAX_STORED: Final = 10  # 5 points
# The scores a vote can have, on the 1–5 scale: 1, 1.5, …, 5 (the order of Tally.distribution).
SCORES: Final[tuple[float, ...]] = tuple(s / 2 for s in range(MIN_STORED, MAX_STORED + 1))

_N_COLS = ", ".join(f"n{s}" for s in range(MIN_STORED, MAX_STORED + 1))
_TITLE = "coalesce(a.title_english, a.title_romaji)"
_UPSERT = (
    "INSERT INTO rating (guild_id, member_id, anime_id, category, score, rated_at) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, member_id, anime_id, category) DO UPDATE SET "
    "score = excluded.score, rated_at = excluded.rated_at"
)
_FORGET = "DELETE FROM rating WHERE guild_id = ? AND member_id = ? AND anime_id = ?"
_BOARD_CACHE_SIZE = 512


def _category_order(category: str) -> int:
    return list(CATEGORIES).index(category) if category in CATEGORIES else len(CATEGORIES)


@dataclass(frozen=True)
class Tally:
    """One category of one show in one server: votes, average (1–5) and votes per score (1, 1.5, …, 5)."""

    category: str
    votes: int
    average: float
    distribution: tuple[int, ...]

    @property
    def label(self) -> str:
        """The category's display name."""
        return CATEGORIES.get(self.category, self.category)


@dataclass(frozen=True)
class ShowTally:
    """A show's ratings in one server: per-category tallies (in category order) and distinct voters."""

    anime_id: int
    tallies: tuple[Tally, ...]
    voters: int

    @property
    def overall(self) -> float | None:
        """The mean of the category averages (None when nothing is rated)."""
        if not self.tallies:
            return None
        return sum(t.average for t in self.tallies) / len(self.tallies)

    def get(self, category: str) -> Tally | None:
        """The tally of one category, if it has votes."""
        return next((t for t in self.tallies if t.category == category), None)


@dataclass(frozen=True)
class LeaderboardRow:
    """One show on a leaderboard: its plain average R, votes v and Bayesian average."""

    anime_id: int
    title: str
    average: float
    votes: int
    bayesian: float


@dataclass(frozen=True)
class Leaderboard:
    """A server's ranking by ``(v·R + m·C) / (v + m)``; ``mean`` is C, ``shows`` how many shows are ranked."""

    category: str | None
    min_votes: int
    mean: float | None
    shows: int
    rows: tuple[LeaderboardRow, ...]


@dataclass(frozen=True)
class MemberRating:
    """One of a member's scores (1–5)."""

    anime_id: int
    title: str
    category: str
    score: float


@dataclass(frozen=True)
class ScoreWrite:
    """Set a member's scores (stored units, 2–10) for a show in a server; other categories are kept."""

    guild_id: int
    member_id: int
    anime_id: int
    scores: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ForgetWrite:
    """Remove every score of a member for a show in a server."""

    guild_id: int
    member_id: int
    anime_id: int


Write = ScoreWrite | ForgetWrite


def _check_write(op: Write) -> None:
    if isinstance(op, ScoreWrite):
        for category, score in op.scores:
            if category not in CATEGORIES:
                raise ValueError(f"unknown rating category {category!r}")
            if type(score) is not int or not MIN_STORED <= score <= MAX_STORED:
                raise ValueError(f"stored score {score!r} is outside {MIN_STORED}..{MAX_STORED}")


class RatingRepo:
    """All SQL about ratings."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # Leaderboards by (guild, category, m, limit), each with the connection's total_changes when it was
        # read: any write through the connection makes every cached board stale.
        self._boards: OrderedDict[tuple[int, str | None, int, int], tuple[int, Leaderboard]] = OrderedDict()

    @property
    def _conn(self) -> aiosqlite.Connection:
        return self._db.conn

    # -- writing -------------------------------------------------------------------------------------

    async def apply_in(self, conn: aiosqlite.Connection, ops: Sequence[Write]) -> list[int]:
        """Apply writes, in order, inside the caller's open transaction; each one's count of scores written/removed.

        Consecutive score writes go to SQLite in one ``executemany``.
        """
        for op in ops:
            _check_write(op)
        results: list[int] = []
        now = time.time()
        i = 0
        while i < len(ops):
            op = ops[i]
            if isinstance(op, ForgetWrite):
                async with conn.execute(_FORGET, (op.guild_id, op.member_id, op.anime_id)) as cur:
                    results.append(max(cur.rowcount, 0))
                i += 1
                continue
            rows: list[tuple[int, int, int, str, int, float]] = []
            while i < len(ops) and isinstance(ops[i], ScoreWrite):
                run = ops[i]
                assert isinstance(run, ScoreWrite)
                rows += [(run.guild_id, run.member_id, run.anime_id, c, s, now) for c, s in run.scores]
                results.append(len(run.scores))
                i += 1
            if rows:
                await conn.executemany(_UPSERT, rows)
        return results

    async def apply(self, ops: Sequence[Write]) -> list[int]:
        """Apply writes in one transaction of their own (no group commit)."""
        async with self._db.transaction() as conn:
            return await self.apply_in(conn, ops)

    async def set_scores(self, guild_id: int, member_id: int, anime_id: int, scores: Mapping[str, int]) -> int:
        """Set a member's scores (stored units) for a show; returns how many were written."""
        (written,) = await self.apply([ScoreWrite(guild_id, member_id, anime_id, tuple(scores.items()))])
        return written

    async def forget(self, guild_id: int, member_id: int, anime_id: int) -> int:
        """Remove a member's scores for a show; returns how many were removed."""
        (removed,) = await self.apply([ForgetWrite(guild_id, member_id, anime_id)])
        return removed

    # -- reading -------------------------------------------------------------------------------------

    async def member_scores(self, guild_id: int, member_id: int, anime_id: int) -> dict[str, float]:
        """A member's scores (1–5) for one show, in category order."""
        rows = await self._conn.execute_fetchall(
            "SELECT category, score FROM rating WHERE guild_id = ? AND member_id = ? AND anime_id = ?",
            (guild_id, member_id, anime_id),
        )
        pairs = sorted(((str(r[0]), int(r[1]) / 2) for r in rows), key=lambda p: _category_order(p[0]))
        return dict(pairs)

    async def member_ratings(self, guild_id: int, member_id: int) -> list[MemberRating]:
        """Every score of a member in a server, by show title then category order."""
        rows = await self._conn.execute_fetchall(
            f"SELECT r.anime_id, {_TITLE}, r.category, r.score FROM rating r JOIN anime a ON a.id = r.anime_id "
            "WHERE r.guild_id = ? AND r.member_id = ?",
            (guild_id, member_id),
        )
        found = [MemberRating(int(r[0]), str(r[1]), str(r[2]), int(r[3]) / 2) for r in rows]
        found.sort(key=lambda m: (m.title.casefold(), m.anime_id, _category_order(m.category)))
        return found

    async def show_tally(self, guild_id: int, anime_id: int) -> ShowTally:
        """A show's tally in a server: a primary-key range read of its (at most five) aggregate rows."""
        # One round trip to the database thread (execute and fetch together), as for every read here.
        rows = list(await self._conn.execute_fetchall(
            f"SELECT t.category, t.votes, t.total, {_N_COLS}, s.voters FROM rating_tally t "
            "LEFT JOIN rating_show s ON s.guild_id = t.guild_id AND s.anime_id = t.anime_id "
            "WHERE t.guild_id = ? AND t.anime_id = ?",
            (guild_id, anime_id),
        ))
        tallies = [
            Tally(str(r[0]), int(r[1]), int(r[2]) / 2 / int(r[1]), tuple(int(n) for n in r[3:12]))
            for r in rows
            if int(r[1]) > 0
        ]
        tallies.sort(key=lambda t: _category_order(t.category))
        voters = int(rows[0][12] or 0) if rows else 0
        return ShowTally(anime_id, tuple(tallies), voters)

    async def leaderboard(
        self, guild_id: int, category: str | None, *, min_votes: int, limit: int = 100
    ) -> Leaderboard:
        """The server's top ``limit`` shows by Bayesian average, for one category or overall.

        A category ranks each show's average R over its v votes against C, the mean of every vote in that
        category in the server. Overall ranks each show's R = mean of its category averages over v = the
        members who rated it, against C = the mean of those R weighted by v. A board is reused until the
        next write through the connection.
        """
        if category is not None and category not in CATEGORIES:
            raise ValueError(f"unknown rating category {category!r}")
        key = (guild_id, category, min_votes, limit)
        stamp = self._conn.total_changes  # taken before reading: a write meanwhile makes this entry stale
        cached = self._boards.get(key)
        if cached is not None and cached[0] == stamp:
            self._boards.move_to_end(key)
            return cached[1]
        board = await self._leaderboard(guild_id, category, min_votes=min_votes, limit=limit)
        self._boards[key] = (stamp, board)
        self._boards.move_to_end(key)
        while len(self._boards) > _BOARD_CACHE_SIZE:
            self._boards.popitem(last=False)
        return board

    async def _leaderboard(self, guild_id: int, category: str | None, *, min_votes: int, limit: int) -> Leaderboard:
        if category is None:
            mean_sql = "SELECT sum(voters * overall) / sum(voters), count(*) FROM rating_show WHERE guild_id = :g"
            scope = (
                "SELECT anime_id, overall AS r, voters AS v, (voters * overall + :m * :mean) / (voters + :m) AS b "
                "FROM rating_show WHERE guild_id = :g"
            )
        elif category in CATEGORIES:
            mean_sql = (
                "SELECT sum(total) * 0.5 / sum(votes), count(*) FROM rating_tally WHERE guild_id = :g AND category = :c"
            )
            scope = (
                "SELECT anime_id, total * 0.5 / votes AS r, votes AS v, (total * 0.5 + :m * :mean) / (votes + :m) AS b "
                "FROM rating_tally WHERE guild_id = :g AND category = :c"
            )
        else:
            raise ValueError(f"unknown rating category {category!r}")
        params: dict[str, object] = {"g": guild_id, "c": category, "m": min_votes, "limit": limit}
        # C first (a covering range scan), then one top-N sort over the same range with C as a constant.
        found = next(iter(await self._conn.execute_fetchall(mean_sql, params)), None)
        if found is None or not found[1] or found[0] is None:
            return Leaderboard(category, min_votes, None, 0, ())
        mean, shows = float(found[0]), int(found[1])
        params["mean"] = mean
        rows = await self._conn.execute_fetchall(
            f"SELECT k.anime_id, {_TITLE}, k.r, k.v, k.b FROM ({scope} ORDER BY b DESC, v DESC, anime_id "
            "LIMIT :limit) k JOIN anime a ON a.id = k.anime_id ORDER BY k.b DESC, k.v DESC, k.anime_id",
            params,
        )
        board = tuple(LeaderboardRow(int(r[0]), str(r[1]), float(r[2]), int(r[3]), float(r[4])) for r in rows)
        return Leaderboard(category, min_votes, mean, shows, board)


_STOP: Final = object()
_Item = tuple[Write, "asyncio.Future[int]"]


class RatingWriter:
    """One task that group-commits rating writes: many callers' writes share one transaction.

    Callers :meth:`submit` a write and wait on a future; the task takes everything pending, applies it in
    one ``BEGIN IMMEDIATE`` … ``COMMIT`` under ``db.write_lock`` and only then answers each caller. When the
    batch fails, each write is retried in its own transaction so one bad write fails alone.
    """

    def __init__(self, db: Database, repo: RatingRepo, *, max_batch: int = 5000) -> None:
        self._db = db
        self._repo = repo
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Item | object] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.commits = 0  # successful COMMITs, batched or not
        self.batches = 0  # batches committed whole
        self.fallbacks = 0  # batches that failed and were retried write by write
        self.writes = 0  # writes committed
        self.largest_batch = 0

    @property
    def running(self) -> bool:
        """Whether writes are being queued for the task (else they are applied directly)."""
        return self._task is not None and not self._task.done() and not self._closing

    def start(self) -> None:
        """Start the writer task (idempotent); needs a running event loop."""
        if self._task is None or self._task.done():
            self._closing = False
            self._task = asyncio.get_running_loop().create_task(self._run(), name="kansou-rating-writer")

    async def close(self) -> None:
        """Commit everything already submitted, then stop the task."""
        task = self._task
        if task is None:
            return
        if not task.done():
            if not self._closing:  # one stop marker, however many callers close
                self._closing = True
                self._queue.put_nowait(_STOP)
            await asyncio.shield(task)
        if self._task is task:
            self._task = None

    def submit_nowait(self, op: Write) -> asyncio.Future[int]:
        """Queue a write; the future resolves after its commit (to its count of scores written or removed)."""
        _check_write(op)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((op, future))
        return future

    async def submit(self, op: Write) -> int:
        """Apply a write (group-committed when the task runs) and return its count once it is committed."""
        if not self.running:
            _check_write(op)
            future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            await self._commit([(op, future)])
            return future.result()
        return await self.submit_nowait(op)

    async def _run(self) -> None:
        batch: list[_Item] = []
        try:
            stop = False
            while not stop:
                item = await self._queue.get()
                batch = []
                while True:
                    if item is _STOP:
                        stop = True
                        break
                    batch.append(item)  # type: ignore[arg-type]  # anything but _STOP is an _Item
                    if len(batch) >= self._max_batch:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except asyncio.QueueEmpty:
                        break
                if batch:
                    try:
                        await self._commit(batch)
                    except Exception as exc:  # a bug, not a bad write: nobody may wait forever
                        log.exception("the rating writer failed a batch of %d writes", len(batch))
                        _fail(batch, exc)
                    batch = []
        except asyncio.CancelledError:
            _fail(batch, RuntimeError("the rating writer was stopped"))
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is not _STOP:
                    _fail([item], RuntimeError("the rating writer was stopped"))  # type: ignore[list-item]
            raise

    async def _commit(self, batch: list[_Item]) -> None:
        live = [(op, fut) for op, fut in batch if not fut.done()]  # a caller that gave up is not written
        if not live:
            return
        conn = self._db.conn
        async with self._db.write_lock:
            try:
                results = await self._transaction(conn, [op for op, _ in live])
            except Exception as exc:
                if len(live) == 1:
                    _fail(live, exc)
                    return
                self.fallbacks += 1
                log.warning("a batch of %d rating writes failed; applying them one by one", len(live))
            else:
                self.batches += 1
                self.largest_batch = max(self.largest_batch, len(live))
                for (_, fut), result in zip(live, results, strict=True):
                    if not fut.done():
                        fut.set_result(result)
                return
            for op, fut in live:
                try:
                    (result,) = await self._transaction(conn, [op])
                except Exception as exc:
                    if not fut.done():
                        fut.set_exception(exc)
                else:
                    if not fut.done():
                        fut.set_result(result)

    async def _transaction(self, conn: aiosqlite.Connection, ops: Sequence[Write]) -> list[int]:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            results = await self._repo.apply_in(conn, ops)
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(Exception):
                    await conn.execute("ROLLBACK")
            raise
        self.commits += 1
        self.writes += len(ops)
        return results


def _fail(items: Sequence[_Item], exc: BaseException) -> None:
    for _, fut in items:
        if not fut.done():
            fut.set_exception(exc)
