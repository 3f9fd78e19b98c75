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

from bot.anilist import AniListClient, AnimeHit
from bot.catalogue.models import Anime, CatalogueBundle, Kind, LoadReport, Person, format_label
from bot.catalogue.search import ANILIST_PREFIX, MAX_ID
from bot.catalogue.service import ImportResult
from bot.catalogue.store import CatalogueStore
from bot.catalogue.title_store import TitleStore
from bot.catalogue.titles import MAX_EPISODES, MAX_NAME, MAX_YEAR, TitleEntry
from bot.core.cooldowns import Cooldown
from bot.core.names import normalize
from bot.core.text import quote
from bot.errors import NotFound, NotSure, OnCooldown, UpstreamUnavailable

log = logging.getLogger(__name__)

SOURCE = "anilist"
# An interaction is deferred before we ask AniList, so a few seconds of waiting for a slot are fine;
# past this the member is told when to try again instead.
MAX_WAIT = 8.0
# How many AniList matches one search brings back: enough to offer the seasons and movies of a title as choices,
# in the same single request.
SEARCH_HITS = 8
# AniList's matches for a title that matched nothing locally are offered to autocomplete this long (titles and
# ids only; a week: titles rarely change, and the cache is refilled by the next miss).
SEARCH_TTL = 7 * 86400.0


def hit_entry(hit: AnimeHit) -> TitleEntry | None:
    """An AniList match as the title index keeps it, its numbers bounded (None: an id no database can store)."""
    if not 0 < hit.anilist_id <= MAX_ID:
        return None
    names = tuple(dict.fromkeys(" ".join(t.split())[:MAX_NAME] for t in
                                (hit.title_english, hit.title_romaji, hit.title_native) if t and t.strip()))
    if not names:
        return None
    episodes = hit.episodes if hit.episodes is not None and 0 <= hit.episodes <= MAX_EPISODES else 0
    year = hit.year if hit.year is not None and 1900 <= hit.year <= MAX_YEAR else None
    return TitleEntry(key=f"{ANILIST_PREFIX}{hit.anilist_id}", anilist_id=hit.anilist_id, mal_id=None,
                      title=names[0], format=hit.format or "UNKNOWN", episodes=episodes, season=None, year=year,
                      names=names)


def hit_entries(hits: list[AnimeHit]) -> list[TitleEntry]:
    """The matches the title index can keep."""
    return [entry for entry in map(hit_entry, hits) if entry is not None]


def hit_label(hit: AnimeHit) -> str:
    """How an AniList match reads in a list of choices: "Title (Romaji) · 2023 · TV"."""
    label = hit.display_title
    if hit.title_romaji and normalize(hit.title_romaji) != normalize(label):
        label += f" ({hit.title_romaji})"
    details = [str(hit.year) if hit.year else None, format_label(hit.format)]
    return " · ".join([label, *(d for d in details if d)])


def pick_hit(query: str, hits: list[AnimeHit]) -> AnimeHit:
    """The one AniList match ``query`` names, or ``NotSure`` with every match as a choice — never a guess.

    One match is that match. Among several, the only one with a title equal to the query (normalised: case,
    accents and long vowels aside) is it; otherwise (no title equal, or several: a series and its movie) the
    member picks. The choices' values are ``anilist:ID``, which the catalogue fetches when picked.
    """
    if len(hits) == 1:
        return hits[0]
    wanted = normalize(query)
    exact = [h for h in hits
             if any(t and normalize(t) == wanted for t in (h.title_romaji, h.title_english, h.title_native))]
    if len(exact) == 1:
        return exact[0]
    shown = exact if exact else hits
    raise NotSure(f"AniList knows several shows by the name {quote(query)}: which one do you mean?",
                  [hit_label(h) for h in shown], [f"{ANILIST_PREFIX}{h.anilist_id}" for h in shown], query)


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
        titles: TitleStore | None = None,
        search_ttl: float = SEARCH_TTL,
    ) -> None:
        self.client = client
        self._repo = repo
        self._titles = titles
        self._search_ttl = search_ttl
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
                hits = await self.client.search_anime(query, limit=SEARCH_HITS, max_wait=self._max_wait)
                await self._remember(hits)
                if not hits:
                    return None
                return await self._fetch_show(pick_hit(query, hits).anilist_id)
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

    async def _remember(self, hits: list[AnimeHit]) -> None:
        """Keep AniList's matches (titles and ids) a while, so the next member's autocomplete offers them."""
        if self._titles is not None and hits:
            now = self._clock()
            try:
                await self._titles.remember(hit_entries(hits), now + self._search_ttl, now)
            except Exception:  # a cache for autocomplete: failing to keep it must not fail the member's look-up
                log.warning("could not keep %d AniList search results for autocomplete", len(hits), exc_info=True)

    async def _fetch_show(self, anilist_id: int) -> int | None:
        """Fetch one show (with its credits) by AniList id unless it is already stored; its local id."""
        anime = await self._repo.anime_by_anilist(anilist_id)
        if anime is None:
            await self._store(await self.client.fetch_anime(anilist_id, max_wait=self._max_wait))
            anime = await self._repo.anime_by_anilist(anilist_id)
        return anime.id if anime else None

    async def fetch_show(self, anilist_id: int, requester: Hashable | None = None) -> int | None:
        """The show with this AniList id, stored with its credits (fetched if need be); None: AniList has none.

        ``requester`` is charged when AniList answered, never when it failed.
        """
        try:
            with self._charged(requester):
                try:
                    return await self._fetch_show(anilist_id)
                except NotFound:
                    return None
        except UpstreamUnavailable as exc:
            raise _unavailable_for_miss(f"AniList show {anilist_id}", exc) from exc

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
