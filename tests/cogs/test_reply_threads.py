"""Reply threads under review posts end to end: the "Discuss this review" button (also after a restart), the
automatic thread per the server's setting, archiving and locking when the review is deleted."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import discord

from sandbox import InteractionResult, Sandbox, SandboxConfig, SandboxMessage
from sandbox.config import BOT_PERMISSIONS
from sandbox.harness import serving_sandbox
from sandbox.kansou import kansou_bot_factory
from sandbox.threads import SandboxThread
from tests.cogs.conftest import TEST_SETTINGS, RunKansou, assert_clean, text_of

ROUGE = "Metallic Rouge"


async def write(sandbox: Sandbox, user: str = "alice", through: int = 3) -> tuple[InteractionResult, SandboxMessage]:
    """A spoiler review through episode ``through``; the submission and the review's post."""
    form = await sandbox.invoke("review write", {"anime": ROUGE, "through_episode": through}, user=user)
    assert form.modal is not None, text_of(form)
    done = await sandbox.submit_modal(form, {"Title": "Mine", "Review": "Secret."})
    assert_clean(done)
    (post,) = [m for m in sandbox.channel_messages("general") if not m.ephemeral]
    return done, post


def live(sandbox: Sandbox) -> list[SandboxThread]:
    """The stand-in's live threads."""
    return sandbox.server.threads.live()


async def test_the_button_opens_one_thread_named_with_the_scope(sandbox: Sandbox) -> None:
    _, post = await write(sandbox)
    assert post.button("Discuss this review")["custom_id"].startswith("kansou:review-thread:")
    assert live(sandbox) == []
    pressed = await sandbox.click(post, "Discuss this review", user="bob")
    assert_clean(pressed)
    assert pressed.ephemeral
    (thread,) = live(sandbox)
    assert thread.id == post.id and thread.message_id == post.id  # started from the post
    assert thread.name == "Review #1 · spoilers through ep 3"
    assert f"<#{thread.id}>" in text_of(pressed)
    (opening,) = sandbox.server.threads.messages(thread.id)
    assert "Spoilers through episode 3: keep replies within it." in opening.content
    again = await sandbox.click(post, "Discuss this review", user="carol")
    assert_clean(again)
    assert f"<#{thread.id}>" in text_of(again) and len(live(sandbox)) == 1


async def test_automatic_threads_and_deleting_archives_and_locks(sandbox: Sandbox) -> None:
    assert_clean(await sandbox.invoke("settings reply-threads", {"enabled": True}, user="mod"))
    _, post = await write(sandbox, through=5)
    (thread,) = live(sandbox)
    assert thread.id == post.id and thread.name == "Review #1 · spoilers through ep 5"
    assert not thread.archived
    deleted = await sandbox.invoke("review delete", {"review": 1})
    assert_clean(deleted)
    assert f"Its reply thread <#{thread.id}> is archived and locked." in text_of(deleted)
    assert thread.archived and thread.locked


async def test_without_manage_threads_the_thread_stays_open_and_says_why(run_kansou: RunKansou) -> None:
    without = ~discord.Permissions(manage_threads=True).value
    config = SandboxConfig.default(bot_permissions=BOT_PERMISSIONS & without)
    async with run_kansou(config) as sandbox:
        _, post = await write(sandbox)
        assert_clean(await sandbox.click(post, "Discuss this review"))
        (thread,) = live(sandbox)
        deleted = await sandbox.invoke("review delete", {"review": 1})
        assert_clean(deleted)
        assert "Review #1 of **Metallic Rouge** is deleted." in text_of(deleted)
        assert "stays open: I need **Manage Threads**" in text_of(deleted)
        assert not thread.archived and not thread.locked


@asynccontextmanager
async def kansou_on(sandbox: Sandbox, db_path: Path) -> AsyncIterator[None]:
    """One kansou process's bot, connected to the stand-in, on the database at ``db_path``."""
    endpoints = sandbox.server.endpoints
    async with kansou_bot_factory(TEST_SETTINGS, db_path)(endpoints) as bot:
        task = asyncio.create_task(bot.start(endpoints.token))
        sandbox.bots = [bot]
        try:
            await sandbox.wait_until_connected()
            yield
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_the_button_works_after_a_restart(tmp_path: Path, catalogue_template: Path) -> None:
    db_path = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    async with serving_sandbox() as sandbox:
        async with kansou_on(sandbox, db_path):
            _, post = await write(sandbox)
        async with kansou_on(sandbox, db_path):  # a new process: no view in memory, only the DynamicItem
            pressed = await sandbox.click(post, "Discuss this review", user="bob")
            assert_clean(pressed)
            (thread,) = live(sandbox)
            assert re.search(rf"<#{thread.id}>", text_of(pressed))
