"""The one central error handler: every failed command or control ends here."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import Ambiguous, KansouError, NotFound, OnCooldown, UpstreamUnavailable
from bot.ui import ERROR_COLOUR, NO_PINGS, clean

if TYPE_CHECKING:
    from bot.ui import Interaction

log = logging.getLogger(__name__)

APOLOGY = "Sorry — something went wrong on my side while running that. It has been logged; please try again."


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
        return f"{error}\n{lines}\nPick one from the suggestions as you type, or add more of the name.", True
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


async def handle_error(interaction: Interaction, error: BaseException) -> None:
    """Answer every failed interaction: domain errors clearly, bugs with an apology and a log entry."""
    text, expected = describe_error(error)
    command = interaction.command.qualified_name if interaction.command else "?"
    if expected:
        log.info("command %s by %s failed: %s", command, interaction.user.id, text.splitlines()[0])
    else:
        log.error("command %s raised (interaction %s)", command, interaction.id, exc_info=error)
    embed = discord.Embed(description=text[:4096], colour=ERROR_COLOUR)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)
        elif interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not tell the member about an error (interaction %s)", interaction.id, exc_info=True)
