"""The catalogue store's credits listings a page at a time: keys in display order both ways, and counts."""

from __future__ import annotations

from bot.catalogue.store import CatalogueStore
from bot.core.database import Database


async def test_a_shows_staff_and_cast_page_by_key(catalogue_db: Database) -> None:
    store = CatalogueStore(catalogue_db)
    rouge = int(await catalogue_db.fetch_value("SELECT id FROM anime WHERE key = 'metallic-rouge'"))
    for listing in ("anime_staff", "anime_cast"):
        count = await store.listing_count(listing, rouge)
        everything = await store.listing_keys(listing, rouge, after=None, limit=1000)
        assert len(everything) == count > 5 and everything == sorted(everything)
        pages, after = [], None
        while keys := await store.listing_keys(listing, rouge, after=after, limit=5):
            pages.append(keys)
            after = keys[-1]
        assert [k for page in pages for k in page] == everything and all(len(p) == 5 for p in pages[:-1])
        # Backwards from the end, then from a page's first key: the same pages.
        assert await store.listing_keys(listing, rouge, after=None, forward=False, limit=len(pages[-1])) == pages[-1]
        assert await store.listing_keys(listing, rouge, after=pages[1][0], forward=False, limit=5) == pages[0]
        assert await store.listing_count(listing, rouge, before=pages[1][0]) == 5
    first_three = await store.listing_keys("anime_staff", rouge, after=None, limit=3)
    staff = await store.listing_staff("anime_staff", rouge, first_three)
    assert [s.role for s in staff] == [s.role for s in (await store.anime_staff(rouge))[:3]]  # credited order


async def test_a_persons_roles_page_by_show_latest_first(catalogue_db: Database) -> None:
    store = CatalogueStore(catalogue_db)
    person = int(await catalogue_db.fetch_value(
        "SELECT person_id FROM staff_role GROUP BY person_id ORDER BY count(DISTINCT anime_id) DESC LIMIT 1"))
    shows = await store.listing_keys("person_staff", person, after=None, limit=1000)
    assert len(shows) == await store.listing_count("person_staff", person) >= 2
    assert shows == sorted(shows, reverse=True)
    first = await store.listing_keys("person_staff", person, after=None, limit=1)
    assert first == shows[:1]
    assert await store.listing_keys("person_staff", person, after=first[0], limit=1) == shows[1:2]
    roles = await store.listing_staff("person_staff", person, shows[:2])
    assert {r.anime.id for r in roles} == set(shows[:2])
