"""A Discord API stand-in for kansou: REST v10 + gateway over loopback, Discord's limits, a driver and a REPL.

Start it with :func:`running_sandbox` (tests) or :func:`sandbox.repl.run_sandbox` (the CLI); point a real
discord.py client at any stand-in with :func:`sandbox.endpoints.point_discord_py_at`.

The names below are imported lazily, so ``import sandbox.endpoints`` (done by the real bot's start-up)
does not load the server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.config import (
        ChannelSpec,
        GuildSpec,
        Overwrite,
        RoleSpec,
        SandboxConfig,
        SandboxEndpoints,
        UserSpec,
    )
    from sandbox.driver import Invocation, Sandbox
    from sandbox.endpoints import point_discord_py_at
    from sandbox.errors import SandboxUsageError, Violation
    from sandbox.harness import BotFactory, plain_bot, running_sandbox, serving_sandbox
    from sandbox.invocation import SandboxFile
    from sandbox.modal import ModalField, ModalView
    from sandbox.repl import run_sandbox
    from sandbox.results import Choice, InteractionResult
    from sandbox.server import SandboxServer
    from sandbox.store import SandboxAttachment, SandboxMessage

_HOMES = {
    "ChannelSpec": "config", "GuildSpec": "config", "Overwrite": "config", "RoleSpec": "config",
    "SandboxConfig": "config",
    "SandboxEndpoints": "config", "UserSpec": "config", "Invocation": "driver", "Sandbox": "driver",
    "point_discord_py_at": "endpoints", "SandboxUsageError": "errors", "Violation": "errors",
    "BotFactory": "harness", "plain_bot": "harness", "running_sandbox": "harness", "serving_sandbox": "harness",
    "SandboxFile": "invocation",
    "ModalField": "modal", "ModalView": "modal", "run_sandbox": "repl", "Choice": "results",
    "InteractionResult": "results", "SandboxServer": "server", "SandboxAttachment": "store",
    "SandboxMessage": "store",
}
__all__ = [
    "BotFactory",
    "ChannelSpec",
    "Choice",
    "GuildSpec",
    "InteractionResult",
    "Invocation",
    "ModalField",
    "ModalView",
    "Overwrite",
    "RoleSpec",
    "Sandbox",
    "SandboxAttachment",
    "SandboxConfig",
    "SandboxEndpoints",
    "SandboxFile",
    "SandboxMessage",
    "SandboxServer",
    "SandboxUsageError",
    "UserSpec",
    "Violation",
    "plain_bot",
    "point_discord_py_at",
    "run_sandbox",
    "running_sandbox",
    "serving_sandbox",
]


def __getattr__(name: str) -> Any:
    """Import an exported name on first use."""
    try:
        home = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}") from None
    return getattr(importlib.import_module(f"sandbox.{home}"), name)
