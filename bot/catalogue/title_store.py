"""The title index's storage: offline releases and AniList search results, and the prefix search over them."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.catalogue.titles import TitleEntry, TitleRelease
from bot.core.database import Database, Transaction

# Above any character a normalised name holds: "abc" <= name < "abc" + TOP is "name starts with abc".
TOP = "\U0010ffff"
_SCAN = 300  # index rows read per query: plenty for 25 choices, bounded whatever the index holds
_BATCH = 5000


@dataclass(frozen=True)
class TitleHit:
    """A show the index offers for a typed title: its ids, its main title, and the name that matched."""

    key: str
    anilist_id: int | None
    title: str
    matched: str
    format: str | None
    year: int | None
    exact: bool
    at_start: bool


@dataclass(frozen=True)
class TitleLoad:
    """What a load did: entries before and after, added, removed, and whether the file was loaded already."""

    entries: int
    added: int
    removed: int
    unchanged: bool
    last_update: str

    def describe(self) -> str:
        """One line for the terminal."""
        if self.unchanged:
            return f"already loaded ({self.entries:,} titles, release of {self.last_update}); nothing changed"
        return (f"{self.entries:,} titles (release of {self.last_update}): {self.added:,} new, "
                f"{self.removed:,} gone")


@dataclass(frozen=True)
class SeasonProgress:
    """How far one season's import got: the next page to fetch, the titles stored so far, and whether it is done."""

    year: int
    season: str
    next_page: int
    titles: int
    done: bool


class TitleStore:
    """The title index tables, through the engine-neutral ``Database``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def loaded(self, digest: str) -> TitleLoad | None:
        """The load that a release with this digest would be a no-op of (None: it is not the one loaded)."""
        row = await self._db.fetch_one("SELECT entries, last_update FROM title_index_release WHERE id = 1 AND "
                                       "digest = ?", (digest,))
        return TitleLoad(int(row[0]), 0, 0, True, str(row[1])) if row is not None else None

    async def load(self, release: TitleRelease, *, now: float | None = None) -> TitleLoad:
        """Replace the offline index with ``release``, in one transaction; a no-op when it is the one loaded.

        AniList search results kept so far are dropped too (they are a cache: the next misses refill it); a
        season's shows (``/catalogue season``) stay, unless the release lists them itself.
        """
        unchanged = await self.loaded(release.digest)
        if unchanged is not None:
            return unchanged
        before = {str(r[0]) for r in await self._db.fetch_all("SELECT key FROM title_index WHERE origin = 'offline'")}
        keys = {e.key for e in release.entries}
        async with self._db.transaction() as tx:
            if self._db.dialect == "postgresql":
                # PostgreSQL only: other processes may keep AniList results meanwhile; this makes them wait for the
                # load (SQLite's writer is one at a time already), so the ids given below from MAX(id) are free.
                await tx.execute("LOCK TABLE title_index IN SHARE ROW EXCLUSIVE MODE")
            seasons = {str(r[0]): int(r[1]) for r in await tx.fetch_all(
                "SELECT key, id FROM title_index WHERE origin = 'season'")}
            covered = [(seasons[k],) for k in keys if k in seasons]
            await tx.execute_many("DELETE FROM title_index_name WHERE title_id = ?", covered)
            await tx.execute_many("DELETE FROM title_index WHERE id = ?", covered)
            await tx.execute("DELETE FROM title_index_name WHERE title_id IN "
                             "(SELECT id FROM title_index WHERE origin <> 'season')")
            await tx.execute("DELETE FROM title_index WHERE origin <> 'season'")
            base = int(await tx.fetch_value("SELECT COALESCE(MAX(id), 0) FROM title_index"))
            for start in range(0, len(release.entries), _BATCH):
                batch = list(enumerate(release.entries[start: start + _BATCH], base + start + 1))
                await tx.execute_many(
                    "INSERT INTO title_index (id, key, anilist_id, mal_id, title, format, episodes, season, year, "
                    "origin, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'offline', NULL)",
                    [(i, e.key, e.anilist_id, e.mal_id, e.title, e.format, e.episodes, e.season, e.year)
                     for i, e in batch])
                await tx.execute_many(
                    "INSERT INTO title_index_name (norm, title_id, pos, name) VALUES (?, ?, ?, ?)",
                    [(norm, i, pos, name) for i, e in batch for norm, pos, name in e.index_rows()])
            if self._db.dialect == "postgresql":
                # PostgreSQL only: ids given explicitly leave the identity behind (SQLite's rowid follows MAX(id)),
                # so the next AniList result kept would collide; move it past them.
                await tx.fetch_value("SELECT setval(pg_get_serial_sequence('title_index', 'id'), "
                                     "GREATEST((SELECT MAX(id) FROM title_index), 1))")
            await tx.execute(
                "INSERT INTO title_index_release (id, digest, last_update, entries, loaded_at) VALUES (1, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET digest = excluded.digest, last_update = excluded.last_update, "
                "entries = excluded.entries, loaded_at = excluded.loaded_at",
                (release.digest, release.last_update, len(release.entries), time.time() if now is None else now))
        return TitleLoad(len(release.entries), len(keys - before), len(before - keys), False, release.last_update)

    async def remember(self, entries: Iterable[TitleEntry], expires_at: float, now: float) -> None:
        """Keep AniList search results until ``expires_at`` (an offline or season entry of the show is left be)."""
        rows = list(entries)
        if not rows:
            return
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM title_index_name WHERE title_id IN "
                             "(SELECT id FROM title_index WHERE origin = 'search' AND expires_at <= ?)", (now,))
            await tx.execute("DELETE FROM title_index WHERE origin = 'search' AND expires_at <= ?", (now,))
            for entry in rows:
                await _put(tx, entry, "search", expires_at)

    async def season_progress(self, year: int, season: str) -> SeasonProgress | None:
        """How far the import of one season got (None: never started)."""
        row = await self._db.fetch_one("SELECT next_page, titles, done FROM season_import WHERE year = ? AND "
                                       "season = ?", (year, season))
        return SeasonProgress(year, season, int(row[0]), int(row[1]), bool(row[2])) if row else None

    async def add_season_page(self, entries: Sequence[TitleEntry], progress: SeasonProgress, now: float) -> None:
        """Store one page of a season's shows and the import's progress after it, in one transaction."""
        async with self._db.transaction() as tx:
            for entry in entries:
                await _put(tx, entry, "season", None)
            await tx.execute(
                "INSERT INTO season_import (year, season, next_page, titles, done, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (year, season) DO UPDATE SET next_page = excluded.next_page, titles = excluded.titles, "
                "done = excluded.done, updated_at = excluded.updated_at",
                (progress.year, progress.season, progress.next_page, progress.titles, int(progress.done), now))

    async def search(self, norm: str, *, now: float, limit: int) -> list[TitleHit]:
        """Shows with a name that has ``norm`` (normalised) at the start of one of its words, best first.

        Shows already in the catalogue (by AniList id) are left out: the catalogue offers them itself.
        Best: the whole name typed, then a name that starts with it, then shorter titles.
        """
        if not norm:
            return []
        rows = await self._db.fetch_all(
            "SELECT t.key, t.anilist_id, t.title, n.name, t.format, t.year, n.norm = ?, n.pos "
            "FROM title_index_name n JOIN title_index t ON t.id = n.title_id "
            "WHERE n.norm >= ? AND n.norm < ? AND (t.expires_at IS NULL OR t.expires_at > ?) "
            "AND NOT EXISTS (SELECT 1 FROM anime a WHERE a.anilist_id = t.anilist_id) "
            "ORDER BY n.norm LIMIT ?",
            (norm, norm, norm + TOP, now, _SCAN))
        best: dict[str, TitleHit] = {}
        for key, anilist_id, title, name, fmt, year, exact, pos in rows:
            hit = TitleHit(str(key), anilist_id, str(title), str(name), fmt, year, bool(exact), int(pos) == 0)
            held = best.get(hit.key)
            if held is None or _rank(hit) < _rank(held):
                best[hit.key] = hit
        return sorted(best.values(), key=_rank)[:limit]

    async def count(self) -> int:
        """How many shows the index offers (both origins, expired search results too)."""
        return int(await self._db.fetch_value("SELECT COUNT(*) FROM title_index"))


async def _put(tx: Transaction, entry: TitleEntry, origin: str, expires_at: float | None) -> None:
    """Add or refresh one show of ``origin``; one the offline release (or a season, for search results) holds stays."""
    found = await tx.fetch_one("SELECT id, origin FROM title_index WHERE key = ?", (entry.key,))
    if found is None:
        # DO NOTHING: on PostgreSQL another process may add the same show between the look and the insert (it
        # is then found below, once its transaction has committed); on SQLite the writer is alone.
        new_id = await tx.fetch_value(
            "INSERT INTO title_index (key, anilist_id, mal_id, title, format, episodes, season, year, origin, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id",
            (entry.key, entry.anilist_id, entry.mal_id, entry.title, entry.format, entry.episodes, entry.season,
             entry.year, origin, expires_at))
        if new_id is not None:
            await tx.execute_many("INSERT INTO title_index_name (norm, title_id, pos, name) VALUES (?, ?, ?, ?)",
                                  [(norm, int(new_id), pos, name) for norm, pos, name in entry.index_rows()])
            return
        found = await tx.fetch_one("SELECT id, origin FROM title_index WHERE key = ?", (entry.key,))
        assert found is not None  # the conflicting row, committed
    if found[1] == "offline" or (found[1] == "season" and origin == "search"):
        return
    title_id = int(found[0])
    await tx.execute("UPDATE title_index SET title = ?, format = ?, episodes = ?, year = ?, origin = ?, "
                     "expires_at = ? WHERE id = ?",
                     (entry.title, entry.format, entry.episodes, entry.year, origin, expires_at, title_id))
    await tx.execute("DELETE FROM title_index_name WHERE title_id = ?", (title_id,))
    await tx.execute_many("INSERT INTO title_index_name (norm, title_id, pos, name) VALUES (?, ?, ?, ?)",
                          [(norm, title_id, pos, name) for norm, pos, name in entry.index_rows()])


def _rank(hit: TitleHit) -> tuple[bool, bool, int, str]:
    return (not hit.exact, not hit.at_start, len(hit.title), hit.title.casefold())
