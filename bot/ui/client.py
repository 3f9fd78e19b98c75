"""The kansou bot: minimal intents, cogs discovered from ``cogs/``, a command tree that logs and answers errors.

``KansouBot(core)`` keeps what every feature shares (:class:`bot.shared.Core`); each cog builds its own service
from it in its ``setup``. Nothing else is registered anywhere: a new cog in ``cogs/`` is found and loaded.
"""

from __future__ import annotations

import logging
import pkgutil
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

import cogs
from bot.errors import ConfigError
from bot.shared import Core
from bot.ui.errors import handle_error
from bot.ui.interactions import InteractionLog
from bot.ui.pages import PageButton, PageSource
from bot.ui.send import NO_PINGS

log = logging.getLogger(__name__)

Interaction: TypeAlias = "discord.Interaction[KansouBot]"

_VERSIONED = re.compile(r"/api/v\d+$")


def point_discord_py_at(api_base: str | None, gateway_url: str | None) -> Callable[[], None]:
    """Send discord.py's REST calls to ``api_base``/api/v10 and its gateway to ``gateway_url``; return an undo.

    DISCORD_API_BASE and DISCORD_GATEWAY_URL (a proxy, or a local stand-in). ``None`` leaves that half pointing
    where it was (Discord itself, normally). These are discord.py's public class attributes ``Route.BASE`` and
    ``DiscordWebSocket.DEFAULT_GATEWAY``, so this affects every client in the process until the returned
    function is called.
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


def discord_unreachable(api_base: str | None, error: aiohttp.ClientConnectionError) -> ConfigError:
    """A clear error for a connection to Discord that failed: the address, why, and what to check."""
    base = Route.BASE  # where discord.py sent the request (DISCORD_API_BASE, or Discord itself)
    cause = getattr(error, "os_error", None)
    reason = (cause.strerror if isinstance(cause, OSError) and cause.strerror else None) or str(error) or \
        type(error).__name__
    host = yarl.URL(base).host or base
    hint = (f" DISCORD_API_BASE is set to {api_base}: check it too, or unset it to use Discord." if api_base else "")
    return ConfigError(
        f"Discord could not be reached at {base} ({reason}). Check that this machine is online and can look up "
        f"and connect to {host}: the network connection, DNS, a firewall or a proxy.{hint}"
    )


REFUSED_TOKEN = "Discord refused the token: check DISCORD_TOKEN in your .env."


def discover_extensions() -> list[str]:
    """Every public module or package in ``cogs/`` (a leading underscore keeps one private)."""
    return sorted(
        f"{cogs.__name__}.{m.name}"
        for m in pkgutil.iter_modules(cogs.__path__)
        if not m.name.startswith("_")
    )


def intents() -> discord.Intents:
    """Guilds only: no privileged intent, no message content, no member cache."""
    return discord.Intents(guilds=True)


class KansouTree(app_commands.CommandTree["KansouBot"]):
    """A command tree that logs every interaction it handles and turns its errors into friendly, private replies."""

    async def interaction_check(self, interaction: discord.Interaction[KansouBot], /) -> bool:
        """Every command and autocomplete passes here first: stamp it for its log line."""
        self.client.interaction_log.begin(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction[KansouBot], error: app_commands.AppCommandError, /
    ) -> None:
        """Send every error to the central handler."""
        await handle_error(interaction, error)


class KansouBot(commands.AutoShardedBot):
    """The bot: keeps the shared core; slash commands only.

    Sharded as discord.py's ``AutoShardedBot`` does it: by default one process runs every shard Discord recommends;
    KANSOU_SHARD_COUNT and KANSOU_SHARDS split them across processes (each process runs the listed shards of the
    agreed count, and Discord sends it the events and interactions of those shards' servers only).
    """

    def __init__(self, core: Core, *, sync_on_start: bool | int | None = None,
                 extensions: Sequence[str] | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            tree_cls=KansouTree,
            allowed_mentions=NO_PINGS,
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            shard_count=core.settings.shard_count,
            # None runs every shard: discord.py reads it so (kwargs.pop("shard_ids", None)); its typing says a list.
            shard_ids=list(core.settings.shard_ids) if core.settings.shard_ids is not None else None,  # type: ignore[arg-type]
        )
        self.core = core
        self.extension_names = list(discover_extensions() if extensions is None else extensions)
        # True: sync globally at start; an int: sync to that guild; None: leave registration to `kansou sync`.
        self._sync_on_start = sync_on_start if sync_on_start is not None else core.settings.dev_guild
        self.interaction_log = InteractionLog()
        # Paged answers by kind (each cog registers its own); their buttons hold the rest (see bot.ui.pages).
        self.page_sources: dict[str, PageSource] = {}

    async def setup_hook(self) -> None:
        """Load every cog, then register commands where asked to."""
        self.add_dynamic_items(PageButton)  # page buttons are matched by custom_id, so they outlive a restart
        for name in self.extension_names:
            await self.load_extension(name)
            log.debug("loaded extension %s", name)
        target = self._sync_on_start
        if target is True:
            synced = await self.tree.sync()
            log.info("registered %d commands globally", len(synced))
        elif isinstance(target, int) and target is not False:
            guild = discord.Object(id=target)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("registered %d commands in server %s", len(synced), target)

    async def serve(self, token: str) -> None:
        """Log in, connect and answer until closed; a refused token or an unreachable Discord as ``ConfigError``."""
        try:
            await self.start(token)
        except discord.LoginFailure:
            raise ConfigError(REFUSED_TOKEN) from None
        except aiohttp.ClientConnectionError as exc:  # once connected, discord.py reconnects by itself
            raise discord_unreachable(self.core.settings.api_base, exc) from None

    async def register(self, token: str, guild_id: int | None) -> list[tuple[str, str]]:
        """Log in and register the command tree, globally or in one server; each command's name and description."""
        try:
            await self.login(token)
            if guild_id is None:
                synced = await self.tree.sync()
            else:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
        except discord.LoginFailure:
            raise ConfigError(REFUSED_TOKEN) from None
        except aiohttp.ClientConnectionError as exc:
            raise discord_unreachable(self.core.settings.api_base, exc) from None
        return [(command.name, command.description) for command in synced]

    async def on_interaction(self, interaction: discord.Interaction[KansouBot]) -> None:
        """Log an interaction nothing handles (its handler, if any, started before this event and claimed it)."""
        self.interaction_log.unhandled(interaction)

    async def on_interaction_error(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        """The central error handler, for views and forms (which reach it through the bot, not an import)."""
        await handle_error(interaction, error)

    async def on_ready(self) -> None:
        """Log who we are once connected."""
        log.info("ready as %s (%s) in %d servers", self.user, self.user.id if self.user else "?", len(self.guilds))
