"""The reviews store against real SQLite: numbering per server, one per member per show, messages, isolation."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.database import Database
from bot.reviews.models import EpisodeScope, Review, ReviewText
from bot.reviews.store import ReviewStore
from tests.helpers.postgres import INTEGRITY_ERRORS

GUILD_A = 1_000_000_000_000_001
GUILD_B = 1_000_000_000_000_002
CHANNEL = 2_000_000_000_000_001
ALICE = 3_000_000_000_000_001
BOB = 3_000_000_000_000_002

HOSTILE = (
    "||a|| `code` ``` http://x|| https://example.com/||x @everyone @here <@123456789012345678> "
    "<@&123456789012345678> <#123456789012345678> \u200b\u202e\u2066 **bold** # h \\|\x00 末尾"
)


async def anime_id(db: Database, key: str) -> int:
    return int(await db.fetch_value("SELECT id FROM anime WHERE key = ?", (key,)))


async def insert(db: Database, *, guild_id: int, channel_id: int | None, author_id: int, anime_id: int, title: str,
                 body: str, warnings: str | None, spoilers: bool, through_episode: int | None,
                 created_at: float) -> Review | None:
    """Store a review as written (the store keeps whatever it is given)."""
    return await ReviewStore(db).insert(
        guild_id=guild_id, channel_id=channel_id, author_id=author_id, anime_id=anime_id,
        text=ReviewText(title, body, warnings), scope=EpisodeScope(spoilers, through_episode), created_at=created_at)


async def add(db: Database, guild: int, author: int, anime: int, **overrides: Any) -> Review:
    fields: dict[str, Any] = {
        "guild_id": guild,
        "channel_id": CHANNEL,
        "author_id": author,
        "anime_id": anime,
        "title": "A title",
        "body": "A body",
        "warnings": None,
        "spoilers": True,
        "through_episode": None,
        "created_at": 1000.0,
    }
    fields.update(overrides)
    review = await insert(db, **fields)
    assert review is not None
    return review


async def test_insert_reads_back_everything(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    review = await add(
        catalogue_db, GUILD_A, ALICE, rouge, title="Rouge!", body="Great show.", warnings="violence",
        through_episode=7, created_at=1234.5,
    )
    assert review.number == 1
    assert (review.guild_id, review.author_id, review.anime_id, review.channel_id) == (GUILD_A, ALICE, rouge, CHANNEL)
    assert (review.title, review.body, review.warnings) == ("Rouge!", "Great show.", "violence")
    assert review.spoilers and review.through_episode == 7 and not review.whole_series
    assert (review.anime_title, review.anime_episodes) == ("Metallic Rouge", 13)
    assert (review.created_at, review.edited_at, review.message_ids) == (1234.5, None, ())
    assert await ReviewStore(catalogue_db).by_number(GUILD_A, 1) == review
    assert await ReviewStore(catalogue_db).by_author(GUILD_A, rouge, ALICE) == review


async def test_numbers_count_per_server_and_are_never_reused(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    takagi = await anime_id(catalogue_db, "karakai-jouzu-no-takagi-san-3")
    a1 = await add(catalogue_db, GUILD_A, ALICE, rouge)
    b1 = await add(catalogue_db, GUILD_B, ALICE, rouge)
    a2 = await add(catalogue_db, GUILD_A, BOB, rouge)
    assert (a1.number, b1.number, a2.number) == (1, 1, 2)
    assert await ReviewStore(catalogue_db).delete(a2.id, GUILD_A)
    a3 = await add(catalogue_db, GUILD_A, BOB, takagi)
    assert a3.number == 3  # #2 was deleted; its number is not handed out again
    assert await catalogue_db.fetch_value("SELECT count(*) FROM review WHERE guild_id = ?", (GUILD_A,)) == 2


async def test_one_review_per_member_per_show_per_server(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    await add(catalogue_db, GUILD_A, ALICE, rouge)
    again = await insert(
        catalogue_db, guild_id=GUILD_A, channel_id=CHANNEL, author_id=ALICE, anime_id=rouge, title="t", body="b",
        warnings=None, spoilers=False, through_episode=None, created_at=1.0,
    )
    assert again is None
    # The refused write did not use up a number.
    assert (await add(catalogue_db, GUILD_A, BOB, rouge)).number == 2
    # The schema refuses a duplicate too, even past the repository.
    with pytest.raises(INTEGRITY_ERRORS):
        await catalogue_db.execute(
            "INSERT INTO review (guild_id, number, anime_id, author_id, title, body, spoilers, created_at) "
            "VALUES (?, 99, ?, ?, 't', 'b', 0, 0)",
            (GUILD_A, rouge, ALICE),
        )


async def test_schema_refuses_bad_rows(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    bad = [
        ("", "b", 1, None),  # empty title
        ("t", "", 1, None),  # empty body
        ("t" * 101, "b", 1, None),
        ("t", "b" * 4001, 1, None),
        ("t", "b", 0, 3),  # an episode scope without spoilers
        ("t", "b", 1, 0),
    ]
    for number, (title, body, spoilers, through) in enumerate(bad, start=1):
        with pytest.raises(INTEGRITY_ERRORS):
            await catalogue_db.execute(
                "INSERT INTO review (guild_id, number, anime_id, author_id, title, body, spoilers, through_episode, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (GUILD_A, number, rouge, number, title, body, spoilers, through),
            )


async def test_for_anime_is_newest_first_and_filters_by_author(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    takagi = await anime_id(catalogue_db, "karakai-jouzu-no-takagi-san-3")
    old = await add(catalogue_db, GUILD_A, ALICE, rouge, created_at=100.0)
    new = await add(catalogue_db, GUILD_A, BOB, rouge, created_at=200.0)
    await add(catalogue_db, GUILD_A, ALICE, takagi, created_at=300.0)
    await add(catalogue_db, GUILD_B, BOB, rouge, created_at=400.0)
    assert [r.id for r in await ReviewStore(catalogue_db).for_anime(GUILD_A, rouge)] == [new.id, old.id]
    assert [r.id for r in await ReviewStore(catalogue_db).for_anime(GUILD_A, rouge, ALICE)] == [old.id]
    assert await ReviewStore(catalogue_db).for_anime(GUILD_A, rouge, 42) == []


async def test_messages_are_kept_in_order_and_replaced(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    review = await add(catalogue_db, GUILD_A, ALICE, rouge, channel_id=None)
    await ReviewStore(catalogue_db).set_messages(review.id, CHANNEL, [30, 10, 20])
    stored = await ReviewStore(catalogue_db).by_id(review.id)
    assert stored is not None and stored.message_ids == (30, 10, 20) and stored.channel_id == CHANNEL
    await ReviewStore(catalogue_db).set_messages(review.id, CHANNEL, [40])
    assert [r.message_ids for r in await ReviewStore(catalogue_db).for_anime(GUILD_A, rouge)] == [(40,)]


async def test_update_and_delete_stay_in_their_server(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    review = await add(catalogue_db, GUILD_A, ALICE, rouge)
    await ReviewStore(catalogue_db).set_messages(review.id, CHANNEL, [1, 2])
    assert await ReviewStore(catalogue_db).update_text(
        review.id, GUILD_B, ReviewText("x", "y", None), edited_at=5.0
    ) is None
    assert not await ReviewStore(catalogue_db).delete(review.id, GUILD_B)
    assert await ReviewStore(catalogue_db).by_number(GUILD_B, review.number) is None
    updated = await ReviewStore(catalogue_db).update_text(
        review.id, GUILD_A, ReviewText("New", "Newer", "cw"), edited_at=5.0
    )
    assert updated is not None
    assert (updated.title, updated.body, updated.warnings, updated.edited_at) == ("New", "Newer", "cw", 5.0)
    assert updated.message_ids == (1, 2) and updated.created_at == review.created_at
    assert await ReviewStore(catalogue_db).delete(review.id, GUILD_A)
    assert await ReviewStore(catalogue_db).by_id(review.id) is None
    assert await catalogue_db.fetch_value("SELECT count(*) FROM review_message") == 0  # records went with it


async def test_hostile_text_round_trips_exactly(catalogue_db: Database, engine: str) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    # PostgreSQL's text cannot hold U+0000: its engine drops it, and everything else round-trips exactly.
    hostile = HOSTILE if engine == "sqlite" else HOSTILE.replace("\x00", "")
    review = await add(catalogue_db, GUILD_A, ALICE, rouge, title=HOSTILE[:100], body=HOSTILE * 10,
                       warnings=HOSTILE[:300])
    stored = await ReviewStore(catalogue_db).by_id(review.id)
    assert stored is not None
    assert (stored.title, stored.body, stored.warnings) == (hostile[:100], hostile * 10, hostile[:300])


async def test_unknown_episode_count_and_whole_series(catalogue_db: Database) -> None:
    crisis = await anime_id(catalogue_db, "kawaisugi-crisis")  # episode count unknown
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    review = await add(catalogue_db, GUILD_A, ALICE, crisis, through_episode=40)
    assert review.anime_episodes is None and not review.whole_series
    assert (await add(catalogue_db, GUILD_A, BOB, crisis)).whole_series
    assert (await add(catalogue_db, GUILD_A, ALICE, rouge, through_episode=13)).whole_series
    assert not (await add(catalogue_db, GUILD_A, BOB, rouge, spoilers=False)).whole_series


async def test_deleting_a_show_deletes_its_reviews(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    review = await add(catalogue_db, GUILD_A, ALICE, rouge)
    await catalogue_db.execute("DELETE FROM anime WHERE id = ?", (rouge,))
    assert await ReviewStore(catalogue_db).by_id(review.id) is None
