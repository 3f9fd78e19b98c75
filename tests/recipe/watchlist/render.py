"""What members read of their watchlist (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.cards import Card
from bot.core.text import Md, inline, md
from tests.recipe.watchlist.models import WatchEntry


def added(title: str, new: bool) -> Md:
    """The answer to adding a show."""
    if new:
        return md("Added **{title}** to your watchlist.", title=inline(title, 200))
    return md("**{title}** is on your watchlist already.", title=inline(title, 200))


def watchlist(entries: Sequence[WatchEntry]) -> Card:
    """The member's list."""
    lines = [md("{n}. {title}", n=n, title=inline(e.title, 200)) for n, e in enumerate(entries, 1)]
    return Card(title="Your watchlist", description=Md("\n").lines(lines) or Md("Nothing yet."))
