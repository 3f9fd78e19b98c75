"""/settings: a server's moderators choose where reviews and discussions go, reply threads, cooldowns, the m."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.text import Md
from bot.errors import InvalidInput
from bot.settings import render
from bot.settings.models import BY_NAME, COOLDOWN_MAX, LEADERBOARD_M_MAX, SPECS, Value
from bot.settings.service import ServerSettingsService, guild_of
from bot.ui.client import Interaction, KansouBot
from bot.ui.permissions import POSTING, THREADS, require
from bot.ui.send import reply

Seconds = app_commands.Range[int, 0, COOLDOWN_MAX]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)  # what Discord shows: the whole group, to Manage Server
class ServerSettingsCog(commands.GroupCog, group_name="settings",
                        group_description="This server's kansou settings (Manage Server)."):
    """Per-server settings (Manage Server)."""

    def __init__(self, service: ServerSettingsService) -> None:
        self.service = service
        super().__init__()

    async def _show(self, interaction: Interaction, said: Md | None = None) -> None:
        guild = guild_of(interaction.guild_id)
        settings = await self.service.effective(guild)
        defaults = {spec.name: self.service.default(spec.name) for spec in SPECS}
        card = render.render_settings(settings, defaults, await self.service.changes(guild), said)
        await reply(interaction, cards=[card], ephemeral=True)

    async def _set(self, interaction: Interaction, name: str, value: Value) -> None:
        change = await self.service.set(interaction.guild_id, interaction.user.id, name, value)
        await self._show(interaction, render.changed(change))

    @app_commands.command(name="show", description="Every setting of this server, its default, and recent changes.")
    @app_commands.checks.has_permissions(manage_guild=True)  # the real check: server admins can widen access
    async def show(self, interaction: Interaction) -> None:
        """Show the server's settings."""
        await self._show(interaction)

    @app_commands.command(name="reviews-channel", description="Where /review write posts reviews.")
    @app_commands.describe(channel="A text channel (default: this one)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reviews_channel(self, interaction: Interaction, channel: discord.TextChannel | None = None) -> None:
        """Post reviews in one channel, wherever /review write is used."""
        target = channel.id if channel is not None else interaction.channel_id
        require(interaction, target, POSTING, "post reviews")
        await self._set(interaction, "reviews_channel_id", target)

    @app_commands.command(name="discussion-channel", description="Where episode discussion threads are opened.")
    @app_commands.describe(channel="A text channel (default: this one)")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def discussion_channel(self, interaction: Interaction, channel: discord.TextChannel | None = None) -> None:
        """Open episode threads in one channel."""
        target = channel.id if channel is not None else interaction.channel_id
        require(interaction, target, THREADS, "open discussion threads")
        await self._set(interaction, "discussion_channel_id", target)

    @app_commands.command(name="reply-threads", description="Open a reply thread under every new review by itself.")
    @app_commands.describe(enabled="On: every new review post gets a thread for replies")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reply_threads(self, interaction: Interaction, enabled: bool) -> None:
        """Turn automatic reply threads on or off."""
        await self._set(interaction, "reply_threads", enabled)

    @app_commands.command(name="review-cooldown", description="Seconds a member waits between two reviews.")
    @app_commands.describe(seconds=f"0 (no cooldown) to {COOLDOWN_MAX}")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def review_cooldown(self, interaction: Interaction, seconds: Seconds) -> None:
        """Set the review cooldown."""
        await self._set(interaction, "review_cooldown", seconds)

    @app_commands.command(name="rate-cooldown", description="Seconds a member waits between two ratings.")
    @app_commands.describe(seconds=f"0 (no cooldown) to {COOLDOWN_MAX}")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def rate_cooldown(self, interaction: Interaction, seconds: Seconds) -> None:
        """Set the rating cooldown."""
        await self._set(interaction, "rate_cooldown", seconds)

    @app_commands.command(name="leaderboard-m", description="Votes a show needs on /ratings top before its own "
                                                            "average counts fully.")
    @app_commands.describe(m=f"0 to {LEADERBOARD_M_MAX}: higher keeps shows with few votes nearer the middle")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def leaderboard_m(self, interaction: Interaction, m: app_commands.Range[int, 0, LEADERBOARD_M_MAX]) -> None:
        """Set the leaderboard's m."""
        await self._set(interaction, "leaderboard_m", m)

    @app_commands.command(name="reset", description="Put one setting back to its default.")
    @app_commands.describe(setting="The setting to reset")
    @app_commands.choices(setting=[app_commands.Choice(name=s.label, value=s.name) for s in SPECS])
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reset(self, interaction: Interaction, setting: str) -> None:
        """Go back to a setting's default."""
        if setting not in BY_NAME:  # a crafted client may send any string
            raise InvalidInput("There is no such setting.")
        await self._set(interaction, setting, None)


async def setup(bot: KansouBot) -> None:
    """Add the settings commands."""
    await bot.add_cog(ServerSettingsCog(ServerSettingsService.over(bot.core.db, bot.core.settings)))

