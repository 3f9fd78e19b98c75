"""Pointing discord.py at a Discord stand-in (kept light: the real bot's start-up imports this)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

log = logging.getLogger(__name__)

_VERSIONED = re.compile(r"/api/v\d+$")


def point_discord_py_at(api_base: str | None, gateway_url: str | None) -> Callable[[], None]:
    """Send discord.py's REST calls to ``api_base``/api/v10 and its gateway to ``gateway_url``; return an undo.

    ``None`` leaves that half pointing where it was (Discord itself, normally). This sets class attributes
    (``Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY``), so it affects every client in the process until
    the returned function is called.
    """
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    if api_base:
        base = api_base.rstrip("/")
        Route.BASE = base if _VERSIONED.search(base) else base + "/api/v10"
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    log.debug("discord.py now talks to %s and %s", Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)

    def restore() -> None:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore
