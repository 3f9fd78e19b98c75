"""Running `kansou sandbox --script` as a process, and judging whether every step did what it was for.

A step can run cleanly for the stand-in (no Discord limit broken, no ping, no exception: the script's exit
code) and still be refused by kansou: "You're doing ratings too quickly", "Only the author … can delete it",
"You hadn't rated … nothing to remove". Those answers are kansou's own judgement of the request, so they
are read where kansou writes it down: the one ``bot.interactions`` log line per interaction, whose
``outcome`` is ``ok`` only when the command did its job (a refusal is ``user-error``, with the error's
class). The log is JSON (``LOG_FORMAT=json``) in the sandbox's log file. The transcript is also searched for
the words of the refusals that kansou reports as ``ok`` (there being nothing to do is not an error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.script import Step, parse_script

# Said by a step that did not do what it was for, although its interaction ended "ok", or by the sandbox.
REFUSAL_WORDS = ("nothing to remove", "hadn't rated", "too quickly", "try again", "Sorry", "✖ ", " violation: ",
                 "FAILED", "(modal dismissed)")
# Steps that send an interaction (the others switch member, channel, ... locally).
INTERACTING = ("/", "press ", "select ")


@dataclass
class ScriptRun:
    """One `kansou sandbox --script` run: exit code, transcript, stderr, and kansou's interaction log."""

    code: int
    transcript: str
    stderr: str
    interactions: list[dict[str, Any]]
    steps: list[Step]


def run_script(script: str, folder: Path, **env: str) -> ScriptRun:
    """Run the sandbox script ``script`` (its text) in ``folder``, AniList off, JSON logs in its log file."""
    path = folder / "script.kansou"
    path.write_text(script, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    clean.update({"ANILIST_API_URL": "off", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO", **env})
    result = subprocess.run([sys.executable, "-m", "bot", "sandbox", "--script", str(path)], cwd=folder, env=clean,
                            capture_output=True, text=True, timeout=180, check=False)
    log = folder / "sandbox-files" / "sandbox.log"
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ScriptRun(result.returncode, result.stdout, result.stderr,
                     [e for e in entries if e.get("logger") == "bot.interactions"], parse_script(script))


def refusals(run: ScriptRun) -> list[str]:
    """Every way the run fell short of each step doing what it is for (empty when it did)."""
    problems: list[str] = []
    if run.code != 0:
        problems.append(f"the script exited {run.code}: {run.transcript[-2000:]}{run.stderr[-2000:]}")
    expected = sum(1 for s in run.steps if s.text.startswith(INTERACTING)) + sum(1 for s in run.steps if s.modal)
    if len(run.interactions) != expected:
        problems.append(f"{expected} interactions were sent, {len(run.interactions)} logged: "
                        f"{[e.get('command') for e in run.interactions]}")
    for index, entry in enumerate(run.interactions):
        if entry.get("outcome") == "ok":
            continue
        following = run.interactions[index + 1] if index + 1 < len(run.interactions) else None
        # "Which one did you mean?" is the command doing its job when the member's choice then answers.
        if entry.get("error") == "Ambiguous" and following is not None and following.get("kind") == "component" \
                and following.get("outcome") == "ok":
            continue
        problems.append(f"{entry.get('command')}: {entry.get('outcome')} ({entry.get('error')})")
    problems += [f"the transcript says {word!r}" for word in REFUSAL_WORDS if word in run.transcript]
    return problems
