"""No text lost: every failure after a member typed a review gives the text back as ``review-draft.txt``.

Refusals (a second review of a show, a cooldown) already did; these are the failures nobody planned for — the
database full (simulated with SQLite's ``max_page_count``; on PostgreSQL, triggers that fail every write to the
review tables with its own disk-full error) and any other exception — on submit and on edit.
"""

from __future__ import annotations

import sys

import pytest

from bot.reviews.service import ReviewService
from sandbox import InteractionResult, Sandbox
from tests.cogs.conftest import core, text_of

ROUGE = "Metallic Rouge"
# About 3,900 characters, 11 KB in UTF-8: more than fits in the pages the file has (a short one would).
LONG = "感想を丁寧に書きました。" * 325


async def fill_the_disk(sandbox: Sandbox) -> str:
    """From now on no write may grow the database: what the engine then says (SQLite's "database or disk is full",
    PostgreSQL's disk_full error, "No space left on device")."""
    db = core(sandbox).db
    if db.dialect == "postgresql":
        # PostgreSQL only: there is no page limit to lower, so every write to the review tables fails the way the
        # server's does when its disk is full (SQLSTATE 53100, disk_full).
        await db.execute(
            "CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
            "END $$; "
            + " ".join(f"CREATE TRIGGER test_disk_full BEFORE INSERT OR UPDATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION test_disk_full();"
                       for table in ("review", "review_counter", "review_message")))
        return "No space left on device"
    pages = int(await db.fetch_value("PRAGMA page_count"))
    await db.fetch_all(f"PRAGMA max_page_count = {pages}")  # SQLite only: a test's simulated full disk
    return "database or disk is full"


def assert_given_back(result: InteractionResult, *pieces: str) -> None:
    """The member got a private apology with every piece of their text in the attached draft."""
    assert result.acknowledged, result.label
    assert result.ephemeral, text_of(result)
    assert "something went wrong" in text_of(result)
    assert "Your text is attached" in text_of(result)
    message = result.messages[-1]
    draft = message.attachment("review-draft.txt").data.decode("utf-8")
    for piece in pieces:
        assert piece in draft


async def test_a_full_disk_on_submit_gives_the_text_back(sandbox: Sandbox) -> None:
    form = await sandbox.invoke("review write", {"anime": ROUGE})
    assert form.modal is not None
    full = await fill_the_disk(sandbox)
    done = await sandbox.submit_modal(form, {"Title": "My headline", "Review": LONG,
                                             "Content warnings (optional)": "gore"})
    assert_given_back(done, "My headline", LONG.strip(), "gore")
    assert any(full in line for line in done.errors), done.errors
    assert not [m for m in sandbox.channel_messages("general") if not m.ephemeral]  # nothing half-posted


async def test_a_full_disk_on_edit_gives_the_text_back(sandbox: Sandbox) -> None:
    form = await sandbox.invoke("review write", {"anime": ROUGE})
    assert form.modal is not None
    first = await sandbox.submit_modal(form, {"Title": "Short", "Review": "Short."})
    assert first.ok, first.errors
    (post,) = [m for m in sandbox.channel_messages("general") if not m.ephemeral]
    edit = await sandbox.invoke("review edit", {"review": 1})
    assert edit.modal is not None
    full = await fill_the_disk(sandbox)
    saved = await sandbox.submit_modal(edit, {"Title": "Longer now", "Review": LONG})
    assert_given_back(saved, "Longer now", LONG.strip())
    assert any(full in line for line in saved.errors), saved.errors
    assert post.edits == 0  # the post still shows what is stored


@pytest.mark.parametrize("step", ["create", "update"])
async def test_any_exception_gives_the_text_back(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
                                                 step: str) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug nobody foresaw")

    if step == "update":
        form = await sandbox.invoke("review write", {"anime": ROUGE})
        assert form.modal is not None
        assert (await sandbox.submit_modal(form, {"Title": "Short", "Review": "Short."})).ok
        form = await sandbox.invoke("review edit", {"review": 1})
    else:
        form = await sandbox.invoke("review write", {"anime": ROUGE})
    assert form.modal is not None
    monkeypatch.setattr(ReviewService, step, broken)
    done = await sandbox.submit_modal(form, {"Title": "Headline", "Review": "Every word of it."})
    assert_given_back(done, "Headline", "Every word of it.")
    assert any("a bug nobody foresaw" in line for line in done.errors), done.errors


async def test_a_failed_post_gives_the_text_back(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    # The module the running bot loaded (discord.py loads extensions afresh, so not necessarily an earlier import).
    views = sys.modules["cogs.reviews._views"]

    async def no_post(*args: object, **kwargs: object) -> list[int]:
        raise RuntimeError("the post could not be sent")

    monkeypatch.setattr(views, "post", no_post)
    form = await sandbox.invoke("review write", {"anime": ROUGE})
    assert form.modal is not None
    done = await sandbox.submit_modal(form, {"Title": "Headline", "Review": "Posted nowhere."})
    assert_given_back(done, "Posted nowhere.")
    monkeypatch.undo()
    # The stored review was taken back with the failed post: writing again works at once.
    form = await sandbox.invoke("review write", {"anime": ROUGE})
    assert form.modal is not None, text_of(form)
