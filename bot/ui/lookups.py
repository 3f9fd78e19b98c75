"""Commands that may ask AniList for a show: the caller they hand the catalogue, and the note they add after.

A show the catalogue lacks is fetched from AniList on demand (``CatalogueService.show``). That can take seconds,
and Discord wants an answer within three, so the interaction is deferred just before the first request — never
for an answer the catalogue has. The member is then told that the answer came from AniList just now.
"""

from __future__ import annotations

from bot.catalogue.service import Caller
from bot.core.text import Md, md, quote
from bot.ui.client import Interaction
from bot.ui.send import think_publicly


class Lookup:
    """One command's look-up: the ``Caller`` charged for AniList requests, and whether it went to AniList."""

    def __init__(self, interaction: Interaction, *, public: bool) -> None:
        self.interaction = interaction
        self.public = public
        self.asked = False
        self.caller = Caller(key=(interaction.guild_id, interaction.user.id), before_remote=self._defer)

    async def _defer(self) -> None:
        self.asked = True
        if self.interaction.response.is_done():
            return
        if self.public:
            # The answer will be public; if it turns out to be an error, the central handler withdraws the
            # placeholder and tells only the member.
            await think_publicly(self.interaction)
        else:
            await self.interaction.response.defer(ephemeral=True, thinking=True)

    def note(self, title: str) -> Md | None:
        """A small line saying the show came from AniList just now (None when the catalogue answered)."""
        if not self.asked:
            return None
        return md("-# {title} came from AniList just now; it is in the catalogue from now on.",
                  title=quote(title))
