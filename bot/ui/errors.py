"""The one central error handler: every failed command, control or form ends here — and the ambiguity menu.

A name that means several things (``Ambiguous``, ``NotSure``) gets a menu of them. Picking one runs the command
again: the cog ran its body through :func:`answer`, which kept the body and its arguments (already parsed) in
``interaction.extras``; the menu runs the same public checks a command gets — the tree's ``interaction_check``,
the cog's and the group's, the command's ``checks`` — then that body with the pick in place of the name.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.utils import maybe_coroutine

from bot.core import limits
from bot.core.cards import Attachment, Page
from bot.core.text import Md, inline, md, plain
from bot.errors import Ambiguous, KansouError, NotFound, OnCooldown, UpstreamUnavailable
from bot.ui.interactions import note_outcome
from bot.ui.send import NO_PINGS, PUBLIC_THINKING, error_card, files, to_embed
from bot.ui.views import AnyInteraction, OwnedView

log = logging.getLogger(__name__)

APOLOGY = "Sorry — something went wrong on my side while running that. It has been logged; please try again."
WITHDRAWN = "-# This look-up didn't work out; the details went only to whoever ran it."
RERUN = "kansou.rerun"  # in interaction.extras: the command's body and arguments (see answer)
TYPED = "kansou.typed"  # in interaction.extras: what the member typed, given back with any error (see give_back)
GIVEN_BACK = "Your text is attached, so nothing is lost."

Body = Callable[..., Awaitable[None]]

# Discord's own names for permissions, as members see them in the server settings.
_PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_messages": "Manage Messages"}


def _permissions(names: list[str]) -> str:
    return " and ".join(_PERMISSION_NAMES.get(n, n.replace("_", " ").title()) for n in names)


async def answer(interaction: AnyInteraction, body: Body, /, **args: Any) -> None:
    """Run a command's body with its arguments, keeping both so the ambiguity menu can run it again with a pick."""
    interaction.extras[RERUN] = (body, args)
    await body(interaction, **args)


def give_back(interaction: AnyInteraction, *attachments: Attachment) -> None:
    """Attach what the member typed to whatever error this interaction ends in: no failure loses their text."""
    interaction.extras[TYPED] = attachments


def describe_error(error: BaseException) -> tuple[Md, bool]:
    """The member-facing text for an error, and whether it was expected (a domain error, not a bug).

    A ``KansouError``'s message is one of our sentences, written as markdown with members' text escaped in it.
    """
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        error = error.__cause__
    if isinstance(error, NotFound):
        text = Md(str(error))
        if error.suggestions:
            text += Md("\nDid you mean: ") + Md(", ").lines(md("**{s}**", s=inline(s, 100))
                                                            for s in error.suggestions[:5]) + Md("?")
        return text, True
    if isinstance(error, Ambiguous):
        lines = Md("\n").lines(md("• {choice}", choice=inline(c, 150)) for c in error.choices[:10])
        return md("{error}\n{lines}\nPick one below, or from the suggestions as you type.", error=Md(str(error)),
                  lines=lines), True
    if isinstance(error, OnCooldown | UpstreamUnavailable) and getattr(error, "retry_after", None):
        return Md(str(error)), True
    if isinstance(error, KansouError):
        return Md(str(error)), True
    if isinstance(error, app_commands.CommandOnCooldown):
        return Md(f"Slow down a little — try again in {math.ceil(error.retry_after)} s."), True
    if isinstance(error, app_commands.NoPrivateMessage):
        return Md("That command only works inside a server."), True
    if isinstance(error, app_commands.MissingPermissions):
        return Md(f"That needs the {_permissions(error.missing_permissions)} permission."), True
    if isinstance(error, app_commands.BotMissingPermissions):
        return Md(f"I need the {_permissions(error.missing_permissions)} permission in this channel for that."), True
    if isinstance(error, app_commands.CheckFailure):
        return Md("You can't use that command here."), True
    if isinstance(error, app_commands.TransformerError):
        return md("I couldn't understand “{value}” for that option.", value=inline(str(error.value), 100)), True
    return Md(APOLOGY), False


async def run_checks(interaction: AnyInteraction, command: app_commands.Command[Any, ..., Any]) -> None:
    """The checks discord.py runs before a command, through their public faces; ``CheckFailure`` if one says no."""
    if not await interaction.client.tree.interaction_check(interaction):
        raise app_commands.CheckFailure("the command tree refused the interaction")
    owners: list[Any] = [command.binding]
    if command.parent is not None and command.parent is not command.binding:
        owners.insert(0, command.parent)
    for owner in owners:
        check = getattr(owner, "interaction_check", None)
        if check is not None and not await maybe_coroutine(check, interaction):
            raise app_commands.CheckFailure(f"the checks of {command.qualified_name!r} failed")
    for predicate in command.checks:
        if not await maybe_coroutine(predicate, interaction):
            raise app_commands.CheckFailure(f"the checks of {command.qualified_name!r} failed")


class PickOne(OwnedView):
    """A menu that answers an ambiguous name: picking an entry runs the same command again with it."""

    def __init__(self, origin: AnyInteraction, command: app_commands.Command[Any, ..., Any], body: Body,
                 args: dict[str, Any], option: str, error: Ambiguous) -> None:
        super().__init__(origin.user.id, timeout=300)
        self.origin = origin
        self.command = command
        self.body = body
        self.args = args
        self.option = option
        self.select: discord.ui.Select[PickOne] = discord.ui.Select(
            placeholder="Pick the one you meant",
            options=[
                discord.SelectOption(label=plain(label, limits.SELECT_OPTION_LABEL) or "?", value=value)
                for label, value in list(zip(error.choices, error.values, strict=False))[: limits.SELECT_OPTIONS]
            ],
            custom_id="ambiguous:pick",
        )
        self.select.callback = self.picked  # type: ignore[method-assign]  # discord.py types it loosely
        self.add_item(self.select)

    async def picked(self, interaction: AnyInteraction) -> None:
        """Run the command again with the chosen entry, after the checks the command itself gets."""
        self.stop()
        try:
            await run_checks(interaction, self.command)
            await answer(interaction, self.body, **{**self.args, self.option: self.select.values[0]})
        except Exception as exc:  # the same handling as any command
            await handle_error(interaction, exc)
        try:
            if self.message is not None:  # the menu came as a follow-up
                await self.message.edit(view=None)
            else:
                await self.origin.edit_original_response(view=None)
        except discord.HTTPException:
            log.debug("could not remove the choice menu", exc_info=True)


def _choice_view(interaction: AnyInteraction, error: BaseException) -> PickOne | None:
    """A menu to resolve an ambiguous name, when the failed interaction was a command that kept its body."""
    if isinstance(error, app_commands.CommandInvokeError) and error.__cause__:
        error = error.__cause__
    command = interaction.command
    rerun = interaction.extras.get(RERUN)
    if not isinstance(error, Ambiguous) or not error.values or not isinstance(command, app_commands.Command) \
            or rerun is None:
        return None
    body, args = rerun
    option = next((name for name, value in args.items() if isinstance(value, str) and value == error.query), None)
    return PickOne(interaction, command, body, dict(args), option, error) if option else None


async def _withdraw_public_thinking(interaction: AnyInteraction) -> None:
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


async def handle_error(interaction: AnyInteraction, error: BaseException) -> None:
    """Answer every failed interaction, privately: domain errors clearly, bugs with an apology and a log entry.

    Every error is visible only to the member who caused it. Commands that may ask AniList (/credits, /voiced,
    /person) defer *publicly* before they do, because their outcome is not known then and it is usually an
    answer meant for the channel. We chose that over deferring ephemerally: an ephemeral deferral would make
    every successful answer private too (or need a second, public message after a private "thinking…"),
    to spare the rare failure. When the outcome is an error, the public placeholder is withdrawn (deleted) and
    the error goes out as a new ephemeral message — nothing of a failure stays in the channel.
    """
    text, expected = describe_error(error)
    note_outcome(interaction, "user-error" if expected else "error", error)  # for the interaction's log line
    command = interaction.command.qualified_name if interaction.command else "?"
    if expected:
        log.info("command %s by %s failed: %s", command, interaction.user.id, text.splitlines()[0])
    else:
        log.error("command %s raised (interaction %s)", command, interaction.id, exc_info=error)
    typed: tuple[Attachment, ...] = interaction.extras.get(TYPED) or ()
    card = error_card(text)
    if typed:
        card = dataclasses.replace(card, footer=GIVEN_BACK)
    embed = to_embed(card)
    view = _choice_view(interaction, error)
    extra: dict[str, Any] = {"view": view} if view is not None else {}
    if typed:
        extra["files"] = files(Page(files=typed))
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
