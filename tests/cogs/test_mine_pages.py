"""/ratings mine a page at a time end to end: ten shows a page by key, at the first and last page, and with a
show forgotten while the member pages."""

from __future__ import annotations

from sandbox import Sandbox, SandboxMessage
from tests.cogs.conftest import assert_clean, text_of
from tests.cogs.test_ratings import rate_all

FIRST, PREVIOUS, NEXT, LAST = 1, 2, 3, 4
SHOWS = range(2, 25)  # 23 shows: pages of 10, 10 and 3


def lines(message: SandboxMessage) -> list[str]:
    """The shows listed on the page shown."""
    (embed,) = message.embed_objects()
    return (embed.description or "").splitlines()


def footer(message: SandboxMessage) -> str:
    """The footer of the page shown."""
    (embed,) = message.embed_objects()
    return embed.footer.text or ""


async def test_mine_pages_at_both_ends_and_past_a_forgotten_show(sandbox: Sandbox) -> None:
    await rate_all(sandbox, [("alice", f"id:{show}", {"story": 4}) for show in SHOWS])
    result = await sandbox.invoke("ratings mine", user="alice")
    assert_clean(result)
    message = result.message
    assert message is not None
    assert footer(message) == "Page 1/3 · 23 shows · 23 scores" and len(lines(message)) == 10
    assert [not b.get("disabled") for b in message.buttons()] == [False, False, True, True]
    first_page = lines(message)
    last = await sandbox.click(message, LAST, user="alice")
    assert_clean(last)
    assert footer(message).startswith("Page 3/3") and len(lines(message)) == 3
    assert [not b.get("disabled") for b in message.buttons()] == [True, True, False, False]
    back = await sandbox.click(message, PREVIOUS, user="alice")
    assert_clean(back)
    assert footer(message).startswith("Page 2/3") and len(lines(message)) == 10
    second_page = lines(message)
    assert not set(first_page) & set(second_page)
    # A show of the first page is forgotten meanwhile: the pages close up, nothing is listed twice or lost.
    title = first_page[0].split("**")[1].replace("\\", "")
    assert_clean(await sandbox.invoke("ratings forget", {"anime": title}, user="alice"))
    start = await sandbox.click(message, FIRST, user="alice")
    assert_clean(start)
    assert footer(message) == "Page 1/3 · 22 shows · 22 scores"
    assert lines(message) == [*first_page[1:], second_page[0]]
    turned = await sandbox.click(message, NEXT, user="alice")
    assert_clean(turned)
    assert footer(message).startswith("Page 2/3")
    assert title not in text_of(turned)
