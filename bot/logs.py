"""Logging: text or JSON lines; secrets redacted and members' text kept out of every record, at every level.

Secrets: the bot's token (and anything shaped like one), and interaction and webhook tokens — in the URLs of
``/interactions/<id>/<token>/callback`` and ``/webhooks/<application>/<token>``, or a payload's ``"token"`` field —
which let anyone post as the bot in a channel for 15 minutes. Members' text: the payloads discord.py logs at DEBUG
(gateway events, request and response bodies) and the operations aiosqlite logs at DEBUG (the SQL with its
parameters: review bodies) are shown as a summary (the event's name, the payload's size), never their content.

Importing this module does not import discord.py (``kansou --help`` stays fast). The line logged for every
interaction is the Discord side's business: ``bot.ui.interactions``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
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
# An interaction's or a webhook's token in a URL path, and a payload's token field (as JSON or as a Python repr).
URL_TOKEN = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/?#\s'\"]+")
FIELD_TOKEN = re.compile(r"""(["']token["']\s*:\s*["'])[^"']+""")
# Loggers that put whole payloads in their DEBUG records: their non-scalar (and JSON) arguments are summarised.
PAYLOAD_LOGGERS = ("discord.http", "discord.gateway", "discord.webhook", "discord.state", "aiosqlite")
# discord.py warns about voice support once per process; kansou has no voice feature.
VOICE_WARNINGS = ("PyNaCl is not installed", "davey is not installed")

# The attributes every LogRecord has; anything else on a record came from ``extra=`` and goes into JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret and anything shaped like a Discord token replaced by ``[REDACTED]``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    text = URL_TOKEN.sub(rf"\g<1>{REDACTED}", text)
    text = FIELD_TOKEN.sub(rf"\g<1>{REDACTED}", text)
    return TOKEN_PATTERN.sub(REDACTED, text)


def summarise(value: object) -> object:
    """A logged argument with any member text left out: scalars as they are, payloads as their shape and size."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        # A JSON body (a message's content, a modal's values) is a payload; a method, URL or name is not.
        return f"<JSON of {len(value)} characters>" if value.lstrip()[:1] in ("{", "[") else value
    if isinstance(value, Mapping):
        if "op" in value:  # a gateway message: its opcode, event name and sequence number are what debugging needs
            return f"<gateway op={value.get('op')} t={value.get('t')} s={value.get('s')}>"
        return f"<payload of {len(value)} fields>"
    if isinstance(value, functools.partial):  # aiosqlite's operation: the SQL and its parameters stay out
        try:
            name = value.func.__qualname__
        except AttributeError:  # a callable object rather than a function
            name = type(value.func).__name__
        return f"<database call {name}>"
    if isinstance(value, list | tuple | set | bytes | bytearray):
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, BaseException) or type(value).__name__ == "URL":  # a URL's token is redacted as text
        return value
    return f"<{type(value).__name__}>"


class RedactSecrets(logging.Filter):
    """Rewrites a record's message, exception and stack text so no secret or token-shaped string is left."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        if record.args and record.name.startswith(PAYLOAD_LOGGERS):
            args = (record.args,) if isinstance(record.args, Mapping) else record.args
            record.args = tuple(summarise(a) for a in args)
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
