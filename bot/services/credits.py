"""Credits look-ups: a show's staff and cast, who voiced a character, and everything a person did."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Literal

from bot.errors import InvalidInput, NotFound
from bot.services.enrich import AniListEnricher
from bot.services.names import normalize
from bot.services.search import ID_PREFIX, Match, NameSearch
from bot.storage.catalogue import Anime, CatalogueRepo, Character, Kind, Person, StaffRole, VoiceRole

Language = Literal["japanese", "english", "all"]
OTHER_ROLES = 5


def parse_language(text: str) -> Language:
    """The language filter of /voiced from its option value."""
    languages: dict[str, Language] = {"japanese": "japanese", "english": "english", "all": "all"}
    try:
        return languages[text.strip().lower()]
    except KeyError:
        pass
    raise InvalidInput("Language must be Japanese, English or All languages.")


@dataclass(frozen=True)
class AnimeCredits:
    """A show with its staff (role → people) and cast (character → voice actors by language)."""

    anime: Anime
    aliases: list[str]
    staff: list[tuple[str, list[Person]]]
    cast: list[tuple[Character, list[VoiceRole]]]
    stale_age: float | None = None


@dataclass(frozen=True)
class VoicedCredit:
    """One voice actor of the character in one show, with a few of their other roles."""

    role: VoiceRole
    other_roles: list[VoiceRole]


@dataclass(frozen=True)
class VoicedResult:
    """Who voiced a character, by show and language."""

    character: Character
    aliases: list[str]
    language: Language
    credits: list[VoicedCredit]
    other_languages: list[str]
    anime_filter: Anime | None = None
    stale_age: float | None = None


@dataclass(frozen=True)
class PersonCredits:
    """Everything a person did: voice roles grouped by show, then staff roles."""

    person: Person
    aliases: list[str]
    voice: list[tuple[Anime, list[VoiceRole]]]
    staff: list[tuple[Anime, list[str]]]
    stale_age: float | None = None


@dataclass(frozen=True)
class Caller:
    """Who asked: ``key`` is charged for AniList requests; ``before_remote`` runs before the first one.

    A cog passes a ``before_remote`` that defers the interaction, so only look-ups that really go to
    AniList pay for the extra round trip of a deferral.
    """

    key: Hashable | None = None
    before_remote: Callable[[], Awaitable[None]] | None = None

    async def going_remote(self) -> None:
        """Run ``before_remote`` (once is enough; later calls are harmless)."""
        if self.before_remote is not None:
            await self.before_remote()


LOCAL = Caller()


class CreditsService:
    """Answers the credits commands from the catalogue, asking a fallback when it has nothing."""

    def __init__(self, repo: CatalogueRepo, search: NameSearch, enricher: AniListEnricher | None = None) -> None:
        self._repo = repo
        self._search = search
        self.enricher = enricher
        self._misses: dict[tuple[str, str], asyncio.Lock] = {}

    async def _resolve(self, kind: Kind, query: str, caller: Caller) -> Match:
        try:
            return await self._search.resolve(kind, query)
        except NotFound as exc:
            if self.enricher is None or query.strip().startswith(ID_PREFIX):
                raise
            miss = exc
        await caller.going_remote()
        # One AniList fetch per missing name: whoever waited here while another member's fetch of the same
        # name ran finds it locally on the second look.
        key = (kind, normalize(query))
        lock = self._misses.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                try:
                    return await self._search.resolve(kind, query)
                except NotFound:
                    pass
                entity_id = await self.enricher.fetch_missing(kind, query.strip(), caller.key)
        finally:
            if not lock.locked() and self._misses.get(key) is lock:
                del self._misses[key]
        if entity_id is None:
            raise NotFound(f"{miss} AniList doesn't know it either.", miss.suggestions) from None
        return await self._search.resolve(kind, f"{ID_PREFIX}{entity_id}")

    async def _refresh(self, kind: Literal["anime", "person"], entity: Anime | Person, caller: Caller) -> float | None:
        if self.enricher is None or not self.enricher.is_stale(entity):
            return None
        await caller.going_remote()
        return await self.enricher.refresh(kind, entity, caller.key)

    async def anime_credits(self, query: str, caller: Caller = LOCAL) -> AnimeCredits:
        """The staff and cast of the show ``query`` names."""
        match = await self._resolve("anime", query, caller)
        anime = await self._repo.anime(match.entity_id)
        if anime is None:
            raise NotFound("That show is no longer in the catalogue.")
        stale_age = await self._refresh("anime", anime, caller)
        anime = await self._repo.anime(anime.id) or anime
        staff: dict[str, list[Person]] = {}
        for credit in await self._repo.anime_staff(anime.id):
            staff.setdefault(credit.role, []).append(credit.person)
        cast: dict[int, tuple[Character, list[VoiceRole]]] = {}
        for role in await self._repo.anime_cast(anime.id):
            cast.setdefault(role.character.id, (role.character, []))[1].append(role)
        for _, roles in cast.values():
            roles.sort(key=lambda r: (r.language != "japanese", r.language, r.person.name))
        aliases = await self._repo.aliases("anime", anime.id)
        return AnimeCredits(anime, aliases, list(staff.items()), list(cast.values()), stale_age)

    async def voiced(
        self, character: str, anime: str | None = None, language: Language = "all", caller: Caller = LOCAL
    ) -> VoicedResult:
        """Who voiced ``character`` (optionally in one show, optionally in one language)."""
        match = await self._resolve("character", character, caller)
        found = await self._repo.character(match.entity_id)
        if found is None:
            raise NotFound("That character is no longer in the catalogue.")
        roles = await self._repo.character_roles(found.id)
        anime_filter = None
        if anime is not None and anime.strip():
            anime_filter = await self._repo.anime((await self._search.resolve("anime", anime)).entity_id)
            if anime_filter is not None:
                roles = [r for r in roles if r.anime.id == anime_filter.id]
                if not roles:
                    raise NotFound(f"{found.name} has no voice credit in {anime_filter.title} in my catalogue.")
        in_language = [r for r in roles if language in ("all", r.language)]
        others = sorted({r.language for r in roles} - {r.language for r in in_language})
        credits = []
        for role in in_language:
            other: list[VoiceRole] = []
            seen = {found.id}
            for r in await self._repo.person_voice_roles(role.person.id, limit=OTHER_ROLES * 4):
                if r.character.id not in seen:  # one line per character, its newest show
                    seen.add(r.character.id)
                    other.append(r)
            other = other[:OTHER_ROLES]
            credits.append(VoicedCredit(role, other))
        credits.sort(key=lambda c: (c.role.language != "japanese", c.role.language, c.role.anime.title))
        return VoicedResult(found, await self._repo.aliases("character", found.id), language, credits, others,
                            anime_filter)

    async def person(self, query: str, caller: Caller = LOCAL) -> PersonCredits:
        """Everything the person ``query`` names worked on."""
        match = await self._resolve("person", query, caller)
        person = await self._repo.person(match.entity_id)
        if person is None:
            raise NotFound("That person is no longer in the catalogue.")
        stale_age = await self._refresh("person", person, caller)
        person = await self._repo.person(person.id) or person
        voice: dict[int, tuple[Anime, list[VoiceRole]]] = {}
        for role in await self._repo.person_voice_roles(person.id):
            voice.setdefault(role.anime.id, (role.anime, []))[1].append(role)
        staff: dict[int, tuple[Anime, list[str]]] = {}
        credit: StaffRole
        for credit in await self._repo.person_staff_roles(person.id):
            staff.setdefault(credit.anime.id, (credit.anime, []))[1].append(credit.role)
        return PersonCredits(person, await self._repo.aliases("person", person.id), list(voice.values()),
                             list(staff.values()), stale_age)
