"""The reviews store a review at a time: keyset steps by number both ways, and index range counts."""

from __future__ import annotations

from bot.core.database import Database
from bot.reviews.store import ReviewStore
from tests.reviews.test_store import GUILD_A, GUILD_B, add, anime_id


async def test_steps_by_number_both_ways_and_counts(catalogue_db: Database) -> None:
    rouge = await anime_id(catalogue_db, "metallic-rouge")
    other = await anime_id(catalogue_db, "super-cub")
    numbers = [(await add(catalogue_db, GUILD_A, author, rouge)).number for author in range(1, 6)]
    await add(catalogue_db, GUILD_A, 9, other)  # #6, another show
    await add(catalogue_db, GUILD_B, 1, rouge)  # another server
    assert numbers == [1, 2, 3, 4, 5]
    store = ReviewStore(catalogue_db)

    async def step(*, after: int | None = None, older: bool = True, inclusive: bool = False) -> int | None:
        found = await store.next_for_anime(GUILD_A, rouge, after=after, older=older, inclusive=inclusive)
        return None if found is None else found.number

    assert await step() == 5  # the newest
    assert await step(older=False) == 1  # the oldest
    assert await step(after=3) == 2 and await step(after=3, older=False) == 4
    assert await step(after=3, inclusive=True) == 3 and await step(after=1) is None
    assert await step(after=5, older=False) is None
    assert await store.count_for_anime(GUILD_A, rouge) == 5
    assert await store.count_for_anime(GUILD_A, rouge, newer_than=3) == 2
    assert await store.count_for_anime(GUILD_A, rouge, 3) == 1  # one author's: at most one
    assert (await store.next_for_anime(GUILD_A, rouge, 3)) is not None
    fourth = await store.by_number(GUILD_A, 4)
    assert fourth is not None
    await store.delete(fourth.id, GUILD_A)
    assert await step(after=3, older=False) == 5 and await store.count_for_anime(GUILD_A, rouge) == 4
