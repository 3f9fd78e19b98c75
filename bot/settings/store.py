"""The server settings store (all its SQL): a row of overrides per server and the log of changes."""

from __future__ import annotations

from bot.core.database import Database, Row
from bot.settings.models import BY_NAME, SPECS, SettingChange, Value

_COLUMNS = ", ".join(spec.name for spec in SPECS)


class SettingsStore:
    """All SQL about per-server settings."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def stamp(self) -> object:
        """The database's change stamp (moves on every commit, of any process): a cached read is stale once it has."""
        return await self._db.change_stamp()

    async def overrides(self, guild_id: int) -> dict[str, Value]:
        """The settings a server set itself (name → stored value; unset ones are left out)."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM server_settings WHERE guild_id = ?", (guild_id,))
        if row is None:
            return {}
        found: dict[str, Value] = {}
        for index, spec in enumerate(SPECS):
            raw = row[index]
            if raw is None:
                continue
            if spec.kind == "switch":
                found[spec.name] = bool(raw)
            elif spec.kind == "seconds":
                found[spec.name] = float(raw)
            else:
                found[spec.name] = int(raw)
        return found

    async def change(self, guild_id: int, member_id: int, name: str, new: Value, *, old_text: str, new_text: str,
                     at: float) -> None:
        """Set (``new``) or clear (``None``) one setting of a server and log the change (as shown), together."""
        spec = BY_NAME[name]  # the column name comes from our own list, never from a member
        stored = int(new) if isinstance(new, bool) else new
        async with self._db.transaction() as tx:
            await tx.execute("INSERT INTO server_settings (guild_id) VALUES (?) ON CONFLICT (guild_id) DO NOTHING",
                             (guild_id,))
            await tx.execute(f"UPDATE server_settings SET {spec.name} = ? WHERE guild_id = ?", (stored, guild_id))
            await tx.execute(
                "INSERT INTO server_settings_change (guild_id, member_id, name, old_value, new_value, changed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, member_id, name, old_text, new_text, at),
            )

    async def changes(self, guild_id: int, limit: int) -> list[SettingChange]:
        """A server's latest setting changes, newest first."""
        rows: list[Row] = await self._db.fetch_all(
            "SELECT member_id, name, old_value, new_value, changed_at FROM server_settings_change "
            "WHERE guild_id = ? ORDER BY changed_at DESC, id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [SettingChange(int(r[0]), str(r[1]), str(r[2]), str(r[3]), float(r[4])) for r in rows]
