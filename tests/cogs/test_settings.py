"""/settings end to end: shown with defaults, changed within bounds, logged, refused to members, and obeyed."""

from __future__ import annotations

import pytest

from sandbox import InteractionResult, Sandbox, SandboxUsageError
from tests.cogs.conftest import assert_clean, core, text_of
from tests.hardening._dispatch import invoke_raw


async def mod(sandbox: Sandbox, command: str, options: dict[str, object] | None = None,
              **where: object) -> InteractionResult:
    """A moderator's /settings command: answered privately, cleanly."""
    result = await sandbox.invoke(f"settings {command}", options or {}, user="mod", **where)  # type: ignore[arg-type]  # keyword targets
    assert_clean(result)
    assert result.ephemeral, result.label
    return result


def field(result: InteractionResult, name: str) -> str:
    """The value of one field of the settings card."""
    (embed,) = result.embeds
    return next(str(f.value) for f in embed.fields if f.name == name)


async def test_show_lists_every_setting_with_its_default(sandbox: Sandbox) -> None:
    shown = await mod(sandbox, "show")
    assert field(shown, "Reviews channel").startswith("not set (default)")
    assert field(shown, "Review cooldown").startswith("0 s (default)")
    assert field(shown, "Leaderboard's m").startswith("3 (default)")
    assert field(shown, "Automatic reply threads").startswith("off (default)")
    assert "Recent changes" not in text_of(shown)


async def test_changes_round_trip_are_logged_and_reset(sandbox: Sandbox) -> None:
    general = sandbox.config.guilds[0].channel("general").id
    reviews = sandbox.config.guilds[0].channel("reviews").id
    mod_id = sandbox.config.user("mod").id
    done = await mod(sandbox, "reviews-channel", {"channel": "reviews"})
    assert f"**Reviews channel** is now <#{reviews}> (was not set)" in text_of(done)
    assert field(done, "Reviews channel").startswith(f"<#{reviews}> · default: not set")
    here = await mod(sandbox, "discussion-channel", channel="general")
    assert field(here, "Discussion channel").startswith(f"<#{general}>")
    await mod(sandbox, "review-cooldown", {"seconds": 120})
    await mod(sandbox, "leaderboard-m", {"m": 10})
    threads = await mod(sandbox, "reply-threads", {"enabled": True})
    assert field(threads, "Automatic reply threads").startswith("on · default: off")
    log = field(threads, "Recent changes").splitlines()
    assert len(log) == 5
    assert f"<@{mod_id}> — **Automatic reply threads**: off (default) → on" in log[0]
    assert "**Leaderboard's m**: 3 (default) → 10" in log[1]
    assert "**Review cooldown**: 0 s (default) → 120 s" in log[2]

    reset = await mod(sandbox, "reset", {"setting": "leaderboard_m"})
    assert "**Leaderboard's m** is back to its default: 3 (was 10)" in text_of(reset)
    assert "**Leaderboard's m**: 10 → 3 (default)" in field(reset, "Recent changes").splitlines()[0]

    guild = sandbox.config.guilds[0].id
    settings = await core(sandbox).db.fetch_one(
        "SELECT reviews_channel_id, review_cooldown, leaderboard_m, reply_threads FROM server_settings "
        "WHERE guild_id = ?", (guild,))
    assert tuple(settings) == (reviews, 120.0, None, 1)
    other = sandbox.config.guilds[1].name
    elsewhere = await mod(sandbox, "show", guild=other)
    assert field(elsewhere, "Reviews channel").startswith("not set (default)")  # one server never sees another's


async def test_bounds_are_kept_even_from_a_crafted_client(sandbox: Sandbox) -> None:
    for command, options in (("review-cooldown", {"seconds": 3601}), ("rate-cooldown", {"seconds": -1}),
                             ("leaderboard-m", {"m": 101}), ("reset", {"setting": "drop table"})):
        refused = await sandbox.invoke(f"settings {command}", options, user="mod", raw=True)
        assert refused.acknowledged and refused.ephemeral
        assert not refused.log_errors
    assert await core(sandbox).db.fetch_value("SELECT count(*) FROM server_settings_change") == 0


async def test_members_without_manage_server_are_refused(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxUsageError, match="manage_guild"):  # Discord hides the group from them ...
        await sandbox.invoke("settings show", user="alice")
    for command, options in (("show", {}), ("review-cooldown", {"seconds": 5}), ("reply-threads", {"enabled": True}),
                             ("reset", {"setting": "rate_cooldown"})):
        # ... and if a server admin opens it to everyone in the integration settings, the bot still refuses.
        refused = await invoke_raw(sandbox, f"settings {command}", options, user="alice", check_visible=False)
        assert_clean(refused)
        assert refused.ephemeral and "Manage Server" in text_of(refused), command
    assert await core(sandbox).db.fetch_value("SELECT count(*) FROM server_settings_change") == 0
