"""A server's settings as plain data: what each setting is, its bounds, and a server's effective values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import Settings

Kind = Literal["channel", "switch", "seconds", "count"]

COOLDOWN_MAX = 3600
LEADERBOARD_M_MAX = 100


@dataclass(frozen=True)
class Spec:
    """One setting: its column, what members call it, its kind and bounds."""

    name: str
    label: str
    kind: Kind
    help: str
    minimum: float = 0
    maximum: float = 0


SPECS: tuple[Spec, ...] = (
    Spec("reviews_channel_id", "Reviews channel", "channel",
         "Where /review write posts reviews (unset: the channel the command is used in)."),
    Spec("discussion_channel_id", "Discussion channel", "channel",
         "Where /discuss and followed shows open episode threads (unset: the channel /discuss is used in)."),
    Spec("reply_threads", "Automatic reply threads", "switch",
         "Open a reply thread under every new review post by itself."),
    Spec("review_cooldown", "Review cooldown", "seconds", "How long a member waits between two reviews.",
         0, COOLDOWN_MAX),
    Spec("rate_cooldown", "Rating cooldown", "seconds", "How long a member waits between two ratings.",
         0, COOLDOWN_MAX),
    Spec("leaderboard_m", "Leaderboard's m", "count",
         "Votes a show needs before its own average outweighs the server's (the Bayesian m of /ratings top).",
         0, LEADERBOARD_M_MAX),
)
BY_NAME = {spec.name: spec for spec in SPECS}

Value = int | float | bool | None


def global_defaults(settings: Settings) -> dict[str, Value]:
    """Every setting's value when a server has not set it: the environment's (``KANSOU_*``), or none."""
    return {
        "reviews_channel_id": None,
        "discussion_channel_id": None,
        "reply_threads": False,
        "review_cooldown": settings.review_cooldown,
        "rate_cooldown": settings.rate_cooldown,
        "leaderboard_m": settings.leaderboard_min_votes,
    }


@dataclass(frozen=True)
class ServerSettings:
    """A server's effective settings: its own value where it set one, else the global default."""

    guild_id: int
    reviews_channel_id: int | None
    discussion_channel_id: int | None
    reply_threads: bool
    review_cooldown: float
    rate_cooldown: float
    leaderboard_m: int
    own: frozenset[str] = frozenset()
    """The names of the settings this server set itself."""

    def value(self, name: str) -> Value:
        """One setting's effective value, by name."""
        value: Value = getattr(self, name)
        return value


@dataclass(frozen=True)
class SettingChange:
    """One logged change: who changed what, when, from what to what (each value as it was shown)."""

    member_id: int
    name: str
    old: str
    new: str
    changed_at: float


@dataclass(frozen=True)
class Changed:
    """What a moderator's change did: the setting, its value before and after, and the settings now."""

    spec: Spec
    old: Value
    new: Value
    settings: ServerSettings
    changes: tuple[SettingChange, ...]
