"""Progress rules: one place per member per show per server, within the show's episodes, private by default."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.catalogue.service import CatalogueService
from bot.core.text import inline, md, plural
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.progress.models import Progress
from bot.progress.store import ProgressStore

__all__ = ["Cleared", "MemberProgress", "ProgressService"]


@dataclass(frozen=True)
class MemberProgress:
    """A member's progress in a server (every show), and whether they show it to the server."""

    member_id: int
    shows: tuple[Progress, ...]
    visible: bool


@dataclass(frozen=True)
class Cleared:
    """What /progress clear forgot: how many shows (and which one, when one was named)."""

    count: int
    title: str | None


def _guild(guild_id: int | None) -> int:
    if guild_id is None:
        raise InvalidInput("Progress is kept per server — use this command inside one.")
    return guild_id


class ProgressService:
    """Watching progress: record, read (your own, or a member's who made theirs visible), forget."""

    def __init__(self, store: ProgressStore, catalogue: CatalogueService, *,
                 clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._catalogue = catalogue
        self._clock = clock

    async def set(self, guild_id: int | None, member_id: int, show: str, *, episode: int | None = None,
                  finished: bool | None = None) -> tuple[Progress | None, Progress]:
        """Record how far a member has watched a show; (what it was before, what it is now).

        One of ``episode`` (the last episode watched; 0: not started) and ``finished`` (true) is given.
        Reaching a known last episode is finishing the show.
        """
        guild = _guild(guild_id)
        if episode is not None and finished:
            raise InvalidInput("Give `episode` or `finished`, not both.")
        if episode is None and not finished:
            raise InvalidInput("Say how far you've watched: `episode` (the last one you watched), or "
                               "`finished: True`.")
        match = await self._catalogue.listed_show(show)
        anime = await self._catalogue.anime(match.entity_id)
        if episode is not None:
            if episode < 0:
                raise InvalidInput("`episode` can't be negative.")
            if anime.episodes is not None and episode > anime.episodes:
                raise InvalidInput(md("{title} has {episodes}, so `episode` is at most {last}.",
                                      title=inline(anime.title, 200), episodes=plural(anime.episodes, "episode"),
                                      last=anime.episodes))
        done = bool(finished) or (episode is not None and anime.episodes is not None and episode == anime.episodes
                                  and episode > 0)
        reached = (anime.episodes or episode or 0) if done else (episode or 0)
        before = await self._store.get(guild, member_id, anime.id)
        await self._store.put(guild, member_id, anime.id, reached, done, self._clock())
        after = await self._store.get(guild, member_id, anime.id)
        assert after is not None
        return before, after

    async def finish(self, guild_id: int, member_id: int, anime_id: int) -> Progress:
        """Mark a show finished for a member (from the offer under a rating)."""
        anime = await self._catalogue.anime(anime_id)
        await self._store.put(guild_id, member_id, anime.id, anime.episodes or 0, True, self._clock())
        after = await self._store.get(guild_id, member_id, anime.id)
        assert after is not None
        return after

    async def finished(self, guild_id: int, member_id: int, anime_id: int) -> bool:
        """Whether the member marked the show finished."""
        progress = await self._store.get(guild_id, member_id, anime_id)
        return progress is not None and progress.finished

    async def of(self, guild_id: int, member_id: int, anime_id: int) -> Progress | None:
        """A member's own progress in a show (for spoiler checks on their behalf)."""
        return await self._store.get(guild_id, member_id, anime_id)

    async def show(self, guild_id: int | None, viewer_id: int, member_id: int | None = None) -> MemberProgress:
        """A member's progress: your own always; another member's only when they made it visible."""
        guild = _guild(guild_id)
        member = viewer_id if member_id is None else member_id
        visible = await self._store.visible(guild, member)
        if member != viewer_id and not visible:
            raise Forbidden("That member keeps their progress private.")
        return MemberProgress(member, tuple(await self._store.for_member(guild, member)), visible)

    async def clear(self, guild_id: int | None, member_id: int, show: str | None = None) -> Cleared:
        """Forget a member's progress in one show, or in every show."""
        guild = _guild(guild_id)
        if show is None or not show.strip():
            return Cleared(await self._store.clear(guild, member_id, None), None)
        match = await self._catalogue.find("anime", show)
        count = await self._store.clear(guild, member_id, match.entity_id)
        if not count:
            raise NotFound(md("You have no progress recorded for {title}.", title=inline(match.display, 200)))
        return Cleared(count, match.display)

    async def set_visible(self, guild_id: int | None, member_id: int, visible: bool) -> None:
        """Show a member's progress to the server, or keep it private."""
        await self._store.set_visible(_guild(guild_id), member_id, visible)
