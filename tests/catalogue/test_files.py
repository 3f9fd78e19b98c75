"""What members read of catalogue data: a show's format is one of a closed set of names."""

from __future__ import annotations

import pytest

from bot.catalogue.models import FORMAT_LABELS, OTHER_FORMAT, format_label


@pytest.mark.parametrize(("stored", "shown"), [
    ("TV", "TV"), ("TV_SHORT", "TV short"), ("MOVIE", "Movie"), ("SPECIAL", "Special"), ("OVA", "OVA"),
    ("ONA", "ONA"), ("MUSIC", "Music video"),
    # what older AniList imports stored, and other spellings of the same codes
    ("TV short", "TV short"), ("Movie", "Movie"), ("Music", "Music video"), ("music video", "Music video"),
    (" tv_short ", "TV short"),
    # anything else is never shown raw
    ("MANGA", OTHER_FORMAT), ("CM_SPOT", OTHER_FORMAT), ("🙂", OTHER_FORMAT),
])
def test_format_label(stored: str, shown: str) -> None:
    assert format_label(stored) == shown


@pytest.mark.parametrize("stored", [None, "", "   "])
def test_no_format_shows_nothing(stored: str | None) -> None:
    assert format_label(stored) is None


def test_the_set_is_closed() -> None:
    assert set(FORMAT_LABELS.values()) | {OTHER_FORMAT} == {
        "TV", "TV short", "Movie", "Special", "OVA", "ONA", "Music video", "Other"}
