"""/categories: a server's moderators choose what its members rate — add, rename, reorder, retire, restore."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.ratings import render
from bot.ratings.categories import LABEL_MAX, CategoryService, Change
from bot.ratings.store import RatingStore
from bot.ui.client import Interaction, KansouBot
from bot.ui.options import Position
from bot.ui.send import reply

# Option help, translated with the rest of the command tree when the commands are registered.
LABEL_HELP = app_commands.locale_str(f"The category's name, as members will see it (up to {LABEL_MAX} characters)")
WHICH_HELP = app_commands.locale_str("One of this server's categories")


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)  # what Discord shows: the whole group, to Manage Server
class Categories(commands.GroupCog, group_name="categories",
                 group_description="Choose the categories this server rates anime in."):
    """Rating categories of a server (Manage Server)."""

    def __init__(self, service: CategoryService) -> None:
        self.service = service
        super().__init__()

    async def _choices(self, interaction: Interaction, current: str, *, active: bool, retired: bool
                       ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        categories = await self.service.list(interaction.guild_id)
        choices = render.category_choices(categories, current, retired=retired)
        if not active:
            keep = {c.label for c in categories.retired}
            choices = [c for c in choices if c[1] in keep]
        return [app_commands.Choice(name=name, value=value) for name, value in choices]

    async def complete_active(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The server's active categories."""
        return await self._choices(interaction, current, active=True, retired=False)

    async def complete_retired(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        """The server's retired categories."""
        return await self._choices(interaction, current, active=False, retired=True)

    async def _done(self, interaction: Interaction, change: Change) -> None:
        await reply(interaction, change.said, cards=[render.render_categories(change.categories)], ephemeral=True)

    @app_commands.command(name="list", description="The categories members rate anime in, in order.")
    @app_commands.checks.has_permissions(manage_guild=True)  # the real check: server admins can widen access
    async def list_(self, interaction: Interaction) -> None:
        """Show the server's categories."""
        categories = await self.service.list(interaction.guild_id)
        await reply(interaction, cards=[render.render_categories(categories)], ephemeral=True)

    @app_commands.command(name="add", description="Add a rating category (at most 10 at once).")
    @app_commands.describe(label=LABEL_HELP)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def add(self, interaction: Interaction, label: app_commands.Range[str, 1, 100]) -> None:
        """Add a category at the end."""
        await self._done(interaction, await self.service.add(interaction.guild_id, interaction.user.id, label))

    @app_commands.command(name="rename", description="Rename a category; its scores stay with it.")
    @app_commands.describe(category=WHICH_HELP, label=LABEL_HELP)
    @app_commands.autocomplete(category=complete_active)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def rename(self, interaction: Interaction, category: str, label: app_commands.Range[str, 1, 100]) -> None:
        """Give a category another name."""
        await self._done(interaction, await self.service.rename(interaction.guild_id, interaction.user.id, category,
                                                                label))

    @app_commands.command(name="reorder", description="Move a category to another place in the list.")
    @app_commands.describe(category=WHICH_HELP, position="Its new place: 1 is first")
    @app_commands.autocomplete(category=complete_active)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def reorder(self, interaction: Interaction, category: str, position: Position) -> None:
        """Move a category."""
        await self._done(interaction, await self.service.reorder(interaction.guild_id, interaction.user.id, category,
                                                                 position))

    @app_commands.command(name="retire", description="Stop rating a category; its scores are kept and still shown.")
    @app_commands.describe(category=WHICH_HELP)
    @app_commands.autocomplete(category=complete_active)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def retire(self, interaction: Interaction, category: str) -> None:
        """Retire a category."""
        await self._done(interaction, await self.service.retire(interaction.guild_id, interaction.user.id, category))

    @app_commands.command(name="restore", description="Rate a retired category again.")
    @app_commands.describe(category="One of this server's retired categories")
    @app_commands.autocomplete(category=complete_retired)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def restore(self, interaction: Interaction, category: str) -> None:
        """Bring a retired category back."""
        await self._done(interaction, await self.service.restore(interaction.guild_id, interaction.user.id, category))


async def setup(bot: KansouBot) -> None:
    """Add the category commands, on a category service over the shared database."""
    await bot.add_cog(Categories(CategoryService(RatingStore(bot.core.db))))


