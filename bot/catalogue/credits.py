"""Credits look-ups: a show's staff and cast, who voiced a character, and everything a person did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.catalogue.models import Anime, Character, Person, StaffRole, VoiceRole
from bot.catalogue.service import LOCAL, Caller, CatalogueService
from bot.core.text import inline, md
from bot.errors import InvalidInput, NotFound

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
    fresh: bool = False
    """Fetched from AniList just now, for this look-up."""


@dataclass(frozen=True)
class VoicedCredit:
    """One voice actor of the character in one language: every show they voiced it in, and a few other roles."""

    person: Person
    language: str
    roles: list[VoiceRole]  # one per show, oldest first
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


class CreditsService:
    """Answers the credits commands from the catalogue, asking AniList (through the catalogue) when it has nothing."""

    def __init__(self, catalogue: CatalogueService) -> None:
        self._catalogue = catalogue
        self._repo = catalogue.store

    async def anime_credits(self, query: str, caller: Caller = LOCAL) -> AnimeCredits:
        """The staff and cast of the show ``query`` names."""
        match = await self._catalogue.resolve("anime", query, caller)
        anime = await self._repo.anime(match.entity_id)
        if anime is None:
            raise NotFound("That show is no longer in the catalogue.")
        stale_age = await self._catalogue.refresh("anime", anime, caller)
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
        return AnimeCredits(anime, aliases, list(staff.items()), list(cast.values()), stale_age, match.fresh)

    async def voiced(
        self, character: str, anime: str | None = None, language: Language = "all", caller: Caller = LOCAL
    ) -> VoicedResult:
        """Who voiced ``character`` (optionally in one show, optionally in one language)."""
        match = await self._catalogue.resolve("character", character, caller)
        found = await self._repo.character(match.entity_id)
        if found is None:
            raise NotFound("That character is no longer in the catalogue.")
        roles = await self._repo.character_roles(found.id)
        anime_filter = None
        if anime is not None and anime.strip():
            anime_filter = await self._repo.anime((await self._catalogue.find("anime", anime)).entity_id)
            if anime_filter is not None:
                roles = [r for r in roles if r.anime.id == anime_filter.id]
                if not roles:
                    raise NotFound(md("{name} has no voice credit in {show} in my catalogue.",
                                      name=inline(found.name, 100), show=inline(anime_filter.title, 100)))
        in_language = [r for r in roles if language in ("all", r.language)]
        others = sorted({r.language for r in roles} - {r.language for r in in_language})
        # One credit per voice actor and language, however many seasons they voiced the character in
        # (roles come oldest show first, so each credit's shows do too).
        by_actor: dict[tuple[int, str], list[VoiceRole]] = {}
        for role in in_language:
            by_actor.setdefault((role.person.id, role.language), []).append(role)
        credits = []
        for (person_id, role_language), shows in by_actor.items():
            other: list[VoiceRole] = []
            seen = {found.id}
            for r in await self._repo.person_voice_roles(person_id, limit=OTHER_ROLES * 4):
                if r.character.id not in seen:  # one line per character, its newest show
                    seen.add(r.character.id)
                    other.append(r)
            credits.append(VoicedCredit(shows[0].person, role_language, shows, other[:OTHER_ROLES]))
        # Japanese first, then by language; within one, in the order the actors first voiced the character.
        credits.sort(key=lambda c: (c.language != "japanese", c.language))
        return VoicedResult(found, await self._repo.aliases("character", found.id), language, credits, others,
                            anime_filter)

    async def person(self, query: str, caller: Caller = LOCAL) -> PersonCredits:
        """Everything the person ``query`` names worked on."""
        match = await self._catalogue.resolve("person", query, caller)
        person = await self._repo.person(match.entity_id)
        if person is None:
            raise NotFound("That person is no longer in the catalogue.")
        stale_age = await self._catalogue.refresh("person", person, caller)
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
