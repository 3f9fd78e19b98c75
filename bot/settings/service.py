"""Per-server settings: reading a server's effective settings (cached), and changing them within bounds, logged.

Every feature that depends on a server's choice (where reviews go, cooldowns, the leaderboard's m …) asks
:meth:`ServerSettingsService.effective`: the server's own value where it set one, else the global default from
the environment. The answer is cached until the database's change stamp moves (any commit, of any process), so
asking costs one cheap read of the stamp and a change is seen at once.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from bot.config import Settings
from bot.core.database import Database
from bot.errors import InvalidInput
from bot.settings.models import BY_NAME, SPECS, Changed, ServerSettings, SettingChange, Spec, Value, global_defaults
from bot.settings.store import SettingsStore

log = logging.getLogger(__name__)

RECENT_CHANGES = 5


def describe(spec: Spec, value: Value) -> str:
    """A setting's value as members read it ("#123" channels are mentioned as <#123>; Discord shows the name)."""
    if value is None:
        return "not set"
    if spec.kind == "channel":
        return f"<#{int(value)}>"
    if spec.kind == "switch":
        return "on" if value else "off"
    if spec.kind == "seconds":
        seconds = float(value)
        return f"{seconds:g} s"
    return str(int(value))


def guild_of(guild_id: int | None) -> int:
    """The server whose settings these are; ``InvalidInput`` outside one."""
    if guild_id is None:
        raise InvalidInput("Settings belong to a server — use this command inside one.")
    return guild_id


class ServerSettingsService:
    """A server's effective settings (cached by the database's change counter) and the rules for changing them."""

    def __init__(self, store: SettingsStore, defaults: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._defaults = global_defaults(defaults)
        self._clock = clock
        self._cache: dict[int, ServerSettings] = {}
        self._seen: object = None

    @classmethod
    def over(cls, db: Database, defaults: Settings) -> ServerSettingsService:
        """A settings service over a database (each feature may build its own: the cache follows the database)."""
        return cls(SettingsStore(db), defaults)

    async def effective(self, guild_id: int) -> ServerSettings:
        """The server's settings: its own values, else the global defaults."""
        stamp = await self._store.stamp()  # taken before reading, so a write meanwhile makes the next call read again
        if stamp != self._seen:
            self._cache.clear()
            self._seen = stamp
        found = self._cache.get(guild_id)
        if found is None:
            own = await self._store.overrides(guild_id)
            values = {**self._defaults, **own}
            found = ServerSettings(
                guild_id=guild_id,
                reviews_channel_id=_optional_int(values["reviews_channel_id"]),
                discussion_channel_id=_optional_int(values["discussion_channel_id"]),
                reply_threads=bool(values["reply_threads"]),
                review_cooldown=float(values["review_cooldown"] or 0.0),
                rate_cooldown=float(values["rate_cooldown"] or 0.0),
                leaderboard_m=int(values["leaderboard_m"] or 0),
                own=frozenset(own),
            )
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[guild_id] = found
        return found

    def default(self, name: str) -> Value:
        """A setting's global default."""
        return self._defaults[name]

    async def changes(self, guild_id: int | None, limit: int = RECENT_CHANGES) -> list[SettingChange]:
        """The server's latest changes, newest first."""
        return await self._store.changes(guild_of(guild_id), limit)

    @staticmethod
    def check(spec: Spec, value: Value) -> Value:
        """A new value within the setting's bounds (``InvalidInput`` otherwise), in the setting's own type."""
        if value is None or spec.kind == "channel":
            return value
        if spec.kind == "switch":
            return bool(value)
        number = float(value)
        if not math.isfinite(number) or not spec.minimum <= number <= spec.maximum:
            unit = " seconds" if spec.kind == "seconds" else ""
            raise InvalidInput(f"{spec.label} must be between {spec.minimum:g} and {spec.maximum:g}{unit}.")
        if spec.kind == "count":
            if number != int(number):
                raise InvalidInput(f"{spec.label} must be a whole number.")
            return int(number)
        return number

    async def set(self, guild_id: int | None, member_id: int, name: str, value: Value) -> Changed:
        """Set one setting (``None``: back to the global default), logging who changed it from what to what."""
        guild = guild_of(guild_id)
        spec = BY_NAME.get(name)
        if spec is None:
            raise InvalidInput("There is no such setting.")
        new = self.check(spec, value)
        before = await self.effective(guild)
        old = before.value(name)
        old_text = describe(spec, old) + ("" if name in before.own else " (default)")
        shown = self._defaults[name] if new is None else new
        new_text = describe(spec, shown) + (" (default)" if new is None else "")
        await self._store.change(guild, member_id, name, new, old_text=old_text, new_text=new_text,
                                 at=self._clock())
        log.info("settings of server %s: %s changed by %s from %s to %s", guild, name, member_id, old_text, new_text,
                 extra={"event": "server_setting", "guild_id": guild, "member_id": member_id, "setting": name})
        after = await self.effective(guild)
        return Changed(spec, old, after.value(name), after, tuple(await self._store.changes(guild, RECENT_CHANGES)))


def _optional_int(value: Value) -> int | None:
    return None if value is None else int(value)


__all__ = ["RECENT_CHANGES", "SPECS", "ServerSettingsService", "describe", "guild_of"]
