"""/ratings mine a page at a time: each press reads one page of the member's scores by key (pure of Discord).

A page is named by the first and last show on it; the member is whoever pressed (only the member who asked
may press), so the buttons carry nothing else.
"""

from __future__ import annotations

from bot.core.pages import Action, Shown, State, by_index
from bot.core.text import plural
from bot.errors import InvalidInput
from bot.ratings import render
from bot.ratings.service import RatingService

__all__ = ["KIND", "TOP", "top", "turn"]

KIND = "rm"
STALE = "These buttons are out of date — run `/ratings mine` again."


async def turn(service: RatingService, guild_id: int | None, member_id: int, action: Action,
               state: State = ()) -> Shown:
    """The page ``action`` leads to from the page ``state`` names (``"f"`` with no state: the command's answer)."""
    first = last = None
    if action in ("n", "p"):
        if len(state) != 2 or state[0] is None or state[1] is None:
            raise InvalidInput(STALE)
        first, last = state
    page = await service.mine_page(guild_id, member_id, size=render.PER_PAGE,
                                   after=last if action == "n" else first, forward=action in ("f", "n"))
    if not page.result.shows:
        return Shown(None, gone=render.NOTHING_OF_YOURS)
    card = render.render_mine(page.result)[0]
    footer = f"{plural(page.shows, 'show')} · {plural(page.scores, 'score')}"
    if page.pages > 1:
        footer = f"Page {page.number}/{page.pages} · {footer}"
    return Shown(card.with_footer(footer), (page.keys[0], page.keys[-1]),
                 has_previous=page.number > 1, has_next=page.number < page.pages)


TOP = "rt"


async def top(service: RatingService, guild_id: int | None, action: Action, state: State = (),
              category: str | None = None) -> Shown:
    """A page of /ratings top: computed from the (cached) leaderboard on each press; its state is the category
    (its place in the server's set, 0 for overall) and the page."""
    if state:
        if len(state) != 2 or state[0] is None or state[1] is None:
            raise InvalidInput("These buttons are out of date — run `/ratings top` again.")
        place, index = int(state[0] or 0), int(state[1] or 0)
        categories = await service.categories(guild_id)
        if place:
            if not 0 < place <= len(categories.categories):
                raise InvalidInput("These buttons are out of date — run `/ratings top` again.")
            category = categories.categories[place - 1].key
    else:
        index = 0
    board = await service.top(guild_id, category)
    if not board.rows:
        return Shown(None, gone=render.NOTHING_RATED)
    categories = await service.categories(guild_id)
    place = next((i + 1 for i, c in enumerate(categories.categories) if c.key == board.category), 0)
    return by_index(render.render_top(board), action, index, (place,))
