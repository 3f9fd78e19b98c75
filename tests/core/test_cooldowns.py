"""Per-member cooldowns: a hit is charged at once; a charged block only when it succeeds."""

from __future__ import annotations

import pytest

from bot.core.cooldowns import Cooldown
from bot.errors import OnCooldown


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_hit_is_charged_and_the_wait_told() -> None:
    clock = Clock()
    cooldown = Cooldown(10, clock=clock, what="You're doing look-ups too quickly — try again in {seconds} s.")
    cooldown.hit("ann")
    with pytest.raises(OnCooldown, match=r"You're doing look-ups too quickly — try again in 10 s\.") as info:
        cooldown.hit("ann")
    assert info.value.retry_after == 10
    cooldown.hit("ben")  # per key
    clock.now += 10
    cooldown.hit("ann")


def test_a_charged_block_costs_only_when_it_succeeds() -> None:
    cooldown = Cooldown(10, clock=Clock())
    with pytest.raises(RuntimeError), cooldown.charged("ann"):
        raise RuntimeError("the upstream failed")
    assert cooldown.remaining("ann") == 0
    cooldown.check("ann")
    with cooldown.charged("ann"):
        pass
    assert cooldown.remaining("ann") == 10
    with pytest.raises(OnCooldown), cooldown.charged("ann"):
        pytest.fail("a member on cooldown does not get in")


def test_one_charged_block_at_a_time_per_key() -> None:
    cooldown = Cooldown(10, clock=Clock())
    with cooldown.charged("ann"):
        with pytest.raises(OnCooldown):
            cooldown.check("ann")
        cooldown.check("ben")
    with pytest.raises(OnCooldown):
        cooldown.check("ann")  # now for the recorded success


def test_no_cooldown_never_refuses() -> None:
    cooldown = Cooldown(0)
    for _ in range(3):
        with cooldown.charged("ann"):
            cooldown.hit("ann")
