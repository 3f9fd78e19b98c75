"""Which language to answer in: the member's for private replies, the server's for posts everyone sees."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import discord

from bot.core import i18n


def member_language(interaction: discord.Interaction[Any]) -> str:
    """The catalogue for the member's Discord language (English when kansou has none for it)."""
    return i18n.catalogue_for(interaction.locale)


def server_language(interaction: discord.Interaction[Any]) -> str:
    """The catalogue for the server's language (its community language in Discord's settings), else English."""
    return i18n.catalogue_for(interaction.guild_locale) if interaction.guild_locale is not None else i18n.SOURCE


def for_everyone(interaction: discord.Interaction[Any]) -> AbstractContextManager[None]:
    """Write what is built inside the block (a post everyone in the channel reads) in the server's language."""
    return i18n.using(server_language(interaction))


def answer_in_members_language(interaction: discord.Interaction[Any]) -> None:
    """From here on, this interaction's replies are written in the member's language."""
    i18n.set_locale(member_language(interaction))
