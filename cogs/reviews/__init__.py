"""/review write, read, edit and delete: spoiler-safe reviews, posted in the channel and read privately.

The commands are here; the forms and buttons in ``_views``, posting and reposting in ``_posting``; the rules
in ``bot.reviews.service`` and what members read in ``bot.reviews.render``.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import limits
from bot.core.pages import Action, Shown, State
from bot.core.text import Md
from bot.progress.service import ProgressService
from bot.progress.store import ProgressStore
from bot.reviews import paging, render
from bot.reviews.models import EpisodeScope
from bot.reviews.service import AlreadyReviewed, ReviewService
from bot.reviews.store import ReviewStore
from bot.settings.service import ServerSettingsService
from bot.ui.autocomplete import complete_anime
from bot.ui.client import Interaction, KansouBot
from bot.ui.errors import answer
from bot.ui.lookups import Lookup
from bot.ui.options import Episode, ReviewNumber, Watched
from bot.ui.pages import send_page
from bot.ui.permissions import POSTING, require
from bot.ui.send import reply
from cogs.reviews._posting import can_manage_messages, delete_messages
from cogs.reviews._recovery import ReviewRecovery
from cogs.reviews._threads import ReplyThreadButton, close_for_deleted
from cogs.reviews._views import EditModal, WriteModal, WriteOffer, refuse


class Reviews(commands.Cog):
    """Spoiler-safe reviews."""

    review = app_commands.Group(name="review", description="Spoiler-safe anime reviews.", guild_only=True)

    def __init__(self, service: ReviewService) -> None:
        self.service = service

    async def complete_own_review(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        """Autocomplete the member's own reviews in this server by number, show or title."""
        if interaction.guild_id is None:
            return []
        # All of them (at most one per show), filtered here: a LIMIT first would hide older reviews from the search.
        reviews = await self.service.by_author(interaction.guild_id, interaction.user.id, limit=None)
        wanted = str(current).strip().lstrip("#").casefold()
        choices = []
        for review in reviews:
            label = f"#{review.number} · {review.anime_title} — {review.title}"
            if wanted and not (str(review.number).startswith(wanted) or wanted in label.casefold()):
                continue
            choices.append(app_commands.Choice(name=render.choice_label(review), value=review.number))
        return choices[: limits.CHOICES]

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
        await answer(interaction, self._write, anime=anime, spoilers=spoilers, through_episode=through_episode)

    async def _write(self, interaction: Interaction, anime: str, spoilers: bool, through_episode: int | None) -> None:
        scope = EpisodeScope.from_options(spoilers, through_episode)
        lookup = Lookup(interaction, public=False)
        try:
            show = await self.service.start(interaction.guild_id, interaction.user.id, anime, scope, lookup.caller)
        except AlreadyReviewed as exc:
            await refuse(interaction, self.service, exc, review=exc.review)
            return
        target = None
        if interaction.guild_id is not None and self.service.server_settings is not None:
            target = (await self.service.server_settings.effective(interaction.guild_id)).reviews_channel_id
        if target is not None and target != interaction.channel_id:
            require(interaction, target, POSTING, "post your review")  # before the form: nothing typed is lost
        assert interaction.guild_id is not None  # start() refuses a review outside a server
        scope, why = await self.service.suggested_scope(interaction.guild_id, interaction.user.id, show, scope)
        note = lookup.note(show.title)
        if note is not None:  # deferred for AniList: the form can only open from a fresh press
            view = WriteOffer(self.service, show, scope, interaction.user.id, channel_id=target, note=why)
            await reply(interaction, Md(f"{note}\nPress the button to write your review."), view=view, ephemeral=True)
            view.message = await interaction.original_response()
            return
        await interaction.response.send_modal(WriteModal(self.service, show, scope, channel_id=target, note=why))

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
        await answer(interaction, self._read, anime=anime, watched=watched, author=author)

    async def _read(self, interaction: Interaction, anime: str, watched: int | None,
                    author: discord.User | None) -> None:
        author_id = author.id if author else None
        lookup = Lookup(interaction, public=False)
        anime_id, title, _fresh = await self.service.read_show(interaction.guild_id, anime, watched, lookup.caller)
        assert interaction.guild_id is not None  # read_show refuses DMs
        shown = await paging.first(self.service, interaction.guild_id, anime_id, title, watched, author_id,
                                   interaction.user.id)
        note = lookup.note(title)
        if note is not None and shown.card is None and shown.gone is not None:
            shown = Shown(None, gone=Md(f"{shown.gone}\n{note}"))
        await send_page(interaction, paging.KIND, shown, ephemeral=True)

    @review.command(name="edit", description="Edit your review (opens the form with your text).")
    @app_commands.describe(review="The review's number, as shown on it (#12 → 12)")
    @app_commands.autocomplete(review=complete_own_review)
    async def edit(self, interaction: Interaction, review: ReviewNumber) -> None:
        """Open the edit form of one of the member's own reviews."""
        found = await self.service.get(interaction.guild_id, review)
        self.service.check_can_edit(found, interaction.user.id)
        await interaction.response.send_modal(EditModal(self.service, found))

    @review.command(name="delete", description="Delete a review (yours, or any if you can manage messages).")
    @app_commands.describe(review="The review's number, as shown on it (#12 → 12)")
    @app_commands.autocomplete(review=complete_own_review)
    async def delete(self, interaction: Interaction, review: ReviewNumber) -> None:
        """Delete a review and its post."""
        found = await self.service.get(interaction.guild_id, review)
        # Only someone else's review needs the moderator's right (which may mean asking Discord for the channel).
        moderator = found.author_id != interaction.user.id and await can_manage_messages(interaction, found.channel_id)
        removed = await self.service.delete(found, interaction.user.id, moderator)
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel_id = removed.channel_id
        left = channel_id is not None and bool(removed.message_ids) and not await delete_messages(
            interaction.client, channel_id, removed.message_ids)
        said = render.deleted(removed, post_left=left)
        thread = await close_for_deleted(interaction, removed)
        await reply(interaction, said if thread is None else said + Md(" ") + thread, ephemeral=True)


class ReadPager:
    """/review read's page buttons: each press fetches the page it leads to (see ``bot.reviews.paging``)."""

    def __init__(self, service: ReviewService) -> None:
        self.service = service

    async def turn(self, interaction: Interaction, action: Action, state: State) -> Shown:
        """The page a button leads to."""
        return await paging.turn(self.service, interaction.guild_id, action, state, interaction.user.id)


async def setup(bot: KansouBot) -> None:
    """Add the review commands, on a review service over the shared database and catalogue."""
    core = bot.core
    server_settings = ServerSettingsService.over(core.db, core.settings)
    progress = ProgressService(ProgressStore(core.db), core.catalogue)
    service = ReviewService(ReviewStore(core.db), core.catalogue, core.settings, server_settings=server_settings,
                            progress=progress)
    bot.add_dynamic_items(ReplyThreadButton)  # review posts' "Discuss this review", also after a restart
    bot.page_sources[paging.KIND] = ReadPager(service)
    await bot.add_cog(Reviews(service))
    await bot.add_cog(ReviewRecovery(bot, service))
