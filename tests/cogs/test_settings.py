"""/settings end to end: shown with defaults, changed within bounds, logged, refused to members, and obeyed."""

from __future__ import annotations

import discord
import pytest

from sandbox import InteractionResult, Sandbox, SandboxConfig, SandboxUsageError
from sandbox.config import BOT_PERMISSIONS
from tests.cogs.conftest import RunKansou, assert_clean, core, text_of
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
    assert settings is not None and tuple(settings) == (reviews, 120.0, None, 1)
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


# -- the features follow the server's settings -----------------------------------------------------

ROUGE = "Metallic Rouge"
EUPHONIUM = "Sound! Euphonium"


async def write(sandbox: Sandbox, anime: str, *, user: str = "alice", channel: str = "general") -> InteractionResult:
    """/review write and its form, submitted."""
    form = await sandbox.invoke("review write", {"anime": anime, "spoilers": False}, user=user, channel=channel)
    assert_clean(form)
    assert form.modal is not None, text_of(form)
    return await sandbox.submit_modal(form, {"Title": "Mine", "Review": "Lovely."})


async def test_reviews_go_to_the_reviews_channel_and_follow_the_servers_cooldown(sandbox: Sandbox) -> None:
    await mod(sandbox, "reviews-channel", {"channel": "reviews"})
    await mod(sandbox, "review-cooldown", {"seconds": 600})
    done = await write(sandbox, ROUGE)
    assert_clean(done)
    assert done.ephemeral and "is posted in <#" in text_of(done)
    (post,) = [m for m in sandbox.channel_messages("reviews") if not m.ephemeral]
    assert "Lovely." in (post.embed_objects()[0].description or "")
    assert not [m for m in sandbox.channel_messages("general") if not m.ephemeral]
    stored = await core(sandbox).db.fetch_one("SELECT channel_id FROM review")
    assert stored is not None and stored[0] == sandbox.config.guilds[0].channel("reviews").id
    # The server's cooldown (600 s), not the global one (0 in tests).
    refused = await sandbox.invoke("review write", {"anime": EUPHONIUM, "spoilers": False})
    assert_clean(refused)
    assert refused.modal is None and "try again in" in text_of(refused)
    # Deleting finds the post where it is.
    deleted = await sandbox.invoke("review delete", {"review": 1})
    assert_clean(deleted)
    assert not [m for m in sandbox.channel_messages("reviews") if not m.ephemeral]


async def test_ratings_follow_the_servers_cooldown_and_m(sandbox: Sandbox) -> None:
    await mod(sandbox, "rate-cooldown", {"seconds": 60})
    await mod(sandbox, "leaderboard-m", {"m": 7})
    first = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Music", "score": 4})
    assert_clean(first)
    again = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Story", "score": 4})
    assert_clean(again)
    assert "too quickly" in text_of(again)
    top = await sandbox.invoke("ratings top")
    assert_clean(top)
    assert "m = 7" in text_of(top)
    elsewhere = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Music", "score": 4},
                                     guild=sandbox.config.guilds[1].name)
    assert_clean(elsewhere)
    assert "too quickly" not in text_of(elsewhere)


async def test_a_channel_the_bot_cannot_post_in_is_refused_by_name(run_kansou: RunKansou) -> None:
    without = ~discord.Permissions(send_messages=True, embed_links=True).value
    config = SandboxConfig.default(bot_permissions=BOT_PERMISSIONS & without)
    for guild in config.guilds:  # nobody may post (the @everyone role neither)
        guild.everyone_permissions &= without
    async with run_kansou(config) as sandbox:
        refused = await sandbox.invoke("settings reviews-channel", {"channel": "reviews"}, user="mod")
        assert_clean(refused)
        assert refused.ephemeral
        assert "**Send Messages** and **Embed Links**" in text_of(refused)
        assert await core(sandbox).db.fetch_value("SELECT count(*) FROM server_settings_change") == 0
