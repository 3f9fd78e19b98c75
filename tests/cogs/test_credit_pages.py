"""/credits and /person a page at a time end to end: staff then cast, voice roles then staff roles, each page
fetched by key when its button is pressed, at every boundary (first, last, between the two lists)."""

from __future__ import annotations

import re

from bot.catalogue.models import (
    AnimeEntry,
    CastCredit,
    CatalogueBundle,
    CharacterEntry,
    PersonEntry,
    StaffCredit,
)
from sandbox import Sandbox, SandboxMessage
from tests.cogs.conftest import assert_clean, catalogue_store, text_of

FIRST, PREVIOUS, NEXT, LAST = 1, 2, 3, 4
STAFF, CAST = 30, 50  # 24 staff credits a page, 20 characters a page: 2 + 3 pages


def _crowded() -> CatalogueBundle:
    """A show with STAFF staff credits and CAST characters, and a person in 20 shows' casts and 20 shows' staff."""
    people = [PersonEntry(key=f"st-{i}", name=f"Staffer Number{i}") for i in range(STAFF)]
    people += [PersonEntry(key=f"va-{i}", name=f"Voice Number{i}") for i in range(CAST)]
    people.append(PersonEntry(key="busy", name="Busy Bee Person"))
    characters = [CharacterEntry(key=f"ch-{i}", name=f"Character Number{i}") for i in range(CAST)]
    characters += [CharacterEntry(key=f"bc-{i}", name=f"Busy Role{i}") for i in range(20)]
    shows = [AnimeEntry(
        key="crowded", title_romaji="Ooi Bangumi", title_english="A Crowded Show", episodes=12,
        staff=tuple(StaffCredit(person=f"st-{i}", role=f"Key Animation {i}") for i in range(STAFF)),
        cast=tuple(CastCredit(character=f"ch-{i}", person=f"va-{i}") for i in range(CAST)),
    )]
    shows += [AnimeEntry(key=f"busy-{i}", title_romaji=f"Busy Show Number{i}", episodes=12, year=2000 + i,
                         cast=(CastCredit(character=f"bc-{i}", person="busy"),) if i < 20 else (),
                         staff=(StaffCredit(person="busy", role="Director"),) if i >= 20 else ())
              for i in range(40)]
    return CatalogueBundle(anime=tuple(shows), people=tuple(people), characters=tuple(characters))


def page_of(message: SandboxMessage) -> tuple[int, int]:
    """(this page, how many), from the footer."""
    (embed,) = message.embed_objects()
    found = re.match(r"Page (\d+)/(\d+)", embed.footer.text or "")
    assert found is not None, embed.footer.text
    return int(found[1]), int(found[2])


async def test_credits_page_through_staff_then_cast(sandbox: Sandbox) -> None:
    await catalogue_store(sandbox).load_bundle(_crowded(), source="test")
    result = await sandbox.invoke("credits", {"anime": "A Crowded Show"})
    assert_clean(result)
    message = result.message
    assert message is not None
    assert page_of(message) == (1, 5)
    assert "30 staff credits · 50 characters" in (message.embed_objects()[0].footer.text or "")
    text = text_of(result)
    assert "Staffer Number0" in text and "Staffer Number23" in text and "Staffer Number24" not in text
    assert [not b.get("disabled") for b in message.buttons()] == [False, False, True, True]
    seen = [text]
    for number in range(2, 6):
        turned = await sandbox.click(message, NEXT)
        assert_clean(turned)
        assert page_of(message) == (number, 5)
        seen.append(text_of(turned))
    assert "Staffer Number29" in seen[1] and "Character Number" not in seen[1]
    assert "Character Number0" in seen[2] and "Character Number19" in seen[2] and "Character Number20" not in seen[2]
    assert "Character Number49" in seen[4]
    assert [not b.get("disabled") for b in message.buttons()] == [True, True, False, False]
    # Every credit is on exactly one page.
    for i in range(STAFF):
        assert sum(bool(re.search(rf"Staffer Number{i}\b", page)) for page in seen) == 1, i
    for i in range(CAST):
        assert sum(bool(re.search(rf"Character Number{i}\b", page)) for page in seen) == 1, i
    # Back across the boundary between the lists lands on the staff's last page.
    for number in (4, 3, 2):
        assert_clean(await sandbox.click(message, PREVIOUS))
        assert page_of(message) == (number, 5)
    first = await sandbox.click(message, FIRST)
    assert_clean(first)
    assert page_of(message) == (1, 5) and "Staffer Number0" in text_of(first)
    last = await sandbox.click(message, LAST)
    assert_clean(last)
    assert page_of(message) == (5, 5) and "Character Number49" in text_of(last)
    back = await sandbox.click(message, PREVIOUS)
    assert_clean(back)
    assert page_of(message) == (4, 5) and "Character Number39" in text_of(back)


async def test_person_pages_voice_roles_then_staff_roles(sandbox: Sandbox) -> None:
    await catalogue_store(sandbox).load_bundle(_crowded(), source="test")
    result = await sandbox.invoke("person", {"name": "Busy Bee Person"})
    assert_clean(result)
    message = result.message
    assert message is not None
    assert page_of(message) == (1, 4)  # 20 shows voiced, 20 as staff: 15 a page
    footer = message.embed_objects()[0].footer.text or ""
    assert "20 shows voiced · 20 shows as staff" in footer
    pages = [text_of(result)]
    while not message.button(NEXT).get("disabled"):
        turned = await sandbox.click(message, NEXT)
        assert_clean(turned)
        pages.append(text_of(turned))
    assert len(pages) == 4 and page_of(message) == (4, 4)
    assert all("Busy Role" in page for page in pages[:2]) and not any("Busy Role" in page for page in pages[2:])
    assert all("Director" in page for page in pages[2:])
    for i in range(40):
        assert sum(bool(re.search(rf"Busy Show Number{i}\b", page)) for page in pages) == 1, i


async def test_short_credits_stay_on_one_page_without_buttons(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("credits", {"anime": "Metallic Rouge"})
    assert_clean(result)
    assert result.message is not None and result.message.buttons() == []
    assert "Staff" in text_of(result) and "Cast" in text_of(result)
