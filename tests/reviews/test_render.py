"""What members read of a review: a review of any text fits Discord's limits, keeps its body inside balanced
spoilers, pings nobody, loses nothing, and shows its header and content warnings outside the spoiler."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import discord
import pytest

from bot.core import limits
from bot.core.cards import pack
from bot.core.markdown import discord_len
from bot.reviews.models import Review
from bot.reviews.render import reading_pages, render_post, review_cards
from bot.reviews.service import ReadItem
from bot.reviews.spoilers import normalize_body
from bot.ui.send import to_embed
from sandbox.limits import check_message
from tests.helpers.discord_markdown import MODES, plain, render
from tests.reviews.test_service import ALICE, CHANNEL, GUILD_A, HOSTILE


def review_embeds(item: Review, **options: object) -> list[discord.Embed]:
    """The review as the embeds Discord gets."""
    return [to_embed(card) for card in review_cards(item, **options)]  # type: ignore[arg-type]


def post_embeds(item: Review) -> list[list[discord.Embed]]:
    """The public post, message by message, as the embeds Discord gets."""
    return [[to_embed(card) for card in message] for message in render_post(item)]


def embed_length(embed: discord.Embed) -> int:
    """What Discord counts towards 6000 per message (title, description, fields, footer, author)."""
    total = discord_len(embed.title or "") + discord_len(embed.description or "")
    for field in embed.fields:
        total += discord_len(field.name or "") + discord_len(field.value or "")
    return total + discord_len(embed.footer.text or "") + discord_len(embed.author.name or "")


# -- rendering -----------------------------------------------------------------------------------------


def review(body: str, *, spoilers: bool = True, through: int | None = 7, warnings: str | None = None,
           title: str = "Title", episodes: int | None = 13, edited: bool = False) -> Review:
    return Review(id=1, guild_id=GUILD_A, number=12, anime_id=1, anime_title="Metallic Rouge", anime_episodes=episodes,
                  author_id=ALICE, channel_id=CHANNEL, title=title, body=body, warnings=warnings, spoilers=spoilers,
                  through_episode=through if spoilers else None, created_at=1_700_000_000.0,
                  edited_at=1_700_000_100.0 if edited else None, message_ids=(77,))


def split(embeds: list[discord.Embed]) -> tuple[str, list[str]]:
    """The header of the first embed, and the body chunks of every embed."""
    first = embeds[0].description or ""
    header, _, chunk = first.partition("\n\n")
    return header, [c for c in [chunk, *(e.description or "" for e in embeds[1:])] if c]


def assert_within_limits(messages: list[list[discord.Embed]]) -> None:
    for message in messages:
        payload = {"embeds": [e.to_dict() for e in message], "allowed_mentions": {"parse": []}}
        assert check_message(payload, 0) == []
        assert sum(embed_length(e) for e in message) <= limits.EMBED_TOTAL
        assert len(message) <= 10


def shown(chunk: str, *, spoiler: bool) -> Iterator[str]:
    """The text a chunk shows in each markdown mode, checking it is all (or none) in a spoiler, with no markup."""
    for mode in MODES:
        rendered = render(chunk, mode=mode)
        for char in rendered:
            if not char.char.isspace():
                assert char.spoiler is spoiler, (mode, chunk)
            assert not char.marks, (mode, char)
        yield plain(rendered)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("spoilers", [True, False])
def test_a_4000_pipe_body_fits_and_stays_balanced(spoilers: bool) -> None:
    body = "|" * 4000
    item = review(body, spoilers=spoilers, warnings="|" * 300, title="|" * 100)
    cards = review_cards(item)
    embeds = [to_embed(c) for c in cards]
    messages = [[to_embed(c) for c in message] for message in pack(cards)]
    assert_within_limits(messages)
    assert len(embeds) >= 2  # 8000 escaped characters cannot fit one description
    header, chunks = split(embeds)
    assert "Content warnings" in header and "||" not in header
    everything = ""
    for chunk in chunks:
        if spoilers:
            assert chunk.startswith("||") and chunk.endswith(" ||")
            assert "||" not in chunk[2:-3]
        texts = set(shown(chunk, spoiler=spoilers))
        assert len(texts) == 1
        everything += texts.pop()
    assert squash(everything) == body  # nothing lost
    assert [[e.to_dict() for e in m] for m in post_embeds(item)] == [[e.to_dict() for e in m] for m in messages]


@pytest.mark.parametrize("size", [1, 900, 3000, 4000])
def test_hostile_bodies_stay_inside_the_spoiler(size: int) -> None:
    body = (HOSTILE * (size // len(HOSTILE) + 1))[:size].strip() or "x"
    item = review(body, warnings=HOSTILE[:300])
    messages = post_embeds(item)
    assert_within_limits(messages)
    _, chunks = split([e for m in messages for e in m])
    everything = ""
    for chunk in chunks:
        assert not re.search(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>", chunk, re.IGNORECASE)
        texts = set(shown(chunk, spoiler=True))
        assert len(texts) == 1
        everything += texts.pop()
    assert squash(everything) == squash(normalize_body(body))


def test_header_warnings_and_title_are_outside_the_spoiler_and_inert() -> None:
    item = review("Body text.", warnings="@everyone ||gore|| <@123456789012345678> `x`", title="||Title|| @here")
    (first,) = review_embeds(item)
    header, chunks = split([first])
    assert header.splitlines()[0] == f"by <@{ALICE}>"  # embeds never ping; shows the author's name
    assert "**Spoilers through episode 7**" in header
    warnings_line = next(line for line in header.splitlines() if "Content warnings" in line)
    for mode in MODES:
        rendered = render(warnings_line, mode=mode)
        assert not any(c.spoiler for c in rendered)
        assert "@everyone ||gore||" in plain(rendered).replace("\u200b", "")
        assert not any(c.marks - {"bold"} for c in rendered)
        title = render(first.title or "", mode=mode)
        assert not any(c.spoiler or c.marks for c in title)
    assert chunks == ["||Body text. ||"]
    assert first.author.name == "Review #12 · Metallic Rouge"
    assert first.footer.text == "Review #12"


@pytest.mark.parametrize(
    ("spoilers", "through", "episodes", "header"),
    [
        (False, None, 13, "🛡️ **Spoiler-free**"),
        (True, 7, 13, "⚠️ **Spoilers through episode 7**"),
        (True, None, 13, "⚠️ **Spoilers: whole series**"),
        (True, 13, 13, "⚠️ **Spoilers: whole series**"),
        (True, 40, None, "⚠️ **Spoilers through episode 40**"),
    ],
)
def test_scope_header(spoilers: bool, through: int | None, episodes: int | None, header: str) -> None:
    (first,) = review_embeds(review("b", spoilers=spoilers, through=through, episodes=episodes))
    assert (first.description or "").splitlines()[1] == header
    assert (first.description or "").endswith("b ||" if spoilers else "\n\nb")


def test_read_view_shows_in_clear_or_hidden_with_a_note() -> None:
    item = review("Episode 7 twist.", through=7)
    (clear,) = review_embeds(item, hidden=False, note="Shown in clear: why")
    header, chunks = split([clear])
    assert chunks == ["Episode 7 twist."] and header.endswith("-# Shown in clear: why")
    (hidden,) = review_embeds(item, hidden=True, note="Hidden: why")
    assert split([hidden])[1] == ["||Episode 7 twist. ||"]


def test_edited_reviews_say_so() -> None:
    (first,) = review_embeds(review("b", edited=True))
    assert first.footer.text == "Review #12 · edited"


async def test_read_pages_count_reviews_and_fit() -> None:
    items = [
        ReadItem(review("|" * 4000, through=3), True, "Hidden: it spoils up to episode 3, and you've watched 1."),
        ReadItem(replace(review("short"), number=13), False, None),
    ]
    cards = [*reading_pages(1, 2, items[0]), *reading_pages(2, 2, items[1])]
    pages = [to_embed(card) for card in cards]
    assert len(pages) >= 3  # the long review takes several pages
    for page in pages:
        assert_within_limits([[page]])
    footers = [p.footer.text or "" for p in pages]
    assert footers[0].startswith("Review 1 of 2 · #12 · part 1 of ")
    assert footers[-1] == "Review 2 of 2 · #13"
    assert pages[0].url == f"https://discord.com/channels/{GUILD_A}/{CHANNEL}/77"


def test_a_normal_long_review_is_one_message_one_embed() -> None:
    body = ("A sentence of an ordinary review. " * 200)[:3900]
    messages = post_embeds(review(body, warnings="Mild violence"))
    assert len(messages) == 1 and len(messages[0]) == 1
    assert discord_len(messages[0][0].description or "") <= 4096
