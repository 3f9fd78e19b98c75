"""A page of a paged answer, as its feature fetched it (pure): what is shown and what the buttons may do.

The page's *state* is a few integers that name it (the show, the key of the row shown, …); the Discord side
(``bot.ui.pages``) keeps that state in the buttons' ``custom_id`` and hands it back on the next press, so the
feature fetches only the page asked for and nothing is kept in memory between presses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.cards import Card
from bot.core.text import Md

__all__ = ["Action", "Shown", "State", "by_index", "numbered"]

Action = Literal["f", "p", "n", "l"]
"""First, previous, next, last."""
State = tuple[int | None, ...]


@dataclass(frozen=True)
class Shown:
    """A page as fetched: its card, the state that names it, and whether pages come before and after it.

    ``card`` ``None`` means nothing is left to show (everything was deleted meanwhile); ``gone`` says so.
    """

    card: Card | None
    state: State = ()
    has_previous: bool = False
    has_next: bool = False
    gone: Md | None = None

    @property
    def single(self) -> bool:
        """Whether this is the only page (no buttons needed)."""
        return not (self.has_previous or self.has_next)


def numbered(page: Card, number: int, count: int) -> Card:
    """A page with "Page n/N" in front of its footer."""
    return page.with_footer(f"Page {number}/{count}" + (f" · {page.footer}" if page.footer else ""))


def by_index(pages: Sequence[Card], action: Action, index: int, prefix: State = ()) -> Shown:
    """The page ``action`` leads to in a short list computed whole on each press (its state: ``prefix`` and the
    page's index); numbered when there is more than one."""
    count = len(pages)
    if not count:
        return Shown(None)
    target = {"f": 0, "l": count - 1, "n": index + 1, "p": index - 1}[action]
    target = max(0, min(target, count - 1))
    page = numbered(pages[target], target + 1, count) if count > 1 else pages[target]
    return Shown(page, (*prefix, target), has_previous=target > 0, has_next=target < count - 1)
