"""/credits and /person a page at a time: each press fetches one page of credits by key (pure of Discord).

/credits lists a show's staff (in credited order), then its cast (by character); /person a person's voice roles
by show, then their staff roles by show. Each list is a *listing* of the catalogue store, paged by keyset on an
index; a page is named by (whose credits, which list, the first and last key shown), which the buttons carry. A
page counts where it stands with index range counts, so it costs the same on the longest list as on a short one,
and only the page on screen is rendered (by the same renderers as before, given just that page's credits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.catalogue.credits import AnimeCredits, CreditsService, Language, PersonCredits, VoicedResult
from bot.catalogue.models import Anime, Character, Person, VoiceRole
from bot.catalogue.render import render_anime, render_person, render_voiced, voices_stored
from bot.catalogue.search import ID_PREFIX
from bot.catalogue.service import LOCAL, Caller, CatalogueService
from bot.catalogue.store import CatalogueStore, Listing
from bot.core.cards import Card
from bot.core.pages import Action, Shown, State, by_index
from bot.core.text import plural
from bot.errors import InvalidInput, NotFound

__all__ = ["CREDITS", "PERSON", "VOICED", "CreditPages", "voiced_page", "voiced_state"]

CREDITS = "cr"  # the page kinds, as the buttons name them
PERSON = "pe"
STALE = "These buttons are out of date — run the command again."


@dataclass(frozen=True)
class _Part:
    listing: Listing
    per_page: int  # keys a page holds: few enough that a page's fields fit one embed


_PARTS: dict[str, tuple[_Part, ...]] = {
    CREDITS: (_Part("anime_staff", 24), _Part("anime_cast", 20)),
    PERSON: (_Part("person_voice", 15), _Part("person_staff", 15)),
}


@dataclass(frozen=True)
class _Window:
    part: int
    keys: list[int]


def _footer(number: int, count: int, *extra: str | None) -> str | None:
    said = [f"Page {number}/{count}"] if count > 1 else []
    said += [e for e in extra if e]
    return " · ".join(said) or None


class CreditPages:
    """The pages of /credits and /person, fetched one at a time from the catalogue."""

    def __init__(self, catalogue: CatalogueService) -> None:
        self._catalogue = catalogue
        self._store: CatalogueStore = catalogue.store

    # -- the first page (the command) ---------------------------------------------------------------------

    async def first_credits(self, query: str, caller: Caller = LOCAL) -> Shown:
        """The first page of /credits for the show ``query`` names (asking AniList as /credits always did)."""
        match = await self._catalogue.resolve("anime", query, caller)
        anime = await self._store.anime(match.entity_id)
        if anime is None:
            raise NotFound("That show is no longer in the catalogue.")
        stale_age = await self._catalogue.refresh("anime", anime, caller)
        return await self._turn(CREDITS, anime.id, "f", None, stale_age, fresh=match.fresh)

    async def first_person(self, query: str, caller: Caller = LOCAL) -> Shown:
        """The first page of /person for the person ``query`` names."""
        match = await self._catalogue.resolve("person", query, caller)
        person = await self._store.person(match.entity_id)
        if person is None:
            raise NotFound("That person is no longer in the catalogue.")
        stale_age = await self._catalogue.refresh("person", person, caller)
        return await self._turn(PERSON, person.id, "f", None, stale_age)

    # -- the buttons ----------------------------------------------------------------------------------------

    async def turn(self, kind: str, action: Action, state: State) -> Shown:
        """The page ``action`` leads to from the page ``state`` names."""
        if kind not in _PARTS or len(state) != 4 or any(value is None for value in state):
            raise InvalidInput(STALE)
        owner, part, first, last = (int(value or 0) for value in state)
        if not 0 <= part < len(_PARTS[kind]):
            raise InvalidInput(STALE)
        return await self._turn(kind, owner, action, (part, first, last), None)

    async def _turn(self, kind: str, owner: int, action: Action, at: tuple[int, int, int] | None,
                    stale_age: float | None, *, fresh: bool = False) -> Shown:
        parts = _PARTS[kind]
        counts = [await self._store.listing_count(p.listing, owner) for p in parts]
        if all(count <= part.per_page for count, part in zip(counts, parts, strict=True)):
            # Short credits (most shows): every list on the one page, as they always were.
            windows = [_Window(i, await self._store.listing_keys(part.listing, owner, after=None,
                                                                 limit=part.per_page))
                       for i, part in enumerate(parts) if counts[i]]
            return Shown(await self._card(kind, owner, windows, (1, 1), counts, stale_age, fresh),
                         (owner, 0, 0, 0))
        window = await self._window(parts, counts, owner, action, at)
        pages = [math.ceil(c / p.per_page) for c, p in zip(counts, parts, strict=True)]
        total = sum(pages)
        before = await self._store.listing_count(parts[window.part].listing, owner, before=window.keys[0])
        number = sum(pages[: window.part]) + before // parts[window.part].per_page + 1
        card = await self._card(kind, owner, [window], (number, total), counts, stale_age, fresh)
        return Shown(card, (owner, window.part, window.keys[0], window.keys[-1]),
                     has_previous=number > 1, has_next=number < total)

    async def _window(self, parts: Sequence[_Part], counts: Sequence[int], owner: int, action: Action,
                      at: tuple[int, int, int] | None) -> _Window:
        """The keys of the page ``action`` leads to (some list has more than a page)."""
        store = self._store

        async def start(part: int) -> _Window:
            keys = await store.listing_keys(parts[part].listing, owner, after=None, limit=parts[part].per_page)
            return _Window(part, keys)

        async def end(part: int) -> _Window:
            # The last page holds what is left over, so pages stay aligned with those counted from the start.
            size = counts[part] % parts[part].per_page or parts[part].per_page
            keys = await store.listing_keys(parts[part].listing, owner, after=None, forward=False, limit=size)
            return _Window(part, keys)

        filled = [i for i, count in enumerate(counts) if count]
        if action == "f" or at is None:
            return await start(filled[0])
        if action == "l":
            return await end(filled[-1])
        part, first, last = at
        listing, size = parts[part].listing, parts[part].per_page
        if action == "n":
            keys = await store.listing_keys(listing, owner, after=last, limit=size)
            if keys:
                return _Window(part, keys)
            later = [i for i in filled if i > part]
            return await start(later[0]) if later else await end(filled[-1])
        keys = await store.listing_keys(listing, owner, after=first, forward=False, limit=size)
        if keys:
            return _Window(part, keys)
        earlier = [i for i in filled if i < part]
        return await end(earlier[-1]) if earlier else await start(filled[0])

    async def _card(self, kind: str, owner: int, windows: list[_Window], page: tuple[int, int],
                    counts: Sequence[int], stale_age: float | None, fresh: bool = False) -> Card:
        if kind == CREDITS:
            return await self._credits_card(owner, windows, page, counts, stale_age, fresh)
        return await self._person_card(owner, windows, page, counts, stale_age)

    async def _credits_card(self, anime_id: int, windows: list[_Window], page: tuple[int, int],
                            counts: Sequence[int], stale_age: float | None, fresh: bool = False) -> Card:
        anime = await self._store.anime(anime_id)
        if anime is None:
            raise NotFound("That show is no longer in the catalogue.")
        staff: dict[str, list[Person]] = {}
        cast: dict[int, tuple[Character, list[VoiceRole]]] = {}
        for window in windows:
            if window.part:
                continue
            for credit in await self._store.listing_staff("anime_staff", anime_id, window.keys):
                staff.setdefault(credit.role, []).append(credit.person)
        for window in windows:
            if not window.part:
                continue
            for role in await self._store.listing_voices("anime_cast", anime_id, window.keys):
                cast.setdefault(role.character.id, (role.character, []))[1].append(role)
            for _, roles in cast.values():
                roles.sort(key=lambda r: (r.language != "japanese", r.language, r.person.name))
        credits = AnimeCredits(anime, [], list(staff.items()), list(cast.values()), stale_age, fresh)
        card = _one(render_anime(credits))
        if page == (1, 1):  # everything is on this page: the renderer's own counts are the whole show's
            return card
        return card.with_footer(_footer(
            *page, plural(counts[0], "staff credit") if counts[0] else None,
            plural(counts[1], "character") if counts[1] else None,
            voices_stored(await self._store.voice_languages(anime_id)), _stale(stale_age),
            "fetched from AniList just now" if fresh else None))

    async def _person_card(self, person_id: int, windows: list[_Window], page: tuple[int, int],
                           counts: Sequence[int], stale_age: float | None) -> Card:
        person = await self._store.person(person_id)
        if person is None:
            raise NotFound("That person is no longer in the catalogue.")
        voice: dict[int, tuple[Anime, list[VoiceRole]]] = {}
        staff: dict[int, tuple[Anime, list[str]]] = {}
        for window in windows:
            if window.part:
                continue
            for role in await self._store.listing_voices("person_voice", person_id, window.keys):
                voice.setdefault(role.anime.id, (role.anime, []))[1].append(role)
        for window in windows:
            if not window.part:
                continue
            for credit in await self._store.listing_staff("person_staff", person_id, window.keys):
                staff.setdefault(credit.anime.id, (credit.anime, []))[1].append(credit.role)
        aliases = await self._store.aliases("person", person_id)
        credits = PersonCredits(person, aliases, list(voice.values()), list(staff.values()), stale_age)
        card = _one(render_person(credits))
        if page == (1, 1):  # everything is on this page: the renderer's own counts are the whole person's
            return card
        return card.with_footer(_footer(
            *page, _shows(counts[0], "voiced"), _shows(counts[1], "as staff"), _stale(stale_age)))


def _one(cards: Sequence[Card]) -> Card:
    """The renderer's cards as one (a page holds few enough credits that its fields fit one embed)."""
    return replace(cards[0], fields=tuple(f for card in cards for f in card.fields))


def _shows(count: int, how: str) -> str | None:
    return f"{plural(count, 'show')} {how}" if count else None


def _stale(age: float | None) -> str | None:
    """As /credits always said it (``bot.catalogue.render``): how old the credits are when AniList didn't answer."""
    if age is None:
        return None
    hours = round(age / 3600)
    said = plural(round(age / 86400), "day") if age >= 2 * 86400 else \
        plural(hours, "hour") if hours >= 1 else "less than an hour"
    return f"AniList didn't answer; this is {said} old"



VOICED = "vo"
_LANGUAGES: tuple[Language, ...] = ("all", "japanese", "english")


def voiced_state(result: VoicedResult) -> State:
    """What names a /voiced answer: the character, the show it is limited to (if any) and the language."""
    return (result.character.id, result.anime_filter.id if result.anime_filter else None,
            _LANGUAGES.index(result.language))


async def voiced_page(service: CreditsService, action: Action, state: State) -> Shown:
    """A page of /voiced: the answer computed again from the catalogue alone (by id), the page asked for shown."""
    if len(state) != 4 or state[0] is None or state[2] is None or state[3] is None \
            or not 0 <= state[2] < len(_LANGUAGES):
        raise InvalidInput(STALE)
    character, anime = state[0], state[1]
    language, index = int(state[2]), int(state[3])
    result = await service.voiced(f"{ID_PREFIX}{character}", None if anime is None else f"{ID_PREFIX}{anime}",
                                  _LANGUAGES[language])
    return by_index(render_voiced(result), action, index, voiced_state(result))
