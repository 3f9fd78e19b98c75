"""JSON responses exactly as Discord sends them (discord.py only parses ``Content-Type: application/json``)."""

from __future__ import annotations

import json

from aiohttp import web


def json_response(data: object, status: int = 200) -> web.Response:
    """A JSON body with the bare ``application/json`` content type (no charset parameter)."""
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})
