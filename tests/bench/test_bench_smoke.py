"""The benchmark code still works: a tiny dataset is built correctly and every phase runs (no timing asserted)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.generate import build
from bench.report import render
from bench.run import run
from bench.world import tiny
from bot.core.names import normalize

COMMANDS = {
    "/credits", "/voiced", "/person", "/rate", "/rate (the panel)", "/ratings show", "/ratings top", "/ratings mine",
    "/ratings forget",
    "/review write", "/review write — submit", "/review read", "/review edit", "/review edit — submit",
    "/review delete", "/credits anime", "/voiced character", "/person name", "/review edit review",
    "/ratings show (right after a vote)", "/ratings top (right after a vote)", "/review read (right after a write)",
}


def test_generated_rows_are_what_the_app_writes(tmp_path: Path) -> None:
    scale = tiny()
    built = build(scale, 3, directory=tmp_path, log=lambda _: None)
    again = build(scale, 3, directory=tmp_path, log=lambda _: None)
    assert again.cached and again.path == built.path
    assert built.counts["rating"] == scale.ratings and built.counts["review"] == scale.reviews
    conn = sqlite3.connect(built.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO name_fts (name_fts) VALUES ('integrity-check')")  # raises if the index is off
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        for name, norm in conn.execute("SELECT name, norm FROM name"):
            assert norm == normalize(name)
        assert conn.execute("SELECT count(*) FROM name WHERE name LIKE '%ō%' OR name LIKE '%ū%'").fetchone()[0]
        # the tallies the triggers kept match the votes
        tallies = conn.execute("SELECT guild_id, anime_id, category, votes, total FROM rating_tally ORDER BY 1, 2, 3")
        recount = conn.execute(
            "SELECT guild_id, anime_id, category, count(*), sum(score) FROM rating GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        assert tallies.fetchall() == recount.fetchall()
        voters = conn.execute(
            "SELECT s.voters, (SELECT count(DISTINCT member_id) FROM rating r "
            "WHERE r.guild_id = s.guild_id AND r.anime_id = s.anime_id) FROM rating_show s"
        ).fetchall()
        assert voters and all(a == b for a, b in voters)
        # reviews are numbered 1..n per server and the counter holds n
        for guild_id, count, top, last in conn.execute(
            "SELECT r.guild_id, count(*), max(number), c.last_number FROM review r "
            "JOIN review_counter c USING (guild_id) GROUP BY r.guild_id"
        ):
            assert count == top == last, guild_id
        assert conn.execute("SELECT count(*) FROM review_message").fetchone()[0] == scale.reviews
    finally:
        conn.close()


async def test_every_phase_runs_on_a_tiny_dataset(tmp_path: Path) -> None:
    results = await run(tiny(), 2, data_dir=tmp_path, log=lambda _: None)
    rows = {row.name: row for row in results.rows}
    assert set(rows) >= COMMANDS
    assert rows["no-op command (baseline)"].first
    for name in COMMANDS:
        row = rows[name]
        assert row.first, name
        assert "none" not in row.outcomes, (name, row.outcomes)
        assert not row.violations, (name, row.violations)
    assert rows["/review write"].outcomes["modal"] == len(rows["/review write"].first)
    assert results.boards is not None and results.boards.tally and results.boards.board and results.boards.chart
    ingest = results.ingest
    assert ingest is not None and ingest.writes == 8 * 3 and ingest.visible == ingest.checked > 0
    process = results.process
    assert process is not None and process.hwm_kib > 0 and process.servers == 6
    assert process.heavy == (2, 2, 2) and process.rss_heavy_kib > 0 and process.rss_settled_kib > 0
    report = render(results)
    assert "/review edit — submit" in report and "Rating ingestion" in report
    # The same commands on the largest and the median show, person and member, compared.
    sized = {name.split(" — ")[0] for name, row in rows.items() if row.kind == "size" and row.first}
    assert sized == {"/review read", "/credits", "/person", "/ratings mine"}
    assert "Size independence" in report and "p99 ÷ no-op p99" in report
