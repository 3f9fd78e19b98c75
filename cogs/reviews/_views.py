"""The forms and buttons of /review: writing, editing, and the offer to edit a review already written."""

from __future__ import annotations

import logging

import discord

from bot.catalogue.models import Anime
from bot.catalogue.search import ID_PREFIX
from bot.core.cards import Attachment, Card, Page
from bot.core.text import Md, md
from bot.errors import KansouError
from bot.reviews import render
from bot.reviews.models import BODY_MAX, TITLE_MAX, WARNINGS_MAX, EpisodeScope, Review, ReviewText
from bot.reviews.service import AlreadyReviewed, ReviewService
from bot.ui.client import Interaction
from bot.ui.errors import GIVEN_BACK, give_back
from bot.ui.send import reply
from bot.ui.views import KansouModal, OwnedView
from cogs.reviews._posting import post, post_in, repost
from cogs.reviews._threads import open_automatically, reply_button

log = logging.getLogger(__name__)

MODAL_TIMEOUT = 3600.0  # writing a long review takes a while
DRAFT = "review-draft.txt"


async def refuse(interaction: Interaction, service: ReviewService, error: KansouError, *,
                 draft: tuple[str, str, str | None] | None = None, review: Review | None = None) -> None:
    """Answer a refused write privately: the reason, the draft if one was typed, and an edit button if it helps."""
    card = Card(description=Md(str(error)), tone="error",
                footer=GIVEN_BACK if draft is not None else None)
    files = (Attachment(DRAFT, render.draft(*draft)),) if draft is not None else ()
    view = EditOffer(service, review, interaction.user.id) if review is not None else None
    await reply(interaction, page=Page(cards=(card,), files=files), view=view, ephemeral=True)
    if view is not None:
        view.message = await interaction.original_response()


class ReviewModal(KansouModal):
    """The review form: title, body and optional content warnings (pre-filled when editing)."""

    def __init__(self, service: ReviewService, heading: str, intro: Md, *, text: ReviewText | None = None) -> None:
        super().__init__(title=heading, timeout=MODAL_TIMEOUT)
        self.service = service
        self.title_input: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            style=discord.TextStyle.short, max_length=TITLE_MAX, default=text.title if text else None,
            placeholder="A headline for your review",
        )
        self.body_input: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=BODY_MAX, default=text.body if text else None,
            placeholder="What did you think?",
        )
        self.warnings_input: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=WARNINGS_MAX, required=False,
            default=(text.warnings or None) if text else None, placeholder="e.g. violence, flashing lights",
        )
        self.add_item(discord.ui.TextDisplay(intro[:4000]))
        self.add_item(discord.ui.Label(text="Title", description="Shown outside the spoiler — keep it spoiler-free.",
                                       component=self.title_input))
        self.add_item(discord.ui.Label(text="Review", description=f"Up to {BODY_MAX} characters.",
                                       component=self.body_input))
        self.add_item(discord.ui.Label(text="Content warnings (optional)", description="Shown outside the spoiler.",
                                       component=self.warnings_input))

    def typed(self) -> tuple[str, str, str | None]:
        """The submitted title, body and warnings, as typed."""
        return self.title_input.value, self.body_input.value, self.warnings_input.value or None

    async def on_error(  # type: ignore[override]  # discord.py types the interaction loosely
        self, interaction: Interaction, error: Exception, /
    ) -> None:
        """Whatever went wrong after the member typed (a database error, a bug), their text comes back with it."""
        give_back(interaction, Attachment(DRAFT, render.draft(*self.typed())))
        await super().on_error(interaction, error)


class WriteModal(ReviewModal):
    """The form of /review write."""

    def __init__(self, service: ReviewService, anime: Anime, scope: EpisodeScope, *,
                 channel_id: int | None = None, note: Md | None = None) -> None:
        self.anime_id = anime.id
        self.scope = scope
        self.channel_id = channel_id  # the server's reviews channel, when it is not where the form was opened
        heading, intro = render.write_form(anime, scope)
        super().__init__(service, heading, intro + Md("\n-# ") + note if note is not None else intro)

    async def on_submit(self, interaction: Interaction, /) -> None:  # type: ignore[override]  # a narrower client
        """Store the review, post it publicly, and record where it was posted."""
        typed = self.typed()
        elsewhere = self.channel_id is not None and self.channel_id != interaction.channel_id
        channel_id = self.channel_id if elsewhere else interaction.channel_id
        try:
            review = await self.service.create(
                guild_id=interaction.guild_id, channel_id=channel_id, user_id=interaction.user.id,
                anime_id=self.anime_id, text=ReviewText.parse(*typed), scope=self.scope,
            )
        except AlreadyReviewed as exc:
            await refuse(interaction, self.service, exc, draft=typed, review=exc.review)
            return
        except KansouError as exc:
            await refuse(interaction, self.service, exc, draft=typed)
            return
        if elsewhere:
            await interaction.response.defer(ephemeral=True, thinking=True)
        button = reply_button(review.id)
        try:
            if elsewhere:
                assert channel_id is not None
                ids = await post_in(interaction.client, channel_id, review.guild_id, render.render_post(review),
                                    view=button)
            else:
                ids = await post(interaction, render.render_post(review), view=button)
        except BaseException:
            await self.service.discard(review)
            raise
        assert channel_id is not None
        review = await self.service.attach_messages(review.id, channel_id, ids)
        notes: list[Md] = []
        if elsewhere:
            notes.append(md("Your review #{number} is posted in <#{channel}>: this server keeps its reviews there.",
                            number=review.number, channel=channel_id))
        if await self.service.reply_threads(review.guild_id):
            note = await open_automatically(interaction, review)
            if note is not None:
                notes.append(note)
        if notes:
            await reply(interaction, Md("\n").lines(notes), ephemeral=True)


class EditModal(ReviewModal):
    """The form of /review edit, pre-filled with the review as it is."""

    def __init__(self, service: ReviewService, review: Review) -> None:
        self.review_id = review.id
        self.guild_id = review.guild_id
        super().__init__(service, *render.edit_form(review), text=review.text)

    async def on_submit(self, interaction: Interaction, /) -> None:  # type: ignore[override]  # a narrower client
        """Save the new text and update the posted message(s)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        typed = self.typed()
        current = await self.service.by_id(self.guild_id, self.review_id)
        try:
            review = await self.service.update(current, interaction.user.id, ReviewText.parse(*typed))
        except KansouError as exc:
            await refuse(interaction, self.service, exc, draft=typed)
            return
        failed = False
        if review.channel_id is not None:  # with no message recorded (cut off before posting), this posts it
            try:
                ids = await repost(interaction.client, review, render.render_post(review),
                                   view=reply_button(review.id))
            except discord.HTTPException:
                log.warning("could not update the post of review %s", review.id, exc_info=True)
                failed = True
            else:
                review = await self.service.attach_messages(review.id, review.channel_id, ids)
        await reply(interaction, render.edited(review, post_failed=failed), ephemeral=True)


class EditOffer(OwnedView):
    """A button under "you already reviewed this" that opens the edit form for that review."""

    def __init__(self, service: ReviewService, review: Review, owner_id: int) -> None:
        super().__init__(owner_id, timeout=600.0)
        self.service = service
        self.review_id = review.id
        self.guild_id = review.guild_id
        self.edit.label = f"Edit review #{review.number}"

    @discord.ui.button(label="Edit my review", style=discord.ButtonStyle.primary, emoji="✏️")
    async def edit(self, interaction: Interaction, _: discord.ui.Button[EditOffer]) -> None:
        """Open the edit form, pre-filled with the review as it is now."""
        review = await self.service.by_id(self.guild_id, self.review_id)
        self.service.check_can_edit(review, interaction.user.id)
        await interaction.response.send_modal(EditModal(self.service, review))


class WriteOffer(OwnedView):
    """A button that opens the review form, for a show fetched from AniList while the command waited.

    Discord opens a form only as the first answer to an interaction, and an AniList look-up needs a deferral
    first; so the form comes one press later, from this button, owned by the member who ran the command.
    """

    def __init__(self, service: ReviewService, anime: Anime, scope: EpisodeScope, owner_id: int, *,
                 channel_id: int | None = None, note: Md | None = None) -> None:
        super().__init__(owner_id, timeout=MODAL_TIMEOUT)
        self.service = service
        self.anime = anime
        self.scope = scope
        self.channel_id = channel_id  # the server's reviews channel, as for the form opened at once
        self.note = note

    @discord.ui.button(label="Write my review", style=discord.ButtonStyle.primary, emoji="✏️")
    async def write(self, interaction: Interaction, _: discord.ui.Button[WriteOffer]) -> None:
        """Open the review form, after the same checks as /review write."""
        try:
            await self.service.start(interaction.guild_id, interaction.user.id, f"{ID_PREFIX}{self.anime.id}",
                                     self.scope)
        except AlreadyReviewed as exc:
            await refuse(interaction, self.service, exc, review=exc.review)
            return
        await interaction.response.send_modal(WriteModal(self.service, self.anime, self.scope,
                                                         channel_id=self.channel_id, note=self.note))
