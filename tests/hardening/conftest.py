"""Hardening fixtures: put discord.py's endpoints back, and report what the hardening tests counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _pytest.terminal import TerminalReporter
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.hardening._support import NOTES, TALLY


@pytest.fixture(autouse=True, scope="module")
def _restore_discord_endpoints() -> Iterator[None]:
    """Route.BASE and DEFAULT_GATEWAY are process-wide: put them back whatever happens."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Show the fuzz case count, the crash test's numbers and the like at the end of the run."""
    if not TALLY and not NOTES:
        return
    terminalreporter.section("kansou hardening")
    if TALLY:
        total = sum(v for k, v in TALLY.items() if k.startswith("fuzz:"))
        per = ", ".join(f"{k.removeprefix('fuzz:')} {v}" for k, v in sorted(TALLY.items()) if k.startswith("fuzz:"))
        terminalreporter.write_line(f"fuzz cases run: {total} ({per})")
        outcomes = ", ".join(f"{k.removeprefix('outcome:')} {v}" for k, v in sorted(TALLY.items())
                             if k.startswith("outcome:"))
        if outcomes:
            terminalreporter.write_line(f"fuzz outcomes: {outcomes}")
    for note in NOTES:
        terminalreporter.write_line(note)
