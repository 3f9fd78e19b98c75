"""Messages in the member's language: catalogue choice, fallback to English, plurals, numbers."""

from __future__ import annotations

import pytest

from bot.core import i18n


@pytest.mark.parametrize(("discord_locale", "catalogue"), [
    ("ja", "ja"), ("es-ES", "es_ES"), ("es-419", "es_ES"), ("pt-BR", "pt_BR"),
    ("fr", "en"), ("en-US", "en"), ("pt-PT", "en"), ("", "en"), (None, "en"),
])
def test_discord_locales_map_to_a_catalogue_or_english(discord_locale: str | None, catalogue: str) -> None:
    assert i18n.catalogue_for(discord_locale) == catalogue


def test_a_translated_message_and_the_english_fallbacks() -> None:
    with i18n.using("es_ES"):
        assert i18n.pgettext("command name", "review") == "reseña"
        # A message the catalogue does not have comes back in English, never as a key or a placeholder.
        assert i18n._("A sentence no catalogue has.") == "A sentence no catalogue has."
    with i18n.using("fr"):  # a locale kansou has no catalogue for is English
        assert i18n.current() == "en"
        assert i18n.pgettext("command name", "review") == "review"
    assert i18n.translate("fr", "command name", "review") is None
    assert i18n.translate("ja", "command name", "review") == "レビュー"
    assert i18n.translate("ja", "command name", "no such command") is None


def test_using_switches_back_after_the_block() -> None:
    i18n.set_locale("ja")
    try:
        with i18n.using("pt_BR"):
            assert i18n.current() == "pt_BR"
        assert i18n.current() == "ja"
    finally:
        i18n.set_locale("en")


@pytest.mark.parametrize(("locale", "value", "shown"), [
    ("en", 4.5, "4.5"), ("es_ES", 4.5, "4,5"), ("pt_BR", 4.5, "4,5"), ("ja", 4.5, "4.5"),
    ("en", 4.0, "4"), ("pt_BR", 12345.25, "12.345,2"), ("en", 12345.25, "12,345.2"),
])
def test_numbers_are_written_for_the_locale(locale: str, value: float, shown: str) -> None:
    with i18n.using(locale):
        assert i18n.number(value) == shown


def test_fixed_decimals_follow_the_locale() -> None:
    with i18n.using("es_ES"):
        assert i18n.fixed(3.5) == "3,50"
    assert i18n.fixed(3.5) == "3.50"


@pytest.mark.parametrize(("locale", "value", "shown"), [
    ("en", 1e308, "1e+308"), ("es_ES", 1.5e300, "1,5e+300"), ("en", float("inf"), "inf"), ("en", float("nan"), "nan"),
])
def test_numbers_no_member_would_type_are_still_written(locale: str, value: float, shown: str) -> None:
    with i18n.using(locale):
        assert i18n.number(value) == shown
