"""The catalogue's plain data: shows, people, characters and their credits, as stored and as loaded.

The ``*Entry`` types and :class:`CatalogueBundle` are what a catalogue file or AniList gives, before it is
stored; :class:`Anime`, :class:`Person`, :class:`Character` and the roles are what the store hands back.
Entities are named by a *key* that is stable across loads (``metallic-rouge``; ``anilist:anime:ID`` for AniList
imports), so loading the same data twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from bot.core.text import plural
from bot.errors import CatalogueFormatError

LANGUAGES = ("japanese", "english", "korean", "chinese", "spanish", "portuguese", "french", "german",
             "italian", "hebrew", "hungarian")

FORMAT_LABELS: dict[str, str] = {
    "TV": "TV",
    "TV_SHORT": "TV short",
    "MOVIE": "Movie",
    "SPECIAL": "Special",
    "OVA": "OVA",
    "ONA": "ONA",
    "MUSIC": "Music video",
}
"""A show's ``format`` as stored (AniList's ``MediaFormat`` code) → the name members read."""
OTHER_FORMAT = "Other"
# Imports from before formats were stored as codes hold "TV short", "Movie", "Music": read them too.
_FORMAT_SPELLINGS = {**{code: code for code in FORMAT_LABELS}, "MUSIC_VIDEO": "MUSIC"}


def format_label(stored: str | None) -> str | None:
    """The name members read for a stored format: one of :data:`FORMAT_LABELS`, "Other" for anything else.

    A raw code never reaches a member ("MOVIE" → "Movie", "TV_SHORT" → "TV short"); None when none is stored.
    """
    if stored is None or not stored.strip():
        return None
    code = _FORMAT_SPELLINGS.get("_".join(stored.upper().replace("_", " ").split()))
    return FORMAT_LABELS[code] if code is not None else OTHER_FORMAT


OTHER = "Other"
"""What any enum value kansou does not know reads as: a closed set of names, never AniList's raw text."""
SEASON_LABELS: dict[str, str] = {"WINTER": "Winter", "SPRING": "Spring", "SUMMER": "Summer", "FALL": "Fall"}
"""AniList's ``MediaSeason`` → the name members read."""
CHARACTER_ROLE_LABELS: dict[str, str] = {"MAIN": "Main", "SUPPORTING": "Supporting", "BACKGROUND": "Background"}
"""AniList's ``CharacterRole`` → the name members read."""
LANGUAGE_LABELS: dict[str, str] = {language: language.title() for language in LANGUAGES}
"""A voice language as stored (one of :data:`LANGUAGES`) → the name members read."""


def _code(value: str | None) -> str | None:
    """An enum value as a code ("tv short", " TV_SHORT " → "TV_SHORT"), or None when there is none."""
    if value is None or not value.strip():
        return None
    return "_".join(value.upper().replace("_", " ").split())


def season_label(value: str | None) -> str | None:
    """"WINTER" → "Winter"; anything kansou does not know → "Other"; None when none is given."""
    code = _code(value)
    return None if code is None else SEASON_LABELS.get(code, OTHER)


def character_role_label(value: str | None) -> str | None:
    """"MAIN" → "Main", "SUPPORTING" → "Supporting"; anything else → "Other"; None when none is given."""
    code = _code(value)
    return None if code is None else CHARACTER_ROLE_LABELS.get(code, OTHER)


def language_label(value: str | None) -> str | None:
    """"japanese" or "JAPANESE" → "Japanese"; a language kansou does not list → "Other"; None when none."""
    code = _code(value)
    return None if code is None else LANGUAGE_LABELS.get(code.lower(), OTHER)


MAX_ID = 2**31 - 1
"""The largest AniList id (GraphQL's ``Int`` is 32-bit); any id beyond it is not AniList's, and is left out."""
EPISODES_RANGE = (1, 100_000)
"""Episodes a show can have: what is outside is left out (with a log note), never stored."""
YEAR_RANGE = (1900, 2200)
"""Years a show can be from: what is outside is left out (with a log note), never stored."""


def in_range(value: int | None, bounds: tuple[int, int]) -> bool:
    """Whether ``value`` is a number within ``bounds`` (inclusive)."""
    return value is not None and bounds[0] <= value <= bounds[1]


Kind = Literal["anime", "person", "character"]


@dataclass(frozen=True)
class Anime:
    """A stored show."""

    id: int
    key: str
    anilist_id: int | None
    title_romaji: str
    title_english: str | None
    title_native: str | None
    studio: str | None
    episodes: int | None
    year: int | None
    format: str | None
    note: str | None
    fetched_at: float | None

    @property
    def title(self) -> str:
        """The title members most likely know: English when there is one, else romaji."""
        return self.title_english or self.title_romaji


@dataclass(frozen=True)
class Person:
    """A stored voice actor or staff member."""

    id: int
    key: str
    anilist_id: int | None
    name: str
    native: str | None
    note: str | None
    fetched_at: float | None


@dataclass(frozen=True)
class Character:
    """A stored character."""

    id: int
    key: str
    anilist_id: int | None
    name: str
    native: str | None
    note: str | None


@dataclass(frozen=True)
class VoiceRole:
    """``person`` voiced ``character`` in ``anime`` in ``language``."""

    anime: Anime
    character: Character
    person: Person
    language: str
    note: str | None


@dataclass(frozen=True)
class StaffRole:
    """``person`` worked on ``anime`` as ``role``."""

    anime: Anime
    person: Person
    role: str


@dataclass(frozen=True)
class NameRow:
    """One name form of an entity, as found by a search."""

    kind: str
    entity_id: int
    name: str
    norm: str
    is_alias: bool


@dataclass(frozen=True)
class Sketch:
    """What tells an entity apart from others of the same name: its native name and its best-known credit.

    For a person, ``role`` is the character they voiced in the most shows (or, with no voice role, the staff
    role they held on the most shows; the most recent breaks a tie) and ``show`` the first show of it; for a
    character, ``show`` is the first show they appear in; for a show, its format and year.
    """

    native: str | None = None
    role: str | None = None
    voice: bool = False
    show: str | None = None
    format: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class LoadReport:
    """What storing a bundle did."""

    anime: int
    people: int
    characters: int
    voice_roles_added: int
    staff_roles_added: int
    skipped: bool = False

    def describe(self) -> str:
        """A one-line summary for the terminal or an admin reply."""
        if self.skipped:
            return "unchanged since the last load; nothing to do"
        return (
            f"{plural(self.anime, 'show')}, {plural(self.people, 'person', 'people')}, "
            f"{plural(self.characters, 'character')}; {plural(self.voice_roles_added, 'new voice role')}, "
            f"{plural(self.staff_roles_added, 'new staff role')}"
        )


@dataclass(frozen=True)
class NamedEntry:
    """What people and characters share: a stable key, names, a note, and perhaps an AniList id."""

    key: str
    name: str
    native: str | None = None
    aliases: tuple[str, ...] = ()
    note: str | None = None
    anilist_id: int | None = None


@dataclass(frozen=True)
class PersonEntry(NamedEntry):
    """A voice actor or staff member."""


@dataclass(frozen=True)
class CharacterEntry(NamedEntry):
    """A character; the shows it appears in come from the cast lists."""


@dataclass(frozen=True)
class StaffCredit:
    """``person`` worked on a show as ``role`` (free text, e.g. "Director", "Music")."""

    person: str
    role: str


@dataclass(frozen=True)
class CastCredit:
    """``person`` voiced ``character`` in a show, in ``language``."""

    character: str
    person: str
    language: str = "japanese"
    note: str | None = None


@dataclass(frozen=True)
class AnimeEntry:
    """A show with its titles, its staff and its cast."""

    key: str
    title_romaji: str
    title_english: str | None = None
    title_native: str | None = None
    aliases: tuple[str, ...] = ()
    studio: str | None = None
    episodes: int | None = None
    year: int | None = None
    format: str | None = None
    note: str | None = None
    anilist_id: int | None = None
    staff: tuple[StaffCredit, ...] = ()
    cast: tuple[CastCredit, ...] = ()

    @property
    def display_title(self) -> str:
        """The title members most likely know: English when there is one, else romaji."""
        return self.title_english or self.title_romaji


@dataclass(frozen=True)
class CatalogueBundle:
    """A self-contained set of shows, people and characters, ready to be stored."""

    anime: tuple[AnimeEntry, ...] = ()
    people: tuple[PersonEntry, ...] = ()
    characters: tuple[CharacterEntry, ...] = ()
    source: str | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    def validate(self) -> None:
        """Raise ``CatalogueFormatError`` if a credit names a key that the bundle does not define."""
        _check_unique("anime", (a.key for a in self.anime))
        people = _check_unique("person", (p.key for p in self.people))
        characters = _check_unique("character", (c.key for c in self.characters))
        for anime in self.anime:
            if anime.episodes is not None and anime.episodes < 1:
                raise CatalogueFormatError(f"anime {anime.key!r}: episodes must be at least 1.")
            for staff in anime.staff:
                if staff.person not in people:
                    raise CatalogueFormatError(f"anime {anime.key!r}: staff names unknown person {staff.person!r}.")
                if not staff.role.strip():
                    raise CatalogueFormatError(f"anime {anime.key!r}: a staff credit has an empty role.")
            for cast in anime.cast:
                if cast.person not in people:
                    raise CatalogueFormatError(f"anime {anime.key!r}: cast names unknown person {cast.person!r}.")
                if cast.character not in characters:
                    raise CatalogueFormatError(
                        f"anime {anime.key!r}: cast names unknown character {cast.character!r}."
                    )
                if cast.language not in LANGUAGES:
                    raise CatalogueFormatError(
                        f"anime {anime.key!r}: language {cast.language!r} is not one of {', '.join(LANGUAGES)}."
                    )


def _check_unique(kind: str, keys: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    for key in keys:
        if not key or not key.strip():
            raise CatalogueFormatError(f"a {kind} has an empty key.")
        if key in seen:
            raise CatalogueFormatError(f"{kind} key {key!r} is defined twice.")
        seen.add(key)
    return seen
