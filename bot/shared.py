"""What every feature shares, built once at start-up (``bot.app.open_core``) and kept by the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.anilist import AniListClient
from bot.catalogue.service import CatalogueService
from bot.config import Settings
from bot.core.database import Database


@dataclass(frozen=True)
class Core:
    """The settings, the database, the catalogue (name search and AniList behind it) and AniList's client.

    Nothing feature-specific lives here: a cog builds its own service from these in its ``setup``.
    """

    settings: Settings
    db: Database
    catalogue: CatalogueService
    anilist: AniListClient | None = None
