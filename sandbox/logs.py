"""Catching the bot's ERROR log records (an exception in a command ends up there)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

WATCHED = ("discord", "bot", "cogs")


class LogCapture(logging.Handler):
    """Keeps ERROR records of the ``discord``, ``bot`` and ``cogs`` loggers (the sandbox's own excluded)."""

    def __init__(self, names: tuple[str, ...] = WATCHED) -> None:
        super().__init__(level=logging.ERROR)
        self.names = names
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Remember the record."""
        if not record.name.startswith("sandbox"):
            self.records.append(record)

    def install(self) -> LogCapture:
        """Attach to the watched loggers."""
        for name in self.names:
            logging.getLogger(name).addHandler(self)
        return self

    def remove(self) -> None:
        """Detach."""
        for name in self.names:
            logging.getLogger(name).removeHandler(self)

    def since(self, mark: int) -> list[logging.LogRecord]:
        """Records captured after ``mark`` (a previous ``len(records)``)."""
        return self.records[mark:]
