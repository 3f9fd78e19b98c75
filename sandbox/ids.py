"""Snowflake ids and tokens, made the way Discord makes them (time in the top bits)."""

from __future__ import annotations

import itertools
import secrets
import time

DISCORD_EPOCH_MS = 1_420_070_400_000
# 2024-01-01T00:00:00Z: the fixed "creation time" of the configured guilds, channels, roles and users.
FIXTURE_EPOCH_MS = 1_704_067_200_000


def snowflake_at(ms: int, increment: int = 0) -> int:
    """A snowflake for the Unix time ``ms`` (milliseconds) with a 12-bit ``increment``."""
    return ((ms - DISCORD_EPOCH_MS) << 22) | (increment & 0xFFF)


FIXTURES_PER_KIND = 1000 * 4096  # 1000 milliseconds per kind × the 12-bit increment


def fixture_id(kind: int, index: int) -> int:
    """A stable id for configured entity number ``index`` of ``kind`` (so tests can hard-code it).

    Entity ``index`` of ``kind`` is made at millisecond ``kind * 1000 + index % 1000`` after the fixture epoch,
    with ``index // 1000`` as its increment: the first thousand keep increment 0, and a kind never runs into
    the next one's milliseconds, however many entities there are (up to 4,096,000 per kind).
    """
    if not 0 <= index < FIXTURES_PER_KIND:
        raise ValueError(f"fixture index {index} is outside 0..{FIXTURES_PER_KIND - 1}")
    return snowflake_at(FIXTURE_EPOCH_MS + kind * 1000 + index % 1000, index // 1000)


class SnowflakeFactory:
    """Fresh, strictly increasing snowflakes for messages, interactions and commands."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        """A new snowflake for "now", never equal to or lower than the previous one."""
        value = snowflake_at(int(time.time() * 1000), next(self._counter))
        if value <= self._last:
            value = self._last + 1
        self._last = value
        return value


def new_token(prefix: str = "") -> str:
    """An opaque, URL-safe token like the ones Discord hands out for interactions and sessions."""
    return prefix + secrets.token_urlsafe(48)
