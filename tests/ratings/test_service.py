"""The rating service: scores in the server's active categories, one vote per member/show/category/server,
group-committed writes, shows resolved by the catalogue."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import AsyncIterator

import pytest

from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.config import Settings
from bot.core.database import Database
from bot.core.text import Md
from bot.errors import InvalidInput, NotFound, OnCooldown
from bot.ratings.models import Score
from bot.ratings.service import RatingService
from bot.ratings.store import RatingStore
from tests.ratings.test_store import add_shows, assert_aggregates_match, rows

G1, G2 = 111, 222
ROUGE = "Metallic Rouge"


def rating_service(db: Database, **settings: float) -> RatingService:
    """A rating service on ``db``, built as the ratings cog builds it."""
    return RatingService(RatingStore(db), CatalogueService(CatalogueStore(db)), Settings(**settings))  # type: ignore[arg-type]  # numbers of either kind


@pytest.fixture
async def service(catalogue_db: Database) -> AsyncIterator[RatingService]:
    """A started rating service without a cooldown, on the shipped catalogue."""
    svc = rating_service(catalogue_db, rate_cooldown=0)
    await svc.start()
    yield svc
    await svc.close()


async def rate(service: RatingService, guild: int | None, member: int, show: str, **scores: float) -> dict[str, float]:
    """Rate several categories, one after the other, as several /rate would; the member's scores after the last."""
    result = None
    for category, points in scores.items():
        result, _ = await service.rate(guild, member, show, category, Score.parse(points))
    assert result is not None
    return dict(result.scores)


async def _count(db: Database) -> int:
    ((n,),) = await rows(db, "SELECT count(*) FROM rating")
    assert isinstance(n, int)
    return n


async def test_rate_by_title_then_rerate_replaces(service: RatingService, catalogue_db: Database) -> None:
    first, categories = await service.rate(G1, 1, "metallic rouge", "Animation", Score(9))
    assert first.title == ROUGE and first.scores == {"animation": 4.5}
    assert first.given == ("animation",) and first.previous == {}
    assert [c.label for c in categories.active] == ["Animation", "Voice Acting", "Music", "Writing", "Story"]
    again, _ = await service.rate(G1, 1, f"id:{first.anime_id}", "music", Score(10))  # by key, any case
    again, _ = await service.rate(G1, 1, ROUGE, "ANIMATION", Score(3))
    assert again.scores == {"animation": 1.5, "music": 5.0} and again.given == ("animation",)
    assert again.previous == {"animation": 4.5, "music": 5.0}
    shown = await service.show(G1, ROUGE)
    assert {t.category: (t.votes, t.average) for t in shown.tally.tallies} == {"animation": (1, 1.5), "music": (1, 5.0)}
    assert shown.overall == pytest.approx((1.5 + 5.0) / 2)
    assert await _count(catalogue_db) == 2


@pytest.mark.parametrize("bad", [0, 0.5, 5.5, 6, 2.3, 4.75, -1, -4.5, math.nan, math.inf, -math.inf, True, "4", None])
def test_a_score_is_parsed_once_and_bad_ones_are_refused(bad: object) -> None:
    with pytest.raises(InvalidInput, match=r"from 1 to 5 in half points") as info:
        Score.parse(bad, Md("The Music score"))
    assert "The Music score" in str(info.value)


def test_score_parsing() -> None:
    assert [Score.parse(s).halves for s in (1, 1.5, 2.0, 4.5, 5)] == [2, 3, 4, 9, 10]
    assert Score.parse(4.5000000000001) == Score(9)  # float noise from a client is tolerated
    assert Score(7).points == 3.5
    with pytest.raises(InvalidInput, match=r"not 2\.3"):
        Score.parse(2.3)
    with pytest.raises(InvalidInput, match=r"must be a number"):
        Score.parse("4")


async def test_an_unknown_or_retired_category_is_refused_before_writing(
    service: RatingService, catalogue_db: Database
) -> None:
    with pytest.raises(InvalidInput, match="no rating category called “vibes”") as info:
        await service.rate(G1, 1, ROUGE, "vibes", Score(6))
    assert "Animation, Voice Acting, Music, Writing, Story" in str(info.value)
    await catalogue_db.execute("INSERT INTO rating_category (guild_id, key, label, position, retired_at) "
                               "VALUES (?, 'plot', 'Plot', 1, 1.0)", (G1,))
    with pytest.raises(InvalidInput, match="Plot is retired"):
        await service.rate(G1, 1, ROUGE, "plot", Score(6))
    assert await _count(catalogue_db) == 0  # and never "that show is no longer in the catalogue"


async def test_unknown_show_and_missing_server(service: RatingService) -> None:
    with pytest.raises(NotFound):
        await service.rate(G1, 1, "zzqx no such show", "music", Score(6))
    with pytest.raises(NotFound, match="no longer"):
        await service.rate(G1, 1, "id:999999", "music", Score(6))
    with pytest.raises(InvalidInput, match="server"):
        await service.rate(None, 1, ROUGE, "music", Score(6))
    with pytest.raises(InvalidInput, match="server"):
        await service.top(None)


async def test_cooldown_per_member_and_not_spent_on_mistakes(catalogue_db: Database) -> None:
    svc = rating_service(catalogue_db, rate_cooldown=60)
    await svc.start()
    try:
        with pytest.raises(InvalidInput):
            await svc.rate(G1, 1, ROUGE, "vibes", Score(6))
        await svc.rate(G1, 1, ROUGE, "music", Score(6))  # the mistake did not start the cooldown
        with pytest.raises(OnCooldown, match="too quickly"):
            await svc.rate(G1, 1, ROUGE, "music", Score(8))
        with pytest.raises(OnCooldown, match="too quickly"):
            await svc.panel(G1, 1, ROUGE)  # opening the panel is a /rate too
        await svc.rate(G1, 2, ROUGE, "music", Score(8))  # another member
        await svc.rate(G2, 1, ROUGE, "music", Score(8))  # the same member in another server
    finally:
        await svc.close()
    assert (await svc.show(G1, ROUGE)).tally.get("music").distribution[4] == 1  # type: ignore[union-attr]


async def test_the_panel_shows_the_members_scores_and_saves_each_pick(
    service: RatingService, catalogue_db: Database
) -> None:
    await rate(service, G1, 1, ROUGE, story=4)
    panel = await service.panel(G1, 1, ROUGE)
    assert panel.title == ROUGE and panel.scores.scores == {"story": 4.0}
    assert len(panel.categories.active) == 5
    assert await service.pick(G1, 1, panel.anime_id, "music", Score(5)) == {"story": 4.0, "music": 2.5}
    assert await service.pick(G1, 1, panel.anime_id, "story", None) == {"music": 2.5}  # "remove my score"
    with pytest.raises(InvalidInput, match="gone"):
        await service.pick(G1, 1, panel.anime_id, "vibes", Score(5))
    await assert_aggregates_match(catalogue_db)


async def test_servers_count_separately(service: RatingService) -> None:
    await rate(service, G1, 1, ROUGE, animation=5)
    await rate(service, G2, 1, ROUGE, animation=1)
    one, two = await service.show(G1, ROUGE), await service.show(G2, ROUGE)
    assert one.tally.get("animation").average == 5.0  # type: ignore[union-attr]
    assert two.tally.get("animation").average == 1.0  # type: ignore[union-attr]
    assert (await service.mine(G1, 1)).shows[0].scores == {"animation": 5.0}
    assert (await service.show(333, ROUGE)).overall is None


async def test_mine_and_forget(service: RatingService, catalogue_db: Database) -> None:
    extra = await add_shows(catalogue_db, 2, prefix="extra")
    await rate(service, G1, 5, ROUGE, animation=4, story=3.5)
    await rate(service, G1, 5, f"id:{extra[0]}", music=2)
    await rate(service, G1, 6, ROUGE, animation=1)
    mine = await service.mine(G1, 5)
    assert [(m.title, dict(m.scores)) for m in mine.shows] == [
        (ROUGE, {"animation": 4.0, "story": 3.5}), ("Show 00", {"music": 2.0})]
    gone = await service.forget(G1, 5, ROUGE)
    assert (gone.title, gone.removed) == (ROUGE, 2)
    assert (await service.forget(G1, 5, ROUGE)).removed == 0
    assert [m.title for m in (await service.mine(G1, 5)).shows] == ["Show 00"]
    assert (await service.show(G1, ROUGE)).tally.voters == 1
    assert (await service.mine(G2, 5)).shows == ()
    await assert_aggregates_match(catalogue_db)


async def test_top_uses_the_configured_minimum_votes(catalogue_db: Database) -> None:
    lone, steady, weak = await add_shows(catalogue_db, 3, prefix="board")
    svc = rating_service(catalogue_db, rate_cooldown=0, leaderboard_min_votes=5)
    plain = rating_service(catalogue_db, rate_cooldown=0, leaderboard_min_votes=0)
    await rate(svc, G1, 1, f"id:{lone}", story=5)
    for member in range(4):
        await rate(svc, G1, 10 + member, f"id:{steady}", story=4.5, music=4)
    for member in range(6):
        await rate(svc, G1, 20 + member, f"id:{weak}", story=1)
    story = await svc.top(G1, "Story")
    assert story.min_votes == 5 and story.category == "story" and story.label == "Story"
    assert story.mean == pytest.approx((5 + 4 * 4.5 + 6 * 1) / 11)
    assert [r.anime_id for r in story.rows] == [steady, lone, weak]
    assert [r.anime_id for r in (await plain.top(G1, "story")).rows] == [lone, steady, weak]
    overall = await svc.top(G1)
    assert overall.category is None and overall.label == "Overall"
    assert [r.anime_id for r in overall.rows] == [steady, lone, weak]
    assert [r.votes for r in overall.rows] == [4, 1, 6]
    with pytest.raises(InvalidInput):
        await svc.top(G1, "vibes")


async def test_a_thousand_members_rating_at_once_are_all_counted(
    service: RatingService, catalogue_db: Database
) -> None:
    shows = await add_shows(catalogue_db, 3, prefix="busy")
    rng = random.Random(7)
    votes = [
        (member, rng.choice(shows), rng.choice(["animation", "voice_acting", "music", "writing", "story"]),
         rng.randint(2, 10) / 2)
        for member in range(1000)
    ]
    commits_before = service.writer.commits
    started = time.perf_counter()
    results = await asyncio.gather(
        *(service.rate(G1, 10_000 + member, f"id:{show}", category, Score.parse(points))
          for member, show, category, points in votes))
    elapsed = time.perf_counter() - started
    commits = service.writer.commits - commits_before
    print(f"\n1,000 concurrent rates: {elapsed * 1000:.0f} ms, {commits} commits, "
          f"largest batch {service.writer.largest_batch}")
    assert [dict(r.scores) for r, _ in results] == [{category: points} for _, _, category, points in votes]
    assert await _count(catalogue_db) == len(votes)
    store = RatingStore(catalogue_db)
    for show in shows:
        tally = await store.show_tally(G1, show)
        for t in tally.tallies:
            given = [p for _, sh, c, p in votes if sh == show and c == t.category]
            assert t.votes == len(given) and t.average == pytest.approx(sum(given) / len(given))
        assert tally.voters == sum(1 for _, sh, _, _ in votes if sh == show)
    await assert_aggregates_match(catalogue_db)
    assert commits <= 100, f"{commits} commits for 1,000 writes: no group commit"
    assert service.writer.fallbacks == 0


async def test_close_commits_everything_already_submitted(catalogue_db: Database) -> None:
    svc = rating_service(catalogue_db, rate_cooldown=0)
    await svc.start()
    rouge = (await svc.rate(G1, 0, ROUGE, "music", Score(8)))[0].anime_id
    tasks = [asyncio.create_task(svc.rate(G1, m, f"id:{rouge}", "music", Score(8))) for m in range(1, 100)]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)  # the rest are queued or on their way
    await svc.close()
    await asyncio.gather(*tasks)
    assert await _count(catalogue_db) == 100
    # After close, writes still work (directly, without the writer task).
    await svc.rate(G1, 1000, ROUGE, "music", Score(4))
    assert await _count(catalogue_db) == 101
