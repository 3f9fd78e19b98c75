"""The /ratings show chart: one horizontal bar per category with its average and vote count, as a PNG."""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from bot.ratings.models import Tally

__all__ = ["CHART_FILENAME", "ChartCache", "one_decimal", "render_chart"]

CHART_FILENAME = "ratings.png"

WIDTH = 600
ROW = 42
TOP = 16
BOTTOM = 34
LABEL_W = 132
VALUE_W = 150
BAR_H = 22
MAX_SCORE = 5

BACKGROUND = (43, 45, 49)
TRACK = (63, 65, 71)
GRID = (78, 80, 88)
TEXT = (219, 222, 225)
MUTED = (148, 155, 164)
BAR = (194, 24, 91)


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def one_decimal(value: float) -> str:
    """An average as members read it: one decimal, halves rounded up as people expect (2.25 → "2.3").

    The one rule for every average kansou shows (/ratings show, top and the chart), so one quantity always
    reads the same. Averages are summed in SQL or in Python, in different orders, so the same 3.95 may arrive
    as 3.9499999999999997: it is first snapped to nine decimals — far below any real difference between
    averages of half points — and only then rounded.
    """
    snapped = Decimal(repr(value)).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
    return str(snapped.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _votes(count: int) -> str:
    if count == 1:
        return "1 vote"
    if count < 10_000:
        return f"{count:,} votes"
    if count < 1_000_000:
        return f"{count / 1000:.0f}k votes"
    return f"{count / 1_000_000:.1f}M votes"


def render_chart(rows: Sequence[tuple[str, Tally | None]]) -> bytes:
    """A small PNG with a bar per category — ``(label, tally)`` in order; no tally: an empty bar — with its average
    and votes."""
    return _render(tuple(rows))


@lru_cache(maxsize=1024)
def _fit(label: str, size: int, width: int) -> str:
    """``label`` cut (with "…") to fit ``width`` pixels in the font of ``size`` (measured once per label)."""
    font = _font(size)
    if font.getlength(label) <= width:
        return label
    while label and font.getlength(label + "…") > width:
        label = label[:-1]
    return label.rstrip() + "…"


class ChartCache:
    """Charts by (server, show, version, bars' labels): drawn once per change to the show's ratings, not per view.

    The version moves on in the same transaction as every write to the show's ratings, whichever process writes
    (``rating_version``), so a cached chart is never stale. One per bot (per database); a few dozen ~17 KB
    images at most are kept.
    """

    def __init__(self, size: int = 64) -> None:
        self._charts: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = size
        self.drawn = 0  # how many charts were drawn (the cache missed)

    def chart(self, guild_id: int, anime_id: int, version: int, rows: Sequence[tuple[str, Tally | None]]) -> bytes:
        """The chart of ``rows`` (see :func:`render_chart`) for a show's ratings at ``version``."""
        key = (guild_id, anime_id, version, tuple(label for label, _ in rows))
        found = self._charts.get(key)
        if found is not None:
            self._charts.move_to_end(key)
            return found
        self.drawn += 1
        found = self._charts[key] = render_chart(rows)
        while len(self._charts) > self._size:
            self._charts.popitem(last=False)
        return found


def _render(bars: tuple[tuple[str, Tally | None], ...]) -> bytes:
    height = TOP + ROW * len(bars) + BOTTOM
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    label_font, value_font, tick_font = _font(15), _font(14), _font(12)
    left, right = LABEL_W, WIDTH - VALUE_W
    span = right - left

    rows = [TOP + ROW * row + (ROW - BAR_H) // 2 - 4 for row in range(len(bars))]
    for y in rows:
        draw.rectangle([(left, y), (right, y + BAR_H)], fill=TRACK)
    for tick in range(MAX_SCORE + 1):
        x = left + span * tick // MAX_SCORE
        draw.line([(x, TOP - 4), (x, TOP + ROW * len(bars) - 8)], fill=GRID, width=1)
        draw.text((x, height - BOTTOM + 8), str(tick), fill=MUTED, font=tick_font, anchor="mt")

    for y, (label, tally) in zip(rows, bars, strict=True):
        mid = y + BAR_H // 2
        draw.text((left - 10, mid), _fit(label, 15, left - 16), fill=TEXT, font=label_font, anchor="rm")
        if tally is None or tally.votes <= 0:
            draw.text((right + 10, mid), "no votes yet", fill=MUTED, font=value_font, anchor="lm")
            continue
        average = max(0.0, min(float(MAX_SCORE), tally.average))
        draw.rectangle([(left, y), (left + round(span * average / MAX_SCORE), y + BAR_H)], fill=BAR)
        draw.text((right + 10, mid), one_decimal(tally.average), fill=TEXT, font=label_font, anchor="lm")
        draw.text((right + 48, mid), f"· {_votes(tally.votes)}", fill=MUTED, font=value_font, anchor="lm")

    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()
