"""A review's scope, parsed once from /review write's options, and the line that says how far it spoils."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.catalogue.models import Anime
from bot.errors import InvalidInput
from bot.reviews.models import EpisodeScope

# --- the scope line -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("through", "spoilers", "episodes", "header"),
    [
        (None, False, 12, "Spoiler-free"),
        (None, False, None, "Spoiler-free"),
        (5, False, 12, "Spoiler-free"),
        (None, True, 12, "Spoilers: whole series"),
        (None, True, None, "Spoilers: whole series"),
        (5, True, 12, "Spoilers through episode 5"),
        (5, True, None, "Spoilers through episode 5"),
        (12, True, 12, "Spoilers: whole series"),
        (13, True, 12, "Spoilers: whole series"),
        (1, True, 1, "Spoilers: whole series"),
        (3, True, 0, "Spoilers through episode 3"),
    ],
)
def test_the_scope_line(through: int | None, spoilers: bool, episodes: int | None, header: str) -> None:
    assert EpisodeScope(spoilers, through).header(episodes) == header


def test_a_scope_is_checked_where_it_comes_in() -> None:
    with pytest.raises(InvalidInput, match="only goes with spoilers"):
        EpisodeScope.from_options(False, 2)
    assert EpisodeScope.from_options(True, None) == EpisodeScope(True, None)


@pytest.mark.parametrize(("through", "episodes", "error"), [
    (0, 13, "between 1 and 13"), (14, 13, "between 1 and 13"), (0, None, "at least 1"), (-3, None, "at least 1")])
def test_and_against_the_show(through: int, episodes: int | None, error: str) -> None:
    show = Anime(1, "x", None, "Show", None, None, None, episodes, None, None, None, None)
    with pytest.raises(InvalidInput, match=error):
        EpisodeScope.from_options(True, through).check_against(show)
    EpisodeScope.from_options(True, 5).check_against(replace(show, episodes=5))
