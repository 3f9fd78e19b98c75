"""Reply threads under review posts: the "Discuss this review" button (a DynamicItem carrying the review's id, so
it works after a restart), the automatic thread per the server's setting, and closing it when the review goes."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.core.text import Md, md
from bot.reviews.models import Review
from bot.reviews.store import ReviewStore
from bot.threads.replies import ReplyThreads
from bot.threads.store import ThreadStore
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import handle_error
from bot.ui.permissions import CLOSING, NAMES, bot_permissions, missing, require
from bot.ui.send import reply
from bot.ui.threads import DiscordThreads
from bot.ui.views import log_interaction

log = logging.getLogger(__name__)

REPLYING = ("view_channel", "read_message_history", "create_public_threads", "send_messages_in_threads")
"""What the bot needs to start a thread from a review post and write its first message."""


def replies(bot: KansouBot) -> ReplyThreads:
    """The reply threads over the bot's database."""
    return ReplyThreads(ThreadStore(bot.core.db))


class ReplyThreadButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                        template=r"kansou:review-thread:(?P<id>[0-9]{1,19})"):
    """"Discuss this review": opens (or links) the review's reply thread."""

    def __init__(self, review_id: int) -> None:
        super().__init__(discord.ui.Button(label="Discuss this review", emoji="💬",
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=f"kansou:review-thread:{review_id}"))
        self.review_id = review_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ReplyThreadButton:
        """The button of a review post, from its custom id (also after a restart)."""
        return cls(int(match["id"]))

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]  # a narrower client
        """Link the review's reply thread, opening it first if it has none."""
        log_interaction(interaction)  # its log line, as for every other button
        try:
            review = await ReviewStore(interaction.client.core.db).by_id(self.review_id)
            if review is None or review.guild_id != interaction.guild_id:
                await reply(interaction, "That review has been deleted.", ephemeral=True)
                return
            require(interaction, review.channel_id, REPLYING, "open a reply thread")
            await interaction.response.defer(ephemeral=True, thinking=True)
            found = await replies(interaction.client).open(review, DiscordThreads(interaction.client))
            await reply(interaction, md("💬 Replies to review #{number}: <#{thread}>", number=review.number,
                                        thread=found.thread_id), ephemeral=True)
        except Exception as exc:  # a DynamicItem's errors would only be logged: answer them
            await handle_error(interaction, exc)


def reply_button(review_id: int) -> discord.ui.View:
    """The view under a review's first message."""
    view = discord.ui.View(timeout=None)
    view.add_item(ReplyThreadButton(review_id))
    return view


async def open_automatically(interaction: Interaction, review: Review) -> Md | None:
    """Open a new review's reply thread (the server wants one under every review); a note when it could not."""
    lacking = missing(bot_permissions(interaction, review.channel_id), REPLYING)
    if lacking:
        names = " and ".join(NAMES[n] for n in lacking)
        return md("I couldn't open its reply thread: I need {names} in <#{channel}>.", names=Md(names),
                  channel=review.channel_id or 0)
    try:
        await replies(interaction.client).open(review, DiscordThreads(interaction.client))
    except discord.HTTPException:
        log.warning("could not open the reply thread of review %s", review.id, exc_info=True)
        return Md("I couldn't open its reply thread; the button under it can try again.")
    return None


async def close_for_deleted(interaction: Interaction, review: Review) -> Md | None:
    """Archive and lock a deleted review's reply thread; a note when it could not."""
    threads = replies(interaction.client)
    thread_id = await threads.thread_of(review.id)
    if thread_id is None:
        return None
    if missing(bot_permissions(interaction, review.channel_id), CLOSING):
        return md("Its reply thread <#{thread}> stays open: I need **Manage Threads** to archive and lock it.",
                  thread=thread_id)
    try:
        await threads.close(review.id, DiscordThreads(interaction.client))
    except discord.HTTPException:
        log.warning("could not close the reply thread of review %s", review.id, exc_info=True)
        return md("I couldn't archive its reply thread <#{thread}>.", thread=thread_id)
    return md("Its reply thread <#{thread}> is archived and locked.", thread=thread_id)
