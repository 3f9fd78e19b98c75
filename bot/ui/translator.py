"""Commands in the member's language: discord.py's ``Translator`` over kansou's catalogues, and the template.

discord.py asks the tree's translator for every command name, description, option name and description and choice
name when it registers the commands, once per Discord locale; the answer comes from the same gettext catalogues as
the replies (:mod:`bot.core.i18n`), under a message context per kind of string, so a command called "show" and a
sentence "show" can be translated apart. The English text written in the cogs is the message id: nothing in a cog
needs marking.

``python -m bot.i18n`` (:mod:`bot.i18n`) puts these strings in the template with the ones marked in the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.core import i18n

#: The message context of each kind of command string (translated apart from the same English elsewhere).
CONTEXTS: dict[Where, str] = {
    Where.command_name: "command name",
    Where.group_name: "command name",
    Where.command_description: "command description",
    Where.group_description: "command description",
    Where.parameter_name: "option name",
    Where.parameter_description: "option description",
    Where.choice_name: "choice name",
}


class KansouTranslator(app_commands.Translator):
    """Command names, descriptions, options and choices from kansou's catalogues (English when there is none)."""

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        """The translation of ``string`` for ``locale``, or ``None`` to keep the English."""
        catalogue = i18n.catalogue_for(locale)
        if catalogue == i18n.SOURCE:
            return None
        return i18n.translate(catalogue, CONTEXTS.get(context.location), string.message)


def tree_messages(tree: app_commands.CommandTree[Any]) -> Iterator[tuple[str, str, str]]:
    """Every translatable string of the command tree as (context, English text, where it is)."""
    for kind in (discord.AppCommandType.message, discord.AppCommandType.user):  # context menus: a name only
        for menu in tree.get_commands(type=kind):
            yield CONTEXTS[Where.command_name], menu.name, f"menu:{menu.name.replace(' ', '_')}"
    for command in tree.walk_commands():
        where = "/" + command.qualified_name.replace(" ", "/")  # a location without spaces reads cleanly in .po
        yield CONTEXTS[Where.command_name], command.name, where
        yield CONTEXTS[Where.command_description], command.description, where
        if isinstance(command, app_commands.Group):
            continue
        for parameter in command.parameters:
            yield CONTEXTS[Where.parameter_name], parameter.name, f"{where}:{parameter.name}"
            yield CONTEXTS[Where.parameter_description], parameter.description, f"{where}:{parameter.name}"
            for choice in parameter.choices:
                yield CONTEXTS[Where.choice_name], choice.name, f"{where}:{parameter.name}"
