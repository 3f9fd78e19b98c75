"""AniList's airing schedule as plain data: which episode of which show airs when."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Airing:
    """One episode's airing: when (Unix seconds), which AniList show, which episode."""

    airing_at: int
    anilist_id: int
    episode: int


def airing_of(entry: Any) -> Airing | None:
    """An airing schedule entry from AniList's answer; None when it is not one (never trust a shape)."""
    if not isinstance(entry, dict):
        return None
    values = (entry.get("airingAt"), entry.get("mediaId"), entry.get("episode"))
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values):
        return None
    at, media, episode = values
    assert isinstance(at, int) and isinstance(media, int) and isinstance(episode, int)
    return Airing(at, media, episode)
