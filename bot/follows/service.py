"""Following shows: the rules of /follow, and the airing task's one step (:meth:`FollowService.tick`).

A step reads AniList's airing schedule for every followed show at once — episodes aired after the watermark
(the airing time handled up to) and up to now — and, for each server following the show since before the
episode aired, opens the episode's thread (the same find-or-create as /discuss) and announces it once. The
announcement row is claimed before it is sent and the watermark moves only past what was handled, so a
restart neither misses nor doubles an episode. The clock is injectable, so tests move time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.anilist.airing import Airing
from bot.anilist.client import AniListClient
from bot.catalogue.service import CatalogueService
from bot.core.text import Md, inline, md
from bot.errors import ConfigError, Forbidden, InvalidInput, NotFound
from bot.follows.store import Followed, FollowStore
from bot.settings.service import ServerSettingsService
from bot.threads.service import EpisodeThreads, ThreadMaker

log = logging.getLogger(__name__)

MAX_FOLLOWS = 25
"""Shows a server may follow at once (each costs nothing extra: one schedule query covers them all)."""
STALE_CLAIM = 600.0
"""Seconds after which an announcement claimed but never completed (its process died) is claimed again."""
MAX_CATCH_UP = 14 * 24 * 3600
"""After a long outage, episodes older than this are not announced (their news is stale)."""


class Announcer(ThreadMaker, Protocol):
    """What the Discord side does for the airing task: threads, and a message in a channel."""

    async def post(self, channel_id: int, text: Md) -> None:
        """Send a message (``Forbidden`` naming what is missing when the bot may not)."""


class InProgress(Exception):
    """Another step holds the announcement's claim: the watermark waits for it."""


@dataclass(frozen=True)
class Announced:
    """One episode announced in one server."""

    guild_id: int
    anime_id: int
    episode: int
    thread_id: int


def _guild(guild_id: int | None) -> int:
    if guild_id is None:
        raise InvalidInput("Following shows is per server — use this command inside one.")
    return guild_id


class FollowService:
    """Followed shows and the airing task."""

    def __init__(self, store: FollowStore, catalogue: CatalogueService, threads: EpisodeThreads,
                 settings: ServerSettingsService, anilist: AniListClient | None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._catalogue = catalogue
        self._threads = threads
        self._settings = settings
        self._anilist = anilist
        self.clock = clock

    async def follow(self, guild_id: int | None, member_id: int, show: str, channel_id: int) -> Followed:
        """Follow a show (it must be on AniList, whose schedule says when episodes air)."""
        guild = _guild(guild_id)
        if self._anilist is None:
            raise ConfigError("AniList is turned off for this bot, so it can't know when episodes air.")
        match = await self._catalogue.listed_show(show)
        anime = await self._catalogue.anime(match.entity_id)
        if anime.anilist_id is None:
            raise InvalidInput(md("{title} isn't linked to AniList, so I can't know when its episodes air: it can't "
                                  "be followed.", title=inline(anime.title, 200)))
        if len(await self._store.of_guild(guild)) >= MAX_FOLLOWS:
            raise InvalidInput(f"This server follows {MAX_FOLLOWS} shows already, the most it can: "
                               "`/unfollow` one first.")
        if not await self._store.follow(guild, anime.id, channel_id, member_id, self.clock()):
            raise InvalidInput(md("This server already follows {title}.", title=inline(anime.title, 200)))
        found = [f for f in await self._store.of_guild(guild) if f.anime_id == anime.id]
        return found[0]

    async def unfollow(self, guild_id: int | None, show: str) -> str:
        """Stop following a show; its title."""
        guild = _guild(guild_id)
        match = await self._catalogue.find("anime", show)
        if not await self._store.unfollow(guild, match.entity_id):
            raise NotFound(md("This server doesn't follow {title}.", title=inline(match.display, 200)))
        return match.display

    async def following(self, guild_id: int | None) -> list[Followed]:
        """The shows a server follows."""
        return await self._store.of_guild(_guild(guild_id))

    async def tick(self, announcer: Announcer) -> list[Announced]:
        """One step of the airing task: open and announce every followed episode aired since the last step."""
        now = int(self.clock())
        mark = await self._store.watermark()
        if mark is None:  # the first run ever: from now on
            await self._store.set_watermark(now)
            return []
        follows = await self._store.everything()
        if self._anilist is None or not follows or now <= mark:
            await self._store.set_watermark(now)
            return []
        since = max(mark, now - MAX_CATCH_UP)
        by_show: dict[int, list[Followed]] = {}
        for followed in follows:
            assert followed.anilist_id is not None  # everything() lists shows on AniList only
            by_show.setdefault(followed.anilist_id, []).append(followed)
        aired = await self._anilist.airing(list(by_show), since, now + 1)  # (since, now]
        done: list[Announced] = []
        failed: int | None = None
        for airing in sorted(aired):
            for followed in by_show.get(airing.anilist_id, []):
                if airing.airing_at <= followed.followed_at:
                    continue  # it aired before the server followed the show
                try:
                    announced = await self._announce(followed, airing, announcer)
                except Forbidden as exc:  # a moderator must act: said in the log, not retried every step
                    log.warning("cannot announce episode %s of show %s in server %s: %s", airing.episode,
                                followed.anime_id, followed.guild_id, exc)
                    continue
                except InProgress as exc:
                    log.info("%s; looking again next time", exc)
                    failed = airing.airing_at if failed is None else min(failed, airing.airing_at)
                    continue
                except Exception:
                    log.exception("announcing episode %s of show %s in server %s failed; retrying next time",
                                  airing.episode, followed.anime_id, followed.guild_id)
                    failed = airing.airing_at if failed is None else min(failed, airing.airing_at)
                    continue
                if announced is not None:
                    done.append(announced)
        await self._store.set_watermark(now if failed is None else max(mark, failed - 1))
        return done

    async def _announce(self, followed: Followed, airing: Airing, announcer: Announcer) -> Announced | None:
        guild, anime_id, episode = followed.guild_id, followed.anime_id, airing.episode
        now = self.clock()
        if not await self._store.claim_announcement(guild, anime_id, episode, now, now - STALE_CLAIM):
            if await self._store.announcement_done(guild, anime_id, episode):
                return None  # announced already (by this process before a restart, or by another)
            # Claimed by a step still running (or one that died: taken over once stale): look again next time.
            raise InProgress(f"episode {episode} of show {anime_id} in server {guild} is being announced")
        try:
            anime = await self._catalogue.anime(anime_id)
            channel = (await self._settings.effective(guild)).discussion_channel_id or followed.channel_id
            found = await self._threads.find_or_create(guild, anime, episode, channel, announcer)
            await announcer.post(channel, md("📺 **{title}** episode {n} is out! Discuss it in <#{thread}> — "
                                             "spoilers up to episode {n} only.", title=inline(anime.title, 200),
                                             n=episode, thread=found.thread_id))
        except BaseException:
            await self._store.unclaim_announcement(guild, anime_id, episode)
            raise
        await self._store.announced(guild, anime_id, episode, found.thread_id)
        log.info("announced episode %s of show %s in server %s (thread %s)", episode, anime_id, guild,
                 found.thread_id)
        return Announced(guild, anime_id, episode, found.thread_id)
