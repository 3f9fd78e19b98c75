"""A sharded test bot, and a way to run one client of it as a process of its own (``python -m``).

    python -m tests.sandbox.sharded_bots NAME SHARD_ID SHARD_COUNT API_BASE GATEWAY_URL   (token on stdin)
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

import discord
from discord.ext import commands

from sandbox.endpoints import point_discord_py_at

TWO = 2


class ShardBot(commands.AutoShardedBot):
    """A sharded client that says which client and shard answered, and remembers what reached it."""

    def __init__(self, name: str, *, shard_ids: list[int] | None = None, shard_count: int | None = TWO,
                 intents: discord.Intents | None = None) -> None:
        sharding: dict[str, Any] = {"shard_count": shard_count}
        if shard_ids is not None:  # None: every shard of the count (discord.py's stub wants a list)
            sharding["shard_ids"] = shard_ids
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents(guilds=True, dm_messages=True),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **sharding,
        )
        self.name = name
        self.interactions: list[int | None] = []  # guild id (None: a DM) of every interaction handled
        self.dm_messages: list[int] = []  # DM messages seen (the bot's own replies arrive as MESSAGE_CREATE)
        self.guild_messages: list[str] = []  # the guild of every guild message seen (with that intent)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s between IDENTIFYs (Discord's rate limit); tests need not."""

    async def setup_hook(self) -> None:
        bot = self

        class Again(discord.ui.View):
            @discord.ui.button(label="Again", custom_id="shards:again")
            async def again(self, interaction: discord.Interaction, button: discord.ui.Button[Again]) -> None:
                bot.interactions.append(interaction.guild_id)
                await interaction.response.send_message(bot.answer(interaction))

        @self.tree.command(name="whoami", description="Say which client and shard answered")
        async def whoami(interaction: discord.Interaction) -> None:
            self.interactions.append(interaction.guild_id)
            await interaction.response.send_message(self.answer(interaction), view=Again(timeout=30))

        class Form(discord.ui.Modal, title="Which shard?"):
            note: discord.ui.TextInput[Form] = discord.ui.TextInput(label="Note", max_length=50)

            async def on_submit(self, interaction: discord.Interaction) -> None:
                bot.interactions.append(interaction.guild_id)
                await interaction.response.send_message(f"{bot.answer(interaction)}: {self.note.value}")

        @self.tree.command(name="form", description="Open a form")
        async def form(interaction: discord.Interaction) -> None:
            self.interactions.append(interaction.guild_id)
            await interaction.response.send_modal(Form())

        @self.tree.command(name="greet", description="Greet someone")
        @discord.app_commands.describe(someone="Who to greet", role="A role to mention by name")
        async def greet(interaction: discord.Interaction, someone: discord.User,
                        role: discord.Role | None = None) -> None:
            self.interactions.append(interaction.guild_id)
            await interaction.response.send_message(f"hello {someone.name} ({self.answer(interaction)})")

        @self.tree.command(name="club", description="Only in servers")
        @discord.app_commands.guild_only()
        async def club(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(self.answer(interaction))

        @self.tree.command(name="silent", description="Read the interaction and never answer")
        async def silent(interaction: discord.Interaction) -> None:
            self.interactions.append(interaction.guild_id)

        await self.tree.sync()  # global, so the commands work in every guild and in DMs

    def answer(self, interaction: discord.Interaction) -> str:
        """``client-a shard 1 in Other Server`` (``in a DM`` without a guild)."""
        guild = interaction.guild
        where = f"in {guild.name}" if guild is not None else "in a DM"
        shard = guild.shard_id if guild is not None else 0
        return f"{self.name} shard {shard} {where}"

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None:
            self.dm_messages.append(message.id)
        else:
            self.guild_messages.append(message.guild.name)


async def _run_process(name: str, shard_id: int, shard_count: int, api_base: str, gateway_url: str,
                       token: str) -> None:
    point_discord_py_at(api_base, gateway_url)
    bot = ShardBot(name, shard_ids=[shard_id], shard_count=shard_count)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    await bot.start(token)


if __name__ == "__main__":
    name, shard, count, base, gateway = sys.argv[1:6]
    asyncio.run(_run_process(name, int(shard), int(count), base, gateway, sys.stdin.readline().strip()))
