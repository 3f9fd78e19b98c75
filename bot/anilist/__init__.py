"""AniList (https://graphql.anilist.co) look-ups for kansou, mapped to catalogue bundles and search hits.

Wiring (in ``bot.app``, once per process — the limiter only works if everyone shares one client)::

    async with make_http_client(settings.anilist_timeout) as http:
        anilist = AniListClient(http, url=settings.anilist_url, per_minute=settings.anilist_per_minute)
        ...
        hits = await anilist.search_character("Frieren", max_wait=2.0)

The HTTP client belongs to the caller; ``make_http_client`` builds the recommended one (connect and read
timeouts, a User-Agent naming kansou). Errors are kansou's own: ``UpstreamUnavailable`` (member-safe message,
``retry_after`` in seconds when known) and ``NotFound``; nothing from ``httpx`` escapes.

Modules: ``client`` (the client), ``queries`` (every GraphQL document, ``ALL_QUERIES``), ``limiter`` (the
sliding-window limiter), ``singleflight``, ``mapping`` (JSON → records), ``models`` (search results),
``schema`` (AniList's published schema, shipped as package data).
"""

from __future__ import annotations

from bot.anilist.client import (
    ANILIST_URL,
    DEFAULT_MAX_PAGES,
    DEFAULT_PER_MINUTE,
    USER_AGENT,
    AniListClient,
    make_http_client,
)
from bot.anilist.limiter import LimiterBusy, SlidingWindowLimiter
from bot.anilist.models import AnimeHit, CharacterHit, MediaRef, PersonHit
from bot.anilist.queries import ALL_QUERIES

__all__ = [
    "ALL_QUERIES",
    "ANILIST_URL",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_PER_MINUTE",
    "USER_AGENT",
    "AniListClient",
    "AnimeHit",
    "CharacterHit",
    "LimiterBusy",
    "MediaRef",
    "PersonHit",
    "SlidingWindowLimiter",
    "make_http_client",
]
