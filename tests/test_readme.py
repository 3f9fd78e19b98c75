"""The README's sandbox examples run as shown: the opening transcript, "Try it in a minute", the Commands examples.

Each is run through the sandbox for real. The opening transcript must be what the sandbox prints; the "Try it"
session, typed into the interactive sandbox through a terminal, must show exactly the lines the README shows
(it leaves the answers out); and every example, run as a script, must do what it is for: no refusal, no error,
no broken Discord limit, no ping.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.sandbox_script import refusals, run_script
from tests.helpers.terminal import Terminal

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PROMPT = re.compile(r"^(\w+@[^#\n]+ #[\w-]+> )(.*)$")
FORM = re.compile(r"^Fill in «(.+)» \(")
PARAGRAPH = re.compile(r"^(.+) — end with .*:$")
SHORT = re.compile(r"^([^:—…]+): (.*)$")
SNOWFLAKE = re.compile(r"\b\d{17,20}\b")
# Commands-table examples the sandbox cannot run as shown: they need AniList (importing, a season's titles, and
# following a show's airing schedule).
NEEDS_ANILIST = ("/catalogue import", "/catalogue season", "/follow", "/unfollow")
# Commands-table examples only a member with Manage Server may run.
MODERATORS_ONLY = ("/categories", "/settings")
# What the edit form of the Commands table's `/review edit` example is filled in with.
EDIT_ANSWERS = {"Title": "Rouge finds her own will, on a second watch"}


def fenced_block(after: str) -> str:
    """The first fenced code block after the text ``after``."""
    start = README.index("```", README.index(after))
    body = README.index("\n", start) + 1
    return README[body:README.index("```", body)]


def section(heading: str) -> str:
    """The README's text under ``heading`` (to the next heading of the same level)."""
    start = README.index(heading)
    end = README.find("\n## ", start + len(heading))
    return README[start:end if end >= 0 else len(README)]


OPENING = fenced_block("# kansou")
TRY_IT = fenced_block("## Try it in a minute")


@dataclass
class Session:
    """The "Try it" block read as a terminal session: what is typed after which prompt, and each form's answers."""

    typed: list[tuple[str, str]] = field(default_factory=list)  # (the prompt to wait for, the line typed)
    steps: list[str] = field(default_factory=list)  # the script: commands, with forms' answers indented
    forms: dict[str, dict[str, str]] = field(default_factory=dict)  # form title → field → answer


def read_session(block: str) -> Session:
    """Parse a README session block (prompt lines, and forms answered field by field)."""
    session = Session()
    form: dict[str, str] | None = None
    paragraph: tuple[str, list[str]] | None = None
    for line in block.splitlines():
        prompt = PROMPT.match(line)
        if line.startswith("$ ") or not line.strip():
            continue
        if prompt:
            form, paragraph = None, None
            session.typed.append((prompt.group(1), prompt.group(2)))
            session.steps.append(prompt.group(2))
        elif found := FORM.match(line):
            form = session.forms.setdefault(found.group(1), {})
        elif form is not None and line.startswith("…"):
            assert paragraph is not None, f"a paragraph line outside a paragraph field: {line!r}"
            text = line[2:] if line.startswith("… ") else ""
            session.typed.append(("… ", text))
            if text in ("", "."):
                form[paragraph[0]] = "\n".join(paragraph[1])
                paragraph = None
            else:
                paragraph[1].append(text)
        elif form is not None and (found := PARAGRAPH.match(line)):
            paragraph = (found.group(1), [])
        elif form is not None and (found := SHORT.match(line)):
            session.typed.append((f"{found.group(1)}: ", found.group(2)))
            form[found.group(1)] = found.group(2)
    return session


def script(steps: list[str], answers: dict[str, dict[str, str]]) -> str:
    """A sandbox script: each step, with the answers of the form it opens (keyed by its text) indented below."""
    lines: list[str] = []
    for step in steps:
        lines.append(step)
        for label, value in answers.get(step, {}).items():
            if "\n" in value:
                lines += [f'  {label}: """', *(f"  {v}" for v in value.splitlines()), '  """']
            else:
                lines.append(f"  {label}: {value}")
    return "\n".join(lines) + "\n"


def form_answers(transcript_steps: list[str], opened: dict[str, str], forms: dict[str, dict[str, str]]
                 ) -> dict[str, dict[str, str]]:
    """The answers for each step that opens a form, by the form's title (``opened``: step → title)."""
    return {step: forms[opened[step]] for step in transcript_steps if step in opened}


def normalise(text: str) -> list[str]:
    """Lines without trailing spaces, snowflake ids replaced (they differ from run to run)."""
    return [SNOWFLAKE.sub("<id>", line.rstrip()) for line in text.strip("\n").splitlines()]


SESSION = read_session(TRY_IT)


def test_the_session_block_is_read_whole() -> None:
    assert len(SESSION.steps) >= 8 and SESSION.steps[-1] == "quit"
    assert SESSION.forms == {"Review: Metallic Rouge": {
        "Title": "Rouge finds her own will",
        "Review": 'Naomi calls Rouge "nothing but a tool" and the mask slips.',
        "Content warnings (optional)": "violence, death",
    }}


def test_the_opening_transcript_is_what_the_sandbox_prints(tmp_path: Path) -> None:
    shown = normalise(OPENING)
    steps = [m.group(2) for line in shown if (m := PROMPT.match(line))]
    opened = {}
    for index, line in enumerate(shown):
        if m := PROMPT.match(line):
            following = shown[index + 2] if index + 2 < len(shown) else ""
            if found := re.match(r"^📝 modal «(.+)» opened:", following):
                opened[m.group(2)] = found.group(1)
    assert len(steps) == 2 and opened  # a look-up, and a form filled in
    run = run_script(script(steps, form_answers(steps, opened, SESSION.forms)), tmp_path)
    assert refusals(run) == [], "\n".join(refusals(run))
    printed = normalise(run.transcript)
    first = next(i for i, line in enumerate(printed) if PROMPT.match(line))
    last = max(i for i, line in enumerate(printed) if line.startswith("OK: "))
    assert printed[first:last] != []
    assert "\n".join(printed[first:last]).strip() == "\n".join(shown)


def test_try_it_runs_as_a_script_without_a_refusal(tmp_path: Path) -> None:
    opened = {step: title for step in SESSION.steps for title in SESSION.forms if step.startswith("/review write")}
    run = run_script(script(SESSION.steps, form_answers(SESSION.steps, opened, SESSION.forms)), tmp_path)
    assert refusals(run) == [], "\n".join(refusals(run))


def test_try_it_shows_what_the_interactive_sandbox_shows(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_", "LOG_"))}
    env.update(ANILIST_API_URL="off", TERM="dumb")
    command = next(line for line in TRY_IT.splitlines() if line.startswith("$ "))
    assert command.split()[1:] == [".venv/bin/kansou", "sandbox"]  # the set-up's command, run here as -m bot
    with Terminal([sys.executable, "-m", "bot", "sandbox"], cwd=tmp_path, env=env) as term:
        for prompt, line in SESSION.typed:
            term.read_until(prompt)
            term.type(line)
        assert term.wait() == 0, term.output
    printed = [line.rstrip() for line in term.output.splitlines()]
    expected = [line.rstrip() for line in TRY_IT.splitlines() if line.strip() and not line.startswith("$ ")]
    position = 0
    for line in expected:  # the README's lines appear in this order (the answers between them left out)
        try:
            position = printed.index(line, position) + 1
        except ValueError:
            pytest.fail(f"the sandbox did not show {line!r} here:\n" + "\n".join(printed[position:position + 40]))


def test_the_commands_examples_run_without_a_refusal(tmp_path: Path) -> None:
    examples = re.findall(r"\| `(/[^`]+)` \|\s*$", section("## Commands"), re.MULTILINE)
    assert len(examples) >= 12
    runnable = [e for e in examples if not e.startswith(NEEDS_ANILIST)]
    assert len(examples) - len(runnable) == 4
    answers = {e: SESSION.forms["Review: Metallic Rouge"] for e in runnable if e.startswith("/review write")}
    answers |= {e: EDIT_ANSWERS for e in runnable if e.startswith("/review edit")}
    # What needs Manage Server is run by the sandbox's moderator; everything else by alice.
    steps = [line for e in runnable
             for line in (["as mod", e, "as alice"] if e.startswith(MODERATORS_ONLY) else [e])]
    run = run_script(script(steps, answers), tmp_path)
    assert refusals(run) == [], "\n".join(refusals(run))
