"""The kansou bot: minimal intents, cogs discovered from ``cogs/``, a friendly command tree."""

from __future__ import annotations

import logging
import pkgutil
from dataclasses import dataclass

import discord
from discord import app_commands
from discord.ext import commands

import cogs
from bot.anilist import AniListClient
from bot.anilist.enrich import AniListEnricher
from bot.catalogue.credits import CreditsService
from bot.catalogue.search import NameSearch
from bot.config import Settings
from bot.core.database import Database
from bot.logs import InteractionLog
from bot.ratings.service import RatingService
from bot.reviews.service import ReviewService
from bot.ui.errors import handle_error
from bot.ui.views import NO_PINGS

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the cogs call into, built once at start-up."""

    settings: Settings
    db: Database
    search: NameSearch
    credits: CreditsService
    reviews: ReviewService
    ratings: RatingService
    enricher: AniListEnricher | None = None

    @classmethod
    def build(cls, settings: Settings, db: Database, anilist: AniListClient | None = None) -> Services:
        """Wire the services on an open database (and AniList's client, when AniList is enabled)."""
        search = NameSearch(db.catalogue)
        enricher = None
        if anilist is not None:
            enricher = AniListEnricher(
                anilist, db.catalogue, max_age_days=settings.anilist_max_age_days,
                member_cooldown=settings.lookup_cooldown,
            )
        return cls(
            settings=settings,
            db=db,
            search=search,
            credits=CreditsService(db.catalogue, search, enricher),
            reviews=ReviewService(db, settings),
            ratings=RatingService(db, settings, search),
            enricher=enricher,
        )


def discover_extensions() -> list[str]:
    """Every public module in ``cogs/`` (a leading underscore keeps a module private)."""
    return sorted(
        f"{cogs.__name__}.{m.name}"
        for m in pkgutil.iter_modules(cogs.__path__)
        if not m.name.startswith("_")
    )


def intents() -> discord.Intents:
    """Guilds only: no privileged intent, no message content, no member cache."""
    return discord.Intents(guilds=True)


class KansouTree(app_commands.CommandTree["KansouBot"]):
    """A command tree whose errors become friendly, ephemeral replies."""

    async def on_error(
        self, interaction: discord.Interaction[KansouBot], error: app_commands.AppCommandError
    ) -> None:
        """Send every error to the central handler."""
        await handle_error(interaction, error)


class KansouBot(commands.Bot):
    """The bot: holds the services; slash commands only."""

    def __init__(self, services: Services, *, sync_on_start: bool | int | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            tree_cls=KansouTree,
            allowed_mentions=NO_PINGS,
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
        )
        self.services = services
        # True: sync globally at start; an int: sync to that guild; None: leave registration to `kansou sync`.
        self._sync_on_start = sync_on_start if sync_on_start is not None else services.settings.dev_guild
        self.interaction_log = InteractionLog()
        self._log_interactions()

    def _log_interactions(self) -> None:
        """Time every interaction and log one structured line when its handlers finish (see bot.logs)."""
        parsers = self._connection.parsers  # the gateway reads this very dict, so the wrapper is used
        parsers["INTERACTION_CREATE"] = self.interaction_log.wrap(parsers["INTERACTION_CREATE"])

    async def setup_hook(self) -> None:
        """Load every cog, then register commands where asked to."""
        for name in discover_extensions():
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

    async def on_ready(self) -> None:
        """Log who we are once connected."""
        log.info("ready as %s (%s) in %d servers", self.user, self.user.id if self.user else "?", len(self.guilds))
