"""Settings, read from a mapping (``os.environ`` after python-dotenv) by ``bot.cli`` alone."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

DEFAULT_DB = Path("data") / "kansou.sqlite3"
DEFAULT_ANILIST_URL = "https://graphql.anilist.co"


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or a log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that needs it (logging in)."""
        return self._value

    def masked(self) -> str:
        """A hint of the value that is safe to print: its length and last four characters."""
        if len(self._value) <= 8:
            return "*" * len(self._value)
        return f"{'*' * 8}…{self._value[-4:]} ({len(self._value)} characters)"

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _int(env: Mapping[str, str], name: str, default: int | None, *, minimum: int = 0) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}.")
    return value


def _float(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}.") from None
    if not value >= minimum:  # also rejects NaN
        raise ConfigError(f"{name} must be at least {minimum}, not {raw}.")
    return value


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip().rstrip("/")
    if not raw:
        return None
    if not raw.startswith(("http://", "https://", "ws://", "wss://")):
        raise ConfigError(f"{name} must be an http(s):// or ws(s):// URL, not {raw!r}.")
    return raw


MAX_SHARDS = 10_000  # far beyond any bot's need; a typo like 10000000 is refused rather than tried


def _shard_ids(raw: str, count: int) -> tuple[int, ...]:
    """``"0,1"`` or ``"2-3"`` (or a mix): the shards this process runs, each below ``count``, in order."""
    ids: set[int] = set()
    for part in (p.strip() for p in raw.split(",")):
        first, dash, last = part.partition("-")
        try:
            low = int(first)
            high = int(last) if dash else low
        except ValueError:
            raise ConfigError(f"KANSOU_SHARDS must list shard numbers like 0,1 or 2-3, not {raw!r}.") from None
        if not 0 <= low <= high < count:
            raise ConfigError(f"KANSOU_SHARDS: shard numbers run from 0 to {count - 1} with "
                              f"KANSOU_SHARD_COUNT={count}, so {part!r} is not one of them.")
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


def _shards(env: Mapping[str, str]) -> tuple[int | None, tuple[int, ...] | None]:
    """KANSOU_SHARD_COUNT and KANSOU_SHARDS: every shard of ``count`` in this process, or only the listed ones."""
    count = _int(env, "KANSOU_SHARD_COUNT", None, minimum=1)
    if count is not None and count > MAX_SHARDS:
        raise ConfigError(f"KANSOU_SHARD_COUNT must be at most {MAX_SHARDS}, not {count}.")
    raw = env.get("KANSOU_SHARDS", "").strip()
    if not raw:
        return count, None
    if count is None:
        raise ConfigError("KANSOU_SHARDS needs KANSOU_SHARD_COUNT too: every process must agree on how many shards "
                          "there are (e.g. KANSOU_SHARD_COUNT=4 and KANSOU_SHARDS=0,1 here, 2,3 in another).")
    return count, _shard_ids(raw, count)


def _anilist_url(env: Mapping[str, str]) -> str:
    if env.get("ANILIST_API_URL", "").strip().lower() == "off":
        return "off"
    return _url(env, "ANILIST_API_URL") or DEFAULT_ANILIST_URL


@dataclass(frozen=True)
class Settings:
    """Everything kansou can be told through the environment or ``.env``."""

    token: Secret | None = None
    db_path: Path = DEFAULT_DB
    db_url: str | None = None
    """A PostgreSQL database (``KANSOU_DB=postgresql://…``); ``db_path`` is then unused."""
    dev_guild: int | None = None
    api_base: str | None = None
    gateway_url: str | None = None
    log_level: str = "INFO"
    anilist_url: str = DEFAULT_ANILIST_URL
    anilist_per_minute: int = 25
    anilist_max_age_days: float = 7.0
    anilist_timeout: float = 10.0
    leaderboard_min_votes: int = 3
    review_cooldown: float = 30.0
    rate_cooldown: float = 2.0
    lookup_cooldown: float = 3.0
    backup_dir: Path | None = None
    backup_keep: int = 7
    log_format: str = "text"
    catalogue_dir: Path | None = None
    shard_count: int | None = None  # None: as many as Discord recommends, all in this process
    shard_ids: tuple[int, ...] | None = None  # None: every shard of shard_count

    @property
    def db_target(self) -> Path | str:
        """What ``Database.open`` is given: the PostgreSQL URL, or the SQLite file."""
        return self.db_url if self.db_url is not None else self.db_path

    @property
    def anilist_enabled(self) -> bool:
        """False when ANILIST_API_URL is "off": the bot then answers from its catalogue alone."""
        return self.anilist_url != "off"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping; raise ``ConfigError`` with a clear reason."""
        token = env.get("DISCORD_TOKEN", "").strip()
        level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if not isinstance(logging.getLevelName(level), int):
            raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}.")
        backup_dir = env.get("KANSOU_BACKUP_DIR", "").strip()
        log_format = env.get("LOG_FORMAT", "").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT must be text or json, not {log_format!r}.")
        catalogue_dir = env.get("KANSOU_CATALOGUE_DIR", "").strip()
        db = env.get("KANSOU_DB", "").strip()
        db_url = db if db.lower().startswith(("postgresql://", "postgres://")) else None
        if db.startswith("sqlite:///"):  # sqlite:///relative/path or sqlite:////absolute/path
            db = db.removeprefix("sqlite:///")
        shard_count, shard_ids = _shards(env)
        return cls(
            token=Secret(token) if token else None,
            db_path=Path(db) if db and db_url is None else DEFAULT_DB,
            db_url=db_url,
            dev_guild=_int(env, "KANSOU_DEV_GUILD", None, minimum=1),
            api_base=_url(env, "DISCORD_API_BASE"),
            gateway_url=_url(env, "DISCORD_GATEWAY_URL"),
            log_level=level,
            anilist_url=_anilist_url(env),
            anilist_per_minute=_int(env, "ANILIST_PER_MINUTE", 25, minimum=1) or 25,
            anilist_max_age_days=_float(env, "ANILIST_MAX_AGE_DAYS", 7.0),
            anilist_timeout=_float(env, "ANILIST_TIMEOUT", 10.0, minimum=0.1),
            leaderboard_min_votes=_int(env, "KANSOU_LEADERBOARD_MIN_VOTES", 3, minimum=0) or 0,
            review_cooldown=_float(env, "KANSOU_REVIEW_COOLDOWN", 30.0),
            rate_cooldown=_float(env, "KANSOU_RATE_COOLDOWN", 2.0),
            lookup_cooldown=_float(env, "KANSOU_LOOKUP_COOLDOWN", 3.0),
            backup_dir=Path(backup_dir) if backup_dir else None,
            backup_keep=_int(env, "KANSOU_BACKUP_KEEP", 7, minimum=1) or 7,
            log_format=log_format,
            catalogue_dir=Path(catalogue_dir) if catalogue_dir else None,
            shard_count=shard_count,
            shard_ids=shard_ids,
        )
