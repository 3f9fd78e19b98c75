"""Which people a message's text would notify, given the ``allowed_mentions`` sent with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_USER = re.compile(r"<@!?(\d{15,21})>")
_ROLE = re.compile(r"<@&(\d{15,21})>")
_MASS = re.compile(r"@(everyone|here)\b")

PING_EVERYONE = "message would ping @everyone/@here"
PING_ROLE = "message would ping a role"
PING_USER = "message would ping a user"
PING_REPLY = "reply would ping the author it replies to"


@dataclass(frozen=True)
class Ping:
    """One notification a message would cause."""

    rule: str  # one of the PING_* names above
    label: str  # "@everyone", "@Moderators", "@bob"
    target_id: int | None
    explicit: bool  # named by id in allowed_mentions (or replied_user=True), so clearly on purpose

    def __str__(self) -> str:
        return f"{self.label}{' (explicitly allowed)' if self.explicit else ''}"


def find_pings(
    content: object,
    allowed: dict[str, Any] | None,
    *,
    replied_user_id: int | None = None,
    self_id: int | None = None,
    user_label: Callable[[int], str] = lambda i: f"<@{i}>",
    role_label: Callable[[int], str] = lambda i: f"<@&{i}>",
) -> list[Ping]:
    """Every ping in ``content`` (embeds never ping) under ``allowed`` (absent means: parse everything)."""
    if allowed is None:
        parse, users, roles, replied = {"everyone", "users", "roles"}, set(), set(), True
    else:
        parse = set(allowed.get("parse") or [])
        users = {int(u) for u in allowed.get("users") or []}
        roles = {int(r) for r in allowed.get("roles") or []}
        replied = bool(allowed.get("replied_user", False))
    text = _CODE.sub("", content) if isinstance(content, str) else ""
    pings: list[Ping] = []
    seen: set[tuple[str, int | None]] = set()

    def add(rule: str, label: str, target: int | None, explicit: bool) -> None:
        if (rule, target) not in seen:
            seen.add((rule, target))
            pings.append(Ping(rule, label, target, explicit))

    for match in _MASS.finditer(text):
        if "everyone" in parse:
            add(PING_EVERYONE, "@" + match.group(1), None, False)
    for match in _ROLE.finditer(text):
        role_id = int(match.group(1))
        if "roles" in parse or role_id in roles:
            add(PING_ROLE, role_label(role_id), role_id, role_id in roles)
    for match in _USER.finditer(text):
        user_id = int(match.group(1))
        if user_id == self_id:
            continue
        if "users" in parse or user_id in users:
            add(PING_USER, user_label(user_id), user_id, user_id in users)
    if replied_user_id is not None and replied_user_id != self_id and replied:
        add(PING_REPLY, user_label(replied_user_id), replied_user_id, allowed is not None)
    return pings
