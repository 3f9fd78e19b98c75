"""What renderers return: plain data that ``bot.ui.send`` turns into Discord messages.

A :class:`Card` is one embed's worth: the places Discord shows as markdown (title, description, field names
and values) take :class:`~bot.core.text.Md` — a plain ``str`` there is escaped when the card is sent — and the
places Discord shows as plain text (footer, author) take plain text. A :class:`Page` is one message: some
text, cards and attached files. Renderers never import discord; nothing here checks Discord's limits (the
sender does, see :mod:`bot.core.limits`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, overload

from bot.core import limits
from bot.core.markdown import discord_len
from bot.core.text import Md

Tone = Literal["normal", "error"]


@dataclass(frozen=True)
class Field:
    """A titled block of a card."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Card:
    """One embed: markdown in ``title``, ``description`` and the fields; plain text in ``footer`` and ``author``."""

    title: str | None = None
    description: str | None = None
    fields: tuple[Field, ...] = ()
    footer: str | None = None
    author: str | None = None
    url: str | None = None
    image: str | None = None  # "attachment://name.png" for a file sent with the card
    timestamp: datetime | None = None
    tone: Tone = "normal"

    def with_footer(self, footer: str | None) -> Card:
        """The same card with another footer."""
        return replace(self, footer=footer)

    def length(self) -> int:
        """What Discord counts towards a message's 6000 (title, description, fields, footer, author)."""
        total = discord_len(self.title or "") + discord_len(self.description or "")
        total += sum(discord_len(f.name) + discord_len(f.value) for f in self.fields)
        return total + discord_len(self.footer or "") + discord_len(self.author or "")


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Page:
    """One message: text (markdown), cards and files."""

    content: str | None = None
    cards: tuple[Card, ...] = ()
    files: tuple[Attachment, ...] = ()


class Pages(Sequence[Card]):
    """``count`` pages, each made by ``make(index)`` only when it is first shown (most members read page one)."""

    def __init__(self, count: int, make: Callable[[int], Card]) -> None:
        self._count = count
        self._make = make
        self._made: dict[int, Card] = {}

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Card: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Card]: ...

    def __getitem__(self, index: int | slice) -> Card | Sequence[Card]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("page index out of range")
        if index not in self._made:
            self._made[index] = self._make(index)
        return self._made[index]


def pack(cards: tuple[Card, ...] | list[Card]) -> list[list[Card]]:
    """Group cards, in order, into messages of at most 10 cards and 6000 counted characters each."""
    messages: list[list[Card]] = []
    current: list[Card] = []
    size = 0
    for card in cards:
        length = card.length()
        if current and (size + length > limits.EMBED_TOTAL or len(current) >= limits.EMBEDS_PER_MESSAGE):
            messages.append(current)
            current, size = [], 0
        current.append(card)
        size += length
    if current:
        messages.append(current)
    return messages


def chunk_lines(lines: Sequence[Md], *, limit: int = limits.FIELD_VALUE, max_lines: int = 15) -> list[Md]:
    """Group lines into blocks of at most ``limit`` characters and ``max_lines`` lines (for card fields)."""
    blocks: list[Md] = []
    current: list[Md] = []
    size = 0
    for raw in lines:
        line = raw if len(raw) <= limit else Md(raw[: limit - 1] + "…")
        if current and (size + len(line) + 1 > limit or len(current) >= max_lines):
            blocks.append(Md("\n").lines(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append(Md("\n").lines(current))
    return blocks
