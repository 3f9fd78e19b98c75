"""The airing task's step against real SQLite: a claim left by a step that died holds the watermark until it is
stale, then the episode is announced once; an announced episode is never announced again."""

from __future__ import annotations

from typing import cast

from bot.anilist.airing import Airing
from bot.anilist.client import AniListClient
from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.config import Settings
from bot.core.database import Database
from bot.core.text import Md
from bot.follows.service import STALE_CLAIM, FollowService
from bot.follows.store import FollowStore
from bot.settings.service import ServerSettingsService
from bot.threads.service import EpisodeThreads
from bot.threads.store import ThreadStore

GUILD, CHANNEL, MOD, ANILIST = 1, 2, 3, 163270
T0 = 2_000_000_000


class Schedule:
    """AniList's airing schedule, as the client answers it."""

    def __init__(self, aired: list[Airing]) -> None:
        self.aired = aired
        self.asked: list[tuple[int, int]] = []

    async def airing(self, ids: list[int], after: int, before: int) -> list[Airing]:
        self.asked.append((after, before))
        return [a for a in self.aired if a.anilist_id in ids and after < a.airing_at < before]


class Discord:
    """Threads and announcements on a pretend Discord."""

    def __init__(self) -> None:
        self.threads: list[str] = []
        self.posts: list[str] = []

    async def exists(self, thread_id: int) -> bool:
        return True

    async def create(self, channel_id: int, name: str, opening: Md) -> int:
        self.threads.append(name)
        return 500 + len(self.threads)

    def language(self, guild_id: int) -> str:
        return "en"

    async def post(self, channel_id: int, text: Md) -> None:
        self.posts.append(str(text))


async def test_a_dead_steps_claim_holds_the_watermark_then_is_taken_over(catalogue_db: Database) -> None:
    db = catalogue_db
    await db.execute("UPDATE anime SET anilist_id = ? WHERE title_romaji = 'Metallic Rouge'", (ANILIST,))
    anime_id = int(await db.fetch_value("SELECT id FROM anime WHERE anilist_id = ?", (ANILIST,)))
    catalogue = CatalogueService(CatalogueStore(db))
    schedule = Schedule([Airing(T0 + 10, ANILIST, 1)])
    now = [float(T0)]
    store = FollowStore(db)
    service = FollowService(store, catalogue, EpisodeThreads(ThreadStore(db), catalogue),
                            ServerSettingsService.over(db, Settings()), cast(AniListClient, schedule),
                            clock=lambda: now[0])
    discord = Discord()
    await store.follow(GUILD, anime_id, CHANNEL, MOD, T0 - 100)
    assert await service.tick(discord) == []  # the first step: the watermark is now T0
    # A step that died after claiming the announcement:
    assert await store.claim_announcement(GUILD, anime_id, 1, T0 + 15, 0)
    now[0] = T0 + 20
    assert await service.tick(discord) == [] and discord.posts == []
    assert await store.watermark() == T0 + 9  # held back, so the episode is read again
    now[0] = T0 + 20 + STALE_CLAIM
    (announced,) = await service.tick(discord)
    assert announced.episode == 1
    assert discord.threads == ["Metallic Rouge · Episode 1 · spoilers up to ep 1"] and len(discord.posts) == 1
    assert await store.watermark() == int(now[0])
    now[0] += 60
    assert await service.tick(discord) == [] and len(discord.posts) == 1
