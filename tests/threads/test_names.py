"""Thread names within Discord's 1–100 characters, cut between graphemes, the episode and scope always kept."""

from __future__ import annotations

import pytest

from bot.core.markdown import discord_len, grapheme_clusters
from bot.threads.names import NAME_MAX, episode_thread_name, review_thread_name


def test_the_name_says_the_episode_and_its_rule() -> None:
    assert episode_thread_name("Metallic Rouge", 5) == "Metallic Rouge · Episode 5 · spoilers up to ep 5"
    assert review_thread_name(12, "Spoilers through episode 3") == "Review #12 · spoilers through ep 3"
    assert review_thread_name(4, "Spoiler-free") == "Review #4 · spoiler-free"


@pytest.mark.parametrize("title", [
    "A" * 300,
    "👨‍👩‍👧‍👦" * 60,  # one grapheme of seven code points (eleven UTF-16 units), again and again
    "e\u0301" * 200,  # a letter and its combining accent
    "長い題名" * 50,
])
def test_long_titles_are_cut_between_graphemes(title: str) -> None:
    name = episode_thread_name(title, 1234)
    assert 1 <= discord_len(name) <= NAME_MAX
    assert name.endswith("… · Episode 1234 · spoilers up to ep 1234")
    kept = name.removesuffix("… · Episode 1234 · spoilers up to ep 1234")
    assert title.startswith(kept)
    assert grapheme_clusters(title)[: len(grapheme_clusters(kept))] == grapheme_clusters(kept)


def test_an_empty_or_invisible_title_still_names_the_thread() -> None:
    assert episode_thread_name("\u200b \u2060", 2) == "Episode 2 · spoilers up to ep 2"
