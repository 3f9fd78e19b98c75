"""Rating categories as data: the migration that made them so, and the rules for changing a server's set."""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Any

import pytest

from bot.core.database import Database, SQLiteDatabase
from bot.core.migrations import latest_version, migrate
from bot.errors import InvalidInput
from bot.ratings.categories import LABEL_MAX, MAX_ACTIVE, CategoryService
from bot.ratings.models import Score
from bot.ratings.service import RatingService
from bot.ratings.store import RatingStore
from tests.ratings.test_service import rating_service
from tests.ratings.test_store import DEFAULT_KEYS, add_shows, assert_aggregates_match, rows

G1, G2, G3 = 111, 222, 333
MOD = 9
RATINGS_BEFORE_CATEGORIES = 4  # the schema version just before migration 0005
DEFAULT_LABELS = ["Animation", "Voice Acting", "Music", "Writing", "Story"]
VOTES = "SELECT guild_id, member_id, anime_id, category, score FROM rating ORDER BY 1, 2, 3, 4"


# -- the migration ---------------------------------------------------------------------------------------------


async def test_upgrading_keeps_every_vote_and_exact_tallies(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    rng = random.Random(4)
    votes = set()
    async with await SQLiteDatabase.connect(path, upgrade=False) as old:
        await migrate(old, target=RATINGS_BEFORE_CATEGORIES)
        assert await old.schema_version() == RATINGS_BEFORE_CATEGORIES
        shows = await add_shows(old, 4)
        for guild in (G1, G2, G3):  # votes in every category, in several servers, through the old triggers
            for member in range(1, 30):
                for key in DEFAULT_KEYS:
                    if rng.random() < 0.7:
                        votes.add((guild, member, rng.choice(shows), key, rng.randint(2, 10)))
        await old.execute_many("INSERT OR REPLACE INTO rating (guild_id, member_id, anime_id, category, score, "
                               "rated_at) VALUES (?, ?, ?, ?, ?, 0)", sorted(votes))
        stored_before = await rows(old, VOTES)
        tallies_before = await rows(old, "SELECT * FROM rating_tally ORDER BY 1, 2, 3")
        shows_before = await rows(old, "SELECT * FROM rating_show ORDER BY 1, 2")
        await assert_aggregates_match(old)

    async with await Database.open(path) as db:  # upgraded
        assert await db.schema_version() == latest_version()
        assert await rows(db, VOTES) == stored_before
        assert await rows(db, "SELECT * FROM rating_tally ORDER BY 1, 2, 3") == tallies_before
        assert await rows(db, "SELECT * FROM rating_show ORDER BY 1, 2") == shows_before
        await assert_aggregates_match(db)  # equal to a recount
        assert await db.integrity_check() == "ok"
        store = RatingStore(db)
        for guild in (G1, G2, G3):
            found, own = await store.categories(guild)
            assert [c.label for c in found] == DEFAULT_LABELS and not own
        # The triggers still keep the tallies exact, now for any category a server has.
        await db.execute("INSERT INTO rating VALUES (?, 500, ?, 'pacing', 6, 0)", (G1, shows[0]))
        await db.execute("UPDATE rating SET score = 2 WHERE member_id = 500")
        await db.execute("DELETE FROM rating WHERE guild_id = ? AND member_id = 1", (G2,))
        await assert_aggregates_match(db)


# -- changing a server's categories ----------------------------------------------------------------------------


@pytest.fixture
def categories(db: SQLiteDatabase) -> CategoryService:
    return CategoryService(RatingStore(db))


async def labels(service: CategoryService, guild: int) -> tuple[list[str], list[str]]:
    found = await service.list(guild)
    return [c.label for c in found.active], [c.label for c in found.retired]


async def test_every_server_starts_with_the_defaults_and_its_first_change_makes_them_its_own(
    categories: CategoryService, db: SQLiteDatabase
) -> None:
    first = await categories.list(G1)
    assert [c.label for c in first.active] == DEFAULT_LABELS and not first.own
    change = await categories.add(G1, MOD, "Pacing")
    assert change.category.key == "pacing" and change.category.label == "Pacing"
    assert [c.label for c in change.categories.active] == [*DEFAULT_LABELS, "Pacing"] and change.categories.own
    assert await labels(categories, G2) == (DEFAULT_LABELS, [])  # the other servers: untouched
    assert await db.fetch_value("SELECT count(*) FROM rating_category WHERE guild_id = 0") == 5
    # A default added later reaches the servers still on the defaults, not those with a set of their own.
    await db.execute("INSERT INTO rating_category (guild_id, key, label, position) VALUES (0, 'sound', 'Sound', 6)")
    assert (await labels(categories, G2))[0] == [*DEFAULT_LABELS, "Sound"]
    assert (await labels(categories, G1))[0] == [*DEFAULT_LABELS, "Pacing"]


@pytest.mark.parametrize(("label", "error"), [
    ("", "Give the category a name"), ("  \u200b ", "Give the category a name"),
    ("x" * (LABEL_MAX + 1), f"{LABEL_MAX} characters at most"), ("music", "already has a category called Music"),
    (" VOICE   acting ", "already has a category called Voice Acting"), ("voice_acting", "already has"),
    ("Voice_Acting", "already has"),
])
async def test_a_label_is_one_clean_line_and_different_from_every_other(
    categories: CategoryService, label: str, error: str
) -> None:
    with pytest.raises(InvalidInput, match=error):
        await categories.add(G1, MOD, label)
    assert await labels(categories, G1) == (DEFAULT_LABELS, [])


async def test_at_most_ten_take_votes(categories: CategoryService) -> None:
    for n in range(MAX_ACTIVE - len(DEFAULT_LABELS)):
        await categories.add(G1, MOD, f"Extra {n}")
    with pytest.raises(InvalidInput, match=f"{MAX_ACTIVE} categories"):
        await categories.add(G1, MOD, "One too many")
    await categories.retire(G1, MOD, "Extra 0")
    with pytest.raises(InvalidInput, match=f"{MAX_ACTIVE} categories"):
        # still ten active after this one: restoring Extra 0 would make eleven
        await categories.add(G1, MOD, "Eleventh")
        await categories.restore(G1, MOD, "Extra 0")
    active, retired = await labels(categories, G1)
    assert len(active) == MAX_ACTIVE and retired == ["Extra 0"]


async def test_rename_reorder_retire_restore(categories: CategoryService, db: SQLiteDatabase,
                                             caplog: pytest.LogCaptureFixture) -> None:
    ratings = rating_service(db, rate_cooldown=0)
    (show,) = await add_shows(db, 1)
    await ratings.rate(G1, 1, f"id:{show}", "Writing", Score(8))
    with caplog.at_level(logging.INFO, logger="bot.ratings.categories"):
        renamed = await categories.rename(G1, MOD, "writing", "Script")
        assert renamed.category.key == "writing" and "Renamed **Writing** to **Script**" in renamed.said
        moved = await categories.reorder(G1, MOD, "Story", 1)
        assert [c.label for c in moved.categories.active] == ["Story", "Animation", "Voice Acting", "Music", "Script"]
        await categories.retire(G1, MOD, "script")
        assert await labels(categories, G1) == (["Story", "Animation", "Voice Acting", "Music"], ["Script"])
        await categories.restore(G1, MOD, "Script")
    assert await labels(categories, G1) == (["Story", "Animation", "Voice Acting", "Music", "Script"], [])
    logged: list[Any] = [r for r in caplog.records if r.name == "bot.ratings.categories"]
    assert [r.action for r in logged] == ["rename", "reorder", "retire", "restore"]
    assert all(r.guild_id == G1 and r.member_id == MOD for r in logged)
    # The vote followed the category through all of it.
    assert await rows(db, "SELECT category, score FROM rating") == [("writing", 8)]
    shown = await ratings.show(G1, f"id:{show}")
    assert shown.categories.label("writing") == "Script" and shown.tally.get("writing") is not None


async def test_what_cannot_be_done_says_so(categories: CategoryService) -> None:
    with pytest.raises(InvalidInput, match="no rating category called “vibes”"):
        await categories.rename(G1, MOD, "vibes", "Vibe")
    with pytest.raises(InvalidInput, match="from 1 to 5"):
        await categories.reorder(G1, MOD, "Music", 6)
    with pytest.raises(InvalidInput, match="not retired"):
        await categories.restore(G1, MOD, "Music")
    await categories.retire(G1, MOD, "Music")
    with pytest.raises(InvalidInput, match="retired already"):
        await categories.retire(G1, MOD, "Music")
    with pytest.raises(InvalidInput, match="restore it before moving"):
        await categories.reorder(G1, MOD, "Music", 1)
    with pytest.raises(InvalidInput, match="retired: `/categories restore` brings it back"):
        await categories.add(G1, MOD, "music")
    for label in ("Animation", "Voice Acting", "Writing"):
        await categories.retire(G1, MOD, label)
    with pytest.raises(InvalidInput, match="last category"):
        await categories.retire(G1, MOD, "Story")


async def test_a_key_is_never_used_twice_in_a_server(categories: CategoryService, db: SQLiteDatabase) -> None:
    ratings: RatingService = rating_service(db, rate_cooldown=0)
    (show,) = await add_shows(db, 1)
    await ratings.rate(G1, 1, f"id:{show}", "Music", Score(4))
    await categories.rename(G1, MOD, "Music", "Soundtrack")
    added = await categories.add(G1, MOD, "Music")
    assert added.category.key == "music_2"  # not the old category's votes
    shown = await ratings.show(G1, f"id:{show}")
    assert shown.tally.get("music_2") is None and shown.categories.label("music") == "Soundtrack"
