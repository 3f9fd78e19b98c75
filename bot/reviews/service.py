"""Reviews: writing, reading, editing and deleting spoiler-safe reviews.

The rules live here so the cog stays thin: who may write, edit or delete, the limits (one review per member
per show per server, a cooldown between posts), spoiler scopes, and what a reader who has watched ``n``
episodes may see in clear. Text is stored exactly as written; escaping and spoiler markup happen when it is
shown (``bot.reviews.spoilers``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from bot.catalogue.store import Anime
from bot.config import Settings
from bot.core.cooldowns import Cooldown
from bot.core.database import Database
from bot.core.markdown import plural, safe_inline, sanitize_text
from bot.errors import Forbidden, InvalidInput, NotFound, OnCooldown
from bot.reviews.spoilers import header_for_scope
from bot.reviews.store import Review

__all__ = [
    "BODY_MAX",
    "TITLE_MAX",
    "WARNINGS_MAX",
    "AlreadyReviewed",
    "Review",
    "ReviewService",
    "scope_header",
]

TITLE_MAX = 100
BODY_MAX = 4000
WARNINGS_MAX = 300


class AlreadyReviewed(InvalidInput):
    """The member already reviewed this show in this server; ``review`` is that review (offer to edit it)."""

    def __init__(self, review: Review) -> None:
        super().__init__(
            f"You've already reviewed {safe_inline(review.anime_title, max_len=200)} here (review #{review.number}) — "
            "one review per show. You can edit that one instead."
        )
        self.review = review


def scope_header(review: Review) -> str:
    """The visible spoiler line of a review: "Spoiler-free", "Spoilers through episode N" or the whole series."""
    return header_for_scope(review.through_episode, review.spoilers, review.anime_episodes)


def _visible(text: str) -> bool:
    """Whether ``text`` shows anything once invisible characters and whitespace are gone."""
    return bool(sanitize_text(text).strip())


def _clean_title(title: str) -> str:
    text = title.strip()
    if not _visible(text):
        raise InvalidInput("Please give your review a title.")
    if len(text) > TITLE_MAX:
        raise InvalidInput(f"That title is {len(text)} characters long; {TITLE_MAX} at most, please.")
    return text


def _clean_body(body: str) -> str:
    text = body.strip()
    if not _visible(text):
        raise InvalidInput("Your review is empty — please write something.")
    if len(text) > BODY_MAX:
        raise InvalidInput(f"Your review is {len(text)} characters long; {BODY_MAX} at most, please.")
    return text


def _clean_warnings(warnings: str | None) -> str | None:
    text = (warnings or "").strip()
    if not _visible(text):
        return None
    if len(text) > WARNINGS_MAX:
        raise InvalidInput(f"The content warnings are {len(text)} characters long; {WARNINGS_MAX} at most, please.")
    return text


class ReviewService:
    """Review rules: who may do what, limits, spoiler scopes."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        cooldown_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self.cooldown = Cooldown(settings.review_cooldown, clock=cooldown_clock, what="reviews")

    # -- writing -------------------------------------------------------------------------------------

    async def anime(self, anime_id: int) -> Anime:
        """The show a review is about; ``NotFound`` if it is not in the catalogue."""
        anime = await self._db.catalogue.anime(anime_id)
        if anime is None:
            raise NotFound("That show is no longer in the catalogue.")
        return anime

    def check_scope(self, anime: Anime, spoilers: bool, through_episode: int | None) -> None:
        """Refuse a spoiler scope that makes no sense for ``anime`` (``InvalidInput``)."""
        if through_episode is None:
            return
        if not spoilers:
            raise InvalidInput(
                "`through_episode` only goes with spoilers: leave it out for a spoiler-free review, "
                "or set `spoilers` to true."
            )
        if anime.episodes is not None and not 1 <= through_episode <= anime.episodes:
            raise InvalidInput(
                f"{safe_inline(anime.title, max_len=200)} has {plural(anime.episodes, 'episode')}, so "
                f"`through_episode` must be between 1 and {anime.episodes}."
            )
        if through_episode < 1:
            raise InvalidInput("`through_episode` must be at least 1.")

    def check_cooldown(self, guild_id: int, user_id: int) -> None:
        """Raise ``OnCooldown`` if the member posted a review too recently (without starting a cooldown)."""
        wait = self.cooldown.remaining((guild_id, user_id))
        if wait > 0:
            raise OnCooldown(f"You posted a review a moment ago — try again in {math.ceil(wait)} s.", wait)

    async def check_can_write(
        self,
        guild_id: int,
        user_id: int,
        anime_id: int,
        *,
        spoilers: bool = True,
        through_episode: int | None = None,
    ) -> Anime:
        """Everything that can be checked before the modal opens; the show on success.

        Raises ``InvalidInput`` (scope), ``AlreadyReviewed`` (one per member per show), ``OnCooldown``.
        """
        anime = await self.anime(anime_id)
        self.check_scope(anime, spoilers, through_episode)
        existing = await self._db.reviews.by_author(guild_id, anime_id, user_id)
        if existing is not None:
            raise AlreadyReviewed(existing)
        self.check_cooldown(guild_id, user_id)
        return anime

    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int | None,
        user_id: int,
        anime_id: int,
        title: str,
        body: str,
        warnings: str | None = None,
        spoilers: bool = True,
        through_episode: int | None = None,
    ) -> Review:
        """Validate and store a new review (it gets the server's next number) and start the member's cooldown."""
        anime = await self.anime(anime_id)
        self.check_scope(anime, spoilers, through_episode)
        clean_title, clean_body, clean_warnings = _clean_title(title), _clean_body(body), _clean_warnings(warnings)
        existing = await self._db.reviews.by_author(guild_id, anime_id, user_id)
        if existing is not None:
            raise AlreadyReviewed(existing)
        key = (guild_id, user_id)
        self.check_cooldown(guild_id, user_id)
        self.cooldown.hit(key)
        try:
            review = await self._db.reviews.insert(
                guild_id=guild_id,
                channel_id=channel_id,
                author_id=user_id,
                anime_id=anime_id,
                title=clean_title,
                body=clean_body,
                warnings=clean_warnings,
                spoilers=spoilers,
                through_episode=through_episode,
                created_at=self._clock(),
            )
        except BaseException:
            self.cooldown.reset(key)
            raise
        if review is None:  # written meanwhile, from a second modal
            self.cooldown.reset(key)
            again = await self._db.reviews.by_author(guild_id, anime_id, user_id)
            if again is None:
                raise NotFound("That review could not be saved; please try again.")
            raise AlreadyReviewed(again)
        return review

    async def attach_messages(self, review_id: int, channel_id: int, message_ids: Sequence[int]) -> Review:
        """Record where a review was posted (its message ids, in order); the updated review."""
        if not message_ids:
            raise ValueError("a posted review has at least one message")
        await self._db.reviews.set_messages(review_id, channel_id, message_ids)
        review = await self._db.reviews.by_id(review_id)
        if review is None:
            raise NotFound("That review has been deleted.")
        return review

    async def discard(self, review: Review) -> None:
        """Undo :meth:`create` for a review that could not be posted: delete it and forget the cooldown."""
        await self._db.reviews.delete(review.id, review.guild_id)
        self.cooldown.reset((review.guild_id, review.author_id))

    # -- reading -------------------------------------------------------------------------------------

    async def get(self, guild_id: int, number: int) -> Review:
        """Review #``number`` of this server; ``NotFound`` otherwise (including numbers of other servers)."""
        review = await self._db.reviews.by_number(guild_id, number) if number > 0 else None
        if review is None:
            raise NotFound(f"There is no review #{number} in this server.")
        return review

    async def by_id(self, guild_id: int, review_id: int) -> Review:
        """A review by internal id, only if it belongs to this server; ``NotFound`` otherwise."""
        review = await self._db.reviews.by_id(review_id)
        if review is None or review.guild_id != guild_id:
            raise NotFound("That review has been deleted.")
        return review

    async def for_anime(self, guild_id: int, anime_id: int, author_id: int | None = None) -> list[Review]:
        """This server's reviews of a show (optionally by one member), newest first."""
        return await self._db.reviews.for_anime(guild_id, anime_id, author_id)

    async def by_author(self, guild_id: int, user_id: int, *, limit: int | None = 25) -> list[Review]:
        """A member's own reviews in this server, newest first (for autocomplete; ``limit=None``: all of them)."""
        return await self._db.reviews.for_author(guild_id, user_id, limit=limit)

    def visible_body(self, review: Review, watched: int | None) -> tuple[bool, str | None]:
        """Whether a reader who has watched ``watched`` episodes gets the body hidden, and a line saying why.

        Spoiler-free reviews are always shown in clear (no note). A review spoiling up to episode N is shown in
        clear when ``watched >= N``; a whole-series review when ``watched`` reaches the episode count (if known).
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

    async def update(
        self,
        review: Review,
        user_id: int,
        *,
        title: str,
        body: str,
        warnings: str | None = None,
    ) -> Review:
        """Replace the title, body and warnings of the author's own review and set ``edited_at``."""
        self.check_can_edit(review, user_id)
        clean_title, clean_body, clean_warnings = _clean_title(title), _clean_body(body), _clean_warnings(warnings)
        updated = await self._db.reviews.update_text(
            review.id,
            review.guild_id,
            title=clean_title,
            body=clean_body,
            warnings=clean_warnings,
            edited_at=self._clock(),
        )
        if updated is None:
            raise NotFound(f"Review #{review.number} has been deleted.")
        return updated

    async def delete(self, review: Review, user_id: int, is_moderator: bool) -> Review:
        """Delete a review if allowed; the deleted review (its ``message_ids`` are the posts to remove)."""
        self.check_can_delete(review, user_id, is_moderator)
        if not await self._db.reviews.delete(review.id, review.guild_id):
            raise NotFound(f"Review #{review.number} has already been deleted.")
        return review
