"""Which show, person or character is this? The catalogue's one answer, for every feature.

Names are looked up in the local catalogue first, by the rule of :meth:`NameSearch.resolve` (answer only what is
sure, else choices). When the catalogue has nothing sure, AniList is asked through the enricher (the credits
commands, and ``show`` for /rate, /ratings show and /review write|read); with AniList off, ``show`` says instead
what will put the show there. Show autocomplete (``suggest_shows``) adds the title index, never AniList.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.catalogue.models import Anime, Kind, LoadReport, Person, format_label
from bot.catalogue.search import (
    ANILIST_PREFIX,
    ID_PREFIX,
    MAX_ID,
    Match,
    NameSearch,
    couldnt_find,
    how_to_add_show,
    noun,
)
from bot.catalogue.store import CatalogueStore
from bot.catalogue.title_store import TitleHit, TitleStore
from bot.core.names import normalize
from bot.core.text import Md, quote
from bot.errors import InvalidInput, NotFound, NotSure, UpstreamUnavailable

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


@dataclass(frozen=True)
class ImportResult:
    """What an admin import fetched and stored."""

    anime: Anime
    report: LoadReport
    notes: tuple[str, ...]


class Enricher(Protocol):
    """What fills the catalogue from outside it (AniList), on demand: see ``bot.anilist.enrich``."""

    def check(self, requester: Hashable | None) -> None:
        """Raise ``OnCooldown`` now if ``requester`` may not ask yet."""

    async def fetch_missing(self, kind: Kind, query: str, requester: Hashable | None = None) -> int | None:
        """Find ``query`` outside, store it, and give its local id (None: nothing there either)."""

    def is_stale(self, entity: Anime | Person) -> bool:
        """Whether ``entity``'s data is old enough to refresh."""

    async def refresh(self, kind: Literal["anime", "person"], entity: Anime | Person,
                      requester: Hashable | None = None) -> float | None:
        """Refresh stale data; its age when it is stale and the refresh failed."""

    async def import_anime(self, query: str, requester: Hashable | None = None) -> ImportResult:
        """Fetch one show on purpose and say what was added."""

    async def fetch_show(self, anilist_id: int, requester: Hashable | None = None) -> int | None:
        """The show with this AniList id, stored (fetched if need be): its local id (None: AniList has none)."""


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


@dataclass(frozen=True)
class Suggestion:
    """One autocomplete choice for a show: what the member reads, and the option value it puts in."""

    label: str
    value: str


def _hit_label(hit: TitleHit) -> str:
    label = hit.title
    if normalize(hit.matched) != normalize(hit.title):
        label += f" ({hit.matched})"
    details = [str(hit.year) if hit.year else None, format_label(hit.format)]
    return " · ".join([label, *(d for d in details if d)])


class CatalogueService:
    """Resolves names to shows, people and characters for every feature; asks the enricher on a miss."""

    def __init__(self, store: CatalogueStore, enricher: Enricher | None = None, titles: TitleStore | None = None,
                 *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.search = NameSearch(store)
        self.enricher = enricher
        self.titles = titles
        self._clock = clock
        self._misses: dict[tuple[str, str], asyncio.Lock] = {}

    @property
    def importable(self) -> bool:
        """Whether a missing show can be fetched (``/catalogue import``): AniList is on."""
        return self.enricher is not None

    async def complete(self, kind: Kind, text: str, *, limit: int = 25) -> list[Match]:
        """What to suggest while a member types a name (the local catalogue only, never AniList)."""
        return await self.search.search(kind, text, limit=limit, context=kind != "anime")

    async def suggest_shows(self, text: str, *, limit: int = 25) -> list[Suggestion]:
        """Show titles for autocomplete: the catalogue's, then the title index's; never a request to AniList.

        When that is thin (no suggestion has a name that starts as typed) and AniList is on, the last choice is
        "Search AniList for “…”", which puts the typed title in, so the command asks AniList on submit.
        """
        matches = await self.complete("anime", text, limit=limit)
        found = [Suggestion(m.label, f"{ID_PREFIX}{m.entity_id}") for m in matches]
        typed = normalize(text[:200])
        good = any(normalize(m.matched).startswith(typed) for m in matches) if typed else True
        if self.titles is not None and typed and len(found) < limit:
            hits = await self.titles.search(typed, now=self._clock(), limit=limit - len(found))
            good = good or bool(hits)
            for hit in hits:
                value = (f"{ANILIST_PREFIX}{hit.anilist_id}" if hit.anilist_id is not None
                         else hit.title if len(hit.title) <= 100 else hit.matched)
                found.append(Suggestion(_hit_label(hit), value[:100]))
        wanted = " ".join(text.split())
        if self.enricher is not None and wanted and len(wanted) <= 100 and not good:
            found = found[: limit - 1]
            found.append(Suggestion(f"Search AniList for “{wanted[:70]}”", wanted))
        return found

    async def find(self, kind: Kind, query: str) -> Match:
        """The entity ``query`` surely names in the local catalogue (``NotFound``, ``Ambiguous``, ``NotSure``).

        A show picked from the title index (``anilist:ID``) is found by its AniList id, when the catalogue has it.
        """
        if kind == "anime" and query.strip().casefold().startswith(ANILIST_PREFIX):
            local = await self._local_by_anilist(query.strip()[len(ANILIST_PREFIX):])
            if local is None:
                raise NotFound("That show isn't in my catalogue yet: nothing is stored for it here.")
            return local
        return await self.search.resolve(kind, query)

    async def _local_by_anilist(self, text: str) -> Match | None:
        """The catalogue's show with AniList id ``text`` (None: not stored); ``InvalidInput`` if it is no id."""
        if not text.isdigit() or not 0 < int(text) <= MAX_ID:
            raise InvalidInput("That isn't an AniList show id.")
        local = await self.store.anime_by_anilist(int(text))
        return None if local is None else await self.search.resolve("anime", f"{ID_PREFIX}{local.id}")

    async def listed_show(self, query: str) -> Match:
        """The show ``query`` names, for commands that only work on shows in the catalogue (/rate, /review write).

        Like :meth:`find`, but a miss also says what will put the show there: a member with Manage Server running
        ``/catalogue import`` (when AniList is on), or whoever runs the bot adding it to a catalogue file.
        """
        try:
            return await self.search.resolve("anime", query)
        except NotSure as exc:
            raise NotSure(Md(f"{couldnt_find('anime', query)} {how_to_add_show(query, importable=self.importable)} "
                             "Or is it one of these?"), exc.choices, exc.values, exc.query) from None
        except NotFound as exc:
            if query.strip().startswith(ID_PREFIX):
                raise
            raise NotFound(Md(f"{exc} {how_to_add_show(query, importable=self.importable)}"),
                           exc.suggestions) from None

    async def show(self, query: str, caller: Caller) -> Match:
        """The show ``query`` names, for /rate, /ratings show and /review: the catalogue, else AniList on demand.

        With AniList on, a show the catalogue lacks is fetched (with its credits) and the command goes on; the
        match says ``fresh`` then. With AniList off, a miss says what will put the show there.
        """
        if self.enricher is None and not query.strip().casefold().startswith(ANILIST_PREFIX):
            return await self.listed_show(query)
        return await self.resolve("anime", query, caller)

    async def anime(self, anime_id: int) -> Anime:
        """The show with this id; ``NotFound`` when it is no longer in the catalogue."""
        anime = await self.store.anime(anime_id)
        if anime is None:
            raise NotFound("That show is no longer in the catalogue.")
        return anime

    async def resolve(self, kind: Kind, query: str, caller: Caller) -> Match:
        """The entity ``query`` names, asking AniList only when the catalogue has nothing sure.

        The catalogue answers by the rule of ``NameSearch.resolve``; several equally sure matches are the
        member's choice, never AniList's. When nothing is sure: if the name surely belongs to another kind
        (a character typed into /person), the member is pointed to the right command; else AniList is asked
        once, and its answer, stored, goes through the same rule — so AniList's best guess is offered as a
        choice, not taken, when it is not the name the member typed.
        """
        if kind == "anime" and query.strip().casefold().startswith(ANILIST_PREFIX):
            return await self._by_anilist_id(query.strip()[len(ANILIST_PREFIX):], caller)
        try:
            return await self.search.resolve(kind, query)
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
                    return await self.search.resolve(kind, query)
                except (NotFound, NotSure):
                    pass
                try:
                    entity_id = await self.enricher.fetch_missing(kind, query.strip(), caller.key)
                except UpstreamUnavailable as exc:
                    if isinstance(miss, NotSure):  # what the catalogue has may still be it
                        raise NotSure(f"{exc} Or is it one of these?", miss.choices, miss.values, miss.query) from exc
                    raise
                except NotSure as exc:  # AniList has several: the member picks (ours too, when we have close ones)
                    if isinstance(miss, NotSure):
                        raise NotSure(str(exc), (*exc.choices, *miss.choices), (*exc.values, *miss.values),
                                      query) from None
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
            return dataclasses.replace(await self.search.resolve(kind, query), fresh=True)
        except NotSure as exc:
            fetched = f"{ID_PREFIX}{entity_id}"
            if fetched in exc.values:
                raise
            extra = await self.search.resolve(kind, fetched)
            (label,) = await self.search.labels(kind, [extra])
            raise NotSure(str(exc), (label, *exc.choices), (fetched, *exc.values), exc.query) from None
        except NotFound:
            # AniList matched it on something our names do not show: its answer is a choice, not an answer.
            found = await self.search.resolve(kind, f"{ID_PREFIX}{entity_id}")
            raise NotSure(f"{couldnt_find(kind, query)} AniList suggests this one:",
                          await self.search.labels(kind, [found]), [f"{ID_PREFIX}{entity_id}"], query) from None

    async def _by_anilist_id(self, text: str, caller: Caller) -> Match:
        """The show with AniList id ``text`` (a choice among AniList's matches): ours, else fetched now."""
        found = await self._local_by_anilist(text)
        if found is not None:
            return found
        anilist_id = int(text)
        if self.enricher is None:
            raise NotFound("That show isn't in the catalogue, and AniList look-ups are off.")
        self.enricher.check(caller.key)
        await caller.going_remote()
        key = ("anilist", str(anilist_id))
        lock = self._misses.setdefault(key, asyncio.Lock())
        try:
            async with lock:  # whoever waited here finds it stored by the first
                local = await self.store.anime_by_anilist(anilist_id)
                entity_id = local.id if local else await self.enricher.fetch_show(anilist_id, caller.key)
        finally:
            if not lock.locked() and self._misses.get(key) is lock:
                del self._misses[key]
        if entity_id is None:
            raise NotFound("AniList has no show with that id (any more).")
        return dataclasses.replace(await self.search.resolve("anime", f"{ID_PREFIX}{entity_id}"), fresh=True)

    async def _elsewhere(self, kind: Kind, query: str) -> str | None:
        """When ``query`` is the whole name of another kind of thing, the sentence pointing to its command.

        A whole name only (``Certainty.EXACT``): a part of one ("Sakura") may well be someone AniList knows
        under this command's kind, and pointing elsewhere would keep the member from that look-up.
        """
        for other in _ELSEWHERE[kind]:
            found = await self.search.exact(other, query)
            if not found:
                continue
            command, option = _COMMANDS[other]
            if len(found) > 1:  # namesakes: the member picks in that command
                name = " ".join(query.split())
                return f"{quote(name)} names {_SEVERAL[other]}: did you mean {command_hint(command, option, name)}?"
            name = found[0].display
            return f"{quote(name)} is a {noun(other)}: did you mean {command_hint(command, option, name)}?"
        return None

    async def refresh(self, kind: Literal["anime", "person"], entity: Anime | Person, caller: Caller) -> float | None:
        if self.enricher is None or not self.enricher.is_stale(entity):
            return None
        await caller.going_remote()
        return await self.enricher.refresh(kind, entity, caller.key)
