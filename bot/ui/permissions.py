"""What the bot may do in a channel, and a clear refusal naming what it lacks, in Discord's own words.

:func:`bot_permissions` is the one place that answers "the bot's permissions in this channel", so every
feature that posts or opens threads asks the same question the same way.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.errors import Forbidden

# Discord's own names, as moderators see them in the server's settings.
NAMES = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "create_public_threads": "Create Public Threads",
    "send_messages_in_threads": "Send Messages in Threads",
    "manage_threads": "Manage Threads",
    "manage_messages": "Manage Messages",
    "manage_guild": "Manage Server",
}


def bot_permissions(interaction: discord.Interaction[Any], channel_id: int | None) -> discord.Permissions:
    """The bot's permissions in a channel of the interaction's server (the interaction's own channel by default)."""
    if channel_id is None or channel_id == interaction.channel_id:
        return interaction.app_permissions
    guild = interaction.guild
    if guild is None:
        return discord.Permissions.none()
    channel = guild.get_channel_or_thread(channel_id)
    me = guild.me
    if channel is None or me is None:
        return discord.Permissions.none()
    return channel.permissions_for(me)


def missing(have: discord.Permissions, needed: tuple[str, ...]) -> list[str]:
    """The permissions of ``needed`` (discord.py's names) that ``have`` lacks."""
    return [name for name in needed if not getattr(have, name)]


def require(interaction: discord.Interaction[Any], channel_id: int | None, needed: tuple[str, ...], doing: str
            ) -> None:
    """Raise ``Forbidden`` naming each permission the bot lacks in the channel for ``doing`` (nothing happens)."""
    lacking = missing(bot_permissions(interaction, channel_id), needed)
    if not lacking:
        return
    where = "here" if channel_id is None or channel_id == interaction.channel_id else f"in <#{channel_id}>"
    names = " and ".join(f"**{NAMES.get(n, n.replace('_', ' ').title())}**" for n in lacking)
    raise Forbidden(f"I can't {doing} {where}: I need the {names} permission{'s' if len(lacking) > 1 else ''} "
                    "there. A moderator can grant it in the channel's or my role's settings.")


POSTING = ("view_channel", "send_messages", "embed_links")
"""What the bot needs to post (cards are embeds)."""
THREADS = ("view_channel", "send_messages", "create_public_threads", "send_messages_in_threads")
"""What the bot needs to open a public thread and write its opening message."""
CLOSING = ("manage_threads",)
"""What the bot needs to lock a thread."""
