"""The AniList client's sliding-window limiter and single-flight helper, on an injectable clock."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.anilist.limiter import LimiterBusy, SlidingWindowLimiter
from bot.anilist.singleflight import SingleFlight


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def _limiter(per_window: int, clock: FakeClock) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(per_window, clock=clock, sleep=clock.sleep)


def _assert_window(times: list[float], per_window: int, window: float = 60.0) -> None:
    """No ``window``-second span holds more than ``per_window`` of ``times``."""
    times = sorted(times)
    for i in range(len(times) - per_window):
        assert times[i + per_window] - times[i] >= window - 1e-9, (i, times)


async def test_burst_up_to_the_limit_goes_at_once_then_waits_for_the_window() -> None:
    clock = FakeClock()
    limiter = _limiter(3, clock)
    sent = []
    for _ in range(7):
        await limiter.acquire()
        sent.append(clock.now - 1000.0)
    assert sent == [0, 0, 0, 60, 60, 60, 120]


async def test_concurrent_callers_never_exceed_per_window() -> None:
    clock = FakeClock()
    limiter = _limiter(25, clock)
    sent: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        sent.append(clock.now)

    await asyncio.gather(*(one() for _ in range(80)))
    assert len(sent) == 80
    _assert_window(sent, 25)
    assert max(sent) - 1000.0 == 180  # and no slower than needed: 25 + 25 + 25 + 5
    assert limiter.queued == 0


@settings(max_examples=60, deadline=None)
@given(
    per_window=st.integers(min_value=1, max_value=6),
    gaps=st.lists(st.floats(min_value=0, max_value=40, allow_nan=False), min_size=1, max_size=30),
    concurrent=st.booleans(),
)
def test_window_property_for_any_arrival_pattern(per_window: int, gaps: list[float], concurrent: bool) -> None:
    async def scenario() -> list[float]:
        clock = FakeClock()
        limiter = _limiter(per_window, clock)
        sent: list[float] = []

        async def one() -> None:
            await limiter.acquire()
            sent.append(clock.now)

        if concurrent:
            tasks = []
            for gap in gaps:
                clock.now += gap
                tasks.append(asyncio.ensure_future(one()))
                await asyncio.sleep(0)
            await asyncio.gather(*tasks)
        else:
            for gap in gaps:
                clock.now += gap
                await one()
        return sent

    sent = asyncio.run(scenario())
    assert len(sent) == len(gaps)
    _assert_window(sent, per_window)


async def test_delay_counts_callers_already_queued() -> None:
    clock = FakeClock()
    limiter = _limiter(2, clock)
    await limiter.acquire()
    await limiter.acquire()
    assert limiter.delay() == 60
    clock.now += 59.5
    assert limiter.delay() == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.delay() == 0


async def test_max_wait_refuses_at_once_without_taking_a_slot() -> None:
    clock = FakeClock()
    limiter = _limiter(1, clock)
    await limiter.acquire()
    with pytest.raises(LimiterBusy) as caught:
        await limiter.acquire(max_wait=10)
    assert caught.value.wait == 60
    assert caught.value.blocked is False
    assert clock.now == 1000.0  # it did not wait
    assert len(limiter.sent) == 1
    await limiter.acquire(max_wait=60)  # exactly enough is enough
    assert clock.now == 1060.0


async def test_block_holds_everyone_back_and_is_reported_as_blocked() -> None:
    clock = FakeClock()
    limiter = _limiter(25, clock)
    limiter.block(60)
    assert limiter.blocked_for() == 60
    with pytest.raises(LimiterBusy) as caught:
        await limiter.acquire(max_wait=30)
    assert caught.value.blocked is True
    assert caught.value.wait == 60
    limiter.block(10)  # a shorter block does not shorten the one in force
    assert limiter.blocked_for() == 60
    await asyncio.gather(*(limiter.acquire() for _ in range(5)))
    assert all(t >= 1060.0 for t in limiter.sent)


async def test_a_block_that_arrives_while_waiting_is_respected() -> None:
    clock = FakeClock()
    woke: list[float] = []

    async def sleep(seconds: float) -> None:
        woke.append(clock.now)
        if len(woke) == 1:
            limiter.block(300)  # a 429 lands while the head of the queue sleeps
        await clock.sleep(seconds)

    limiter = SlidingWindowLimiter(1, clock=clock, sleep=sleep)
    await limiter.acquire()
    await limiter.acquire()
    assert limiter.sent[-1] >= 1000.0 + 300


async def test_cancelled_waiter_gives_its_place_back() -> None:
    limiter = SlidingWindowLimiter(1, window=0.3)
    await limiter.acquire()
    waiter = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0.02)
    assert limiter.queued == 1
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert limiter.queued == 0
    assert len(limiter.sent) == 1


def test_per_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="per_window"):
        SlidingWindowLimiter(0)


# --- single flight --------------------------------------------------------------------------------------------


async def test_single_flight_shares_one_result() -> None:
    flights: SingleFlight[int] = SingleFlight()
    calls = 0
    gate = asyncio.Event()

    async def work() -> int:
        nonlocal calls
        calls += 1
        await gate.wait()
        return 42

    waiters = [asyncio.ensure_future(flights.run("k", work)) for _ in range(10)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiters) == [42] * 10
    assert calls == 1
    assert flights.in_flight() == 0
    assert await flights.run("k", work) == 42  # once landed, the next call starts afresh
    assert calls == 2


async def test_single_flight_shares_one_error() -> None:
    flights: SingleFlight[int] = SingleFlight()
    calls = 0

    async def work() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("boom")

    results = await asyncio.gather(*(flights.run("k", work) for _ in range(5)), return_exceptions=True)
    assert calls == 1
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_single_flight_survives_one_cancelled_waiter_and_stops_when_all_leave() -> None:
    flights: SingleFlight[int] = SingleFlight()
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def work() -> int:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 1

    first = asyncio.ensure_future(flights.run("k", work))
    second = asyncio.ensure_future(flights.run("k", work))
    await started.wait()
    first.cancel()
    await asyncio.sleep(0.01)
    assert not cancelled.is_set() and not second.done()
    second.cancel()
    await asyncio.wait_for(cancelled.wait(), 1)
    assert flights.in_flight() == 0
