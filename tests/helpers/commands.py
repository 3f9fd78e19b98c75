"""Every slash command kansou has, read from the cogs themselves (so no test keeps a list a new feature must edit)."""

from __future__ import annotations

import importlib
from typing import Any

from discord import app_commands
from discord.ext import commands

from bot.ui.client import discover_extensions


def leaf_commands() -> set[str]:
    """The qualified names of every command a member can run ("credits", "review write", "categories add" …)."""
    found: set[str] = set()

    def walk(command: app_commands.Command[Any, ..., Any] | app_commands.Group, prefix: str) -> None:
        name = f"{prefix}{command.name}"
        if isinstance(command, app_commands.Group):
            for sub in command.commands:
                walk(sub, f"{name} ")
        else:
            found.add(name)

    for extension in discover_extensions():
        module = importlib.import_module(extension)
        for cog in vars(module).values():
            if isinstance(cog, type) and issubclass(cog, commands.Cog) and cog.__module__ == module.__name__:
                prefix = f"{cog.__cog_group_name__} " if issubclass(cog, commands.GroupCog) else ""
                for command in cog.__cog_app_commands__:
                    walk(command, prefix)
    return found
