"""Messages in the member's language: gettext catalogues read with Babel, the current locale, numbers per locale.

English is the source language: a message is written in English in the code, marked with ``_()`` (or
``ngettext()`` for a count, ``pgettext()`` where one English text needs two translations, ``N_()`` for a
module-level constant translated later), and found by ``kansou i18n extract`` into ``bot/locales/kansou.pot``.
Each translation lives in ``bot/locales/<ll_CC>/LC_MESSAGES/kansou.po``. Only ``.po`` files are kept: each is
compiled in memory the first time its locale is used (Babel's ``read_po`` and ``write_mo``), then cached.

The locale is a context variable: the Discord side sets it once per interaction (the member's locale), or for the
length of a shared post (the server's), and everything below (services, renderers) just calls ``_()``. A locale
kansou has no catalogue for, and a message missing from a catalogue, both fall back to English.
"""

from __future__ import annotations

import gettext
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, get_decimal_symbol

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "kansou"
SOURCE = "en"
#: The catalogues kansou ships, by gettext name.
CATALOGUES = ("ja", "es_ES", "pt_BR")
#: Discord's locale codes (https://discord.com/developers/docs/reference#locales) → the catalogue that serves them.
DISCORD_LOCALES: dict[str, str] = {"ja": "ja", "es-ES": "es_ES", "es-419": "es_ES", "pt-BR": "pt_BR"}

_current: ContextVar[str] = ContextVar("kansou_locale", default=SOURCE)


def catalogue_for(discord_locale: object) -> str:
    """The catalogue for a Discord locale (a ``discord.Locale`` or its code); English for any other."""
    code = str(getattr(discord_locale, "value", discord_locale) or "")
    return DISCORD_LOCALES.get(code, SOURCE)


def current() -> str:
    """The locale messages are being written in now (a catalogue name, or ``"en"``)."""
    return _current.get()


def set_locale(locale: str) -> None:
    """Write this task's messages in ``locale`` (a catalogue name) from now on."""
    _current.set(locale if locale in CATALOGUES else SOURCE)


@contextmanager
def using(locale: str) -> Iterator[None]:
    """Write messages in ``locale`` inside the block (a shared post in the server's language), then switch back."""
    token = _current.set(locale if locale in CATALOGUES else SOURCE)
    try:
        yield
    finally:
        _current.reset(token)


def po_path(locale: str) -> Path:
    """Where the catalogue for ``locale`` lives."""
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``locale`` (English, the source, needs none)."""
    if locale not in CATALOGUES:
        return gettext.NullTranslations()
    with po_path(locale).open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy (unchecked) entry shows in English
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """``message`` in the current locale (itself in English, or when the catalogue lacks it)."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count ``n``, by the current language's plural rules."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current locale, told apart from the same English text in another ``context``."""
    return translations(_current.get()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """The form for the count ``n`` of a message told apart by ``context``."""
    return translations(_current.get()).npgettext(context, singular, plural, n)


def translate(locale: str, context: str | None, message: str) -> str | None:
    """``message`` in ``locale``, or ``None`` when that catalogue has no translation (Discord then shows English)."""
    if locale not in CATALOGUES:
        return None
    table = translations(locale)
    found = table.pgettext(context, message) if context else table.gettext(message)
    return None if found == message else found


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (a module-level constant)."""
    return message


def babel_locale(locale: str | None = None) -> Locale:
    """Babel's locale for a catalogue name (the current one by default)."""
    return Locale.parse(locale or _current.get())


def number(value: float, *, digits: int = 1) -> str:
    """``value`` written for the current locale with up to ``digits`` decimals: 4.5 in English, 4,5 in Spanish.

    A number too large or not finite (what a crafted client may send: 1e308, inf) is written as Python writes it,
    with the locale's decimal sign.
    """
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:g}".replace(".", get_decimal_symbol(babel_locale()))
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=babel_locale())


def fixed(value: float | Decimal, *, digits: int = 2) -> str:
    """``value`` with exactly ``digits`` decimals for the current locale (4.50, 4,50)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=babel_locale())
