"""The one central error handler: every failed command or control ends here."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import Ambiguous, KansouError, NotFound, OnCooldown, UpstreamUnavailable
from bot.logs import note_outcome
from bot.ui.views import ERROR_COLOUR, NO_PINGS, PUBLIC_THINKING, OwnedView, clean

if TYPE_CHECKING:
    from bot.ui.views import Interaction

log = logging.getLogger(__name__)

APOLOGY = "Sorry — something went wrong on my side while running that. It has been logged; please try again."
WITHDRAWN = "-# This look-up didn't work out; the details went only to whoever ran it."


# Discord's own names for permissions, as members see them in the server settings.
_PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_messages": "Manage Messages"}


def _permissions(names: list[str]) -> str:
    return " and ".join(_PERMISSION_NAMES.get(n, n.replace("_", " ").title()) for n in names)


def describe_error(error: BaseException) -> tuple[str, bool]:
    """The member-facing text for an error, and whether it was expected (a domain error, not a bug)."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        error = error.__cause__
    if isinstance(error, NotFound):
        text = str(error)
        if error.suggestions:
            text += "\nDid you mean: " + ", ".join(f"**{clean(s, 100)}**" for s in error.suggestions[:5]) + "?"
        return text, True
    if isinstance(error, Ambiguous):
        lines = "\n".join(f"• {clean(c, 150)}" for c in error.choices[:10])
        return f"{error}\n{lines}\nPick one below, or from the suggestions as you type.", True
    if isinstance(error, OnCooldown | UpstreamUnavailable) and getattr(error, "retry_after", None):
        return str(error), True
    if isinstance(error, KansouError):
        return str(error), True
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little — try again in {math.ceil(error.retry_after)} s.", True
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works inside a server.", True
    if isinstance(error, app_commands.MissingPermissions):
        return f"That needs the {_permissions(error.missing_permissions)} permission.", True
    if isinstance(error, app_commands.BotMissingPermissions):
        return f"I need the {_permissions(error.missing_permissions)} permission in this channel for that.", True
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here.", True
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't understand “{clean(str(error.value), 100)}” for that option.", True
    return APOLOGY, False


class PickOne(OwnedView):
    """A menu that answers an ambiguous name: picking an entry runs the same command again with it."""

    def __init__(self, origin: Interaction, command: app_commands.Command[Any, ..., Any], option: str,
                 error: Ambiguous) -> None:
        super().__init__(origin.user.id, timeout=300)
        self.origin = origin
        self.command = command
        self.option = option
        # An option the member left out reads as None in the namespace: it takes the parameter's default.
        given = {p.name: getattr(origin.namespace, p.display_name, None) for p in command.parameters}
        self.params = {p.name: p.default if given[p.name] is None else given[p.name] for p in command.parameters}
        self.select: discord.ui.Select[PickOne] = discord.ui.Select(
            placeholder="Pick the one you meant",
            options=[
                discord.SelectOption(label=label[:100], value=value)
                for label, value in list(zip(error.choices, error.values, strict=False))[:25]
            ],
            custom_id="ambiguous:pick",
        )
        self.select.callback = self.picked  # type: ignore[method-assign, assignment]  # discord.py types it loosely
        self.add_item(self.select)

    async def picked(self, interaction: Interaction) -> None:
        """Run the command again with the chosen entry."""
        self.stop()
        params = {**self.params, self.option: self.select.values[0]}
        try:
            await self.command.callback(self.command.binding, interaction, **params)  # type: ignore[arg-type]
        except Exception as exc:  # the same handling as any command
            await handle_error(interaction, exc)
        try:
            if self.message is not None:  # the menu came as a follow-up
                await self.message.edit(view=None)
            else:
                await self.origin.edit_original_response(view=None)
        except discord.HTTPException:
            log.debug("could not remove the choice menu", exc_info=True)


def _choice_view(interaction: Interaction, error: BaseException) -> PickOne | None:
    """A menu to resolve an ambiguous name, when the failed interaction was a slash command."""
    if isinstance(error, app_commands.CommandInvokeError) and error.__cause__:
        error = error.__cause__
    command = interaction.command
    if not isinstance(error, Ambiguous) or not error.values or not isinstance(command, app_commands.Command):
        return None
    if interaction.type is not discord.InteractionType.application_command:
        return None
    option = next(
        (p.name for p in command.parameters if getattr(interaction.namespace, p.display_name, None) == error.query),
        None,
    )
    return PickOne(interaction, command, option, error) if option else None


async def _withdraw_public_thinking(interaction: Interaction) -> None:
    """Take back a public "thinking…" placeholder so that what follows can be ephemeral.

    Discord ignores ``ephemeral`` on the first follow-up after a public deferral: that follow-up *fills* the
    public placeholder. So the placeholder is deleted first, and the next follow-up is a new message, which may
    be ephemeral. Should the deletion fail, the placeholder is turned into a neutral line instead (any edit
    completes it, so again the next follow-up is a new, ephemeral message).
    """
    interaction.extras.pop(PUBLIC_THINKING, None)
    try:
        await interaction.delete_original_response()
    except discord.HTTPException:
        log.warning("could not delete the thinking message (interaction %s)", interaction.id, exc_info=True)
        await interaction.edit_original_response(content=WITHDRAWN, embed=None, view=None)


async def handle_error(interaction: Interaction, error: BaseException) -> None:
    """Answer every failed interaction, privately: domain errors clearly, bugs with an apology and a log entry.

    Every error is visible only to the member who caused it. Commands that may ask AniList (/credits, /voiced,
    /person) defer *publicly* before they do, because their outcome is not known then and it is usually an
    answer meant for the channel. We chose that over deferring ephemerally: an ephemeral deferral would make
    every successful answer private too (or need a second, public message after a private "thinking…"),
    to spare the rare failure. When the outcome is an error, the public placeholder is withdrawn (deleted) and
    the error goes out as a new ephemeral message — nothing of a failure stays in the channel.
    """
    text, expected = describe_error(error)
    note_outcome("user-error" if expected else "error", error)  # for the interaction's log line
    command = interaction.command.qualified_name if interaction.command else "?"
    if expected:
        log.info("command %s by %s failed: %s", command, interaction.user.id, text.splitlines()[0])
    else:
        log.error("command %s raised (interaction %s)", command, interaction.id, exc_info=error)
    embed = discord.Embed(description=text[:4096], colour=ERROR_COLOUR)
    view = _choice_view(interaction, error)
    extra: dict[str, Any] = {"view": view} if view is not None else {}
    try:
        if interaction.response.is_done():
            if interaction.extras.get(PUBLIC_THINKING):
                await _withdraw_public_thinking(interaction)
            sent = await interaction.followup.send(
                embed=embed, ephemeral=True, allowed_mentions=NO_PINGS, wait=True, **extra
            )
            if view is not None:
                view.message = sent
        elif interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS, **extra)
    except discord.HTTPException:
        log.warning("could not tell the member about an error (interaction %s)", interaction.id, exc_info=True)
