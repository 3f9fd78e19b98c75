"""A server's rating categories, changed by its moderators: add, rename, reorder, retire and restore.

Every server starts with the defaults (the rows of guild 0); its first change gives it a copy of its own. At
most :data:`MAX_ACTIVE` categories take votes at once. A label is one line of at most :data:`LABEL_MAX`
characters, different (in any case) from every other label of the server. A retired category keeps its
votes and history; it takes no new votes until it is restored. Every change is logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot.core.i18n import _
from bot.core.markdown import sanitize_text
from bot.core.names import normalize
from bot.core.text import Md, inline, md, quote
from bot.errors import InvalidInput
from bot.ratings.models import Category, CategorySet
from bot.ratings.service import guild_of
from bot.ratings.store import RatingStore

log = logging.getLogger(__name__)

MAX_ACTIVE = 10
LABEL_MAX = 32
KEY_MAX = 32
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Change:
    """What a moderator's change did: the category it is about, and the server's categories after it."""

    category: Category
    categories: CategorySet
    said: Md


def _after_the_active(categories: CategorySet) -> int:
    """The position after every active category."""
    return max((c.position for c in categories.active), default=0) + 1


def _fold(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


class CategoryService:
    """The rules for changing a server's categories."""

    def __init__(self, store: RatingStore) -> None:
        self._store = store

    async def list(self, guild_id: int | None) -> CategorySet:
        """The server's categories (its own, or the defaults)."""
        guild = guild_of(guild_id)
        found, own = await self._store.categories(guild)
        return CategorySet(guild, tuple(found), own)

    def _label(self, categories: CategorySet, text: str, *, keep: Category | None = None) -> str:
        """A label as typed, made one clean line; ``InvalidInput`` if empty, too long or already taken."""
        label = " ".join(sanitize_text(text).split())
        if not label:
            raise InvalidInput(_("Give the category a name."))
        if len(label) > LABEL_MAX:
            raise InvalidInput(_("A category's name is {most} characters at most; that one has {length}.").format(
                most=LABEL_MAX, length=len(label)))
        for other in categories.categories:
            if other is not keep and _fold(label) == _fold(other.label):
                said = (_("This server already has a category called {label} (retired: `/categories restore` "
                          "brings it back).") if other.retired
                        else _("This server already has a category called {label}."))
                raise InvalidInput(md(said, label=inline(other.label, 60)))
        return label

    async def _key(self, guild: int, label: str) -> str:
        """A new key for ``label``: its letters and digits, unused in the server (by categories or votes)."""
        base = _NOT_KEY.sub("_", normalize(label)).strip("_")[:KEY_MAX].strip("_") or "category"
        used = await self._store.category_keys(guild)
        key, n = base, 1
        while key in used:
            n += 1
            key = f"{base[: KEY_MAX - len(str(n)) - 1]}_{n}"
        return key

    def _log(self, guild: int, member_id: int, action: str, category: Category, detail: str = "") -> None:
        log.info("rating categories of server %s: %s %r by %s%s", guild, action, category.label, member_id,
                 f" ({detail})" if detail else "",
                 extra={"event": "rating_category", "guild_id": guild, "member_id": member_id, "action": action,
                        "category": category.key, "label": category.label})

    async def _changed(self, guild: int, key: str, said: Md) -> Change:
        categories = await self.list(guild)
        found = categories.get(key)
        assert found is not None
        return Change(found, categories, said)

    @staticmethod
    def _find(categories: CategorySet, text: str) -> Category:
        found = categories.find(text)
        if found is None:
            raise InvalidInput(md(_("There is no rating category called {name} in this server."),
                                  name=quote(text, max_len=50)))
        return found

    async def add(self, guild_id: int | None, member_id: int, label: str) -> Change:
        """Add a category at the end of the server's active ones."""
        categories = await self.list(guild_id)
        guild = categories.guild_id
        clean = self._label(categories, label)
        if len(categories.active) >= MAX_ACTIVE:
            raise InvalidInput(_("This server already rates in {most} categories, the most there can be: retire one "
                                 "first (`/categories retire`).").format(most=MAX_ACTIVE))
        key = await self._key(guild, clean)
        await self._store.add_category(guild, key, clean, _after_the_active(categories))
        change = await self._changed(guild, key, md(_("Added **{label}**: members can rate it now."),
                                                    label=inline(clean, 60)))
        self._log(guild, member_id, "add", change.category)
        return change

    async def rename(self, guild_id: int | None, member_id: int, which: str, label: str) -> Change:
        """Give a category another name; its votes stay with it."""
        categories = await self.list(guild_id)
        guild = categories.guild_id
        category = self._find(categories, which)
        clean = self._label(categories, label, keep=category)
        await self._store.rename_category(guild, category.key, clean)
        change = await self._changed(guild, category.key, md(_("Renamed **{old}** to **{new}**; its scores stay."),
                                                             old=inline(category.label, 60), new=inline(clean, 60)))
        self._log(guild, member_id, "rename", change.category, f"was {category.label!r}")
        return change

    async def reorder(self, guild_id: int | None, member_id: int, which: str, position: int) -> Change:
        """Move an active category to ``position`` (1 is first) among the active ones."""
        categories = await self.list(guild_id)
        guild = categories.guild_id
        category = self._find(categories, which)
        if category.retired:
            raise InvalidInput(md(_("{label} is retired: restore it before moving it."),
                                  label=inline(category.label, 60)))
        active = [c for c in categories.active if c.key != category.key]
        if not 1 <= position <= len(active) + 1:
            raise InvalidInput(_("The position is a number from 1 to {last}.").format(last=len(active) + 1))
        active.insert(position - 1, category)
        await self._store.order_categories(guild, [c.key for c in active])
        change = await self._changed(guild, category.key, md(_("Moved **{label}** to position {position}."),
                                                             label=inline(category.label, 60), position=position))
        self._log(guild, member_id, "reorder", change.category, f"to {position}")
        return change

    async def retire(self, guild_id: int | None, member_id: int, which: str) -> Change:
        """Retire a category: its votes and history stay, it takes no new votes."""
        categories = await self.list(guild_id)
        guild = categories.guild_id
        category = self._find(categories, which)
        if category.retired:
            raise InvalidInput(md(_("{label} is retired already."), label=inline(category.label, 60)))
        if len(categories.active) == 1:
            raise InvalidInput(_("That is the server's last category: add another before retiring it."))
        await self._store.retire_category(guild, category.key, retired=True, position=category.position)
        change = await self._changed(guild, category.key, md(_(
            "Retired **{label}**: its scores are kept and still shown, and it takes no new ones. "
            "`/categories restore` brings it back."), label=inline(category.label, 60)))
        self._log(guild, member_id, "retire", change.category)
        return change

    async def restore(self, guild_id: int | None, member_id: int, which: str) -> Change:
        """Bring a retired category back, at the end of the active ones."""
        categories = await self.list(guild_id)
        guild = categories.guild_id
        category = self._find(categories, which)
        if not category.retired:
            raise InvalidInput(md(_("{label} is not retired."), label=inline(category.label, 60)))
        if len(categories.active) >= MAX_ACTIVE:
            raise InvalidInput(_("This server already rates in {most} categories, the most there can be: retire one "
                                 "first.").format(most=MAX_ACTIVE))
        await self._store.retire_category(guild, category.key, retired=False,
                                          position=_after_the_active(categories))
        change = await self._changed(guild, category.key, md(_("Restored **{label}**: members can rate it again."),
                                                             label=inline(category.label, 60)))
        self._log(guild, member_id, "restore", change.category)
        return change


