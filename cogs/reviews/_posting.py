"""Posting a review in its channel, bringing the post up to date after an edit, and removing it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord

from bot.core.cards import Card
from bot.reviews.models import Review
from bot.ui.client import Interaction
from bot.ui.send import NO_PINGS, to_embed

log = logging.getLogger(__name__)


def _embeds(cards: Sequence[Card]) -> list[discord.Embed]:
    return [to_embed(card) for card in cards]


def _with(view: discord.ui.View | None) -> dict[str, Any]:
    """The ``view`` keyword when there is one (discord.py refuses ``view=None`` on some sends)."""
    return {} if view is None else {"view": view}


async def delete_messages(client: discord.Client, channel_id: int, message_ids: Sequence[int]) -> bool:
    """Delete posted messages, tolerating ones already gone; whether none was left behind."""
    channel = client.get_partial_messageable(channel_id)
    removed = True
    for message_id in message_ids:
        try:
            await channel.get_partial_message(message_id).delete()
        except discord.NotFound:
            pass
        except discord.HTTPException:
            log.warning("could not delete review message %s in channel %s", message_id, channel_id, exc_info=True)
            removed = False
    return removed


async def post(interaction: Interaction, messages: Sequence[Sequence[Card]], *, view: discord.ui.View | None = None
               ) -> list[int]:
    """Send a review's messages publicly in the interaction's channel (``view`` under the first); their ids (all
    removed again on failure)."""
    ids: list[int] = []
    try:
        for cards in messages:
            if not interaction.response.is_done():
                callback = await interaction.response.send_message(embeds=_embeds(cards), allowed_mentions=NO_PINGS,
                                                                   **_with(view))
                message_id = callback.message_id
                if message_id is None:
                    message_id = (await interaction.original_response()).id
                ids.append(message_id)
            else:
                sent = await interaction.followup.send(embeds=_embeds(cards), allowed_mentions=NO_PINGS, wait=True,
                                                       **_with(view if not ids else None))
                ids.append(sent.id)
    except BaseException:
        if ids and interaction.channel_id is not None:
            await delete_messages(interaction.client, interaction.channel_id, ids)
        raise
    return ids


async def post_in(client: discord.Client, channel_id: int, guild_id: int, messages: Sequence[Sequence[Card]], *,
                  view: discord.ui.View | None = None) -> list[int]:
    """Send a review's messages in the server's reviews channel; their ids (all removed again on failure)."""
    channel = client.get_partial_messageable(channel_id, guild_id=guild_id)
    ids: list[int] = []
    try:
        for cards in messages:
            ids.append((await channel.send(embeds=_embeds(cards), allowed_mentions=NO_PINGS,
                                           **_with(None if ids else view))).id)
    except BaseException:
        if ids:
            await delete_messages(client, channel_id, ids)
        raise
    return ids


async def repost(client: discord.Client, review: Review, messages: Sequence[Sequence[Card]], *,
                 view: discord.ui.View | None = None) -> list[int]:
    """Bring a review's posted messages up to date (editing, adding or removing messages); the new ids."""
    assert review.channel_id is not None
    channel = client.get_partial_messageable(review.channel_id, guild_id=review.guild_id)
    old = list(review.message_ids)
    ids: list[int] = []
    try:
        for index, cards in enumerate(messages):
            if index < len(old):
                await channel.get_partial_message(old[index]).edit(embeds=_embeds(cards), allowed_mentions=NO_PINGS)
                ids.append(old[index])
            else:
                sent = await channel.send(embeds=_embeds(cards), allowed_mentions=NO_PINGS)
                ids.append(sent.id)
    except discord.NotFound:
        # Part of the post was deleted meanwhile: post the review again, in order, and clear what is left.
        await delete_messages(client, review.channel_id, old + ids[len(old) :])
        ids = []
        for cards in messages:
            ids.append((await channel.send(embeds=_embeds(cards), allowed_mentions=NO_PINGS,
                                           **_with(None if ids else view))).id)
        return ids
    await delete_messages(client, review.channel_id, old[len(messages) :])
    return ids


async def can_manage_messages(interaction: Interaction, channel_id: int | None) -> bool:
    """Whether the member has Manage Messages in the channel the review was posted in, its overwrites included."""
    if channel_id is None or channel_id == interaction.channel_id:
        return interaction.permissions.manage_messages
    member, guild = interaction.user, interaction.guild
    if not isinstance(member, discord.Member) or guild is None:
        return False
    channel: object = guild.get_channel_or_thread(channel_id)
    if channel is None:
        # Not cached: ask Discord for it, so its permission overwrites count (server-wide rights are not enough).
        try:
            channel = await interaction.client.fetch_channel(channel_id)
        except discord.NotFound:
            # The channel is gone, and its posts with it: there are no overwrites left to apply.
            return member.guild_permissions.manage_messages
        except discord.HTTPException:
            log.warning("could not look up channel %s for a permission check", channel_id, exc_info=True)
            return False  # unknown: only the author may delete, not a moderator by server-wide rights
    if isinstance(channel, discord.Thread):  # a thread's moderators are its parent channel's
        parent_id = channel.parent_id
        channel = guild.get_channel(parent_id)
        if channel is None:
            try:
                channel = await interaction.client.fetch_channel(parent_id)
            except discord.HTTPException:
                log.warning("could not look up channel %s for a permission check", parent_id, exc_info=True)
                return False
    if isinstance(channel, discord.abc.GuildChannel):
        return channel.permissions_for(member).manage_messages
    return False
