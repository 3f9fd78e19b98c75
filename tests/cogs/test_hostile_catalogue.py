"""Catalogue and AniList text reaches members escaped, enums as a closed set of names (issue 12, item 1), and
AniList's numbers bounded (item 6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.catalogue.models import AnimeEntry, CastCredit, CatalogueBundle, CharacterEntry, PersonEntry
from sandbox import InteractionResult
from tests.cogs.conftest import RunKansou, assert_clean, catalogue_store, core, text_of
from tests.fakes.anilist_server import SECOND_SHOW_ID, SECOND_SHOW_TITLE, FakeAniList
from tests.helpers.discord_markdown import MODES, render

EVIL_FORMAT = "· 2024 · [click me](https://evil.example) @here"
# Marks that only ever come from catalogue text: kansou's own templates write none of them in these replies.
FOREIGN_MARKS = frozenset({"link", "url", "mention", "spoiler", "code", "heading", "quote", "emoji", "timestamp",
                           "strike", "underline", "autolink"})


def foreign_markdown(result: InteractionResult) -> list[str]:
    """Any text of the reply that Discord would render as a link, mention, spoiler, code… (none is ours)."""
    found = []
    for message in result.messages:
        texts = [message.content or ""]
        for embed in message.embed_objects():
            texts += [embed.description or "", *(f.value or "" for f in embed.fields)]
        for text in texts:
            for mode in MODES:
                marks = {mark for char in render(text, mode=mode) for mark in char.marks} & FOREIGN_MARKS
                if marks:
                    found.append(f"{sorted(marks)} in {text[:200]!r}")
    return found


@pytest.fixture
async def fake() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as server:
        yield server


def _evil_format(data: dict[str, Any]) -> None:
    """Every show AniList sends has the hostile format of the issue."""
    nodes = [data.get("Media"), *((data.get("Page") or {}).get("media") or [])]
    for node in nodes:
        if isinstance(node, dict) and "format" in node:
            node["format"] = EVIL_FORMAT


async def test_a_hostile_format_from_anilist_reads_other(run_kansou: RunKansou, fake: FakeAniList) -> None:
    fake.rewrite = _evil_format
    async with run_kansou(anilist_url=fake.url) as sandbox:
        result = await sandbox.invoke("credits", {"anime": SECOND_SHOW_TITLE})
        assert_clean(result)
        text = text_of(result)
        assert "Impressions Academy" in text and "Other" in text, text
        assert "evil.example" not in text and "click me" not in text and "@here" not in text
        assert not foreign_markdown(result)
        # and the stored show keeps no raw value either
        stored = await core(sandbox).db.fetch_value("SELECT format FROM anime WHERE title_english = ?",
                                                                ("Impressions Academy",))
        assert stored == "OTHER"


HOSTILE_NAME = "**Evil** [click](https://evil.example) @everyone ||x||"
HOSTILE_SHOW = "Hostile `Show` <@&123456789012345678>"


async def test_an_error_that_names_a_character_and_a_show_escapes_them(run_kansou: RunKansou) -> None:
    async with run_kansou() as sandbox:
        bundle = CatalogueBundle(
            anime=(AnimeEntry(key="hostile-show", title_romaji=HOSTILE_SHOW,
                              cast=(CastCredit(character="evil", person="voice"),)),
                   AnimeEntry(key="plain-show", title_romaji="Plain Quiet Show")),
            people=(PersonEntry(key="voice", name="Plain Voice"),),
            characters=(CharacterEntry(key="evil", name=HOSTILE_NAME),),
        )
        await catalogue_store(sandbox).load_bundle(bundle, source="test")
        result = await sandbox.invoke("voiced", {"character": HOSTILE_NAME, "anime": "Plain Quiet Show"})
        assert_clean(result)
        text = text_of(result)
        assert "has no voice credit in Plain Quiet Show" in text, text
        assert not foreign_markdown(result), foreign_markdown(result)
        # what members see is the name itself, literally
        shown = "".join(c.char for c in render(result.messages[0].embed_objects()[0].description or ""))
        assert "**Evil** [click](https://evil.example) @everyone ||x||" in shown.replace("\u200b", ""), shown
        ok = await sandbox.invoke("voiced", {"character": HOSTILE_NAME})
        assert_clean(ok)
        assert not foreign_markdown(ok), foreign_markdown(ok)


def _huge_numbers(data: dict[str, Any]) -> None:
    """AniList sends a show with 10**20 episodes from the year 10**20, and a character and a voice actor whose
    ids are 10**20."""
    media = data.get("Media")
    if isinstance(media, dict):
        media["episodes"] = media["seasonYear"] = 10**20
        media["startDate"] = {"year": 10**20}
        edges = (media.get("characters") or {}).get("edges") or []
        if edges:
            edges[0]["node"]["id"] = 10**20
            for role in edges[-1].get("japanese") or []:
                role["voiceActor"]["id"] = 10**20


async def test_huge_numbers_from_anilist_end_to_end(run_kansou: RunKansou, fake: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake.url) as sandbox:
        fake.rewrite = _huge_numbers
        result = await sandbox.invoke("credits", {"anime": SECOND_SHOW_TITLE})
        assert_clean(result)
        text = text_of(result)
        assert "Impressions Academy" in text and "Sorry" not in text
        assert "100000000000000000000" not in text
        assert await core(sandbox).db.fetch_value(
            "SELECT count(*) FROM anime WHERE episodes IS NULL AND year IS NULL AND anilist_id = ?",
            (SECOND_SHOW_ID,)) == 1
