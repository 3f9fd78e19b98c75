"""Reviews as members read them: cards for the post and for /review read, and the sentences around them (pure).

A review is one card whose description holds the header (author, spoiler scope, content warnings — all outside
the spoiler) and the first chunk of the body; a body too long for that goes on in further cards, one
``spoiler_chunks`` chunk each, and the cards are packed into as many messages as Discord's limits need.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.catalogue.models import Anime
from bot.core import limits
from bot.core.cards import Card, pack
from bot.core.markdown import discord_len
from bot.core.text import Md, inline, md, plain
from bot.reviews.models import WARNINGS_MAX, EpisodeScope, Review
from bot.reviews.service import ReadItem
from bot.reviews.spoilers import spoiler_chunks, spoiler_overhead

# What escape_markdown may put a backslash before (a numbered item's "." included).
_ESCAPABLE = "\\*_~`|<[]:@#>+-."


def scope_line(review: Review) -> Md:
    """The visible spoiler header, with its icon."""
    return md("{icon}**{header}**", icon=Md("⚠️ " if review.spoilers else "🛡️ "), header=Md(review.scope_header))


def _header(review: Review, note: str | None) -> Md:
    lines = [md("by <@{author}>", author=review.author_id), scope_line(review)]
    if review.warnings:
        # Escaped warnings are at most about twice as long as the 300 characters allowed: never cut.
        lines.append(md("**Content warnings:** {warnings}", warnings=inline(review.warnings, 4 * WARNINGS_MAX)))
    if note:
        lines.append(md("-# {note}", note=Md(note)))  # our own sentence (see ReviewService.visible_body)
    return Md("\n").lines(lines)


def _footer(review: Review, part: int, parts: int) -> str:
    text = f"Review #{review.number}"
    if parts > 1:
        text += f" · part {part} of {parts}"
    if review.edited_at is not None:
        text += " · edited"
    return text


def review_cards(
    review: Review, *, hidden: bool | None = None, note: str | None = None, jump_url: str | None = None
) -> list[Card]:
    """A review as cards, each within Discord's per-embed limits; the body is never cut short.

    ``hidden`` (default: the review's own ``spoilers``) puts the body inside spoiler markup; ``note`` is an
    extra line under the header (used by /review read to say why the body is hidden or shown).
    """
    spoiler = review.spoilers if hidden is None else hidden
    header = _header(review, note)
    # The first chunk shares the description with the header; each later chunk gets a card of its own.
    limit = limits.EMBED_DESCRIPTION - discord_len(header) - 2
    chunks = spoiler_chunks(review.body, spoiler=spoiler, limit=limit)
    parts = max(1, len(chunks))
    first = Card(
        title=inline(review.title, limits.EMBED_TITLE),
        description=header + Md("\n\n") + chunks[0] if chunks else header,
        url=jump_url,
        timestamp=datetime.fromtimestamp(review.created_at, tz=UTC),
        author=plain(f"Review #{review.number} · {review.anime_title}", limits.AUTHOR_NAME),
        footer=_footer(review, 1, parts),
    )
    return [first] + [Card(description=chunk, footer=_footer(review, part, parts))
                      for part, chunk in enumerate(chunks[1:], start=2)]


def render_post(review: Review) -> list[list[Card]]:
    """The public post of a review: one list of cards per message (usually one message)."""
    return pack(review_cards(review))


def jump_url(review: Review) -> str | None:
    """A link to the review's post, when it has one."""
    if review.channel_id is None or not review.message_ids:
        return None
    return f"https://discord.com/channels/{review.guild_id}/{review.channel_id}/{review.message_ids[0]}"


def _read_pages(index: int, count: int, item: ReadItem) -> list[Card]:
    """The pages of review number ``index`` of ``count`` in /review read."""
    review = item.review
    cards = review_cards(review, hidden=item.hidden, note=item.note, jump_url=jump_url(review))
    pages = []
    for part, card in enumerate(cards, start=1):
        footer = f"Review {index} of {count} · #{review.number}"
        if len(cards) > 1:
            footer += f" · part {part} of {len(cards)}"
        if review.edited_at is not None:
            footer += " · edited"
        pages.append(card.with_footer(footer))
    return pages


def reading_pages(position: int, count: int, item: ReadItem) -> list[Card]:
    """The page(s) of one review in /review read: review ``position`` of ``count``, newest first."""
    return _read_pages(position, count, item)


def card_count(review: Review, *, hidden: bool | None = None, note: str | None = None) -> int:
    """``len(review_cards(review, hidden=…, note=…))``, without rendering when the body surely fits in one card.

    The shown body is at most the body's length, plus a ZWSP per "@" or "<" (mentions made inert), plus a
    backslash per character that may be escaped; when even that fits the first card, there is one.
    """
    spoiler = review.spoilers if hidden is None else hidden
    budget = limits.EMBED_DESCRIPTION - discord_len(_header(review, note)) - 2 - spoiler_overhead(spoiler=spoiler)
    body = review.body
    bound = discord_len(body) + body.count("@") + body.count("<") + sum(body.count(c) for c in _ESCAPABLE)
    if bound <= budget:
        return 1
    return len(review_cards(review, hidden=hidden, note=note))


# -- the sentences around reviews ---------------------------------------------------------------------------


def reviews_gone() -> Md:
    """/review read's pages when every review of the show was deleted while the member was reading."""
    return Md("The reviews you were reading have been deleted — run `/review read` again.")


def nobody_reviewed(title: str, author_id: int | None) -> Md:
    """/review read of a show without reviews (by that member)."""
    if author_id is not None:
        return md("<@{author}> hasn't reviewed **{show}** in this server.", author=author_id, show=inline(title, 200))
    return md("Nobody in this server has reviewed **{show}** yet — be the first with `/review write`.",
              show=inline(title, 200))


def write_form(anime: Anime, scope: EpisodeScope) -> tuple[str, Md]:
    """The title and the introduction of /review write's form."""
    if scope.spoilers:
        where = "The review is hidden behind a spoiler; the title and content warnings are not."
    else:
        where = "The review is shown in clear — keep it free of spoilers."
    intro = md("Reviewing **{show}** · {scope}.\n-# {where}", show=inline(anime.title, 200),
               scope=Md(scope.header(anime.episodes)), where=Md(where))
    return plain(f"Review: {anime.title}", limits.MODAL_TITLE), intro


def edit_form(review: Review) -> tuple[str, Md]:
    """The title and the introduction of /review edit's form."""
    intro = md("Editing review **#{number}** of **{show}** · {scope}.", number=review.number,
               show=inline(review.anime_title, 200), scope=Md(review.scope_header))
    return plain(f"Edit review #{review.number}", limits.MODAL_TITLE), intro


def edited(review: Review, *, post_failed: bool) -> Md:
    """What the author reads once an edit is saved."""
    text = md("Review #{number} is updated.", number=review.number)
    if review.channel_id is not None and post_failed:
        return text + md(" I couldn't update its post in <#{channel}>, but `/review read` shows the new text.",
                         channel=review.channel_id)
    link = jump_url(review)
    return text + md(" [See it]({link})", link=Md(link)) if link else text


def deleted(review: Review, *, post_left: bool) -> Md:
    """What the member reads once a review is deleted."""
    text = md("Review #{number} of **{show}** is deleted.", number=review.number, show=inline(review.anime_title, 200))
    if post_left:
        return text + Md(" I couldn't remove its post, though — a moderator can delete it by hand.")
    return text


def choice_label(review: Review) -> str:
    """How one of the member's reviews is offered while they type its number."""
    return plain(f"#{review.number} · {review.anime_title} — {review.title}", limits.CHOICE_NAME)


def draft(title: str, body: str, warnings: str | None) -> bytes:
    """The member's text as a file, so a refused submission loses nothing."""
    text = f"{title}\n\n{body}\n" + (f"\nContent warnings: {warnings}\n" if warnings else "")
    return text.encode("utf-8")


def not_posted(review: Review) -> Md:
    """What the author is told when a saved review could not be posted (found unposted after a restart)."""
    return md("Your review #{number} of **{show}** was saved, but I couldn't post it in <#{channel}>. It is kept: "
              "`/review read` shows it to anyone who asks.", number=review.number,
              show=inline(review.anime_title, 200), channel=review.channel_id or 0)


def orphan_removed(number: int) -> Md:
    """What a moderator reads once a review post that no stored review points to is removed."""
    return md("Removed that post of review #{number}: no stored review points to it (it was deleted, or posted "
              "again).", number=number)


def not_a_review_post() -> Md:
    """The message menu's "Remove review post" used on something else."""
    return Md("That isn't one of my review posts, so there is nothing for me to remove.")


def still_posted(review: Review) -> Md:
    """The message menu's "Remove review post" used on the post of a review that is stored."""
    return md("That is the post of review #{number}, which is stored: `/review delete review: {number}` removes "
              "both.", number=review.number)


def needs_manage_messages() -> Md:
    """A member without Manage Messages asking to remove a review post."""
    return Md("Removing a review post needs the Manage Messages permission in this channel.")
