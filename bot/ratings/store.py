"""The ratings store: all SQL about votes, their tallies and leaderboards, and each server's categories.

Scores are stored in half points ×2 (1 → 2, …, 5 → 10). The aggregates ``rating_tally`` and ``rating_show``
are kept right by triggers (migrations 0003 and 0005), in the same transaction as every vote.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Final

from bot.core.database import Database, Queries, Row
from bot.ratings.models import (
    DEFAULTS,
    MAX_HALVES,
    MIN_HALVES,
    Category,
    ClearWrite,
    ForgetWrite,
    Leaderboard,
    LeaderboardRow,
    MemberRating,
    ScoreWrite,
    ShowTally,
    Tally,
    Write,
)

_N_COLS = ", ".join(f"n{s}" for s in range(MIN_HALVES, MAX_HALVES + 1))
_TITLE = "coalesce(a.title_english, a.title_romaji)"
_UPSERT = (
    "INSERT INTO rating (guild_id, member_id, anime_id, category, score, rated_at) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, member_id, anime_id, category) DO UPDATE SET "
    "score = excluded.score, rated_at = excluded.rated_at"
)
_FORGET = "DELETE FROM rating WHERE guild_id = ? AND member_id = ? AND anime_id = ?"
_CLEAR = "DELETE FROM rating WHERE guild_id = ? AND member_id = ? AND anime_id = ? AND category = ?"
_BOARD_CACHE_SIZE: Final = 512
# A server's own categories, or the defaults when it has none.
_CATEGORIES = (
    "SELECT key, label, position, retired_at IS NOT NULL, guild_id FROM rating_category WHERE guild_id = :g "
    "UNION ALL SELECT key, label, position, retired_at IS NOT NULL, guild_id FROM rating_category "
    "WHERE guild_id = :d AND NOT EXISTS (SELECT 1 FROM rating_category WHERE guild_id = :g) "
    "ORDER BY 4, 3, 1"
)


def _category(row: Row) -> Category:
    return Category(str(row[0]), str(row[1]), int(row[2]), bool(row[3]))


class RatingStore:
    """All SQL about ratings and rating categories."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._db = db
        # Leaderboards by (guild, category, m, limit), each with the database's change stamp when it was read: any
        # commit, by this process or another sharing the file, makes every cached board stale.
        self._boards: OrderedDict[tuple[int, str | None, int, int], tuple[object, Leaderboard]] = OrderedDict()
        # Each server's categories, the same way (they are read by nearly every ratings command).
        self._categories: OrderedDict[int, tuple[object, list[Category], bool]] = OrderedDict()

    # -- writing -------------------------------------------------------------------------------------

    async def apply_in(self, tx: Queries, ops: Sequence[Write]) -> list[int]:
        """Apply writes, in order, inside the caller's open transaction; each one's count of scores written/removed.

        Consecutive score writes go to the database in one ``execute_many``.
        """
        results: list[int] = []
        now = time.time()
        i = 0
        while i < len(ops):
            op = ops[i]
            if isinstance(op, ForgetWrite):
                results.append(await tx.execute(_FORGET, (op.guild_id, op.member_id, op.anime_id)))
                i += 1
                continue
            if isinstance(op, ClearWrite):
                results.append(await tx.execute(_CLEAR, (op.guild_id, op.member_id, op.anime_id, op.category)))
                i += 1
                continue
            rows: list[tuple[int, int, int, str, int, float]] = []
            while i < len(ops) and isinstance(ops[i], ScoreWrite):
                run = ops[i]
                assert isinstance(run, ScoreWrite)
                rows += [(run.guild_id, run.member_id, run.anime_id, c, s.halves, now) for c, s in run.scores]
                results.append(len(run.scores))
                i += 1
            if rows:
                await tx.execute_many(_UPSERT, rows)
        return results

    async def apply(self, ops: Sequence[Write]) -> list[int]:
        """Apply writes in one transaction of their own (no group commit)."""
        async with self._db.transaction() as tx:
            return await self.apply_in(tx, ops)

    # -- reading -------------------------------------------------------------------------------------

    async def member_scores(self, guild_id: int, member_id: int, anime_id: int) -> dict[str, float]:
        """A member's scores (1–5) for one show, by category key."""
        rows = await self._db.fetch_all(
            "SELECT category, score FROM rating WHERE guild_id = ? AND member_id = ? AND anime_id = ?",
            (guild_id, member_id, anime_id),
        )
        return {str(r[0]): int(r[1]) / 2 for r in rows}

    async def member_ratings(self, guild_id: int, member_id: int) -> list[MemberRating]:
        """Every score of a member in a server, by show title."""
        rows = await self._db.fetch_all(
            f"SELECT r.anime_id, {_TITLE}, r.category, r.score FROM rating r JOIN anime a ON a.id = r.anime_id "
            "WHERE r.guild_id = ? AND r.member_id = ?",
            (guild_id, member_id),
        )
        found = [MemberRating(int(r[0]), str(r[1]), str(r[2]), int(r[3]) / 2) for r in rows]
        found.sort(key=lambda m: (m.title.casefold(), m.anime_id))
        return found

    async def member_show_keys(self, guild_id: int, member_id: int, *, after: int | None, forward: bool = True,
                               limit: int) -> list[int]:
        """The shows a member rated, a page at a time by keyset on the primary key (highest show id first): the
        next ``limit`` after show ``after`` (from the start when None), or with ``forward=False`` the ``limit``
        just before it (from the end when None)."""
        sql = "SELECT DISTINCT anime_id FROM rating WHERE guild_id = ? AND member_id = ?"
        params: tuple[object, ...] = (guild_id, member_id)
        if after is not None:
            sql += f" AND anime_id {'<' if forward else '>'} ?"
            params += (after,)
        sql += f" ORDER BY anime_id {'DESC' if forward else 'ASC'} LIMIT ?"
        keys = [int(r[0]) for r in await self._db.fetch_all(sql, (*params, limit))]
        return keys if forward else keys[::-1]

    async def member_counts(self, guild_id: int, member_id: int, *, before: int | None = None) -> tuple[int, int]:
        """How many shows and scores a member has in a server (shows only: those listed before show ``before``):
        a primary-key range count."""
        sql = "SELECT count(DISTINCT anime_id), count(*) FROM rating WHERE guild_id = ? AND member_id = ?"
        params: tuple[object, ...] = (guild_id, member_id)
        if before is not None:
            sql += " AND anime_id > ?"
            params += (before,)
        row = await self._db.fetch_one(sql, params)
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def member_ratings_of(self, guild_id: int, member_id: int, anime_ids: Sequence[int]) -> list[MemberRating]:
        """A member's scores for some shows, highest show id first (one page of /ratings mine)."""
        if not anime_ids:
            return []
        marks = ",".join("?" * len(anime_ids))
        rows = await self._db.fetch_all(
            f"SELECT r.anime_id, {_TITLE}, r.category, r.score FROM rating r JOIN anime a ON a.id = r.anime_id "
            f"WHERE r.guild_id = ? AND r.member_id = ? AND r.anime_id IN ({marks}) ORDER BY r.anime_id DESC",
            (guild_id, member_id, *anime_ids),
        )
        return [MemberRating(int(r[0]), str(r[1]), str(r[2]), int(r[3]) / 2) for r in rows]

    async def show_tally(self, guild_id: int, anime_id: int) -> ShowTally:
        """A show's tally in a server: a primary-key range read of its aggregate rows (one per rated category)."""
        rows = await self._db.fetch_all(
            f"SELECT t.category, t.votes, t.total, {_N_COLS}, s.voters, v.version FROM rating_tally t "
            "LEFT JOIN rating_show s ON s.guild_id = t.guild_id AND s.anime_id = t.anime_id "
            "LEFT JOIN rating_version v ON v.guild_id = t.guild_id AND v.anime_id = t.anime_id "
            "WHERE t.guild_id = ? AND t.anime_id = ?",
            (guild_id, anime_id),
        )
        tallies = [
            Tally(str(r[0]), int(r[1]), int(r[2]) / 2 / int(r[1]), tuple(int(n) for n in r[3:12]))
            for r in rows
            if int(r[1]) > 0
        ]
        voters = int(rows[0][12] or 0) if rows else 0
        version = int(rows[0][13] or 0) if rows else 0
        return ShowTally(anime_id, tuple(tallies), voters, version)

    async def leaderboard(
        self, guild_id: int, category: str | None, *, min_votes: int, limit: int = 100
    ) -> Leaderboard:
        """The server's top ``limit`` shows by Bayesian average, for one category (by key) or overall.

        A category ranks each show's average R over its v votes against C, the mean of every vote in that
        category in the server. Overall ranks each show's R = mean of its category averages over v = the
        members who rated it, against C = the mean of those R weighted by v. A board is reused until the
        next commit to the database, by any process.
        """
        key = (guild_id, category, min_votes, limit)
        stamp = await self._db.change_stamp()  # taken before reading: a commit meanwhile makes this entry stale
        cached = self._boards.get(key)
        if cached is not None and cached[0] == stamp:
            self._boards.move_to_end(key)
            return cached[1]
        board = await self.compute_leaderboard(guild_id, category, min_votes=min_votes, limit=limit)
        self._boards[key] = (stamp, board)
        self._boards.move_to_end(key)
        while len(self._boards) > _BOARD_CACHE_SIZE:
            self._boards.popitem(last=False)
        return board

    async def compute_leaderboard(self, guild_id: int, category: str | None, *, min_votes: int,
                                  limit: int) -> Leaderboard:
        """:meth:`leaderboard`, always read from the database (no cache)."""
        if category is None:
            mean_sql = "SELECT sum(voters * overall) / sum(voters), count(*) FROM rating_show WHERE guild_id = :g"
            scope = (
                "SELECT anime_id, overall AS r, voters AS v, "
                "(voters * overall + :m * CAST(:mean AS DOUBLE PRECISION)) / (voters + :m) AS b "
                "FROM rating_show WHERE guild_id = :g"
            )
        else:
            mean_sql = (
                "SELECT sum(total) * 0.5 / sum(votes), count(*) FROM rating_tally WHERE guild_id = :g AND category = :c"
            )
            scope = (
                "SELECT anime_id, total * 0.5 / votes AS r, votes AS v, "
                "(total * 0.5 + :m * CAST(:mean AS DOUBLE PRECISION)) / (votes + :m) AS b "
                "FROM rating_tally WHERE guild_id = :g AND category = :c"
            )
        params: dict[str, object] = {"g": guild_id, "c": category, "m": min_votes, "limit": limit}
        # C first (a covering range scan), then one top-N sort over the same range with C as a constant.
        found = await self._db.fetch_one(mean_sql, params)
        if found is None or not found[1] or found[0] is None:
            return Leaderboard(category, min_votes, None, 0, ())
        mean, shows = float(found[0]), int(found[1])
        params["mean"] = mean
        rows = await self._db.fetch_all(
            f"SELECT k.anime_id, {_TITLE}, k.r, k.v, k.b FROM ({scope} ORDER BY b DESC, v DESC, anime_id "
            "LIMIT :limit) k JOIN anime a ON a.id = k.anime_id ORDER BY k.b DESC, k.v DESC, k.anime_id",
            params,
        )
        board = tuple(LeaderboardRow(int(r[0]), str(r[1]), float(r[2]), int(r[3]), float(r[4])) for r in rows)
        return Leaderboard(category, min_votes, mean, shows, board)

    async def recount_mismatches(self) -> list[str]:
        """Every aggregate row that differs from a recount of the votes (none when the tallies are exact)."""
        n_counts = ", ".join(f"sum(CASE WHEN score = {s} THEN 1 ELSE 0 END)" for s in range(MIN_HALVES, MAX_HALVES + 1))
        recount = {(int(r[0]), int(r[1]), str(r[2])): tuple(int(v) for v in r[3:]) for r in await self._db.fetch_all(
            f"SELECT guild_id, anime_id, category, count(*), sum(score), {n_counts} FROM rating GROUP BY 1, 2, 3")}
        stored = {(int(r[0]), int(r[1]), str(r[2])): tuple(int(v) for v in r[3:]) for r in await self._db.fetch_all(
            f"SELECT guild_id, anime_id, category, votes, total, {_N_COLS} FROM rating_tally")}
        wrong = [f"tally {key}" for key in sorted(recount.keys() | stored.keys())
                 if recount.get(key) != stored.get(key)]
        voters = {(int(r[0]), int(r[1])): int(r[2]) for r in await self._db.fetch_all(
            "SELECT guild_id, anime_id, count(DISTINCT member_id) FROM rating GROUP BY 1, 2")}
        shows = {(int(r[0]), int(r[1])): (int(r[2]), r[3]) for r in await self._db.fetch_all(
            "SELECT guild_id, anime_id, voters, overall FROM rating_show")}
        wrong += [f"voters {key}" for key in sorted(voters.keys() | shows.keys())
                  if voters.get(key) != (shows[key][0] if key in shows else None)]
        overall: dict[tuple[int, int], list[float]] = {}
        for (guild, anime, _), counts in recount.items():
            overall.setdefault((guild, anime), []).append(counts[1] * 0.5 / counts[0])
        wrong += [f"overall {key}" for key, averages in sorted(overall.items())
                  if key in shows and abs(float(shows[key][1]) - sum(averages) / len(averages)) > 1e-9]
        return wrong

    # -- categories ------------------------------------------------------------------------------------

    async def categories(self, guild_id: int) -> tuple[list[Category], bool]:
        """A server's categories (active ones in order, then retired ones) and whether they are its own.

        Reused until the next commit to the database, by any process (a change of categories is one).
        """
        stamp = await self._db.change_stamp()
        cached = self._categories.get(guild_id)
        if cached is not None and cached[0] == stamp:
            self._categories.move_to_end(guild_id)
            return list(cached[1]), cached[2]
        rows = await self._db.fetch_all(_CATEGORIES, {"g": guild_id, "d": DEFAULTS})
        found = [_category(r) for r in rows]
        own = any(int(r[4]) == guild_id for r in rows) and guild_id != DEFAULTS
        self._categories[guild_id] = (stamp, found, own)
        self._categories.move_to_end(guild_id)
        while len(self._categories) > _BOARD_CACHE_SIZE:
            self._categories.popitem(last=False)
        return list(found), own

    async def _own(self, tx: Queries, guild_id: int) -> None:
        """Give a server its own rows, a copy of the defaults, unless it has some already."""
        await tx.execute(
            "INSERT INTO rating_category (guild_id, key, label, position, created_at, retired_at) "
            "SELECT CAST(? AS BIGINT), key, label, position, created_at, retired_at FROM rating_category "
            "WHERE guild_id = ? AND NOT EXISTS (SELECT 1 FROM rating_category WHERE guild_id = ?)",
            (guild_id, DEFAULTS, guild_id),
        )

    async def add_category(self, guild_id: int, key: str, label: str, position: int) -> None:
        """Add a category to a server's own set."""
        async with self._db.transaction() as tx:
            await self._own(tx, guild_id)
            await tx.execute(
                "INSERT INTO rating_category (guild_id, key, label, position, created_at) VALUES (?, ?, ?, ?, ?)",
                (guild_id, key, label, position, time.time()),
            )

    async def rename_category(self, guild_id: int, key: str, label: str) -> None:
        """Give a server's category another label (its key, which votes name, stays)."""
        async with self._db.transaction() as tx:
            await self._own(tx, guild_id)
            await tx.execute("UPDATE rating_category SET label = ? WHERE guild_id = ? AND key = ?",
                             (label, guild_id, key))

    async def order_categories(self, guild_id: int, keys: Sequence[str]) -> None:
        """Number a server's categories 1, 2, 3 … in the order of ``keys``."""
        async with self._db.transaction() as tx:
            await self._own(tx, guild_id)
            await tx.execute_many("UPDATE rating_category SET position = ? WHERE guild_id = ? AND key = ?",
                                  [(position, guild_id, key) for position, key in enumerate(keys, start=1)])

    async def retire_category(self, guild_id: int, key: str, *, retired: bool, position: int) -> None:
        """Retire a server's category (it keeps its votes, takes no new ones), or bring it back at ``position``."""
        async with self._db.transaction() as tx:
            await self._own(tx, guild_id)
            await tx.execute(
                "UPDATE rating_category SET retired_at = ?, position = ? WHERE guild_id = ? AND key = ?",
                (time.time() if retired else None, position, guild_id, key),
            )

    async def category_keys(self, guild_id: int) -> set[str]:
        """Every category key a server's set or votes have used (a new key must be none of them)."""
        rows = await self._db.fetch_all(
            "SELECT key FROM rating_category WHERE guild_id IN (?, ?) "
            "UNION SELECT category FROM rating_tally WHERE guild_id = ?",
            (guild_id, DEFAULTS, guild_id),
        )
        return {str(r[0]) for r in rows}
