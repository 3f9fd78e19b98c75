"""Bots that break Discord's rules on purpose (each command breaks one), for the enforcement tests."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.http import MultipartParameters
from discord.webhook.async_ import async_context

from .sandbox_bots import SandboxTestBot


async def raw_callback(interaction: discord.Interaction, payload: dict[str, Any]) -> None:
    """POST a callback body discord.py itself would refuse to build (too many embeds, rows, …)."""
    await async_context.get().create_interaction_response(
        interaction.id, interaction.token, session=interaction._session,
        params=MultipartParameters(payload=payload, multipart=None, files=None))


def button(custom_id: str, label: str = "ok") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


class BigModal(discord.ui.Modal):
    def __init__(self, title: str, label: str = "Field", max_length: int = 100) -> None:
        super().__init__(title=title, custom_id="big-modal")
        self.add_item(discord.ui.TextInput(label=label, max_length=max_length, custom_id="field"))


class LongId(discord.ui.View):
    def __init__(self, custom_id: str, label: str = "ok") -> None:
        super().__init__()
        self.add_item(discord.ui.Button(label=label, custom_id=custom_id))


class BrokenBot(SandboxTestBot):
    """Each command breaks one limit; the HTTP errors discord.py raised are kept in ``http_errors``."""

    def __init__(self, dev_guild: int, **kwargs: Any) -> None:
        super().__init__(dev_guild, **kwargs)
        self.http_errors: list[discord.HTTPException] = []

    def install(self, tree: app_commands.CommandTree[SandboxTestBot]) -> None:
        bot = self

        async def keep(coro: Any) -> None:
            try:
                await coro
            except discord.HTTPException as error:
                bot.http_errors.append(error)
                raise

        @tree.command(description="2001 characters")
        async def long_content(interaction: discord.Interaction) -> None:
            await keep(interaction.response.send_message("x" * 2001))

        @tree.command(description="11 embeds")
        async def many_embeds(interaction: discord.Interaction) -> None:
            embeds = [{"description": str(i)} for i in range(11)]
            await keep(raw_callback(interaction, {"type": 4, "data": {"embeds": embeds}}))

        @tree.command(description="Every per-embed limit at once")
        async def big_embed(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="t" * 257, description="d" * 4097)
            embed.set_author(name="a" * 257).set_footer(text="f" * 2049)
            embed.add_field(name="n" * 257, value="v")
            embed.add_field(name="n", value="v" * 1025)
            for i in range(24):
                embed.add_field(name=str(i), value=str(i))
            await keep(interaction.response.send_message(embed=embed))

        @tree.command(description="Embeds over 6000 characters together")
        async def heavy_embeds(interaction: discord.Interaction) -> None:
            embeds = [discord.Embed(description="x" * 3500), discord.Embed(description="y" * 3500)]
            await keep(interaction.response.send_message(embeds=embeds))

        @tree.command(description="Empty field value")
        async def empty_field(interaction: discord.Interaction) -> None:
            await keep(interaction.response.send_message(embed=discord.Embed().add_field(name="Score", value="")))

        @tree.command(description="6 action rows")
        async def six_rows(interaction: discord.Interaction) -> None:
            rows = [{"type": 1, "components": [button(f"b{i}")]} for i in range(6)]
            await keep(raw_callback(interaction, {"type": 4, "data": {"content": "rows", "components": rows}}))

        @tree.command(description="6 buttons in a row")
        async def wide_row(interaction: discord.Interaction) -> None:
            row = {"type": 1, "components": [button(f"b{i}") for i in range(6)]}
            await keep(raw_callback(interaction, {"type": 4, "data": {"content": "row", "components": [row]}}))

        @tree.command(description="custom_id of 101 characters")
        async def long_custom_id(interaction: discord.Interaction) -> None:
            await keep(interaction.response.send_message("long id", view=LongId("c" * 101)))

        @tree.command(description="button label of 81 characters")
        async def long_label(interaction: discord.Interaction) -> None:
            await keep(interaction.response.send_message("long label", view=LongId("ok", label="l" * 81)))

        @tree.command(description="select with 26 options")
        async def big_select(interaction: discord.Interaction) -> None:
            options = [{"label": str(i), "value": str(i)} for i in range(26)]
            select = {"type": 3, "custom_id": "s", "options": options}
            await keep(raw_callback(interaction, {"type": 4, "data": {
                "content": "pick", "components": [{"type": 1, "components": [select]}]}}))

        async def too_many(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=f"show {i}", value=f"show-{i}") for i in range(26)]

        async def too_long(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name="n" * 101, value="v" * 101)]

        @tree.command(description="autocomplete with 26 choices")
        @app_commands.autocomplete(anime=too_many)
        async def ac_many(interaction: discord.Interaction, anime: str) -> None:
            await interaction.response.send_message(anime)

        @tree.command(description="autocomplete with long choices")
        @app_commands.autocomplete(anime=too_long)
        async def ac_long(interaction: discord.Interaction, anime: str) -> None:
            await interaction.response.send_message(anime)

        @tree.command(description="modal with 6 inputs")
        async def six_inputs(interaction: discord.Interaction) -> None:
            rows = [{"type": 1, "components": [{"type": 4, "custom_id": f"i{i}", "label": f"Input {i}", "style": 1}]}
                    for i in range(6)]
            await keep(raw_callback(interaction, {"type": 9, "data": {
                "custom_id": "six", "title": "Six", "components": rows}}))

        @tree.command(description="modal title of 46 characters")
        async def long_title(interaction: discord.Interaction) -> None:
            await keep(interaction.response.send_modal(BigModal("T" * 46)))

        @tree.command(description="text input label of 46 characters and max_length 4001")
        async def long_input(interaction: discord.Interaction) -> None:
            await keep(interaction.response.send_modal(BigModal("ok", label="L" * 46, max_length=4001)))

        @tree.command(description="answers after the deadline")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.5)
            await keep(interaction.response.send_message("too late"))

        @tree.command(description="answers twice")
        async def double(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("once")
            await keep(raw_callback(interaction, {"type": 4, "data": {"content": "twice"}}))

        @tree.command(description="follow-up before answering")
        async def eager(interaction: discord.Interaction) -> None:
            try:
                await keep(interaction.followup.send("too early"))
            finally:
                await interaction.response.send_message("then the answer")

        @tree.command(description="never answers")
        async def silent(interaction: discord.Interaction) -> None:
            return

        @tree.command(description="defers and forgets")
        async def forgetful(interaction: discord.Interaction) -> None:
            await interaction.response.defer()

        @tree.command(description="empty message")
        async def empty(interaction: discord.Interaction) -> None:
            await keep(interaction.response.send_message())

        @tree.command(description="raises")
        async def boom(interaction: discord.Interaction) -> None:
            raise RuntimeError("kaboom")

        @tree.command(description="an endpoint the sandbox lacks")
        async def bans(interaction: discord.Interaction) -> None:
            assert interaction.guild is not None
            try:
                await keep(interaction.guild.fetch_ban(discord.Object(id=1)))
            finally:
                await interaction.response.send_message("checked bans")


class PingBot(SandboxTestBot):
    """No default allowed_mentions (discord.py then sends none, and Discord parses everything)."""

    def __init__(self, dev_guild: int) -> None:
        super().__init__(dev_guild)
        self.allowed_mentions = None

    def install(self, tree: app_commands.CommandTree[SandboxTestBot]) -> None:
        @tree.command(description="@everyone")
        async def everyone(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("@everyone new review is up")

        @tree.command(description="a role")
        async def role(interaction: discord.Interaction, role: discord.Role) -> None:
            await interaction.response.send_message(f"calling {role.mention}")

        @tree.command(description="a user")
        async def user(interaction: discord.Interaction, who: discord.Member) -> None:
            await interaction.response.send_message(f"hey {who.mention}")

        @tree.command(description="a user, explicitly allowed")
        async def invite(interaction: discord.Interaction, who: discord.Member) -> None:
            await interaction.response.send_message(f"hey {who.mention}",
                                                    allowed_mentions=discord.AllowedMentions(users=[who]))

        @tree.command(description="safe")
        async def safe(interaction: discord.Interaction, who: discord.Member) -> None:
            await interaction.response.send_message(
                f"`@everyone` {who.mention}", embed=discord.Embed(description=f"@here {who.mention}"),
                allowed_mentions=discord.AllowedMentions.none())

        @tree.command(description="reply to a member's message")
        async def reply(interaction: discord.Interaction, message_id: str) -> None:
            assert isinstance(interaction.channel, discord.TextChannel)
            message = await interaction.channel.fetch_message(int(message_id))
            await message.reply("thanks for sharing")
            await interaction.response.send_message("replied", allowed_mentions=discord.AllowedMentions.none())


class BadDescriptionBot(SandboxTestBot):
    """A command description of 101 characters: discord.py does not check it, Discord refuses the sync."""

    def __init__(self, dev_guild: int) -> None:
        super().__init__(dev_guild)
        self.sync_error: Exception | None = None

    def install(self, tree: app_commands.CommandTree[SandboxTestBot]) -> None:
        @tree.command(description="d" * 101)
        async def wordy(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("never")

    async def setup_hook(self) -> None:
        try:
            await super().setup_hook()
        except app_commands.CommandSyncFailure as error:
            self.sync_error = error
