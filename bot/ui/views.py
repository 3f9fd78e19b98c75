"""Discord-side building blocks every cog shares: owned views and forms, and the paginator.

Every view and form of kansou derives from these: they stamp the interaction for its log line
(``bot.ui.interactions``) in their public ``interaction_check``, and hand errors to the central handler through
the bot (``interaction.client.on_interaction_error``), so nothing here imports the handler.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeAlias

import discord

from bot.core import i18n
from bot.core.cards import Card, Pages
from bot.core.i18n import N_, _
from bot.ui.locale import answer_in_members_language
from bot.ui.send import NO_PINGS, reply, to_embed

log = logging.getLogger(__name__)

AnyInteraction: TypeAlias = "discord.Interaction[Any]"
NOT_YOURS = N_("These buttons belong to whoever ran the command — run it yourself to get your own.")


def log_interaction(interaction: AnyInteraction) -> None:
    """Stamp the interaction for its log line (see ``InteractionLog.begin``), when the client keeps one."""
    interaction_log = getattr(interaction.client, "interaction_log", None)
    if interaction_log is not None:
        interaction_log.begin(interaction)


async def central_handler(interaction: AnyInteraction, error: BaseException) -> None:
    """Hand an error to the bot's central handler (every kansou client has one)."""
    await interaction.client.on_interaction_error(interaction, error)


class _Owned:
    """What every kansou view shares: only its owner uses it, it greys out on timeout, errors go to the handler."""

    owner_id: int
    message: discord.Message | discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: AnyInteraction) -> bool:
        """Only the member who ran the command may use these controls."""
        log_interaction(interaction)
        answer_in_members_language(interaction)
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(_(NOT_YOURS), ephemeral=True, allowed_mentions=NO_PINGS)
        return False

    def controls(self) -> list[discord.ui.Button[Any] | discord.ui.Select[Any]]:
        """The buttons and menus, nested ones included."""
        assert isinstance(self, discord.ui.View | discord.ui.LayoutView)
        return [item for item in self.walk_children() if isinstance(item, discord.ui.Button | discord.ui.Select)]

    def disable_all(self) -> None:
        """Grey out every control."""
        for item in self.controls():
            item.disabled = True

    async def on_timeout(self) -> None:
        """Disable the controls on the message so nobody presses a dead button."""
        self.disable_all()
        if self.message is not None:
            try:
                await self.message.edit(view=self)  # type: ignore[arg-type]  # self is a View or a LayoutView
            except discord.HTTPException:
                log.debug("could not disable the controls of a timed-out view", exc_info=True)

    async def on_error(self, interaction: AnyInteraction, error: Exception, item: discord.ui.Item[Any]) -> None:
        """Hand errors to the central handler."""
        await central_handler(interaction, error)


class OwnedView(_Owned, discord.ui.View):
    """Buttons and menus under a message that only its owner may use; disabled when they time out."""

    def __init__(self, owner_id: int, *, timeout: float | None = 180.0) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id


class OwnedLayout(_Owned, discord.ui.LayoutView):
    """A Components V2 message (text, containers, menus) that only its owner may use."""

    def __init__(self, owner_id: int, *, timeout: float | None = 180.0) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id


class KansouModal(discord.ui.Modal):
    """A form: logged like every interaction, its errors handed to the central handler."""

    async def interaction_check(self, interaction: AnyInteraction, /) -> bool:
        """Anyone who got the form may submit it (it was opened for them)."""
        log_interaction(interaction)
        answer_in_members_language(interaction)
        return True

    async def on_error(  # type: ignore[override]  # discord.py types the interaction loosely
        self, interaction: AnyInteraction, error: Exception, /
    ) -> None:
        """Hand errors to the central handler."""
        await central_handler(interaction, error)


def _numbered(page: Card, number: int, count: int) -> Card:
    shown = _("Page {number}/{count}").format(number=i18n.number(number, digits=0), count=i18n.number(count, digits=0))
    return page.with_footer(shown + (f" · {page.footer}" if page.footer else ""))


class Paginator(OwnedView):
    """Turns pages (cards) with ◀ / ▶ buttons; only the invoker can turn them.

    Pages are written in the language in use when the paginator is made (the server's for a public list, the
    member's for a private one), whoever's language the button press comes in.
    """

    def __init__(self, pages: Sequence[Card], owner_id: int, *, timeout: float | None = 300.0,
                 numbered: bool = True) -> None:
        super().__init__(owner_id, timeout=timeout)
        if not pages:
            raise ValueError("a paginator needs at least one page")
        # Unnumbered pages keep their own footers. Either way a page is only rendered when it is shown.
        self.pages: Sequence[Card] = pages
        if numbered and len(pages) > 1:
            self.pages = Pages(len(pages), lambda index: _numbered(pages[index], index + 1, len(pages)))
        self.index = 0
        self.locale = i18n.current()
        self.previous.label = _("Previous")
        self.next.label = _("Next")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.first.disabled = self.previous.disabled = self.index == 0
        self.next.disabled = self.last.disabled = self.index >= len(self.pages) - 1

    def current(self) -> discord.Embed:
        """The page shown now, as an embed."""
        with i18n.using(self.locale):
            return to_embed(self.pages[self.index])

    async def start(self, interaction: AnyInteraction, *, ephemeral: bool = False) -> None:
        """Send the first page (with buttons only when there is more than one)."""
        with i18n.using(self.locale):
            first = self.pages[0]
        if len(self.pages) == 1:
            await reply(interaction, cards=[first], ephemeral=ephemeral)
            self.stop()
            return
        await reply(interaction, cards=[first], view=self, ephemeral=ephemeral)
        self.message = await interaction.original_response()

    async def _show(self, interaction: AnyInteraction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._update_buttons()
        await interaction.response.edit_message(embed=self.current(), view=self)

    @discord.ui.button(emoji="⏮", style=discord.ButtonStyle.secondary, custom_id="pages:first")
    async def first(self, interaction: AnyInteraction, _: discord.ui.Button[Paginator]) -> None:
        """Go to the first page."""
        await self._show(interaction, 0)

    @discord.ui.button(label=N_("Previous"), emoji="◀", style=discord.ButtonStyle.primary, custom_id="pages:prev")
    async def previous(self, interaction: AnyInteraction, _: discord.ui.Button[Paginator]) -> None:
        """Go back one page."""
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label=N_("Next"), emoji="▶", style=discord.ButtonStyle.primary, custom_id="pages:next")
    async def next(self, interaction: AnyInteraction, _: discord.ui.Button[Paginator]) -> None:
        """Go forward one page."""
        await self._show(interaction, self.index + 1)

    @discord.ui.button(emoji="⏭", style=discord.ButtonStyle.secondary, custom_id="pages:last")
    async def last(self, interaction: AnyInteraction, _: discord.ui.Button[Paginator]) -> None:
        """Go to the last page."""
        await self._show(interaction, len(self.pages) - 1)
