"""Half-done review posts are recoverable: a review saved but not posted is posted on start-up (or its author is
told) and on its next edit; a post no stored review points to can be removed by a moderator.

Saving a review and posting it are two steps; a crash between them is simulated by saving the review through
the store alone, as the bot's first step does, with no post.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

from bot.core.database import SQLiteDatabase
from bot.reviews.models import EpisodeScope, ReviewText
from bot.reviews.store import ReviewStore
from sandbox import Sandbox, SandboxConfig, SandboxMessage, running_sandbox
from sandbox.kansou import kansou_bot_factory
from tests.cogs.conftest import TEST_SETTINGS, assert_clean, core, text_of

ROUGE_ID = 1


async def save_only(db: SQLiteDatabase, config: SandboxConfig, *, channel_id: int | None = None,
                    saved_at: float | None = None, author: str = "alice") -> None:
    """The first of the two steps of /review write: the review stored, never posted."""
    club = config.guild(None)
    stored = await ReviewStore(db).insert(
        guild_id=club.id, channel_id=channel_id or club.channel("general").id, author_id=config.user(author).id,
        anime_id=ROUGE_ID, text=ReviewText.parse("Cut off", "Saved just before the bot stopped."),
        scope=EpisodeScope(), created_at=time.time() - 3600 if saved_at is None else saved_at)
    assert stored is not None and not stored.message_ids


async def posts_in(sandbox: Sandbox, channel: str, count: int = 1) -> list[SandboxMessage]:
    """The public messages of ``channel``, once there are ``count`` (the recovery runs as the bot connects)."""
    async with asyncio.timeout(10):
        while len(found := [m for m in sandbox.channel_messages(channel) if not m.ephemeral]) < count:  # noqa: ASYNC110 - the stand-in's messages are polled
            await asyncio.sleep(0.02)
    return found


async def prepared(tmp_path: Path, catalogue_template: Path, config: SandboxConfig, **saved: object) -> Path:
    path = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, path)
    async with await SQLiteDatabase.connect(path) as db:
        await save_only(db, config, **saved)  # type: ignore[arg-type]
    return path


async def test_a_review_saved_but_not_posted_is_posted_on_start(tmp_path: Path, catalogue_template: Path) -> None:
    config = SandboxConfig.default()
    path = await prepared(tmp_path, catalogue_template, config)
    async with running_sandbox(kansou_bot_factory(TEST_SETTINGS, path), config=config) as sandbox:
        (post,) = await posts_in(sandbox, "general")
        assert "Cut off" in (post.embed_objects()[0].title or "")
        assert post.embed_objects()[0].footer.text == "Review #1"
        stored = await ReviewStore(core(sandbox).db).by_number(config.guild(None).id, 1)
        assert stored is not None and stored.message_ids == (post.id,)
        # Whole again: the author edits it and the post follows.
        form = await sandbox.invoke("review edit", {"review": 1})
        assert form.modal is not None
        assert_clean(await sandbox.submit_modal(form, {"Review": "Edited after the restart."}))
        assert post.edits == 1


async def test_a_review_that_cannot_be_posted_is_reported_to_its_author(tmp_path: Path,
                                                                        catalogue_template: Path) -> None:
    config = SandboxConfig.default()
    path = await prepared(tmp_path, catalogue_template, config, channel_id=123456789)  # a channel that is gone
    async with running_sandbox(kansou_bot_factory(TEST_SETTINGS, path), config=config) as sandbox:
        async with asyncio.timeout(10):
            while not sandbox.dm_messages("alice"):  # noqa: ASYNC110 - the stand-in's messages are polled
                await asyncio.sleep(0.02)
        (note,) = sandbox.dm_messages("alice")
        text = "\n".join(e.description or "" for e in note.embed_objects())
        assert "Your review #1 of **Metallic Rouge** was saved, but I couldn't post it" in text
        assert not note.pings
        stored = await ReviewStore(core(sandbox).db).by_number(config.guild(None).id, 1)
        assert stored is not None and stored.channel_id is None  # recorded as not posted: told once, not each start
        read = await sandbox.invoke("review read", {"anime": "Metallic Rouge"})
        assert "Saved just before the bot stopped." in text_of(read)


async def test_the_next_edit_posts_a_review_that_was_never_posted(tmp_path: Path, catalogue_template: Path) -> None:
    config = SandboxConfig.default()
    # Saved a moment ago: too fresh for the start-up pass (its post might still be on its way).
    path = await prepared(tmp_path, catalogue_template, config, saved_at=time.time())
    async with running_sandbox(kansou_bot_factory(TEST_SETTINGS, path), config=config) as sandbox:
        assert not [m for m in sandbox.channel_messages("general") if not m.ephemeral]
        form = await sandbox.invoke("review edit", {"review": 1}, channel="off-topic")
        assert form.modal is not None
        saved = await sandbox.submit_modal(form, {"Review": "Now it gets posted."})
        assert_clean(saved)
        (post,) = await posts_in(sandbox, "general")  # in the channel it was written in
        assert "Review #1 is updated" in text_of(saved) and str(post.id) in text_of(saved)
        stored = await ReviewStore(core(sandbox).db).by_number(config.guild(None).id, 1)
        assert stored is not None and stored.message_ids == (post.id,)


async def test_a_moderator_removes_a_post_whose_review_is_gone(sandbox: Sandbox) -> None:
    form = await sandbox.invoke("review write", {"anime": "Metallic Rouge"})
    assert form.modal is not None
    assert_clean(await sandbox.submit_modal(form, {"Title": "Kept", "Review": "Still stored."}))
    (post,) = await posts_in(sandbox, "general")
    stored = await sandbox.context_menu("Remove review post", post, user="mod")
    assert_clean(stored)
    assert stored.ephemeral and "`/review delete review: 1` removes both" in text_of(stored)
    assert not post.deleted
    # The review row goes (its post's deletion failed, or the bot stopped first): the post is left behind.
    await core(sandbox).db.execute("DELETE FROM review")
    removed = await sandbox.context_menu("Remove review post", post, user="mod")
    assert_clean(removed)
    assert removed.ephemeral and "Removed that post of review #1" in text_of(removed)
    assert post.deleted
    menu = next(c for c in sandbox.state.commands.visible_in(sandbox.config.guild(None).id)
                if c.name == "Remove review post")
    assert int(menu.payload["default_member_permissions"]) == 1 << 13  # Manage Messages: hidden from members


async def test_the_menu_refuses_messages_that_are_not_review_posts(sandbox: Sandbox) -> None:
    top = await sandbox.invoke("ratings top", {})
    assert top.message is not None
    result = await sandbox.context_menu("Remove review post", top.message, user="mod")
    assert_clean(result)
    assert "isn't one of my review posts" in text_of(result)
    assert not top.message.deleted

