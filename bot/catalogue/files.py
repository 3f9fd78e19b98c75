"""Catalogue files: TOML (the format is documented in ``data/README.md``) read, checked and loaded into the store.

Entities are named by a *key* that is stable across loads, so loading the same file twice changes nothing; an
unchanged file (same digest) is not even read again at start-up.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from bot.catalogue.models import (
    EPISODES_RANGE,
    MAX_ID,
    YEAR_RANGE,
    AnimeEntry,
    CastCredit,
    CatalogueBundle,
    CharacterEntry,
    LoadReport,
    PersonEntry,
    StaffCredit,
)
from bot.catalogue.store import CatalogueStore
from bot.errors import CatalogueFormatError, ConfigError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


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


_BOUNDS = {"episodes": EPISODES_RANGE, "year": YEAR_RANGE, "anilist_id": (1, MAX_ID)}


def _int(table: Mapping[str, Any], name: str, where: str) -> int | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise CatalogueFormatError(f"{where}: {name!r} must be a whole number.")
    low, high = _BOUNDS[name]
    if name == "episodes" and value < 1:
        return value  # refused by validate(), as data/README.md says
    if not low <= value <= high:
        # TOML numbers can be of any size; one that does not fit is left out (the rest of the file still loads).
        log.warning("%s: %r is outside %d..%d; it was left out", where, name, low, high)
        return None
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


async def load_catalogue_file(store: CatalogueStore, path: Path, *, force: bool = False) -> LoadReport:
    """Load one catalogue file; an unchanged file that was loaded before is skipped unless ``force``."""
    bundle = read_catalogue(path)
    digest = file_digest(path)
    return await store.load_bundle(bundle, source=f"file:{path.name}", digest=None if force else digest)


async def load_shipped_catalogue(store: CatalogueStore, folder: Path | None = None) -> list[tuple[Path, LoadReport]]:
    """Load the catalogue files that ship in ``data/catalogue`` (or ``folder``; idempotent, fast when unchanged)."""
    reports = []
    for path in catalogue_files(folder):
        report = await load_catalogue_file(store, path)
        if not report.skipped:
            log.info("loaded catalogue %s: %s", path.name, report.describe())
        reports.append((path, report))
    return reports
