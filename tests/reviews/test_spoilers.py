"""Spoiler chunks: every character of a review hidden, nothing lost, no ping, every chunk within the limit.

Each chunk is rendered with the model of Discord's markdown in ``tests/helpers/discord_markdown.py``, under
both of its ways of finding a spoiler's end (see that module), and must show exactly its piece of the body.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.markdown import ZWSP, discord_len, grapheme_clusters, sanitize_text
from bot.reviews.spoilers import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    normalize_body,
    spoiler_chunks,
    spoiler_overhead,
)
from tests.helpers.discord_markdown import MODES, plain, render

FUZZ_EXAMPLES = int(os.environ.get("KANSOU_FUZZ_EXAMPLES", "300"))
_SERVER_MENTIONS = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>|</[^:>]+:\d+>", re.IGNORECASE)
_HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_CUT_SPACE = " \t\n"
# Bidi controls, and zero-width characters other than the ZWSP put after "@" / "<" to break a mention.
_HIDING = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2060\ufeff\u00ad]|(?<![@<])\u200b")


def visible(text: str) -> str:
    """The characters anyone can see, worked out independently of the code under test."""
    return "".join(
        c for c in text
        if unicodedata.category(c)[0] in "LNPS" and not c.isspace() and c not in _HANGUL_FILLERS
    )


def check(body: str, chunks: Sequence[str], *, spoiler: bool, limit: int) -> list[str]:
    """Assert everything the module promises about ``chunks``; return the text each chunk shows."""
    shown_pieces: list[str] = []
    for chunk in chunks:
        assert len(chunk) <= limit
        assert discord_len(chunk) <= limit
        assert not _SERVER_MENTIONS.search(chunk)
        assert not _HIDING.search(chunk)
        if spoiler:
            assert chunk.startswith("||")
            assert chunk.endswith(" ||")
            inner = chunk[2:-3]
            # Balanced: the only "||" are the delimiters, every other pipe is escaped.
            assert "||" not in inner
            assert re.fullmatch(r"(?:\\.|[^\\|])*", inner, re.DOTALL), "unescaped | or dangling backslash"
        per_mode = []
        for mode in MODES:
            rendered = render(chunk, mode=mode)
            assert all(r.spoiler == spoiler for r in rendered), (mode, chunk)
            assert all(not r.marks for r in rendered), (mode, chunk)
            per_mode.append(plain(rendered))
        assert per_mode[0] == per_mode[1]
        shown = per_mode[0]
        if spoiler:
            assert shown.endswith(" ")  # the guard space before the closing ||
            shown = shown[:-1]
        assert shown
        assert shown[0] not in _CUT_SPACE
        assert shown[-1] not in _CUT_SPACE
        shown_pieces.append(shown)
    # Nothing lost: the pieces are the normalized body, give or take whitespace at the cuts.
    expected = normalize_body(body)
    pos = 0
    for piece in shown_pieces:
        while pos < len(expected) and expected[pos] in _CUT_SPACE:
            pos += 1
        assert expected.startswith(piece, pos), (expected[pos : pos + 40], piece[:40])
        pos += len(piece)
    assert not expected[pos:].strip(_CUT_SPACE)
    # And, checked without the module's own normalization, every visible character is still there.
    assert visible("".join(shown_pieces)) == visible(body)
    return shown_pieces


# --- known breakouts ----------------------------------------------------------------------------------------

BREAKOUTS = {
    "pipes": "before||after",
    "only pipes": "||",
    "odd pipes": "|||||",
    "ends with pipe": "the end|",
    "starts with pipe": "|start",
    "escaped pipes in body": "a\\|\\|b\\|",
    "nested spoiler": "outer ||inner|| outer",
    "inline code swallowing": "`code|| x` y",
    "double backtick code": "``a || b``",
    "code fence": "```\ncode ||\n```\nafter",
    "lone backtick": "it`s",
    "url eats pipes": "see http://example.com||not hidden",
    "url at the end": "link: https://example.com/path?q=1",
    "url then escaped pipes": "https://example.com\\|\\|",
    "url with pipes": "https://example.com/a|b||c",
    "autolink": "<https://example.com/||>",
    "masked link": "[click](https://example.com/||) and [x][y]",
    "everyone": "hey @everyone and @here",
    "user and role mentions": "<@123> <@!456> <@&789> <#42> </review add:99>",
    "timestamps and emoji": "<t:1700000000:R> <:kansou:123> <a:spin:456> :smile:",
    "zero width around pipes": "a|\u200b|b\u200b||c",
    "rtl override": "\u202e||esrever\u202c done",
    "bidi isolates and marks": "x\u2066||\u2069y\u200e\u200f\u061c",
    "rlo hides delimiter": "safe \u202e|| tuo nekorb",
    "empty lines": "first\n\n\n\nsecond\n\n",
    "leading and trailing whitespace": "  \n\t  body  \n ",
    "headers": "# Episode 12\n## Part\n### Sub\n-# small",
    "quotes": "> quoted ||\n>>> block || quote",
    "lists": "- one\n* two\n+ three\n1. four",
    "emphasis": "**bold** __under__ *it* _it_ ~~strike~~ ***all***",
    "backslashes": "\\ \\\\ \\|| \\` \\",
    "shrug": "¯\\_(ツ)_/¯",
    "crlf": "line one\r\nline two\rline three",
    "emoji": "👨\u200d👩\u200d👧 🏳️\u200d🌈 🇯🇵 ❤\ufe0f 👍🏽",
    "combining": "Zalgo: z\u0301\u0302\u0303a\u0304\u0305",
    "control characters": "bell\x07nul\x00",
}


@pytest.mark.parametrize("spoiler", [True, False])
@pytest.mark.parametrize("limit", [20, 64, EMBED_FIELD_VALUE_LIMIT])
@pytest.mark.parametrize("body", list(BREAKOUTS.values()), ids=list(BREAKOUTS))
def test_breakouts_are_closed(body: str, limit: int, spoiler: bool) -> None:
    chunks = spoiler_chunks(body, spoiler=spoiler, limit=limit)
    assert chunks
    check(body, chunks, spoiler=spoiler, limit=limit)


def test_whole_message_of_pipes() -> None:
    body = "|" * 4000
    for limit in (20, EMBED_FIELD_VALUE_LIMIT, EMBED_DESCRIPTION_LIMIT):
        chunks = spoiler_chunks(body, spoiler=True, limit=limit)
        shown = check(body, chunks, spoiler=True, limit=limit)
        assert "".join(shown) == body
    # 4000 pipes escape to 8000 characters: eight 1024-character fields (1019 each after the wrapper).
    assert len(spoiler_chunks(body, spoiler=True, limit=EMBED_FIELD_VALUE_LIMIT)) == 8


def test_url_is_defanged_and_unlinked() -> None:
    [chunk] = spoiler_chunks("see https://example.com||x", spoiler=True, limit=1024)
    assert chunk == r"||see https\://example.com\|\|x ||"


def test_mentions_are_inert() -> None:
    [chunk] = spoiler_chunks("@everyone <@123> <@&4> <#5>", spoiler=True, limit=1024)
    assert chunk == f"||@{ZWSP}everyone \\<{ZWSP}@123> \\<{ZWSP}@&4> \\<{ZWSP}#5> ||"


def test_invisible_characters_are_removed() -> None:
    body = "a\u202eb\u200bc\u2066d\u2069e\ufefff"
    [chunk] = spoiler_chunks(body, spoiler=True, limit=100)
    assert chunk == "||abcdef ||"


def test_empty_bodies_give_no_chunks() -> None:
    assert spoiler_chunks("", spoiler=True, limit=1024) == []
    assert spoiler_chunks(" \n\t\u200b\u202e\n", spoiler=True, limit=1024) == []


def test_limit_too_small() -> None:
    assert spoiler_overhead(spoiler=True) == 5
    assert spoiler_overhead(spoiler=False) == 0
    with pytest.raises(ValueError):
        spoiler_chunks("text", spoiler=True, limit=6)
    assert spoiler_chunks("a|b", spoiler=True, limit=7) == ["||a ||", r"||\| ||", "||b ||"]
    assert spoiler_chunks("ab", spoiler=False, limit=2) == ["ab"]


# --- where chunks are cut -----------------------------------------------------------------------------------

def pieces(body: str, limit: int) -> list[str]:
    return check(body, spoiler_chunks(body, spoiler=True, limit=limit), spoiler=True, limit=limit)


def test_cuts_at_paragraphs_first() -> None:
    body = "First paragraph. It has two sentences.\n\nSecond one, also short.\nWith a second line."
    assert pieces(body, 70) == [
        "First paragraph. It has two sentences.",
        "Second one, also short.\nWith a second line.",
    ]


def test_cuts_at_lines_then_sentences_then_words() -> None:
    assert pieces("line one is here\nline two is here too", 30) == ["line one is here", "line two is here too"]
    assert pieces("One sentence here. Another sentence here.", 30) == [
        "One sentence here.",
        "Another sentence here.",
    ]
    assert pieces("many small words without any punctuation at all", 30) == [
        "many small words without",
        "any punctuation at all",
    ]


def test_cuts_cjk_sentences() -> None:
    body = "今日はいい天気でした。明日も晴れるといいですね。"
    assert pieces(body, 20) == ["今日はいい天気でした。", "明日も晴れるといいですね。"]


def test_long_word_is_cut_between_graphemes() -> None:
    body = "👨\u200d👩\u200d👧" * 20
    shown = pieces(body, 20)
    assert len(shown) > 1
    for piece in shown:
        assert set(grapheme_clusters(piece)) == {"👨\u200d👩\u200d👧"}


def test_never_cuts_an_escape() -> None:
    body = "a*" * 50
    for chunk in spoiler_chunks(body, spoiler=True, limit=20):
        inner = chunk[2:-3]
        assert not inner.endswith("\\") or inner.endswith("\\\\")
        assert re.fullmatch(r"(?:\\.|[^\\])*", inner)


def test_oversized_grapheme_is_cut_between_code_points() -> None:
    body = "e" + "\u0301" * 100
    shown = pieces(body, 20)
    assert "".join(shown) == body


def test_separate_chunks_even_joined_by_newlines_stay_hidden() -> None:
    # A caller that puts several chunks in one message, one per line, is still safe.
    body = "word|| " * 200 + "https://x.y/|| `a` @everyone"
    chunks = spoiler_chunks(body, spoiler=True, limit=64)
    message = "\n".join(chunks)
    for mode in MODES:
        rendered = render(message, mode=mode)
        assert all(r.spoiler or r.char == "\n" for r in rendered)
        assert all(not r.marks for r in rendered)


# --- properties ---------------------------------------------------------------------------------------------

_TOKENS = [
    "|", "|", "||", "`", "```", "\\", "*", "**", "_", "__", "~", "~~", ">", ">>> ", "#", "# ", "-", "-# ", "1. ",
    "\n# ", "\n> ", "\n- ", "\n12. ", "\n-# ", "\n>>> ", "@",
    "<", ":", "[", "]", "(", ")", "h", "t", "p", "s", ":", "/", "http://", "https://", "HTTPS://",
    "@everyone", "@here", "<@123>", "<@&45>", "<#6>", "</cmd:7>", "<t:1:R>", "<:e:1>", ":smile:",
    "[x](https://e.com)", "\n", "\n\n", "\r\n", " ", " ", "  ", "\t", "\u00a0", "\u200b", "\u200c", "\u200d",
    "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\ufeff", "\u00ad", "\ufe0f",
    "\x00", "\ud800", "👍", "👨\u200d👩\u200d👧", "🇯🇵", "❤\ufe0f", "e\u0301", "한", "שלום", "مرحبا",
    "word", "review", ". ", "。", "x" * 25,
]
_piece = st.one_of(st.sampled_from(_TOKENS), st.characters(exclude_categories=()))
# Short bodies find the sharp corners, long ones exercise cutting into many chunks.
body_strategy = st.one_of(
    st.lists(_piece, max_size=40), st.lists(_piece, min_size=40, max_size=600)
).map("".join)
limit_strategy = st.one_of(st.integers(20, 80), st.integers(81, 4096))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(body=body_strategy, limit=limit_strategy)
def test_any_body_stays_hidden_whole_and_within_limits(body: str, limit: int) -> None:
    chunks = spoiler_chunks(body, spoiler=True, limit=limit)
    check(body, chunks, spoiler=True, limit=limit)
    assert bool(chunks) == bool(normalize_body(body).strip(_CUT_SPACE))


@settings(max_examples=max(50, FUZZ_EXAMPLES // 3), deadline=None)
@given(body=body_strategy, limit=limit_strategy)
def test_any_body_without_spoilers_renders_literally(body: str, limit: int) -> None:
    check(body, spoiler_chunks(body, spoiler=False, limit=limit), spoiler=False, limit=limit)


def test_normalize_body() -> None:
    assert normalize_body("a\r\nb\u202e @here") == f"a\nb @{ZWSP}here"
    assert normalize_body("x") == sanitize_text("x")
