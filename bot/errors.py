"""The project's own errors: each carries a message that is safe to show a member as it is."""

from __future__ import annotations

from collections.abc import Sequence


class KansouError(Exception):
    """Base class: ``str(error)`` is a friendly sentence meant for the member who ran the command."""


class InvalidInput(KansouError):
    """An option's value is not acceptable (out of range, empty, too long, ...)."""


class NotFound(KansouError):
    """Nothing matched; ``suggestions`` holds the closest names, best first."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.suggestions = tuple(suggestions)


class Ambiguous(KansouError):
    """Several things matched equally well; ``choices`` lists them so the member can pick one."""

    def __init__(
        self, message: str, choices: Sequence[str], values: Sequence[str] = (), query: str | None = None
    ) -> None:
        super().__init__(message)
        self.choices = tuple(choices)
        # What to pass back as the option value to pick each choice (e.g. "id:12"), parallel to choices,
        # and the text that was ambiguous (so the option it came from can be given the chosen value).
        self.values = tuple(values)
        self.query = query


class NotSure(Ambiguous):
    """Nothing matched surely, but some names come close; ``choices`` lists them so the member can pick one."""


class Forbidden(KansouError):
    """The member may not do this (not the author, not a moderator, ...)."""


class OnCooldown(KansouError):
    """The member acted too often; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamUnavailable(KansouError):
    """An outside service (AniList) failed; ``retry_after`` is set when it told us how long to wait."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ConfigError(KansouError):
    """The configuration or the environment is not usable (shown on the terminal, not in Discord)."""


class CatalogueFormatError(KansouError):
    """A catalogue file does not follow the documented format."""


class DatabaseError(KansouError):
    """The database cannot be opened or is not one this version understands."""
