"""A test-only model of Discord's message markdown: which characters of the rendered text are in a spoiler.

``render(text)`` parses a message (an embed field value, a description) and returns one :class:`RChar` per
character of the rendered plain text: the character, whether it is inside a spoiler, and the other markup
it is inside (``code``, ``link``, ``mention``, ``emoji``, ``bold``, ``heading``, ...). The tests use it to check
that escaped text renders literally (no marks, same text) and that a spoiler covers all of it.

Sources. Discord's client parses messages with Khan Academy's ``simple-markdown`` plus its own rules; the
regular expressions below are those of simple-markdown's default rules and of the reimplementations of
Discord's rules (the ``discord-markdown`` family of packages and Discord's help article "Markdown Text 101"):

* escape ``^\\\\([^0-9A-Za-z\\s])``;
* code block ``^```(([a-z0-9_+\\-.#]+?)\\n+)?\\n*([^]+?)\\n*```/i``, inline code ``^(`+)([\\s\\S]*?[^`])\\1(?!`)``;
* spoiler ``^\\|\\|([\\s\\S]+?)\\|\\|`` (non-greedy, spans newlines, content parsed again for inline markup);
* URL ``^(https?:\\/\\/[^\\s<]+[^<.,:;"')\\]\\s])`` - note that ``|`` is a URL character;
  autolink ``^<([^: >]+:\\/[^ >]+)>``, mailto ``^<([^ >]+@[^ >]+)>``, masked link (simple-markdown's ``link``);
* user/role/channel mentions ``<@!?id>``, ``<@&id>``, ``<#id>``, slash commands ``</name:id>``, custom emoji
  ``<a?:name:id>``, timestamps ``<t:n(:style)?>``, ``@everyone``, ``@here``, ``:shortcode:`` emoji;
* strong ``^\\*\\*([\\s\\S]+?)\\*\\*(?!\\*)``, underline ``^__([\\s\\S]+?)__(?!_)``, em (simple-markdown's),
  strike ``^~~([\\s\\S]+?)~~(?!_)``;
* at the start of a line: headers ``^(#{1,3}) +…``, subtext ``^-# +…``, block quotes ``^ *>>> [\\s\\S]*`` and
  ``^ *> …``, list items ``^ *([*-]|\\d+\\.) +…``.

Assumptions, each chosen to be pessimistic (to flag more than Discord would, never less):

* Every rule is tried at every position. Discord's ``text`` rule consumes runs of letters and so skips some
  positions (for instance it never starts a URL in the middle of a word unless ``\\w+:\\S`` follows); trying
  everywhere can only find more markup. Case is ignored in ``http``/``https`` and ``@everyone``/``@here``,
  shortcodes are any ``:name:``, mention ids any digits.
* The line-start rules also apply at the start of any nested content (just after an opening ``||``, inside
  ``**…**``) and accept any JavaScript whitespace as indentation.
* How the closing ``||`` of a spoiler is found is not documented, so there are two modes, and the tests
  require the output to be safe under both:

  - ``"regex"``: simple-markdown's way. The spoiler regex runs on the raw text first and takes the first
    ``||`` after at least one character, escapes or not (so ``||a\\|||`` closes after ``a\\``); the content
    is then parsed on its own.
  - ``"tokenizer"``: the content is parsed token by token and the spoiler closes at the first ``||`` that
    parsing reaches at the top level. Anything that starts inside and runs on - a URL, inline code, a code
    block, a ``>>>`` quote, a header line, ``**bold**`` - swallows the ``||`` and the spoiler never closes
    (its ``||`` then shows as text and nothing after it is hidden).

* Not modelled, as it does not change where spoilers start or end: tabs shown as spaces, trimming of the
  message, link previews, emoticons such as ``¯\\_(ツ)_/¯``, table/setext syntax Discord does not have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Mode = Literal["regex", "tokenizer"]
MODES: tuple[Mode, ...] = ("regex", "tokenizer")

# JavaScript's \s, which Discord's regexes use (wider than ASCII, narrower than Python's str.isspace).
_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WS_NO_NL = _WS.replace("\n", "")

_ESCAPE = re.compile(rf"\\([^0-9A-Za-z{_WS}])")
_CODE_BLOCK = re.compile(r"```(?:([a-z0-9_+\-.#]+?)\n+)?\n*([\s\S]+?)\n*```", re.IGNORECASE)
_INLINE_CODE = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")
_SPOILER = re.compile(r"\|\|([\s\S]+?)\|\|")
_URL = re.compile(rf"https?://[^{_WS}<]+[^<.,:;\"')\]{_WS}]", re.IGNORECASE)
_AUTOLINK = re.compile(r"<([^: >]+:/[^ >]+)>")
_MAILTO = re.compile(r"<([^ >]+@[^ >]+)>")
_LINK_INSIDE = r"(?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*"
_LINK_HREF_AND_TITLE = rf"[{_WS}]*<?((?:\([^)]*\)|[^{_WS}\\]|\\.)*?)>?(?:[{_WS}]+['\"]([\s\S]*?)['\"])?[{_WS}]*"
_LINK = re.compile(r"\[(" + _LINK_INSIDE + r")\]\(" + _LINK_HREF_AND_TITLE + r"\)")
_ANGLE_TOKENS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<@!?[0-9]+>"), "mention"),
    (re.compile(r"<@&[0-9]+>"), "mention"),
    (re.compile(r"<#[0-9]+>"), "mention"),
    (re.compile(r"</[^:>\n]+:[0-9]+>"), "mention"),
    (re.compile(r"<id:\w+>"), "mention"),
    (re.compile(r"<a?:\w+:[0-9]+>"), "emoji"),
    (re.compile(r"<t:-?[0-9]+(?::[tTdDfFR])?>"), "timestamp"),
)
_MASS_MENTION = re.compile(r"@(?:everyone|here)", re.IGNORECASE)
_SHORTCODE = re.compile(rf":[^{_WS}:]+:")
_STRONG = re.compile(r"\*\*([\s\S]+?)\*\*(?!\*)")
_UNDERLINE = re.compile(r"__([\s\S]+?)__(?!_)")
# simple-markdown's em, with JavaScript's \s spelled out; re.ASCII gives \b JavaScript's ASCII meaning. The
# leading \b of the underscore branch is dropped: it always holds on the sliced source Discord works on.
_EM = re.compile(
    rf"_((?:__|\\[\s\S]|[^\\_])+?)_\b"
    rf"|\*(?=[^{_WS}])((?:\*\*|\\[\s\S]|[{_WS}]+(?:\\[\s\S]|[^{_WS}*\\]|\*\*)|[^{_WS}*\\])+?)\*(?!\*)",
    re.ASCII,
)
_STRIKE = re.compile(r"~~([\s\S]+?)~~(?!_)")
_HEADING = re.compile(rf"[{_WS_NO_NL}]*#{{1,3}}[{_WS_NO_NL}]+([^\n]+?)[{_WS_NO_NL}]*(\n|\Z)")
_SUBTEXT = re.compile(rf"[{_WS_NO_NL}]*-#[{_WS_NO_NL}]+([^\n]+?)[{_WS_NO_NL}]*(\n|\Z)")
_QUOTE_BLOCK = re.compile(rf"[{_WS_NO_NL}]*>>>[{_WS_NO_NL}]([\s\S]*)")
_QUOTE_LINE = re.compile(rf"[{_WS_NO_NL}]*>[{_WS_NO_NL}]([^\n]*)(\n|\Z)")
_LIST_ITEM = re.compile(rf"[{_WS_NO_NL}]*(?:[*+-]|[0-9]+\.)[{_WS_NO_NL}]+([^\n]*)(\n|\Z)")
_LINE_START_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_QUOTE_BLOCK, "quote"),
    (_QUOTE_LINE, "quote"),
    (_HEADING, "heading"),
    (_SUBTEXT, "subtext"),
    (_LIST_ITEM, "list"),
)
# Characters at which some inline rule can start; anything else is plain text up to the next of them.
_SPECIAL = frozenset("\\`|<[hH@:*_~\n")
_TEXT_RUN = re.compile(r"[^\\`|<\[hH@:*_~\n]+")


@dataclass(frozen=True, slots=True)
class RChar:
    """One character of rendered text."""

    char: str
    spoiler: bool
    marks: frozenset[str] = frozenset()


class _Parser:
    def __init__(self, mode: Mode) -> None:
        self.mode = mode

    def parse(self, src: str, spoiler: bool, marks: frozenset[str]) -> list[RChar]:
        out: list[RChar] = []
        pos = 0
        while pos < len(src):
            pos += self.step(src, pos, 0, spoiler, marks, out)
        return out

    def step(self, src: str, pos: int, start: int, spoiler: bool, marks: frozenset[str],
             out: list[RChar]) -> int:
        """Parse one node at ``src[pos]`` into ``out``; return how many characters it used.

        ``start`` is where the current run of content began, which counts as the start of a line.
        """
        if pos == start or src[pos - 1] == "\n":
            for rule, mark in _LINE_START_RULES:
                m = rule.match(src, pos)
                if m:
                    out.extend(self.parse(m.group(1), spoiler, marks | {mark}))
                    if m.lastindex and m.lastindex >= 2 and m.group(2) == "\n":
                        out.append(RChar("\n", spoiler, marks))
                    return m.end() - pos
        char = src[pos]
        if char not in _SPECIAL:
            m = _TEXT_RUN.match(src, pos)
            assert m is not None
            _emit(out, m.group(0), spoiler, marks)
            return m.end() - pos
        used = self.inline(src, pos, spoiler, marks, out)
        if used:
            return used
        _emit(out, char, spoiler, marks)
        return 1

    def inline(self, src: str, pos: int, spoiler: bool, marks: frozenset[str], out: list[RChar]) -> int:
        char = src[pos]
        m: re.Match[str] | None
        if char == "\\":
            m = _ESCAPE.match(src, pos)
            if m:
                _emit(out, m.group(1), spoiler, marks)
                return m.end() - pos
        elif char == "`":
            m = _CODE_BLOCK.match(src, pos) or _INLINE_CODE.match(src, pos)
            if m:
                _emit(out, m.group(2), spoiler, marks | {"code"})
                return m.end() - pos
        elif char == "|":
            return self.spoiler(src, pos, marks, out)
        elif char == "<":
            m = _AUTOLINK.match(src, pos) or _MAILTO.match(src, pos)
            if m:
                _emit(out, m.group(1), spoiler, marks | {"link"})
                return m.end() - pos
            for rule, mark in _ANGLE_TOKENS:
                m = rule.match(src, pos)
                if m:
                    _emit(out, m.group(0), spoiler, marks | {mark})
                    return m.end() - pos
        elif char == "[":
            m = _LINK.match(src, pos)
            if m:
                out.extend(self.parse(m.group(1), spoiler, marks | {"link"}))
                return m.end() - pos
        elif char in "hH":
            m = _URL.match(src, pos)
            if m:
                _emit(out, m.group(0), spoiler, marks | {"link"})
                return m.end() - pos
        elif char == "@":
            m = _MASS_MENTION.match(src, pos)
            if m:
                _emit(out, m.group(0), spoiler, marks | {"mention"})
                return m.end() - pos
        elif char == ":":
            m = _SHORTCODE.match(src, pos)
            if m:
                _emit(out, m.group(0), spoiler, marks | {"emoji"})
                return m.end() - pos
        elif char in "*_~":
            for rule, mark in ((_STRONG, "bold"), (_UNDERLINE, "underline"), (_EM, "italic"),
                               (_STRIKE, "strike")):
                m = rule.match(src, pos)
                if m:
                    content = next(g for g in m.groups() if g is not None)
                    out.extend(self.parse(content, spoiler, marks | {mark}))
                    return m.end() - pos
        return 0

    def spoiler(self, src: str, pos: int, marks: frozenset[str], out: list[RChar]) -> int:
        if not src.startswith("||", pos):
            return 0
        if self.mode == "regex":
            m = _SPOILER.match(src, pos)
            if not m:
                return 0
            out.extend(self.parse(m.group(1), True, marks))
            return m.end() - pos
        inner: list[RChar] = []
        p = pos + 2
        while p < len(src):
            if p > pos + 2 and src.startswith("||", p):
                out.extend(inner)
                return p + 2 - pos
            p += self.step(src, p, pos + 2, True, marks, inner)
        return 0  # never closed: the "||" is plain text


def _emit(out: list[RChar], text: str, spoiler: bool, marks: frozenset[str]) -> None:
    out.extend(RChar(c, spoiler, marks) for c in text)


def render(text: str, *, mode: Mode = "regex") -> list[RChar]:
    """The rendered characters of the message ``text``, each with its spoiler flag and other markup."""
    return _Parser(mode).parse(text, False, frozenset())


def plain(rendered: Sequence[RChar]) -> str:
    """The rendered text, without markup."""
    return "".join(r.char for r in rendered)
