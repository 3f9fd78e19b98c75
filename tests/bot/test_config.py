"""Settings from the environment: defaults, validation, and a token that never shows itself."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import DEFAULT_ANILIST_URL, Secret, Settings
from bot.errors import ConfigError

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fake-token-for-tests-only-1234"


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.token is None
    assert settings.db_path == Path("data/kansou.sqlite3")
    assert settings.anilist_url == DEFAULT_ANILIST_URL and settings.anilist_enabled
    assert settings.anilist_per_minute == 25
    assert settings.leaderboard_min_votes == 3
    assert settings.log_level == "INFO"


def test_every_setting_is_read() -> None:
    settings = Settings.from_env({
        "DISCORD_TOKEN": TOKEN,
        "KANSOU_DB": "/tmp/x.sqlite3",
        "KANSOU_DEV_GUILD": "123",
        "DISCORD_API_BASE": "http://127.0.0.1:9999/",
        "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9999/gateway",
        "LOG_LEVEL": "debug",
        "ANILIST_API_URL": "http://127.0.0.1:8888",
        "ANILIST_PER_MINUTE": "10",
        "ANILIST_MAX_AGE_DAYS": "2.5",
        "ANILIST_TIMEOUT": "3",
        "KANSOU_LEADERBOARD_MIN_VOTES": "5",
        "KANSOU_REVIEW_COOLDOWN": "60",
        "KANSOU_RATE_COOLDOWN": "1",
        "KANSOU_LOOKUP_COOLDOWN": "4",
        "KANSOU_BACKUP_DIR": "/tmp/backups",
        "KANSOU_BACKUP_KEEP": "3",
    })
    assert settings.token is not None and settings.token.reveal() == TOKEN
    assert settings.db_path == Path("/tmp/x.sqlite3") and settings.dev_guild == 123
    assert settings.api_base == "http://127.0.0.1:9999" and settings.gateway_url == "ws://127.0.0.1:9999/gateway"
    assert settings.log_level == "DEBUG" and settings.anilist_url == "http://127.0.0.1:8888"
    assert (settings.anilist_per_minute, settings.anilist_max_age_days, settings.anilist_timeout) == (10, 2.5, 3.0)
    assert settings.leaderboard_min_votes == 5
    assert (settings.review_cooldown, settings.rate_cooldown, settings.lookup_cooldown) == (60.0, 1.0, 4.0)
    assert settings.backup_dir == Path("/tmp/backups") and settings.backup_keep == 3


def test_anilist_can_be_turned_off() -> None:
    assert not Settings.from_env({"ANILIST_API_URL": "off"}).anilist_enabled


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KANSOU_DEV_GUILD", "not-a-number"),
        ("KANSOU_DEV_GUILD", "0"),
        ("ANILIST_PER_MINUTE", "0"),
        ("ANILIST_MAX_AGE_DAYS", "nan"),
        ("ANILIST_TIMEOUT", "-1"),
        ("DISCORD_API_BASE", "discord.com"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_values_are_clear_errors(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_the_token_never_shows_itself(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({"DISCORD_TOKEN": TOKEN})
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert TOKEN not in repr(settings.token) and TOKEN not in f"{settings.token}"
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("settings: %s / %r", settings, settings)
    assert TOKEN not in caplog.text
    masked = Secret(TOKEN).masked()
    assert TOKEN not in masked and masked.endswith(f"…{TOKEN[-4:]} ({len(TOKEN)} characters)")
