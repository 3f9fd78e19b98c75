"""Review rules against real SQLite: writing, numbering, one review per member per show per server, the
cooldown, spoiler scopes, what a reader who has watched ``n`` episodes sees in clear, who may edit or delete,
and isolation between servers. (What members read of a review: test_render.py.)"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.catalogue.models import Anime
from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.config import Settings
from bot.core.database import Database
from bot.errors import Forbidden, InvalidInput, NotFound, OnCooldown
from bot.reviews.models import EpisodeScope, Review, ReviewText
from bot.reviews.service import AlreadyReviewed, ReviewService
from bot.reviews.store import ReviewStore

GUILD_A = 1_000_000_000_000_001
GUILD_B = 1_000_000_000_000_002
CHANNEL = 2_000_000_000_000_001
ALICE = 3_000_000_000_000_001
BOB = 3_000_000_000_000_002
MOD = 3_000_000_000_000_003

HOSTILE = (
    "||spoiler|| end|| `code` ``` http://x|| https://example.com/a||b <https://x.y> [link](https://e.com) "
    "@everyone @here <@123456789012345678> <@!123456789012345678> <@&123456789012345678> <#123456789012345678> "
    "</review write:123456789012345678> :smile: <:e:123456789012345678> <t:1700000000> **bold** __u__ ~~s~~ "
    "\n# heading\n> quote\n>>> block\n- item\n1. item\n-# subtext\n\u200b\u200e\u202e\u2066reversed\u2069 "
    "\\|\\ \\`|| ||| |||| \U0001f600 末尾 \u0645\u0631\u062d\u0628\u0627"
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def review_service(db: Database, settings: Settings, **clocks: Any) -> ReviewService:
    """A review service on ``db``, built as the reviews cog builds it."""
    return ReviewService(ReviewStore(db), CatalogueService(CatalogueStore(db)), settings, **clocks)


def scope_header(review: Review) -> str:
    """The visible spoiler line of a review."""
    return review.scope_header


async def create(service: ReviewService, *, guild_id: int | None, channel_id: int | None, user_id: int, anime_id: int,
                 title: str, body: str, warnings: str | None = None, spoilers: bool = True,
                 through_episode: int | None = None) -> Review:
    """What submitting the form does: the options and the text parsed where they come in, then the service."""
    return await service.create(guild_id=guild_id, channel_id=channel_id, user_id=user_id, anime_id=anime_id,
                                text=ReviewText.parse(title, body, warnings),
                                scope=EpisodeScope.from_options(spoilers, through_episode))


async def check_can_write(service: ReviewService, guild_id: int, user_id: int, anime_id: int, *,
                          spoilers: bool = True, through_episode: int | None = None) -> Anime:
    """What /review write checks before the form opens."""
    return await service.start(guild_id, user_id, f"id:{anime_id}", EpisodeScope.from_options(spoilers,
                                                                                             through_episode))


async def update(service: ReviewService, review: Review, user_id: int, *, title: str, body: str,
                 warnings: str | None = None) -> Review:
    """What submitting the edit form does."""
    return await service.update(review, user_id, ReviewText.parse(title, body, warnings))


@pytest.fixture
async def bare_service(db: Database) -> ReviewService:
    """A service on an empty database, for the rules that need no rows."""
    return review_service(db, Settings())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def service(catalogue_db: Database, clock: Clock) -> ReviewService:
    return review_service(catalogue_db, Settings(review_cooldown=30.0), clock=clock, cooldown_clock=clock)


async def anime_id(db: Database, key: str) -> int:
    return int(await db.fetch_value("SELECT id FROM anime WHERE key = ?", (key,)))


@pytest.fixture
async def rouge(catalogue_db: Database) -> int:
    """Metallic Rouge: 13 episodes."""
    return await anime_id(catalogue_db, "metallic-rouge")


@pytest.fixture
async def takagi(catalogue_db: Database) -> int:
    """Teasing Master Takagi-san 3: 12 episodes."""
    return await anime_id(catalogue_db, "karakai-jouzu-no-takagi-san-3")


@pytest.fixture
async def crisis(catalogue_db: Database) -> int:
    """Too Cute Crisis: episode count unknown."""
    return await anime_id(catalogue_db, "kawaisugi-crisis")


async def write(service: ReviewService, clock: Clock, anime: int, *, guild: int = GUILD_A, user: int = ALICE,
                **overrides: Any) -> Review:
    """Create a review, then move the clock past the cooldown."""
    fields: dict[str, Any] = {"title": "My take", "body": "It was good.", "warnings": None, "spoilers": True,
                              "through_episode": None}
    fields.update(overrides)
    review = await create(service, guild_id=guild, channel_id=CHANNEL, user_id=user, anime_id=anime, **fields)
    clock.now += 60
    return review


# -- writing -------------------------------------------------------------------------------------------


async def test_create_then_get_round_trips(service: ReviewService, clock: Clock, rouge: int) -> None:
    review = await write(service, clock, rouge, title="  Rouge  ", body="\n Good show. \n", warnings=" gore ",
                         through_episode=7)
    assert review.number == 1
    assert (review.title, review.body, review.warnings) == ("Rouge", "Good show.", "gore")
    assert (review.spoilers, review.through_episode, review.anime_episodes) == (True, 7, 13)
    assert (review.created_at, review.edited_at) == (1000.0, None)
    assert await service.get(GUILD_A, 1) == review
    assert scope_header(review) == "Spoilers through episode 7"


async def test_numbers_are_per_server(service: ReviewService, clock: Clock, rouge: int, takagi: int) -> None:
    assert (await write(service, clock, rouge)).number == 1
    assert (await write(service, clock, takagi)).number == 2
    assert (await write(service, clock, rouge, guild=GUILD_B)).number == 1
    assert (await write(service, clock, rouge, user=BOB)).number == 3


async def test_one_review_per_member_per_show_per_server(
    service: ReviewService, clock: Clock, rouge: int, takagi: int
) -> None:
    first = await write(service, clock, rouge)
    with pytest.raises(AlreadyReviewed) as refused:
        await check_can_write(service, GUILD_A, ALICE, rouge)
    assert refused.value.review == first and "#1" in str(refused.value)
    with pytest.raises(AlreadyReviewed):
        await write(service, clock, rouge, title="Again", spoilers=False)
    # Another show, another member, another server: all fine.
    assert (await check_can_write(service, GUILD_A, ALICE, takagi)).id == takagi
    assert (await check_can_write(service, GUILD_A, BOB, rouge)).id == rouge
    assert (await check_can_write(service, GUILD_B, ALICE, rouge)).id == rouge


async def test_cooldown_applies_to_successful_posts_only(
    service: ReviewService, clock: Clock, rouge: int, takagi: int, crisis: int
) -> None:
    # Opening the form (check_can_write) and a refused submission start no cooldown.
    await check_can_write(service, GUILD_A, ALICE, rouge)
    await check_can_write(service, GUILD_A, ALICE, rouge)
    with pytest.raises(InvalidInput):
        await create(service, guild_id=GUILD_A, channel_id=CHANNEL, user_id=ALICE, anime_id=rouge, title="", body="x")
    await create(service, guild_id=GUILD_A, channel_id=CHANNEL, user_id=ALICE, anime_id=rouge, title="t", body="b")
    clock.now += 10
    with pytest.raises(OnCooldown, match="try again in 20 s") as early:
        await check_can_write(service, GUILD_A, ALICE, takagi)
    assert early.value.retry_after == pytest.approx(20.0)
    with pytest.raises(OnCooldown):
        await create(service, guild_id=GUILD_A, channel_id=CHANNEL, user_id=ALICE, anime_id=takagi, title="t", body="b")
    # Someone else, or the same member in another server, is not held up.
    await create(service, guild_id=GUILD_A, channel_id=CHANNEL, user_id=BOB, anime_id=takagi, title="t", body="b")
    await create(service, guild_id=GUILD_B, channel_id=CHANNEL, user_id=ALICE, anime_id=takagi, title="t", body="b")
    clock.now += 20
    second = await create(service,
        guild_id=GUILD_A, channel_id=CHANNEL, user_id=ALICE, anime_id=takagi, title="t", body="b"
    )
    # A review that could not be posted is discarded and does not count.
    await service.discard(second)
    assert await service.for_anime(GUILD_A, takagi, ALICE) == []
    await create(service, guild_id=GUILD_A, channel_id=CHANNEL, user_id=ALICE, anime_id=crisis, title="t", body="b")


@pytest.mark.parametrize(
    ("key", "spoilers", "through", "error"),
    [
        ("metallic-rouge", True, 0, "between 1 and 13"),
        ("metallic-rouge", True, 14, "between 1 and 13"),
        ("metallic-rouge", True, -3, "between 1 and 13"),
        ("metallic-rouge", False, 3, "only goes with spoilers"),
        ("metallic-rouge", False, 1, "only goes with spoilers"),
        ("kawaisugi-crisis", True, 0, "at least 1"),
        ("kawaisugi-crisis", False, 5, "only goes with spoilers"),
    ],
)
async def test_bad_through_episode_is_refused(
    service: ReviewService, catalogue_db: Database, key: str, spoilers: bool, through: int, error: str
) -> None:
    anime = await anime_id(catalogue_db, key)
    with pytest.raises(InvalidInput, match=error):
        await check_can_write(service, GUILD_A, ALICE, anime, spoilers=spoilers, through_episode=through)
    with pytest.raises(InvalidInput, match=error):
        await create(service, guild_id=GUILD_A, channel_id=CHANNEL, user_id=ALICE, anime_id=anime, title="t",
                             body="b", spoilers=spoilers, through_episode=through)
    assert await service.for_anime(GUILD_A, anime) == []


async def test_good_through_episode_is_accepted(service: ReviewService, clock: Clock, rouge: int, crisis: int) -> None:
    assert (await write(service, clock, rouge, through_episode=1)).through_episode == 1
    last = await write(service, clock, rouge, user=BOB, through_episode=13)
    assert last.whole_series and scope_header(last) == "Spoilers: whole series"
    # With the episode count unknown, any episode from 1 up is fine.
    assert (await write(service, clock, crisis, through_episode=400)).through_episode == 400
    assert scope_header(await write(service, clock, crisis, user=BOB, spoilers=False)) == "Spoiler-free"


async def test_unknown_show_is_not_found(service: ReviewService) -> None:
    with pytest.raises(NotFound):
        await check_can_write(service, GUILD_A, ALICE, 999_999)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": ""}, "title"),
        ({"title": "   \n "}, "title"),
        ({"title": "\u200b\u200e\u2066"}, "title"),  # invisible characters only
        ({"title": "x" * 101}, "101 characters"),
        ({"body": ""}, "empty"),
        ({"body": " \n\t "}, "empty"),
        ({"body": "\u200b\u202e\ufeff"}, "empty"),
        ({"body": "x" * 4001}, "4001 characters"),
        ({"warnings": "w" * 301}, "301 characters"),
    ],
)
async def test_bad_text_is_refused(service: ReviewService, rouge: int, fields: dict[str, str], error: str) -> None:
    text = {"title": "Title", "body": "Body"} | fields
    with pytest.raises(InvalidInput, match=error):
        await create(service, guild_id=GUILD_A, channel_id=CHANNEL, user_id=ALICE, anime_id=rouge,
                             title=text["title"], body=text["body"], warnings=text.get("warnings"))
    assert await service.for_anime(GUILD_A, rouge) == []


async def test_limits_are_inclusive(service: ReviewService, clock: Clock, rouge: int) -> None:
    review = await write(service, clock, rouge, title="t" * 100, body="b" * 4000, warnings="w" * 300)
    assert (len(review.title), len(review.body), len(review.warnings or "")) == (100, 4000, 300)
    # Surrounding whitespace does not count against the limit.
    edited = await update(service, review, ALICE, title=" t ", body="\n" + "c" * 4000 + "\n  ", warnings="  ")
    assert (len(edited.body), edited.warnings) == (4000, None)


async def test_hostile_text_round_trips(service: ReviewService, clock: Clock, rouge: int) -> None:
    body = (HOSTILE * 20)[:4000].strip()
    review = await write(service, clock, rouge, title=HOSTILE[:100].strip(), body=body, warnings=HOSTILE[:300].strip())
    stored = await service.get(GUILD_A, review.number)
    assert (stored.title, stored.body, stored.warnings) == (HOSTILE[:100].strip(), body, HOSTILE[:300].strip())


# -- reading -------------------------------------------------------------------------------------------


async def test_for_anime_newest_first_with_author_filter(
    service: ReviewService, clock: Clock, rouge: int, takagi: int
) -> None:
    old = await write(service, clock, rouge)
    new = await write(service, clock, rouge, user=BOB)
    other_show = await write(service, clock, takagi)
    await write(service, clock, rouge, guild=GUILD_B, user=MOD)
    assert [r.id for r in await service.for_anime(GUILD_A, rouge)] == [new.id, old.id]
    assert [r.id for r in await service.for_anime(GUILD_A, rouge, BOB)] == [new.id]
    assert [r.id for r in await service.by_author(GUILD_A, ALICE)] == [other_show.id, old.id]


async def test_attach_messages(service: ReviewService, clock: Clock, rouge: int) -> None:
    review = await write(service, clock, rouge)
    attached = await service.attach_messages(review.id, CHANNEL + 1, [11, 12])
    assert (attached.channel_id, attached.message_ids) == (CHANNEL + 1, (11, 12))
    assert (await service.get(GUILD_A, review.number)).message_ids == (11, 12)
    with pytest.raises(ValueError):
        await service.attach_messages(review.id, CHANNEL, [])


def scoped(episodes: int | None, spoilers: bool, through: int | None) -> Review:
    return Review(id=1, guild_id=GUILD_A, number=1, anime_id=1, anime_title="Show", anime_episodes=episodes,
                  author_id=ALICE, channel_id=CHANNEL, title="t", body="b", warnings=None, spoilers=spoilers,
                  through_episode=through, created_at=0.0, edited_at=None)


@pytest.mark.parametrize(
    ("episodes", "spoilers", "through", "watched", "hidden"),
    [
        # Spoiler-free: always in clear.
        (13, False, None, None, False),
        (13, False, None, 0, False),
        (None, False, None, 5, False),
        # Spoilers through episode 7: hidden below 7, in clear at or above.
        (13, True, 7, None, True),
        (13, True, 7, 0, True),
        (13, True, 7, 6, True),
        (13, True, 7, 7, False),
        (13, True, 7, 8, False),
        # The whole series: in clear once every episode is watched.
        (13, True, None, 12, True),
        (13, True, None, 13, False),
        (13, True, None, 20, False),
        (13, True, 13, 12, True),
        (13, True, 13, 13, False),
        # The whole series of a show whose length is unknown: never provably watched.
        (None, True, None, 500, True),
        (None, True, 30, 29, True),
        (None, True, 30, 30, False),
    ],
)
def test_visible_body(
    bare_service: ReviewService, episodes: int | None, spoilers: bool, through: int | None, watched: int | None,
    hidden: bool
) -> None:
    is_hidden, note = bare_service.visible_body(scoped(episodes, spoilers, through), watched)
    assert is_hidden is hidden
    if not spoilers:
        assert note is None
    else:
        assert note is not None and note.startswith("Hidden" if hidden else "Shown in clear")
        if through is not None and (episodes is None or through < episodes):
            assert f"episode {through}" in note
        else:
            assert "whole series" in note


def test_negative_watched_is_refused(bare_service: ReviewService) -> None:
    with pytest.raises(InvalidInput):
        bare_service.visible_body(scoped(13, True, 3), -1)


# -- editing and deleting ------------------------------------------------------------------------------


async def test_author_edits_and_edited_at_is_set(service: ReviewService, clock: Clock, rouge: int) -> None:
    review = await write(service, clock, rouge, through_episode=4, warnings="cw")
    await service.attach_messages(review.id, CHANNEL, [5])
    review = await service.get(GUILD_A, review.number)
    clock.now = 5_000.0
    edited = await update(service, review, ALICE, title="New title", body="New body", warnings=None)
    assert (edited.title, edited.body, edited.warnings, edited.edited_at) == ("New title", "New body", None, 5000.0)
    assert (edited.number, edited.created_at, edited.through_episode, edited.message_ids) == (
        review.number, review.created_at, 4, (5,))
    with pytest.raises(InvalidInput):
        await update(service, edited, ALICE, title="ok", body="   ")


async def test_only_the_author_edits(service: ReviewService, clock: Clock, rouge: int) -> None:
    review = await write(service, clock, rouge)
    service.check_can_edit(review, ALICE)
    for user in (BOB, MOD):
        with pytest.raises(Forbidden):
            service.check_can_edit(review, user)
        with pytest.raises(Forbidden):
            await update(service, review, user, title="Mine now", body="x")
    assert (await service.get(GUILD_A, review.number)).title == "My take"


async def test_delete_permissions(service: ReviewService, clock: Clock, rouge: int, takagi: int) -> None:
    mine = await write(service, clock, rouge)
    other = await write(service, clock, takagi)
    service.check_can_delete(mine, ALICE, False)
    service.check_can_delete(mine, MOD, True)
    with pytest.raises(Forbidden):
        service.check_can_delete(mine, BOB, False)
    with pytest.raises(Forbidden):
        await service.delete(mine, BOB, False)
    assert (await service.delete(mine, ALICE, False)).id == mine.id
    assert (await service.delete(other, MOD, True)).id == other.id
    with pytest.raises(NotFound):
        await service.get(GUILD_A, mine.number)
    with pytest.raises(NotFound):
        await service.delete(mine, ALICE, False)
    # The author may write about that show again, and gets a new number.
    assert (await write(service, clock, rouge)).number == 3


async def test_other_servers_cannot_see_or_touch_a_review(service: ReviewService, clock: Clock, rouge: int) -> None:
    review = await write(service, clock, rouge)
    with pytest.raises(NotFound):
        await service.get(GUILD_B, review.number)
    with pytest.raises(NotFound):
        await service.by_id(GUILD_B, review.id)
    assert await service.for_anime(GUILD_B, rouge) == []
    assert await service.by_author(GUILD_B, ALICE) == []
    with pytest.raises(NotFound):
        await service.get(GUILD_A, 0)
    # A forged review object from another server changes nothing.
    forged = replace(review, guild_id=GUILD_B)
    with pytest.raises(NotFound):
        await update(service, forged, ALICE, title="x", body="y")
    with pytest.raises(NotFound):
        await service.delete(forged, ALICE, True)
    assert (await service.get(GUILD_A, review.number)).title == "My take"
