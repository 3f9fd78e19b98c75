"""AniList enrichment: fetch what the local catalogue lacks, store it, refresh it when it grows old.

Fetches happen on demand only (a member's look-up that found nothing, or an admin's import); nothing
crawls. Every fetch is charged to the member who caused it (a per-member cooldown), so nobody can spend
the whole process's AniList budget — but only a fetch that reached AniList and got its answer (which may be
"nothing by that name") is charged: a failure of AniList's, or an answer served locally, costs the member
nothing. When AniList fails, data we already have is served with its age.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Literal

from bot.anilist import AniListClient
from bot.catalogue.models import Anime, CatalogueBundle, Kind, LoadReport, Person
from bot.catalogue.service import ImportResult
from bot.catalogue.store import CatalogueStore
from bot.core.cooldowns import Cooldown
from bot.core.text import quote
from bot.errors import NotFound, OnCooldown, UpstreamUnavailable

log = logging.getLogger(__name__)

SOURCE = "anilist"
# An interaction is deferred before we ask AniList, so a few seconds of waiting for a slot are fine;
# past this the member is told when to try again instead.
MAX_WAIT = 8.0


def _unavailable_for_miss(query: str, error: UpstreamUnavailable) -> UpstreamUnavailable:
    """One sentence: what we lack, and AniList's own reason, which says when to retry if AniList said so."""
    # The client's messages are whole sentences ("AniList is not answering right now.", "AniList is rate limiting
    # us; try again in 60 s."): say it once, and add a wait only when it names none.
    wait = "" if error.retry_after else " Try again in a minute."
    return UpstreamUnavailable(f"I don't have {quote(query)} yet, and {error}{wait}", retry_after=error.retry_after)


class AniListEnricher:
    """Fills the catalogue from AniList on demand, politely and per member."""

    def __init__(
        self,
        client: AniListClient,
        repo: CatalogueStore,
        *,
        max_age_days: float = 7.0,
        member_cooldown: float = 3.0,
        max_wait: float = MAX_WAIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self._repo = repo
        self.max_age = max_age_days * 86400.0
        self._max_wait = max_wait
        self._clock = clock
        self.cooldown = Cooldown(member_cooldown, what="AniList look-ups")

    async def _store(self, bundle: CatalogueBundle) -> LoadReport:
        report = await self._repo.load_bundle(bundle, source=SOURCE, fetched_at=self._clock())
        log.info("stored from AniList: %s", report.describe())
        return report

    def check(self, requester: Hashable | None) -> None:
        """Raise ``OnCooldown`` (or ``UpstreamUnavailable``: their share of AniList is used up) now if ``requester``
        may not ask AniList yet (before a look-up defers)."""
        if requester is not None:
            self.cooldown.check(requester)
            self.client.check_share(requester)

    @contextlib.contextmanager
    def _charged(self, requester: Hashable | None) -> Iterator[None]:
        """Charge ``requester`` for a fetch only when it succeeds (see ``Cooldown.charged``), and every request it
        sends to their share of the AniList budget (see ``AniListClient.on_behalf_of``)."""
        cooldown = self.cooldown.charged(requester) if requester is not None else contextlib.nullcontext()
        with cooldown, self.client.on_behalf_of(requester):
            yield

    async def fetch_missing(self, kind: Kind, query: str, requester: Hashable | None = None) -> int | None:
        """Find ``query`` on AniList, store what it returns, and give the local id (None: AniList has nothing).

        ``requester`` is charged when AniList answered (even "nothing"), never when it failed.
        """
        try:
            with self._charged(requester):
                return await self._fetch_missing(kind, query)
        except UpstreamUnavailable as exc:
            raise _unavailable_for_miss(query, exc) from exc

    async def _fetch_missing(self, kind: Kind, query: str) -> int | None:
        try:
            if kind == "anime":
                hits = await self.client.search_anime(query, limit=1, max_wait=self._max_wait)
                if not hits:
                    return None
                await self._store(await self.client.fetch_anime(hits[0].anilist_id, max_wait=self._max_wait))
                anime = await self._repo.anime_by_anilist(hits[0].anilist_id)
                return anime.id if anime else None
            if kind == "character":
                characters = await self.client.search_character(query, limit=1, max_wait=self._max_wait)
                if not characters or not characters[0].media:
                    return None
                media = characters[0].media[0]
                await self._store(await self.client.fetch_anime(media.anilist_id, max_wait=self._max_wait))
                character = await self._repo.character_by_anilist(characters[0].anilist_id)
                return character.id if character else None
            people = await self.client.search_staff(query, limit=1, max_wait=self._max_wait)
            if not people:
                return None
            await self._store(await self.client.fetch_person(people[0].anilist_id, max_wait=self._max_wait))
            person = await self._repo.person_by_anilist(people[0].anilist_id)
            return person.id if person else None
        except NotFound:
            return None  # AniList answered: it has nothing by that name (or id)

    def _age(self, fetched_at: float | None) -> float | None:
        return None if fetched_at is None else max(0.0, self._clock() - fetched_at)

    def is_stale(self, entity: Anime | Person) -> bool:
        """Whether ``entity`` came from AniList longer ago than the maximum age."""
        age = self._age(entity.fetched_at)
        return entity.anilist_id is not None and age is not None and age >= self.max_age

    async def refresh(
        self, kind: Literal["anime", "person"], entity: Anime | Person, requester: Hashable | None = None
    ) -> float | None:
        """Refresh AniList data older than the maximum age; return its age when it is stale and AniList failed.

        Curated entries (no AniList id, or never fetched) are never refreshed.
        """
        age = self._age(entity.fetched_at)
        if entity.anilist_id is None or age is None or not self.is_stale(entity):
            return None
        try:
            self.check(requester)
        except (OnCooldown, UpstreamUnavailable):
            return age  # this member just asked AniList (or used their share of it): serve what we have
        try:
            with self._charged(requester):
                if kind == "anime":
                    bundle = await self.client.fetch_anime(entity.anilist_id, max_wait=self._max_wait)
                else:
                    bundle = await self.client.fetch_person(entity.anilist_id, max_wait=self._max_wait)
                await self._store(bundle)
            return None
        except (UpstreamUnavailable, NotFound) as exc:
            log.warning("could not refresh %s %s from AniList (%s); serving data %.0f s old", kind,
                        entity.anilist_id, exc, age)
            return age

    async def import_anime(self, query: str, requester: Hashable | None = None) -> ImportResult:
        """Fetch one show on purpose (admin import) and report what was added (charged only when AniList answered)."""
        with self._charged(requester):
            hits = await self.client.search_anime(query, limit=1, max_wait=self._max_wait)
            if hits:
                bundle = await self.client.fetch_anime(hits[0].anilist_id, max_wait=self._max_wait)
                report = await self._store(bundle)
        if not hits:
            raise NotFound(f"AniList has no anime matching {quote(query)}.")
        anime = await self._repo.anime_by_anilist(hits[0].anilist_id)
        if anime is None:  # pragma: no cover - load_bundle stores what fetch_anime returns
            raise NotFound("AniList's answer could not be stored.")
        return ImportResult(anime, report, bundle.notes)
