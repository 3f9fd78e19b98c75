"""More of the API surface: member chunking, entity selects, fetching/deleting responses, tokens, registration."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands

from sandbox import SandboxConfig

from .conftest import RunBot
from .sandbox_bots import SandboxTestBot


class MembersBot(SandboxTestBot):
    """Asks for the members intent, so discord.py chunks the guilds at start-up."""

    intents_wanted = discord.Intents(guilds=True, members=True)


class UserPick(discord.ui.View):
    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="who", placeholder="Who?")
    async def who(self, interaction: discord.Interaction, select: discord.ui.UserSelect[UserPick]) -> None:
        await interaction.response.send_message(f"picked {select.values[0].name}")


class ToolBot(SandboxTestBot):
    def __init__(self, dev_guild: int) -> None:
        super().__init__(dev_guild)
        self.seen: list[object] = []

    def install(self, tree: app_commands.CommandTree[SandboxTestBot]) -> None:
        bot = self

        @tree.command(description="A user select")
        async def who(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pick someone", view=UserPick())

        @tree.command(description="Fetch, edit, then delete a follow-up")
        async def tidy(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("original")
            fetched = await interaction.original_response()
            bot.seen.append(fetched.content)
            extra = await interaction.followup.send("temporary", wait=True)
            await extra.delete()

        @tree.command(description="Edit the original before answering")
        async def hasty(interaction: discord.Interaction) -> None:
            try:
                await interaction.edit_original_response(content="too soon")
            except discord.NotFound as error:
                bot.seen.append(error.code)
            await interaction.response.send_message("answered")

        @tree.command(description="Use the token after it expired")
        async def stale(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("first")
            await asyncio.sleep(0.15)
            try:
                await interaction.followup.send("much later")
            except discord.HTTPException as error:
                bot.seen.append((error.status, error.code))

        @tree.context_menu(name="Profile")
        async def profile(interaction: discord.Interaction, member: discord.Member) -> None:
            await interaction.response.send_message(f"profile of {member.name}", ephemeral=True)

        @tree.context_menu(name="Quote")
        async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"> {message.content}")

        @tree.command(description="Whisper in a DM")
        async def whisper(interaction: discord.Interaction) -> None:
            await interaction.user.send("psst")
            await interaction.response.send_message("check your DMs", ephemeral=True)

        @tree.command(description="Upload a file option")
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            await interaction.response.send_message(f"{file.filename}: {len(data)} bytes")


async def test_members_intent_chunks_guilds(run_bot: RunBot) -> None:
    async with run_bot(MembersBot) as sandbox:
        bot = sandbox.bot
        assert bot is not None
        for _ in range(100):
            if all(g.chunked for g in bot.guilds):
                break
            await asyncio.sleep(0.01)
        club = discord.utils.get(bot.guilds, name="Anime Club")
        assert club is not None and club.chunked
        assert sorted(m.name for m in club.members) == ["alice", "bob", "carol", "dave", "kansou", "mod"]
        mod = discord.utils.get(club.members, name="mod")
        assert mod is not None and mod.guild_permissions.manage_guild
        sandbox.set_moderator("alice", True)
        await asyncio.sleep(0.05)
        alice = discord.utils.get(club.members, name="alice")
        assert alice is not None and [r.name for r in alice.roles][1:] == ["Moderators"]


async def test_user_select(run_bot: RunBot) -> None:
    async with run_bot(ToolBot) as sandbox:
        menu = await sandbox.invoke("who")
        picked = await sandbox.select(menu, "who", ["@carol"])
        assert picked.content == "picked carol"
        assert picked.raw["data"]["resolved"]["users"][str(sandbox.member("carol").id)]["username"] == "carol"


async def test_fetch_and_delete_followup(run_bot: RunBot) -> None:
    async with run_bot(ToolBot) as sandbox:
        result = await sandbox.invoke("tidy")
        assert result.ok
        assert [m.content for m in result.messages] == ["original"]
        assert [m.content for m in result.deleted] == ["temporary"]
        bot = sandbox.bot
        assert isinstance(bot, ToolBot) and bot.seen == ["original"]


async def test_edit_original_before_answering(run_bot: RunBot) -> None:
    async with run_bot(ToolBot) as sandbox:
        result = await sandbox.invoke("hasty")
        assert [v.name for v in result.violations] == ["original response used before the interaction was acknowledged"]
        assert result.content == "answered"
        bot = sandbox.bot
        assert isinstance(bot, ToolBot) and bot.seen == [10008]


async def test_expired_token(run_bot: RunBot) -> None:
    async with run_bot(ToolBot, config=SandboxConfig.default(token_lifetime=0.1)) as sandbox:
        result = await sandbox.invoke("stale")
        assert [v.name for v in result.violations] == ["interaction token used after 15 minutes"]
        bot = sandbox.bot
        assert isinstance(bot, ToolBot) and bot.seen == [(401, 50027)]


async def test_attachment_option(run_bot: RunBot) -> None:
    async with run_bot(ToolBot) as sandbox:
        result = await sandbox.invoke("upload", {"file": ("notes.txt", b"hello")})
        assert result.content == "notes.txt: 5 bytes"


async def test_wait_for_commands_and_registered_shapes(run_bot: RunBot) -> None:
    async with run_bot(ToolBot) as sandbox:
        commands = await sandbox.wait_for_commands(sandbox.guild().id)
        assert sorted(c.name for c in commands) == ["Profile", "Quote", "hasty", "stale", "tidy", "upload",
                                                    "whisper", "who"]
        assert all(c.guild_id == sandbox.guild().id for c in commands)
        bot = sandbox.bot
        assert isinstance(bot, ToolBot)
        fetched = await bot.tree.fetch_commands(guild=discord.Object(id=sandbox.guild().id))
        assert len(fetched) == 8
        assert await bot.tree.fetch_commands() == []
        late = asyncio.create_task(sandbox.wait_for_commands(None, timeout=2.0))
        await asyncio.sleep(0.01)
        assert not late.done()
        await bot.tree.sync()
        assert len(await late) == 8


async def test_context_menus_and_dms(run_bot: RunBot) -> None:
    async with run_bot(ToolBot) as sandbox:
        profile = await sandbox.context_menu("Profile", "bob")
        assert profile.content == "profile of bob" and profile.ephemeral
        said = await sandbox.say("what a finale", user="carol")
        quoted = await sandbox.context_menu("Quote", said)
        assert quoted.content == "> what a finale"
        whisper = await sandbox.invoke("whisper")
        assert [m.content for m in sandbox.dm_messages("alice")] == ["psst"]
        assert whisper.other_messages == sandbox.dm_messages("alice")
        assert not sandbox.violations
