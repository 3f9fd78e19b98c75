"""Parsing ``/review write anime: Metallic Rouge spoilers: true`` against the registered commands."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.errors import SandboxUsageError
from sandbox.invocation import (
    ATTACHMENT,
    BOOLEAN,
    FALSE_WORDS,
    GROUP,
    INTEGER,
    NUMBER,
    SUB_COMMAND,
    TRUE_WORDS,
    TYPE_NAMES,
    resolve_command,
)
from sandbox.store import RegisteredCommand


@dataclass
class ParsedCommand:
    """A command path and its typed option values (``last`` is the option typed last)."""

    path: str
    options: dict[str, object] = field(default_factory=dict)
    last: str | None = None


def split_path(line: str, commands: list[RegisteredCommand]) -> tuple[str, str]:
    """``("review write", "anime: Metallic Rouge …")``: the longest command path, then the rest."""
    text = line.strip().removeprefix("/")
    words = list(re.finditer(r"\S+", text))
    if not words:
        raise SandboxUsageError("type a command after the slash, e.g. /help")
    command = next((c for c in commands if c.type == 1 and c.name == words[0].group()), None)
    end = words[0].end()
    path = [words[0].group()]
    if command is not None:
        options = list(command.payload.get("options") or [])
        for word in words[1:]:
            match = next((o for o in options if o.get("type") in (SUB_COMMAND, GROUP) and o.get("name") ==
                          word.group()), None)
            if match is None:
                break
            path.append(word.group())
            end = word.end()
            options = list(match.get("options") or [])
    return " ".join(path), text[end:]


def parse_command_line(line: str, commands: list[RegisteredCommand]) -> ParsedCommand:
    """Split options at ``name:`` for the command's own option names and type each value."""
    path, rest = split_path(line, commands)
    resolved = resolve_command(commands, path)
    definitions = {str(o.get("name")): o for o in resolved.options}
    parsed = ParsedCommand(resolved.qualified_name)
    if not rest.strip():
        return parsed
    if not definitions:
        raise SandboxUsageError(f"/{parsed.path} takes no options; got {rest.strip()!r}")
    names = sorted(definitions, key=len, reverse=True)
    pattern = re.compile(r"(?:^|(?<=\s))(" + "|".join(map(re.escape, names)) + r"):")
    matches = list(pattern.finditer(rest))
    if not matches or rest[: matches[0].start()].strip():
        stray = rest[: matches[0].start()] if matches else rest
        raise SandboxUsageError(f"/{parsed.path}: {stray.strip()!r} is not an option; write "
                                f"{' '.join(n + ': …' for n in definitions)}")
    for index, match in enumerate(matches):
        name = match.group(1)
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(rest)
        raw = rest[match.end():stop].strip()
        if name in parsed.options:
            raise SandboxUsageError(f"option {name!r} given twice")
        parsed.options[name] = typed(parsed.path, definitions[name], raw)
        parsed.last = name
    return parsed


def typed(path: str, definition: dict[str, object], raw: str) -> object:
    """A raw option value as its registered type (users/roles/channels stay names for the driver)."""
    kind = int(str(definition.get("type", 3)))
    name = definition.get("name")
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw = raw[1:-1]
    if kind == INTEGER:
        if not raw.lstrip("+-").isdigit():
            raise SandboxUsageError(f"option {name!r} of /{path} is an integer; {raw!r} is not")
        return int(raw)
    if kind == NUMBER:
        try:
            return float(raw)
        except ValueError:
            raise SandboxUsageError(f"option {name!r} of /{path} is a number; {raw!r} is not") from None
    if kind == BOOLEAN:
        word = raw.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise SandboxUsageError(f"option {name!r} of /{path} is true/false (or yes/no); {raw!r} is not")
        return word in TRUE_WORDS
    if kind == ATTACHMENT:
        file = Path(raw).expanduser()
        if not file.is_file():
            raise SandboxUsageError(f"option {name!r} of /{path} is a file; {raw!r} does not exist")
        return file
    if kind not in TYPE_NAMES:
        raise SandboxUsageError(f"option {name!r} of /{path} has unknown type {kind}")
    return raw
