"""The offline title index's file: manami-project's anime-offline-database, read and checked against its schema.

The file (https://github.com/manami-project/anime-offline-database, not shipped: it has its own licence, ODbL 1.0
+ DbCL 1.0, and it is large) comes as one JSON document (``{"license", "repository", "scoreRange",
"lastUpdate", "data": [entry, ...]}``) or as JSON Lines (the first line that metadata without ``data``, then one
entry per line). Both are checked here by the rules the project's published JSON schemas state
(``schemas/anime-offline-database.schema.json`` and ``schemas/anime-offline-database.jsonl.schema.json``,
draft 2020-12), written out as code rather than run by a schema library:

- the document: an object with ``license`` (an object with ``name``, the ODbL + DbCL name, and ``url``, a
  string), ``repository`` (the project's URL), ``scoreRange`` (an object with numbers ``minInclusive`` and
  ``maxInclusive``), ``lastUpdate`` (a date, YYYY-MM-DD) and, in JSON, ``data`` (an array);
- each entry: an object with every required key (``sources``, ``title``, ``type``, ``episodes``, ``status``,
  ``animeSeason``, ``picture``, ``thumbnail``, ``synonyms``, ``studios``, ``producers``, ``relatedAnime``,
  ``tags``); ``sources`` and ``relatedAnime`` arrays of distinct URIs (checked: a scheme and a host);
  ``title`` a string; ``type`` one of TV, MOVIE, OVA, ONA, SPECIAL, UNKNOWN; ``episodes`` a number ≥ 0;
  ``status`` one of FINISHED, ONGOING, UPCOMING, UNKNOWN; ``animeSeason`` an object with ``season`` (SPRING,
  SUMMER, FALL, WINTER, UNDEFINED) and ``year`` (a number ≥ 1907; null allowed in JSON, absent allowed in
  JSONL); ``picture`` and ``thumbnail`` strings; ``synonyms``, ``studios``, ``producers`` and ``tags`` arrays
  of distinct strings; ``duration``, when present, an object (null allowed in JSON) with ``value`` a number ≥ 1
  and ``unit`` "SECONDS".

Not checked: ``format: uri`` beyond a scheme and a host on ``picture``/``thumbnail``/the licence URL (not used
here), and ``uniqueItems`` on ``data`` as a whole (a repeated entry is harmless: its key is stored once).
Beyond the schema, for kansou's own bounds: an empty title, or a number too large to store (episodes over
100,000, a year after 3000), is reported as an error in the file, never an overflow.

Any error refuses the whole file (the first few are named, with their entry numbers), so a load never leaves
a half-written index.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.core.names import normalize
from bot.errors import CatalogueFormatError

LICENCE_NAME = "Open Data Commons Open Database License (ODbL) v1.0 + Database Contents License (DbCL) v1.0"
REPOSITORY = "https://github.com/manami-project/anime-offline-database"
TYPES = ("TV", "MOVIE", "OVA", "ONA", "SPECIAL", "UNKNOWN")
STATUSES = ("FINISHED", "ONGOING", "UPCOMING", "UNKNOWN")
SEASONS = ("SPRING", "SUMMER", "FALL", "WINTER", "UNDEFINED")
REQUIRED = ("sources", "title", "type", "episodes", "status", "animeSeason", "picture", "thumbnail", "synonyms",
            "studios", "producers", "relatedAnime", "tags")
MAX_EPISODES = 100_000
MAX_YEAR = 3000
MAX_NAME = 300  # a longer title or synonym is cut: autocomplete shows 100 characters
MAX_NAMES = 40  # titles and synonyms kept per entry (a few entries list hundreds of spellings)
MAX_WORDS = 8  # word starts indexed per name
MAX_ERRORS = 5
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ANILIST = re.compile(r"https://anilist\.co/anime/(\d{1,18})/?$")
_MAL = re.compile(r"https://myanimelist\.net/anime/(\d{1,18})/?$")


@dataclass(frozen=True)
class TitleEntry:
    """One anime of the offline database, as the index keeps it: titles and ids only."""

    key: str
    anilist_id: int | None
    mal_id: int | None
    title: str
    format: str
    episodes: int
    season: str | None
    year: int | None
    names: tuple[str, ...]  # the title first, then the synonyms, distinct by their search form

    def index_rows(self) -> Iterator[tuple[str, int, str]]:
        """(normalised name from one of its words on, word position, name) for each name, each key once."""
        seen: set[str] = set()
        for name in self.names:
            words = normalize(name).split()
            for pos in range(min(len(words), MAX_WORDS)):
                norm = " ".join(words[pos:])
                if norm not in seen:
                    seen.add(norm)
                    yield norm, pos, name


@dataclass(frozen=True)
class TitleRelease:
    """A checked release: when it was published, its digest, and its entries (one per key)."""

    last_update: str
    digest: str
    entries: tuple[TitleEntry, ...]


class _Errors:
    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.found.append(f"{where}: {problem}")

    def raise_if_any(self, path: Path) -> None:
        if self.found:
            shown = "; ".join(self.found[:MAX_ERRORS])
            more = f" (and {len(self.found) - MAX_ERRORS} more)" if len(self.found) > MAX_ERRORS else ""
            raise CatalogueFormatError(f"{path.name} is not an anime-offline-database release: {shown}{more}. "
                                       "Nothing was changed.")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_uri(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc)


def _distinct_strings(value: Any, *, uri: bool = False) -> str | None:
    """Why ``value`` is not an array of distinct strings (URIs), or None when it is."""
    if not isinstance(value, list):
        return "must be an array"
    if not all(isinstance(v, str) for v in value):
        return "must hold strings only"
    if uri and not all(_is_uri(v) for v in value):
        return "must hold URLs only"
    if len(set(value)) != len(value):
        return "must not repeat an item"
    return None


def _check_meta(meta: Any, errors: _Errors, *, jsonl: bool) -> str:
    """The release's metadata checked; its ``lastUpdate``."""
    where = "the first line" if jsonl else "the document"
    if not isinstance(meta, dict):
        errors.add(where, "must be a JSON object")
        return ""
    required = ("license", "repository", "scoreRange", "lastUpdate") + (() if jsonl else ("data",))
    for key in required:
        if key not in meta:
            errors.add(where, f"has no {key!r}")
    licence = meta.get("license")
    if "license" in meta and not (isinstance(licence, dict) and licence.get("name") == LICENCE_NAME
                                  and isinstance(licence.get("url"), str)):
        errors.add(where, "'license' must name the ODbL v1.0 + DbCL v1.0 licence and its url")
    if "repository" in meta and meta["repository"] != REPOSITORY:
        errors.add(where, f"'repository' must be {REPOSITORY}")
    score = meta.get("scoreRange")
    if "scoreRange" in meta and not (isinstance(score, dict) and _is_number(score.get("minInclusive"))
                                     and _is_number(score.get("maxInclusive"))):
        errors.add(where, "'scoreRange' must hold the numbers minInclusive and maxInclusive")
    last = meta.get("lastUpdate")
    if "lastUpdate" in meta and not (isinstance(last, str) and _DATE.fullmatch(last)):
        errors.add(where, "'lastUpdate' must be a date (YYYY-MM-DD)")
    if not jsonl and "data" in meta and not isinstance(meta["data"], list):
        errors.add(where, "'data' must be an array")
    return last if isinstance(last, str) else ""


def _source_id(sources: Sequence[str], pattern: re.Pattern[str]) -> int | None:
    for source in sources:
        found = pattern.match(source)
        if found:
            return int(found.group(1))
    return None


def _check_entry(entry: Any, where: str, errors: _Errors, *, jsonl: bool) -> TitleEntry | None:
    """One entry checked against the schema (and kansou's bounds); the index's record of it, or None."""
    if not isinstance(entry, dict):
        errors.add(where, "must be a JSON object")
        return None
    before = len(errors.found)
    missing = [k for k in REQUIRED if k not in entry]
    if missing:
        errors.add(where, "has no " + ", ".join(repr(k) for k in missing))
        return None
    for key, uri in (("sources", True), ("relatedAnime", True), ("synonyms", False), ("studios", False),
                     ("producers", False), ("tags", False)):
        problem = _distinct_strings(entry[key], uri=uri)
        if problem:
            errors.add(where, f"{key!r} {problem}")
    title = entry["title"]
    if not isinstance(title, str) or not normalize(title):
        errors.add(where, "'title' must be a non-empty string")
    if entry["type"] not in TYPES:
        errors.add(where, "'type' must be one of " + ", ".join(TYPES))
    episodes = entry["episodes"]
    if not _is_number(episodes) or episodes < 0:
        errors.add(where, "'episodes' must be a number of at least 0")
    elif episodes > MAX_EPISODES or episodes != int(episodes):
        errors.add(where, f"'episodes' must be a whole number up to {MAX_EPISODES:,}")
    if entry["status"] not in STATUSES:
        errors.add(where, "'status' must be one of " + ", ".join(STATUSES))
    for key in ("picture", "thumbnail"):
        if not isinstance(entry[key], str):
            errors.add(where, f"{key!r} must be a string")
    season = entry["animeSeason"]
    year: Any = None
    if not isinstance(season, dict) or season.get("season") not in SEASONS:
        errors.add(where, "'animeSeason' must be an object whose 'season' is one of " + ", ".join(SEASONS))
    else:
        if "year" not in season and not jsonl:
            errors.add(where, "'animeSeason' has no 'year'")
        year = season.get("year")
        if year is not None and (not _is_number(year) or year < 1907 or year > MAX_YEAR or year != int(year)):
            errors.add(where, f"'animeSeason.year' must be a whole number from 1907 to {MAX_YEAR}")
        if year is None and jsonl and "year" in season:
            errors.add(where, "'animeSeason.year' must be a number")
    duration = entry.get("duration")
    well_formed = (isinstance(duration, dict) and _is_number(duration.get("value")) and duration["value"] >= 1
                   and duration.get("unit") == "SECONDS")
    if "duration" in entry and not (duration is None and not jsonl) and not well_formed:
        errors.add(where, "'duration' must be an object with a 'value' of at least 1 and the unit SECONDS")
    if len(errors.found) > before:
        return None
    sources = entry["sources"]
    anilist_id = _source_id(sources, _ANILIST)
    mal_id = _source_id(sources, _MAL)
    key = (f"anilist:{anilist_id}" if anilist_id is not None else f"mal:{mal_id}" if mal_id is not None
           else sources[0] if sources else f"title:{normalize(title)}")
    names: list[str] = []
    seen: set[str] = set()
    for name in [title, *entry["synonyms"]]:
        name = " ".join(name.split())[:MAX_NAME]
        norm = normalize(name)
        if norm and norm not in seen and len(names) < MAX_NAMES:
            seen.add(norm)
            names.append(name)
    return TitleEntry(key=key, anilist_id=anilist_id, mal_id=mal_id, title=names[0], format=entry["type"],
                      episodes=int(episodes), season=None if season["season"] == "UNDEFINED" else season["season"],
                      year=None if year is None else int(year), names=tuple(names))


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes: the same release twice has the same digest (read in pieces)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise CatalogueFormatError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    return digest.hexdigest()


def read_release(path: Path) -> TitleRelease:
    """Read and check an anime-offline-database release (JSON or JSONL); ``CatalogueFormatError`` if it is not one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueFormatError(f"{path} cannot be read: {exc.strerror or exc}.") from exc
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueFormatError(f"{path.name} is not UTF-8 text: not an anime-offline-database release. "
                                   "Nothing was changed.") from exc
    errors = _Errors()
    jsonl = path.suffix.lower() == ".jsonl" or (not text.lstrip().startswith("[") and _looks_like_lines(text))
    items: list[tuple[str, Any]]
    try:
        if jsonl:
            lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
            if not lines:
                raise CatalogueFormatError(f"{path.name} is empty. Nothing was changed.")
            meta = json.loads(lines[0][1])
            items = [(f"line {n}", json.loads(line)) for n, line in lines[1:]]
        else:
            meta = json.loads(text)
            data = meta.get("data") if isinstance(meta, dict) else None
            items = [(f"entry {n}", e) for n, e in enumerate(data, 1)] if isinstance(data, list) else []
    except json.JSONDecodeError as exc:
        raise CatalogueFormatError(f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                   f"{exc.msg}) — is it truncated? Nothing was changed.") from exc
    last_update = _check_meta(meta, errors, jsonl=jsonl)
    entries: dict[str, TitleEntry] = {}
    for where, item in items:
        entry = _check_entry(item, where, errors, jsonl=jsonl)
        if entry is not None:
            entries[entry.key] = entry
    errors.raise_if_any(path)
    if not entries:
        raise CatalogueFormatError(f"{path.name} has no anime in it. Nothing was changed.")
    return TitleRelease(last_update, digest, tuple(entries.values()))


def _looks_like_lines(text: str) -> bool:
    """Whether ``text`` is JSON Lines: a first line that is a whole JSON object by itself."""
    first = text.lstrip().split("\n", 1)[0]
    try:
        return isinstance(json.loads(first), dict) and "\n" in text.strip()
    except json.JSONDecodeError:
        return False
