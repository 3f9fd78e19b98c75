"""The watchlist's plain data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WatchEntry:
    """A show a member means to watch."""

    anime_id: int
    title: str
