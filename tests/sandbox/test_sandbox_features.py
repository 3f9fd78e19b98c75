"""The real discord.py client, driven through the stand-in: every kind of interaction, answered correctly."""

from __future__ import annotations

import aiohttp
import pytest

from sandbox import SandboxUsageError

from .conftest import RunBot
from .sandbox_bots import GoodBot


async def test_simple_reply(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("hello", {"name": "Naomi"}, user="bob")
        assert result.response_name == "message"
        assert result.content == "Hello Naomi!"
        assert not result.ephemeral
        assert result.ok, (result.violations, result.errors)
        assert result.message is not None and result.message.type == 20
        assert sandbox.channel_messages("general")[-1] is result.message
        assert result.user.name == "bob"


async def test_nested_group_with_typed_options(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke(
            "admin limits set",
            {"count": 3, "ratio": 0.5, "enabled": True, "who": "@carol", "where": "#reviews", "role": "Moderators"})
        assert result.content == ("count=3 ratio=0.5 enabled=True who=carol where=reviews role=Moderators "
                                  "perms=False")
        assert result.ok
        modded = await sandbox.invoke("admin limits set", {"count": "7", "ratio": 2, "enabled": "no", "who": "mod"},
                                      user="mod")
        assert modded.content.startswith("count=7 ratio=2.0 enabled=False who=mod where=None role=None perms=True")


async def test_driver_refuses_what_discord_would_refuse(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        with pytest.raises(SandboxUsageError, match="no command /nope"):
            await sandbox.invoke("nope")
        with pytest.raises(SandboxUsageError, match="needs a subcommand"):
            await sandbox.invoke("review")
        with pytest.raises(SandboxUsageError, match="no option 'colour'"):
            await sandbox.invoke("hello", {"name": "x", "colour": "red"})
        with pytest.raises(SandboxUsageError, match="whole number"):
            await sandbox.invoke("admin limits set", {"count": "many", "ratio": 1, "enabled": True, "who": "bob"})
        with pytest.raises(SandboxUsageError, match="needs option 'spoilers'"):
            await sandbox.invoke("review write", {"anime": "Frieren"})
        with pytest.raises(SandboxUsageError, match="between 1 and 10"):
            await sandbox.invoke("review write", {"anime": "Frieren", "spoilers": False, "rating": 11})
        with pytest.raises(SandboxUsageError, match="cannot see /purge"):
            await sandbox.invoke("purge", user="alice")
        assert (await sandbox.invoke("purge", user="mod")).content == "purged"
        sandbox.set_moderator("alice", True)
        assert (await sandbox.invoke("purge", user="alice")).content == "purged"
        assert not sandbox.violations


async def test_user_option_resolves_a_member(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        bob = sandbox.member("bob")
        result = await sandbox.invoke("review read", {"anime": "Metallic Rouge", "author": "@bob"})
        assert result.content == f"Bob on Metallic Rouge: great ({bob.id})"


async def test_autocomplete(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        choices = await sandbox.autocomplete("review write", {"anime": "me"}, focused="anime")
        assert [c.name for c in choices] == ["Metallic Rouge", "Dungeon Meshi"]
        assert choices[0].value == "Metallic Rouge"
        assert not sandbox.violations


async def test_embed_and_ephemeral(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("review write", {"anime": "Frieren", "spoilers": True, "rating": 9})
        assert result.ephemeral
        embed = result.embeds[0]
        assert embed.title == "Frieren" and embed.description == "||the twist||"
        assert embed.fields[0].value == "9"
        assert embed.footer.text == "by alice"
        assert result.message is not None
        assert result.message not in sandbox.channel_messages("general", include_ephemeral=False)


async def test_deferred_reply_completed_by_followups(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("slow")
        assert result.deferred
        assert result.message is not None and not result.message.loading
        assert result.content == "done thinking"  # the first follow-up fills the "thinking…" placeholder
        assert [m.content for m in result.messages] == ["done thinking", "and one more thing"]
        assert result.ok


async def test_deferred_ephemeral_completed_by_edit(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("later")
        assert result.deferred and result.ephemeral
        assert result.content == "edited in"
        assert result.ok


async def test_buttons_update_and_delete(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("pages")
        message = result.message
        assert message is not None
        assert [b.get("disabled", False) for b in message.buttons()] == [True, False, False]
        with pytest.raises(SandboxUsageError, match="disabled"):
            await sandbox.click(message, 1)
        page2 = await sandbox.click(message, "Next ▶", user="bob")
        assert page2.response_name == "update"
        assert page2.message is message and message.content == "page 2"
        assert message.edits == 1
        await sandbox.click(result, "pager:next")
        assert message.content == "page 3"
        assert message.buttons()[1].get("disabled") is True
        gone = await sandbox.click(message, 3)
        assert gone.ok
        assert message.deleted and sandbox.get_message(message.id) is None
        assert message not in sandbox.channel_messages("general")


async def test_select_menu(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("pick")
        assert result.message is not None
        picked = await sandbox.select(result.message, "picker", ["Frieren", "dungeon-meshi"])
        assert picked.content == "You picked frieren, dungeon-meshi"
        assert picked.ephemeral
        with pytest.raises(SandboxUsageError, match="no option"):
            await sandbox.select(result.message, 1, ["One Piece"])
        with pytest.raises(SandboxUsageError, match=r"takes 1\.\.2 values"):
            await sandbox.select(result.message, 1, ["frieren", "metallic-rouge", "dungeon-meshi"])


async def test_modal_open_and_submit(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        opened = await sandbox.invoke("feedback")
        assert opened.response_name == "modal"
        assert opened.modal is not None and opened.modal.title == "Your review"
        assert [f.label for f in opened.modal.fields] == ["Headline", "Review"]
        assert opened.modal.fields[1].paragraph
        with pytest.raises(SandboxUsageError, match="required"):
            await sandbox.submit_modal(opened, {"Review": "text only"})
        submitted = await sandbox.submit_modal(opened, {"Headline": "Loved it", "Review": "line 1\nline 2"})
        assert submitted.content == "**Loved it**\nline 1\nline 2"
        assert submitted.ok


async def test_labelled_modal_and_modal_from_button(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        opened = await sandbox.invoke("rate")
        assert opened.modal is not None and opened.modal.fields[0].label == "Score"
        assert (await sandbox.submit_modal(opened, {"score": "9"})).content == "score=9"
        form = await sandbox.invoke("opener")
        clicked = await sandbox.click(form, "Write a review")
        assert clicked.modal is not None
        done = await sandbox.submit_modal(clicked, {"headline": "From a button"})
        assert done.content.startswith("**From a button**")
        assert done.raw["message"]["id"] == str(form.message.id if form.message else 0)


async def test_file_attachments(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("poster")
        assert result.message is not None
        names = [a.filename for a in result.message.attachments]
        assert names == ["poster.png", "notes.txt"]
        poster = result.message.attachment("poster.png")
        assert poster.data.startswith(b"\x89PNG") and poster.content_type == "image/png"
        assert result.message.embeds[0]["image"]["url"] == "attachment://poster.png"
        async with aiohttp.ClientSession() as session, session.get(poster.url) as response:
            assert await response.read() == poster.data
        assert result.ok


async def test_edit_and_delete_are_tracked(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("churn")
        assert result.message is not None and result.message.deleted
        assert [m.content for m in result.messages] == ["second (edited)"]
        assert [m.content for m in sandbox.channel_messages("general")] == ["second (edited)"]
        assert result.ok


async def test_channel_posts_and_edits(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("announce", {"channel": "reviews", "text": "new review!"})
        assert result.ephemeral and result.content.startswith("posted in <#")
        posted = sandbox.channel_messages("reviews")
        assert [m.content for m in posted] == ["new review! (edited)"]
        assert result.other_messages == posted
        assert result.ok


async def test_explicit_mentions_in_embeds_and_allowed_users(run_bot: RunBot) -> None:
    async with run_bot(GoodBot) as sandbox:
        result = await sandbox.invoke("poke", {"who": "bob"})
        assert result.ok, result.violations  # allowed_mentions none(): nothing pings; embeds never ping
        assert result.message is not None and result.message.pings == []
