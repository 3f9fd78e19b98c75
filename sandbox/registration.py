"""Discord's rules for registering application commands (names, descriptions, options, nesting, counts)."""

from __future__ import annotations

import unicodedata
from typing import Any

from sandbox.errors import Breach

CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
OPTION_TYPES = range(1, 12)
NAME_MAX = 32
DESCRIPTION_MAX = 100
OPTIONS_MAX = 25
CHOICES_MAX = 25
CHAT_INPUT_MAX = 100
CONTEXT_MENU_MAX = 5
COMMAND_SIZE_MAX = 8000
#: Discord's locales (https://discord.com/developers/docs/reference#locales): the keys a localisation may use.
LOCALES = frozenset({
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
    "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
})


def _name_char_ok(char: str) -> bool:
    """One character of ``^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]$``."""
    if char in "-_":
        return True
    if unicodedata.category(char)[0] in "LN":
        return True
    code = ord(char)
    return 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x0E00 <= code <= 0x0E7F


def check_name(name: object, path: str, what: str, *, chat_input: bool) -> list[Breach]:
    """Discord's naming rule for commands and options (lowercase ``[-_\\p{L}\\p{N}…]{1,32}`` for chat input)."""
    if not isinstance(name, str) or not name:
        return [Breach(f"{what} name is empty", path, f"{what} name is missing", "BASE_TYPE_REQUIRED",
                       "This field is required")]
    if len(name) > NAME_MAX:
        return [Breach(f"{what} name > 32 characters", path, f"{what} name {name!r} is {len(name)} characters",
                       "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")]
    if not chat_input:
        return []
    bad = sorted({c for c in name if not _name_char_ok(c)})
    if bad:
        return [Breach(f"{what} name has invalid characters", path,
                       f"{what} name {name!r} contains {''.join(bad)!r}",
                       "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")]
    if name != name.lower():
        return [Breach(f"{what} name must be lowercase", path, f"{what} name {name!r} has upper-case letters",
                       "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")]
    return []


def _check_localizations(item: dict[str, Any], path: str, what: str, *, chat_input: bool,
                          description: bool = True) -> list[Breach]:
    """``name_localizations`` and ``description_localizations``: known locales, each value held to the same rule."""
    out: list[Breach] = []
    fields = ("name_localizations", "description_localizations") if description else ("name_localizations",)
    for field in fields:
        table = item.get(field)
        if table is None:
            continue
        if not isinstance(table, dict):
            out.append(Breach(f"{what} {field} is not an object", f"{path}.{field}", repr(table),
                              "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"))
            continue
        for locale, value in table.items():
            where = f"{path}.{field}.{locale}"
            if locale not in LOCALES:
                out.append(Breach(f"{what} localised for an unknown locale", where, f"locale {locale!r}",
                                  "LOCALE_INVALID", f"Invalid locale: {locale}"))
            elif field == "name_localizations":
                out += check_name(value, where, f"{what} ({locale})", chat_input=chat_input)
            else:
                out += _check_description(value, where, f"{what} ({locale})")
    return out


def _localised_names(items: list[Any]) -> list[Breach]:
    """Names at one level must stay unique in every locale too (a translation may not collide with a sibling)."""
    out: list[Breach] = []
    for locale in sorted({k for i in items if isinstance(i, dict) for k in (i.get("name_localizations") or {})}):
        seen: dict[str, str] = {}
        for item in items:
            if not isinstance(item, dict):
                continue
            shown = (item.get("name_localizations") or {}).get(locale) or item.get("name")
            if not isinstance(shown, str):
                continue
            if shown in seen:
                out.append(Breach("duplicate localised name", f"name_localizations.{locale}",
                                  f"{item.get('name')!r} and {seen[shown]!r} are both {shown!r} in {locale}",
                                  "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS", "Option name already exists"))
            seen.setdefault(shown, str(item.get("name")))
    return out


def _check_description(value: object, path: str, what: str) -> list[Breach]:
    if not isinstance(value, str) or not value:
        return [Breach(f"{what} description is empty", path, f"{what} description is missing or empty",
                       "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")]
    if len(value) > DESCRIPTION_MAX:
        return [Breach(f"{what} description > 100 characters", path,
                       f"{what} description is {len(value)} characters",
                       "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")]
    return []


def _check_choices(option: dict[str, Any], path: str) -> list[Breach]:
    choices = option.get("choices")
    if not choices:
        return []
    out: list[Breach] = []
    if option.get("autocomplete"):
        out.append(Breach("autocomplete option with choices", f"{path}.autocomplete",
                          "an option cannot have both choices and autocomplete",
                          "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE",
                          "Autocomplete cannot be set on an option with choices"))
    if len(choices) > CHOICES_MAX:
        out.append(Breach("more than 25 choices", f"{path}.choices", f"{len(choices)} choices (limit {CHOICES_MAX})",
                          "BASE_TYPE_MAX_LENGTH", f"Must be {CHOICES_MAX} or fewer in length."))
    for k, choice in enumerate(choices):
        cpath = f"{path}.choices.{k}"
        name, value = choice.get("name"), choice.get("value")
        out += _check_localizations(choice, cpath, "choice", chat_input=False, description=False)
        for locale, shown in (choice.get("name_localizations") or {}).items():
            if isinstance(shown, str) and not 1 <= len(shown) <= 100:
                out.append(Breach("choice name > 100 characters", f"{cpath}.name_localizations.{locale}",
                                  f"choice name {shown!r}", "BASE_TYPE_BAD_LENGTH",
                                  "Must be between 1 and 100 in length."))
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            out.append(Breach("choice name > 100 characters" if isinstance(name, str) and name else
                              "choice name is empty", f"{cpath}.name", f"choice name {name!r}",
                              "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
        if isinstance(value, str) and len(value) > 100:
            out.append(Breach("choice value > 100 characters", f"{cpath}.value",
                              f"choice value is {len(value)} characters", "BASE_TYPE_MAX_LENGTH",
                              "Must be 100 or fewer in length."))
    return out


def _check_options(options: object, path: str, *, depth: int) -> list[Breach]:
    """Options of a command (depth 0), of a group (1) or of a subcommand (2)."""
    if options is None:
        return []
    if not isinstance(options, list):
        return [Breach("options is not a list", path, repr(options), "LIST_TYPE_CONVERT", "Must be a list")]
    out: list[Breach] = []
    if len(options) > OPTIONS_MAX:
        out.append(Breach("more than 25 options", path, f"{len(options)} options (limit {OPTIONS_MAX})",
                          "BASE_TYPE_MAX_LENGTH", f"Must be {OPTIONS_MAX} or fewer in length."))
    kinds = [o.get("type") for o in options if isinstance(o, dict)]
    nested = [k in (SUB_COMMAND, SUB_COMMAND_GROUP) for k in kinds]
    if any(nested) and not all(nested):
        out.append(Breach("subcommands mixed with options", path,
                          "subcommands/groups and ordinary options cannot sit at the same level",
                          "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command and sub-command group option "
                          "types are mutually exclusive to all other types"))
    seen: set[str] = set()
    out += _localised_names(options)
    optional_seen = False
    for j, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        opath = f"{path}.{j}"
        kind = option.get("type")
        if kind not in OPTION_TYPES:
            out.append(Breach("invalid option type", f"{opath}.type", f"type {kind!r}", "BASE_TYPE_CHOICES",
                              "Value must be one of 1..11."))
            continue
        out += check_name(option.get("name"), f"{opath}.name", "option", chat_input=True)
        out += _check_description(option.get("description"), f"{opath}.description", "option")
        out += _check_localizations(option, opath, "option", chat_input=True)
        name = option.get("name")
        if isinstance(name, str):
            if name in seen:
                out.append(Breach("duplicate option name", f"{opath}.name", f"option {name!r} appears twice",
                                  "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS", "Option name already exists"))
            seen.add(name)
        if kind == SUB_COMMAND_GROUP:
            if depth != 0:
                out.append(Breach("subcommand group nested too deep", f"{opath}.type",
                                  f"group {name!r} sits inside a group or subcommand",
                                  "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Invalid nesting"))
            sub = option.get("options") or []
            if any(isinstance(s, dict) and s.get("type") != SUB_COMMAND for s in sub):
                out.append(Breach("subcommand group may only contain subcommands", f"{opath}.options",
                                  f"group {name!r} holds something other than subcommands",
                                  "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Invalid nesting"))
            out += _check_options(sub, f"{opath}.options", depth=1)
        elif kind == SUB_COMMAND:
            if depth == 2:
                out.append(Breach("subcommand nested too deep", f"{opath}.type",
                                  f"subcommand {name!r} sits inside a subcommand",
                                  "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Invalid nesting"))
            out += _check_options(option.get("options"), f"{opath}.options", depth=2)
        else:
            if option.get("required"):
                if optional_seen:
                    out.append(Breach("required option after optional", f"{opath}.required",
                                      f"required option {name!r} follows an optional one",
                                      "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                      "Required options must be placed before non-required options"))
            else:
                optional_seen = True
            out += _check_choices(option, opath)
            lo, hi = option.get("min_length"), option.get("max_length")
            if isinstance(lo, int) and not 0 <= lo <= 6000:
                out.append(Breach("option min_length out of range", f"{opath}.min_length", f"{lo}",
                                  "NUMBER_TYPE_MAX", "int value should be less than or equal to 6000."))
            if isinstance(hi, int) and not 1 <= hi <= 6000:
                out.append(Breach("option max_length out of range", f"{opath}.max_length", f"{hi}",
                                  "NUMBER_TYPE_MAX", "int value should be less than or equal to 6000."))
            vlo, vhi = option.get("min_value"), option.get("max_value")
            if isinstance(vlo, int | float) and isinstance(vhi, int | float) and vlo > vhi:
                out.append(Breach("option min_value > max_value", f"{opath}.min_value", f"{vlo} > {vhi}",
                                  "NUMBER_TYPE_MAX", "min_value must be <= max_value"))
    return out


def command_size(command: dict[str, Any]) -> int:
    """Characters Discord counts towards the 8000 per-command limit."""

    def walk(options: list[Any]) -> int:
        total = 0
        for o in options:
            total += len(str(o.get("name") or "")) + len(str(o.get("description") or ""))
            for c in o.get("choices") or []:
                total += len(str(c.get("name") or "")) + len(str(c.get("value") or ""))
            total += walk(o.get("options") or [])
        return total

    return len(str(command.get("name") or "")) + len(str(command.get("description") or "")) + walk(
        command.get("options") or []
    )


def check_command(command: dict[str, Any], path: str) -> list[Breach]:
    """Every rule for one command definition at ``path`` (its index in a bulk overwrite)."""
    kind = command.get("type", CHAT_INPUT)
    chat = kind == CHAT_INPUT
    out = check_name(command.get("name"), f"{path}.name".lstrip("."), "command", chat_input=chat)
    description = command.get("description")
    out += _check_localizations(command, path, "command", chat_input=chat, description=chat)
    if chat:
        out += _check_description(description, f"{path}.description".lstrip("."), "command")
        out += _check_options(command.get("options"), f"{path}.options".lstrip("."), depth=0)
    elif description:
        out.append(Breach("context menu command with description", f"{path}.description".lstrip("."),
                          "user and message commands must have an empty description",
                          "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Description must be empty"))
    size = command_size(command)
    if size > COMMAND_SIZE_MAX:
        out.append(Breach("command larger than 8000 characters", path,
                          f"command {command.get('name')!r} counts {size} characters",
                          "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)"))
    return out


def check_commands(commands: list[Any]) -> list[Breach]:
    """Every rule for a bulk overwrite (``PUT …/commands``): each command, duplicates and counts."""
    out: list[Breach] = []
    seen: dict[tuple[int, str], int] = {}
    counts = {CHAT_INPUT: 0, USER_COMMAND: 0, MESSAGE_COMMAND: 0}
    out += _localised_names([c for c in commands if isinstance(c, dict) and c.get("type", CHAT_INPUT) == CHAT_INPUT])
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            out.append(Breach("command is not an object", str(i), repr(command), "DICT_TYPE_CONVERT",
                              "Only dictionaries may be used in a DictType"))
            continue
        out += check_command(command, str(i))
        kind = int(command.get("type", CHAT_INPUT))
        counts[kind] = counts.get(kind, 0) + 1
        key = (kind, str(command.get("name")))
        if key in seen:
            out.append(Breach("duplicate command name", f"{i}.name",
                              f"{command.get('name')!r} is also command {seen[key]}",
                              "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique"))
        seen.setdefault(key, i)
    if counts[CHAT_INPUT] > CHAT_INPUT_MAX:
        out.append(Breach("more than 100 chat-input commands", "", f"{counts[CHAT_INPUT]} chat-input commands",
                          "APPLICATION_COMMANDS_MAX", "Maximum number of application commands reached (100)"))
    for kind, label in ((USER_COMMAND, "user"), (MESSAGE_COMMAND, "message")):
        if counts[kind] > CONTEXT_MENU_MAX:
            out.append(Breach(f"more than 5 {label} commands", "", f"{counts[kind]} {label} commands",
                              "APPLICATION_COMMANDS_MAX", f"Maximum number of {label} commands reached (5)"))
    return out
