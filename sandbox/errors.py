"""Violations (a broken Discord rule, recorded) and Discord-shaped HTTP errors (answered)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


class SandboxUsageError(Exception):
    """A test or REPL asked the sandbox for something a Discord user could not do."""


@dataclass(frozen=True)
class Violation:
    """A Discord rule the bot broke (or a risk it took), as recorded by the stand-in."""

    name: str  # the rule, e.g. "message content > 2000 characters"
    detail: str  # what exactly happened, e.g. "content is 2001 characters"
    kind: str = "limit"  # limit | ping | interaction | registration | endpoint | gateway
    path: str = ""  # Discord's form path of the offending field, e.g. "data.embeds.0.title"
    endpoint: str = ""  # e.g. "POST /interactions/{id}/{token}/callback"
    interaction_id: int | None = None
    at: float = field(default_factory=time.monotonic, compare=False)

    def __str__(self) -> str:
        where = f" [{self.path}]" if self.path else ""
        return f"{self.name}{where}: {self.detail}"


@dataclass(frozen=True)
class Breach:
    """One failed check on a request body: the rule, where, and Discord's error code and message."""

    name: str
    path: str
    detail: str
    code: str = "BASE_TYPE_MAX_LENGTH"
    message: str = ""

    def prefixed(self, prefix: str) -> Breach:
        """The same breach with its path under ``prefix`` (e.g. ``data`` for interaction callbacks)."""
        path = f"{prefix}.{self.path}" if self.path else prefix
        return Breach(self.name, path, self.detail, self.code, self.message)


def errors_tree(breaches: list[Breach]) -> dict[str, Any]:
    """Discord's nested ``errors`` object: ``{"embeds": {"0": {"title": {"_errors": [...]}}}}``."""
    tree: dict[str, Any] = {}
    for breach in breaches:
        node = tree
        for part in [p for p in breach.path.split(".") if p]:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": breach.code, "message": breach.message or breach.detail})
    return tree


class DiscordHTTPError(Exception):
    """Raised inside a handler to answer with Discord's JSON error shape."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict[str, Any] | None = None,
        violation: Violation | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.violation = violation

    def body(self) -> dict[str, Any]:
        """The JSON body Discord would send."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body

    @classmethod
    def invalid_form(cls, breaches: list[Breach]) -> DiscordHTTPError:
        """400 Invalid Form Body (50035) with the errors tree for ``breaches``."""
        return cls(400, 50035, "Invalid Form Body", errors_tree(breaches))


def not_found(code: int, what: str) -> DiscordHTTPError:
    """404 ``Unknown <what>`` with Discord's code for it."""
    return DiscordHTTPError(404, code, f"Unknown {what}")


UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_WEBHOOK = 10015
UNKNOWN_APPLICATION_COMMAND = 10063
UNKNOWN_INTERACTION = 10062
ALREADY_ACKNOWLEDGED = 40060
INVALID_WEBHOOK_TOKEN = 50027
EMPTY_MESSAGE = 50006
CANNOT_EDIT_OTHERS = 50005
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
