"""``python -m bot.i18n``: refresh the message template and merge it into every language's catalogue.

The template (``bot/locales/kansou.pot``) holds two sources: the strings marked in the code with ``_``,
``ngettext``, ``pgettext`` or ``N_`` (Babel's extractor over ``bot/`` and ``cogs/``) and the strings of the command
tree (names, descriptions, options, choices; walked after loading every cog on a scratch database).
``update_catalogues`` merges it into each ``.po``: kept translations stay, new messages arrive untranslated, and
the test that every catalogue is complete then names them. See CONTRIBUTING.md, "Adding a message".
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.app import open_core
from bot.config import Settings
from bot.core import i18n
from bot.ui.client import KansouBot
from bot.ui.translator import tree_messages

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = i18n.LOCALES_DIR / f"{i18n.DOMAIN}.pot"
#: Babel's keywords for kansou's marking functions (argument positions of the message, plural and context).
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "counted": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3)}
COMMENT = "Translators:"
#: Fixed dates in the headers, so that re-running the extraction changes nothing.
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def code_messages(root: Path = ROOT) -> Iterator[tuple[str | None, str | tuple[str, ...], str]]:
    """Every string marked with ``_``, ``ngettext``, ``pgettext`` or ``N_`` in ``bot/`` and ``cogs/``."""
    for folder in ("bot", "cogs"):
        for filename, lineno, message, _comments, context in extract_from_dir(
            root / folder, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=(COMMENT,),
        ):
            yield context, message, f"{folder}/{filename}:{lineno}"


async def command_messages() -> list[tuple[str, str, str]]:
    """The strings of the command tree with every cog loaded (a scratch database, AniList off, nothing connected)."""
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings.from_env({"ANILIST_API_URL": "off"})
        async with open_core(settings, db_path=Path(scratch) / "extract.db") as core, \
                KansouBot(core, sync_on_start=False) as bot:
            for name in bot.extension_names:
                await bot.load_extension(name)
            return list(tree_messages(bot.tree))  # before closing: closing the bot unloads the cogs


def build_template(commands: list[tuple[str, str, str]], root: Path = ROOT) -> Catalog:
    """The template: every marked string in the code and the command tree's strings (``command_messages``)."""
    template = Catalog(project="kansou", domain=i18n.DOMAIN, charset="utf-8", fuzzy=False,
                       creation_date=STAMP)
    for context, message, where in code_messages(root):
        path, _, line = where.partition(":")
        template.add(message, context=context, locations=[(path, int(line))])
    for context, message, where in commands:
        template.add(message, context=context, locations=[(where, 0)])
    return template


def write_catalog(catalog: Catalog, path: Path) -> None:
    """Write ``catalog`` as a ``.po``/``.pot`` file, sorted and with fixed dates, so a re-run changes nothing."""
    catalog.creation_date = catalog.revision_date = STAMP
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, omit_header=False, width=120, include_lineno=False)


def update_catalogues(template: Catalog) -> list[Path]:
    """Merge ``template`` into each language's catalogue (kept translations stay); the files written."""
    written = []
    for locale in i18n.CATALOGUES:
        path = i18n.po_path(locale)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale, domain=i18n.DOMAIN)
        else:
            catalog = Catalog(locale=locale, domain=i18n.DOMAIN, project="kansou", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        write_catalog(catalog, path)
        written.append(path)
    return written


def main() -> int:
    """``python -m bot.i18n``: refresh the template and merge it into every catalogue; say what's left."""
    template = build_template(asyncio.run(command_messages()))
    write_catalog(template, TEMPLATE)
    print(f"{TEMPLATE.relative_to(ROOT)}: {len(template)} messages")
    for path in update_catalogues(template):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        todo = [m for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple)
                                                                     else [m.string]))]
        print(f"{path.relative_to(ROOT)}: {len(todo)} to translate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
