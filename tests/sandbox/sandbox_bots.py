"""Small bots for the sandbox tests: one that behaves, and a base class for deliberately broken ones."""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

ANIME = ["Metallic Rouge", "Frieren", "Dungeon Meshi", "Apothecary Diaries", "Mushoku Tensei", "Kaiju No. 8"]


class SandboxTestBot(commands.Bot):
    """Guilds intent only, no pings; subclasses add commands in ``install`` and they are synced to the dev guild."""

    intents_wanted = discord.Intents(guilds=True)

    def __init__(self, dev_guild: int, *, allowed_mentions: discord.AllowedMentions | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=self.intents_wanted,
            allowed_mentions=allowed_mentions if allowed_mentions is not None else discord.AllowedMentions.none(),
            help_command=None,
        )
        self.dev_guild = dev_guild

    def install(self, tree: app_commands.CommandTree[SandboxTestBot]) -> None:
        """Add commands to the tree."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before a re-IDENTIFY (Discord's identify rate limit); tests need not."""

    async def setup_hook(self) -> None:
        self.install(self.tree)
        guild = discord.Object(id=self.dev_guild)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)


class Pager(discord.ui.View):
    def __init__(self, pages: list[str]) -> None:
        super().__init__(timeout=60)
        self.pages = pages
        self.index = 0
        self.prev.disabled = True

    @discord.ui.button(label="◀ Prev", style=discord.ButtonStyle.secondary, custom_id="pager:prev")
    async def prev(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await self.turn(interaction, -1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.primary, custom_id="pager:next")
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await self.turn(interaction, 1)

    @discord.ui.button(label="Delete", style=discord.ButtonStyle.danger, custom_id="pager:delete")
    async def delete(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await interaction.response.defer()
        await interaction.delete_original_response()

    async def turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index += step
        self.prev.disabled = self.index == 0
        self.next.disabled = self.index == len(self.pages) - 1
        await interaction.response.edit_message(content=self.pages[self.index], view=self)


class Picker(discord.ui.View):
    @discord.ui.select(custom_id="picker", placeholder="Pick shows", min_values=1, max_values=2,
                       options=[discord.SelectOption(label=a, value=a.lower().replace(" ", "-")) for a in ANIME[:4]])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Picker]) -> None:
        await interaction.response.send_message(f"You picked {', '.join(select.values)}", ephemeral=True)


class Feedback(discord.ui.Modal, title="Your review"):
    headline: discord.ui.TextInput[Feedback] = discord.ui.TextInput(label="Headline", max_length=100)
    body: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Review", style=discord.TextStyle.paragraph, required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"**{self.headline.value}**\n{self.body.value or '(no text)'}", ephemeral=True)


class LabelledFeedback(discord.ui.Modal, title="Rate it"):
    score: discord.ui.Label[LabelledFeedback] = discord.ui.Label(
        text="Score", description="1 to 10", component=discord.ui.TextInput(custom_id="score", max_length=2))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.score.component, discord.ui.TextInput)
        await interaction.response.send_message(f"score={self.score.component.value}")


class Opener(discord.ui.View):
    @discord.ui.button(label="Write a review", custom_id="opener:open")
    async def open(self, interaction: discord.Interaction, button: discord.ui.Button[Opener]) -> None:
        await interaction.response.send_modal(Feedback())


class GoodBot(SandboxTestBot):
    """Every feature, used correctly."""

    def install(self, tree: app_commands.CommandTree[SandboxTestBot]) -> None:
        @tree.command(description="Say hello")
        async def hello(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"Hello {name}!")

        review = app_commands.Group(name="review", description="Reviews")

        async def anime_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=a, value=a) for a in ANIME if current.lower() in a.lower()][:25]

        @review.command(name="write", description="Write a review")
        @app_commands.autocomplete(anime=anime_names)
        async def write(interaction: discord.Interaction, anime: str, spoilers: bool,
                        rating: app_commands.Range[int, 1, 10] | None = None) -> None:
            embed = discord.Embed(title=anime, description="||the twist||" if spoilers else "no spoilers")
            embed.add_field(name="Rating", value=str(rating) if rating is not None else "unrated")
            embed.set_footer(text=f"by {interaction.user.name}")
            await interaction.response.send_message(embed=embed, ephemeral=spoilers)

        @review.command(name="read", description="Read someone's review")
        async def read(interaction: discord.Interaction, anime: str, author: discord.Member) -> None:
            await interaction.response.send_message(f"{author.display_name} on {anime}: great ({author.id})")

        tree.add_command(review)

        admin = app_commands.Group(name="admin", description="Admin things")
        limits = app_commands.Group(name="limits", description="Limits", parent=admin)

        @limits.command(name="set", description="Set limits")
        async def set_limits(interaction: discord.Interaction, count: int, ratio: float, enabled: bool,
                             who: discord.Member, where: discord.TextChannel | None = None,
                             role: discord.Role | None = None) -> None:
            parts = [f"count={count!r}", f"ratio={ratio!r}", f"enabled={enabled!r}", f"who={who.name}",
                     f"where={where.name if where else None}", f"role={role.name if role else None}",
                     f"perms={interaction.permissions.manage_guild}"]
            await interaction.response.send_message(" ".join(parts))

        tree.add_command(admin)

        @tree.command(description="Think, then answer")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.05)
            await interaction.followup.send("done thinking")
            await interaction.followup.send("and one more thing")

        @tree.command(description="Defer, then edit the original")
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True)
            await interaction.edit_original_response(content="edited in")

        @tree.command(description="Pages")
        async def pages(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("page 1", view=Pager(["page 1", "page 2", "page 3"]))

        @tree.command(description="Pick something")
        async def pick(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Choose:", view=Picker())

        @tree.command(description="Give feedback")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Feedback())

        @tree.command(description="Rate in a labelled modal")
        async def rate(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(LabelledFeedback())

        @tree.command(description="A button that opens a modal")
        async def opener(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Open the form:", view=Opener())

        @tree.command(description="Send a file")
        async def poster(interaction: discord.Interaction) -> None:
            data = b"\x89PNG\r\n\x1a\n" + b"0" * 64
            embed = discord.Embed(title="Poster").set_image(url="attachment://poster.png")
            await interaction.response.send_message(
                embed=embed, files=[discord.File(io.BytesIO(data), "poster.png"),
                                    discord.File(io.BytesIO(b"notes"), "notes.txt")])

        @tree.command(description="Send, edit, delete")
        async def churn(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first")
            extra = await interaction.followup.send("second", wait=True)
            await extra.edit(content="second (edited)")
            await interaction.delete_original_response()

        @tree.command(description="Post in a channel")
        async def announce(interaction: discord.Interaction, channel: discord.TextChannel, text: str) -> None:
            message = await channel.send(text)
            await message.edit(content=text + " (edited)")
            await interaction.response.send_message(f"posted in {channel.mention}", ephemeral=True)

        @tree.command(description="Moderators only")
        @app_commands.default_permissions(manage_guild=True)
        async def purge(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("purged", ephemeral=True)

        @tree.command(description="Ping politely")
        async def poke(interaction: discord.Interaction, who: discord.Member) -> None:
            await interaction.response.send_message(f"{who.mention}, {interaction.user.mention} says hi",
                                                    embed=discord.Embed(description="@everyone"))
