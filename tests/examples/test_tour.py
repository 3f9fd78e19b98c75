"""`examples/tour.kansou`: every command, each doing what it is for, with the real settings (cooldowns too)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.commands import leaf_commands
from tests.helpers.sandbox_script import ScriptRun, refusals, run_script

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "examples" / "tour.kansou"
# Every command kansou has, but those that need AniList, which the sandbox may not reach: /catalogue import and
# season, and /follow and /unfollow (a followed show must be on AniList, whose airing schedule says when episodes
# are out).
COMMANDS = leaf_commands() - {"catalogue import", "catalogue season", "follow", "unfollow"}


def tour(folder: Path) -> ScriptRun:
    """The tour, run from ``folder`` (not the repository) with the default settings."""
    return run_script(TOUR.read_text(encoding="utf-8"), folder)


def test_the_tour_runs_every_command_without_a_refusal(tmp_path: Path) -> None:
    run = tour(tmp_path)
    assert refusals(run) == [], "\n".join(refusals(run))
    assert {e["command"] for e in run.interactions if e["kind"] == "command"} == COMMANDS
    assert run.transcript.rstrip().endswith("no Discord limit broken, no ping risked, no bot error.")
    # The steps whose point is a change: the forget step removed the ratings /ratings mine listed.
    mine = run.transcript.split("/ratings mine\n", 1)[1].split("\n\n", 1)[0]
    forget = run.transcript.split("/ratings forget anime: Land of the Lustrous\n", 1)[1].split("\n\n", 1)[0]
    assert "Land of the Lustrous" in mine and "Removed" in forget
    assert (tmp_path / "sandbox-files" / "sandbox.log").is_file()


def test_the_check_catches_a_refusal(tmp_path: Path) -> None:
    """The same judgement fails a tour in which one member rates twice in a row (the old tour's mistake)."""
    script = "/rate anime: Metallic Rouge category: Story score: 4\n" \
             "/rate anime: Land of the Lustrous category: Story score: 5\n" \
             "/ratings forget anime: Sound! Euphonium\n"
    problems = refusals(run_script(script, tmp_path))
    assert any(p.startswith("rate: user-error (OnCooldown)") for p in problems), problems
    assert "the transcript says 'too quickly'" in problems
    assert "the transcript says 'nothing to remove'" in problems
