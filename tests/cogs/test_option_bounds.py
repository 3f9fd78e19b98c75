"""Every integer option is bounded where it enters: numbers no SQLite integer holds get a friendly refusal.

Discord's client keeps a number within the option's registered range, but a crafted client sends what it likes;
2**63 and 10**30 used to reach SQLite and end in ``OverflowError`` and the generic apology.
"""

from __future__ import annotations

import pytest

from sandbox import Sandbox
from tests.cogs.conftest import assert_clean, text_of
from tests.hardening._dispatch import invoke_raw

ROUGE = "Metallic Rouge"
HUGE = [2**63 - 1, 2**63, 2**64, 10**30, -(2**63) - 1, 0, -1]

CASES = [
    ("review edit", "review", {}, "A review number must be a whole number from 1 to 1,000,000,000."),
    ("review delete", "review", {}, "A review number must be a whole number from 1 to 1,000,000,000."),
    ("review write", "through_episode", {"anime": ROUGE}, "An episode number must be a whole number from 1 to 5,000."),
    ("review read", "watched", {"anime": ROUGE},
     "The number of episodes watched must be a whole number from 0 to 5,000."),
    ("categories reorder", "position", {"category": "Story"}, "A position must be a whole number from 1 to 25."),
]


@pytest.mark.parametrize(("command", "option", "rest", "error"), CASES, ids=[c[0] for c in CASES])
async def test_numbers_past_any_integer_are_refused_politely(sandbox: Sandbox, command: str, option: str,
                                                             rest: dict[str, object], error: str) -> None:
    user = "mod" if command.startswith("categories") else "alice"
    for number in HUGE:
        if option == "watched" and number == 0:
            continue  # watched 0 episodes is a fine answer
        result = await invoke_raw(sandbox, command, rest, {option: number}, user=user)
        assert_clean(result)  # no OverflowError, no apology: nothing logged as an error
        assert result.ephemeral and result.modal is None, (number, text_of(result))
        assert error in text_of(result), (number, text_of(result))


async def test_a_number_within_bounds_still_works(sandbox: Sandbox) -> None:
    result = await invoke_raw(sandbox, "review edit", {}, {"review": 10**9})
    assert_clean(result)
    assert "There is no review #1000000000 in this server." in text_of(result)
