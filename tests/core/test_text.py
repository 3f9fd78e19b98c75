"""The escaping boundary: what is Md stays as written, everything else is escaped on the way in."""

from __future__ import annotations

import pytest

from bot.core.markdown import discord_len
from bot.core.text import Md, block, inline, md, plain, plural, quote
from tests.helpers.discord_markdown import MODES, render

HOSTILE = "[x](https://e) @here ||s|| **b** <@123456789012345678> `c` # h"


def literal(text: str) -> bool:
    """Whether ``text`` shows as plain characters in every markdown mode: no link, mention, spoiler or style."""
    return all(not char.marks and not char.spoiler for mode in MODES for char in render(text, mode=mode))


def test_md_arguments_stay_and_the_rest_is_escaped() -> None:
    text = md("**{title}** — {name} ({n:,} votes)", title=inline(HOSTILE, 200), name=HOSTILE, n=12_345)
    assert isinstance(text, Md) and "12,345 votes" in text
    title, rest = text.split("** — ", 1)
    assert literal(title.removeprefix("**")) and literal(rest)
    assert [c.marks for c in render(text) if c.char == "—"] == [frozenset()]
    assert "bold" in {m for c in render(text) for m in c.marks}  # our own ** is markdown


def test_md_stays_md_only_with_md() -> None:
    assert isinstance(Md("a") + Md("b"), Md)
    assert not isinstance(Md("a") + "b", Md) and not isinstance("a" + Md("b"), Md)
    assert isinstance(Md(", ").join([Md("a"), Md("b")]), Md)
    assert not isinstance(Md(", ").join([Md("a"), "b"]), Md)
    assert Md(", ").lines([Md("a"), Md("b")]) == "a, b"
    assert isinstance(plural(2, "vote"), Md) and plural(1, "person", "people") == "1 person"
    assert quote("@everyone") == "“@\u200beveryone”"


@pytest.mark.parametrize("limit", [5, 20, 100])
def test_inline_and_block_are_bounded_and_literal(limit: int) -> None:
    for text in (HOSTILE * 5, "line one\n> line two\n# three"):
        one = inline(text, limit)
        assert discord_len(one) <= limit and "\n" not in one and literal(one)
        many = block(text, limit)
        assert discord_len(many) <= limit and literal(many)
    assert block("a\n# b", 100) == "a\n\\# b"  # line breaks kept, each line's markers escaped
    assert inline(None) == "" and block(None, 10) == ""


def test_plain_places_get_one_clean_line() -> None:
    assert plain("  two\nlines\u200b ", 100) == "two lines"
    assert discord_len(plain("x" * 300, 45)) <= 45 and plain("x" * 300, 45).endswith("…")
