"""Logging: text or JSON lines, and the token (and anything shaped like one) redacted from every record.

Importing this module does not import discord.py (``kansou --help`` stays fast). The line logged for every
interaction is the Discord side's business: ``bot.ui.interactions``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

__all__ = [
    "LOG_FORMATS",
    "JsonFormatter",
    "RedactSecrets",
    "configure_logging",
    "redact",
    "reset_logging",
]

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
REDACTED = "[REDACTED]"
# A Discord token: base64 of the user id, a timestamp, an HMAC, joined by dots (also matches JWT-like secrets).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}")
# discord.py warns about voice support once per process; kansou has no voice feature.
VOICE_WARNINGS = ("PyNaCl is not installed", "davey is not installed")

# The attributes every LogRecord has; anything else on a record came from ``extra=`` and goes into JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret and anything shaped like a Discord token replaced by ``[REDACTED]``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, exception and stack text so no secret or token-shaped string is left."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            cleaned = redact(text, self.secrets)
            if cleaned != text:
                record.exc_text = cleaned
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value, self.secrets))
        return True


class DropVoiceWarnings(logging.Filter):
    """Drops discord.py's "PyNaCl/davey is not installed" warnings (kansou uses no voice)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for the two voice warnings, True for everything else."""
        return not (isinstance(record.msg, str) and record.msg.startswith(VOICE_WARNINGS))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's ``extra`` fields, the exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


_installed: list[tuple[logging.Handler, RedactSecrets]] = []
_previous_factory: Callable[..., logging.LogRecord] | None = None
_redactor = RedactSecrets()


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _previous_factory is not None
    record = _previous_factory(*args, **kwargs)
    _redactor.filter(record)
    return record


def install_redaction(secrets: Iterable[str]) -> RedactSecrets:
    """Redact ``secrets`` (and token-shaped strings) from every record created from now on, whatever its handler."""
    global _previous_factory, _redactor  # noqa: PLW0603  # logging's record factory is process-wide too
    _redactor = RedactSecrets(secrets)
    if _previous_factory is None:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_redacting_factory)
    return _redactor


def reset_logging() -> None:
    """Undo :func:`configure_logging`: remove its handler and the redacting record factory (for tests)."""
    global _previous_factory  # noqa: PLW0603  # see install_redaction
    root = logging.getLogger()
    for handler, _ in _installed:
        root.removeHandler(handler)
    _installed.clear()
    if _previous_factory is not None:
        logging.setLogRecordFactory(_previous_factory)
        _previous_factory = None


def configure_logging(
    level: str = "INFO", fmt: str = "text", *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Log to ``stream`` (stderr) as text or JSON lines, secrets redacted, voice warnings dropped; idempotent."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"unknown log format {fmt!r}")
    redactor = install_redaction(secrets)
    root = logging.getLogger()
    for handler, _ in _installed:
        root.removeHandler(handler)
    _installed.clear()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT, DATE_FORMAT))
    handler.addFilter(redactor)  # records made before the factory was installed, or by a foreign factory
    root.addHandler(handler)
    root.setLevel(level)
    _installed.append((handler, redactor))
    # discord.py is chatty at DEBUG; keep it at INFO unless asked for more.
    discord_logger = logging.getLogger("discord")
    discord_logger.setLevel(logging.DEBUG if level == "DEBUG" else max(logging.INFO, logging.getLevelName(level)))
    voice = logging.getLogger("discord.client")
    if not any(isinstance(f, DropVoiceWarnings) for f in voice.filters):
        voice.addFilter(DropVoiceWarnings())
    return handler
