"""The rating service: valid scores only, one vote per member/show/category/server, group-committed writes."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.core.database import Database
from bot.errors import InvalidInput, NotFound, OnCooldown
from bot.ratings.service import RatingService, parse_category, parse_score, parse_scores
from tests.ratings.test_store import add_shows, assert_aggregates_match, rows

G1, G2 = 111, 222
ROUGE = "Metallic Rouge"


@pytest.fixture
async def service(catalogue_db: Database) -> AsyncIterator[RatingService]:
    """A started rating service without a cooldown, on the shipped catalogue."""
    svc = RatingService(catalogue_db, Settings(rate_cooldown=0))
    await svc.start()
    yield svc
    await svc.close()


async def _count(db: Database) -> int:
    ((n,),) = await rows(db, "SELECT count(*) FROM rating")
    assert isinstance(n, int)
    return n


async def test_rate_by_title_then_rerate_replaces(service: RatingService, catalogue_db: Database) -> None:
    first = await service.rate(G1, 1, "metallic rouge", {"animation": 4.5, "music": 3})
    assert first.title == ROUGE and first.scores == {"animation": 4.5, "music": 3.0}
    assert first.given == ("animation", "music") and first.previous == {}
    again = await service.rate(G1, 1, f"id:{first.anime_id}", {"music": 5, "story": 1.5})
    assert again.scores == {"animation": 4.5, "music": 5.0, "story": 1.5}
    assert list(again.scores) == ["animation", "music", "story"] and again.given == ("music", "story")
    assert again.previous == {"animation": 4.5, "music": 3.0}
    shown = await service.show(G1, ROUGE)
    assert {t.category: (t.votes, t.average) for t in shown.tally.tallies} == {
        "animation": (1, 4.5), "music": (1, 5.0), "story": (1, 1.5)}
    assert shown.overall == pytest.approx((4.5 + 5.0 + 1.5) / 3)
    assert await _count(catalogue_db) == 3


async def test_none_options_are_left_alone(service: RatingService) -> None:
    await service.rate(G1, 1, ROUGE, {"writing": 2})
    result = await service.rate(G1, 1, ROUGE, {"animation": None, "voice_acting": 4, "writing": None})
    assert result.scores == {"voice_acting": 4.0, "writing": 2.0}


@pytest.mark.parametrize("bad", [0, 0.5, 5.5, 6, 2.3, 4.75, -1, -4.5, math.nan, math.inf, -math.inf, True, "4"])
async def test_invalid_scores_are_refused_and_nothing_is_written(
    service: RatingService, catalogue_db: Database, bad: object
) -> None:
    await service.rate(G1, 1, ROUGE, {"story": 4})
    with pytest.raises(InvalidInput, match=r"from 1 to 5 in half points") as info:
        await service.rate(G1, 1, ROUGE, {"animation": 5, "music": bad, "story": 1})
    assert "Music" in str(info.value)
    assert await _count(catalogue_db) == 1
    assert (await service.show(G1, ROUGE)).tally.get("story").average == 4.0  # type: ignore[union-attr]


def test_score_parsing() -> None:
    assert [parse_score("music", s) for s in (1, 1.5, 2.0, 4.5, 5)] == [2, 3, 4, 9, 10]
    assert parse_score("music", 4.5000000000001) == 9  # float noise from a client is tolerated
    with pytest.raises(InvalidInput, match=r"not 2\.3"):
        parse_score("music", 2.3)
    with pytest.raises(InvalidInput, match="at least one"):
        parse_scores({"animation": None, "music": None})
    with pytest.raises(InvalidInput, match="no rating category"):
        parse_scores({"vibes": 3})
    assert parse_category(None) is None and parse_category("") is None
    assert parse_category("voice_acting") == parse_category("Voice Acting") == "voice_acting"
    with pytest.raises(InvalidInput, match="must be one of"):
        parse_category("vibes")


async def test_no_scores_is_an_error(service: RatingService) -> None:
    with pytest.raises(InvalidInput, match="at least one"):
        await service.rate(G1, 1, ROUGE, {})


async def test_unknown_show_and_missing_server(service: RatingService) -> None:
    with pytest.raises(NotFound):
        await service.rate(G1, 1, "zzqx no such show", {"music": 3})
    with pytest.raises(NotFound, match="no longer"):
        await service.rate(G1, 1, "id:999999", {"music": 3})
    with pytest.raises(InvalidInput, match="server"):
        await service.rate(None, 1, ROUGE, {"music": 3})
    with pytest.raises(InvalidInput, match="server"):
        await service.top(None)


async def test_cooldown_per_member_and_not_spent_on_mistakes(catalogue_db: Database) -> None:
    svc = RatingService(catalogue_db, Settings(rate_cooldown=60))
    await svc.start()
    try:
        with pytest.raises(InvalidInput):
            await svc.rate(G1, 1, ROUGE, {"music": 9})
        await svc.rate(G1, 1, ROUGE, {"music": 3})  # the mistake did not start the cooldown
        with pytest.raises(OnCooldown, match="too quickly"):
            await svc.rate(G1, 1, ROUGE, {"music": 4})
        await svc.rate(G1, 2, ROUGE, {"music": 4})  # another member
        await svc.rate(G2, 1, ROUGE, {"music": 4})  # the same member in another server
    finally:
        await svc.close()
    assert (await svc.show(G1, ROUGE)).tally.get("music").distribution[4] == 1  # type: ignore[union-attr]


async def test_servers_count_separately(service: RatingService) -> None:
    await service.rate(G1, 1, ROUGE, {"animation": 5})
    await service.rate(G2, 1, ROUGE, {"animation": 1})
    one, two = await service.show(G1, ROUGE), await service.show(G2, ROUGE)
    assert one.tally.get("animation").average == 5.0  # type: ignore[union-attr]
    assert two.tally.get("animation").average == 1.0  # type: ignore[union-attr]
    assert (await service.mine(G1, 1))[0].scores == {"animation": 5.0}
    assert (await service.show(333, ROUGE)).overall is None


async def test_mine_and_forget(service: RatingService, catalogue_db: Database) -> None:
    extra = await add_shows(catalogue_db, 2, prefix="extra")
    await service.rate(G1, 5, ROUGE, {"animation": 4, "story": 3.5})
    await service.rate(G1, 5, f"id:{extra[0]}", {"music": 2})
    await service.rate(G1, 6, ROUGE, {"animation": 1})
    mine = await service.mine(G1, 5)
    assert [(m.title, dict(m.scores)) for m in mine] == [
        (ROUGE, {"animation": 4.0, "story": 3.5}), ("Show 00", {"music": 2.0})]
    gone = await service.forget(G1, 5, ROUGE)
    assert (gone.title, gone.removed) == (ROUGE, 2)
    assert (await service.forget(G1, 5, ROUGE)).removed == 0
    assert [m.title for m in await service.mine(G1, 5)] == ["Show 00"]
    assert (await service.show(G1, ROUGE)).tally.voters == 1
    assert await service.mine(G2, 5) == []
    await assert_aggregates_match(catalogue_db)


async def test_top_uses_the_configured_minimum_votes(catalogue_db: Database) -> None:
    lone, steady, weak = await add_shows(catalogue_db, 3, prefix="board")
    svc = RatingService(catalogue_db, Settings(rate_cooldown=0, leaderboard_min_votes=5))
    plain = RatingService(catalogue_db, Settings(rate_cooldown=0, leaderboard_min_votes=0))
    await svc.rate(G1, 1, f"id:{lone}", {"story": 5})
    for member in range(4):
        await svc.rate(G1, 10 + member, f"id:{steady}", {"story": 4.5, "music": 4})
    for member in range(6):
        await svc.rate(G1, 20 + member, f"id:{weak}", {"story": 1})
    story = await svc.top(G1, "Story")
    assert story.min_votes == 5 and story.category == "story"
    assert story.mean == pytest.approx((5 + 4 * 4.5 + 6 * 1) / 11)
    assert [r.anime_id for r in story.rows] == [steady, lone, weak]
    assert [r.anime_id for r in (await plain.top(G1, "story")).rows] == [lone, steady, weak]
    overall = await svc.top(G1)
    assert overall.category is None and [r.anime_id for r in overall.rows] == [steady, lone, weak]
    assert [r.votes for r in overall.rows] == [4, 1, 6]
    with pytest.raises(InvalidInput):
        await svc.top(G1, "vibes")


async def test_a_thousand_members_rating_at_once_are_all_counted(
    service: RatingService, catalogue_db: Database
) -> None:
    shows = await add_shows(catalogue_db, 3, prefix="busy")
    rng = random.Random(7)
    votes = [
        (member, rng.choice(shows), {c: rng.randint(2, 10) / 2 for c in rng.sample(
            ["animation", "voice_acting", "music", "writing", "story"], rng.randint(1, 5))})
        for member in range(1000)
    ]
    commits_before = service.writer.commits
    started = time.perf_counter()
    results = await asyncio.gather(
        *(service.rate(G1, 10_000 + member, f"id:{show}", scores) for member, show, scores in votes))
    elapsed = time.perf_counter() - started
    commits = service.writer.commits - commits_before
    print(f"\n1,000 concurrent rates: {elapsed * 1000:.0f} ms, {commits} commits, "
          f"largest batch {service.writer.largest_batch}")
    assert [dict(r.scores) for r in results] == [scores for _, _, scores in votes]
    assert await _count(catalogue_db) == sum(len(scores) for _, _, scores in votes)
    for member, show, scores in votes[:50]:
        assert await catalogue_db.ratings.member_scores(G1, 10_000 + member, show) == scores
    for show in shows:
        tally = await catalogue_db.ratings.show_tally(G1, show)
        for t in tally.tallies:
            given = [s[t.category] for _, sh, s in votes if sh == show and t.category in s]
            assert t.votes == len(given) and t.average == pytest.approx(sum(given) / len(given))
        assert tally.voters == sum(1 for _, sh, _ in votes if sh == show)
    await assert_aggregates_match(catalogue_db)
    assert commits <= 100, f"{commits} commits for 1,000 writes: no group commit"
    assert service.writer.fallbacks == 0


async def test_close_commits_everything_already_submitted(catalogue_db: Database) -> None:
    svc = RatingService(catalogue_db, Settings(rate_cooldown=0))
    await svc.start()
    rouge = (await svc.rate(G1, 0, ROUGE, {"music": 4})).anime_id
    tasks = [asyncio.create_task(svc.rate(G1, m, f"id:{rouge}", {"music": 4})) for m in range(1, 100)]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)  # the rest are queued or on their way
    await svc.close()
    await asyncio.gather(*tasks)
    assert await _count(catalogue_db) == 100
    # After close, writes still work (directly, without the writer task).
    await svc.rate(G1, 1000, ROUGE, {"music": 2})
    assert await _count(catalogue_db) == 101
