"""The title-index benchmark still runs (a tiny index, a few samples; no timing asserted)."""

from __future__ import annotations

from pathlib import Path

from bench.titles import burst, load_and_complete


async def test_the_title_benchmark_runs(tmp_path: Path) -> None:
    lines = await load_and_complete(tmp_path, 120, 20)
    assert "120 titles (release of 2026-11-30): 120 new, 0 gone" in lines[0]
    assert "nothing changed" in lines[1]
    assert "20 prefixes" in lines[2] and "(0 with no suggestion)" in lines[2]
    (said,) = await burst(tmp_path)
    assert "20 searches" in said and "0 answered 429" in said
