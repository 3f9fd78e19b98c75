"""Any show on demand: /rate, /ratings show, /review write|read and /credits on a show only AniList knows.

End to end: the real bot and discord.py client, the Discord stand-in, and the fake AniList over loopback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox import Sandbox
from sandbox.results import InteractionResult
from tests.cogs.conftest import RunKansou, assert_clean, core, text_of
from tests.fakes.anilist_server import SECOND_SHOW_ID, SECOND_SHOW_TITLE, FakeAniList

TWIN_TITLE = "Kagerou Relay"
TWIN_TV_ID = 960001
TWIN_MOVIE_ID = 960002


@pytest.fixture
async def fake_anilist() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as fake:
        # A series and its movie under the same title: AniList's answer is ambiguous.
        fake.add_anime(TWIN_TV_ID, TWIN_TITLE, format="TV", year=2021, episodes=12, popularity=50)
        fake.add_anime(TWIN_MOVIE_ID, TWIN_TITLE, format="MOVIE", year=2023, episodes=1, popularity=40)
        yield fake


async def _shows(sandbox: Sandbox, anilist_id: int) -> int:
    return int(await core(sandbox).db.fetch_value("SELECT COUNT(*) FROM anime WHERE anilist_id = ?", (anilist_id,)))


async def _ratings(sandbox: Sandbox) -> int:
    return int(await core(sandbox).db.fetch_value("SELECT COUNT(*) FROM rating"))


def _private(result: InteractionResult) -> str:
    assert_clean(result)
    assert result.messages and all(m.ephemeral for m in result.messages), result.messages
    return text_of(result)


async def test_rate_a_show_only_anilist_knows_then_locally(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        assert await _shows(sandbox, SECOND_SHOW_ID) == 0
        result = await sandbox.invoke("rate", {"anime": SECOND_SHOW_TITLE, "category": "story", "score": 4})
        text = _private(result)
        assert result.deferred, "deferred while AniList was asked"
        assert "“Impressions Academy” came from AniList just now" in text, text
        assert fake_anilist.count("SearchAnime") == 1 and fake_anilist.count("FetchAnime") >= 1
        assert await _shows(sandbox, SECOND_SHOW_ID) == 1
        assert await _ratings(sandbox) == 1
        # The same show afterwards: served from the catalogue, AniList not asked again, nobody told it was.
        sent = fake_anilist.count()
        again = await sandbox.invoke("rate", {"anime": SECOND_SHOW_TITLE, "category": "music", "score": 3},
                                     user="bob")
        text = _private(again)
        assert not again.deferred and "came from AniList" not in text
        assert fake_anilist.count() == sent
        shown = await sandbox.invoke("ratings show", {"anime": SECOND_SHOW_TITLE})
        assert_clean(shown)
        assert "Impressions Academy" in text_of(shown) and fake_anilist.count() == sent


async def test_the_rating_panel_opens_for_a_show_fetched_just_now(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        result = await sandbox.invoke("rate", {"anime": SECOND_SHOW_TITLE})
        assert_clean(result)
        assert result.ephemeral and result.message is not None
        assert any("came from AniList just now" in t for t in result.message.text_displays())
        picked = await sandbox.select(result.message, "rate:story", "4.5")
        assert_clean(picked)
        assert await _ratings(sandbox) == 1


async def test_review_write_on_a_show_only_anilist_knows(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        offer = await sandbox.invoke("review write", {"anime": SECOND_SHOW_TITLE})
        text = _private(offer)
        assert offer.modal is None and offer.message is not None
        assert "came from AniList just now" in text and "Press the button" in text
        form = await sandbox.click(offer.message, "Write my review")
        assert_clean(form)
        assert form.modal is not None
        posted = await sandbox.submit_modal(form, {"Title": "Fresh", "Review": "Loved the relay arc."})
        assert_clean(posted)
        count = await core(sandbox).db.fetch_value("SELECT COUNT(*) FROM review")
        assert count == 1
        # The next member's form opens at once: the show is local now.
        sent = fake_anilist.count()
        direct = await sandbox.invoke("review write", {"anime": SECOND_SHOW_TITLE}, user="bob")
        assert_clean(direct)
        assert direct.modal is not None and fake_anilist.count() == sent
        read = await sandbox.invoke("review read", {"anime": SECOND_SHOW_TITLE})
        assert_clean(read)
        assert "Fresh" in text_of(read) and fake_anilist.count() == sent


async def test_review_read_and_credits_on_a_show_only_anilist_knows(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        read = await sandbox.invoke("review read", {"anime": SECOND_SHOW_TITLE})
        text = _private(read)
        assert "Nobody in this server has reviewed" in text and "came from AniList just now" in text
        credits = await sandbox.invoke("credits", {"anime": TWIN_TITLE}, user="bob")
        assert_clean(credits)
        assert credits.messages and credits.messages[0].ephemeral, "ambiguous on AniList: private choices"


async def test_an_ambiguous_anilist_title_gets_choices_never_a_guess(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        result = await sandbox.invoke("rate", {"anime": TWIN_TITLE, "category": "story", "score": 5})
        text = _private(result)
        assert "AniList knows several shows" in text, text
        assert fake_anilist.count("FetchAnime") == 0, "nothing fetched before the member picks"
        assert await _shows(sandbox, TWIN_TV_ID) == 0 and await _shows(sandbox, TWIN_MOVIE_ID) == 0
        assert await _ratings(sandbox) == 0
        (menu,) = result.messages
        picked = await sandbox.select(menu, 1, [f"{TWIN_TITLE} · 2023 · Movie"])
        text = _private(picked)
        assert "came from AniList just now" in text, text
        assert await _shows(sandbox, TWIN_MOVIE_ID) == 1 and await _shows(sandbox, TWIN_TV_ID) == 0
        assert await _ratings(sandbox) == 1


@pytest.mark.parametrize(("mode", "says"), [
    ("500", "AniList is not answering right now"),
    ("429", "AniList is rate limiting us"),
    ("hang", "AniList"),
])
async def test_anilist_failing_is_a_private_answer_and_nothing_is_written(
    run_kansou: RunKansou, fake_anilist: FakeAniList, mode: str, says: str
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url, anilist_timeout=1.0) as sandbox:
        fake_anilist.fail_with(mode, hang=30.0)  # type: ignore[arg-type]  # one of the modes, parametrised
        attempts: list[tuple[str, dict[str, object]]] = [
            ("rate", {"anime": SECOND_SHOW_TITLE, "category": "story", "score": 4}),
            ("review write", {"anime": SECOND_SHOW_TITLE}),
            ("review read", {"anime": SECOND_SHOW_TITLE}),
            ("ratings show", {"anime": SECOND_SHOW_TITLE}),
        ]
        for command, options in attempts:
            result = await sandbox.invoke(command, options)
            text = _private(result)
            assert says in text and "came from AniList" not in text, (command, text)
            assert result.modal is None
        assert await _shows(sandbox, SECOND_SHOW_ID) == 0
        assert await _ratings(sandbox) == 0
        assert await core(sandbox).db.fetch_value("SELECT COUNT(*) FROM review") == 0


async def test_with_anilist_off_a_missing_show_says_how_to_add_it(run_kansou: RunKansou) -> None:
    async with run_kansou() as sandbox:
        result = await sandbox.invoke("rate", {"anime": SECOND_SHOW_TITLE, "category": "story", "score": 4})
        text = _private(result)
        assert "couldn't find" in text.lower() and not result.deferred


async def test_credits_say_which_voices_are_stored(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        fetched = await sandbox.invoke("credits", {"anime": SECOND_SHOW_TITLE})
        assert_clean(fetched)
        (embed, *_) = fetched.embeds
        assert embed.footer.text is not None and "fetched from AniList just now" in embed.footer.text
        english = await sandbox.invoke("credits", {"anime": "Hoshizora Relay!"})
        assert_clean(english)
        footer = english.embeds[0].footer.text or ""
        assert "voices stored: Japanese, English" in footer and "just now" in footer, footer
        again = await sandbox.invoke("credits", {"anime": "Hoshizora Relay!"})
        assert "just now" not in (again.embeds[0].footer.text or "")
