"""The ratings store: one vote per (server, member, show, category), aggregates kept exact by triggers."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.database import Database
from bot.ratings.models import ForgetWrite, Score, ScoreWrite
from bot.ratings.store import RatingStore
from bot.ratings.writer import RatingWriter
from tests.helpers.postgres import INTEGRITY_ERRORS

DEFAULT_KEYS = ("animation", "voice_acting", "music", "writing", "story")
_STORES: dict[int, RatingStore] = {}


def ratings(db: Database) -> RatingStore:
    """The ratings store of ``db`` (one per database, so its leaderboard cache lives as long as the test)."""
    store = _STORES.get(id(db))
    if store is None or store.db is not db:
        store = _STORES[id(db)] = RatingStore(db)
    return store


def halves(scores: dict[str, int]) -> tuple[tuple[str, Score], ...]:
    """Scores given in stored units (2–10), as a write carries them."""
    return tuple((category, Score(value)) for category, value in scores.items())


async def set_scores(db: Database, guild: int, member: int, show: int, scores: dict[str, int]) -> int:
    """Set a member's scores (stored units) for a show in one transaction; how many were written."""
    (written,) = await ratings(db).apply([ScoreWrite(guild, member, show, halves(scores))])
    return written


async def forget(db: Database, guild: int, member: int, show: int) -> int:
    """Remove a member's scores for a show; how many were removed."""
    (removed,) = await ratings(db).apply([ForgetWrite(guild, member, show)])
    return removed

G1, G2 = 111, 222

TALLY_STORED = (
    "SELECT guild_id, anime_id, category, votes, total, " + ", ".join(f"n{s}" for s in range(2, 11))
    + " FROM rating_tally ORDER BY 1, 2, 3"
)
TALLY_RECOUNT = (
    "SELECT guild_id, anime_id, category, count(*), sum(score), "
    + ", ".join(f"sum(CASE WHEN score = {s} THEN 1 ELSE 0 END)" for s in range(2, 11))
    + " FROM rating GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)
SHOW_STORED = "SELECT guild_id, anime_id, voters, overall FROM rating_show ORDER BY 1, 2"
SHOW_RECOUNT = (
    "SELECT guild_id, anime_id, count(DISTINCT member_id), "
    "(SELECT avg(a) FROM (SELECT avg(score) * 0.5 AS a FROM rating i "
    "  WHERE i.guild_id = r.guild_id AND i.anime_id = r.anime_id GROUP BY category) c) "
    "FROM rating r GROUP BY 1, 2 ORDER BY 1, 2"
)


async def rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    """Every row of a query, as tuples."""
    return [tuple(r) for r in await db.fetch_all(sql)]


async def assert_aggregates_match(db: Database) -> None:
    """The trigger-maintained aggregates equal a recount from the raw rating rows."""
    assert await rows(db, TALLY_STORED) == await rows(db, TALLY_RECOUNT)
    stored, recount = await rows(db, SHOW_STORED), await rows(db, SHOW_RECOUNT)
    assert [r[:3] for r in stored] == [r[:3] for r in recount]
    for s, r in zip(stored, recount, strict=True):
        assert s[3] == pytest.approx(float(str(r[3])))  # PostgreSQL's avg of integers is a Decimal


async def add_shows(db: Database, count: int, prefix: str = "show") -> list[int]:
    """Insert ``count`` bare shows; their ids."""
    ids = []
    async with db.transaction() as tx:
        for i in range(count):
            ids.append(int(await tx.fetch_value(
                "INSERT INTO anime (key, title_romaji) VALUES (?, ?) RETURNING id", (f"{prefix}-{i}", f"Show {i:02d}")
            )))
    return ids


async def test_rate_and_rerate_replaces(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    assert await set_scores(db, G1, 1, show, {"animation": 9, "music": 6}) == 2
    assert await ratings(db).member_scores(G1, 1, show) == {"animation": 4.5, "music": 3.0}
    await set_scores(db, G1, 1, show, {"music": 10})
    assert await ratings(db).member_scores(G1, 1, show) == {"animation": 4.5, "music": 5.0}
    tally = await ratings(db).show_tally(G1, show)
    assert [(t.category, t.votes, t.average) for t in tally.tallies] == [("animation", 1, 4.5), ("music", 1, 5.0)]
    assert tally.voters == 1
    await assert_aggregates_match(db)


async def test_scores_come_back_by_category_key(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    await set_scores(db, G1, 1, show, {"story": 2, "animation": 4, "writing": 6})
    assert await ratings(db).member_scores(G1, 1, show) == {"animation": 2.0, "writing": 3.0, "story": 1.0}


async def test_tally_and_distribution_match_a_hand_count(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    # animation: 5, 4.5, 4.5, 3 → average 4.25; music: 2 → 2.0; story from one member only.
    for member, scores in {
        1: {"animation": 10, "music": 4},
        2: {"animation": 9},
        3: {"animation": 9, "story": 7},
        4: {"animation": 6},
    }.items():
        await set_scores(db, G1, member, show, scores)
    tally = await ratings(db).show_tally(G1, show)
    animation, music, story = (tally.get(key) for key in ("animation", "music", "story"))
    assert animation is not None and music is not None and story is not None
    assert (animation.category, animation.votes, animation.average) == ("animation", 4, 4.25)
    #                                   1  1.5  2  2.5  3  3.5  4  4.5  5
    assert animation.distribution == (0, 0, 0, 0, 1, 0, 0, 2, 1)
    assert (music.votes, music.average, music.distribution) == (1, 2.0, (0, 0, 1, 0, 0, 0, 0, 0, 0))
    assert (story.votes, story.average, story.distribution) == (1, 3.5, (0, 0, 0, 0, 0, 1, 0, 0, 0))
    assert tally.get("writing") is None and tally.voters == 4
    assert tally.overall == pytest.approx((4.25 + 2.0 + 3.5) / 3)
    await assert_aggregates_match(db)


async def test_rerating_moves_the_vote_between_buckets(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    await set_scores(db, G1, 1, show, {"writing": 2})
    await set_scores(db, G1, 1, show, {"writing": 10})
    (writing,) = (await ratings(db).show_tally(G1, show)).tallies
    assert (writing.votes, writing.average, writing.distribution) == (1, 5.0, (0,) * 8 + (1,))


async def test_empty_tally(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    tally = await ratings(db).show_tally(G1, show)
    assert tally.tallies == () and tally.voters == 0 and tally.overall is None


async def test_forget_removes_scores_and_cleans_the_aggregates(db: Database) -> None:
    a, b = await add_shows(db, 2)
    await set_scores(db, G1, 1, a, {"animation": 8, "music": 6, "story": 4})
    await set_scores(db, G1, 2, a, {"animation": 4})
    await set_scores(db, G1, 1, b, {"writing": 8})
    assert await forget(db, G1, 1, a) == 3
    assert await forget(db, G1, 1, a) == 0
    assert await ratings(db).member_scores(G1, 1, a) == {}
    assert [m.anime_id for m in await ratings(db).member_ratings(G1, 1)] == [b]
    tally = await ratings(db).show_tally(G1, a)
    assert [(t.category, t.votes, t.average) for t in tally.tallies] == [("animation", 1, 2.0)]
    assert tally.voters == 1
    await forget(db, G1, 2, a)
    assert await rows(db, f"SELECT * FROM rating_tally WHERE anime_id = {a}") == []
    assert await rows(db, f"SELECT * FROM rating_show WHERE anime_id = {a}") == []
    await assert_aggregates_match(db)


async def test_servers_are_independent(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    await set_scores(db, G1, 1, show, {"animation": 10})
    await set_scores(db, G2, 1, show, {"animation": 2})  # the same member, another server
    await set_scores(db, G2, 2, show, {"animation": 4})
    one, two = await ratings(db).show_tally(G1, show), await ratings(db).show_tally(G2, show)
    assert [(t.votes, t.average) for t in one.tallies] == [(1, 5.0)]
    assert [(t.votes, t.average) for t in two.tallies] == [(2, 1.5)]
    assert await ratings(db).member_scores(G1, 1, show) == {"animation": 5.0}
    assert await ratings(db).member_scores(G2, 1, show) == {"animation": 1.0}
    await forget(db, G2, 1, show)
    assert await ratings(db).member_scores(G1, 1, show) == {"animation": 5.0}
    board = await ratings(db).leaderboard(G1, "animation", min_votes=3)
    assert [(r.anime_id, r.votes, r.average) for r in board.rows] == [(show, 1, 5.0)] and board.mean == 5.0
    assert (await ratings(db).leaderboard(999, None, min_votes=3)).rows == ()


async def test_member_ratings_lists_every_score_by_title(db: Database) -> None:
    a, b = await add_shows(db, 2)
    await set_scores(db, G1, 7, b, {"story": 6, "animation": 8})
    await set_scores(db, G1, 7, a, {"music": 10})
    await set_scores(db, G2, 7, a, {"music": 2})
    found = await ratings(db).member_ratings(G1, 7)
    assert [(m.title, m.category, m.score) for m in found] == [
        ("Show 00", "music", 5.0), ("Show 01", "animation", 4.0), ("Show 01", "story", 3.0)]


async def test_bayesian_average_beats_a_lone_perfect_score(db: Database) -> None:
    lone, steady, weak = await add_shows(db, 3)
    await set_scores(db, G1, 1, lone, {"music": 10})  # one 5.0 vote
    for member in range(10):
        await set_scores(db, G1, 100 + member, steady, {"music": 9})  # ten 4.5 votes
        await set_scores(db, G1, 200 + member, weak, {"music": 4})  # ten 2.0 votes
    board = await ratings(db).leaderboard(G1, "music", min_votes=3)
    mean = (5.0 + 10 * 4.5 + 10 * 2.0) / 21
    assert board.mean == pytest.approx(mean) and board.shows == 3 and board.min_votes == 3
    expected = {
        lone: (1 * 5.0 + 3 * mean) / (1 + 3),
        steady: (10 * 4.5 + 3 * mean) / (10 + 3),
        weak: (10 * 2.0 + 3 * mean) / (10 + 3),
    }
    assert [r.anime_id for r in board.rows] == [steady, lone, weak]  # the plain mean says lone, steady, weak
    for row in board.rows:
        assert row.bayesian == pytest.approx(expected[row.anime_id])
    assert board.rows[1].average == 5.0 and board.rows[1].votes == 1
    # With m = 0 the Bayesian average is the plain mean.
    plain = await ratings(db).leaderboard(G1, "music", min_votes=0)
    assert [r.anime_id for r in plain.rows] == [lone, steady, weak]


async def test_overall_leaderboard_uses_category_means_and_members(db: Database) -> None:
    a, b = await add_shows(db, 2)
    await set_scores(db, G1, 1, a, {"animation": 10, "music": 6})  # a: R = (5 + 3) / 2 = 4
    await set_scores(db, G1, 2, a, {"animation": 10})  # animation stays 5 → R = 4, v = 2
    for member in range(4):
        await set_scores(db, G1, 10 + member, b, {"story": 7, "writing": 7})  # b: R = 3.5, v = 4
    board = await ratings(db).leaderboard(G1, None, min_votes=3)
    mean = (2 * 4.0 + 4 * 3.5) / 6
    assert board.category is None and board.mean == pytest.approx(mean) and board.shows == 2
    got = {r.anime_id: (r.average, r.votes, r.bayesian) for r in board.rows}
    assert got[a] == pytest.approx((4.0, 2, (2 * 4.0 + 3 * mean) / 5))
    assert got[b] == pytest.approx((3.5, 4, (4 * 3.5 + 3 * mean) / 7))
    assert board.rows[0].title == "Show 00"


async def test_leaderboard_limit_and_a_category_without_votes(db: Database) -> None:
    shows = await add_shows(db, 12)
    for i, show in enumerate(shows):
        await set_scores(db, G1, 1, show, {"story": 2 + i % 9})
    board = await ratings(db).leaderboard(G1, "story", min_votes=3, limit=5)
    assert len(board.rows) == 5 and board.shows == 12
    assert [r.bayesian for r in board.rows] == sorted((r.bayesian for r in board.rows), reverse=True)
    # Which categories exist is the service's question (tests/ratings/test_service.py); the store ranks votes.
    empty = await ratings(db).leaderboard(G1, "vibes", min_votes=3)
    assert empty.rows == () and empty.shows == 0 and empty.mean is None


async def test_a_cached_leaderboard_is_dropped_by_any_write(db: Database) -> None:
    a, b = await add_shows(db, 2)
    await set_scores(db, G1, 1, a, {"music": 8})
    first = await ratings(db).leaderboard(G1, "music", min_votes=3)
    assert await ratings(db).leaderboard(G1, "music", min_votes=3) is first  # no write since: reused
    assert (await ratings(db).leaderboard(G1, "music", min_votes=0)) is not first  # another m
    await set_scores(db, G1, 2, b, {"music": 10})
    second = await ratings(db).leaderboard(G1, "music", min_votes=3)
    assert [r.anime_id for r in second.rows] == [b, a]
    async with db.transaction() as tx:  # a write that bypasses the store counts too
        await tx.execute("DELETE FROM rating WHERE anime_id = ?", (b,))
    assert [r.anime_id for r in (await ratings(db).leaderboard(G1, "music", min_votes=3)).rows] == [a]


async def version(db: Database, guild: int, show: int) -> int:
    """A show's rating version in a server (0: never rated)."""
    return int(await db.fetch_value("SELECT version FROM rating_version WHERE guild_id = ? AND anime_id = ?",
                                    (guild, show)) or 0)


async def test_every_rating_write_moves_the_shows_version_and_nothing_else(db: Database) -> None:
    a, b = await add_shows(db, 2)
    seen = [await version(db, G1, a)]
    await set_scores(db, G1, 1, a, {"animation": 8})
    seen.append(await version(db, G1, a))
    await set_scores(db, G1, 1, a, {"animation": 6})  # a new score
    seen.append(await version(db, G1, a))
    await set_scores(db, G1, 2, a, {"music": 4})
    seen.append(await version(db, G1, a))
    assert seen == sorted(set(seen)) and seen[0] == 0  # each write moved it on
    assert (await ratings(db).show_tally(G1, a)).version == seen[-1]
    # The same score again changes nothing, so the version stays (SQLite: WHEN old.score <> new.score).
    await db.execute("UPDATE rating SET score = score WHERE guild_id = ? AND anime_id = ?", (G1, a))
    assert await version(db, G1, a) == seen[-1]
    # Every vote gone and one back: the version keeps counting up, never repeating an earlier one.
    await forget(db, G1, 1, a)
    await forget(db, G1, 2, a)
    gone = await version(db, G1, a)
    assert gone > seen[-1]
    await set_scores(db, G1, 1, a, {"story": 10})
    assert await version(db, G1, a) > gone
    # Another show and another server never moved.
    assert await version(db, G1, b) == 0 and await version(db, G2, a) == 0


@pytest.mark.postgresql
async def test_one_statement_moves_each_show_it_touched_once(db: Database) -> None:
    a, b, c = await add_shows(db, 3)
    async with db.transaction() as tx:
        for member in (1, 2, 3):
            for show in (a, b):
                await tx.execute("INSERT INTO rating (guild_id, member_id, anime_id, category, score, rated_at) "
                                 "VALUES (?, ?, ?, 'music', 6, 0), (?, ?, ?, 'story', 8, 0)",
                                 (G1, member, show, G1, member, show))
    start = {show: await version(db, G1, show) for show in (a, b, c)}
    assert start[a] == start[b] == 3 and start[c] == 0  # three statements per show, each counted once
    # Six rows of show a and one of show b, one statement: each show moves by one (statement-level triggers).
    await db.execute("UPDATE rating SET score = CASE WHEN anime_id = ? OR member_id = 1 THEN 4 ELSE score END "
                     "WHERE guild_id = ? AND anime_id IN (?, ?, ?)", (a, G1, a, b, c))
    assert {show: await version(db, G1, show) for show in (a, b, c)} == {a: 4, b: 4, c: 0}
    # An update that changed only rows of show a (show b's rows kept their scores) moves only show a.
    await db.execute("UPDATE rating SET score = CASE WHEN anime_id = ? THEN 10 ELSE score END WHERE guild_id = ?",
                     (a, G1))
    assert {show: await version(db, G1, show) for show in (a, b)} == {a: 5, b: 4}
    await db.execute("DELETE FROM rating WHERE guild_id = ?", (G1,))
    assert {show: await version(db, G1, show) for show in (a, b, c)} == {a: 6, b: 5, c: 0}
    await assert_aggregates_match(db)


async def test_bad_writes_are_refused_by_the_score_and_by_the_schema(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    for value in (1, 11, 0, -2):
        with pytest.raises(ValueError, match="halves"):
            Score(value)  # a score is parsed once, where it comes in; the store trusts it
    await set_scores(db, G1, 1, show, {"music": 6})
    with pytest.raises(INTEGRITY_ERRORS, match="cannot change"):
        async with db.transaction() as tx:
            await tx.execute("UPDATE rating SET member_id = 2")
    with pytest.raises(INTEGRITY_ERRORS):  # the show must exist
        await set_scores(db, G1, 1, show + 1000, {"music": 6})
    with pytest.raises(INTEGRITY_ERRORS):  # a vote has every part of its key
        await db.execute("INSERT INTO rating VALUES (?, 1, ?, NULL, 6, 0)", (G1, show))
    assert await rows(db, "SELECT member_id, score FROM rating") == [(1, 6)]
    await assert_aggregates_match(db)


async def test_deleting_a_show_deletes_its_ratings_and_aggregates(db: Database) -> None:
    a, b = await add_shows(db, 2)
    await set_scores(db, G1, 1, a, {"music": 6, "story": 8})
    await set_scores(db, G1, 1, b, {"music": 6})
    await db.execute("DELETE FROM anime WHERE id = ?", (a,))
    assert await rows(db, "SELECT DISTINCT anime_id FROM rating_tally") == [(b,)]
    assert await rows(db, "SELECT anime_id, voters FROM rating_show") == [(b, 1)]
    await assert_aggregates_match(db)


async def test_reads_use_the_indexes(db: Database) -> None:
    if db.dialect == "postgresql":
        await reads_use_the_indexes_on_postgresql(db)
        return

    async def plan(sql: str, params: tuple[object, ...]) -> str:
        return " | ".join(str(r[3]) for r in await db.fetch_all("EXPLAIN QUERY PLAN " + sql, params))

    tally = await plan("SELECT votes FROM rating_tally WHERE guild_id = ? AND anime_id = ?", (1, 2))
    assert "SEARCH rating_tally USING PRIMARY KEY (guild_id=? AND anime_id=?)" in tally
    board = await plan("SELECT anime_id, votes, total FROM rating_tally WHERE guild_id = ? AND category = ?", (1, "x"))
    assert "USING COVERING INDEX rating_tally_board (guild_id=? AND category=?)" in board
    overall = await plan("SELECT anime_id, voters, overall FROM rating_show WHERE guild_id = ?", (1,))
    assert "SEARCH rating_show USING PRIMARY KEY (guild_id=?)" in overall
    mine = await plan("SELECT * FROM rating WHERE guild_id = ? AND member_id = ?", (1, 2))
    assert "SEARCH rating USING PRIMARY KEY (guild_id=? AND member_id=?)" in mine


async def reads_use_the_indexes_on_postgresql(db: Database) -> None:
    """The same reads on PostgreSQL: each can be answered from an index (the planner may still pick a scan of a
    table this small, so it is asked to avoid one)."""
    async def plan(sql: str, params: tuple[object, ...]) -> str:
        async with db.transaction() as tx:
            await tx.execute("SET LOCAL enable_seqscan = off")
            return " | ".join(str(r[0]) for r in await tx.fetch_all("EXPLAIN " + sql, params))

    assert "rating_tally_pkey" in await plan("SELECT votes FROM rating_tally WHERE guild_id = ? AND anime_id = ?",
                                             (1, 2))
    assert "using rating_tally_board" in await plan(
        "SELECT anime_id, votes, total FROM rating_tally WHERE guild_id = ? AND category = ?", (1, "x"))
    assert "rating_show_pkey" in await plan("SELECT anime_id, voters, overall FROM rating_show WHERE guild_id = ?",
                                            (1,))
    assert "rating_pkey" in await plan("SELECT * FROM rating WHERE guild_id = ? AND member_id = ?", (1, 2))


# -- the group-commit writer -------------------------------------------------------------------------


async def test_writer_groups_writes_into_one_commit(db: Database) -> None:
    a, b = await add_shows(db, 2)
    writer = RatingWriter(ratings(db))
    writer.start()
    try:
        futures = [writer.submit_nowait(ScoreWrite(G1, m, a, (("music", Score(2 + m % 9)),))) for m in range(50)]
        futures.append(writer.submit_nowait(ScoreWrite(G1, 1, b, (("story", Score(8)), ("music", Score(6))))))
        futures.append(writer.submit_nowait(ForgetWrite(G1, 0, a)))
        results = await asyncio.gather(*futures)
    finally:
        await writer.close()
    assert results == [1] * 50 + [2, 1]
    assert writer.commits == 1 and writer.batches == 1 and writer.largest_batch == 52 and writer.fallbacks == 0
    assert (await ratings(db).show_tally(G1, a)).tallies[0].votes == 49
    await assert_aggregates_match(db)


async def test_one_bad_write_fails_alone(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    writer = RatingWriter(ratings(db))
    writer.start()
    try:
        good = [writer.submit_nowait(ScoreWrite(G1, m, show, (("music", Score(8)),))) for m in range(5)]
        bad = writer.submit_nowait(ScoreWrite(G1, 99, show + 1000, (("music", Score(8)),)))  # no such show
        more = writer.submit_nowait(ScoreWrite(G1, 6, show, (("music", Score(4)),)))
        results = await asyncio.gather(*good, bad, more, return_exceptions=True)
    finally:
        await writer.close()
    assert results[:5] == [1] * 5 and results[6] == 1
    assert isinstance(results[5], INTEGRITY_ERRORS)
    assert writer.fallbacks == 1 and writer.commits == 6
    assert await rows(db, "SELECT count(*) FROM rating") == [(6,)]
    await assert_aggregates_match(db)


async def test_close_drains_pending_writes_and_later_writes_still_commit(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    writer = RatingWriter(ratings(db))
    writer.start()
    futures = [writer.submit_nowait(ScoreWrite(G1, m, show, (("story", Score(10)),))) for m in range(20)]
    await asyncio.gather(writer.close(), writer.close())
    assert all(f.done() and f.result() == 1 for f in futures)
    assert not writer.running
    assert await writer.submit(ScoreWrite(G1, 500, show, (("story", Score(2)),))) == 1  # applied directly
    assert (await ratings(db).show_tally(G1, show)).tallies[0].votes == 21
    writer.start()  # and it starts again cleanly
    try:
        assert await writer.submit(ScoreWrite(G1, 501, show, (("story", Score(2)),))) == 1
        assert writer.running
    finally:
        await writer.close()


async def test_a_caller_that_gave_up_is_not_written(db: Database) -> None:
    (show,) = await add_shows(db, 1)
    writer = RatingWriter(ratings(db))
    writer.start()
    try:
        gone = writer.submit_nowait(ScoreWrite(G1, 1, show, (("story", Score(10)),)))
        gone.cancel()
        assert await writer.submit(ScoreWrite(G1, 2, show, (("story", Score(10)),))) == 1
    finally:
        await writer.close()
    assert await rows(db, "SELECT member_id FROM rating") == [(2,)]


# -- the aggregates equal a recount after any sequence of operations -----------------------------------

_members = st.integers(1, 4)
_op: st.SearchStrategy[tuple[str, int, int, int, dict[str, int]]] = st.one_of(
    st.tuples(
        st.just("rate"), st.sampled_from([G1, G2]), _members, st.integers(0, 2),
        st.dictionaries(st.sampled_from(DEFAULT_KEYS), st.integers(2, 10), min_size=1),
    ),
    st.tuples(st.just("forget"), st.sampled_from([G1, G2]), _members, st.integers(0, 2), st.just({})),
)


async def _replay(ops: list[tuple[str, int, int, int, dict[str, int]]], batched: bool) -> None:
    async with await Database.open(":memory:") as db:
        shows = await add_shows(db, 3)
        writes = [
            ScoreWrite(g, m, shows[s], halves(scores)) if kind == "rate" else ForgetWrite(g, m, shows[s])
            for kind, g, m, s, scores in ops
        ]
        if batched:
            await ratings(db).apply(writes)
        else:
            for write in writes:
                await ratings(db).apply([write])
        await assert_aggregates_match(db)
        # And the member view agrees with the last write of each (server, member, show, category).
        expected: dict[tuple[int, int, int], dict[str, float]] = {}
        for kind, g, m, s, scores in ops:
            key = (g, m, shows[s])
            if kind == "forget":
                expected.pop(key, None)
            else:
                expected.setdefault(key, {}).update({c: v / 2 for c, v in scores.items()})
        for (g, m, show), want in expected.items():
            assert await ratings(db).member_scores(g, m, show) == want


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(_op, max_size=40), batched=st.booleans())
def test_aggregates_equal_a_recount_after_random_operations(
    ops: list[tuple[str, int, int, int, dict[str, int]]], batched: bool
) -> None:
    asyncio.run(_replay(ops, batched))
