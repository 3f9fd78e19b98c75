"""Half-done review posts made whole: a review saved but never posted, and a post whose review is gone.

Saving a review and posting it are two steps (the post is the form's answer, so the review must exist first).
Should the bot stop between them, the review is stored with no message. On start-up this finds such reviews:
a post already sent (the bot stopped before recording it) is found in the channel and kept; otherwise the review
is posted in its channel — or, when it can't be, recorded as not posted and its author is told. The
other half — a post left behind after its review was deleted (or a second post of a review) — a moderator
removes with the message menu's "Remove review post".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.cards import Card
from bot.reviews import render
from bot.reviews.models import Review
from bot.reviews.service import ReviewService
from bot.ui.client import Interaction, KansouBot
from bot.ui.send import NO_PINGS, reply, to_embed
from cogs.reviews._posting import delete_messages, repost

log = logging.getLogger(__name__)

# A review's post is its form's answer, due within Discord's 3 seconds (follow-ups right after): a review older
# than this with no message recorded was cut off between saving and posting.
GRACE = 10.0
REVIEW_FOOTER = re.compile(r"^Review #(\d+)\b(?: · part (\d+) of (\d+))?")
HISTORY = 100  # messages after a review was saved in which to look for a post of it sent before the bot stopped


def _number(message: discord.Message) -> int | None:
    """The review number a message of the bot shows in its footer, if it is a review post."""
    for embed in message.embeds:
        found = REVIEW_FOOTER.match(embed.footer.text or "")
        if found:
            return int(found.group(1))
    return None


class ReviewRecovery(commands.Cog):
    """Posts reviews a restart left unposted, and lets moderators remove posts whose review is gone."""

    def __init__(self, bot: KansouBot, service: ReviewService) -> None:
        self.bot = bot
        self.service = service
        self.started = time.time()
        self._task: asyncio.Task[None] | None = None
        self.menu = app_commands.ContextMenu(name="Remove review post", callback=self.remove_post)
        self.menu.default_permissions = discord.Permissions(manage_messages=True)
        self.menu.guild_only = True

    async def cog_load(self) -> None:
        """Register the message menu."""
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        """Unregister the menu and stop looking for unposted reviews."""
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        if self._task is not None:
            self._task.cancel()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Once connected (the first time), post what a previous run saved but did not post."""
        if self._task is None:
            self._task = asyncio.create_task(self._recover(), name="kansou-review-recovery")

    async def _recover(self) -> None:
        try:
            await self.recover(time.time() - GRACE)
            await asyncio.sleep(GRACE)
            await self.recover(self.started)  # the rest of what was saved before this process started
        except Exception:
            log.exception("recovering unposted reviews failed")

    async def recover(self, saved_before: float) -> int:
        """Post every review saved before ``saved_before`` that has no post; how many were posted."""
        posted = 0
        for review in await self.service.unposted(saved_before):
            assert review.channel_id is not None
            try:
                ids = await self._find_post(review) or await repost(self.bot, review, render.render_post(review))
            except discord.HTTPException:
                log.warning("could not post review %s after a restart; telling its author", review.id, exc_info=True)
                await self.service.not_posted(review)
                await self._tell_author(review)
                continue
            await self.service.attach_messages(review.id, review.channel_id, ids)
            log.info("posted review %s, which was saved but not posted before a restart", review.id)
            posted += 1
        return posted

    async def _find_post(self, review: Review) -> list[int] | None:
        """The messages of a post of ``review`` that was sent but not recorded (the bot stopped in between),
        when the whole of it is there; a partial one is removed (the review is then posted again, whole)."""
        assert review.channel_id is not None and self.bot.user is not None
        channel = self.bot.get_partial_messageable(review.channel_id, guild_id=review.guild_id)
        saved = datetime.fromtimestamp(review.created_at - 1, tz=UTC)
        parts: dict[int, int] = {}
        count = 1
        async for message in channel.history(limit=HISTORY, after=saved, oldest_first=True):
            if message.author.id != self.bot.user.id:
                continue
            for embed in message.embeds:
                found = REVIEW_FOOTER.match(embed.footer.text or "")
                if found and int(found.group(1)) == review.number:
                    part = int(found.group(2) or 1)
                    count = int(found.group(3) or 1)
                    parts.setdefault(part, message.id)
        if not parts:
            return None
        ids = [parts[part] for part in sorted(parts)]
        if sorted(parts) == list(range(1, count + 1)):
            log.info("found the post of review %s, sent before the bot stopped: keeping it", review.id)
            return list(dict.fromkeys(ids))  # one message may carry several parts
        await delete_messages(self.bot, review.channel_id, ids)
        return None

    async def _tell_author(self, review: Review) -> None:
        try:
            user = self.bot.get_user(review.author_id) or await self.bot.fetch_user(review.author_id)
            await user.send(embed=to_embed(Card(description=render.not_posted(review), tone="error")),
                            allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("could not tell the author of review %s that it was not posted", review.id, exc_info=True)

    async def remove_post(self, interaction: Interaction, message: discord.Message) -> None:
        """Delete a review post of the bot's whose review no longer exists (moderators; Manage Messages)."""
        number = _number(message) if self.bot.user and message.author.id == self.bot.user.id else None
        if number is None:
            await reply(interaction, render.not_a_review_post(), ephemeral=True)
            return
        review = await self.service.posted_as(interaction.guild_id, message.id)
        if review is not None:
            await reply(interaction, render.still_posted(review), ephemeral=True)
            return
        if not interaction.permissions.manage_messages:
            await reply(interaction, render.needs_manage_messages(), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        with contextlib.suppress(discord.NotFound):  # gone already: what was asked for
            await message.delete()
        log.info("removed review post %s (review #%s no longer stored) at %s's request", message.id, number,
                 interaction.user.id)
        await reply(interaction, render.orphan_removed(number), ephemeral=True)
