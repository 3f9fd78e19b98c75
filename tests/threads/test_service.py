"""Episode threads against a real database (SQLite and PostgreSQL): exactly one thread under concurrent requests,
also from two processes' connections to one database; a deleted thread is recreated; a failed creation releases
its claim."""

from __future__ import annotations

import asyncio

import pytest

from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.core.database import Database
from bot.core.text import Md
from bot.threads.service import EpisodeThreads
from bot.threads.store import ThreadStore
from tests.helpers.postgres import target_of

GUILD, CHANNEL = 1, 2


class FakeThreads:
    """Threads on a pretend Discord: creation takes a moment, so concurrent requests really overlap."""

    def __init__(self) -> None:
        self.created: list[tuple[int, str]] = []
        self.deleted: set[int] = set()
        self.fail = False

    async def exists(self, thread_id: int) -> bool:
        await asyncio.sleep(0)
        return thread_id not in self.deleted

    async def create(self, channel_id: int, name: str, opening: Md) -> int:
        await asyncio.sleep(0.01)
        if self.fail:
            raise RuntimeError("Discord said no")
        self.created.append((channel_id, name))
        return 1000 + len(self.created)


def service(db: Database) -> EpisodeThreads:
    return EpisodeThreads(ThreadStore(db), CatalogueService(CatalogueStore(db)))


async def rouge(db: Database) -> int:
    return int(await db.fetch_value("SELECT id FROM anime WHERE title_romaji = 'Metallic Rouge'"))


async def test_twenty_requests_from_two_connections_make_one_thread(catalogue_db: Database) -> None:
    async with await Database.open(target_of(catalogue_db)) as second:
        services = [service(catalogue_db), service(second)]
        anime = await CatalogueService(CatalogueStore(catalogue_db)).anime(await rouge(catalogue_db))
        fake = FakeThreads()
        found = await asyncio.gather(*(services[i % 2].find_or_create(GUILD, anime, 5, CHANNEL, fake)
                                       for i in range(20)))
    assert len(fake.created) == 1
    assert {f.thread_id for f in found} == {1001}
    assert sum(f.created for f in found) == 1


async def test_deleted_is_recreated_and_failure_releases(catalogue_db: Database) -> None:
    threads = service(catalogue_db)
    anime = await CatalogueService(CatalogueStore(catalogue_db)).anime(await rouge(catalogue_db))
    fake = FakeThreads()
    first = await threads.find_or_create(GUILD, anime, 1, CHANNEL, fake)
    fake.deleted.add(first.thread_id)
    again = await threads.find_or_create(GUILD, anime, 1, CHANNEL, fake)
    assert again.created and again.thread_id != first.thread_id

    fake.fail = True
    with pytest.raises(RuntimeError):
        await threads.find_or_create(GUILD, anime, 2, CHANNEL, fake)
    assert await catalogue_db.fetch_value("SELECT count(*) FROM episode_thread WHERE episode = 2") == 0
    fake.fail = False
    assert (await threads.find_or_create(GUILD, anime, 2, CHANNEL, fake)).created
