"""AniList's enums (format, season, character role, language) become a closed set of names; anything else "Other"."""

from __future__ import annotations

import pytest

from bot.anilist import mapping as m
from bot.catalogue.models import (
    CHARACTER_ROLE_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    OTHER,
    SEASON_LABELS,
    character_role_label,
    format_label,
    language_label,
    season_label,
)

HOSTILE = ["· 2024 · [click me](https://evil.example) @here", "||spoiler||", "<@123456789012345678>", "**bold**",
           "x" * 2_000_000, "TV\x00\x1b[31m", "\u202eVT", "CM_SPOT", "", "   "]
CLOSED = {*FORMAT_LABELS.values(), *SEASON_LABELS.values(), *CHARACTER_ROLE_LABELS.values(),
          *LANGUAGE_LABELS.values(), OTHER}


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_enum_values_are_stored_as_a_known_code_or_other(value: str) -> None:
    for name in (m.format_name, m.season_name, m.character_role_name):
        stored = name(value)
        assert stored is None if not value.strip() else stored == "OTHER", (name, value, stored)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_read_as_other_never_raw(value: str) -> None:
    for label in (format_label, season_label, character_role_label, language_label):
        shown = label(value)
        assert shown is None if not value.strip() else shown == OTHER, (label, value, shown)


def test_known_values_read_as_words() -> None:
    assert [m.format_name(v) for v in ("TV", "TV_SHORT", "MOVIE", "MUSIC", "music video")] == [
        "TV", "TV_SHORT", "MOVIE", "MUSIC", "MUSIC"]
    assert [format_label(m.format_name(v)) for v in ("TV_SHORT", "ONA", "MANGA")] == ["TV short", "ONA", OTHER]
    assert [season_label(m.season_name(v)) for v in ("WINTER", "SPRING", "SUMMER", "FALL", "AUTUMN")] == [
        "Winter", "Spring", "Summer", "Fall", OTHER]
    assert [character_role_label(m.character_role_name(v)) for v in ("MAIN", "SUPPORTING", "BACKGROUND", "HERO")] \
        == ["Main", "Supporting", "Background", OTHER]
    assert [language_label(v) for v in ("japanese", "ENGLISH", "Korean", "Klingon")] == [
        "Japanese", "English", "Korean", OTHER]
    assert m.language_name("Klingon") is None  # never stored: the voice roles are left out, with a note


def test_every_label_is_from_the_closed_set() -> None:
    for value in [*HOSTILE, "TV", "WINTER", "MAIN", "japanese", "OTHER"]:
        for label in (format_label, season_label, character_role_label, language_label):
            shown = label(value)
            assert shown is None or shown in CLOSED
