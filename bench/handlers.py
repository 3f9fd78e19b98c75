"""Each command's handler alone: the service call and the rendering the cog does, without Discord.

These mirror the cogs line for line up to the point where the cog hands the result to discord.py: the
service call, the rendering (embeds, chart, paginator or modal) and the payload discord.py would send
(``to_dict``). Errors a member can cause are rendered the way the central handler renders them.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.catalogue.credits import parse_language
from bot.errors import KansouError
from bot.ratings.chart import CHART_FILENAME, render_chart
from bot.reviews.service import AlreadyReviewed
from bot.ui.client import Services
from bot.ui.errors import describe_error
from bot.ui.views import ERROR_COLOUR, Paginator
from cogs.credits import render_anime, render_person, render_voiced
from cogs.ratings import render_forgotten, render_mine, render_scores, render_show, render_top
from cogs.reviews import (
    CHOICE_NAME_MAX,
    EditModal,
    ReviewPageList,
    ReviewPages,
    WriteModal,
    plain_line,
    render_post,
)

Handler = Callable[..., Awaitable[Any]]


def _error(exc: BaseException) -> dict[str, Any]:
    text, _ = describe_error(exc)
    return dict(discord.Embed(description=text[:4096], colour=ERROR_COLOUR).to_dict())


def _pages(pages: list[discord.Embed], owner: int) -> dict[str, Any]:
    view = Paginator(pages, owner)
    payload = {"embeds": [view.pages[0].to_dict()], "components": view.to_components() if len(pages) > 1 else []}
    view.stop()
    return payload


class Handlers:
    """The handler of every command, called with the same values the cog gets."""

    def __init__(self, services: Services) -> None:
        self.s = services

    async def guarded(self, call: Awaitable[Any]) -> Any:
        """Run a handler; a member's mistake is rendered as the error reply instead."""
        try:
            return await call
        except KansouError as exc:
            return _error(exc)

    # -- credits ---------------------------------------------------------------------------------------

    async def credits(self, user_id: int, guild_id: int, anime: str) -> Any:
        """/credits."""
        return _pages(render_anime(await self.s.credits.anime_credits(anime)), user_id)

    async def voiced(self, user_id: int, guild_id: int, character: str, anime: str | None = None,
                     language: str = "all") -> Any:
        """/voiced."""
        result = await self.s.credits.voiced(character, anime, parse_language(language))
        return _pages(render_voiced(result), user_id)

    async def person(self, user_id: int, guild_id: int, name: str) -> Any:
        """/person."""
        return _pages(render_person(await self.s.credits.person(name)), user_id)

    # -- ratings ---------------------------------------------------------------------------------------

    async def rate(self, user_id: int, guild_id: int, anime: str, **scores: float) -> Any:
        """/rate."""
        result = await self.s.ratings.rate(guild_id, user_id, anime, scores)
        return render_scores(result).to_dict()

    async def ratings_show(self, user_id: int, guild_id: int, anime: str) -> Any:
        """/ratings show."""
        result = await self.s.ratings.show(guild_id, anime)
        if result.overall is None:
            return "nobody rated it"
        chart = discord.File(io.BytesIO(render_chart(result.tally.tallies)), filename=CHART_FILENAME)
        return render_show(result).to_dict(), chart

    async def ratings_top(self, user_id: int, guild_id: int, category: str | None = None) -> Any:
        """/ratings top."""
        board = await self.s.ratings.top(guild_id, category)
        return _pages(render_top(board), user_id) if board.rows else "nothing rated"

    async def ratings_mine(self, user_id: int, guild_id: int) -> Any:
        """/ratings mine."""
        shows = await self.s.ratings.mine(guild_id, user_id)
        return _pages(render_mine(shows), user_id) if shows else "nothing rated"

    async def ratings_forget(self, user_id: int, guild_id: int, anime: str) -> Any:
        """/ratings forget."""
        return render_forgotten(await self.s.ratings.forget(guild_id, user_id, anime))

    # -- reviews ---------------------------------------------------------------------------------------

    async def review_write(self, user_id: int, guild_id: int, anime: str, spoilers: bool = True,
                           through_episode: int | None = None) -> Any:
        """/review write: the checks, then the modal."""
        match = await self.s.search.resolve("anime", anime)
        try:
            show = await self.s.reviews.check_can_write(guild_id, user_id, match.entity_id, spoilers=spoilers,
                                                        through_episode=through_episode)
        except AlreadyReviewed as exc:
            return _error(exc)
        modal = WriteModal(show, spoilers, through_episode)
        payload = modal.to_dict()
        modal.stop()
        return payload

    async def review_write_submit(self, user_id: int, guild_id: int, channel_id: int, anime_id: int,
                                  spoilers: bool, through_episode: int | None, title: str, body: str,
                                  warnings: str | None, message_id: int) -> Any:
        """The write modal's submit: store, render the post, record where it was posted."""
        review = await self.s.reviews.create(
            guild_id=guild_id, channel_id=channel_id, user_id=user_id, anime_id=anime_id, title=title, body=body,
            warnings=warnings, spoilers=spoilers, through_episode=through_episode,
        )
        payload = [[e.to_dict() for e in embeds] for embeds in render_post(review)]
        await self.s.reviews.attach_messages(review.id, channel_id, [message_id + i for i in range(len(payload))])
        return payload

    async def review_read(self, user_id: int, guild_id: int, anime: str, watched: int | None = None,
                          author: int | None = None) -> Any:
        """/review read."""
        match = await self.s.search.resolve("anime", anime)
        reviews = await self.s.reviews.for_anime(guild_id, match.entity_id, author)
        if not reviews:
            return "no reviews"
        items = [(review, *self.s.reviews.visible_body(review, watched)) for review in reviews]
        view = ReviewPages(ReviewPageList(items), user_id)
        payload = view.pages[0].to_dict(), view.to_components()
        view.stop()
        return payload

    async def review_edit(self, user_id: int, guild_id: int, review: int) -> Any:
        """/review edit: the checks, then the modal."""
        found = await self.s.reviews.get(guild_id, review)
        self.s.reviews.check_can_edit(found, user_id)
        modal = EditModal(found)
        payload = modal.to_dict()
        modal.stop()
        return payload

    async def review_edit_submit(self, user_id: int, guild_id: int, review_id: int, title: str, body: str,
                                 warnings: str | None) -> Any:
        """The edit modal's submit: save, re-render the post, record it."""
        current = await self.s.reviews.by_id(guild_id, review_id)
        review = await self.s.reviews.update(current, user_id, title=title, body=body, warnings=warnings)
        payload = [[e.to_dict() for e in embeds] for embeds in render_post(review)]
        if review.channel_id is not None and review.message_ids:
            await self.s.reviews.attach_messages(review.id, review.channel_id, list(review.message_ids))
        return payload

    async def review_delete(self, user_id: int, guild_id: int, review: int) -> Any:
        """/review delete (the posted messages are removed over the network: not part of the handler)."""
        found = await self.s.reviews.get(guild_id, review)
        removed = await self.s.reviews.delete(found, user_id, False)
        return f"Review #{removed.number} is deleted."

    # -- autocomplete ----------------------------------------------------------------------------------

    async def complete(self, kind: str, current: str) -> Any:
        """The name autocompletes (/credits anime, /voiced character, /person name)."""
        matches = await self.s.search.search(kind, current, limit=25, context=kind != "anime")  # type: ignore[arg-type]
        return [discord.app_commands.Choice(name=m.label[:100] or "?", value=f"id:{m.entity_id}").to_dict()
                for m in matches]

    async def complete_own_review(self, user_id: int, guild_id: int, current: str) -> Any:
        """/review edit's review autocomplete."""
        reviews = await self.s.reviews.by_author(guild_id, user_id, limit=None)
        wanted = current.strip().lstrip("#").casefold()
        choices = []
        for review in reviews:
            label = f"#{review.number} · {review.anime_title} — {review.title}"
            if wanted and not (str(review.number).startswith(wanted) or wanted in label.casefold()):
                continue
            choices.append({"name": plain_line(label, CHOICE_NAME_MAX), "value": review.number})
        return choices[:25]
