"""Escaping, mention neutralizing and invisible-character stripping, checked against a model of Discord."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.markdown import (
    ELLIPSIS,
    ZWSP,
    discord_len,
    escape_markdown,
    grapheme_clusters,
    neutralize_mentions,
    normalize_newlines,
    safe_inline,
    sanitize_text,
    strip_invisible,
)
from tests.helpers.discord_markdown import MODES, Mode, RChar, plain, render

SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
FUZZ_EXAMPLES = int(os.environ.get("KANSOU_FUZZ_EXAMPLES", "300"))

# Raw-text patterns Discord's server looks for to decide who a message mentions.
_SERVER_MENTIONS = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>|</[^:>]+:\d+>", re.IGNORECASE)

# Text that over-weights everything markdown, mention or bidi related.
_TOKENS = [
    "|", "||", "`", "```", "\\", "*", "**", "_", "__", "~", "~~", ">", ">>> ", "#", "# ", "-", "-# ", "+", "1.",
    "\n# ", "\n> ", "\n- ", "\n12. ", "\n-# ", "\n>>> ", " * ",
    "@", "<", ">", ":", "[", "]", "(", ")", "h", "t", "p", "s", "/", "http://", "https://", "HTTP://",
    "@everyone", "@here", "<@123>", "<@!123>", "<@&45>", "<#6>", "</cmd:7>", "<t:1700000000:R>", "<:e:1>",
    ":smile:", "[x](https://e.com)", "\n", "\n\n", "\r\n", "\r", " ", "  ", "\t", "\u00a0", "\u3000",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028",
    "\ufeff", "\u00ad", "\u3164", "\ufe0f", "\x00", "\x7f", "\ud800", "👍", "👨\u200d👩\u200d👧", "🇯🇵",
    "❤\ufe0f", "é", "e\u0301", "한", "שלום", "مرحبا", "a", "b", "word", "。", ". ", "\\|",
]
text_strategy = st.lists(
    st.one_of(st.sampled_from(_TOKENS), st.characters(exclude_categories=())), max_size=80
).map("".join)


def marks_of(rendered: list[RChar]) -> set[str]:
    return set().union(*(r.marks for r in rendered)) if rendered else set()


def assert_literal(source: str, expected: str, mode: Mode) -> None:
    rendered = render(source, mode=mode)
    assert plain(rendered) == expected
    assert marks_of(rendered) == set()
    assert not any(r.spoiler for r in rendered)


# --- escape_markdown ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain words, nothing (special) here!", "plain words, nothing (special) here!"),
        ("**bold** __under__ *it* _it_ ~~strike~~", r"\*\*bold\*\* \_\_under\_\_ \*it\* \_it\_ \~\~strike\~\~"),
        ("||spoiler||", r"\|\|spoiler\|\|"),
        ("`code` ```block```", r"\`code\` \`\`\`block\`\`\`"),
        ("back\\slash", r"back\\slash"),
        ("# h1\n## h2\n-# sub", "\\# h1\n\\## h2\n\\-# sub"),
        ("> quote\n>>> block", "\\> quote\n\\>>> block"),
        ("- a\n* b\n+ c\n12. d", "\\- a\n\\* b\n\\+ c\n12\\. d"),
        ("  # indented", "  \\# indented"),
        ("a # b > c - d 1. e", "a # b > c - d 1. e"),
        ("[text](https://e.com)", r"\[text\](https\://e.com)"),
        ("see http://x.com", r"see http\://x.com"),
        (":smile: a: b", r"\:smile: a: b"),
        ("12:30", r"12\:30"),
        ("ends:", r"ends\:"),
        ("<@123> <#1> <t:1:R> <:e:1>", r"\<@123> \<#1> \<t\:1\:R> \<\:e\:1>"),
        ("@everyone @Here @someone", r"\@everyone \@Here @someone"),
    ],
)
def test_escape_markdown_examples(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped
    for mode in MODES:
        assert_literal(escaped, text, mode)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(text=text_strategy)
def test_escaped_text_renders_literally(text: str) -> None:
    escaped = escape_markdown(text)
    for mode in MODES:
        assert_literal(escaped, text, mode)
    if text:  # inside bold, still only bold
        for mode in MODES:
            rendered = render(f"**{escaped}**", mode=mode)
            assert plain(rendered) == text
            assert marks_of(rendered) == {"bold"}


# --- neutralize_mentions ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "neutral"),
    [
        ("@everyone", f"@{ZWSP}everyone"),
        ("@here", f"@{ZWSP}here"),
        ("@EVERYONE", f"@{ZWSP}EVERYONE"),
        ("hi@heresy", f"hi@{ZWSP}heresy"),
        ("<@123>", f"<{ZWSP}@123>"),
        ("<@!123>", f"<{ZWSP}@!123>"),
        ("<@&123>", f"<{ZWSP}@&123>"),
        ("<#123>", f"<{ZWSP}#123>"),
        ("</review add:123>", f"<{ZWSP}/review add:123>"),
        ("a < b, @bob, mail@example.com", "a < b, @bob, mail@example.com"),
    ],
)
def test_neutralize_mentions(text: str, neutral: str) -> None:
    assert neutralize_mentions(text) == neutral
    assert not _SERVER_MENTIONS.search(neutral)
    assert neutralize_mentions(neutral) == neutral  # idempotent: no second ZWSP


@settings(max_examples=FUZZ_EXAMPLES // 2, deadline=None)
@given(text=text_strategy)
def test_neutralized_text_never_mentions(text: str) -> None:
    clean = sanitize_text(text)
    safe = neutralize_mentions(clean)
    assert not _SERVER_MENTIONS.search(safe)
    assert safe.replace(ZWSP, "") == clean
    for mode in MODES:
        assert_literal(escape_markdown(safe), safe, mode)


# --- invisible characters -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("a\u202eevil\u202c b", "aevil b"),  # RLO / PDF
        ("\u2066x\u2069 \u2067y\u2069 \u2068z\u2069", "x y z"),  # isolates
        ("\u200eleft\u200f\u061c", "left"),  # LRM, RLM, ALM
        ("zero\u200bwidth\u2060joiner\ufeff", "zerowidthjoiner"),
        ("soft\u00adhyphen", "softhyphen"),
        ("\u3164\u115f\u1160\uffa0name", "name"),  # Hangul fillers (blank "names")
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("keep\ttab\nand newline", "keep\ttab\nand newline"),
        ("@every\u200done", "@everyone"),  # ZWJ between ASCII: only hides
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # emoji ZWJ sequence
        ("❤\ufe0f\u200d🔥", "❤\ufe0f\u200d🔥"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian ZWNJ
        ("क्\u200dष", "क्\u200dष"),  # Devanagari ZWJ
        ("❤\ufe0f\ufe0f\ufe0f", "❤\ufe0f"),  # a run of selectors is a hidden payload
        ("\ufe0fstart", "start"),
        (SCOTLAND, SCOTLAND),  # a well-formed emoji tag sequence keeps its tags
        ("hidden\U000e0041\U000e0042 tags", "hidden tags"),  # "ASCII smuggling" in tag characters
        ("lone\ud800surrogate\uffff", "lonesurrogate"),
        ("\u0600\u0661", "\u0600\u0661"),  # Arabic number sign is visible
    ],
)
def test_strip_invisible(text: str, stripped: str) -> None:
    assert strip_invisible(text) == stripped


def test_normalize_newlines() -> None:
    assert normalize_newlines("a\r\nb\rc\x85d\u2028e\u2029f\vg\fh") == "a\nb\nc\nd\ne\nf\ng\nh"
    assert sanitize_text("a\r\n\u202eb") == "a\nb"


# --- grapheme clusters and lengths --------------------------------------------------------------------------

def test_grapheme_clusters() -> None:
    family = "👨\u200d👩\u200d👧"
    assert grapheme_clusters(f"a{family}🇯🇵🇫🇷e\u0301\u1100\u1161\u11a8👍🏽") == [
        "a", family, "🇯🇵", "🇫🇷", "e\u0301", "\u1100\u1161\u11a8", "👍🏽"
    ]
    assert grapheme_clusters("\n\u0301") == ["\n", "\u0301"]
    assert grapheme_clusters(f"@{ZWSP}everyone")[0] == f"@{ZWSP}"


@given(text=text_strategy)
def test_grapheme_clusters_partition(text: str) -> None:
    assert "".join(grapheme_clusters(text)) == text


def test_discord_len_counts_utf16() -> None:
    assert discord_len("abc") == 3
    assert discord_len("👍") == 2
    assert discord_len("é") == 1


# --- safe_inline --------------------------------------------------------------------------------------------

def test_safe_inline_examples() -> None:
    assert safe_inline("", max_len=10) == ""
    assert safe_inline("  Hibike!\n  Euphonium  ", max_len=100) == "Hibike! Euphonium"
    assert safe_inline("**Yuru** _Camp_", max_len=100) == r"\*\*Yuru\*\* \_Camp\_"
    assert safe_inline("\u202eevil\u200b name", max_len=100) == "evil name"
    assert safe_inline("@everyone <@&1>", max_len=100) == f"@{ZWSP}everyone \\<{ZWSP}@&1>"
    assert safe_inline("# Title", max_len=100) == r"\# Title"
    assert safe_inline("a" * 20, max_len=10) == "a" * 9 + ELLIPSIS
    assert safe_inline("a b c d e f", max_len=6) == "a b c" + ELLIPSIS
    # Never cut inside an escape: "***" costs 6, so only two fit before the ellipsis in 6.
    assert safe_inline("******", max_len=6) == r"\*\*" + ELLIPSIS
    assert safe_inline("👨\u200d👩\u200d👧" * 3, max_len=10) == "👨\u200d👩\u200d👧" + ELLIPSIS
    assert safe_inline("anything", max_len=1) == ELLIPSIS
    with pytest.raises(ValueError):
        safe_inline("x", max_len=0)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(text=text_strategy, max_len=st.integers(1, 120))
def test_safe_inline_properties(text: str, max_len: int) -> None:
    result = safe_inline(text, max_len=max_len)
    assert discord_len(result) <= max_len
    assert "\n" not in result
    assert not _SERVER_MENTIONS.search(result)
    collapsed = " ".join(sanitize_text(text).split())
    expected = neutralize_mentions(collapsed)
    for mode in MODES:
        # Safe inside bold, as the bot uses names: **name**.
        rendered = render(f"**{result}**", mode=mode) if result else []
        shown = plain(rendered)
        assert marks_of(rendered) <= {"bold"}
        if shown != expected:  # truncated: a prefix, then the ellipsis
            assert shown.endswith(ELLIPSIS)
            assert collapsed.startswith(shown[: -len(ELLIPSIS)].replace(ZWSP, ""))
