"""/review write, read, edit and delete: spoiler-safe reviews, posted in the channel and read privately.

Rendering is pure (``review_embeds``, ``pack_messages``, ``render_pages``) so it can be tested without Discord.
A review is one embed whose description holds the header (author, spoiler scope, content warnings, all
outside the spoiler) and the first chunk of the body; a body too long for that goes on in follow-up embeds,
one ``spoiler_chunks`` chunk each, and the embeds are packed into as many messages as Discord's limits need.
"""

from __future__ import annotations

import bisect
import io
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalogue.store import Anime
from bot.core.markdown import discord_len, sanitize_text
from bot.errors import InvalidInput, KansouError
from bot.reviews.service import BODY_MAX, TITLE_MAX, WARNINGS_MAX, AlreadyReviewed, Review, scope_header
from bot.reviews.spoilers import header_for_scope, spoiler_chunks, spoiler_overhead
from bot.ui.autocomplete import complete_anime
from bot.ui.client import KansouBot
from bot.ui.errors import handle_error
from bot.ui.views import COLOUR, ERROR_COLOUR, NO_PINGS, Interaction, OwnedView, Paginator, clean, reply

log = logging.getLogger(__name__)

DESCRIPTION_MAX = 4096
EMBED_TOTAL_MAX = 6000
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE_MAX = 256
EMBED_AUTHOR_MAX = 256
MODAL_TITLE_MAX = 45
CHOICE_NAME_MAX = 100
MODAL_TIMEOUT = 3600.0  # writing a long review takes a while
EPISODE_MAX = 5000
NUMBER_MAX = 1_000_000_000

Episode = app_commands.Range[int, 1, EPISODE_MAX]
Watched = app_commands.Range[int, 0, EPISODE_MAX]
Number = app_commands.Range[int, 1, NUMBER_MAX]


# -- rendering (pure) --------------------------------------------------------------------------------


def embed_length(embed: discord.Embed) -> int:
    """What Discord counts towards 6000 per message (title, description, fields, footer, author), in UTF-16 units."""
    total = discord_len(embed.title or "") + discord_len(embed.description or "")
    for field in embed.fields:
        total += discord_len(field.name or "") + discord_len(field.value or "")
    return total + discord_len(embed.footer.text or "") + discord_len(embed.author.name or "")


def plain_line(text: str, max_len: int) -> str:
    """Text for a place that shows no markdown (embed author, modal title, choice name): one visible line, bounded."""
    line = " ".join(sanitize_text(text).split())
    if discord_len(line) <= max_len:
        return line
    line = line[:max_len]
    while discord_len(line) > max_len - 1:
        line = line[:-1]
    return line.rstrip() + "…"


def scope_line(review: Review) -> str:
    """The visible spoiler header, with its icon."""
    return ("⚠️ " if review.spoilers else "🛡️ ") + f"**{scope_header(review)}**"


def _header(review: Review, note: str | None) -> str:
    lines = [f"by <@{review.author_id}>", scope_line(review)]
    if review.warnings:
        # Escaped warnings are at most about twice as long as the 300 characters allowed: never cut.
        lines.append(f"**Content warnings:** {clean(review.warnings, 4 * WARNINGS_MAX)}")
    if note:
        lines.append(f"-# {note}")
    return "\n".join(lines)


def _footer(review: Review, part: int, parts: int) -> str:
    text = f"Review #{review.number}"
    if parts > 1:
        text += f" · part {part} of {parts}"
    if review.edited_at is not None:
        text += " · edited"
    return text


def review_embeds(
    review: Review, *, hidden: bool | None = None, note: str | None = None, jump_url: str | None = None
) -> list[discord.Embed]:
    """A review as embeds, each within Discord's per-embed limits; the body is never cut short.

    ``hidden`` (default: the review's own ``spoilers``) puts the body inside spoiler markup; ``note`` is an
    extra line under the header (used by /review read to say why the body is hidden or shown).
    """
    spoiler = review.spoilers if hidden is None else hidden
    header = _header(review, note)
    # The first chunk shares the description with the header; each later chunk gets an embed of its own.
    limit = DESCRIPTION_MAX - discord_len(header) - 2
    chunks = spoiler_chunks(review.body, spoiler=spoiler, limit=limit)
    first = discord.Embed(
        title=clean(review.title, EMBED_TITLE_MAX),
        description=header + ("\n\n" + chunks[0] if chunks else ""),
        colour=COLOUR,
        url=jump_url,
        timestamp=datetime.fromtimestamp(review.created_at, tz=UTC),
    )
    first.set_author(name=plain_line(f"Review #{review.number} · {review.anime_title}", EMBED_AUTHOR_MAX))
    parts = max(1, len(chunks))
    first.set_footer(text=_footer(review, 1, parts))
    embeds = [first]
    for part, chunk in enumerate(chunks[1:], start=2):
        more = discord.Embed(description=chunk, colour=COLOUR)
        more.set_footer(text=_footer(review, part, parts))
        embeds.append(more)
    return embeds


def pack_messages(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds, in order, into messages of at most 10 embeds and 6000 counted characters each."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        length = embed_length(embed)
        if current and (size + length > EMBED_TOTAL_MAX or len(current) >= EMBEDS_PER_MESSAGE):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += length
    if current:
        messages.append(current)
    return messages


def render_post(review: Review) -> list[list[discord.Embed]]:
    """The public post of a review: one list of embeds per message (usually one message)."""
    return pack_messages(review_embeds(review))


def jump_url(review: Review) -> str | None:
    """A link to the review's post, when it has one."""
    if review.channel_id is None or not review.message_ids:
        return None
    return f"https://discord.com/channels/{review.guild_id}/{review.channel_id}/{review.message_ids[0]}"


def _review_pages(index: int, count: int, review: Review, hidden: bool, note: str | None) -> list[discord.Embed]:
    """The pages of review number ``index`` of ``count`` in /review read."""
    embeds = review_embeds(review, hidden=hidden, note=note, jump_url=jump_url(review))
    for part, embed in enumerate(embeds, start=1):
        footer = f"Review {index} of {count} · #{review.number}"
        if len(embeds) > 1:
            footer += f" · part {part} of {len(embeds)}"
        if review.edited_at is not None:
            footer += " · edited"
        embed.set_footer(text=footer)
    return embeds


def render_pages(items: Sequence[tuple[Review, bool, str | None]]) -> list[discord.Embed]:
    """The pages of /review read: (review, hidden, note) each, newest first; a long review takes several pages."""
    pages: list[discord.Embed] = []
    for index, (review, hidden, note) in enumerate(items, start=1):
        pages += _review_pages(index, len(items), review, hidden, note)
    return pages


# What escape_markdown may put a backslash before (a numbered item's "." included).
_ESCAPABLE = "\\*_~`|<[]:@#>+-."


def embed_count(review: Review, *, hidden: bool | None = None, note: str | None = None) -> int:
    """``len(review_embeds(review, hidden=…, note=…))``, without rendering when the body surely fits in one embed.

    The shown body is at most the body's length, plus a ZWSP per "@" or "<" (mentions made inert), plus a
    backslash per character that may be escaped; when even that fits the first embed, there is one.
    """
    spoiler = review.spoilers if hidden is None else hidden
    budget = DESCRIPTION_MAX - discord_len(_header(review, note)) - 2 - spoiler_overhead(spoiler=spoiler)
    body = review.body
    bound = discord_len(body) + body.count("@") + body.count("<") + sum(body.count(c) for c in _ESCAPABLE)
    if bound <= budget:
        return 1
    return len(review_embeds(review, hidden=hidden, note=note))


class ReviewPageList(Sequence[discord.Embed]):
    """The pages :func:`render_pages` gives for ``items``, each review rendered only when one of its pages is shown.

    A show can have hundreds of reviews in a big server; a member reads the first few.
    """

    def __init__(self, items: Sequence[tuple[Review, bool, str | None]]) -> None:
        self._items = list(items)
        self._starts: list[int] = []  # the index of each review's first page
        total = 0
        for review, hidden, note in self._items:
            self._starts.append(total)
            total += embed_count(review, hidden=hidden, note=note)
        self._total = total
        self._rendered: dict[int, list[discord.Embed]] = {}

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, index: int) -> discord.Embed:  # type: ignore[override]  # no slices needed
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError("review page index out of range")
        which = bisect.bisect_right(self._starts, index) - 1
        if which not in self._rendered:
            review, hidden, note = self._items[which]
            self._rendered[which] = _review_pages(which + 1, len(self._items), review, hidden, note)
        return self._rendered[which][index - self._starts[which]]


# -- Discord plumbing --------------------------------------------------------------------------------


def _guild_id(interaction: Interaction) -> int:
    if interaction.guild_id is None:
        raise InvalidInput("Reviews live in servers — use this command inside one.")
    return interaction.guild_id


def _can_manage_messages(interaction: Interaction, channel_id: int | None) -> bool:
    """Whether the member has Manage Messages in the channel the review was posted in."""
    if channel_id is None or channel_id == interaction.channel_id:
        return interaction.permissions.manage_messages
    member = interaction.user
    if not isinstance(member, discord.Member):
        return False
    channel = interaction.guild.get_channel_or_thread(channel_id) if interaction.guild else None
    if channel is not None:
        return channel.permissions_for(member).manage_messages
    return member.guild_permissions.manage_messages


async def _delete_messages(client: discord.Client, channel_id: int, message_ids: Sequence[int]) -> bool:
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


async def _post(interaction: Interaction, messages: Sequence[Sequence[discord.Embed]]) -> list[int]:
    """Send a review's messages publicly in the interaction's channel; their ids (all removed again on failure)."""
    ids: list[int] = []
    try:
        for embeds in messages:
            if not interaction.response.is_done():
                callback = await interaction.response.send_message(embeds=list(embeds), allowed_mentions=NO_PINGS)
                message_id = callback.message_id
                if message_id is None:
                    message_id = (await interaction.original_response()).id
                ids.append(message_id)
            else:
                sent = await interaction.followup.send(embeds=list(embeds), allowed_mentions=NO_PINGS, wait=True)
                ids.append(sent.id)
    except BaseException:
        if ids and interaction.channel_id is not None:
            await _delete_messages(interaction.client, interaction.channel_id, ids)
        raise
    return ids


async def _repost(client: discord.Client, review: Review, messages: Sequence[Sequence[discord.Embed]]) -> list[int]:
    """Bring a review's posted messages up to date (editing, adding or removing messages); the new ids."""
    assert review.channel_id is not None
    channel = client.get_partial_messageable(review.channel_id, guild_id=review.guild_id)
    old = list(review.message_ids)
    ids: list[int] = []
    try:
        for index, embeds in enumerate(messages):
            if index < len(old):
                await channel.get_partial_message(old[index]).edit(embeds=list(embeds), allowed_mentions=NO_PINGS)
                ids.append(old[index])
            else:
                sent = await channel.send(embeds=list(embeds), allowed_mentions=NO_PINGS)
                ids.append(sent.id)
    except discord.NotFound:
        # Part of the post was deleted meanwhile: post the review again, in order, and clear what is left.
        await _delete_messages(client, review.channel_id, old + ids[len(old) :])
        ids = []
        for embeds in messages:
            ids.append((await channel.send(embeds=list(embeds), allowed_mentions=NO_PINGS)).id)
        return ids
    await _delete_messages(client, review.channel_id, old[len(messages) :])
    return ids


def _draft_file(title: str, body: str, warnings: str | None) -> discord.File:
    """The member's text as a file, so a refused submission loses nothing."""
    text = f"{title}\n\n{body}\n" + (f"\nContent warnings: {warnings}\n" if warnings else "")
    return discord.File(io.BytesIO(text.encode("utf-8")), filename="review-draft.txt")


async def _refuse(
    interaction: Interaction, error: KansouError, *, draft: discord.File | None = None, review: Review | None = None
) -> None:
    """Answer a refused write privately: the reason, the draft if one was typed, and an edit button if it helps."""
    embed = discord.Embed(description=str(error)[:DESCRIPTION_MAX], colour=ERROR_COLOUR)
    if draft is not None:
        embed.set_footer(text="Your text is attached, so nothing is lost.")
    view = EditOffer(review, interaction.user.id) if review is not None else None
    await reply(interaction, embed=embed, view=view, file=draft, ephemeral=True)
    if view is not None:
        view.message = await interaction.original_response()


class ReviewModal(discord.ui.Modal):
    """The review form: title, body and optional content warnings (pre-filled when editing)."""

    def __init__(self, heading: str, intro: str, *, title: str = "", body: str = "", warnings: str = "") -> None:
        super().__init__(title=plain_line(heading, MODAL_TITLE_MAX), timeout=MODAL_TIMEOUT)
        self.title_input: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            style=discord.TextStyle.short, max_length=TITLE_MAX, default=title or None,
            placeholder="A headline for your review",
        )
        self.body_input: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=BODY_MAX, default=body or None,
            placeholder="What did you think?",
        )
        self.warnings_input: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=WARNINGS_MAX, required=False, default=warnings or None,
            placeholder="e.g. violence, flashing lights",
        )
        self.add_item(discord.ui.TextDisplay(intro[:4000]))
        self.add_item(discord.ui.Label(text="Title", description="Shown outside the spoiler — keep it spoiler-free.",
                                       component=self.title_input))
        self.add_item(discord.ui.Label(text="Review", description=f"Up to {BODY_MAX} characters.",
                                       component=self.body_input))
        self.add_item(discord.ui.Label(text="Content warnings (optional)", description="Shown outside the spoiler.",
                                       component=self.warnings_input))

    def texts(self) -> tuple[str, str, str | None]:
        """The submitted title, body and warnings."""
        return self.title_input.value, self.body_input.value, self.warnings_input.value or None

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """Hand errors to the central handler."""
        await handle_error(interaction, error)


class WriteModal(ReviewModal):
    """The form of /review write."""

    def __init__(self, anime: Anime, spoilers: bool, through_episode: int | None) -> None:
        self.anime_id = anime.id
        self.spoilers = spoilers
        self.through_episode = through_episode
        if spoilers:
            where = "The review is hidden behind a spoiler; the title and content warnings are not."
        else:
            where = "The review is shown in clear — keep it free of spoilers."
        scope = header_for_scope(through_episode, spoilers, anime.episodes)
        intro = f"Reviewing **{clean(anime.title, 200)}** · {scope}.\n-# {where}"
        super().__init__(f"Review: {anime.title}", intro)

    async def on_submit(self, interaction: Interaction, /) -> None:  # type: ignore[override]
        """Store the review, post it publicly, and record where it was posted."""
        service = interaction.client.services.reviews
        title, body, warnings = self.texts()
        try:
            review = await service.create(
                guild_id=_guild_id(interaction), channel_id=interaction.channel_id, user_id=interaction.user.id,
                anime_id=self.anime_id, title=title, body=body, warnings=warnings, spoilers=self.spoilers,
                through_episode=self.through_episode,
            )
        except AlreadyReviewed as exc:
            await _refuse(interaction, exc, draft=_draft_file(title, body, warnings), review=exc.review)
            return
        except KansouError as exc:
            await _refuse(interaction, exc, draft=_draft_file(title, body, warnings))
            return
        try:
            ids = await _post(interaction, render_post(review))
        except BaseException:
            await service.discard(review)
            raise
        assert interaction.channel_id is not None
        await service.attach_messages(review.id, interaction.channel_id, ids)


class EditModal(ReviewModal):
    """The form of /review edit, pre-filled with the review as it is."""

    def __init__(self, review: Review) -> None:
        self.review_id = review.id
        self.guild_id = review.guild_id
        intro = (f"Editing review **#{review.number}** of **{clean(review.anime_title, 200)}** · "
                 f"{scope_header(review)}.")
        super().__init__(f"Edit review #{review.number}", intro, title=review.title, body=review.body,
                         warnings=review.warnings or "")

    async def on_submit(self, interaction: Interaction, /) -> None:  # type: ignore[override]
        """Save the new text and update the posted message(s)."""
        service = interaction.client.services.reviews
        await interaction.response.defer(ephemeral=True, thinking=True)
        title, body, warnings = self.texts()
        current = await service.by_id(self.guild_id, self.review_id)
        try:
            review = await service.update(current, interaction.user.id, title=title, body=body, warnings=warnings)
        except KansouError as exc:
            await _refuse(interaction, exc, draft=_draft_file(title, body, warnings))
            return
        text = f"Review #{review.number} is updated."
        if review.channel_id is not None and review.message_ids:
            try:
                ids = await _repost(interaction.client, review, render_post(review))
            except discord.HTTPException:
                log.warning("could not update the post of review %s", review.id, exc_info=True)
                text += f" I couldn't update its post in <#{review.channel_id}>, but `/review read` shows the new text."
            else:
                review = await service.attach_messages(review.id, review.channel_id, ids)
                text += f" [See it]({jump_url(review)})"
        await reply(interaction, text, ephemeral=True)


class EditOffer(OwnedView):
    """A button under "you already reviewed this" that opens the edit form for that review."""

    def __init__(self, review: Review, owner_id: int) -> None:
        super().__init__(owner_id, timeout=600.0)
        self.review_id = review.id
        self.guild_id = review.guild_id
        self.edit.label = f"Edit review #{review.number}"

    @discord.ui.button(label="Edit my review", style=discord.ButtonStyle.primary, emoji="✏️")
    async def edit(self, interaction: Interaction, _: discord.ui.Button[EditOffer]) -> None:
        """Open the edit form, pre-filled with the review as it is now."""
        service = interaction.client.services.reviews
        review = await service.by_id(self.guild_id, self.review_id)
        service.check_can_edit(review, interaction.user.id)
        await interaction.response.send_modal(EditModal(review))


class ReviewPages(Paginator):
    """The pages of /review read, footers saying "Review 1 of 3" rather than "Page 1/3"."""

    def __init__(self, pages: Sequence[discord.Embed], owner_id: int, *, timeout: float | None = 600.0) -> None:
        super().__init__(pages, owner_id, timeout=timeout, numbered=False)


async def complete_own_review(interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Autocomplete the member's own reviews in this server by number, show or title."""
    if interaction.guild_id is None:
        return []
    # All of them (at most one per show), filtered here: a LIMIT first would hide older reviews from the search.
    reviews = await interaction.client.services.reviews.by_author(interaction.guild_id, interaction.user.id, limit=None)
    wanted = str(current).strip().lstrip("#").casefold()
    choices = []
    for review in reviews:
        label = f"#{review.number} · {review.anime_title} — {review.title}"
        if wanted and not (str(review.number).startswith(wanted) or wanted in label.casefold()):
            continue
        choices.append(app_commands.Choice(name=plain_line(label, CHOICE_NAME_MAX), value=review.number))
    return choices[:25]


class Reviews(commands.Cog):
    """Spoiler-safe reviews."""

    review = app_commands.Group(name="review", description="Spoiler-safe anime reviews.", guild_only=True)

    def __init__(self, bot: KansouBot) -> None:
        self.bot = bot

    @review.command(name="write", description="Write a review of an anime (opens a form).")
    @app_commands.describe(
        anime="The show you're reviewing (English, romaji or Japanese title)",
        spoilers="Hide the review behind a spoiler (default: true)",
        through_episode="The last episode your review spoils (leave out if it spoils the whole series)",
    )
    @app_commands.autocomplete(anime=complete_anime)
    async def write(
        self, interaction: Interaction, anime: str, spoilers: bool = True, through_episode: Episode | None = None
    ) -> None:
        """Open the review form for a show, after checking the member may review it."""
        guild_id = _guild_id(interaction)
        service = self.bot.services.reviews
        services = self.bot.services
        match = await services.search.resolve_listed_show(anime, importable=services.settings.anilist_enabled)
        try:
            show = await service.check_can_write(
                guild_id, interaction.user.id, match.entity_id, spoilers=spoilers, through_episode=through_episode
            )
        except AlreadyReviewed as exc:
            await _refuse(interaction, exc, review=exc.review)
            return
        await interaction.response.send_modal(WriteModal(show, spoilers, through_episode))

    @review.command(name="read", description="Read this server's reviews of an anime (only you see them).")
    @app_commands.describe(
        anime="The show (English, romaji or Japanese title)",
        watched="How many episodes you've watched: reviews that spoil no further are shown in clear",
        author="Only this member's review",
    )
    @app_commands.autocomplete(anime=complete_anime)
    async def read(
        self,
        interaction: Interaction,
        anime: str,
        watched: Watched | None = None,
        author: discord.User | None = None,
    ) -> None:
        """Page through a show's reviews, newest first; spoilers beyond ``watched`` stay hidden."""
        guild_id = _guild_id(interaction)
        service = self.bot.services.reviews
        match = await self.bot.services.search.resolve("anime", anime)
        reviews = await service.for_anime(guild_id, match.entity_id, author.id if author else None)
        if not reviews:
            show = clean(match.display, 200)
            if author is not None:
                text = f"<@{author.id}> hasn't reviewed **{show}** in this server."
            else:
                text = f"Nobody in this server has reviewed **{show}** yet — be the first with `/review write`."
            await reply(interaction, text, ephemeral=True)
            return
        items = [(review, *service.visible_body(review, watched)) for review in reviews]
        await ReviewPages(ReviewPageList(items), interaction.user.id).start(interaction, ephemeral=True)

    @review.command(name="edit", description="Edit your review (opens the form with your text).")
    @app_commands.describe(review="The review's number, as shown on it (#12 → 12)")
    @app_commands.autocomplete(review=complete_own_review)
    async def edit(self, interaction: Interaction, review: Number) -> None:
        """Open the edit form of one of the member's own reviews."""
        service = self.bot.services.reviews
        found = await service.get(_guild_id(interaction), review)
        service.check_can_edit(found, interaction.user.id)
        await interaction.response.send_modal(EditModal(found))

    @review.command(name="delete", description="Delete a review (yours, or any if you can manage messages).")
    @app_commands.describe(review="The review's number, as shown on it (#12 → 12)")
    @app_commands.autocomplete(review=complete_own_review)
    async def delete(self, interaction: Interaction, review: Number) -> None:
        """Delete a review and its post."""
        service = self.bot.services.reviews
        found = await service.get(_guild_id(interaction), review)
        removed = await service.delete(found, interaction.user.id, _can_manage_messages(interaction, found.channel_id))
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = f"Review #{removed.number} of **{clean(removed.anime_title, 200)}** is deleted."
        channel_id = removed.channel_id
        if channel_id is not None and removed.message_ids and not await _delete_messages(
            self.bot, channel_id, removed.message_ids
        ):
            text += " I couldn't remove its post, though — a moderator can delete it by hand."
        await reply(interaction, text, ephemeral=True)


async def setup(bot: KansouBot) -> None:
    """Add the review commands."""
    await bot.add_cog(Reviews(bot))
