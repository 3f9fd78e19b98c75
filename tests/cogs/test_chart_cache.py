"""/ratings show's chart is drawn once per version of a show's ratings: views reuse it, any vote (from this bot or
another process's writer on the same database) draws it anew."""

from __future__ import annotations

from bot.core.database import Database
from bot.ratings.models import Score, ScoreWrite
from bot.ratings.service import RatingService
from bot.ratings.store import RatingStore
from sandbox import InteractionResult, Sandbox
from tests.cogs.conftest import assert_clean, core, kansou
from tests.cogs.test_ratings import ROUGE, rate
from tests.helpers.postgres import target_of


def service(sandbox: Sandbox) -> RatingService:
    """The running bot's rating service (it holds the chart cache)."""
    cog = kansou(sandbox).get_cog("Ratings")
    assert cog is not None
    found = getattr(cog, "service", None)
    assert isinstance(found, RatingService)
    return found


async def chart(sandbox: Sandbox) -> tuple[InteractionResult, bytes]:
    """/ratings show of ROUGE, and its chart's bytes."""
    shown = await sandbox.invoke("ratings show", {"anime": ROUGE}, user="dave")
    assert_clean(shown)
    assert shown.message is not None
    return shown, shown.message.attachment("ratings.png").data


async def test_a_vote_invalidates_the_chart(sandbox: Sandbox) -> None:
    charts = service(sandbox).charts
    await rate(sandbox, "alice", ROUGE, animation=5)
    _, first = await chart(sandbox)
    assert charts.drawn == 1
    _, again = await chart(sandbox)
    assert charts.drawn == 1 and again == first  # viewed again: the same chart, not drawn again
    await rate(sandbox, "bob", ROUGE, animation=2)
    _, after_vote = await chart(sandbox)
    assert charts.drawn == 2 and after_vote != first
    await rate(sandbox, "bob", ROUGE, animation=4)  # a changed score
    _, changed = await chart(sandbox)
    assert charts.drawn == 3 and changed != after_vote
    forgot = await sandbox.invoke("ratings forget", {"anime": ROUGE}, user="bob")
    assert_clean(forgot)
    _, back = await chart(sandbox)
    assert charts.drawn == 4 and back == first  # bob's votes gone: alice's alone again, drawn anew all the same


async def test_a_vote_written_by_another_process_invalidates_the_chart(sandbox: Sandbox) -> None:
    charts = service(sandbox).charts
    await rate(sandbox, "alice", ROUGE, animation=5)
    _, first = await chart(sandbox)
    assert charts.drawn == 1
    # Another process: its own connection to the same database, its own store, no memory shared with the bot.
    async with await Database.open(target_of(core(sandbox).db)) as other:
        row = await other.fetch_one("SELECT guild_id, anime_id FROM rating")
        assert row is not None
        await RatingStore(other).apply([ScoreWrite(int(row[0]), 424242, int(row[1]), (("animation", Score(2)),))])
    _, after = await chart(sandbox)
    assert charts.drawn == 2 and after != first
