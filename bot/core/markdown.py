"""Member-supplied text made safe to show in Discord: markdown escaped, mentions inert, no invisible tricks.

Pure Python on purpose (no ``discord`` import): the rules below are checked in the tests against a model of
Discord's markdown (``tests/helpers/discord_markdown.py``), so they can be reasoned about on their own.

Escaping rules (:func:`escape_markdown`), chosen so that the text renders literally wherever it is put:

* always escaped: ``\\ * _ ~ ` | < [ ]`` - emphasis, strike, underline, code, spoilers, masked links, and
  everything that starts with ``<`` (mentions, custom emoji, timestamps, ``<url>`` autolinks, guide links);
* ``:`` is escaped unless (JavaScript) whitespace follows it: that kills ``:shortcode:`` emoji and
  ``https://`` autolinks (the URL rule needs a literal ``://``) while "Note: text" stays as it is;
* at the start of a line (after any indentation): ``# > - + *`` (headers, ``-#`` subtext, block quotes,
  list bullets) and the dot of a numbered list item (``1.``);
* ``@`` before ``everyone`` / ``here`` (any case).

``(`` and ``)`` are left alone: without an unescaped ``[`` there is no masked link for them to close.

Invisible characters (:func:`strip_invisible`): bidi embeddings, overrides, isolates and marks, zero-width
spaces, word joiners, BOMs, soft hyphens, Hangul fillers, stray variation selectors and tag characters and
control characters are removed. Kept, because real text needs them: ZWJ / ZWNJ between two non-ASCII
letters, marks, digits or symbols (emoji ZWJ sequences, Persian and Indic scripts), one variation selector
right after a visible character (heart + VS16 is the red-heart emoji), and the tag characters of a
well-formed emoji tag sequence (the flags of Scotland, Wales, England). Everything else default-ignorable
could hide or reorder text.
"""

from __future__ import annotations

import functools
import re
import unicodedata

ZWSP = "\u200b"
ZWNJ = "\u200c"
ZWJ = "\u200d"
ELLIPSIS = "…"

# "\r\n", lone "\r", vertical tab, form feed, NEL and the Unicode line/paragraph separators all become "\n":
# Discord's rules only know "\n", and a stray "\r" or U+2028 would make "start of line" ambiguous.
_NEWLINES = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")

# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt): code points that render as
# nothing. Each is removed unless one of the exceptions in strip_invisible applies.
_DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark (bidi)
    (0x115F, 0x1160),  # Hangul choseong/jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels (not to be used)
    (0x180B, 0x180F),  # Mongolian free variation selectors, vowel separator
    (0x200B, 0x200F),  # ZWSP, ZWNJ, ZWJ, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates, deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero-width no-break space / BOM
    (0xFFA0, 0xFFA0),  # half-width Hangul filler
    (0xFFF0, 0xFFF8),  # unassigned specials
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE0FFF),  # tags, variation selectors supplement, unassigned
)
_VARIATION_SELECTORS: tuple[tuple[int, int], ...] = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_MONGOLIAN_FVS = frozenset({0x180B, 0x180C, 0x180D, 0x180F})
# Format (Cf) characters that are visible: prepended concatenation marks (Arabic number signs, ...).
_VISIBLE_FORMAT = frozenset({0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891,
                             0x08E2, 0x110BD, 0x110CD})
# The flag of Scotland is a black flag, the tag letters "gbsct" and a cancel tag: such tags are kept, no others.
_EMOJI_TAG_SEQUENCE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
_REGIONAL_INDICATORS = "".join(chr(cp) for cp in range(0x1F1E6, 0x1F200))
_ASCII_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")

# JavaScript's \s (what Discord's regexes use), minus "\n": indentation before a line-start marker.
_JS_SPACE = frozenset("\t\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                      "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u180e")
_ALWAYS_ESCAPED = frozenset("\\*_~`|<[]")
_LINE_START_MARKERS = frozenset("#>-+*")
_NUMBERED_ITEM = re.compile(r"[0-9]+\.")
_MASS_MENTION_AHEAD = re.compile(r"everyone|here", re.IGNORECASE)

# Mentions as Discord's server and client find them in raw text: @everyone/@here, and <@id>, <@!id>, <@&id>,
# <#id>, </command:id>. A ZWSP after "@" / "<" makes none of them match any more.
_MASS_MENTION = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
_ANGLE_MENTION = re.compile(r"<(?=[@#/])")


def discord_len(text: str) -> int:
    """Length as Discord's limits count it, conservatively: UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def normalize_newlines(text: str) -> str:
    """Every line break spelled as "\\n" (CRLF, CR, VT, FF, NEL, U+2028, U+2029)."""
    return _NEWLINES.sub("\n", text)


def _in_ranges(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _is_variation_selector(cp: int) -> bool:
    return _in_ranges(cp, _VARIATION_SELECTORS)


def _joinable(char: str) -> bool:
    """Whether a ZWJ/ZWNJ next to ``char`` can be doing real work (emoji sequences, Indic/Arabic shaping)."""
    return not char.isascii() and unicodedata.category(char)[0] in "LMNS"


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def strip_invisible(text: str) -> str:
    """Remove characters that could hide or reorder text (bidi controls, zero-width, controls), keep legit ones."""
    if text.isascii():
        return _ASCII_CONTROLS.sub("", text)
    if _nothing_to_strip(text):
        return text
    protected: set[int] = set()
    for match in _EMOJI_TAG_SEQUENCE.finditer(text):
        protected.update(range(match.start() + 1, match.end()))
    out: list[str] = []
    prev_kept = False  # was text[i - 1] kept? (a variation selector must follow its base directly)
    for i, char in enumerate(text):
        cp = ord(char)
        keep: bool
        if char in "\n\t" or i in protected:
            keep = True
        elif char in (ZWJ, ZWNJ):
            # Kept between two non-ASCII visible characters only: 👨‍👩‍👧, می‌خواهم, क्‍ष. Between ASCII
            # ("@every\u200done") it has no job but to split words invisibly.
            keep = (prev_kept and bool(out) and _joinable(out[-1])
                    and i + 1 < len(text) and _joinable(text[i + 1]))
        elif _is_variation_selector(cp):
            # One selector directly after a visible base (emoji or text style); a run of them is a hidden payload.
            keep = (prev_kept and bool(out) and not _is_variation_selector(ord(out[-1]))
                    and not out[-1].isspace() and unicodedata.category(out[-1])[0] != "C")
        elif cp in _MONGOLIAN_FVS:
            keep = prev_kept and bool(out) and 0x1800 <= ord(out[-1]) <= 0x18AF
        elif _in_ranges(cp, _DEFAULT_IGNORABLE):
            keep = False
        else:
            category = unicodedata.category(char)
            if category in ("Cc", "Cs") or _is_noncharacter(cp):
                keep = False
            elif category == "Cf":
                keep = cp in _VISIBLE_FORMAT
            else:
                keep = True
        if keep:
            out.append(char)
        prev_kept = keep
    return "".join(out)


# Printable characters (not Cc, Cf, Cs, Cn, Z*) that strip_invisible may still remove or judge by context:
# default-ignorable letters and marks, variation selectors, Mongolian free variation selectors, tags.
_PRINTABLE_SPECIAL = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
                                "\U000e0000-\U000e0fff]")


def _nothing_to_strip(text: str) -> bool:
    """A fast, exact test that strip_invisible keeps every character of ``text``.

    Printable characters outside ``_PRINTABLE_SPECIAL`` are never ZWJ/ZWNJ, variation selectors, default
    ignorable, controls, surrogates, format characters or noncharacters, so the loop below keeps them all;
    newlines and tabs are always kept. Anything else (a space other than " " included) takes the full loop.
    """
    return (text.replace("\n", "").replace("\t", "").isprintable()
            and _PRINTABLE_SPECIAL.search(text) is None)


def sanitize_text(text: str) -> str:
    """Newlines normalized to "\\n" and :func:`strip_invisible` applied: the plain text we agree to show."""
    return strip_invisible(normalize_newlines(text))


# Every character escape_markdown may escape, and the "digit then dot" of a numbered list item: text without
# any of them comes out unchanged.
_MAY_ESCAPE = re.compile(r"[\\*_~`|<\[\]:@#>+\-]|[0-9]\.")


def escape_markdown(text: str) -> str:
    """Backslash-escape every Discord markdown construct so ``text`` renders literally (see module doc)."""
    if _MAY_ESCAPE.search(text) is None:
        return text
    out: list[str] = []
    n = len(text)
    line_start = True
    force = -1  # index of a line-start marker to escape
    for i, char in enumerate(text):
        if char == "\n":
            out.append(char)
            line_start = True
            continue
        if line_start:
            if char in _JS_SPACE or char.isspace():
                out.append(char)  # indentation: the marker may come after it
                continue
            line_start = False
            if char in _LINE_START_MARKERS:
                force = i
            elif "0" <= char <= "9":
                numbered = _NUMBERED_ITEM.match(text, i)
                if numbered:
                    force = numbered.end() - 1
        if char in _ALWAYS_ESCAPED or i == force:
            out.append("\\" + char)
        elif char == ":" and (i + 1 == n or (text[i + 1] not in _JS_SPACE and text[i + 1] != "\n")):
            out.append("\\:")
        elif char == "@" and _MASS_MENTION_AHEAD.match(text, i + 1):
            out.append("\\@")
        else:
            out.append(char)
    return "".join(out)


def neutralize_mentions(text: str) -> str:
    """Put a ZWSP after the "@" of @everyone/@here and the "<" of <@id>, <@&id>, <#id>, </cmd:id>: no pings."""
    return _ANGLE_MENTION.sub("<" + ZWSP, _MASS_MENTION.sub("@" + ZWSP, text))


def _continues_cluster(cluster: str, char: str) -> bool:
    """Whether ``char`` belongs to the grapheme cluster ``cluster`` (simplified UAX #29)."""
    last = cluster[-1]
    if last in " \n\t" or char in " \n\t":
        # GB4/GB5: controls stand alone. Unlike UAX #29, a mark after a space is not joined to it either: the
        # space is where a chunk may be cut, and a cut there must not carry the space into a chunk's edge.
        return False
    cp = ord(char)
    category = unicodedata.category(char)
    if category == "Cc":
        return False
    if (category in ("Mn", "Me", "Mc") or char in (ZWJ, ZWNJ, ZWSP)
            or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F):
        # GB9/GB9a: extenders and spacing marks. ZWSP is not one in UAX #29, but the only ZWSPs left at this
        # point are those neutralize_mentions put after "@" or "<", and they belong with that character.
        return True
    if last == ZWJ:
        return not char.isspace()  # GB11: emoji ZWJ sequences
    last_cp = ord(last)
    if 0x1F1E6 <= cp <= 0x1F1FF and 0x1F1E6 <= last_cp <= 0x1F1FF:
        # GB12/13: regional indicators pair up into flags.
        run = len(cluster) - len(cluster.rstrip(_REGIONAL_INDICATORS))
        return run % 2 == 1
    return _hangul_continues(last_cp, cp)


def _hangul_kind(cp: int) -> str:
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _hangul_continues(last_cp: int, cp: int) -> bool:
    """GB6-GB8: conjoining jamo sequences form one syllable."""
    last, kind = _hangul_kind(last_cp), _hangul_kind(cp)
    if not last or not kind:
        return False
    if last == "L":
        return kind in ("L", "V", "LV", "LVT")
    if last in ("LV", "V"):
        return kind in ("V", "T")
    return kind == "T"  # last is LVT or T


def grapheme_clusters(text: str) -> list[str]:
    """``text`` cut into user-perceived characters (a simplified UAX #29), never inside an emoji or a surrogate."""
    if text.isascii():
        return list(text)
    clusters: list[str] = []
    current = ""
    for char in text:
        if current and _continues_cluster(current, char):
            current += char
        else:
            if current:
                clusters.append(current)
            current = char
    if current:
        clusters.append(current)
    return clusters


def _already_inline(text: str) -> bool:
    """Whether ``text`` is already one safe line: printable, single spaces, nothing to remove, inert or escape."""
    return (text.isprintable() and _MAY_ESCAPE.search(text) is None and _PRINTABLE_SPECIAL.search(text) is None
            and " ".join(text.split()) == text)


def _inline_render(text: str) -> str:
    return escape_markdown(neutralize_mentions(text))


# Names and titles are shown again and again (a cast list renders hundreds); the result depends on nothing else.
@functools.lru_cache(maxsize=4096)
def safe_inline(text: str, *, max_len: int) -> str:
    """A member-supplied name/title as one safe markdown line of at most ``max_len`` (escaped) characters."""
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    if _already_inline(text) and discord_len(text) <= max_len:
        return text  # what the steps below would give: nothing to strip, join, neutralize, escape or cut
    plain = " ".join(sanitize_text(text).split())  # any run of whitespace, newlines included, is one space
    rendered = _inline_render(plain)
    if discord_len(rendered) <= max_len:
        return rendered
    clusters = grapheme_clusters(plain)

    def candidate(count: int) -> str:
        return _inline_render("".join(clusters[:count]).rstrip()) + ELLIPSIS

    # The longest prefix (in whole graphemes, so never inside an escape or an emoji) that fits with the "…".
    # Each grapheme costs at least one unit, so no more than max_len of them can fit.
    low, high = 0, min(len(clusters), max_len)
    while low < high:
        mid = (low + high + 1) // 2
        if discord_len(candidate(mid)) <= max_len:
            low = mid
        else:
            high = mid - 1
    result = candidate(low)
    # Escaped length grows with the prefix almost everywhere; step back should an odd spot break that.
    while low > 0 and discord_len(result) > max_len:
        low -= 1
        result = candidate(low)
    return result
