"""/review read's pages, fetched one at a time: one review per page (a long one over several), newest first.

A page is named by a few integers (the show, the reader's ``watched``, the author filter, the review's number
and which part of it is shown), which the buttons carry; each press fetches the neighbouring review by its
number (a keyset step) and counts where it stands, so a page costs the same however many reviews a show has,
and a review deleted while someone reads simply drops out of the way.
"""

from __future__ import annotations

from bot.core.pages import Action, Shown, State
from bot.errors import InvalidInput
from bot.progress.models import Progress
from bot.reviews import render
from bot.reviews.models import Review
from bot.reviews.service import ReadItem, ReviewService

__all__ = ["KIND", "first", "turn"]

KIND = "rv"
_LAST = -1  # "the last part of the review", until it is rendered
STALE = "These buttons are out of date — run `/review read` again."


async def _shown(service: ReviewService, guild_id: int, anime_id: int, watched: int | None, author_id: int | None,
                 review: Review, part: int, progress: Progress | None) -> Shown:
    position, total = await service.position(guild_id, anime_id, author_id, review.number)
    item = ReadItem(review, *service.visible_body(review, watched, progress))
    cards = render.reading_pages(position, max(total, position), item)
    part = len(cards) - 1 if part == _LAST else max(0, min(part, len(cards) - 1))
    return Shown(
        cards[part], (anime_id, watched, author_id, review.number, part),
        has_previous=position > 1 or part > 0, has_next=position < total or part < len(cards) - 1,
    )


async def first(service: ReviewService, guild_id: int, anime_id: int, title: str, watched: int | None,
                author_id: int | None, reader_id: int | None = None) -> Shown:
    """The first page: the newest review's first part (or why there is none).

    Without ``watched``, the reader's recorded progress (``/progress``) decides what is hidden, read again on
    every page (it may change while they read).
    """
    review = await service.step(guild_id, anime_id, author_id)
    if review is None:
        return Shown(None, gone=render.nobody_reviewed(title, author_id))
    progress = await service.reader_progress(guild_id, reader_id, anime_id, watched)
    return await _shown(service, guild_id, anime_id, watched, author_id, review, 0, progress)


def _parts(service: ReviewService, review: Review, watched: int | None, progress: Progress | None) -> int:
    hidden, note = service.visible_body(review, watched, progress)
    return render.card_count(review, hidden=hidden, note=note)


async def turn(service: ReviewService, guild_id: int | None, action: Action, state: State,
               reader_id: int | None = None) -> Shown:
    """The page ``action`` leads to from the page ``state`` names (``reader_id``: whose progress counts)."""
    if guild_id is None or len(state) != 5:
        raise InvalidInput(STALE)
    anime_id, watched, author_id, number, part = state
    if anime_id is None or number is None or part is None:
        raise InvalidInput(STALE)
    progress = await service.reader_progress(guild_id, reader_id, anime_id, watched)
    review: Review | None
    if action == "f":
        review, part = await service.step(guild_id, anime_id, author_id), 0
    elif action == "l":
        review, part = await service.step(guild_id, anime_id, author_id, older=False), _LAST
    else:
        forward = action == "n"
        here = await service.step(guild_id, anime_id, author_id, after=number, inclusive=True)
        if here is not None and here.number != number:
            here = None  # the review on screen was deleted meanwhile
        if here is not None and (part + 1 < _parts(service, here, watched, progress) if forward else part > 0):
            review, part = here, part + (1 if forward else -1)
        else:
            # The neighbouring review (older going forward); at an end (or if it was deleted), the nearest one left.
            review = await service.step(guild_id, anime_id, author_id, after=number, older=forward)
            part = 0 if forward else _LAST
            if review is None:
                review = await service.step(guild_id, anime_id, author_id, after=number, older=not forward,
                                            inclusive=True)
                part = _LAST if forward else 0
    if review is None:
        return Shown(None, gone=render.reviews_gone())
    return await _shown(service, guild_id, anime_id, watched, author_id, review, part, progress)
