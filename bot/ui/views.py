"""Discord-side building blocks shared by every cog: replying, escaping, owned views and the paginator."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import discord

from bot.core.markdown import safe_inline

if TYPE_CHECKING:
    from bot.ui.client import KansouBot

log = logging.getLogger(__name__)

Interaction: TypeAlias = "discord.Interaction[KansouBot]"

NO_PINGS = discord.AllowedMentions.none()
COLOUR = discord.Colour(0xC2185B)
ERROR_COLOUR = discord.Colour(0xE57373)
# In ``interaction.extras``: set while a public "thinking…" placeholder waits for its answer (see bot.ui.errors).
PUBLIC_THINKING = "kansou.public_thinking"


async def think_publicly(interaction: Interaction) -> None:
    """Show "thinking…" in the channel (the answer will be public); errors still reach only the member.

    Use this, not ``response.defer(thinking=True)``: the central error handler must know a public placeholder
    is waiting, because the first follow-up fills it — an error sent as that follow-up would be public.
    """
    if not interaction.response.is_done():
        await interaction.response.defer(thinking=True)
        interaction.extras[PUBLIC_THINKING] = True


def clean(text: str | None, max_len: int = 256) -> str:
    """User or catalogue text made safe for a markdown line: escaped, unpingable, one line, bounded."""
    return safe_inline(text or "", max_len=max_len)


async def reply(
    interaction: Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool = False,
) -> None:
    """Send a reply whatever state the interaction is in: first response, or follow-up after a defer."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS, "ephemeral": ephemeral}
    if content is not None:
        kwargs["content"] = content
    all_embeds = ([embed] if embed else []) + list(embeds)
    if all_embeds:
        kwargs["embeds"] = all_embeds
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
        interaction.extras.pop(PUBLIC_THINKING, None)  # the placeholder is filled
    else:
        await interaction.response.send_message(**kwargs)


class OwnedView(discord.ui.View):
    """A view only its owner may press; its buttons are disabled when it times out."""

    message: discord.Message | discord.InteractionMessage | None = None

    def __init__(self, owner_id: int, *, timeout: float | None = 180.0) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        """Only the member who ran the command may use these controls."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "These buttons belong to whoever ran the command — run it yourself to get your own.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )
        return False

    def disable_all(self) -> None:
        """Grey out every control."""
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        """Disable the controls on the message so nobody presses a dead button."""
        self.disable_all()
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                log.debug("could not disable the controls of a timed-out view", exc_info=True)

    async def on_error(  # type: ignore[override]
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        """Hand errors to the command tree's central handler."""
        from bot.ui.errors import handle_error  # noqa: PLC0415  # bot.ui.errors imports this module

        await handle_error(interaction, error)


class Paginator(OwnedView):
    """Turns pages of embeds with ◀ / ▶ buttons; only the invoker can turn them."""

    def __init__(self, pages: Sequence[discord.Embed], owner_id: int, *, timeout: float | None = 300.0,
                 numbered: bool = True) -> None:
        super().__init__(owner_id, timeout=timeout)
        if not pages:
            raise ValueError("a paginator needs at least one page")
        # Unnumbered pages keep their own footers and are used as given (they may be rendered on demand).
        self.pages: Sequence[discord.Embed] = list(pages) if numbered else pages
        self.index = 0
        if numbered and len(self.pages) > 1:
            for number, page in enumerate(self.pages, start=1):
                footer = page.footer.text
                page.set_footer(text=f"Page {number}/{len(self.pages)}" + (f" · {footer}" if footer else ""))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.first.disabled = self.previous.disabled = self.index == 0
        self.next.disabled = self.last.disabled = self.index >= len(self.pages) - 1

    async def start(self, interaction: Interaction, *, ephemeral: bool = False) -> None:
        """Send the first page (with buttons only when there is more than one)."""
        if len(self.pages) == 1:
            await reply(interaction, embed=self.pages[0], ephemeral=ephemeral)
            self.stop()
            return
        await reply(interaction, embed=self.pages[0], view=self, ephemeral=ephemeral)
        self.message = await interaction.original_response()

    async def _show(self, interaction: Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._update_buttons()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)

    @discord.ui.button(emoji="⏮", style=discord.ButtonStyle.secondary, custom_id="pages:first")
    async def first(self, interaction: Interaction, _: discord.ui.Button[Paginator]) -> None:
        """Go to the first page."""
        await self._show(interaction, 0)

    @discord.ui.button(label="Previous", emoji="◀", style=discord.ButtonStyle.primary, custom_id="pages:prev")
    async def previous(self, interaction: Interaction, _: discord.ui.Button[Paginator]) -> None:
        """Go back one page."""
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="Next", emoji="▶", style=discord.ButtonStyle.primary, custom_id="pages:next")
    async def next(self, interaction: Interaction, _: discord.ui.Button[Paginator]) -> None:
        """Go forward one page."""
        await self._show(interaction, self.index + 1)

    @discord.ui.button(emoji="⏭", style=discord.ButtonStyle.secondary, custom_id="pages:last")
    async def last(self, interaction: Interaction, _: discord.ui.Button[Paginator]) -> None:
        """Go to the last page."""
        await self._show(interaction, len(self.pages) - 1)


def chunk_lines(lines: Sequence[str], *, limit: int = 1024, max_lines: int = 15) -> list[str]:
    """Group lines into blocks of at most ``limit`` characters and ``max_lines`` lines (for embed fields)."""
    blocks: list[str] = []
    current: list[str] = []
    size = 0
    for raw in lines:
        line = raw if len(raw) <= limit else raw[: limit - 1] + "…"
        if current and (size + len(line) + 1 > limit or len(current) >= max_lines):
            blocks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append("\n".join(current))
    return blocks
