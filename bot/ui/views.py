"""Discord-side building blocks every cog shares: owned views and forms (paged answers: ``bot.ui.pages``).

Every view and form of kansou derives from these: they stamp the interaction for its log line
(``bot.ui.interactions``) in their public ``interaction_check``, and hand errors to the central handler through
the bot (``interaction.client.on_interaction_error``), so nothing here imports the handler.
"""

from __future__ import annotations

import logging
from typing import Any, TypeAlias

import discord

from bot.core.i18n import N_, _
from bot.ui.locale import answer_in_members_language
from bot.ui.send import NO_PINGS

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


async def only_the_owner(interaction: AnyInteraction, owner_id: int) -> bool:
    """Whether the member who pressed is the one who asked; anyone else is told to run the command themselves.

    Every control's check: it also logs the press and answers in the presser's language.
    """
    log_interaction(interaction)
    answer_in_members_language(interaction)
    if interaction.user.id == owner_id:
        return True
    await interaction.response.send_message(_(NOT_YOURS), ephemeral=True, allowed_mentions=NO_PINGS)
    return False


class _Owned:
    """What every kansou view shares: only its owner uses it, it greys out on timeout, errors go to the handler."""

    owner_id: int
    message: discord.Message | discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: AnyInteraction) -> bool:
        """Only the member who ran the command may use these controls."""
        return await only_the_owner(interaction, self.owner_id)

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
