"""The durability benchmark runs (no timing asserted): both settings really in force, every figure filled in."""

from __future__ import annotations

import pytest

from bench.__main__ import main
from bench.durability import TINY, render, run


async def test_both_settings_are_measured_on_a_tiny_run() -> None:
    rounds = await run(TINY, rounds=1, log=lambda _: None)
    (measured,) = rounds
    assert [m.setting for m in measured] == ["NORMAL", "FULL"]
    assert [m.synchronous for m in measured] == [1, 2]  # what each connection really ran with
    for m in measured:
        assert m.writes == TINY.raters * TINY.writes_per_rater and 0 < m.commits <= m.writes
        assert len(m.ingest_latencies) == m.writes
        assert len(m.rate_latencies) == len(m.review_latencies) == TINY.alone
    report = render(rounds, TINY)
    assert "| 1 | NORMAL |" in report and "| 1 | FULL |" in report and "lone /review p99:" in report


def test_it_is_registered_with_the_bench_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["durability", "--help"])
    assert exited.value.code == 0
    assert "python -m bench durability" in capsys.readouterr().out
