"""The watchlist's rules: shows named as for every feature (through the catalogue), one list per server."""

from __future__ import annotations

from bot.catalogue.service import CatalogueService
from bot.errors import InvalidInput
from tests.recipe.watchlist.models import WatchEntry
from tests.recipe.watchlist.store import WatchlistStore


class WatchlistService:
    """Adds shows to a member's list and reads it back."""

    def __init__(self, store: WatchlistStore, catalogue: CatalogueService) -> None:
        self._store = store
        self._catalogue = catalogue

    async def add(self, guild_id: int | None, member_id: int, show: str) -> tuple[str, bool]:
        """Add the show ``show`` names; its title and whether it was new on the list."""
        if guild_id is None:
            raise InvalidInput("Watchlists belong to a server — use this command inside one.")
        match = await self._catalogue.listed_show(show)
        return match.display, await self._store.add(guild_id, member_id, match.entity_id)

    async def entries(self, guild_id: int | None, member_id: int) -> list[WatchEntry]:
        """The member's list in this server."""
        if guild_id is None:
            raise InvalidInput("Watchlists belong to a server — use this command inside one.")
        return await self._store.entries(guild_id, member_id)
