"""The settings service against real SQLite: effective values, bounds, the log, and the cache's freshness."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.core.database import Database
from bot.errors import InvalidInput
from bot.settings.service import ServerSettingsService
from bot.settings.store import SettingsStore

GUILD, OTHER, MOD = 10, 20, 7


def service(db: Database) -> ServerSettingsService:
    ticks = iter(range(1000, 2000))
    return ServerSettingsService(SettingsStore(db), Settings(review_cooldown=30.0, leaderboard_min_votes=3),
                                 clock=lambda: float(next(ticks)))


async def test_defaults_then_own_values_then_back(db: Database) -> None:
    settings = service(db)
    start = await settings.effective(GUILD)
    assert (start.review_cooldown, start.leaderboard_m, start.reviews_channel_id, start.own) == (30.0, 3, None,
                                                                                               frozenset())
    changed = await settings.set(GUILD, MOD, "review_cooldown", 90)
    assert (changed.old, changed.new) == (30.0, 90.0)
    assert (await settings.effective(GUILD)).review_cooldown == 90.0
    assert (await settings.effective(OTHER)).review_cooldown == 30.0
    await settings.set(GUILD, MOD, "review_cooldown", None)
    back = await settings.effective(GUILD)
    assert back.review_cooldown == 30.0 and back.own == frozenset()
    log = await settings.changes(GUILD)
    assert [(c.member_id, c.name, c.old, c.new, c.changed_at) for c in log] == [
        (MOD, "review_cooldown", "90 s", "30 s (default)", 1001.0),
        (MOD, "review_cooldown", "30 s (default)", "90 s", 1000.0),
    ]


@pytest.mark.parametrize(("name", "value"), [("review_cooldown", 3601), ("rate_cooldown", -1),
                                             ("leaderboard_m", 101), ("leaderboard_m", 2.5),
                                             ("review_cooldown", float("nan")), ("nonsense", 1)])
async def test_out_of_bounds_writes_nothing(db: Database, name: str, value: float) -> None:
    settings = service(db)
    with pytest.raises(InvalidInput):
        await settings.set(GUILD, MOD, name, value)
    assert await settings.changes(GUILD) == []


async def test_a_second_service_on_the_same_database_sees_a_change_at_once(db: Database) -> None:
    reader, writer = service(db), service(db)
    assert (await reader.effective(GUILD)).leaderboard_m == 3  # cached now
    await writer.set(GUILD, MOD, "leaderboard_m", 12)
    assert (await reader.effective(GUILD)).leaderboard_m == 12  # the database's change counter moved


async def test_reads_are_cached_until_something_is_written(db: Database, monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    store = SettingsStore(db)
    reads = 0
    real = store.overrides

    async def counted(guild_id: int) -> dict[str, object]:
        nonlocal reads
        reads += 1
        return await real(guild_id)  # type: ignore[return-value]  # the same values

    monkeypatch.setattr(store, "overrides", counted)
    settings = ServerSettingsService(store, Settings())
    for _ in range(5):
        await settings.effective(GUILD)
    assert reads == 1
    await db.execute("CREATE TABLE unrelated (x INTEGER)")
    await settings.effective(GUILD)
    assert reads == 2
