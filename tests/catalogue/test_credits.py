"""Credits look-ups answer every credit of the seed review, by the names a member would type."""

from __future__ import annotations

import pytest

from bot.catalogue.credits import CreditsService, parse_language
from bot.catalogue.service import CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.core.database import Database
from bot.errors import InvalidInput, NotFound
from tests.data.test_shipped_catalogue import ALL_CAST, ALL_STAFF


def _service(db: Database) -> CreditsService:
    return CreditsService(CatalogueService(CatalogueStore(db)))


async def test_metallic_rouge_credits(catalogue_db: Database) -> None:
    result = await _service(catalogue_db).anime_credits("metallic rouge")
    assert result.anime.studio == "Bones" and result.anime.episodes == 13
    staff = {role: [p.name for p in people] for role, people in result.staff}
    assert staff["Director"] == ["Motonobu Hori"]
    assert sorted(staff["Music"]) == ["Taisei Iwasaki", "Towa Tei", "Yuma Yamaguchi"]
    cast = {c.name: [(r.person.name, r.language) for r in roles] for c, roles in result.cast}
    assert cast["Naomi Orthmann"] == [("Tomoyo Kurosawa", "japanese")]
    assert len(cast) == 14


@pytest.mark.parametrize(("title", "name", "role"), ALL_STAFF)
async def test_every_staff_credit_is_answered(catalogue_db: Database, title: str, name: str, role: str) -> None:
    service = _service(catalogue_db)
    person = await service.person(name)
    assert person.person.name == name
    assert (title, role) in {(anime.title, r) for anime, roles in person.staff for r in roles}
    show = await service.anime_credits(title)
    assert name in [p.name for r, people in show.staff if r == role for p in people]


@pytest.mark.parametrize(("title", "character", "actor"), ALL_CAST)
async def test_every_voice_credit_is_answered(
    catalogue_db: Database, title: str, character: str, actor: str
) -> None:
    service = _service(catalogue_db)
    voiced = await service.voiced(character, title, "japanese")
    assert [(c.person.name, [r.anime.title for r in c.roles]) for c in voiced.credits] == [(actor, [title])]
    person = await service.person(actor)
    assert (title, character) in {(a.title, r.character.name) for a, roles in person.voice for r in roles}


async def test_voiced_lists_other_roles_of_the_actor(catalogue_db: Database) -> None:
    voiced = await _service(catalogue_db).voiced("Naomi Orthmann")
    (credit,) = voiced.credits
    assert credit.person.name == "Tomoyo Kurosawa"
    others = {r.character.name for r in credit.other_roles}
    assert "Naomi Orthmann" not in others
    assert 1 <= len(others) <= 5 and others <= {
        "Kumiko Ōmae", "Phosphophyllite", "Misaki Okusawa", "Ayano Toki", "Mitsumi Iwakura", "Tsuki"}


async def test_voiced_groups_the_seasons_of_one_actor(catalogue_db: Database) -> None:
    voiced = await _service(catalogue_db).voiced("Kumiko Oomae")
    (credit,) = voiced.credits  # one voice actor: one credit, not one per season
    assert credit.person.name == "Tomoyo Kurosawa" and credit.language == "japanese"
    assert [r.anime.title for r in credit.roles] == ["Sound! Euphonium", "Sound! Euphonium 2"]
    assert "Kumiko Ōmae" not in {r.character.name for r in credit.other_roles}


async def test_voiced_in_a_language_with_no_credit_says_what_exists(catalogue_db: Database) -> None:
    voiced = await _service(catalogue_db).voiced("Naomi Orthmann", language="english")
    assert voiced.credits == [] and voiced.other_languages == ["japanese"]


async def test_voiced_in_the_wrong_show_is_not_found(catalogue_db: Database) -> None:
    with pytest.raises(NotFound, match="no voice credit in Land of the Lustrous"):
        await _service(catalogue_db).voiced("Naomi Orthmann", "Land of the Lustrous")


async def test_person_groups_voice_roles_by_show(catalogue_db: Database) -> None:
    person = await _service(catalogue_db).person("Mariya Ise")
    shows = {anime.title: [r.character.name for r in roles] for anime, roles in person.voice}
    assert shows["Metallic Rouge"] == ["Opera"]
    assert shows["Land of the Lustrous"] == ["Antarcticite"]
    assert person.staff == []


async def test_unknown_names_suggest_the_closest(catalogue_db: Database) -> None:
    with pytest.raises(NotFound) as info:
        await _service(catalogue_db).person("Tomoyo Kurosawaa Extra Words Here")
    assert isinstance(info.value, NotFound)


def test_parse_language() -> None:
    assert parse_language("English") == "english"
    with pytest.raises(InvalidInput):
        parse_language("klingon")
