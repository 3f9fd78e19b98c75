"""/rate offers to mark the show finished in the member's progress (when it isn't), quick path and panel."""

from __future__ import annotations

from sandbox import Sandbox
from tests.cogs.conftest import assert_clean, core, text_of

ROUGE = "Metallic Rouge"


async def finished(sandbox: Sandbox, user: str) -> bool:
    member = sandbox.config.user(user).id
    return bool(await core(sandbox).db.fetch_value(
        "SELECT finished FROM progress WHERE member_id = ?", (member,)))


async def test_a_quick_rating_offers_to_mark_the_show_finished(sandbox: Sandbox) -> None:
    rated = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Music", "score": 4})
    assert_clean(rated)
    assert rated.message is not None
    pressed = await sandbox.click(rated.message, "Mark as finished")
    assert_clean(pressed)
    assert "Marked **Metallic Rouge** as finished in your `/progress`" in text_of(pressed)
    assert await finished(sandbox, "alice")
    again = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Story", "score": 5})
    assert_clean(again)
    assert again.message is not None and not again.message.buttons()  # finished already: no offer
    shown = await sandbox.invoke("progress show")
    assert "**Metallic Rouge** — finished (13 episodes)" in text_of(shown)


async def test_the_rating_panel_offers_it_too(sandbox: Sandbox) -> None:
    panel = await sandbox.invoke("rate", {"anime": ROUGE}, user="bob")
    assert_clean(panel)
    assert panel.message is not None
    pressed = await sandbox.click(panel.message, "Mark as finished", user="bob")
    assert_clean(pressed)
    assert await finished(sandbox, "bob")
    assert not await finished(sandbox, "alice")
