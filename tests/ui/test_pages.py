"""The page buttons' custom_id: the page state round-trips and the largest state still fits 100 characters."""

from __future__ import annotations

import pytest

from bot.ui.pages import PageButton, custom_id, decode_state, encode_state

BIGGEST_ID = 2**64 - 1  # Discord snowflakes are 64-bit


@pytest.mark.parametrize("state", [(), (0,), (None,), (1, None, 3), (-5, 2**63 - 1), (BIGGEST_ID, None, None)])
def test_state_round_trips(state: tuple[int | None, ...]) -> None:
    assert decode_state(encode_state(state)) == state


def test_the_largest_review_page_fits() -> None:
    # /review read: show, watched, author, review number, part — every one as large as it can be.
    state = (2**31 - 1, 10_000, BIGGEST_ID, 2**63 - 1, 99)
    text = custom_id("rv", "n", BIGGEST_ID, state)
    assert len(text) <= 100
    button = PageButton("rv", "n", BIGGEST_ID, state)
    assert button.custom_id == text
    match = button.template.fullmatch(text)
    assert match is not None and decode_state(match["state"]) == state and int(match["owner"], 36) == BIGGEST_ID


def test_a_state_too_long_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        custom_id("rv", "n", BIGGEST_ID, (BIGGEST_ID,) * 7)
