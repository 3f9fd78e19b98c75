"""Commands registered in the members' languages: names, descriptions, options and choices, within Discord's rules."""

from __future__ import annotations

import copy
from typing import Any

from sandbox import Sandbox
from sandbox.registration import check_commands

TRANSLATED = ("ja", "es-ES", "es-419", "pt-BR")


def _by_name(items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(i for i in items if i["name"] == name)


async def test_registration_carries_every_translation_and_passes_discords_rules(sandbox: Sandbox) -> None:
    registered = await sandbox.wait_for_commands(None)
    payloads = [c.payload for c in registered]
    review = _by_name(payloads, "review")
    assert review["name_localizations"] == {"ja": "レビュー", "es-ES": "reseña", "es-419": "reseña", "pt-BR": "resenha"}
    assert review["description_localizations"]["es-ES"] == "Reseñas de anime sin spoilers a la vista."
    read = _by_name(review["options"], "read")
    assert read["name_localizations"]["pt-BR"] == "ler"
    watched = _by_name(read["options"], "watched")
    assert watched["name_localizations"]["ja"] == "視聴済み話数"
    assert watched["description_localizations"]["es-419"].startswith("Cuántos episodios has visto")
    language = _by_name(_by_name(payloads, "voiced")["options"], "language")
    assert {c["name"]: c["name_localizations"]["pt-BR"] for c in language["choices"]} == {
        "All languages": "Todos os idiomas", "English": "Inglês", "Japanese": "Japonês"}

    def every_item(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            out.append(item)
            out += every_item(item.get("options") or [])
        return out

    for item in every_item(payloads):  # every description translated; names too, unless they read the same
        names = item.get("name_localizations") or {}
        assert "ja" in names and set(names) <= set(TRANSLATED), item["name"]
        assert set(names) == set(TRANSLATED) or item["name"] in {"anime", "spoilers"}, item["name"]
        assert set(item.get("description_localizations") or {}) == set(TRANSLATED), item["name"]
    assert check_commands(payloads) == []
    assert not sandbox.violations


async def test_a_translation_that_breaks_discords_rules_is_refused(sandbox: Sandbox) -> None:
    registered = await sandbox.wait_for_commands(None)
    payloads = copy.deepcopy([c.payload for c in registered])
    review = _by_name(payloads, "review")
    review["name_localizations"]["es-ES"] = "Reseña de anime"  # upper case and a space
    _by_name(review["options"], "read")["name_localizations"]["ja"] = "書く"  # the same as "write" in Japanese
    _by_name(payloads, "rate")["description_localizations"]["pt-BR"] = "x" * 101
    _by_name(payloads, "credits")["name_localizations"]["xx"] = "creditos"
    found = {b.name for b in check_commands(payloads)}
    assert {"command (es-ES) name has invalid characters", "duplicate localised name",
            "command (pt-BR) description > 100 characters", "command localised for an unknown locale"} <= found
