"""The reviews store (all SQL about reviews): numbering per server, one per member per show, posted messages."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.database import Database, Row
from bot.reviews.models import EpisodeScope, Review, ReviewText

_COLS = (
    "r.id, r.guild_id, r.number, r.anime_id, coalesce(a.title_english, a.title_romaji), a.episodes, "
    "r.author_id, r.channel_id, r.title, r.body, r.warnings, r.spoilers, r.through_episode, "
    "r.created_at, r.edited_at"
)
_SELECT = f"SELECT {_COLS} FROM review r JOIN anime a ON a.id = r.anime_id "


def _review(row: Row, message_ids: Sequence[int] = ()) -> Review:
    return Review(
        id=int(row[0]),
        guild_id=int(row[1]),
        number=int(row[2]),
        anime_id=int(row[3]),
        anime_title=str(row[4]),
        anime_episodes=None if row[5] is None else int(row[5]),
        author_id=int(row[6]),
        channel_id=None if row[7] is None else int(row[7]),
        title=str(row[8]),
        body=str(row[9]),
        warnings=None if row[10] is None else str(row[10]),
        spoilers=bool(row[11]),
        through_episode=None if row[12] is None else int(row[12]),
        created_at=float(row[13]),
        edited_at=None if row[14] is None else float(row[14]),
        message_ids=tuple(message_ids),
    )


class ReviewStore:
    """All SQL about reviews."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reading -------------------------------------------------------------------------------------

    async def _with_messages(self, rows: Sequence[Row]) -> list[Review]:
        if not rows:
            return []
        ids = [int(r[0]) for r in rows]
        messages: dict[int, list[int]] = {i: [] for i in ids}
        marks = ",".join("?" * len(ids))
        for review_id, message_id in await self._db.fetch_all(
            f"SELECT review_id, message_id FROM review_message WHERE review_id IN ({marks}) "
            "ORDER BY review_id, position",
            ids,
        ):
            messages[int(review_id)].append(int(message_id))
        return [_review(r, messages[int(r[0])]) for r in rows]

    async def _one(self, where: str, params: Sequence[object]) -> Review | None:
        row = await self._db.fetch_one(_SELECT + where, tuple(params))
        if row is None:
            return None
        return (await self._with_messages([row]))[0]

    async def by_id(self, review_id: int) -> Review | None:
        """One review by its internal id."""
        return await self._one("WHERE r.id = ?", (review_id,))

    async def by_number(self, guild_id: int, number: int) -> Review | None:
        """Review #``number`` of one server (a number from another server finds nothing)."""
        return await self._one("WHERE r.guild_id = ? AND r.number = ?", (guild_id, number))

    async def by_author(self, guild_id: int, anime_id: int, author_id: int) -> Review | None:
        """A member's review of a show in one server, if they wrote one."""
        return await self._one(
            "WHERE r.guild_id = ? AND r.anime_id = ? AND r.author_id = ?", (guild_id, anime_id, author_id)
        )

    async def for_anime(self, guild_id: int, anime_id: int, author_id: int | None = None) -> list[Review]:
        """One server's reviews of a show (optionally by one member), newest first."""
        sql = _SELECT + "WHERE r.guild_id = ? AND r.anime_id = ?"
        params: tuple[object, ...] = (guild_id, anime_id)
        if author_id is not None:
            sql += " AND r.author_id = ?"
            params += (author_id,)
        sql += " ORDER BY r.created_at DESC, r.number DESC"
        return await self._with_messages(await self._db.fetch_all(sql, params))

    def _show_filter(self, guild_id: int, anime_id: int, author_id: int | None) -> tuple[str, tuple[object, ...]]:
        where = "r.guild_id = ? AND r.anime_id = ?"
        params: tuple[object, ...] = (guild_id, anime_id)
        if author_id is not None:
            where += " AND r.author_id = ?"
            params += (author_id,)
        return where, params

    async def next_for_anime(self, guild_id: int, anime_id: int, author_id: int | None = None, *,
                             after: int | None = None, older: bool = True, inclusive: bool = False) -> Review | None:
        """One review of a show in a server, by keyset on its number (numbers grow with time): the newest one older
        than review #``after`` (``older``), or the oldest one newer than it; from either end when ``after`` is None.

        ``inclusive`` also accepts #``after`` itself. One index range step (the show's reviews by number).
        """
        where, params = self._show_filter(guild_id, anime_id, author_id)
        if after is not None:
            where += f" AND r.number {'<' if older else '>'}{'=' if inclusive else ''} ?"
            params += (after,)
        order = "DESC" if older else "ASC"
        row = await self._db.fetch_one(f"{_SELECT}WHERE {where} ORDER BY r.number {order} LIMIT 1", params)
        return None if row is None else (await self._with_messages([row]))[0]

    async def count_for_anime(self, guild_id: int, anime_id: int, author_id: int | None = None, *,
                              newer_than: int | None = None) -> int:
        """How many reviews a show has in a server (optionally by one member, or newer than review #``newer_than``):
        a count over a range of the (server, show, number) index."""
        where, params = self._show_filter(guild_id, anime_id, author_id)
        if newer_than is not None:
            where += " AND r.number > ?"
            params += (newer_than,)
        return int(await self._db.fetch_value(f"SELECT count(*) FROM review r WHERE {where}", params) or 0)

    async def for_author(self, guild_id: int, author_id: int, *, limit: int | None = None) -> list[Review]:
        """One member's reviews in one server, newest first (at most ``limit``)."""
        sql = _SELECT + "WHERE r.guild_id = ? AND r.author_id = ? ORDER BY r.created_at DESC, r.number DESC"
        params: tuple[object, ...] = (guild_id, author_id)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        return await self._with_messages(await self._db.fetch_all(sql, params))

    # -- writing -------------------------------------------------------------------------------------

    async def insert(
        self,
        *,
        guild_id: int,
        channel_id: int | None,
        author_id: int,
        anime_id: int,
        text: ReviewText,
        scope: EpisodeScope,
        created_at: float,
    ) -> Review | None:
        """Store a new review with the server's next number; ``None`` if the member already reviewed the show."""
        async with self._db.transaction() as tx:
            if await tx.fetch_one(
                "SELECT 1 FROM review WHERE guild_id = ? AND anime_id = ? AND author_id = ?",
                (guild_id, anime_id, author_id),
            ) is not None:
                return None
            # Numbers come from a counter, so the number of a deleted review is never given to another one.
            number = await tx.fetch_value(
                "INSERT INTO review_counter (guild_id, last_number) VALUES (?, 1) "
                "ON CONFLICT (guild_id) DO UPDATE SET last_number = review_counter.last_number + 1 "
                "RETURNING last_number",
                (guild_id,),
            )
            review_id = await tx.fetch_value(
                "INSERT INTO review (guild_id, number, anime_id, author_id, channel_id, title, body, warnings, "
                "spoilers, through_episode, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (guild_id, int(number), anime_id, author_id, channel_id, text.title, text.body, text.warnings,
                 int(scope.spoilers), scope.through_episode, created_at),
            )
        return await self.by_id(int(review_id))

    async def unposted(self, created_before: float, *, limit: int = 100) -> list[Review]:
        """Reviews saved for a channel but with no message recorded (saving and posting are two steps)."""
        rows = await self._db.fetch_all(
            _SELECT + "WHERE r.channel_id IS NOT NULL AND r.created_at < ? "
            "AND NOT EXISTS (SELECT 1 FROM review_message m WHERE m.review_id = r.id) ORDER BY r.id LIMIT ?",
            (created_before, limit),
        )
        return await self._with_messages(rows)

    async def posted_as(self, message_id: int) -> Review | None:
        """The review one of whose posted messages is ``message_id``."""
        return await self._one("WHERE r.id = (SELECT review_id FROM review_message WHERE message_id = ? LIMIT 1)",
                               (message_id,))

    async def forget_channel(self, review_id: int) -> None:
        """Record that a review is not posted anywhere (it could not be; its author was told)."""
        await self._db.execute("UPDATE review SET channel_id = NULL WHERE id = ?", (review_id,))

    async def set_messages(self, review_id: int, channel_id: int, message_ids: Sequence[int]) -> None:
        """Record the channel and message(s), in order, that a review is posted as (replacing earlier ones)."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE review SET channel_id = ? WHERE id = ?", (channel_id, review_id))
            await tx.execute("DELETE FROM review_message WHERE review_id = ?", (review_id,))
            await tx.execute_many(
                "INSERT INTO review_message (review_id, position, message_id) VALUES (?, ?, ?)",
                [(review_id, position, message_id) for position, message_id in enumerate(message_ids)],
            )

    async def update_text(self, review_id: int, guild_id: int, text: ReviewText, *, edited_at: float) -> Review | None:
        """Replace a review's title, body and warnings and set ``edited_at``; ``None`` if it is gone."""
        updated = await self._db.execute(
            "UPDATE review SET title = ?, body = ?, warnings = ?, edited_at = ? WHERE id = ? AND guild_id = ?",
            (text.title, text.body, text.warnings, edited_at, review_id, guild_id),
        )
        return await self.by_id(review_id) if updated else None

    async def delete(self, review_id: int, guild_id: int) -> bool:
        """Delete a review (and its message records); whether it existed."""
        return await self._db.execute("DELETE FROM review WHERE id = ? AND guild_id = ?", (review_id, guild_id)) > 0
