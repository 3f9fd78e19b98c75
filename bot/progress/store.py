"""The progress store (all its SQL): a member's place in each show, per server, and whether it is visible."""

from __future__ import annotations

from bot.core.database import Database, Row
from bot.progress.models import Progress

_SELECT = (
    "SELECT p.anime_id, coalesce(a.title_english, a.title_romaji), a.episodes, p.episode, p.finished, p.updated_at "
    "FROM progress p JOIN anime a ON a.id = p.anime_id "
)


def _progress(row: Row) -> Progress:
    return Progress(int(row[0]), str(row[1]), None if row[2] is None else int(row[2]), int(row[3]), bool(row[4]),
                    float(row[5]))


class ProgressStore:
    """All SQL about watching progress."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int, member_id: int, anime_id: int) -> Progress | None:
        """A member's progress in one show, if they recorded any."""
        row = await self._db.fetch_one(_SELECT + "WHERE p.guild_id = ? AND p.member_id = ? AND p.anime_id = ?",
                                       (guild_id, member_id, anime_id))
        return None if row is None else _progress(row)

    async def for_member(self, guild_id: int, member_id: int) -> list[Progress]:
        """Every show a member recorded progress in, most recently updated first."""
        rows = await self._db.fetch_all(_SELECT + "WHERE p.guild_id = ? AND p.member_id = ? "
                                        "ORDER BY p.updated_at DESC, p.anime_id", (guild_id, member_id))
        return [_progress(r) for r in rows]

    async def put(self, guild_id: int, member_id: int, anime_id: int, episode: int, finished: bool, at: float
                  ) -> None:
        """Record a member's progress in a show (replacing what was there)."""
        await self._db.execute(
            "INSERT INTO progress (guild_id, member_id, anime_id, episode, finished, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, member_id, anime_id) DO UPDATE SET "
            "episode = excluded.episode, finished = excluded.finished, updated_at = excluded.updated_at",
            (guild_id, member_id, anime_id, episode, int(finished), at),
        )

    async def clear(self, guild_id: int, member_id: int, anime_id: int | None) -> int:
        """Forget a member's progress in one show (or, ``None``, every show); how many were forgotten."""
        if anime_id is None:
            return await self._db.execute("DELETE FROM progress WHERE guild_id = ? AND member_id = ?",
                                          (guild_id, member_id))
        return await self._db.execute("DELETE FROM progress WHERE guild_id = ? AND member_id = ? AND anime_id = ?",
                                      (guild_id, member_id, anime_id))

    async def visible(self, guild_id: int, member_id: int) -> bool:
        """Whether the member shows their progress to the server."""
        return bool(await self._db.fetch_value(
            "SELECT visible FROM progress_visibility WHERE guild_id = ? AND member_id = ?", (guild_id, member_id)))

    async def set_visible(self, guild_id: int, member_id: int, visible: bool) -> None:
        """Show the member's progress to the server, or keep it private."""
        await self._db.execute(
            "INSERT INTO progress_visibility (guild_id, member_id, visible) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, member_id) DO UPDATE SET visible = excluded.visible",
            (guild_id, member_id, int(visible)),
        )
