"""/rate and /ratings end to end: the real client, bot and database, with Discord's rules checked by the stand-in.

A member rates one category at once (``/rate anime category score``) or several from the rating panel (``/rate
anime``: a menu per category, each pick saved at once); the helpers below send ratings both ways.
"""

from __future__ import annotations

import io
import random
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, cast

import pytest
from PIL import Image

from bot.core.database import Database
from bot.core.text import inline
from bot.ratings.chart import BAR, BAR_H, BOTTOM, CHART_FILENAME, LABEL_W, ROW, TOP, TRACK, VALUE_W, WIDTH
from bot.ratings.service import RatingService
from sandbox import InteractionResult, Invocation, Sandbox, SandboxConfig, SandboxUsageError
from tests.cogs.conftest import RunKansou, assert_clean, core, kansou, text_of
from tests.ratings.test_store import assert_aggregates_match

# The seed's five categories, every server's defaults: key → label.
CATEGORIES = {"animation": "Animation", "voice_acting": "Voice Acting", "music": "Music", "writing": "Writing",
              "story": "Story"}


def clean(text: str, limit: int) -> str:
    """A title as the bot shows it in markdown."""
    return inline(text, limit)

ROUGE = "Metallic Rouge"
# The bot and the stand-in share one event loop and CPU here, so with hundreds of interactions in flight
# Discord's 3-second window would measure this machine rather than the bot: those tests lift the deadline (an
# interaction the bot never answers still fails them). Members pick the show from the autocomplete, as in Discord.
CROWD_DEADLINE = 60.0
LINE = re.compile(r"^\*\*(\d+)\.\*\* (.+) — \*\*(\d\.\d)\*\* \(average (\d\.\d), (\d+) (?:members?|votes?)\)$")


def db(sandbox: Sandbox) -> Database:
    return core(sandbox).db


def ratings_service(sandbox: Sandbox) -> RatingService:
    """The running ratings cog's service (its writer, its cooldown)."""
    cog = kansou(sandbox).get_cog("Ratings")
    assert cog is not None
    service = cast(Any, cog).service
    assert isinstance(service, RatingService)
    return service


async def stored(sandbox: Sandbox, guild: str | None = None) -> set[tuple[str, int, str, float]]:
    """Every score in a server straight from the ``rating`` table: (member name, show id, category, 1–5)."""
    names = {u.id: u.name for u in sandbox.config.users}
    rows = await db(sandbox).fetch_all(
        "SELECT member_id, anime_id, category, score FROM rating WHERE guild_id = ?", (sandbox.guild(guild).id,))
    return {(names[r[0]], int(r[1]), str(r[2]), r[3] / 2) for r in rows}


async def titles(sandbox: Sandbox) -> dict[int, str]:
    rows = await db(sandbox).fetch_all("SELECT id, coalesce(title_english, title_romaji) FROM anime")
    return {int(r[0]): str(r[1]) for r in rows}


def one(category: str, score: object) -> dict[str, object]:
    """The options of a quick /rate: a category (by its label, as the autocomplete gives it) and its score."""
    return {"category": CATEGORIES.get(category, category), "score": score}


def panel_lines(result: InteractionResult) -> list[str]:
    """The rating panel's lines, one per category (its heading and closing note left out)."""
    message = result.message
    assert message is not None
    return [t for t in message.text_displays() if not t.startswith(("### ", "-# "))]


def panel_title(result: InteractionResult) -> str:
    assert result.message is not None
    return result.message.text_displays()[0].removeprefix("### ")


async def rate(sandbox: Sandbox, user: str, anime: str, guild: str | None = None, **scores: float) -> InteractionResult:
    """Rate from the panel: open it with /rate, pick each score in its category's menu; the panel as it ends."""
    result = await sandbox.invoke("rate", {"anime": anime}, user=user, guild=guild)
    assert_clean(result)
    assert result.ephemeral and result.message is not None, result.label
    message = result.message
    for category, score in scores.items():
        result = await sandbox.select(message, f"rate:{category}", f"{score:g}", user=user)
        assert_clean(result)
        message = result.message or message
    return result


async def rate_all(sandbox: Sandbox, votes: Sequence[tuple[str, str, Mapping[str, float]]],
                   guild: str | None = None) -> None:
    """Many (member, show, scores) at once, one quick /rate per score; every answer clean."""
    results = await sandbox.invoke_many(
        [Invocation("rate", {"anime": anime, **one(c, score)}, user=user, guild=guild)
         for user, anime, scores in votes for c, score in scores.items()],
        timeout=CROWD_DEADLINE)
    for result in results:
        assert_clean(result)


def board(result: InteractionResult) -> list[tuple[int, str, str, str, int]]:
    """The ranked lines of a /ratings top page: (rank, title, bayesian, average, votes)."""
    (embed,) = result.embeds
    found = [LINE.match(line) for line in (embed.description or "").splitlines()]
    return [(int(m[1]), m[2], m[3], m[4], int(m[5])) for m in found if m]


# -- /rate ------------------------------------------------------------------------------------------------------


async def test_rate_answers_privately_with_the_members_current_scores(sandbox: Sandbox) -> None:
    result = await rate(sandbox, "alice", ROUGE, animation=4.5, music=3)
    assert result.ephemeral
    assert panel_title(result) == f"Your ratings — {ROUGE}"
    assert panel_lines(result) == [
        "Animation: **4.5** ★★★★½ *(new)*", "Voice Acting: —", "Music: **3** ★★★ *(new)*", "Writing: —",
        "Story: —"]
    assert await stored(sandbox) == {("alice", 1, "animation", 4.5), ("alice", 1, "music", 3.0)}
    assert sandbox.channel_messages("general", include_ephemeral=False) == []  # nobody else saw it


async def test_rate_with_a_category_and_a_score_sets_that_one_score(sandbox: Sandbox) -> None:
    first = await sandbox.invoke("rate", {"anime": ROUGE, **one("animation", 4.5)}, user="alice")
    assert_clean(first)
    (embed,) = first.embeds
    assert first.ephemeral and embed.title == f"Your ratings — {ROUGE}"
    assert (embed.description or "").splitlines() == [
        "Animation: **4.5** ★★★★½ *(new)*", "Voice Acting: —", "Music: —", "Writing: —", "Story: —"]
    again = await sandbox.invoke("rate", {"anime": ROUGE, "category": "music", "score": 3}, user="alice")  # by key
    assert_clean(again)
    assert (again.embeds[0].description or "").splitlines() == [
        "Animation: **4.5** ★★★★½", "Voice Acting: —", "Music: **3** ★★★ *(new)*", "Writing: —", "Story: —"]
    changed = await sandbox.invoke("rate", {"anime": ROUGE, **one("animation", 2)}, user="alice")
    assert (changed.embeds[0].description or "").splitlines()[0] == "Animation: **2** ★★ *(was 4.5)*"
    assert await stored(sandbox) == {("alice", 1, "animation", 2.0), ("alice", 1, "music", 3.0)}
    assert sandbox.channel_messages("general", include_ephemeral=False) == []  # nobody else saw it


async def test_the_panel_offers_every_category_and_removes_a_score(sandbox: Sandbox) -> None:
    opened = await sandbox.invoke("rate", {"anime": ROUGE}, user="alice")
    assert_clean(opened)
    message = opened.message
    assert message is not None and opened.ephemeral and not message.embeds
    assert [m["custom_id"] for m in message.selects()] == [f"rate:{key}" for key in CATEGORIES]
    assert [o["label"] for o in message.select("rate:music")["options"]] == [
        "1 ★", "1.5 ★½", "2 ★★", "2.5 ★★½", "3 ★★★", "3.5 ★★★½", "4 ★★★★", "4.5 ★★★★½", "5 ★★★★★"]
    picked = await sandbox.select(message, "rate:music", "3.5", user="alice")
    assert_clean(picked)
    assert panel_lines(picked)[2] == "Music: **3.5** ★★★½ *(new)*"
    assert await stored(sandbox) == {("alice", 1, "music", 3.5)}
    menu = (picked.message or message).select("rate:music")
    assert [o["label"] for o in menu["options"] if o.get("default")] == ["3.5 ★★★½"]
    removed = await sandbox.select(picked.message or message, "rate:music", "Remove my score", user="alice")
    assert_clean(removed)
    assert panel_lines(removed)[2] == "Music: —"
    assert await stored(sandbox) == set()
    with pytest.raises(SandboxUsageError):  # only the member who opened it sees the panel
        await sandbox.select(removed.message or message, "rate:story", "4", user="bob")


async def test_rerating_replaces_only_the_categories_given(sandbox: Sandbox) -> None:
    await rate(sandbox, "alice", ROUGE, animation=4.5, music=3)
    await rate(sandbox, "bob", ROUGE, animation=2)
    again = await rate(sandbox, "alice", "metallic rouge", animation=2, music=3, story=5)
    assert panel_lines(again) == [  # changed, unchanged (given again), new
        "Animation: **2** ★★ *(was 4.5)*", "Voice Acting: —", "Music: **3** ★★★", "Writing: —",
        "Story: **5** ★★★★★ *(new)*"]
    assert await stored(sandbox) == {("alice", 1, "animation", 2.0), ("alice", 1, "music", 3.0),
                                     ("alice", 1, "story", 5.0), ("bob", 1, "animation", 2.0)}
    shown = await sandbox.invoke("ratings show", {"anime": ROUGE})
    assert_clean(shown)
    names = [f.name for f in shown.embeds[0].fields]
    assert names[0] == "Animation — 2.0 (2 votes)"  # one vote per member: alice's 4.5 is gone
    assert "2 members rated it" in (shown.embeds[0].description or "")
    await assert_aggregates_match(db(sandbox))


async def test_a_partial_rating_only_counts_where_it_was_given(sandbox: Sandbox) -> None:
    await rate(sandbox, "carol", ROUGE, story=5)
    shown = await sandbox.invoke("ratings show", {"anime": ROUGE})
    assert_clean(shown)
    (embed,) = shown.embeds
    assert embed.description == ("Overall **5.0** / 5 — Story is the only category rated · "
                                 "1 member rated it in this server")
    assert [f.name for f in embed.fields] == [
        "Animation — no votes yet", "Voice Acting — no votes yet", "Music — no votes yet", "Writing — no votes yet",
        "Story — 5.0 (1 vote)"]


async def test_a_score_needs_its_category_and_unknown_shows_are_refused(sandbox: Sandbox) -> None:
    alone = await sandbox.invoke("rate", {"anime": ROUGE, "score": 4}, user="alice")
    assert_clean(alone)
    assert alone.ephemeral and "Say which category that score is for" in text_of(alone)
    unknown = await sandbox.invoke("rate", {"anime": "Zzyzx Qwerty Show", **one("music", 4)}, user="alice")
    assert_clean(unknown)
    assert unknown.ephemeral and "couldn't find a show" in text_of(unknown)
    assert await stored(sandbox) == set()


@pytest.mark.parametrize(("anilist", "says"), [
    (False, "I couldn't find a show called “Frieren”. I only know the shows in my catalogue, and AniList is turned "
            "off on this bot: whoever runs it can add the show to a catalogue file."),
    # With AniList on, a missing show is asked for on demand (tests/cogs/test_any_show.py); here AniList is
    # unreachable, which is said privately, and nothing is written.
    (True, "I don't have “Frieren” yet, and AniList is not answering right now. Try again in a minute."),
])
async def test_a_show_not_in_the_catalogue_says_what_will_find_it(
    run_kansou: RunKansou, anilist: bool, says: str
) -> None:
    async with run_kansou(**({"anilist_url": "http://127.0.0.1:9/"} if anilist else {})) as sandbox:
        attempts: list[tuple[str, dict[str, object]]] = [("rate", {"anime": "Frieren", **one("story", 5)}),
                                                          ("rate", {"anime": "Frieren"}),
                                                          ("review write", {"anime": "Frieren"})]
        for command, options in attempts:
            result = await sandbox.invoke(command, options, user="alice")
            assert_clean(result)
            assert all(m.ephemeral for m in result.messages) and result.modal is None
            assert text_of(result).strip() == says, command
        assert await stored(sandbox) == set()


async def test_one_rounding_rule_for_every_average(sandbox: Sandbox) -> None:
    # Animation (5 + 5 + 5 + 4) / 4 = 4.75; Music 3.5; Story (1 + 3 + 4.5 + 4.5 + 5) / 5 = 3.6;
    # Overall (4.75 + 3.5 + 3.6) / 3 = 3.95 — which floats make 3.9499999999999997.
    await rate_all(sandbox, [
        ("alice", ROUGE, {"animation": 5, "music": 3.5, "story": 1}),
        ("bob", ROUGE, {"animation": 5, "story": 3}),
        ("carol", ROUGE, {"animation": 5, "story": 4.5}),
        ("dave", ROUGE, {"animation": 4, "story": 4.5}),
        ("mod", ROUGE, {"story": 5}),
    ])
    shown = await sandbox.invoke("ratings show", {"anime": ROUGE})
    assert_clean(shown)
    (embed,) = shown.embeds
    assert (embed.description or "").startswith("Overall **4.0** / 5")
    assert embed.fields[0].name == "Animation — 4.8 (4 votes)"
    overall = await sandbox.invoke("ratings top", {}, user="bob")
    animation = await sandbox.invoke("ratings top", {"category": "Animation"}, user="bob")
    assert [row[3] for row in board(overall)] == ["4.0"]  # the show's average, as /ratings show gives it
    assert [row[3] for row in board(animation)] == ["4.8"]
    for result in (overall, animation):
        assert not re.search(r"\d\.\d\d", text_of(result)), text_of(result)  # no second decimal anywhere


# Discord's client only sends numbers within the registered 1–5 (the driver refuses the rest, as it would), so
# out-of-range values are also sent raw, as a modified client could. JSON has no NaN (nor infinity): the
# nearest a crafted client gets is the string "NaN" (or "Infinity", or null), which discord.py reads as
# float('nan') / float('inf') for a number option — so that is what reaches the bot's own validation here.
# ("client": Discord's client sends it; "refused": it refuses, so only a crafted client can; "raw": only a
# crafted client can even express it.)
@pytest.mark.parametrize(
    ("bad", "how", "says"),
    [
        (2.3, "client", "not 2.3"),
        (1.25, "client", "not 1.25"),
        (4.999, "client", "not 4.999"),
        (0, "refused", "not 0"),
        (5.5, "refused", "not 5.5"),
        (6, "refused", "not 6"),
        (-1, "refused", "not -1"),
        (-3.5, "refused", "not -3.5"),
        (1e308, "refused", "not 1e+308"),  # doubled, it overflows to infinity
        ("NaN", "refused", "must be a number"),
        ("Infinity", "refused", "must be a number"),
        (None, "raw", "must be a number"),  # JSON null: for the driver, None is "option not given"
    ],
)
async def test_an_invalid_score_gets_a_clear_private_error_and_changes_nothing(
    sandbox: Sandbox, bad: object, how: str, says: str
) -> None:
    await rate(sandbox, "alice", ROUGE, story=4)
    before = await stored(sandbox)
    options = {"anime": ROUGE, **one("music", bad)}
    if how == "client":
        result = await sandbox.invoke("rate", options, user="alice")
    else:
        if how == "refused":
            with pytest.raises(SandboxUsageError):
                await sandbox.invoke("rate", options, user="alice")
        result = await sandbox.invoke("rate", options, user="alice", raw=True)
    assert_clean(result)
    assert result.ephemeral
    text = text_of(result)
    assert "The Music score" in text and says in text and "from 1 to 5 in half points" in text, text
    assert "something went wrong" not in text
    assert await stored(sandbox) == before  # nothing was written
    mine = await sandbox.invoke("ratings mine", user="alice")
    assert "Story 4" in text_of(mine) and "Animation" not in text_of(mine)


async def test_a_float_nan_cannot_even_be_put_on_the_wire(sandbox: Sandbox) -> None:
    for raw in (False, True):
        with pytest.raises(SandboxUsageError):
            await sandbox.invoke("rate", {"anime": ROUGE, **one("music", float("nan"))}, raw=raw)


# -- /ratings show ------------------------------------------------------------------------------------------------


async def test_show_tallies_distributions_and_chart_match_a_hand_count(sandbox: Sandbox) -> None:
    await rate_all(sandbox, [
        ("alice", ROUGE, {"animation": 5, "music": 4}),
        ("bob", ROUGE, {"animation": 4.5, "music": 3.5}),
        ("carol", ROUGE, {"animation": 4.5, "story": 2.5}),
        ("dave", ROUGE, {"animation": 3}),
        ("mod", ROUGE, {"animation": 1}),
    ])
    shown = await sandbox.invoke("ratings show", {"anime": ROUGE}, user="dave")
    assert_clean(shown)
    assert not shown.ephemeral
    (embed,) = shown.embeds
    assert embed.title == f"Ratings — {ROUGE}"
    # Animation (1 + 3 + 4.5 + 4.5 + 5) / 5 = 3.6; Music (4 + 3.5) / 2 = 3.75 → 3.8; Story 2.5.
    # Overall = (3.6 + 3.75 + 2.5) / 3 = 3.2833… → 3.3, over five members.
    assert embed.description == ("Overall **3.3** / 5 — the mean of the 3 category averages · "
                                 "5 members rated it in this server")
    # Bars over the scores 1, 1.5, … 5; the tallest count is a full block, a count of half of it ▄.
    assert [(f.name, f.value) for f in embed.fields] == [
        ("Animation — 3.6 (5 votes)", "`1 ▄···▄··█▄ 5`\n-# 5★ ×1 · 4.5★ ×2 · 3★ ×1 · 1★ ×1"),
        ("Voice Acting — no votes yet", "Be the first: `/rate`"),
        ("Music — 3.8 (2 votes)", "`1 ·····██·· 5`\n-# 4★ ×1 · 3.5★ ×1"),
        ("Writing — no votes yet", "Be the first: `/rate`"),
        ("Story — 2.5 (1 vote)", "`1 ···█····· 5`\n-# 2.5★ ×1"),
    ]
    tally = (await ratings_service(sandbox).show(sandbox.guild().id, ROUGE)).tally
    assert tally.get("animation") is not None and tally.get("animation").distribution == (  # type: ignore[union-attr]
        1, 0, 0, 0, 1, 0, 0, 2, 1)
    await assert_aggregates_match(db(sandbox))

    # The chart: attached as a real PNG, and the embed shows that very attachment.
    message = shown.message
    assert message is not None
    (attachment,) = message.attachments
    assert attachment.filename == CHART_FILENAME and embed.image.url == f"attachment://{attachment.filename}"
    image = Image.open(io.BytesIO(attachment.data))
    image.load()
    assert image.format == "PNG" and image.size == (WIDTH, TOP + ROW * len(CATEGORIES) + BOTTOM)
    rgb = image.convert("RGB")
    left, span = LABEL_W, WIDTH - VALUE_W - LABEL_W

    def middle(row: int) -> int:
        return TOP + ROW * row + (ROW - BAR_H) // 2 - 4 + BAR_H // 2

    for row, average in [(0, 3.6), (2, 3.75), (4, 2.5)]:
        end = left + round(span * average / 5)
        assert rgb.getpixel((end - 3, middle(row))) == BAR, row
        assert rgb.getpixel((end + 3, middle(row))) == TRACK, row
    for row in (1, 3):  # nobody rated voice acting or writing: an empty track
        assert rgb.getpixel((left + 5, middle(row))) == TRACK


async def test_show_of_an_unrated_show_says_so_privately(sandbox: Sandbox) -> None:
    await rate(sandbox, "alice", ROUGE, music=4, guild="Other Server")
    result = await sandbox.invoke("ratings show", {"anime": ROUGE})
    assert_clean(result)
    assert result.ephemeral and "Nobody in this server has rated **Metallic Rouge** yet" in text_of(result)
    assert result.message is not None and result.message.attachments == []


# -- /ratings top -------------------------------------------------------------------------------------------------

# Story only: Super Cub 5 (alice); Land of the Lustrous 4.5 × 5; Skip and Loafer 1 × 5.
# C = (5 + 5·4.5 + 5·1) / 11 = 2.9545…; with m = 3:
#   Lustrous (5·4.5 + 3C) / 8 = 3.92, Super Cub (1·5 + 3C) / 4 = 3.47, Skip (5·1 + 3C) / 8 = 1.73,
# while the plain means rank Super Cub (5.00) above Lustrous (4.50).
MEMBERS = ["alice", "bob", "carol", "dave", "mod"]
TOP_VOTES = [("alice", "Super Cub", {"story": 5.0})] + [
    (m, show, {"story": score}) for m in MEMBERS for show, score in [("Land of the Lustrous", 4.5),
                                                                       ("Skip and Loafer", 1.0)]
]


async def test_top_ranks_by_the_bayesian_average_not_the_plain_mean(sandbox: Sandbox) -> None:
    await rate_all(sandbox, TOP_VOTES)
    overall = await sandbox.invoke("ratings top")
    by_story = await sandbox.invoke("ratings top", {"category": "Story"})
    for result in (overall, by_story):
        assert_clean(result)
        assert not result.ephemeral and not result.message.buttons()  # type: ignore[union-attr]
        assert result.embeds[0].footer.text == "m = 3 · C = 3.0 · 3 shows rated"
    assert board(overall) == [(1, "Land of the Lustrous", "3.9", "4.5", 5), (2, "Super Cub", "3.5", "5.0", 1),
                              (3, "Skip and Loafer", "1.7", "1.0", 5)]
    assert board(by_story) == board(overall)
    assert "Top rated — Story" in text_of(by_story) and "5 votes)" in text_of(by_story)
    assert "Top rated — Overall" in text_of(overall) and "5 members)" in text_of(overall)
    empty = await sandbox.invoke("ratings top", {"category": "Music"})
    assert_clean(empty)
    assert empty.ephemeral and "Nothing has been rated" in text_of(empty)


async def test_m_is_configurable_and_m_zero_is_the_plain_mean(run_kansou: RunKansou) -> None:
    async with run_kansou(leaderboard_min_votes=0) as sandbox:
        await rate_all(sandbox, TOP_VOTES)
        result = await sandbox.invoke("ratings top", {"category": "Story"})
        assert_clean(result)
        assert [row[1:3] for row in board(result)] == [("Super Cub", "5.0"), ("Land of the Lustrous", "4.5"),
                                                       ("Skip and Loafer", "1.0")]
        assert result.embeds[0].footer.text == "m = 0 · C = 3.0 · 3 shows rated"


# Twelve shows (ids 2–13) with one story vote each: a tie on the score is broken by the show id.
TWELVE = dict(zip(range(2, 14), [5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1, 5, 4.5, 4], strict=True))


async def test_top_is_paginated_beyond_ten_shows(sandbox: Sandbox) -> None:
    await rate_all(sandbox, [("alice", f"id:{show}", {"story": score}) for show, score in TWELVE.items()])
    names = await titles(sandbox)
    expected = [clean(names[show], 90) for show in sorted(TWELVE, key=lambda s: (-TWELVE[s], s))]
    first = await sandbox.invoke("ratings top", user="bob")
    assert_clean(first)
    assert [row[:2] for row in board(first)] == list(enumerate(expected[:10], start=1))
    footer = first.embeds[0].footer.text or ""
    assert footer.startswith("Page 1/2 · m = 3 · C = ") and footer.endswith(" · 12 shows rated")
    message = first.message
    assert message is not None and message.buttons()
    stranger = await sandbox.click(message, "Next", user="carol")
    assert_clean(stranger)
    assert stranger.ephemeral and "belong to whoever ran the command" in text_of(stranger)
    second = await sandbox.click(message, "Next", user="bob")
    assert_clean(second)
    assert [row[:2] for row in board(second)] == [(11, expected[10]), (12, expected[11])]
    assert (second.embeds[0].footer.text or "").startswith("Page 2/2 · m = 3")
    back = await sandbox.click(message, 1, user="bob")  # ⏮
    assert_clean(back)
    assert board(back) == board(first)


# -- /ratings mine and forget ---------------------------------------------------------------------------------------


async def test_mine_lists_my_scores_in_this_server_by_show_and_is_paginated(sandbox: Sandbox) -> None:
    await rate_all(sandbox, [("alice", f"id:{show}", {"story": score}) for show, score in TWELVE.items()]
                   + [("alice", ROUGE, {"music": 3.5, "animation": 4}), ("bob", ROUGE, {"writing": 2})])
    await rate(sandbox, "alice", "Super Cub", guild="Other Server", music=1)
    result = await sandbox.invoke("ratings mine", user="alice")
    assert_clean(result)
    assert result.ephemeral
    names = await titles(sandbox)
    mine = sorted([*TWELVE, 1], reverse=True)  # paged by key: the latest show in the catalogue first
    lines = (result.embeds[0].description or "").splitlines()
    assert lines == [f"**{clean(names[show], 90)}** — "
                     + ("Animation 4 · Music 3.5" if show == 1 else f"Story {TWELVE[show]:g}") for show in mine[:10]]
    assert result.embeds[0].footer.text == "Page 1/2 · 13 shows · 14 scores"
    second = await sandbox.click(result, "Next", user="alice")
    assert_clean(second)
    assert len((second.embeds[0].description or "").splitlines()) == 3
    assert "Super Cub" not in text_of(result) + text_of(second)  # rated in the other server only
    other = await sandbox.invoke("ratings mine", user="alice", guild="Other Server")
    assert_clean(other)
    assert (other.embeds[0].description or "") == "**Super Cub** — Music 1"
    nobody = await sandbox.invoke("ratings mine", user="carol")
    assert_clean(nobody)
    assert nobody.ephemeral and "You haven't rated anything in this server yet" in text_of(nobody)


async def test_forget_removes_my_scores_for_that_show_in_this_server_only(sandbox: Sandbox) -> None:
    await rate(sandbox, "alice", ROUGE, animation=5, music=4)
    await rate(sandbox, "alice", "Super Cub", story=3)
    await rate(sandbox, "bob", ROUGE, animation=2)
    await rate(sandbox, "alice", ROUGE, guild="Other Server", animation=1)
    forgot = await sandbox.invoke("ratings forget", {"anime": ROUGE}, user="alice")
    assert_clean(forgot)
    assert forgot.ephemeral and forgot.content == f"Removed 2 scores for **{ROUGE}**."
    cub = next(show for show, title in (await titles(sandbox)).items() if title == "Super Cub")
    assert await stored(sandbox) == {("alice", cub, "story", 3.0), ("bob", 1, "animation", 2.0)}
    assert await stored(sandbox, "Other Server") == {("alice", 1, "animation", 1.0)}
    shown = await sandbox.invoke("ratings show", {"anime": ROUGE})
    assert shown.embeds[0].description == ("Overall **2.0** / 5 — Animation is the only category rated · "
                                           "1 member rated it in this server")
    assert [row[1:] for row in board(await sandbox.invoke("ratings top", {"category": "Animation"}))] == [
        (ROUGE, "2.0", "2.0", 1)]
    again = await sandbox.invoke("ratings forget", {"anime": ROUGE}, user="alice")
    assert_clean(again)
    assert again.content == f"You hadn't rated **{ROUGE}** in this server — nothing to remove."
    await assert_aggregates_match(db(sandbox))


# -- servers ----------------------------------------------------------------------------------------------------


async def test_servers_never_count_each_others_ratings(sandbox: Sandbox) -> None:
    await rate(sandbox, "alice", ROUGE, music=5)
    await rate(sandbox, "alice", ROUGE, guild="Other Server", music=1)
    await rate(sandbox, "bob", ROUGE, guild="Other Server", music=3)
    club = await sandbox.invoke("ratings show", {"anime": ROUGE})
    other = await sandbox.invoke("ratings show", {"anime": ROUGE}, guild="Other Server", user="bob")
    for result in (club, other):
        assert_clean(result)
    assert club.embeds[0].fields[2].name == "Music — 5.0 (1 vote)"
    assert other.embeds[0].fields[2].name == "Music — 2.0 (2 votes)"  # alice's two votes are independent
    assert "2 members rated it" in (other.embeds[0].description or "")
    club_top = await sandbox.invoke("ratings top")
    other_top = await sandbox.invoke("ratings top", guild="Other Server", user="bob")
    assert board(club_top) == [(1, ROUGE, "5.0", "5.0", 1)]
    assert board(other_top) == [(1, ROUGE, "2.0", "2.0", 2)]
    assert "C = 5.0 " in (club_top.embeds[0].footer.text or "")
    assert "Music 5" in text_of(await sandbox.invoke("ratings mine", user="alice"))
    assert "Music 1" in text_of(await sandbox.invoke("ratings mine", user="alice", guild="Other Server"))


# -- many members at once -----------------------------------------------------------------------------------------


async def pick_show(sandbox: Sandbox, typed: str, title: str) -> str:
    """The value Discord sends when a member picks ``title`` from the /rate autocomplete after typing ``typed``."""
    (choice, *_) = await sandbox.autocomplete("rate", {"anime": typed}, focused="anime")
    assert choice.name == title
    return str(choice.value)


async def test_rerates_forgets_and_reads_in_flight_together_stay_consistent(run_kansou: RunKansou) -> None:
    config = SandboxConfig.default(interaction_deadline=CROWD_DEADLINE)
    fans = [fan.name for fan in config.add_members(200, prefix="fan")]
    async with run_kansou(config=config) as sandbox:
        rouge = await pick_show(sandbox, "metallic rou", ROUGE)
        await rate_all(sandbox, [(fan, rouge, {"music": 2, "story": 3}) for fan in fans[:100]])
        batch = [Invocation("ratings forget", {"anime": rouge}, user=fan) for fan in fans[:50]]
        batch += [Invocation("rate", {"anime": rouge, **one(category, score)}, user=fan) for fan in fans[50:100]
                  for category, score in (("music", 4.5), ("animation", 1))]
        batch += [Invocation("rate", {"anime": rouge, **one("writing", 5)}, user=fan) for fan in fans[100:]]
        batch += [Invocation("ratings show", {"anime": rouge}, user="alice")] * 10
        batch += [Invocation("ratings top", {"category": category}, user="bob") for category in ("Music", None)]
        random.Random(7).shuffle(batch)
        for invocation, result in zip(batch, await sandbox.invoke_many(batch, timeout=CROWD_DEADLINE), strict=True):
            assert_clean(result)
            if invocation.command == "ratings forget":
                assert result.content == f"Removed 2 scores for **{ROUGE}**."
        expected = {(fan, 1, c, s) for fan in fans[50:100] for c, s in [("music", 4.5), ("animation", 1), ("story", 3)]}
        expected |= {(fan, 1, "writing", 5.0) for fan in fans[100:]}
        assert await stored(sandbox) == expected
        await assert_aggregates_match(db(sandbox))
        shown = await sandbox.invoke("ratings show", {"anime": ROUGE})
        assert [f.name for f in shown.embeds[0].fields] == [
            "Animation — 1.0 (50 votes)", "Voice Acting — no votes yet", "Music — 4.5 (50 votes)",
            "Writing — 5.0 (100 votes)", "Story — 3.0 (50 votes)"]
        assert "150 members rated it" in (shown.embeds[0].description or "")




@pytest.mark.slow
async def test_a_thousand_members_rating_at_once_are_all_counted(run_kansou: RunKansou) -> None:
    """1,000 distinct members rate together (100 of them in both servers) through the real client."""
    config = SandboxConfig.default(interaction_deadline=CROWD_DEADLINE)
    crowd = config.add_members(900, prefix="fan") + config.add_members(
        100, prefix="traveller", guilds=["Anime Club", "Other Server"])
    rng = random.Random(1000)

    def some_scores() -> dict[str, float]:
        return {c: rng.randint(2, 10) / 2 for c in rng.sample(list(CATEGORIES), rng.randint(1, len(CATEGORIES)))}

    club = {member.name: some_scores() for member in crowd}
    other = {member.name: some_scores() for member in crowd[900:]}
    async with run_kansou(config=config) as sandbox:
        rouge = await pick_show(sandbox, "metallic rou", ROUGE)
        writer = ratings_service(sandbox).writer
        commits, writes = writer.commits, writer.writes
        # One /rate per score, each member's all at once.
        batch = [Invocation("rate", {"anime": rouge, **one(c, score)}, user=name) for name, scores in club.items()
                 for c, score in scores.items()]
        batch += [Invocation("rate", {"anime": rouge, **one(c, score)}, user=name, guild="Other Server")
                  for name, scores in other.items() for c, score in scores.items()]
        rng.shuffle(batch)
        started = time.perf_counter()
        results = await sandbox.invoke_many(batch, timeout=2 * CROWD_DEADLINE)
        elapsed = time.perf_counter() - started

        for invocation, result in zip(batch, results, strict=True):
            assert_clean(result)
            assert result.ephemeral and result.user.name == invocation.user
            lines = (result.embeds[0].description or "").splitlines()
            label, score = str(invocation.options["category"]), invocation.options["score"]
            key = next(k for k, v in CATEGORIES.items() if v == label)
            assert f"{label}: **{score:g}** " in lines[list(CATEGORIES).index(key)]

        # Every vote is in the database, exactly as sent, in its own server.
        for guild, plan in [(None, club), ("Other Server", other)]:
            expected = {(name, 1, c, s) for name, scores in plan.items() for c, s in scores.items()}
            assert await stored(sandbox, guild) == expected
        # The trigger-kept tallies equal a recount from the raw rows …
        await assert_aggregates_match(db(sandbox))
        # … and what members see equals a recount of what they sent.
        for guild, plan in [(None, club), ("Other Server", other)]:
            shown = await sandbox.invoke("ratings show", {"anime": ROUGE}, guild=guild, user="traveller1")
            assert_clean(shown)
            fields = {str(f.name).split(" — ")[0]: str(f.name) for f in shown.embeds[0].fields}
            for key, label in CATEGORIES.items():
                votes = [s[key] for s in plan.values() if key in s]
                tally = (await ratings_service(sandbox).show(sandbox.guild(guild).id, ROUGE)).tally.get(key)
                assert tally is not None and tally.votes == len(votes)
                assert tally.average == pytest.approx(sum(votes) / len(votes))
                assert tally.distribution == tuple(votes.count(s / 2) for s in range(2, 11))
                assert fields[label].endswith(f"({len(votes):,} votes)")
            assert f"{len(plan):,} members rated it" in (shown.embeds[0].description or "")
        assert writer.writes - writes == len(batch) and writer.fallbacks == 0
        print(f"\n{len(batch)} /rate at once: {elapsed:.2f} s, {writer.commits - commits} commits "
              f"(largest batch {writer.largest_batch})")
