"""The threads store (all its SQL): claimed episode-thread rows and review reply threads."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.database import Database


@dataclass(frozen=True)
class Claim:
    """An episode thread's row: where it is (or is being made), by which claim, since when."""

    channel_id: int
    thread_id: int | None
    claim: str
    claimed_at: float


class ThreadStore:
    """All SQL about discussion threads."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, guild_id: int, anime_id: int, episode: int, channel_id: int, token: str, at: float
                    ) -> bool:
        """Claim the right to create an episode's thread; False when someone already holds the row."""
        return await self._db.execute(
            "INSERT INTO episode_thread (guild_id, anime_id, episode, channel_id, thread_id, claim, claimed_at) "
            "VALUES (?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (guild_id, anime_id, episode) DO NOTHING",
            (guild_id, anime_id, episode, channel_id, token, at)) > 0

    async def get(self, guild_id: int, anime_id: int, episode: int) -> Claim | None:
        """An episode thread's row."""
        row = await self._db.fetch_one(
            "SELECT channel_id, thread_id, claim, claimed_at FROM episode_thread "
            "WHERE guild_id = ? AND anime_id = ? AND episode = ?", (guild_id, anime_id, episode))
        if row is None:
            return None
        return Claim(int(row[0]), None if row[1] is None else int(row[1]), str(row[2]), float(row[3]))

    async def reclaim(self, guild_id: int, anime_id: int, episode: int, old: str, token: str, channel_id: int,
                      at: float) -> bool:
        """Take over a row whose thread is gone (or whose claimant vanished), only if ``old`` still holds it."""
        return await self._db.execute(
            "UPDATE episode_thread SET thread_id = NULL, claim = ?, claimed_at = ?, channel_id = ? "
            "WHERE guild_id = ? AND anime_id = ? AND episode = ? AND claim = ?",
            (token, at, channel_id, guild_id, anime_id, episode, old)) > 0

    async def fill(self, guild_id: int, anime_id: int, episode: int, token: str, thread_id: int) -> bool:
        """Record the thread the claimant created."""
        return await self._db.execute(
            "UPDATE episode_thread SET thread_id = ? WHERE guild_id = ? AND anime_id = ? AND episode = ? "
            "AND claim = ?", (thread_id, guild_id, anime_id, episode, token)) > 0

    async def release(self, guild_id: int, anime_id: int, episode: int, token: str) -> None:
        """Give up a claim whose thread could not be created (the next request tries again)."""
        await self._db.execute(
            "DELETE FROM episode_thread WHERE guild_id = ? AND anime_id = ? AND episode = ? AND claim = ? "
            "AND thread_id IS NULL", (guild_id, anime_id, episode, token))

    async def review_thread(self, review_id: int) -> tuple[int, int] | None:
        """A review's reply thread: (channel id, thread id)."""
        row = await self._db.fetch_one("SELECT channel_id, thread_id FROM review_thread WHERE review_id = ?",
                                       (review_id,))
        return None if row is None else (int(row[0]), int(row[1]))

    async def add_review_thread(self, review_id: int, guild_id: int, channel_id: int, thread_id: int) -> None:
        """Record a review's reply thread (replacing one that was deleted)."""
        await self._db.execute(
            "INSERT INTO review_thread (review_id, guild_id, channel_id, thread_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (review_id) DO UPDATE SET channel_id = excluded.channel_id, thread_id = excluded.thread_id",
            (review_id, guild_id, channel_id, thread_id))

    async def forget_review_thread(self, review_id: int) -> None:
        """Forget a review's reply thread (once it is archived and locked)."""
        await self._db.execute("DELETE FROM review_thread WHERE review_id = ?", (review_id,))
