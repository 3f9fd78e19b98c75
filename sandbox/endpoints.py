"""Pointing discord.py at a Discord stand-in: the bot's own setting (DISCORD_API_BASE, DISCORD_GATEWAY_URL).

It lives with the bot (``bot.ui.client``), which needs it to reach Discord through a proxy; the stand-in uses it
from there.
"""

from __future__ import annotations

from bot.ui.client import point_discord_py_at

__all__ = ["point_discord_py_at"]
