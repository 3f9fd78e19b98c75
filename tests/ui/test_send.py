"""Cards become embeds at one boundary: unmarked text is escaped (never raw, never a ping), Discord's limits kept."""

from __future__ import annotations

import pytest

from bot.core import limits
from bot.core.cards import Card, Field
from bot.core.markdown import discord_len
from bot.core.text import Md, md
from bot.ui.send import content, embed_length, to_embed
from sandbox.limits import check_message
from tests.helpers.discord_markdown import MODES, render

FORGOTTEN = "[x](https://e) @here ||s||"


def literal(text: str) -> bool:
    """Shown as plain characters in every markdown mode: no link, no mention, no spoiler, no style."""
    return all(not char.marks and not char.spoiler for mode in MODES for char in render(text, mode=mode))


def test_text_a_renderer_forgot_to_mark_is_escaped_and_pings_nobody() -> None:
    card = Card(title=FORGOTTEN, description=FORGOTTEN, fields=(Field(FORGOTTEN, FORGOTTEN),),
                footer=FORGOTTEN, author=FORGOTTEN)
    embed = to_embed(card)
    shown = [embed.title, embed.description, embed.fields[0].name, embed.fields[0].value]
    for text in shown:
        assert text is not None and literal(text), text
        assert "@here" not in text  # a zero-width space keeps it from being a mention at all
    assert embed.footer.text == FORGOTTEN and embed.author.name == FORGOTTEN  # shown as plain text anyway
    assert content(FORGOTTEN) is not None and literal(content(FORGOTTEN) or "")
    payload = {"embeds": [embed.to_dict()], "allowed_mentions": {"parse": []}}
    assert check_message(payload, 0) == []


def test_md_is_sent_as_written() -> None:
    description = md("**{name}** — `/rate`", name=FORGOTTEN)
    embed = to_embed(Card(description=description))
    assert embed.description == description
    assert {m for c in render(embed.description or "") for m in c.marks} >= {"bold", "code"}


@pytest.mark.parametrize("marked", [True, False])
def test_what_is_too_long_is_cut_within_discord_s_limits(marked: bool) -> None:
    long = ("🙂 [x] ||y|| @here " * 2000)
    text = Md(long) if marked else long
    card = Card(title=text, description=text, fields=tuple(Field(text, text) for _ in range(30)), footer=long,
                author=long)
    embed = to_embed(card)
    assert check_message({"embeds": [embed.to_dict()], "allowed_mentions": {"parse": []}}, 0) == []
    assert discord_len(embed.title or "") <= limits.EMBED_TITLE
    assert discord_len(embed.description or "") <= limits.EMBED_DESCRIPTION
    assert len(embed.fields) <= limits.EMBED_FIELDS and embed_length(embed) <= limits.EMBED_TOTAL
    assert all(discord_len(f.name or "") <= limits.FIELD_NAME and discord_len(f.value or "") <= limits.FIELD_VALUE
               for f in embed.fields)
    assert discord_len(embed.footer.text or "") <= limits.FOOTER
    assert discord_len(embed.author.name or "") <= limits.AUTHOR_NAME
    if not marked:
        assert literal(embed.description or "")
    assert "\ud83d" not in (embed.description or "")  # never half an emoji


def test_a_spoiler_is_never_cut_open() -> None:
    description = Md("Shown. ") + Md("||" + "hidden words " * 500 + " ||")
    embed = to_embed(Card(description=description))
    assert discord_len(embed.description or "") <= limits.EMBED_DESCRIPTION
    assert "hidden" not in (embed.description or "") and (embed.description or "").startswith("Shown.")
