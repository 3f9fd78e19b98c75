"""One member cannot spend the whole bot's AniList budget (issue 12, item 9), through the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.anilist.client import DEFAULT_MEMBER_PER_MINUTE
from tests.cogs.conftest import RunKansou, assert_clean, text_of
from tests.fakes.anilist_server import MULTI_PERSON_NAME, FakeAniList


@pytest.fixture
async def fake() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as server:
        yield server


async def test_a_member_who_used_their_share_is_told_privately_and_others_are_not_held_up(
    run_kansou: RunKansou, fake: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake.url) as sandbox:
        # Each name AniList does not know costs one request (a search that finds nothing).
        for n in range(DEFAULT_MEMBER_PER_MINUTE):
            miss = await sandbox.invoke("person", {"name": f"Nobody Anyone Knows Qzx {n}"})
            assert_clean(miss)
            assert "AniList doesn't know it either" in text_of(miss), text_of(miss)
        sent = fake.count()
        assert sent == DEFAULT_MEMBER_PER_MINUTE
        refused = await sandbox.invoke("person", {"name": MULTI_PERSON_NAME})
        assert_clean(refused)
        assert refused.ephemeral and [m.ephemeral for m in refused.messages] == [True]
        text = text_of(refused).strip()
        assert "AniList has had your share of look-ups for now; try again in" in text, text
        assert fake.count() == sent  # refused before anything was sent
        # Another member of the same server still gets AniList at once.
        other = await sandbox.invoke("person", {"name": MULTI_PERSON_NAME}, user="bob")
        assert_clean(other)
        assert not other.ephemeral and MULTI_PERSON_NAME in text_of(other)
        assert fake.count() > sent
        # What is already in the catalogue costs nothing, so the member who used their share still gets it.
        local = await sandbox.invoke("person", {"name": MULTI_PERSON_NAME})
        assert_clean(local)
        assert not local.ephemeral and MULTI_PERSON_NAME in text_of(local)


async def test_stale_data_is_served_when_the_members_share_is_used_up(
    run_kansou: RunKansou, fake: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake.url, anilist_max_age_days=0.0) as sandbox:  # always stale
        first = await sandbox.invoke("person", {"name": MULTI_PERSON_NAME}, user="bob")
        assert_clean(first)
        for n in range(DEFAULT_MEMBER_PER_MINUTE):
            assert_clean(await sandbox.invoke("person", {"name": f"Nobody Anyone Knows Qzx {n}"}))
        sent = fake.count()
        again = await sandbox.invoke("person", {"name": MULTI_PERSON_NAME})
        assert_clean(again)
        assert not again.ephemeral and MULTI_PERSON_NAME in text_of(again)  # what is stored, not an error
        assert fake.count() == sent
