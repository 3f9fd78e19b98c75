"""Sending what renderers made: cards become embeds here, within Discord's limits, and nothing can ping.

The boundary check: every place Discord shows as markdown (content, title, description, field names and values)
takes :class:`~bot.core.text.Md`; a plain ``str`` there is escaped (so text a renderer forgot to mark shows
literally and pings nobody). Places Discord shows as plain text (footer, author) are cleaned into one line.
Whatever is too long for Discord is cut, with "…", on a grapheme boundary, rather than refused.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import discord

from bot.core import limits
from bot.core.cards import Card, Page
from bot.core.markdown import ELLIPSIS, discord_len, grapheme_clusters
from bot.core.text import Md, block, plain

NO_PINGS = discord.AllowedMentions.none()
COLOUR = discord.Colour(0xC2185B)
ERROR_COLOUR = discord.Colour(0xE57373)
# In ``interaction.extras``: set while a public "thinking…" placeholder waits for its answer (see bot.ui.errors).
PUBLIC_THINKING = "kansou.public_thinking"


def _cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` UTF-16 units: whole graphemes, then "…"."""
    if discord_len(text) <= limit:
        return text
    kept, size = [], discord_len(ELLIPSIS)
    for cluster in grapheme_clusters(text):
        size += discord_len(cluster)
        if size > limit:
            break
        kept.append(cluster)
    return "".join(kept).rstrip() + ELLIPSIS


def markdown(text: str, limit: int) -> str:
    """Text for a place Discord shows as markdown: ``Md`` as it is, anything else escaped; within ``limit``.

    ``Md`` is cut only when it must be (a renderer's bound was too loose); escaped text is cut before escaping,
    so an escape is never split.
    """
    if isinstance(text, Md):
        cut = _cut(text, limit)
        if cut != text and cut.count("||") % 2:
            # A spoiler cut open would show the rest of it in clear: end before it instead. (Inside our spoilers a
            # pipe is escaped, so every "||" of Md text opens or closes one.)
            cut = cut[: cut.rindex("||")].rstrip() + ELLIPSIS
        return cut
    return block(text, limit)


def to_embed(card: Card) -> discord.Embed:
    """The embed Discord shows for ``card``."""
    embed = discord.Embed(
        title=markdown(card.title, limits.EMBED_TITLE) if card.title else None,
        description=markdown(card.description, limits.EMBED_DESCRIPTION) if card.description else None,
        colour=ERROR_COLOUR if card.tone == "error" else COLOUR,
        url=card.url,
        timestamp=card.timestamp,
    )
    for field in card.fields[: limits.EMBED_FIELDS]:
        embed.add_field(name=markdown(field.name, limits.FIELD_NAME) or "\u200b",
                        value=markdown(field.value, limits.FIELD_VALUE) or "\u200b", inline=field.inline)
    if card.footer:
        embed.set_footer(text=plain(card.footer, limits.FOOTER))
    if card.author:
        embed.set_author(name=plain(card.author, limits.AUTHOR_NAME))
    if card.image:
        embed.set_image(url=card.image)
    return _within_total(embed)


def embed_length(embed: discord.Embed) -> int:
    """What Discord counts towards a message's 6000: title, description, fields, footer and author name."""
    total = discord_len(embed.title or "") + discord_len(embed.description or "")
    total += sum(discord_len(f.name or "") + discord_len(f.value or "") for f in embed.fields)
    return total + discord_len(embed.footer.text or "") + discord_len(embed.author.name or "")


def _within_total(embed: discord.Embed) -> discord.Embed:
    """An embed within Discord's 6000 for a message: its last fields dropped, then its description cut, if need be.

    (A message of several cards is packed within the total beforehand: ``bot.core.cards.pack``.)
    """
    while embed_length(embed) > limits.EMBED_TOTAL and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    excess = embed_length(embed) - limits.EMBED_TOTAL
    if excess > 0 and embed.description:
        embed.description = _cut(embed.description, max(1, discord_len(embed.description) - excess))
    return embed


def content(text: str | None) -> str | None:
    """Message text: ``Md`` as it is, anything else escaped; within Discord's 2000."""
    return None if text is None else markdown(text, limits.CONTENT)


def files(page: Page) -> list[discord.File]:
    """The page's attachments as files discord.py can send."""
    return [discord.File(io.BytesIO(a.data), filename=a.filename) for a in page.files]


def error_card(text: str) -> Card:
    """An error as members read it (our own sentences: ``KansouError`` messages are markdown already)."""
    return Card(description=text, tone="error")


async def reply(
    interaction: discord.Interaction[Any],
    text: str | None = None,
    *,
    cards: Sequence[Card] = (),
    page: Page | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
) -> None:
    """Answer an interaction whatever state it is in: the first response, or a follow-up after a defer."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS, "ephemeral": ephemeral}
    if page is not None:
        text = page.content if text is None else text
        cards = [*cards, *page.cards]
        if page.files:
            kwargs["files"] = files(page)
    if text is not None:
        kwargs["content"] = content(text)
    if cards:
        kwargs["embeds"] = [to_embed(c) for c in cards]
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
        interaction.extras.pop(PUBLIC_THINKING, None)  # the placeholder is filled
    else:
        await interaction.response.send_message(**kwargs)


async def think_publicly(interaction: discord.Interaction[Any]) -> None:
    """Show "thinking…" in the channel (the answer will be public); errors still reach only the member.

    Use this, not ``response.defer(thinking=True)``: the central error handler must know a public placeholder
    is waiting, because the first follow-up fills it — an error sent as that follow-up would be public.
    """
    if not interaction.response.is_done():
        await interaction.response.defer(thinking=True)
        interaction.extras[PUBLIC_THINKING] = True
