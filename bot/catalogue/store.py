"""The catalogue store: all SQL about shows, people, characters and their credits, and name-search candidates."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal

from bot.catalogue.models import (
    Anime,
    AnimeEntry,
    CatalogueBundle,
    Character,
    CharacterEntry,
    Kind,
    LoadReport,
    NameRow,
    Person,
    PersonEntry,
    Sketch,
    StaffRole,
    VoiceRole,
)
from bot.core.database import Database, Queries, Row
from bot.core.names import normalize

_ANIME_COLS = (
    "a.id, a.key, a.anilist_id, a.title_romaji, a.title_english, a.title_native, a.studio, "
    "a.episodes, a.year, a.format, a.note, a.fetched_at"
)
_PERSON_COLS = "p.id, p.key, p.anilist_id, p.name, p.native, p.note, p.fetched_at"
_CHARACTER_COLS = "c.id, c.key, c.anilist_id, c.name, c.native, c.note"


def _anime(row: Sequence[object], at: int = 0) -> Anime:
    return Anime(*row[at : at + 12])  # type: ignore[arg-type]  # columns match _ANIME_COLS by position


def _person(row: Sequence[object], at: int = 0) -> Person:
    return Person(*row[at : at + 7])  # type: ignore[arg-type]  # columns match _PERSON_COLS by position


def _character(row: Sequence[object], at: int = 0) -> Character:
    return Character(*row[at : at + 6])  # type: ignore[arg-type]  # columns match _CHARACTER_COLS


_ROLE_SELECT = (
    f"SELECT {_ANIME_COLS}, {_CHARACTER_COLS}, {_PERSON_COLS}, v.language, v.note FROM voice_role v "
    "JOIN anime a ON a.id = v.anime_id JOIN character c ON c.id = v.character_id "
    "JOIN person p ON p.id = v.person_id "
)
_STAFF_SELECT = (
    f"SELECT {_ANIME_COLS}, {_PERSON_COLS}, s.role FROM staff_role s "
    "JOIN anime a ON a.id = s.anime_id JOIN person p ON p.id = s.person_id "
)


Listing = Literal["anime_staff", "anime_cast", "person_voice", "person_staff"]
# Each credits listing: its table, whose list it is, the key it pages on, and whether it shows newest (highest) first.
# Every (owner, key) pair has an index, so a page is one index range step and a count one index range count.
_LISTINGS: dict[Listing, tuple[str, str, str, bool]] = {
    "anime_staff": ("staff_role", "anime_id", "id", False),  # in credited order
    "anime_cast": ("voice_role", "anime_id", "character_id", False),  # by character, as catalogued
    "person_voice": ("voice_role", "person_id", "anime_id", True),  # by show, latest catalogued first
    "person_staff": ("staff_role", "person_id", "anime_id", True),
}


def _voice_roles(rows: Iterable[Sequence[object]]) -> list[VoiceRole]:
    """Rows of ``_ROLE_SELECT`` as voice roles, building each show, character and person once (they are immutable)."""
    anime: dict[object, Anime] = {}
    characters: dict[object, Character] = {}
    people: dict[object, Person] = {}
    out = []
    for row in rows:
        a = anime.get(row[0]) or anime.setdefault(row[0], _anime(row, 0))
        c = characters.get(row[12]) or characters.setdefault(row[12], _character(row, 12))
        p = people.get(row[18]) or people.setdefault(row[18], _person(row, 18))
        out.append(VoiceRole(a, c, p, str(row[25]), row[26]))  # type: ignore[arg-type]  # a row is untyped
    return out


def _staff_roles(rows: Iterable[Sequence[object]]) -> list[StaffRole]:
    """Rows of ``_STAFF_SELECT`` as staff roles, building each show and person once."""
    anime: dict[object, Anime] = {}
    people: dict[object, Person] = {}
    out = []
    for row in rows:
        a = anime.get(row[0]) or anime.setdefault(row[0], _anime(row, 0))
        p = people.get(row[12]) or people.setdefault(row[12], _person(row, 12))
        out.append(StaffRole(a, p, str(row[19])))
    return out


def anime_names(entry: AnimeEntry) -> list[tuple[str, bool]]:
    """Every title form of a show, with whether it is an alias."""
    names = [(entry.title_romaji, False)]
    names += [(t, False) for t in (entry.title_english, entry.title_native) if t]
    return names + [(a, True) for a in entry.aliases]


def entity_names(entry: PersonEntry | CharacterEntry) -> list[tuple[str, bool]]:
    """Every name form of a person or character, with whether it is an alias."""
    names = [(entry.name, False)] + ([(entry.native, False)] if entry.native else [])
    return names + [(a, True) for a in entry.aliases]


_Entry = AnimeEntry | PersonEntry | CharacterEntry


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def fts_prefix_query(words: Iterable[str]) -> str:
    """An FTS5 query that needs every word as a prefix: ``"shima"* AND "yu"*``."""
    return " AND ".join('"' + w.replace('"', '""') + '"*' for w in words)


def tsquery_prefixes(words: Iterable[str]) -> str:
    """A PostgreSQL text-search query that needs every word as a prefix: ``'shima':* & 'yu':*``."""
    return " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "':*" for w in words)


def _like_patterns(words: Iterable[str]) -> list[str]:
    """``LIKE`` patterns (escape character ``\\``) that find each word at the start of a word of ``' ' || norm``."""
    return ["% " + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]


def _best_known(credits: Sequence[tuple[int, str, str, int | None, int]]) -> tuple[str, str] | None:
    """The credit held on the most shows (the most recent one breaks a tie), with the first show it was held on."""
    shows: dict[str, list[tuple[int, int, str]]] = {}
    for _, credit, title, year, anime_id in credits:  # a show with no year counts as the oldest
        shows.setdefault(credit, []).append((year if year is not None else -1, anime_id, title))
    if not shows:
        return None
    credit, held = max(shows.items(), key=lambda item: (len(item[1]), max(item[1])[:2]))
    return credit, min(held)[2]


class CatalogueStore:
    """All SQL about shows, people, characters and their credits."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- writing -------------------------------------------------------------------------------------

    async def source_digest(self, name: str) -> str | None:
        """The digest recorded when the catalogue source ``name`` was last loaded."""
        found = await self._db.fetch_value("SELECT digest FROM catalogue_source WHERE name = ?", (name,))
        return None if found is None else str(found)

    async def load_bundle(
        self,
        bundle: CatalogueBundle,
        *,
        source: str,
        digest: str | None = None,
        fetched_at: float | None = None,
    ) -> LoadReport:
        """Upsert a bundle by key in one transaction; credits are added, never removed.

        With ``digest``, a source whose recorded digest is unchanged is skipped. ``fetched_at`` marks
        AniList data so it can be refreshed when it grows old. Statements are batched (a handful of
        round trips per bundle, whatever its size).
        """
        bundle.validate()
        if digest is not None and await self.source_digest(source) == digest:
            return LoadReport(0, 0, 0, 0, 0, skipped=True)
        async with self._db.transaction() as tx:
            people = await self._upsert_all(
                tx, "person", bundle.people,
                lambda p: {"name": p.name, "native": p.native, "note": p.note, "source": source,
                           "fetched_at": fetched_at},
            )
            characters = await self._upsert_all(
                tx, "character", bundle.characters,
                lambda c: {"name": c.name, "native": c.native, "note": c.note, "source": source},
            )
            anime = await self._upsert_all(
                tx, "anime", bundle.anime,
                lambda a: {"title_romaji": a.title_romaji, "title_english": a.title_english,
                           "title_native": a.title_native, "studio": a.studio, "episodes": a.episodes,
                           "year": a.year, "format": a.format, "note": a.note, "source": source,
                           "fetched_at": fetched_at},
            )
            names = [
                ("person", people[p.key], n, normalize(n), int(alias)) for p in bundle.people
                for n, alias in entity_names(p)
            ] + [
                ("character", characters[c.key], n, normalize(n), int(alias)) for c in bundle.characters
                for n, alias in entity_names(c)
            ] + [
                ("anime", anime[a.key], n, normalize(n), int(alias)) for a in bundle.anime
                for n, alias in anime_names(a)
            ]
            await tx.execute_many(
                "INSERT INTO name (kind, entity_id, name, norm, is_alias) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [row for row in names if row[3]],
            )
            shows = list(anime.values())
            staff_before = await _count_for(tx, "staff_role", shows)
            await tx.execute_many(
                "INSERT INTO staff_role (anime_id, person_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(anime[a.key], people[s.person], s.role) for a in bundle.anime for s in a.staff],
            )
            voice_before = await _count_for(tx, "voice_role", shows)
            await tx.execute_many(
                "INSERT INTO voice_role (anime_id, character_id, person_id, language, note) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (anime_id, character_id, person_id, language) "
                "DO UPDATE SET note = excluded.note "
                "WHERE excluded.note IS NOT NULL AND (voice_role.note IS NULL OR voice_role.note <> excluded.note)",
                [
                    (anime[a.key], characters[c.character], people[c.person], c.language, c.note)
                    for a in bundle.anime for c in a.cast
                ],
            )
            staff_added = await _count_for(tx, "staff_role", shows) - staff_before
            voice_added = await _count_for(tx, "voice_role", shows) - voice_before
            if digest is not None:
                await tx.execute(
                    "INSERT INTO catalogue_source (name, digest, loaded_at) VALUES (?, ?, ?) ON CONFLICT (name) "
                    "DO UPDATE SET digest = excluded.digest, loaded_at = excluded.loaded_at",
                    (source, digest, time.time()),
                )
        return LoadReport(len(anime), len(people), len(characters), voice_added, staff_added)

    async def _upsert_all(
        self,
        tx: Queries,
        table: Kind,
        entries: Sequence[_Entry],
        fields_of: Callable[[Any], dict[str, object]],
    ) -> dict[str, int]:
        """Insert or update every entry by key (or by AniList id); return each bundle key's row id."""
        if not entries:
            return {}
        # An entry may already be stored under another key with the same AniList id (a curated file
        # entry that names its AniList id): update that row rather than add a twin.
        keys = {e.key: e.key for e in entries}
        by_anilist = {e.anilist_id: e.key for e in entries if e.anilist_id is not None}
        for chunk in _chunks(list(by_anilist), 500):
            for stored_key, anilist_id in await tx.fetch_all(
                f"SELECT key, anilist_id FROM {table} WHERE anilist_id IN ({','.join('?' * len(chunk))})", chunk
            ):
                keys[by_anilist[anilist_id]] = str(stored_key)
        rows: list[tuple[object, ...]] = [(keys[e.key], e.anilist_id, *fields_of(e).values()) for e in entries]
        columns: list[str] = list(fields_of(entries[0]))
        # A missing value never erases one we have (AniList may know less than a curated file).
        updates = ", ".join(f"{c} = coalesce(excluded.{c}, {table}.{c})" for c in ["anilist_id", *columns])
        await tx.execute_many(
            f"INSERT INTO {table} (key, anilist_id, {', '.join(columns)}) "
            f"VALUES ({', '.join('?' * (len(columns) + 2))}) ON CONFLICT (key) DO UPDATE SET {updates}",
            rows,
        )
        ids: dict[str, int] = {}
        stored_to_bundle = {stored: key for key, stored in keys.items()}
        for chunk in _chunks(list(stored_to_bundle), 500):
            for stored_key, row_id in await tx.fetch_all(
                f"SELECT key, id FROM {table} WHERE key IN ({','.join('?' * len(chunk))})", chunk
            ):
                ids[stored_to_bundle[str(stored_key)]] = int(row_id)
        return ids

    # -- reading -------------------------------------------------------------------------------------

    async def anime(self, anime_id: int) -> Anime | None:
        """One show by id."""
        row = await self._db.fetch_one(f"SELECT {_ANIME_COLS} FROM anime a WHERE a.id = ?", (anime_id,))
        return _anime(row) if row else None

    async def anime_by_anilist(self, anilist_id: int) -> Anime | None:
        """One show by its AniList id."""
        row = await self._db.fetch_one(f"SELECT {_ANIME_COLS} FROM anime a WHERE a.anilist_id = ?", (anilist_id,))
        return _anime(row) if row else None

    async def person(self, person_id: int) -> Person | None:
        """One person by id."""
        row = await self._db.fetch_one(f"SELECT {_PERSON_COLS} FROM person p WHERE p.id = ?", (person_id,))
        return _person(row) if row else None

    async def person_by_anilist(self, anilist_id: int) -> Person | None:
        """One person by their AniList id."""
        row = await self._db.fetch_one(f"SELECT {_PERSON_COLS} FROM person p WHERE p.anilist_id = ?", (anilist_id,))
        return _person(row) if row else None

    async def character(self, character_id: int) -> Character | None:
        """One character by id."""
        row = await self._db.fetch_one(f"SELECT {_CHARACTER_COLS} FROM character c WHERE c.id = ?", (character_id,))
        return _character(row) if row else None

    async def character_by_anilist(self, anilist_id: int) -> Character | None:
        """One character by their AniList id."""
        row = await self._db.fetch_one(
            f"SELECT {_CHARACTER_COLS} FROM character c WHERE c.anilist_id = ?", (anilist_id,))
        return _character(row) if row else None

    async def aliases(self, kind: Kind, entity_id: int) -> list[str]:
        """The alias names of an entity, in the order they were added."""
        rows = await self._db.fetch_all(
            "SELECT name FROM name WHERE kind = ? AND entity_id = ? AND is_alias = 1 ORDER BY id", (kind, entity_id))
        return [str(r[0]) for r in rows]

    async def anime_staff(self, anime_id: int) -> list[StaffRole]:
        """A show's staff credits."""
        return _staff_roles(await self._db.fetch_all(_STAFF_SELECT + "WHERE s.anime_id = ? ORDER BY s.id", (anime_id,)))

    async def anime_cast(self, anime_id: int) -> list[VoiceRole]:
        """A show's cast: every character with its voice actors, in catalogue order."""
        return _voice_roles(await self._db.fetch_all(
            _ROLE_SELECT + "WHERE v.anime_id = ? ORDER BY c.id, v.language, p.name", (anime_id,)))

    async def character_roles(self, character_id: int) -> list[VoiceRole]:
        """Who voiced a character, in every show and language."""
        return _voice_roles(await self._db.fetch_all(
            _ROLE_SELECT + "WHERE v.character_id = ? ORDER BY a.year, a.id, v.language", (character_id,)))

    async def person_voice_roles(self, person_id: int, *, limit: int | None = None) -> list[VoiceRole]:
        """A person's voice roles, newest show first."""
        sql = _ROLE_SELECT + "WHERE v.person_id = ? ORDER BY a.year IS NULL, a.year DESC, a.id, c.name"
        params: tuple[object, ...] = (person_id,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        return _voice_roles(await self._db.fetch_all(sql, params))

    async def person_staff_roles(self, person_id: int) -> list[StaffRole]:
        """A person's staff credits, newest show first."""
        return _staff_roles(await self._db.fetch_all(
            _STAFF_SELECT + "WHERE s.person_id = ? ORDER BY a.year IS NULL, a.year DESC, a.id", (person_id,)))

    # -- credits a page at a time (keyset on an index: the cost of a page does not grow with the list) ----------

    async def listing_keys(self, listing: Listing, owner_id: int, *, after: int | None, forward: bool = True,
                           limit: int) -> list[int]:
        """The next ``limit`` keys of a credits listing after key ``after`` (from the start when None), in display
        order; ``forward=False``: the ``limit`` keys just before ``after`` (from the end when None)."""
        table, owner, key, descending = _LISTINGS[listing]
        ascending = forward != descending
        sql = f"SELECT DISTINCT {key} FROM {table} WHERE {owner} = ?"
        params: tuple[object, ...] = (owner_id,)
        if after is not None:
            sql += f" AND {key} {'>' if ascending else '<'} ?"
            params += (after,)
        sql += f" ORDER BY {key} {'ASC' if ascending else 'DESC'} LIMIT ?"
        keys = [int(r[0]) for r in await self._db.fetch_all(sql, (*params, limit))]
        return keys if forward else keys[::-1]

    async def voice_languages(self, anime_id: int) -> set[str]:
        """The languages a show's voice credits are stored in (a range of the primary key)."""
        rows = await self._db.fetch_all("SELECT DISTINCT language FROM voice_role WHERE anime_id = ?", (anime_id,))
        return {str(row[0]) for row in rows}

    async def listing_count(self, listing: Listing, owner_id: int, *, before: int | None = None) -> int:
        """How many keys a credits listing has (or how many come before key ``before`` in display order)."""
        table, owner, key, descending = _LISTINGS[listing]
        sql = f"SELECT count(DISTINCT {key}) FROM {table} WHERE {owner} = ?"
        params: tuple[object, ...] = (owner_id,)
        if before is not None:
            sql += f" AND {key} {'>' if descending else '<'} ?"
            params += (before,)
        return int(await self._db.fetch_value(sql, params) or 0)

    async def listing_staff(self, listing: Literal["anime_staff", "person_staff"], owner_id: int,
                            keys: Sequence[int]) -> list[StaffRole]:
        """The staff credits under some keys of a listing, in display order."""
        if not keys:
            return []
        _, owner, key, descending = _LISTINGS[listing]
        marks = ",".join("?" * len(keys))
        return _staff_roles(await self._db.fetch_all(
            f"{_STAFF_SELECT}WHERE s.{owner} = ? AND s.{key} IN ({marks}) "
            f"ORDER BY s.{key} {'DESC' if descending else 'ASC'}, s.id", (owner_id, *keys)))

    async def listing_voices(self, listing: Literal["anime_cast", "person_voice"], owner_id: int,
                             keys: Sequence[int]) -> list[VoiceRole]:
        """The voice credits under some keys of a listing, in display order."""
        if not keys:
            return []
        _, owner, key, descending = _LISTINGS[listing]
        marks = ",".join("?" * len(keys))
        return _voice_roles(await self._db.fetch_all(
            f"{_ROLE_SELECT}WHERE v.{owner} = ? AND v.{key} IN ({marks}) "
            f"ORDER BY v.{key} {'DESC' if descending else 'ASC'}, c.id, v.language, p.name", (owner_id, *keys)))

    async def name_candidates(self, kind: Kind, words: Sequence[str], *, limit: int) -> list[NameRow]:
        """Names of ``kind`` containing every word of ``words`` as a word prefix (at most ``limit``)."""
        if not words:
            return []
        if self._db.dialect == "postgresql":
            # PostgreSQL only: no FTS5; its text-search index on the words of norm, with prefixes
            # (migrations/postgresql/0001_catalogue.sql), then the same word-prefix LIKEs as names_with_words.
            like = " AND ".join(["(' ' || norm) LIKE ? ESCAPE '\\'"] * len(words))
            return _name_rows(await self._db.fetch_all(
                "SELECT kind, entity_id, name, norm, is_alias FROM name WHERE to_tsvector('simple', norm) @@ "
                f"to_tsquery('simple', ?) AND kind = ? AND {like} LIMIT ?",
                (tsquery_prefixes(words), kind, *_like_patterns(words), limit),
            ))
        try:
            # SQLite only (FTS5): the word index. CROSS JOIN keeps the index as the outer loop whatever the
            # statistics say: without them the planner may walk every name of the kind and run the MATCH once
            # per name (seconds, not ms).
            rows = await self._db.fetch_all(
                "SELECT n.kind, n.entity_id, n.name, n.norm, n.is_alias FROM name_fts f "
                "CROSS JOIN name n ON n.id = f.rowid WHERE name_fts MATCH ? AND n.kind = ? LIMIT ?",
                (fts_prefix_query(words), kind, limit),
            )
        except sqlite3.OperationalError:
            return []  # an FTS syntax corner case: no candidates rather than an error
        return _name_rows(rows)

    async def names_starting(self, kind: Kind, prefix: str, *, limit: int) -> list[NameRow]:
        """Names of ``kind`` whose search form starts with ``prefix`` (an index range scan)."""
        return _name_rows(await self._db.fetch_all(
            "SELECT kind, entity_id, name, norm, is_alias FROM name WHERE kind = ? AND norm >= ? AND norm < ? "
            "ORDER BY norm LIMIT ?",
            (kind, prefix, prefix + "\U0010ffff", limit),
        ))

    async def names_with_words(self, kind: Kind, words: Sequence[str], *, limit: int) -> list[NameRow]:
        """Names of ``kind`` with every word of ``words`` as a word prefix, by scanning that kind's names.

        For shows, whose titles are a small share of all names, this beats the word index, which would
        find the matching names of every kind first.
        """
        if not words:
            return []
        like = " AND ".join(["(' ' || norm) LIKE ? ESCAPE '\\'"] * len(words))
        return _name_rows(await self._db.fetch_all(
            f"SELECT kind, entity_id, name, norm, is_alias FROM name WHERE kind = ? AND {like} LIMIT ?",
            (kind, *_like_patterns(words), limit),
        ))

    async def primary_names(self, kind: Kind, ids: Sequence[int]) -> dict[int, str]:
        """The display name of each entity id."""
        if not ids:
            return {}
        column = "coalesce(title_english, title_romaji)" if kind == "anime" else "name"
        marks = ",".join("?" * len(ids))
        rows = await self._db.fetch_all(f"SELECT id, {column} FROM {kind} WHERE id IN ({marks})", tuple(ids))
        return {int(r[0]): str(r[1]) for r in rows}

    async def anime_for(self, kind: Literal["person", "character"], ids: Sequence[int]) -> dict[int, str]:
        """For each person or character id, the title of one show it is credited in (for disambiguation)."""
        if not ids:
            return {}
        column = "person_id" if kind == "person" else "character_id"
        marks = ",".join("?" * len(ids))
        # One credit per id, in SQL (a prolific voice actor has hundreds): the first voice role in index order
        # (the lowest show id), then, for people without one, the first staff credit.
        sql = (
            f"SELECT r.{column}, coalesce(a.title_english, a.title_romaji) FROM (SELECT {column}, "
            f"min(anime_id) AS anime_id FROM voice_role WHERE {column} IN ({marks}) GROUP BY {column}) r "
            "JOIN anime a ON a.id = r.anime_id"
        )
        if kind == "person":
            sql += (
                " UNION ALL SELECT s.person_id, coalesce(a.title_english, a.title_romaji) FROM staff_role s "
                "JOIN anime a ON a.id = s.anime_id WHERE s.id IN "
                f"(SELECT min(id) FROM staff_role WHERE person_id IN ({marks}) GROUP BY person_id)"
            )
        params = tuple(ids) * (2 if kind == "person" else 1)
        found: dict[int, str] = {}
        for row in await self._db.fetch_all(sql, params):
            found.setdefault(int(row[0]), str(row[1]))
        return found

    async def sketches(self, kind: Kind, ids: Sequence[int]) -> dict[int, Sketch]:
        """A :class:`Sketch` of each entity id (for telling apart the choices of an ambiguous name)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        params = tuple(ids)
        if kind == "anime":
            rows = await self._db.fetch_all(
                f"SELECT id, title_native, format, year FROM anime WHERE id IN ({marks})", params)
            return {int(r[0]): Sketch(native=r[1], format=r[2], year=r[3]) for r in rows}
        natives = {int(r[0]): r[1] for r in await self._db.fetch_all(
            f"SELECT id, native FROM {kind} WHERE id IN ({marks})", params)}
        column = "person_id" if kind == "person" else "character_id"
        # (entity, credit, show, year, show id): the credit is the character voiced (people) or nothing.
        voice = [(int(r[0]), str(r[1]) if kind == "person" else "", str(r[2]), r[3], int(r[4]))
                 for r in await self._db.fetch_all(
                     f"SELECT v.{column}, c.name, coalesce(a.title_english, a.title_romaji), a.year, a.id "
                     "FROM voice_role v JOIN character c ON c.id = v.character_id JOIN anime a ON a.id = v.anime_id "
                     f"WHERE v.{column} IN ({marks})", params)]
        staff: list[tuple[int, str, str, int | None, int]] = []
        if kind == "person":
            staff = [(int(r[0]), str(r[1]), str(r[2]), r[3], int(r[4])) for r in await self._db.fetch_all(
                "SELECT s.person_id, s.role, coalesce(a.title_english, a.title_romaji), a.year, a.id "
                f"FROM staff_role s JOIN anime a ON a.id = s.anime_id WHERE s.person_id IN ({marks})", params)]
        out: dict[int, Sketch] = {}
        for entity_id, native in natives.items():
            if kind == "character":
                first = min(((y if y is not None else -1, i, t) for e, _, t, y, i in voice if e == entity_id),
                            default=None)
                out[entity_id] = Sketch(native=native, show=first[2] if first else None)
                continue
            best = _best_known([c for c in voice if c[0] == entity_id]) or _best_known(
                [c for c in staff if c[0] == entity_id])
            is_voice = any(c[0] == entity_id for c in voice)
            out[entity_id] = Sketch(native=native, role=best[0] if best else None, voice=is_voice,
                                    show=best[1] if best else None)
        return out


def _name_rows(rows: Iterable[Row]) -> list[NameRow]:
    return [NameRow(str(r[0]), int(r[1]), str(r[2]), str(r[3]), bool(r[4])) for r in rows]


async def _count_for(tx: Queries, table: Literal["staff_role", "voice_role"], anime_ids: Sequence[int]) -> int:
    """How many credits ``table`` holds for these shows (before and after a load: how many it added)."""
    total = 0
    for chunk in _chunks(list(anime_ids), 500):
        marks = ",".join("?" * len(chunk))
        total += int(await tx.fetch_value(f"SELECT count(*) FROM {table} WHERE anime_id IN ({marks})", chunk) or 0)
    return total
