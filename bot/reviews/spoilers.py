"""Review bodies put inside Discord spoiler markup: no breakout, no ping, nothing lost, within Discord's limits.

:func:`spoiler_chunks` turns a body into chunks, each meant to be a whole embed field value / description /
message on its own (or to follow a line break, never other text on the same line). Each chunk is
``||`` + escaped text + ``" ||"``:

* the text is escaped with :func:`bot.core.markdown.escape_markdown`, so it holds no ``||``, no backtick
  (a code span would swallow the closing ``||``), no ``<``, no ``https://`` (Discord's URL rule accepts ``|``
  and would run on into the closing ``||``; an escaped ``:`` means there is no URL at all, which also keeps
  Discord from showing a link preview outside the spoiler), no line-start header/quote/list marker;
* the space before the closing ``||`` is there because Discord's spoiler rule (``^\\|\\|([\\s\\S]+?)\\|\\|``)
  does not know about escapes: text ending in an escaped pipe, ``\\|`` + ``||``, would close one character
  early. The space also stops anything that runs "until whitespace" (URLs, should one ever get through).

Nothing is lost: one after the other, the chunks show :func:`normalize_body` of the body - the body with
line breaks spelled ``\\n``, invisible characters removed (see ``strip_invisible``) and a ZWSP in each
mention - except that whitespace where a chunk is cut (and at the start and end of the body) is dropped, as
Discord would trim it anyway, and that each spoiler chunk shows one trailing space, the guard above.
Lengths are counted in UTF-16 code units, which is never less than what Discord counts.
"""

from __future__ import annotations

import re

from bot.core.markdown import (
    discord_len,
    escape_markdown,
    grapheme_clusters,
    neutralize_mentions,
    sanitize_text,
)
from bot.core.text import Md

SPOILER_OPEN = "||"
SPOILER_CLOSE = " ||"  # the space is deliberate, see the module docstring
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_DESCRIPTION_LIMIT = 4096
MESSAGE_CONTENT_LIMIT = 2000
# The most a single code point can cost once escaped ("\\|", or a non-BMP character in UTF-16): any budget
# of at least this much always makes progress.
_MIN_BUDGET = 2

_BOUNDARY_SPACE = frozenset(" \t\n")
# Levels of cut points, best first. A cut is preferred at the highest level that still fills at least half
# of the room a chunk has; failing that, the latest cut of any level; failing that, any grapheme boundary.
_PARAGRAPH, _LINE, _SENTENCE, _WORD = 4, 3, 2, 1
_SENTENCE_END = re.compile(r"[.!?…‽。！？][\"'”’»)\]]*\Z")
_CJK_SENTENCE_END = frozenset("。！？")


def normalize_body(body: str) -> str:
    """The plain text the chunks of ``body`` show: newlines as "\\n", invisible characters gone, mentions inert."""
    return neutralize_mentions(sanitize_text(body))


def spoiler_overhead(*, spoiler: bool) -> int:
    """How many characters the spoiler wrapper adds to each chunk (0 without spoilers)."""
    return discord_len(SPOILER_OPEN) + discord_len(SPOILER_CLOSE) if spoiler else 0


def spoiler_chunks(body: str, *, spoiler: bool, limit: int) -> list[Md]:
    """``body`` escaped, cut into chunks of at most ``limit`` characters, each a balanced ``||…||`` if ``spoiler``."""
    budget = limit - spoiler_overhead(spoiler=spoiler)
    if budget < _MIN_BUDGET:
        raise ValueError(f"limit {limit} leaves no room for text")
    pieces = _split(normalize_body(body), budget)
    if not spoiler:
        return [Md(escape_markdown(piece)) for piece in pieces]
    return [Md(SPOILER_OPEN + escape_markdown(piece) + SPOILER_CLOSE) for piece in pieces]


def _cost(piece: str) -> int:
    return discord_len(escape_markdown(piece))


def _join(clusters: list[str], start: int, end: int) -> str:
    """The piece clusters[start:end] with whitespace at its end dropped (it would sit at a cut)."""
    return "".join(clusters[start:end]).rstrip(" \t\n")


def _split(text: str, budget: int) -> list[str]:
    """Cut ``text`` into pieces whose escaped length is at most ``budget``, at the best boundaries available."""
    clusters = grapheme_clusters(text)
    pieces: list[str] = []
    i = 0
    while i < len(clusters):
        if clusters[i] in _BOUNDARY_SPACE:
            i += 1  # whitespace at a cut point is dropped
            continue
        if _cost(clusters[i]) > budget:
            # One grapheme (say a letter under hundreds of combining marks) longer than a chunk: only then
            # is it cut, between code points, which still never cuts an escape (escaping comes later).
            clusters[i : i + 1] = list(clusters[i])
            continue
        # The longest run of graphemes that fits. Each costs at least one unit, hence the upper bound.
        low, high = i + 1, min(len(clusters), i + budget)
        if high == len(clusters) and _cost(_join(clusters, i, high)) <= budget:
            low = high  # all the rest fits (what the search below finds, as the cost never falls as a piece grows)
        while low < high:
            mid = (low + high + 1) // 2
            if _cost(_join(clusters, i, mid)) <= budget:
                low = mid
            else:
                high = mid - 1
        end = low if low == len(clusters) else _best_cut(clusters, i, low)
        pieces.append(_join(clusters, i, end))
        i = end
    return pieces


def _cut_level(clusters: list[str], k: int) -> int:
    """How good a place it is to end a piece before clusters[k] (0: not a word boundary at all)."""
    before = clusters[k - 1]
    if before in _BOUNDARY_SPACE:
        return 0
    if k == len(clusters):
        return _PARAGRAPH
    if clusters[k] in _BOUNDARY_SPACE:
        newlines = 0
        j = k
        while j < len(clusters) and clusters[j] in _BOUNDARY_SPACE and newlines < 2:
            newlines += clusters[j] == "\n"
            j += 1
        if newlines >= 2:
            return _PARAGRAPH
        if newlines == 1:
            return _LINE
        if _SENTENCE_END.search("".join(clusters[max(0, k - 4) : k])):
            return _SENTENCE
        return _WORD
    if before in _CJK_SENTENCE_END:
        return _SENTENCE  # CJK sentences end without a space
    return 0


def _best_cut(clusters: list[str], start: int, end: int) -> int:
    """Where to end the piece that starts at ``start`` and may run up to ``end`` (exclusive)."""
    half = start + (end - start + 1) // 2
    best_level, best_k = 0, -1
    latest_k = -1
    for k in range(end, start, -1):
        if k < half and latest_k > 0:
            break  # nothing further back can beat what was found
        level = _cut_level(clusters, k)
        if not level:
            continue
        if latest_k < 0:
            latest_k = k
        if k >= half and level > best_level:
            best_level, best_k = level, k
            if level == _PARAGRAPH:
                break
    if best_k > 0:
        return best_k
    if latest_k > 0:
        return latest_k
    return end  # no word boundary at all: cut between graphemes
