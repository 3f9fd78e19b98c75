"""The message catalogues: the template matches the code, every language is complete and keeps the placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot import i18n as tool
from bot.core import i18n

Key = tuple[str | None, str]


def _key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=i18n.DOMAIN)


#: Markdown and mention syntax a translation must carry exactly as the English does: a translator can neither add a
#: link, a ping or a spoiler bar nor break the bold or code the sentence is built with.
MARKUP = ("**", "`", "||", "<@", "<#", "](", "@everyone", "@here", "-# ", "\n")


def _markup(text: str) -> dict[str, int]:
    return {token: text.count(token) for token in MARKUP}


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(tool.TEMPLATE)


async def test_the_template_holds_every_marked_string_and_every_command_string(template: Catalog) -> None:
    # Marking a new string (or adding a command) without running `python -m bot.i18n` fails here, and says which.
    fresh = tool.build_template(await tool.command_messages())
    committed = {_key(m) for m in template if m.id}
    extracted = {_key(m) for m in fresh if m.id}
    assert extracted - committed == set(), "run `python -m bot.i18n` to refresh bot/locales/kansou.pot"
    assert committed - extracted == set(), "the template has messages nothing uses: run `python -m bot.i18n`"
    assert len(extracted) > 80


def _problems(template: Catalog, catalog: Catalog) -> dict[str, list[object]]:
    """What is wrong with one language's catalogue against the template."""
    by_key = {_key(m): m for m in catalog if m.id}
    found_problems: dict[str, list[object]] = {"missing": [], "fuzzy": [], "placeholders": [], "plurals": [],
                                               "markup": []}
    for source in template:
        if not source.id:
            continue
        found = by_key.get(_key(source))
        strings = [] if found is None else (list(found.string) if isinstance(found.string, tuple | list)
                                            else [found.string])
        if found is None or not strings or not all(strings):
            found_problems["missing"].append(_key(source))
            continue
        if found.fuzzy:
            found_problems["fuzzy"].append(_key(source))
        ids = [source.id] if isinstance(source.id, str) else list(source.id)
        expected = set().union(*(_placeholders(i) for i in ids))
        found_problems["placeholders"] += [(_key(source), t) for t in strings if _placeholders(str(t)) != expected]
        found_problems["markup"] += [(_key(source), t) for t in strings if _markup(str(t)) != _markup(ids[0])]
        if isinstance(source.id, tuple | list) and len(strings) != catalog.num_plurals:
            found_problems["plurals"].append(_key(source))
    return {k: v for k, v in found_problems.items() if v}


@pytest.mark.parametrize("locale", i18n.CATALOGUES)
def test_every_language_translates_every_message_with_the_same_placeholders(template: Catalog, locale: str) -> None:
    assert _problems(template, _read(i18n.po_path(locale), locale)) == {}


def test_a_broken_catalogue_is_caught(template: Catalog) -> None:
    # The check must be able to fail: one translation dropped, one with a placeholder renamed.
    catalog = _read(i18n.po_path("es_ES"), "es_ES")
    dropped = next(m for m in catalog if m.id)
    dropped.string = ""
    renamed = next(m for m in catalog if isinstance(m.id, str) and _placeholders(m.id) and "`" not in m.id
                   and "**" not in m.id and "\n" not in m.id and "<" not in m.id)
    renamed.string = "{otro}"
    linked = next(m for m in catalog if m.id == "Review #{number} is updated.")
    linked.string = "La reseña #{number} está actualizada: [mira](https://evil.example) @everyone"
    problems = _problems(template, catalog)
    assert problems["missing"] == [_key(dropped)]
    assert problems["placeholders"] == [(_key(renamed), "{otro}")]
    assert problems["markup"] == [(_key(linked), linked.string)]
