"""The credits catalogue as plain data: what a catalogue file or AniList gives, before it is stored.

A catalogue file is TOML (format documented in ``data/README.md``). Entities are named by a *key* that is
stable across loads, so loading the same file twice changes nothing. AniList imports use keys of the form
``anilist:anime:ID``, ``anilist:character:ID`` and ``anilist:staff:ID``.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import CatalogueFormatError, ConfigError

FORMAT_VERSION = 1
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


def _str(table: Mapping[str, Any], name: str, where: str, *, required: bool = False) -> str | None:
    value = table.get(name)
    if value is None:
        if required:
            raise CatalogueFormatError(f"{where}: {name!r} is required.")
        return None
    if not isinstance(value, str):
        raise CatalogueFormatError(f"{where}: {name!r} must be a string.")
    value = value.strip()
    if required and not value:
        raise CatalogueFormatError(f"{where}: {name!r} must not be empty.")
    return value or None


def _int(table: Mapping[str, Any], name: str, where: str) -> int | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise CatalogueFormatError(f"{where}: {name!r} must be a whole number.")
    return value


def _aliases(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = table.get("aliases", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueFormatError(f"{where}: 'aliases' must be a list of strings.")
    return tuple(v.strip() for v in value if v.strip())


def _tables(doc: Mapping[str, Any], name: str, where: str) -> list[Mapping[str, Any]]:
    value = doc.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CatalogueFormatError(f"{where}: {name!r} must be an array of tables ([[{name}]]).")
    return value


_Named = TypeVar("_Named", PersonEntry, CharacterEntry)


def _named(cls: type[_Named], table: Mapping[str, Any], where: str) -> _Named:
    """A person or character table: the fields they share."""
    return cls(
        key=_str(table, "key", where, required=True) or "",
        name=_str(table, "name", where, required=True) or "",
        native=_str(table, "native", where),
        aliases=_aliases(table, where),
        note=_str(table, "note", where),
        anilist_id=_int(table, "anilist_id", where),
    )


def parse_catalogue(doc: Mapping[str, Any], source: str = "<memory>") -> CatalogueBundle:
    """Turn a parsed TOML document into a validated bundle."""
    version = doc.get("format", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise CatalogueFormatError(f"{source}: format {version!r} is not supported (expected {FORMAT_VERSION}).")
    people = [
        _named(PersonEntry, t, f"{source}: person #{i + 1}") for i, t in enumerate(_tables(doc, "person", source))
    ]
    characters = [
        _named(CharacterEntry, t, f"{source}: character #{i + 1}")
        for i, t in enumerate(_tables(doc, "character", source))
    ]
    anime = []
    for i, t in enumerate(_tables(doc, "anime", source)):
        where = f"{source}: anime #{i + 1}"
        staff = tuple(
            StaffCredit(
                person=_str(s, "person", f"{where} staff", required=True) or "",
                role=_str(s, "role", f"{where} staff", required=True) or "",
            )
            for s in _tables(t, "staff", where)
        )
        cast = tuple(
            CastCredit(
                character=_str(c, "character", f"{where} cast", required=True) or "",
                person=_str(c, "person", f"{where} cast", required=True) or "",
                language=(_str(c, "language", f"{where} cast") or "japanese").lower(),
                note=_str(c, "note", f"{where} cast"),
            )
            for c in _tables(t, "cast", where)
        )
        anime.append(AnimeEntry(
            key=_str(t, "key", where, required=True) or "",
            title_romaji=_str(t, "title_romaji", where, required=True) or "",
            title_english=_str(t, "title_english", where),
            title_native=_str(t, "title_native", where),
            aliases=_aliases(t, where),
            studio=_str(t, "studio", where),
            episodes=_int(t, "episodes", where),
            year=_int(t, "year", where),
            format=_str(t, "format", where),
            note=_str(t, "note", where),
            anilist_id=_int(t, "anilist_id", where),
            staff=staff,
            cast=cast,
        ))
    bundle = CatalogueBundle(anime=tuple(anime), people=tuple(people), characters=tuple(characters), source=source)
    bundle.validate()
    return bundle


def read_catalogue(path: Path) -> CatalogueBundle:
    """Read and validate one catalogue file."""
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        raise CatalogueFormatError(f"{path}: no such file.") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueFormatError(f"{path}: not valid TOML ({exc}).") from None
    return parse_catalogue(doc, source=str(path))


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (to skip reloading an unchanged catalogue)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


SHIPPED_CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "data" / "catalogue"


def shipped_catalogue_files(folder: Path | None = None) -> list[Path]:
    """The catalogue files that ship with kansou (or are in ``folder``, see KANSOU_CATALOGUE_DIR), in load order."""
    return sorted((folder or SHIPPED_CATALOGUE_DIR).glob("*.toml"))


def catalogue_files(folder: Path | None = None) -> list[Path]:
    """The catalogue files loaded at start-up: ``data/catalogue`` (or ``folder``); raise if there are none."""
    files = shipped_catalogue_files(folder)
    if not files:
        if folder is not None:
            raise ConfigError(
                f"The credits catalogue folder {folder} (KANSOU_CATALOGUE_DIR) has no .toml file. Point "
                "KANSOU_CATALOGUE_DIR at a folder of catalogue files, or unset it to use the shipped catalogue."
            )
        raise ConfigError(
            "The shipped credits catalogue (data/catalogue/*.toml) is missing. Reinstall kansou from its "
            "source folder with `pip install -e .`."
        )
    return files
