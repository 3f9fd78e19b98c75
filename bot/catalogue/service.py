"""Which show, person or character is this? The catalogue's one answer, for every feature.

Names are looked up in the local catalogue first, by the rule of :meth:`NameSearch.resolve` (answer only what is
sure, else choices). Look-ups that should also reach further (the credits commands) ask AniList, through the
enricher, when the catalogue has nothing sure; commands that only work on shows in the catalogue (/rate,
/review write) say instead what will put the show there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.catalogue.models import Anime, Kind, LoadReport, Person
from bot.catalogue.search import ID_PREFIX, Match, NameSearch, couldnt_find, how_to_add_show
from bot.catalogue.store import CatalogueStore
from bot.core.i18n import N_, _
from bot.core.names import normalize
from bot.core.text import Md, quote
from bot.errors import NotFound, NotSure, UpstreamUnavailable

# The command (and option) that answers each kind, and the kinds worth suggesting when a name is not found.
_COMMANDS: dict[Kind, tuple[str, str]] = {
    "anime": ("credits", "anime"), "person": ("person", "name"), "character": ("voiced", "character"),
}
_SEVERAL: dict[Kind, str] = {"anime": N_("{name} names several shows: did you mean {command}?"),
                             "person": N_("{name} names several people: did you mean {command}?"),
                             "character": N_("{name} names several characters: did you mean {command}?")}
_IS_A: dict[Kind, str] = {"anime": N_("{name} is a show: did you mean {command}?"),
                          "person": N_("{name} is a person: did you mean {command}?"),
                          "character": N_("{name} is a character: did you mean {command}?")}
OR_ONE_OF_THESE = N_("Or is it one of these?")
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
        return NotSure(f"{couldnt_find(kind, query)} {hint} " + _("If not, is it one of these?"), miss.choices,
                       miss.values, miss.query)
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


class CatalogueService:
    """Resolves names to shows, people and characters for every feature; asks the enricher on a miss."""

    def __init__(self, store: CatalogueStore, enricher: Enricher | None = None) -> None:
        self.store = store
        self.search = NameSearch(store)
        self.enricher = enricher
        self._misses: dict[tuple[str, str], asyncio.Lock] = {}

    @property
    def importable(self) -> bool:
        """Whether a missing show can be fetched (``/catalogue import``): AniList is on."""
        return self.enricher is not None

    async def complete(self, kind: Kind, text: str, *, limit: int = 25) -> list[Match]:
        """What to suggest while a member types a name (the local catalogue only, never AniList)."""
        return await self.search.search(kind, text, limit=limit, context=kind != "anime")

    async def find(self, kind: Kind, query: str) -> Match:
        """The entity ``query`` surely names in the local catalogue (``NotFound``, ``Ambiguous``, ``NotSure``)."""
        return await self.search.resolve(kind, query)

    async def listed_show(self, query: str) -> Match:
        """The show ``query`` names, for commands that only work on shows in the catalogue (/rate, /review write).

        Like :meth:`find`, but a miss also says what will put the show there: a member with Manage Server running
        ``/catalogue import`` (when AniList is on), or whoever runs the bot adding it to a catalogue file.
        """
        try:
            return await self.search.resolve("anime", query)
        except NotSure as exc:
            raise NotSure(Md(f"{couldnt_find('anime', query)} {how_to_add_show(query, importable=self.importable)} "
                             + _(OR_ONE_OF_THESE)), exc.choices, exc.values, exc.query) from None
        except NotFound as exc:
            if query.strip().startswith(ID_PREFIX):
                raise
            raise NotFound(Md(f"{exc} {how_to_add_show(query, importable=self.importable)}"),
                           exc.suggestions) from None

    async def anime(self, anime_id: int) -> Anime:
        """The show with this id; ``NotFound`` when it is no longer in the catalogue."""
        anime = await self.store.anime(anime_id)
        if anime is None:
            raise NotFound(_("That show is no longer in the catalogue."))
        return anime

    async def resolve(self, kind: Kind, query: str, caller: Caller) -> Match:
        """The entity ``query`` names, asking AniList only when the catalogue has nothing sure.

        The catalogue answers by the rule of ``NameSearch.resolve``; several equally sure matches are the
        member's choice, never AniList's. When nothing is sure: if the name surely belongs to another kind
        (a character typed into /person), the member is pointed to the right command; else AniList is asked
        once, and its answer, stored, goes through the same rule — so AniList's best guess is offered as a
        choice, not taken, when it is not the name the member typed.
        """
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
                        raise NotSure(f"{_(str(exc))} {_(OR_ONE_OF_THESE)}", miss.choices, miss.values,
                                      miss.query) from exc
                    raise
        finally:
            if not lock.locked() and self._misses.get(key) is lock:
                del self._misses[key]
        if entity_id is None:
            if isinstance(miss, NotSure):
                raise NotSure(couldnt_find(kind, query) + " " + _("AniList doesn't know it either. Did you mean one "
                                                                  "of these?"), miss.choices, miss.values,
                              miss.query) from None
            raise NotFound(f"{miss} " + _("AniList doesn't know it either."), miss.suggestions) from None
        try:
            return await self.search.resolve(kind, query)
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
            raise NotSure(couldnt_find(kind, query) + " " + _("AniList suggests this one:"),
                          await self.search.labels(kind, [found]), [f"{ID_PREFIX}{entity_id}"], query) from None

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
                return _(_SEVERAL[other]).format(name=quote(name), command=command_hint(command, option, name))
            name = found[0].display
            return _(_IS_A[other]).format(name=quote(name), command=command_hint(command, option, name))
        return None

    async def refresh(self, kind: Literal["anime", "person"], entity: Anime | Person, caller: Caller) -> float | None:
        if self.enricher is None or not self.enricher.is_stale(entity):
            return None
        await caller.going_remote()
        return await self.enricher.refresh(kind, entity, caller.key)
