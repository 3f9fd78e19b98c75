"""The /ratings show chart: a small, valid PNG whatever is rated (how fast it draws is measured in bench/)."""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image

from bot.ratings import chart
from bot.ratings.chart import render_chart
from bot.ratings.models import Tally

LABELS = {"animation": "Animation", "voice_acting": "Voice Acting", "music": "Music", "writing": "Writing",
          "story": "Story"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _tally(category: str, votes: int, average: float) -> Tally:
    return Tally(category, votes, average, (0, 0, 0, 0, 0, 0, 0, 0, votes))


def _bars(tallies: list[Tally], labels: dict[str, str] = LABELS) -> list[tuple[str, Tally | None]]:
    """A bar per category, in order: its tally, or none."""
    by_key = {t.category: t for t in tallies}
    return [(label, by_key.get(key)) for key, label in labels.items()]


@pytest.mark.parametrize("rated", range(len(LABELS) + 1))
def test_chart_is_a_small_valid_png_for_any_number_of_rated_categories(rated: int) -> None:
    averages = itertools.cycle([1.0, 4.5, 3.25, 5.0, 2.0])
    tallies = [_tally(c, 3 * i + 1, next(averages)) for i, c in enumerate(list(LABELS)[:rated])]
    data = render_chart(_bars(tallies))
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) < 30_000
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert 300 <= image.width <= 1000 and 150 <= image.height <= 600


def test_chart_bars_follow_the_averages() -> None:
    data = render_chart(_bars([_tally("animation", 10, 5.0), _tally("story", 1, 1.0)]))
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        width = rgb.width

        def bar_length(row: int) -> int:
            # A line through the middle of the category's bar.
            y = chart.TOP + chart.ROW * row + chart.ROW // 2 - 4
            return sum(1 for x in range(width) if rgb.getpixel((x, y)) == chart.BAR)

        full, empty, short = bar_length(0), bar_length(1), bar_length(4)
    assert empty == 0
    assert full > 0 and short == pytest.approx(full / 5, abs=3)


def test_chart_copes_with_huge_counts_and_odd_input() -> None:
    tallies = [_tally("music", 12_345_678, 4.4), _tally("writing", 0, 0.0)]
    assert render_chart([*_bars(tallies), ("unknown", _tally("unknown", 3, 2.0))]).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("count", [1, 10])
def test_chart_has_a_bar_per_category_of_the_server(count: int) -> None:
    labels = {f"c{i}": f"A category with a long name number {i}" for i in range(count)}
    data = render_chart(_bars([_tally("c0", 2, 3.5)], labels))
    with Image.open(io.BytesIO(data)) as image:
        assert image.height == chart.TOP + chart.ROW * count + chart.BOTTOM  # long names are cut to fit


@pytest.mark.parametrize(
    ("value", "text"), [(2.25, "2.3"), (4.0, "4.0"), (11 / 3, "3.7"), (1.05, "1.1"), (4.75, "4.8"),
                        ((4.75 + 3.5 + 3.6) / 3, "4.0"),  # 3.95 as floats sum it: 3.9499999999999997
                        (3.9499, "3.9"), (1.0, "1.0"), (5.0, "5.0")]
)
def test_averages_round_half_up(value: float, text: str) -> None:
    assert chart.one_decimal(value) == text
