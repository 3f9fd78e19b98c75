"""/review read's stateless page buttons end to end: keyset pages at their boundaries, deletions while reading,
presses by someone else, and presses after the bot restarted (a second bot on the same database and message)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.ui.client import KansouBot
from sandbox import Sandbox, SandboxMessage, serving_sandbox
from sandbox.kansou import kansou_bot_factory
from sandbox.limits import FLAG_EPHEMERAL
from tests.cogs.conftest import TEST_SETTINGS, assert_clean, text_of
from tests.cogs.test_reviews import ROUGE, write

FIRST, PREVIOUS, NEXT, LAST = 1, 2, 3, 4  # the buttons, by position


def footer(message: SandboxMessage) -> str:
    """The footer of the page shown."""
    (embed,) = message.embed_objects()
    return embed.footer.text or ""


def enabled(message: SandboxMessage) -> list[bool]:
    """Which of the four buttons can be pressed."""
    return [not button.get("disabled") for button in message.buttons()]


async def three_reviews(sandbox: Sandbox) -> None:
    """#1 by alice, #2 by bob, #3 by carol (so carol's is the newest)."""
    for user in ("alice", "bob", "carol"):
        assert_clean(await write(sandbox, f"{user.title()} wrote this.", user=user, spoilers=False))


async def read(sandbox: Sandbox, user: str = "dave", **options: object) -> SandboxMessage:
    """Run /review read of ROUGE; the (ephemeral) message with its pages."""
    result = await sandbox.invoke("review read", {"anime": ROUGE, **options}, user=user)
    assert_clean(result)
    assert result.message is not None
    return result.message


async def test_the_first_and_the_last_page(sandbox: Sandbox) -> None:
    await three_reviews(sandbox)
    message = await read(sandbox)
    assert footer(message).startswith("Review 1 of 3 · #3")
    assert enabled(message) == [False, False, True, True]
    last = await sandbox.click(message, LAST, user="dave")
    assert_clean(last)
    assert footer(message).startswith("Review 3 of 3 · #1") and "Alice wrote this." in text_of(last)
    assert enabled(message) == [True, True, False, False]
    back = await sandbox.click(message, PREVIOUS, user="dave")
    assert_clean(back)
    assert footer(message).startswith("Review 2 of 3 · #2")
    assert enabled(message) == [True, True, True, True]
    first = await sandbox.click(message, FIRST, user="dave")
    assert_clean(first)
    assert footer(message).startswith("Review 1 of 3 · #3") and "Carol wrote this." in text_of(first)
    # Every button's custom_id fits Discord's 100 characters and holds the page, not a reference to memory.
    assert all(len(b["custom_id"]) <= 100 and b["custom_id"].startswith("pg:rv:") for b in message.buttons())
    bot = sandbox.bot
    assert isinstance(bot, KansouBot) and bot.persistent_views == []


async def test_a_single_review_has_no_buttons(sandbox: Sandbox) -> None:
    assert_clean(await write(sandbox, "Only one.", spoilers=False))
    message = await read(sandbox)
    assert footer(message).startswith("Review 1 of 1 · #1")
    assert message.buttons() == []


async def test_a_long_review_pages_part_by_part_both_ways(sandbox: Sandbox) -> None:
    assert_clean(await write(sandbox, "Short and older.", user="bob", spoilers=False))
    assert_clean(await write(sandbox, "|" * 4000, user="alice"))  # the newest: several parts
    message = await read(sandbox)
    assert "part 1 of " in footer(message)
    parts = int(footer(message).split("part 1 of ")[1].split()[0])
    assert parts >= 2
    for part in range(2, parts + 1):
        assert_clean(await sandbox.click(message, NEXT, user="dave"))
        assert f"Review 1 of 2 · #2 · part {part} of {parts}" in footer(message)
    assert_clean(await sandbox.click(message, NEXT, user="dave"))
    assert footer(message).startswith("Review 2 of 2 · #1")
    # Going back lands on the long review's last part, then walks its parts backwards.
    assert_clean(await sandbox.click(message, PREVIOUS, user="dave"))
    assert f"part {parts} of {parts}" in footer(message)
    assert_clean(await sandbox.click(message, PREVIOUS, user="dave"))
    assert f"part {parts - 1} of {parts}" in footer(message)


async def test_reviews_deleted_while_someone_pages(sandbox: Sandbox) -> None:
    await three_reviews(sandbox)
    message = await read(sandbox)
    assert footer(message).startswith("Review 1 of 3 · #3")
    # The next review is deleted: Next skips to the one after it, and the count follows.
    assert_clean(await sandbox.invoke("review delete", {"review": 2}, user="bob"))
    turned = await sandbox.click(message, NEXT, user="dave")
    assert_clean(turned)
    assert footer(message).startswith("Review 2 of 2 · #1")
    assert enabled(message) == [True, True, False, False]
    # The review on screen is deleted: Previous finds the one before it all the same.
    assert_clean(await sandbox.invoke("review delete", {"review": 1}, user="alice"))
    back = await sandbox.click(message, PREVIOUS, user="dave")
    assert_clean(back)
    assert footer(message).startswith("Review 1 of 1 · #3")
    assert message.buttons() == []  # one review left: nothing to turn


async def test_every_review_deleted_while_paging(sandbox: Sandbox) -> None:
    await three_reviews(sandbox)
    message = await read(sandbox)
    for number, author in ((3, "carol"), (2, "bob"), (1, "alice")):
        assert_clean(await sandbox.invoke("review delete", {"review": number}, user=author))
    gone = await sandbox.click(message, NEXT, user="dave")
    assert_clean(gone)
    assert "have been deleted" in (message.content or "")
    assert message.embed_objects() == [] and message.buttons() == []


async def test_a_member_who_did_not_ask_is_refused(sandbox: Sandbox) -> None:
    await three_reviews(sandbox)
    message = await read(sandbox, user="dave")
    message.flags &= ~FLAG_EPHEMERAL  # as if bob could see it (an ephemeral message is dave's alone)
    try:
        stranger = await sandbox.click(message, NEXT, user="bob")
    finally:
        message.flags |= FLAG_EPHEMERAL
    assert_clean(stranger)
    assert stranger.ephemeral and "run it yourself" in text_of(stranger)
    assert footer(message).startswith("Review 1 of 3")  # the page did not turn


@asynccontextmanager
async def kansou_on(sandbox: Sandbox, db_path: Path) -> AsyncIterator[KansouBot]:
    """The real bot on ``db_path``, connected to ``sandbox`` for the duration."""
    endpoints = sandbox.server.endpoints
    async with kansou_bot_factory(TEST_SETTINGS, db_path)(endpoints) as bot:
        assert isinstance(bot, KansouBot)
        task = asyncio.create_task(bot.start(endpoints.token))
        sandbox.bots = [bot]
        try:
            await sandbox.wait_until_connected(timeout=10.0)
            yield bot
        finally:
            await bot.close()
            await asyncio.wait_for(task, 10.0)
            sandbox.bots = []
            for _ in range(400):  # until the stand-in saw the connection close (bounded; nothing timed)
                if not sandbox.server.gateway.connected_shards:
                    break
                await asyncio.sleep(0.01)


async def test_buttons_work_after_a_restart(tmp_path: Path, catalogue_template: Path) -> None:
    db_path = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    async with serving_sandbox() as sandbox:
        async with kansou_on(sandbox, db_path):
            await three_reviews(sandbox)
            message = await read(sandbox)
            assert_clean(await sandbox.click(message, NEXT, user="dave"))
            assert footer(message).startswith("Review 2 of 3 · #2")
        assert not sandbox.server.gateway.connected_shards
        async with kansou_on(sandbox, db_path) as second:
            assert second.user is not None
            turned = await sandbox.click(message, NEXT, user="dave")  # the message the first bot sent
            assert_clean(turned)
            assert footer(message).startswith("Review 3 of 3 · #1") and "Alice wrote this." in text_of(turned)
            first = await sandbox.click(message, FIRST, user="dave")
            assert_clean(first)
            assert footer(message).startswith("Review 1 of 3 · #3")
