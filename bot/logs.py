"""Logging: text or JSON lines, the token redacted from every record, and one structured line per interaction.

Importing this module does not import discord.py (``kansou --help`` stays fast).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

__all__ = [
    "LOG_FORMATS",
    "InteractionLog",
    "JsonFormatter",
    "RedactSecrets",
    "configure_logging",
    "note_outcome",
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

Outcome = Literal["ok", "user-error", "error", "unhandled"]

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
    global _previous_factory  # noqa: PLW0603
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


# -- one line per interaction -------------------------------------------------------------------------------

DISCORD_EPOCH_MS = 1_420_070_400_000
KINDS = {2: "command", 3: "component", 4: "autocomplete", 5: "modal"}


@dataclass
class _Pending:
    """An interaction being handled: what it is, when it arrived, and how it ended (set by the error handler)."""

    fields: dict[str, Any]
    received: float
    outcome: Outcome = "ok"
    error: str | None = None
    remaining: int = 0


_current: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar("kansou_interaction", default=None)


def note_outcome(outcome: Outcome, error: BaseException | None = None) -> None:
    """Record how the interaction being handled (in this task) ended; called by the central error handler."""
    pending = _current.get()
    if pending is not None:
        pending.outcome = outcome
        if error is not None:
            cause = error.__cause__ if error.__cause__ is not None else error
            pending.error = type(cause).__name__


def _command_path(data: Mapping[str, Any]) -> tuple[str, str | None]:
    """The qualified command name ("review write") and the focused option of an autocomplete, from the payload."""
    parts = [str(data.get("name", "?"))]
    options = data.get("options") or []
    focused = None
    while options:
        first = options[0]
        if first.get("type") in (1, 2):  # a subcommand (group): descend
            parts.append(str(first.get("name")))
            options = first.get("options") or []
            continue
        focused = next((str(o.get("name")) for o in options if o.get("focused")), None)
        break
    return " ".join(parts), focused


def describe_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The fields logged for an INTERACTION_CREATE payload: ids, kind and what was used."""
    data = payload.get("data") or {}
    kind = KINDS.get(int(payload.get("type", 0)), f"type {payload.get('type')}")
    user = (payload.get("member") or {}).get("user") or payload.get("user") or {}
    fields: dict[str, Any] = {
        "event": "interaction",
        "interaction_id": int(payload.get("id", 0)),
        "guild_id": int(payload["guild_id"]) if payload.get("guild_id") else None,
        "user_id": int(user["id"]) if user.get("id") else None,
        "kind": kind,
    }
    if kind in ("command", "autocomplete"):
        name, focused = _command_path(data)
        fields["command"] = name
        if focused is not None:
            fields["option"] = focused
    else:
        fields["command"] = f"{kind}:{data.get('custom_id', '?')}"
    return fields


@contextlib.contextmanager
def _recording_tasks(created: list[asyncio.Task[Any]]) -> Iterator[None]:
    """Collect the tasks created on the running loop inside the block (O(1) each, unlike all_tasks())."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = previous(loop, coro, **kwargs) if previous is not None else asyncio.Task(coro, loop=loop, **kwargs)
        created.append(task)  # type: ignore[arg-type]
        return task  # type: ignore[return-value]

    loop.set_task_factory(factory)
    try:
        yield
    finally:
        loop.set_task_factory(previous)


class InteractionLog:
    """Times every interaction from receipt to the end of its handlers, and logs one structured line for it.

    ``wrap`` decorates discord.py's INTERACTION_CREATE parser: the handler tasks discord.py creates while
    parsing (command tree, view, modal) are watched, and the line is written when the last one finishes.
    The central error handler calls :func:`note_outcome` from inside those tasks to say how it ended.
    """

    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.logger = logger or logging.getLogger("bot.interactions")
        self.monotonic = monotonic
        self.wall = wall

    def wrap(self, parse: Callable[[Any], None]) -> Callable[[Any], None]:
        """``parse`` (discord.py's parser of INTERACTION_CREATE), timed and logged."""

        def parse_and_watch(data: Any) -> None:
            try:
                pending = _Pending(describe_payload(data), self.monotonic())
            except (KeyError, TypeError, ValueError, AttributeError):
                parse(data)  # an unexpected payload: discord.py decides what to do with it, unlogged
                return
            created: list[asyncio.Task[Any]] = []
            token = _current.set(pending)  # copied into every task created while parsing
            with _recording_tasks(created):
                try:
                    parse(data)
                finally:
                    _current.reset(token)
            handlers = [t for t in created if not t.get_name().startswith("discord.py: ")]
            self.watch(pending, handlers)

        return parse_and_watch

    def watch(self, pending: _Pending, handlers: Iterable[asyncio.Future[Any]]) -> None:
        """Log ``pending`` once every handler is done (at once, as "unhandled", when there is none)."""
        handlers = list(handlers)
        if not handlers:
            pending.outcome = "unhandled"
            self.finish(pending)
            return
        pending.remaining = len(handlers)

        def done(_: asyncio.Future[Any]) -> None:
            pending.remaining -= 1
            if pending.remaining == 0:
                self.finish(pending)

        for task in handlers:
            task.add_done_callback(done)

    def finish(self, pending: _Pending) -> None:
        """Write the interaction's line."""
        fields = dict(pending.fields)
        fields["outcome"] = pending.outcome
        fields["latency_ms"] = round((self.monotonic() - pending.received) * 1000, 1)
        created_ms = (fields["interaction_id"] >> 22) + DISCORD_EPOCH_MS
        fields["since_created_ms"] = round(self.wall() * 1000 - created_ms, 1)
        if pending.error:
            fields["error"] = pending.error
        level = logging.WARNING if pending.outcome in ("error", "unhandled") else logging.INFO
        if fields["kind"] == "autocomplete" and pending.outcome == "ok":
            level = logging.DEBUG  # one per keystroke: too many for INFO
        if not self.logger.isEnabledFor(level):
            return
        extra = f" ({fields['error']})" if "error" in fields else ""
        self.logger.log(
            level, "interaction %s %s by %s in %s: %s%s in %.0f ms", fields["interaction_id"], fields["command"],
            fields["user_id"], fields["guild_id"] or "DM", fields["outcome"], extra, fields["latency_ms"],
            extra=fields,
        )
