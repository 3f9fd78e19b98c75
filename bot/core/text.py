"""The escaping boundary: :class:`Md` is text that is already safe Discord markdown.

Renderers build what members read from our own markdown (bold, subtext, line breaks) and from text that comes
from members or the catalogue, which must show literally, ping nobody and stay on its line. They do it with
:func:`md` — ``md("**{title}** — {name}", title=…, name=…)`` — which escapes every argument that is not already
``Md`` by the rules of :mod:`bot.core.markdown`; numbers go through as they are. ``Md + Md`` and
``Md.join`` of ``Md`` parts stay ``Md``; anything mixed with a plain ``str`` is a plain ``str`` again.

Whatever reaches Discord as a plain ``str`` where markdown is shown is escaped on the way out
(``bot.ui.send``), so text a renderer forgot to mark comes out escaped, never raw.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import overload

from bot.core import i18n
from bot.core.markdown import (
    ELLIPSIS,
    discord_len,
    escape_markdown,
    grapheme_clusters,
    neutralize_mentions,
    safe_inline,
    sanitize_text,
)

__all__ = ["INLINE", "Md", "block", "counted", "inline", "md", "plain", "plural", "quote"]

INLINE = 256
"""How long (escaped) an argument of :func:`md` may grow when no bound is given with :func:`inline`."""


class Md(str):
    """Text that is safe Discord markdown as it is: whatever came from members or the catalogue is escaped."""

    __slots__ = ()

    @overload  # Md + Md is Md; Md + str is a plain str
    def __add__(self, other: Md) -> Md: ...

    @overload
    def __add__(self, other: str) -> str: ...

    def __add__(self, other: str) -> str:
        joined = str.__add__(self, other)
        return Md(joined) if isinstance(other, Md) else joined

    def __radd__(self, other: str) -> str:
        joined = str.__add__(other, self)
        return Md(joined) if isinstance(other, Md) else joined

    def join(self, parts: Iterable[str]) -> str:
        """The parts joined by this separator: ``Md`` when every part is ``Md``, else a plain ``str``."""
        items = list(parts)
        joined = str.join(self, items)
        return Md(joined) if all(isinstance(p, Md) for p in items) else joined

    def lines(self, parts: Iterable[Md]) -> Md:
        """``Md`` parts joined by this separator (typed: every part is already ``Md``)."""
        return Md(str.join(self, parts))

    def __repr__(self) -> str:
        return f"Md({str.__repr__(self)})"


def inline(text: str | None, limit: int = INLINE) -> Md:
    """Member or catalogue text as one safe line of at most ``limit`` characters (escaped, unpingable, "…")."""
    if isinstance(text, Md):
        return text
    return Md(safe_inline(text or "", max_len=limit))


def block(text: str | None, limit: int) -> Md:
    """Member or catalogue text, line breaks kept, as safe markdown of at most ``limit`` characters ("…" if cut)."""
    if isinstance(text, Md):
        return text
    plain = sanitize_text(text or "").strip()
    rendered = escape_markdown(neutralize_mentions(plain))
    if discord_len(rendered) <= limit:
        return Md(rendered)
    clusters = grapheme_clusters(plain)

    def cut(count: int) -> str:
        return escape_markdown(neutralize_mentions("".join(clusters[:count]).rstrip())) + ELLIPSIS

    low, high = 0, min(len(clusters), limit)  # the longest prefix, in whole graphemes, that fits with the "…"
    while low < high:
        middle = (low + high + 1) // 2
        if discord_len(cut(middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    result = cut(low)
    while low > 0 and discord_len(result) > limit:  # escaping grows with the prefix almost everywhere
        low -= 1
        result = cut(low)
    return Md(result)


_SAFE = (Md, int, float, Decimal)  # numbers are safe, and keep their format specs


def md(template: str, /, **args: object) -> Md:
    """``template`` (our own markdown) filled with ``args``, each escaped unless it is already ``Md``.

    ``md("Removed {n} for **{title}**.", n=2, title=anime.title)``; bound a long value with :func:`inline`.
    """
    for name, value in args.items():  # ``args`` is this call's own dict
        if not isinstance(value, _SAFE):
            args[name] = inline(str(value))
    return Md(template.format_map(args))


def quote(text: str, *, max_len: int = 100) -> Md:
    """Member text quoted inside one of our sentences: “safe, escaped, bounded”."""
    return Md(f"“{safe_inline(text, max_len=max_len)}”")


def plural(count: int, word: str, many: str | None = None) -> Md:
    """``1 episode``, ``13 episodes`` in English only (logs and the terminal); members get :func:`counted`."""
    return Md(f"{count:,} {word if count == 1 else (many or word + 's')}")


def counted(singular: str, plural_: str, count: int) -> Md:
    """A count in the member's language: ``counted("{n} vote", "{n} votes", 3)`` → "3 votes", "3 votos", "3票".

    The two forms are English templates marked for the catalogue (each language has its own plural rules);
    ``{n}`` is the count written for the locale (1,234 · 1.234).
    """
    return Md(i18n.ngettext(singular, plural_, count).format(n=i18n.number(count, digits=0)))


def plain(text: str, limit: int) -> str:
    """Text for a place that shows no markdown (footer, embed author, modal title, choice name, select label).

    One visible line (invisible characters gone, whitespace runs one space), at most ``limit`` characters, "…"
    where it is cut.
    """
    line = " ".join(sanitize_text(text).split())
    if discord_len(line) <= limit:
        return line
    line = line[:limit]
    while discord_len(line) > limit - 1:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS
