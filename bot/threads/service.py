"""Episode threads: find or create exactly one thread per (server, show, episode), and who must be warned.

Discord is reached through a :class:`ThreadMaker` the Discord side provides, so these rules hold without it.
Exactly one thread, even under many requests at once and across processes: a request first claims the
episode's row (a unique row, inserted before the thread exists); only the claimant creates the thread, the
others wait for it to be recorded. A thread a moderator deleted is claimed again (compare-and-set on the claim)
and recreated. A claimant that failed releases its claim; one that vanished is overtaken after ``STALE`` s.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.catalogue.models import Anime
from bot.catalogue.service import CatalogueService
from bot.core.text import Md, inline, md, plural
from bot.errors import InvalidInput, UpstreamUnavailable
from bot.progress.models import Progress
from bot.progress.service import ProgressService
from bot.threads import names
from bot.threads.store import ThreadStore

log = logging.getLogger(__name__)

STALE = 60.0
"""Seconds after which a claim whose thread never appeared is taken over (its claimant crashed)."""
POLL = 0.05
WAIT = 30.0


class ThreadMaker(Protocol):
    """What the Discord side does for this service."""

    async def exists(self, thread_id: int) -> bool:
        """Whether the thread is still there (not deleted)."""

    async def create(self, channel_id: int, name: str, opening: Md) -> int:
        """Create a public thread in the channel with its opening message (all or nothing); its id."""


@dataclass(frozen=True)
class EpisodeThread:
    """An episode's thread: where it is, and whether this request created it."""

    anime_id: int
    title: str
    episode: int
    thread_id: int
    created: bool


@dataclass(frozen=True)
class Target:
    """What /discuss is about: the show and episode, and the member's progress in it."""

    anime: Anime
    episode: int
    progress: Progress | None

    @property
    def behind(self) -> bool:
        """Whether the member's recorded progress is short of the episode."""
        return self.progress is not None and self.progress.watched < self.episode


class EpisodeThreads:
    """Finding or creating the one thread of an episode in a server."""

    def __init__(self, store: ThreadStore, catalogue: CatalogueService, progress: ProgressService | None = None, *,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._store = store
        self._catalogue = catalogue
        self._progress = progress
        self._clock = clock
        self._sleep = sleep

    async def target(self, guild_id: int | None, member_id: int, show: str, episode: int) -> Target:
        """The show and episode ``show`` and ``episode`` name (checked), with the member's progress."""
        if guild_id is None:
            raise InvalidInput("Discussion threads live in servers — use this command inside one.")
        match = await self._catalogue.listed_show(show)
        anime = await self._catalogue.anime(match.entity_id)
        if episode < 1:
            raise InvalidInput("`episode` must be at least 1.")
        if anime.episodes is not None and episode > anime.episodes:
            raise InvalidInput(md("{title} has {episodes}, so `episode` is at most {last}.",
                                  title=inline(anime.title, 200), episodes=plural(anime.episodes, "episode"),
                                  last=anime.episodes))
        progress = await self._progress.of(guild_id, member_id, anime.id) if self._progress is not None else None
        return Target(anime, episode, progress)

    async def find_or_create(self, guild_id: int, anime: Anime, episode: int, channel_id: int, maker: ThreadMaker
                             ) -> EpisodeThread:
        """The episode's thread in the server: the existing one, or one created now in ``channel_id``."""
        token = secrets.token_hex(16)
        waited = 0.0
        while True:
            if await self._store.claim(guild_id, anime.id, episode, channel_id, token, self._clock()):
                return await self._create(guild_id, anime, episode, channel_id, token, maker)
            row = await self._store.get(guild_id, anime.id, episode)
            if row is None:
                continue  # released meanwhile: claim it again
            if row.thread_id is not None:
                if await maker.exists(row.thread_id):
                    return EpisodeThread(anime.id, anime.title, episode, row.thread_id, created=False)
                log.info("the thread %s of show %s episode %s in server %s is gone: recreating it", row.thread_id,
                         anime.id, episode, guild_id)
                if await self._store.reclaim(guild_id, anime.id, episode, row.claim, token, channel_id,
                                             self._clock()):
                    return await self._create(guild_id, anime, episode, channel_id, token, maker)
                continue
            if self._clock() - row.claimed_at > STALE and await self._store.reclaim(
                    guild_id, anime.id, episode, row.claim, token, channel_id, self._clock()):
                return await self._create(guild_id, anime, episode, channel_id, token, maker)
            if waited >= WAIT:
                raise UpstreamUnavailable("That episode's thread is still being opened — try again in a moment.")
            await self._sleep(POLL)  # another request is creating it
            waited += POLL

    async def _create(self, guild_id: int, anime: Anime, episode: int, channel_id: int, token: str,
                      maker: ThreadMaker) -> EpisodeThread:
        try:
            thread_id = await maker.create(channel_id, names.episode_thread_name(anime.title, episode),
                                           names.opening(anime.title, episode))
        except BaseException:
            await self._store.release(guild_id, anime.id, episode, token)
            raise
        await self._store.fill(guild_id, anime.id, episode, token, thread_id)
        log.info("opened the thread %s of show %s episode %s in server %s", thread_id, anime.id, episode, guild_id)
        return EpisodeThread(anime.id, anime.title, episode, thread_id, created=True)
