"""Reading a sandbox script: one step per line, with a modal's field values on the indented lines below it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from sandbox.errors import SandboxUsageError

TRIPLE = '"""'


@dataclass
class Step:
    """One line of the script, and the modal values given under it."""

    line: int
    text: str
    modal: dict[str, str] = field(default_factory=dict)


def parse_script(source: str) -> list[Step]:
    """Steps from a script (see :mod:`sandbox.repl` for the syntax); raise on a malformed block."""
    steps: list[Step] = []
    lines = source.splitlines()
    index = 0
    while index < len(lines):
        raw = lines[index]
        number = index + 1
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not raw[:1].isspace():
            steps.append(Step(number, stripped))
            continue
        if not steps:
            raise SandboxUsageError(f"line {number}: an indented modal value with no step above it")
        key, colon, value = stripped.partition(":")
        if not colon or not key.strip():
            raise SandboxUsageError(f"line {number}: write a modal field as '  Label: value', not {stripped!r}")
        value = value.strip()
        if value == TRIPLE:
            body: list[str] = []
            while index < len(lines) and lines[index].strip() != TRIPLE:
                body.append(lines[index])
                index += 1
            if index >= len(lines):
                raise SandboxUsageError(f"line {number}: {TRIPLE} block for {key.strip()!r} is never closed")
            index += 1
            value = textwrap.dedent("\n".join(body)).strip("\n")
        steps[-1].modal[key.strip()] = value
    return steps
