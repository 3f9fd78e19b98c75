"""All the watchlist's SQL, through the database interface."""

from __future__ import annotations

from bot.core.database import Database
from tests.recipe.watchlist.models import WatchEntry


class WatchlistStore:
    """A member's shows to watch, per server."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, guild_id: int, member_id: int, anime_id: int) -> bool:
        """Put a show on the list; whether it was not there yet."""
        return await self._db.execute(
            "INSERT INTO watchlist (guild_id, member_id, anime_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, member_id, anime_id)) > 0

    async def entries(self, guild_id: int, member_id: int) -> list[WatchEntry]:
        """The member's list, in the order the shows were added."""
        rows = await self._db.fetch_all(
            "SELECT w.anime_id, coalesce(a.title_english, a.title_romaji) FROM watchlist w "
            "JOIN anime a ON a.id = w.anime_id WHERE w.guild_id = ? AND w.member_id = ? ORDER BY w.rowid",
            (guild_id, member_id))
        return [WatchEntry(int(r[0]), str(r[1])) for r in rows]
