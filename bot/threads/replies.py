"""Reply threads under review posts: opened once (by a button, or by itself per the server's setting), named
with the review's spoiler scope; archived and locked when the review is deleted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.core.text import Md
from bot.errors import NotFound
from bot.reviews.models import Review
from bot.threads import names
from bot.threads.store import ThreadStore

log = logging.getLogger(__name__)


class ReplyMaker(Protocol):
    """What the Discord side does for reply threads."""

    async def exists(self, thread_id: int) -> bool:
        """Whether the thread is still there."""

    async def from_message(self, guild_id: int, channel_id: int, message_id: int, name: str, opening: Md) -> int:
        """A public thread started from the message (the one it already has, if any); its id."""

    async def close(self, thread_id: int) -> bool:
        """Archive and lock the thread; False when it is gone."""


@dataclass(frozen=True)
class ReplyThread:
    """A review's reply thread, and whether it was opened just now."""

    thread_id: int
    created: bool


class ReplyThreads:
    """The reply thread of each review post."""

    def __init__(self, store: ThreadStore) -> None:
        self._store = store

    async def open(self, review: Review, maker: ReplyMaker) -> ReplyThread:
        """The review's reply thread: the existing one, or one started now from its post's first message."""
        known = await self._store.review_thread(review.id)
        if known is not None and await maker.exists(known[1]):
            return ReplyThread(known[1], created=False)
        if review.channel_id is None or not review.message_ids:
            raise NotFound(f"Review #{review.number} has no post to open a thread under.")
        thread_id = await maker.from_message(review.guild_id, review.channel_id, review.message_ids[0],
                                             names.review_thread_name(review.number, review.scope_header),
                                             names.review_opening(review.number, review.scope_header))
        await self._store.add_review_thread(review.id, review.guild_id, review.channel_id, thread_id)
        log.info("opened the reply thread %s of review %s in server %s", thread_id, review.id, review.guild_id)
        return ReplyThread(thread_id, created=True)

    async def thread_of(self, review_id: int) -> int | None:
        """The review's reply thread, if it has one recorded."""
        known = await self._store.review_thread(review_id)
        return None if known is None else known[1]

    async def close(self, review_id: int, maker: ReplyMaker) -> bool:
        """Archive and lock a (deleted) review's reply thread and forget it; whether there was one to close."""
        known = await self._store.review_thread(review_id)
        if known is None:
            return False
        closed = await maker.close(known[1])
        await self._store.forget_review_thread(review_id)
        return closed
