"""/catalogue season: a season's titles from AniList, a few pages per run, progress shown, resumable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.anilist.seasons import current_season
from sandbox.errors import SandboxUsageError
from sandbox.results import InteractionResult
from tests.cogs.conftest import RunKansou, assert_clean, core, text_of
from tests.fakes.anilist_server import FakeAniList, RecordedRequest

SHOWS = 230  # five pages of 50


@pytest.fixture
async def fake_anilist() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as fake:
        for n in range(SHOWS):
            fake.add_anime(970000 + n, f"Autumn Show {n:03d}", year=2026, season="FALL", popularity=10_000 - n)
        fake.add_anime(975000, "Spring Show", year=2026, season="SPRING")
        yield fake


async def _final(result: InteractionResult) -> str:
    """The reply once the import has said its last word (progress edits come first; the message is live)."""
    for _ in range(200):
        text = text_of(result)
        if "in autocomplete now" in text or "Run the same command again" in text or "turned off" in text:
            return text
        await asyncio.sleep(0.05)
    raise AssertionError(f"the import never finished: {text_of(result)}")


def _pages(fake: FakeAniList) -> list[int]:
    return [int(r.variables["page"]) for r in fake.requests if r.kind == "SeasonTitles" and r.status == 200]


async def test_a_season_import_interrupted_then_resumed(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    def fail_the_third_page(record: RecordedRequest) -> None:
        if record.kind == "SeasonTitles" and fake_anilist.count("SeasonTitles") == 3:
            fake_anilist.fail_with("500", only="SeasonTitles")

    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        sandbox.set_moderator("mod")
        fake_anilist.on_request = fail_the_third_page
        first = await sandbox.invoke("catalogue season", {"year": 2026, "season": "FALL"}, user="mod")
        assert_clean(first)
        text = await _final(first)
        assert first.ephemeral and "Fall 2026" in text and "100 shows so far (page 2)" in text, text
        assert "AniList is not answering right now" in text and "Run the same command again" in text
        assert first.message is not None and first.message.edits >= 2, "progress shown by editing the reply"
        assert _pages(fake_anilist) == [1, 2]
        rows = await core(sandbox).db.fetch_value("SELECT COUNT(*) FROM title_index WHERE origin = 'season'")
        assert rows == 100
        fake_anilist.on_request = None
        fake_anilist.fail_with(None)
        second = await sandbox.invoke("catalogue season", {"year": 2026, "season": "FALL"}, user="mod")
        assert_clean(second)
        text = await _final(second)
        assert f"the titles of {SHOWS} shows are in autocomplete now" in text, text
        assert _pages(fake_anilist) == [1, 2, 3, 4, 5], "resumed at the page that failed"
        rows = await core(sandbox).db.fetch_value("SELECT COUNT(*) FROM title_index WHERE origin = 'season'")
        assert rows == SHOWS
        sent = fake_anilist.count()
        choices = await sandbox.autocomplete("rate", {"anime": "autumn show 012"}, focused="anime", user="bob")
        assert choices and choices[0].value == "anilist:970012", [c.name for c in choices]
        assert fake_anilist.count() == sent


async def test_one_run_takes_a_few_pages_of_the_budget(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        sandbox.set_moderator("mod")
        for n in range(SHOWS, 400):
            fake_anilist.add_anime(970000 + n, f"Autumn Show {n:03d}", year=2026, season="FALL", popularity=1)
        first = await sandbox.invoke("catalogue season", {"year": 2026, "season": "FALL"}, user="mod")
        text = await _final(first)
        assert "200 shows so far (page 4)" in text and "one run fetches a few pages" in text
        assert _pages(fake_anilist) == [1, 2, 3, 4]
        second = await sandbox.invoke("catalogue season", {"year": 2026, "season": "FALL"}, user="mod")
        assert "the titles of 400 shows" in await _final(second)
        assert _pages(fake_anilist) == [1, 2, 3, 4, 5, 6, 7, 8]


async def test_season_import_is_for_server_managers_and_needs_anilist(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou() as sandbox:
        sandbox.set_moderator("mod")
        off = await sandbox.invoke("catalogue season", {}, user="mod")
        assert off.ephemeral and "AniList is turned off" in await _final(off)
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        with pytest.raises(SandboxUsageError):  # Discord hides the command from members without Manage Server
            await sandbox.invoke("catalogue season", {}, user="bob")
        assert fake_anilist.count() == 0


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 1, 5), (2026, "WINTER")), (date(2026, 2, 28), (2026, "WINTER")), (date(2026, 3, 1), (2026, "SPRING")),
    (date(2026, 6, 30), (2026, "SUMMER")), (date(2026, 9, 1), (2026, "FALL")), (date(2026, 11, 30), (2026, "FALL")),
    (date(2026, 12, 1), (2027, "WINTER")),
])
def test_the_current_season_as_anilist_counts_it(today: date, expected: tuple[int, str]) -> None:
    assert current_season(today) == expected
