"""Reviews: writing, reading, editing and deleting spoiler-safe reviews.

The rules live here so the cog stays thin: reviews belong to a server, who may write, edit or delete, the
limits (one review per member per show per server, a cooldown between posts), spoiler scopes against the
show's episode count, and what a reader who has watched ``n`` episodes may see in clear. Text is stored exactly
as written; escaping and spoiler markup happen when it is shown (``bot.reviews.render``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.catalogue.models import Anime
from bot.catalogue.service import LOCAL, Caller, CatalogueService
from bot.config import Settings
from bot.core.cooldowns import Cooldown
from bot.core.text import Md, inline, md, plural
from bot.errors import Forbidden, InvalidInput, NotFound, OnCooldown
from bot.progress.models import Progress
from bot.progress.service import ProgressService
from bot.reviews.models import EpisodeScope, Review, ReviewText
from bot.reviews.store import ReviewStore
from bot.settings.service import ServerSettingsService

__all__ = ["AlreadyReviewed", "ReadItem", "ReviewService"]


class AlreadyReviewed(InvalidInput):
    """The member already reviewed this show in this server; ``review`` is that review (offer to edit it)."""

    def __init__(self, review: Review) -> None:
        super().__init__(md(
            "You've already reviewed {show} here (review #{number}) — one review per show. You can edit that one "
            "instead.", show=inline(review.anime_title, 200), number=review.number,
        ))
        self.review = review


@dataclass(frozen=True)
class ReadItem:
    """One review as a reader gets it: hidden behind a spoiler or not, and a line saying why."""

    review: Review
    hidden: bool
    note: str | None


def _guild(guild_id: int | None) -> int:
    if guild_id is None:
        raise InvalidInput("Reviews live in servers — use this command inside one.")
    return guild_id


class ReviewService:
    """Review rules: who may do what, limits, spoiler scopes."""

    def __init__(
        self,
        store: ReviewStore,
        catalogue: CatalogueService,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        cooldown_clock: Callable[[], float] = time.monotonic,
        server_settings: ServerSettingsService | None = None,
        progress: ProgressService | None = None,
    ) -> None:
        self._store = store
        self._catalogue = catalogue
        self._clock = clock
        self.cooldown = Cooldown(settings.review_cooldown, clock=cooldown_clock, what="reviews")
        self.server_settings = server_settings
        self.progress = progress

    async def reply_threads(self, guild_id: int) -> bool:
        """Whether the server wants a reply thread under every new review (``/settings``)."""
        return self.server_settings is not None and (await self.server_settings.effective(guild_id)).reply_threads

    async def cooldown_seconds(self, guild_id: int) -> float:
        """The server's review cooldown (``/settings``), else the global one."""
        if self.server_settings is None:
            return self.cooldown.seconds
        return (await self.server_settings.effective(guild_id)).review_cooldown

    # -- writing -------------------------------------------------------------------------------------

    def check_cooldown(self, guild_id: int, user_id: int, seconds: float | None = None) -> None:
        """Raise ``OnCooldown`` if the member posted a review too recently (without starting a cooldown)."""
        wait = self.cooldown.remaining((guild_id, user_id), seconds)
        if wait > 0:
            raise OnCooldown(f"You posted a review a moment ago — try again in {math.ceil(wait)} s.", wait)

    async def _writable(self, guild_id: int, user_id: int, anime: Anime, scope: EpisodeScope) -> None:
        scope.check_against(anime)
        existing = await self._store.by_author(guild_id, anime.id, user_id)
        if existing is not None:
            raise AlreadyReviewed(existing)
        self.check_cooldown(guild_id, user_id, await self.cooldown_seconds(guild_id))

    async def start(self, guild_id: int | None, user_id: int, show: str, scope: EpisodeScope,
                    caller: Caller = LOCAL) -> Anime:
        """Everything that can be checked before the form opens; the show (named by ``show``) on success.

        Raises ``NotFound``/``NotSure`` (the show), ``InvalidInput`` (scope), ``AlreadyReviewed`` (one per member
        per show), ``OnCooldown``.
        """
        guild = _guild(guild_id)
        match = await self._catalogue.show(show, caller)
        anime = await self._catalogue.anime(match.entity_id)
        await self._writable(guild, user_id, anime, scope)
        return anime

    async def suggested_scope(self, guild_id: int, user_id: int, anime: Anime, scope: EpisodeScope
                              ) -> tuple[EpisodeScope, Md | None]:
        """The scope the form defaults to, and why: a spoiler review without ``through_episode`` spoils up to the
        member's recorded progress (they cannot spoil what they haven't watched), when they are part-way through."""
        if not scope.spoilers or scope.through_episode is not None or self.progress is None:
            return scope, None
        progress = await self.progress.of(guild_id, user_id, anime.id)
        if progress is None or progress.finished or progress.episode < 1:
            return scope, None
        if anime.episodes is not None and progress.episode >= anime.episodes:
            return scope, None
        return EpisodeScope(True, progress.episode), md(
            "Spoilers through episode {n}: that's your progress (`/progress`). Reviewing further? Close this form and "
            "set `through_episode`.", n=progress.episode)

    async def create(
        self,
        *,
        guild_id: int | None,
        channel_id: int | None,
        user_id: int,
        anime_id: int,
        text: ReviewText,
        scope: EpisodeScope,
    ) -> Review:
        """Store a new review (it gets the server's next number) and start the member's cooldown."""
        guild = _guild(guild_id)
        anime = await self._catalogue.anime(anime_id)
        await self._writable(guild, user_id, anime, scope)
        key = (guild, user_id)
        self.cooldown.hit(key, await self.cooldown_seconds(guild))
        try:
            review = await self._store.insert(
                guild_id=guild, channel_id=channel_id, author_id=user_id, anime_id=anime_id, text=text,
                scope=scope, created_at=self._clock(),
            )
        except BaseException:
            self.cooldown.reset(key)
            raise
        if review is None:  # written meanwhile, from a second form
            self.cooldown.reset(key)
            again = await self._store.by_author(guild, anime_id, user_id)
            if again is None:
                raise NotFound("That review could not be saved; please try again.")
            raise AlreadyReviewed(again)
        return review

    async def attach_messages(self, review_id: int, channel_id: int, message_ids: Sequence[int]) -> Review:
        """Record where a review was posted (its message ids, in order); the updated review."""
        if not message_ids:
            raise ValueError("a posted review has at least one message")
        await self._store.set_messages(review_id, channel_id, message_ids)
        review = await self._store.by_id(review_id)
        if review is None:
            raise NotFound("That review has been deleted.")
        return review

    async def discard(self, review: Review) -> None:
        """Undo :meth:`create` for a review that could not be posted: delete it and forget the cooldown."""
        await self._store.delete(review.id, review.guild_id)
        self.cooldown.reset((review.guild_id, review.author_id))

    async def unposted(self, created_before: float) -> list[Review]:
        """Reviews saved but never posted (the bot stopped between the two steps), saved before ``created_before``."""
        return await self._store.unposted(created_before)

    async def not_posted(self, review: Review) -> None:
        """Record that a review could not be posted: it stays readable, with no channel."""
        await self._store.forget_channel(review.id)

    async def posted_as(self, guild_id: int | None, message_id: int) -> Review | None:
        """The review of this server that message ``message_id`` is (part of) the post of, if any."""
        review = await self._store.posted_as(message_id)
        return review if review is not None and review.guild_id == guild_id else None

    # -- reading -------------------------------------------------------------------------------------

    async def get(self, guild_id: int | None, number: int) -> Review:
        """Review #``number`` of this server; ``NotFound`` otherwise (including numbers of other servers)."""
        guild = _guild(guild_id)
        review = await self._store.by_number(guild, number) if number > 0 else None
        if review is None:
            raise NotFound(f"There is no review #{number} in this server.")
        return review

    async def by_id(self, guild_id: int, review_id: int) -> Review:
        """A review by internal id, only if it belongs to this server; ``NotFound`` otherwise."""
        review = await self._store.by_id(review_id)
        if review is None or review.guild_id != guild_id:
            raise NotFound("That review has been deleted.")
        return review

    async def read_show(self, guild_id: int | None, show: str, watched: int | None = None, caller: Caller = LOCAL
                        ) -> tuple[int, str, bool]:
        """The show ``show`` names, for /review read (its id, its title, and whether AniList was asked just now),
        once the options are checked."""
        _guild(guild_id)
        if watched is not None and watched < 0:
            raise InvalidInput("`watched` can't be negative.")
        match = await self._catalogue.show(show, caller)
        return match.entity_id, match.display, match.fresh

    async def reader_progress(self, guild_id: int, reader_id: int | None, anime_id: int, watched: int | None
                              ) -> Progress | None:
        """The reader's recorded progress in the show, when it decides what is hidden (no ``watched`` given)."""
        if watched is not None or reader_id is None or self.progress is None:
            return None
        return await self.progress.of(guild_id, reader_id, anime_id)

    async def step(self, guild_id: int, anime_id: int, author_id: int | None, *, after: int | None = None,
                   older: bool = True, inclusive: bool = False) -> Review | None:
        """One review of a show, by keyset on its number (see ``ReviewStore.next_for_anime``)."""
        return await self._store.next_for_anime(guild_id, anime_id, author_id, after=after, older=older,
                                                inclusive=inclusive)

    async def position(self, guild_id: int, anime_id: int, author_id: int | None, number: int) -> tuple[int, int]:
        """Where review #``number`` stands among a show's reviews, newest first: (its place from 1, how many)."""
        newer = await self._store.count_for_anime(guild_id, anime_id, author_id, newer_than=number)
        total = await self._store.count_for_anime(guild_id, anime_id, author_id)
        return newer + 1, total

    async def for_anime(self, guild_id: int, anime_id: int, author_id: int | None = None) -> list[Review]:
        """This server's reviews of a show (optionally by one member), newest first."""
        return await self._store.for_anime(guild_id, anime_id, author_id)

    async def by_author(self, guild_id: int, user_id: int, *, limit: int | None = 25) -> list[Review]:
        """A member's own reviews in this server, newest first (for autocomplete; ``limit=None``: all of them)."""
        return await self._store.for_author(guild_id, user_id, limit=limit)

    def visible_body(self, review: Review, watched: int | None, progress: Progress | None = None
                     ) -> tuple[bool, str | None]:
        """Whether a reader who has watched ``watched`` episodes gets the body hidden, and a line saying why.

        Spoiler-free reviews are always shown in clear (no note). A review spoiling up to episode N is shown in
        clear when ``watched >= N``; a whole-series review when ``watched`` reaches the episode count (if known).
        ``progress`` (when ``watched`` is None): the reader's recorded progress decides, and the note says so.
        """
        if not review.spoilers:
            return False, None
        if watched is not None and watched < 0:
            raise InvalidInput("`watched` can't be negative.")
        episodes = review.anime_episodes
        end = episodes if review.whole_series else review.through_episode
        if review.whole_series:
            reach = "the whole series" + (f" ({plural(episodes, 'episode')})" if episodes else "")
        else:
            reach = f"up to episode {end}"
        if watched is None and progress is not None:
            yours = f"your progress (`/progress`) is {progress.describe()}"
            if progress.finished or (end is not None and progress.watched >= end):
                return False, f"Shown in clear: it spoils {reach}, and {yours}."
            return True, f"Hidden: it spoils {reach}, and {yours}."
        if watched is None:
            return True, f"Hidden: it spoils {reach}. Say how far you've watched (`watched`) to see it in clear."
        if end is None:
            return True, f"Hidden: it spoils {reach}, and I don't know how many episodes there are."
        if watched >= end:
            return False, f"Shown in clear: it spoils {reach}, and you've watched {watched}."
        return True, f"Hidden: it spoils {reach}, and you've watched {watched}."

    # -- editing and deleting ------------------------------------------------------------------------

    def check_can_edit(self, review: Review, user_id: int) -> None:
        """Only the author may edit a review (moderators may delete it, not rewrite it)."""
        if review.author_id != user_id:
            raise Forbidden(f"Only the author of review #{review.number} can edit it.")

    def check_can_delete(self, review: Review, user_id: int, is_moderator: bool) -> None:
        """The author, or a member who can manage messages where it was posted, may delete a review."""
        if review.author_id != user_id and not is_moderator:
            raise Forbidden(
                f"Only the author of review #{review.number}, or a moderator who can manage messages in its "
                "channel, can delete it."
            )

    async def update(self, review: Review, user_id: int, text: ReviewText) -> Review:
        """Replace the title, body and warnings of the author's own review and set ``edited_at``."""
        self.check_can_edit(review, user_id)
        updated = await self._store.update_text(review.id, review.guild_id, text, edited_at=self._clock())
        if updated is None:
            raise NotFound(f"Review #{review.number} has been deleted.")
        return updated

    async def delete(self, review: Review, user_id: int, is_moderator: bool) -> Review:
        """Delete a review if allowed; the deleted review (its ``message_ids`` are the posts to remove)."""
        self.check_can_delete(review, user_id, is_moderator)
        if not await self._store.delete(review.id, review.guild_id):
            raise NotFound(f"Review #{review.number} has already been deleted.")
        return review
