"""Stateless page buttons: the page state lives in each button's ``custom_id``, never in the bot's memory.

A paged answer (``/review read``, ``/credits``, …) is sent with four buttons (first, previous, next, last). Each
button's ``custom_id`` says which paged answer it belongs to (its *kind*), what it does, who asked, and the state
of the page on screen (a few integers: the show, the key of the row shown, …) — within Discord's 100 characters.
A press is matched by discord.py's :class:`discord.ui.DynamicItem` registry (``bot.add_dynamic_items``), so it
works after a restart and however many paged answers are open: nothing is kept per message. The kind's
:class:`PageSource` (registered by its cog) fetches the page asked for from the database and says whether there
is a page before and after it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Protocol, cast

import discord

from bot.core import i18n
from bot.core.i18n import N_, _
from bot.core.pages import Action, Shown, State
from bot.core.text import md
from bot.ui.locale import member_language, server_language
from bot.ui.send import NO_PINGS, content, reply, to_embed
from bot.ui.views import AnyInteraction, central_handler, only_the_owner

__all__ = ["Action", "PageButton", "PageSource", "Shown", "decode_state", "encode_state", "page_view", "send_page"]

log = logging.getLogger(__name__)


CUSTOM_ID_MAX = 100
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_PATTERN = r"pg:(?P<kind>[a-z]{1,4}):(?P<action>[fpnl]):(?P<owner>[0-9a-z]{1,14}):(?P<state>[0-9a-z._\-]{0,72})"


def _b36(number: int) -> str:
    if number < 0:
        return "-" + _b36(-number)
    digits = []
    while True:
        number, digit = divmod(number, 36)
        digits.append(_DIGITS[digit])
        if not number:
            return "".join(reversed(digits))


def encode_state(state: State) -> str:
    """Integers (or ``None``) as compact text for a ``custom_id``: base 36, dot-separated, ``_`` for ``None``."""
    return ".".join("_" if value is None else _b36(value) for value in state)


def decode_state(text: str) -> State:
    """The integers :func:`encode_state` wrote (``ValueError`` on anything else)."""
    if not text:
        return ()
    return tuple(None if part == "_" else int(part, 36) for part in text.split("."))


def custom_id(kind: str, action: Action, owner_id: int, state: State) -> str:
    """A page button's ``custom_id``; ``ValueError`` if it would not fit Discord's 100 characters."""
    text = f"pg:{kind}:{action}:{_b36(owner_id)}:{encode_state(state)}"
    if len(text) > CUSTOM_ID_MAX or re.fullmatch(_PATTERN, text) is None:
        raise ValueError(f"page state too long for a custom_id: {text!r}")
    return text


class PageSource(Protocol):
    """What a kind of paged answer does: fetch the page an action on a state leads to."""

    async def turn(self, interaction: AnyInteraction, action: Action, state: State) -> Shown:
        """The page ``action`` leads to from the page ``state`` names (first/last ignore most of ``state``)."""
        ...


def sources(client: Any) -> dict[str, PageSource]:
    """The client's page sources by kind (a kansou client keeps them in ``page_sources``)."""
    found = getattr(client, "page_sources", None)
    return found if isinstance(found, dict) else {}


_BUTTONS: Sequence[tuple[Action, str | None, str, discord.ButtonStyle]] = (
    ("f", None, "⏮", discord.ButtonStyle.secondary),
    ("p", N_("Previous"), "◀", discord.ButtonStyle.primary),
    ("n", N_("Next"), "▶", discord.ButtonStyle.primary),
    ("l", None, "⏭", discord.ButtonStyle.secondary),
)


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_PATTERN):
    """One page button; everything it needs is in its ``custom_id``."""

    def __init__(self, kind: str, action: Action, owner_id: int, state: State, *, disabled: bool = False) -> None:
        label, emoji, style = next((lb, em, st) for a, lb, em, st in _BUTTONS if a == action)
        super().__init__(discord.ui.Button(
            label=_(label) if label else None, emoji=emoji, style=style, disabled=disabled,
            custom_id=custom_id(kind, action, owner_id, state),
        ))
        self.kind = kind
        self.action: Action = action
        self.owner_id = owner_id
        self.state = state

    @classmethod
    async def from_custom_id(  # type: ignore[override]  # discord.py types the item loosely
        cls, interaction: AnyInteraction, item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> PageButton:
        """Rebuild the button a member pressed from its ``custom_id``."""
        action = cast(Action, match["action"])  # the template allows nothing but an Action
        return cls(match["kind"], action, int(match["owner"], 36), decode_state(match["state"]))

    async def interaction_check(self, interaction: AnyInteraction, /) -> bool:
        """Only the member who asked may turn the pages; anyone else is told to run the command themselves."""
        return await only_the_owner(interaction, self.owner_id)

    async def callback(self, interaction: AnyInteraction) -> None:
        """Fetch the page asked for and put it in place of the one shown."""
        try:
            source = sources(interaction.client).get(self.kind)
            if source is None:  # a kind this bot no longer has: leave the message as it is
                await interaction.response.send_message(
                    _("These pages can't be turned any more — run the command again."), ephemeral=True,
                    allowed_mentions=NO_PINGS)
                return
            # A page the channel sees is written in the server's language, a private one in the member's.
            with i18n.using(page_language(interaction)):
                shown = await source.turn(interaction, self.action, self.state)
                await _edit(interaction, self.kind, self.owner_id, shown)
        except Exception as error:  # discord.py would only log it: answer the member through the handler
            await central_handler(interaction, error)


def page_language(interaction: AnyInteraction) -> str:
    """The language a pressed page is written in: the member's on a private answer, the server's on a public one."""
    message = interaction.message
    private = message is None or message.flags.ephemeral
    return member_language(interaction) if private else server_language(interaction)


def page_view(kind: str, owner_id: int, shown: Shown) -> discord.ui.View:
    """The four buttons under a page; stopped, so discord.py keeps nothing for it (presses come back by id)."""
    view = discord.ui.View(timeout=None)
    for action, *_rest in _BUTTONS:
        disabled = not shown.has_previous if action in ("f", "p") else not shown.has_next
        view.add_item(PageButton(kind, action, owner_id, shown.state, disabled=disabled))
    view.stop()
    return view


async def _edit(interaction: AnyInteraction, kind: str, owner_id: int, shown: Shown) -> None:
    if shown.card is None:
        await interaction.response.edit_message(content=content(shown.gone or md(_("Nothing left to show."))),
                                                embeds=[], view=None, allowed_mentions=NO_PINGS)
        return
    view = None if shown.single else page_view(kind, owner_id, shown)
    await interaction.response.edit_message(content=None, embeds=[to_embed(shown.card)], view=view,
                                            allowed_mentions=NO_PINGS)


async def send_page(interaction: AnyInteraction, kind: str, shown: Shown, *, ephemeral: bool = False) -> None:
    """Answer a command with the first page of a paged answer (and its buttons, when there is more than one)."""
    if shown.card is None:
        await reply(interaction, shown.gone or md(_("Nothing to show.")), ephemeral=ephemeral)
        return
    # The buttons speak the page's language: the server's under a public answer, the member's under a private one.
    with i18n.using(member_language(interaction) if ephemeral else server_language(interaction)):
        view = None if shown.single else page_view(kind, interaction.user.id, shown)
    await reply(interaction, cards=[shown.card], view=view, ephemeral=ephemeral)
