"""The follows store (all its SQL): followed shows, the airing watermark, announced episodes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.database import Database, Row


@dataclass(frozen=True)
class Followed:
    """A show a server follows."""

    guild_id: int
    anime_id: int
    anilist_id: int | None
    title: str
    channel_id: int
    followed_by: int
    followed_at: float


_SELECT = (
    "SELECT f.guild_id, f.anime_id, a.anilist_id, coalesce(a.title_english, a.title_romaji), f.channel_id, "
    "f.followed_by, f.followed_at FROM follow f JOIN anime a ON a.id = f.anime_id "
)


class FollowStore:
    """All SQL about followed shows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def follow(self, guild_id: int, anime_id: int, channel_id: int, member_id: int, at: float) -> bool:
        """Follow a show; False when the server already follows it."""
        return await self._db.execute(
            "INSERT INTO follow (guild_id, anime_id, channel_id, followed_by, followed_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, anime_id) DO NOTHING", (guild_id, anime_id, channel_id, member_id, at)) > 0

    async def unfollow(self, guild_id: int, anime_id: int) -> bool:
        """Stop following a show; whether it was followed."""
        return await self._db.execute("DELETE FROM follow WHERE guild_id = ? AND anime_id = ?",
                                      (guild_id, anime_id)) > 0

    async def of_guild(self, guild_id: int) -> list[Followed]:
        """A server's followed shows, by title."""
        rows = await self._db.fetch_all(_SELECT + "WHERE f.guild_id = ? ORDER BY 4", (guild_id,))
        return [_followed(r) for r in rows]

    async def everything(self) -> list[Followed]:
        """Every followed show of every server (for the airing task)."""
        rows = await self._db.fetch_all(_SELECT + "WHERE a.anilist_id IS NOT NULL ORDER BY f.guild_id, f.anime_id")
        return [_followed(r) for r in rows]

    async def watermark(self) -> int | None:
        """The airing time handled up to, if the task ever ran."""
        value = await self._db.fetch_value("SELECT handled_until FROM airing_watermark WHERE id = 1")
        return None if value is None else int(value)

    async def set_watermark(self, until: int) -> None:
        """Record that every airing up to ``until`` is handled (never moving it back)."""
        # The table's own column is qualified: PostgreSQL calls a bare `handled_until` ambiguous next to `excluded`.
        await self._db.execute(
            "INSERT INTO airing_watermark (id, handled_until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET "
            "handled_until = CASE WHEN excluded.handled_until > airing_watermark.handled_until "
            "THEN excluded.handled_until ELSE airing_watermark.handled_until END", (until,))

    async def claim_announcement(self, guild_id: int, anime_id: int, episode: int, at: float, stale_before: float
                                 ) -> bool:
        """Claim the announcement of an episode in a server; False when it was announced (or is being) already.

        A claim never completed since ``stale_before`` (its process died half-way) is claimed again.
        """
        return await self._db.execute(
            "INSERT INTO airing_announcement (guild_id, anime_id, episode, thread_id, announced_at) "
            "VALUES (?, ?, ?, NULL, ?) ON CONFLICT (guild_id, anime_id, episode) DO UPDATE SET "
            "announced_at = excluded.announced_at "
            "WHERE airing_announcement.thread_id IS NULL AND airing_announcement.announced_at < ?",
            (guild_id, anime_id, episode, at, stale_before)) > 0

    async def announcement_done(self, guild_id: int, anime_id: int, episode: int) -> bool:
        """Whether the episode's announcement was completed (not merely claimed)."""
        return await self._db.fetch_value(
            "SELECT thread_id FROM airing_announcement WHERE guild_id = ? AND anime_id = ? AND episode = ?",
            (guild_id, anime_id, episode)) is not None

    async def announced(self, guild_id: int, anime_id: int, episode: int, thread_id: int) -> None:
        """Record the thread an announcement linked."""
        await self._db.execute(
            "UPDATE airing_announcement SET thread_id = ? WHERE guild_id = ? AND anime_id = ? AND episode = ?",
            (thread_id, guild_id, anime_id, episode))

    async def unclaim_announcement(self, guild_id: int, anime_id: int, episode: int) -> None:
        """Give up a claim whose announcement failed (the next run tries again)."""
        await self._db.execute(
            "DELETE FROM airing_announcement WHERE guild_id = ? AND anime_id = ? AND episode = ? "
            "AND thread_id IS NULL", (guild_id, anime_id, episode))


def _followed(r: Row) -> Followed:
    return Followed(int(r[0]), int(r[1]), None if r[2] is None else int(r[2]), str(r[3]), int(r[4]), int(r[5]),
                    float(r[6]))
