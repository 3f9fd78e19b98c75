"""Credits look-ups: a show's staff and cast, who voiced a character, and everything a person did."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Literal

from bot.anilist.enrich import AniListEnricher
from bot.catalogue.search import ID_PREFIX, Match, NameSearch, couldnt_find, noun
from bot.catalogue.store import Anime, CatalogueRepo, Character, Kind, Person, StaffRole, VoiceRole
from bot.core.markdown import quote
from bot.core.names import normalize
from bot.errors import InvalidInput, NotFound, NotSure, UpstreamUnavailable

Language = Literal["japanese", "english", "all"]
OTHER_ROLES = 5
# The command (and option) that answers each kind, and the kinds worth suggesting when a name is not found.
_COMMANDS: dict[Kind, tuple[str, str]] = {
    "anime": ("credits", "anime"), "person": ("person", "name"), "character": ("voiced", "character"),
}
_SEVERAL: dict[Kind, str] = {"anime": "several shows", "person": "several people", "character": "several characters"}
_ELSEWHERE: dict[Kind, tuple[Kind, ...]] = {
    "person": ("character", "anime"), "character": ("person", "anime"), "anime": ("person", "character"),
}


def command_hint(command: str, option: str, value: str) -> str:
    """A slash command to copy, as inline code: `/voiced character: Naomi Orthmann` (the value kept inert)."""
    # Inline code shows its text literally, so nothing in it needs escaping — except a backtick, which would
    # end it: those become a look-alike. One line, bounded.
    text = " ".join(value.replace("`", "ˋ").split())[:100]
    return f"`/{command} {option}: {text}`"


def _with_hint(kind: Kind, query: str, miss: NotFound | NotSure, hint: str) -> NotFound | NotSure:
    """The same miss, with a pointer to the command that knows the name (and the near misses, if any)."""
    if isinstance(miss, NotSure):
        return NotSure(f"{couldnt_find(kind, query)} {hint} If not, is it one of these?", miss.choices, miss.values,
                       miss.query)
    return NotFound(f"{miss} {hint}", miss.suggestions)


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
        """The entity ``query`` names, asking AniList only when the catalogue has nothing sure.

        The catalogue answers by the rule of ``NameSearch.resolve``; several equally sure matches are the
        member's choice, never AniList's. When nothing is sure: if the name surely belongs to another kind
        (a character typed into /person), the member is pointed to the right command; else AniList is asked
        once, and its answer, stored, goes through the same rule — so AniList's best guess is offered as a
        choice, not taken, when it is not the name the member typed.
        """
        try:
            return await self._search.resolve(kind, query)
        except NotSure as exc:
            miss: NotFound | NotSure = exc
        except NotFound as exc:
            miss = exc
        if query.strip().startswith(ID_PREFIX):
            raise miss
        hint = await self._elsewhere(kind, query)
        if hint is not None:
            raise _with_hint(kind, query, miss, hint) from None
        if self.enricher is None:
            raise miss
        # Before deferring, so a member on cooldown is told at once (and only they see it).
        self.enricher.check(caller.key)
        await caller.going_remote()
        # One AniList fetch per missing name: whoever waited here while another member's fetch of the same
        # name ran finds it locally on the second look.
        key = (kind, normalize(query))
        lock = self._misses.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                try:
                    return await self._search.resolve(kind, query)
                except (NotFound, NotSure):
                    pass
                try:
                    entity_id = await self.enricher.fetch_missing(kind, query.strip(), caller.key)
                except UpstreamUnavailable as exc:
                    if isinstance(miss, NotSure):  # what the catalogue has may still be it
                        raise NotSure(f"{exc} Or is it one of these?", miss.choices, miss.values, miss.query) from exc
                    raise
        finally:
            if not lock.locked() and self._misses.get(key) is lock:
                del self._misses[key]
        if entity_id is None:
            if isinstance(miss, NotSure):
                raise NotSure(f"{couldnt_find(kind, query)} AniList doesn't know it either. Did you mean one of "
                              "these?", miss.choices, miss.values, miss.query) from None
            raise NotFound(f"{miss} AniList doesn't know it either.", miss.suggestions) from None
        try:
            return await self._search.resolve(kind, query)
        except NotSure as exc:
            fetched = f"{ID_PREFIX}{entity_id}"
            if fetched in exc.values:
                raise
            extra = await self._search.resolve(kind, fetched)
            (label,) = await self._search.labels(kind, [extra])
            raise NotSure(str(exc), (label, *exc.choices), (fetched, *exc.values), exc.query) from None
        except NotFound:
            # AniList matched it on something our names do not show: its answer is a choice, not an answer.
            found = await self._search.resolve(kind, f"{ID_PREFIX}{entity_id}")
            raise NotSure(f"{couldnt_find(kind, query)} AniList suggests this one:",
                          await self._search.labels(kind, [found]), [f"{ID_PREFIX}{entity_id}"], query) from None

    async def _elsewhere(self, kind: Kind, query: str) -> str | None:
        """When ``query`` is the whole name of another kind of thing, the sentence pointing to its command.

        A whole name only (``Certainty.EXACT``): a part of one ("Sakura") may well be someone AniList knows
        under this command's kind, and pointing elsewhere would keep the member from that look-up.
        """
        for other in _ELSEWHERE[kind]:
            found = await self._search.exact(other, query)
            if not found:
                continue
            command, option = _COMMANDS[other]
            if len(found) > 1:  # namesakes: the member picks in that command
                name = " ".join(query.split())
                return f"{quote(name)} names {_SEVERAL[other]}: did you mean {command_hint(command, option, name)}?"
            name = found[0].display
            return f"{quote(name)} is a {noun(other)}: did you mean {command_hint(command, option, name)}?"
        return None

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
