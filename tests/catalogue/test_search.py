"""Name search: forgiving of case, diacritics, long vowels, word order, partial words and small typos."""

from __future__ import annotations

import pytest

from bot.catalogue.models import AnimeEntry, CastCredit, CatalogueBundle, CharacterEntry, Kind, PersonEntry, StaffCredit
from bot.catalogue.search import Certainty, NameSearch, certainty
from bot.catalogue.store import CatalogueStore
from bot.core.database import Database
from bot.core.names import normalize
from bot.errors import Ambiguous, InvalidInput, NotFound, NotSure


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Yū Shimamura", "yu shimamura"),
        ("Yuu Shimamura", "Yū Shimamura"),
        ("Kumiko Ōmae", "kumiko omae"),
        ("Kumiko Oomae", "Kumiko Ōmae"),
        ("KUMIKO ŌMAE", "kumiko omae"),
        ("Ｓｈｉｍａｍｕｒａ", "shimamura"),
        ("Cure Wing/Tsubasa", "cure wing tsubasa"),
    ],
)
def test_normalize_equates_spellings(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Yū Shimamura", "Yū Shimamura"),
        ("yu shimamura", "Yū Shimamura"),
        ("Yuu Shimamura", "Yū Shimamura"),
        ("Shimamura Yu", "Yū Shimamura"),
        ("shimamura", "Yū Shimamura"),
        ("shima", "Yū Shimamura"),
        ("shimamra", "Yū Shimamura"),  # a small typo
        ("Shimamura Yuu", "Yū Shimamura"),
        ("tomoyo kurosawa", "Tomoyo Kurosawa"),
        ("kurosawa", "Tomoyo Kurosawa"),
        ("Kurosawa Tomoyo", "Tomoyo Kurosawa"),
        ("Kurosowa", "Tomoyo Kurosawa"),
        ("Yutaku Izubuchi", "Yutaka Izubuchi"),  # the review's misspelling, kept as an alias
        ("izubuchi", "Yutaka Izubuchi"),
        ("宮本侑芽", "Yume Miyamoto"),
    ],
)
async def test_person_search(catalogue_db: Database, query: str, expected: str) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    assert (await search.resolve("person", query)).display == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("omae", "Kumiko Ōmae"),
        ("Kumiko Oomae", "Kumiko Ōmae"),
        ("Ōmae Kumiko", "Kumiko Ōmae"),
        ("naomi", "Naomi Orthmann"),
        ("Orthman", "Naomi Orthmann"),
        ("Gene Junghardt", "Jean Junghardt"),
        ("viola keane", "Sara Fitzgerald"),
        ("rouge redstar", "Rouge Redstar"),
    ],
)
async def test_character_search(catalogue_db: Database, query: str, expected: str) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    assert (await search.resolve("character", query)).display == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Metallic Rouge", "Metallic Rouge"),
        ("metallic", "Metallic Rouge"),
        ("Metarikku Rūju", "Metallic Rouge"),
        ("metarikku ruju", "Metallic Rouge"),
        ("メタリックルージュ", "Metallic Rouge"),
        ("Houseki no Kuni", "Land of the Lustrous"),
        ("land lustrous", "Land of the Lustrous"),
    ],
)
async def test_anime_search(catalogue_db: Database, query: str, expected: str) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    assert (await search.resolve("anime", query)).display == expected


async def test_an_ambiguous_name_gives_a_choice_not_a_guess(catalogue_db: Database) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    with pytest.raises(Ambiguous) as info:
        await search.resolve("person", "Tsuda")
    labels = " | ".join(info.value.choices)
    assert "Kenjiro Tsuda" in labels and "Minami Tsuda" in labels
    assert len(info.value.values) == len(info.value.choices)
    assert all(v.startswith("id:") for v in info.value.values)


async def test_ranking_puts_the_closest_first(catalogue_db: Database) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    matches = await search.search("person", "Shira")
    assert matches and matches[0].display == "Haruka Shiraishi"
    assert len(matches) <= 25


async def test_id_values_from_autocomplete_resolve_exactly(catalogue_db: Database) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    first = (await search.search("person", "Kenjiro Tsuda"))[0]
    again = await search.resolve("person", f"id:{first.entity_id}")
    assert again.entity_id == first.entity_id and again.display == "Kenjiro Tsuda"
    with pytest.raises(NotFound):
        await search.resolve("person", "id:999999")


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000])
async def test_bad_queries_are_clear_errors(catalogue_db: Database, query: str) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    with pytest.raises(InvalidInput):
        await search.resolve("person", query)


@pytest.mark.parametrize(
    "query",
    ["🙂🙂🙂", "@everyone", "<@&123456789012345678>", "**bold** `code` ||spoiler||", '"; DROP TABLE person; --',
     "NEAR(a b)", "a OR b", "*", '"', "^x", "zzzzzzzz"],
)
async def test_odd_queries_never_raise_anything_but_not_found(catalogue_db: Database, query: str) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    with pytest.raises((NotFound, NotSure, InvalidInput)) as info:
        await search.resolve("person", query)
    if not isinstance(info.value, InvalidInput):
        assert "couldn't find" in str(info.value)
    assert await search.search("character", query) is not None


@pytest.mark.parametrize(("kind", "typed", "expected"), [
    ("person", "y", "Yume Miyamoto"), ("person", "yu", "Yū Shimamura"), ("anime", "m", "Metallic Rouge"),
    ("anime", "lus", "Land of the Lustrous"), ("anime", "of the", "Land of the Lustrous"),
    ("character", "n", "Naomi Orthmann"),
])
async def test_short_and_title_queries_take_the_index_paths(
    catalogue_db: Database, kind: Kind, typed: str, expected: str
) -> None:
    matches = await NameSearch(CatalogueStore(catalogue_db)).search(kind, typed)
    assert expected in [m.display for m in matches]


async def test_like_metacharacters_in_titles_are_literal(catalogue_db: Database) -> None:
    repo = CatalogueStore(catalogue_db)
    assert await repo.names_with_words("anime", ["%"], limit=10) == []
    assert await repo.names_with_words("anime", ["_"], limit=10) == []
    assert await repo.names_with_words("anime", ["\\"], limit=10) == []
    assert [r.name for r in await repo.names_with_words("anime", ["lustr"], limit=10)] == ["Land of the Lustrous"]


# -- the rule: when is a match sure enough to answer without asking? ------------------------------------------

@pytest.mark.parametrize(("query", "name", "expected"), [
    ("yu shimamura", "yu shimamura", Certainty.EXACT),
    ("shimamura yu", "yu shimamura", Certainty.EXACT),  # any word order
    ("naomiorthmann", "naomi orthmann", Certainty.EXACT),  # spaces do not count
    ("shimamura", "yu shimamura", Certainty.WORDS),
    ("tsuda", "minami tsuda", Certainty.WORDS),
    ("land lustrous", "land of the lustrous", Certainty.WORDS),
    ("shima", "yu shimamura", Certainty.PREFIX),
    ("yu shima", "yu shimamura", Certainty.PREFIX),
    ("sh", "yu shimamura", Certainty.SIMILAR),  # two letters begin too many words to mean one
    ("shimamra", "yu shimamura", Certainty.TYPO),  # one letter dropped
    ("kurosowa", "tomoyo kurosawa", Certainty.TYPO),  # one letter changed
    ("kurosaaw", "tomoyo kurosawa", Certainty.TYPO),  # two neighbours swapped
    ("tsuda", "tsubasa yunagi", Certainty.SIMILAR),  # three slips: only alike
    ("tsuta", "minami tsuda", Certainty.TYPO),
    ("aes", "ace", Certainty.SIMILAR),  # too short for a slip to be safe
    ("tsuda tsuda", "minami tsuda", Certainty.SIMILAR),  # each word needs a word of its own
    ("minami kenjiro tsuda", "minami tsuda", Certainty.SIMILAR),  # a word the name lacks
    ("津田", "津田美波", Certainty.PREFIX),  # two characters of a wide script are enough
])
def test_certainty_of_a_name_form(query: str, name: str, expected: Certainty) -> None:
    assert certainty(query.split(), name) is expected


# Test-only entries, stored by the real loader: namesakes the seed does not have.
NAMESAKES = CatalogueBundle(
    people=(
        PersonEntry(key="aoi-kazamori", name="Aoi Kazamori", native="風森葵"),
        PersonEntry(key="ren-kazamori", name="Ren Kazamori", native="風森蓮"),
        PersonEntry(key="sora-kazamori", name="Sora Kazamori", native="風森空"),
        PersonEntry(key="kenta-morita", name="Kenta Morita"),
        PersonEntry(key="kenta-moriya", name="Kenta Moriya"),
        PersonEntry(key="haru-hoshikawa-1", name="Haru Hoshikawa", native="星川春"),
        PersonEntry(key="haru-hoshikawa-2", name="Haru Hoshikawa", native="星川晴"),
    ),
    characters=(
        CharacterEntry(key="hikari-tsukishiro", name="Hikari Tsukishiro"),
        CharacterEntry(key="hikari-hoshikawa", name="Hikari Hoshikawa"),
        CharacterEntry(key="mio-kazamori", name="Mio Kazamori"),
    ),
    anime=(
        AnimeEntry(
            key="kaze-no-uta", title_romaji="Kaze no Uta", title_english="Song of the Wind", format="TV_SHORT",
            year=2013,
            cast=(CastCredit("hikari-tsukishiro", "aoi-kazamori"), CastCredit("mio-kazamori", "ren-kazamori"),
                  CastCredit("hikari-hoshikawa", "haru-hoshikawa-1")),
            staff=(StaffCredit("sora-kazamori", "Director"), StaffCredit("kenta-morita", "Music"),
                   StaffCredit("kenta-moriya", "Editing"), StaffCredit("haru-hoshikawa-2", "Screenplay")),
        ),
        AnimeEntry(key="kaze-no-uta-movie", title_romaji="Kaze no Uta Gekijouban", format="MOVIE", year=2015,
                   cast=(CastCredit("hikari-tsukishiro", "aoi-kazamori"),)),
    ),
)


@pytest.fixture
async def namesakes(catalogue_db: Database) -> NameSearch:
    await CatalogueStore(catalogue_db).load_bundle(NAMESAKES, source="test:namesakes")
    return NameSearch(CatalogueStore(catalogue_db))


async def test_a_surname_shared_by_several_people_asks(namesakes: NameSearch) -> None:
    with pytest.raises(Ambiguous) as info:
        await namesakes.resolve("person", "Kazamori")
    assert not isinstance(info.value, NotSure)
    assert sorted(info.value.choices) == [
        "Aoi Kazamori (風森葵) — voice of Hikari Tsukishiro in Song of the Wind",
        "Ren Kazamori (風森蓮) — voice of Mio Kazamori in Song of the Wind",
        "Sora Kazamori (風森空) — Director, Song of the Wind",
    ]
    assert info.value.query == "Kazamori" and len(info.value.values) == 3


async def test_a_whole_name_answers_even_when_its_surname_is_shared(namesakes: NameSearch) -> None:
    assert (await namesakes.resolve("person", "Kazamori Ren")).display == "Ren Kazamori"
    assert (await namesakes.resolve("person", "aoi kazamori")).display == "Aoi Kazamori"


async def test_a_given_name_shared_by_characters_asks(namesakes: NameSearch) -> None:
    with pytest.raises(Ambiguous) as info:
        await namesakes.resolve("character", "Hikari")
    assert [c.split(" — ")[0] for c in sorted(info.value.choices)] == ["Hikari Hoshikawa", "Hikari Tsukishiro"]
    assert "Song of the Wind" in info.value.choices[0]
    assert (await namesakes.resolve("character", "hikari tsukishiro")).display == "Hikari Tsukishiro"


async def test_a_typo_one_letter_from_two_names_asks(namesakes: NameSearch) -> None:
    for typed in ("Kenta Morika", "Morika", "kenta moriha"):
        with pytest.raises(Ambiguous) as info:
            await namesakes.resolve("person", typed)
        assert sorted(c.split(" — ")[0] for c in info.value.choices) == ["Kenta Morita", "Kenta Moriya"], typed
    # ... while a typo one letter from one name only is that name, and an exact name is never a typo of another
    assert (await namesakes.resolve("person", "Kenta Morita")).display == "Kenta Morita"


async def test_namesakes_are_told_apart_by_native_name_and_best_known_role(namesakes: NameSearch) -> None:
    with pytest.raises(Ambiguous) as info:
        await namesakes.resolve("person", "Haru Hoshikawa")
    assert sorted(info.value.choices) == [
        "Haru Hoshikawa (星川春) — voice of Hikari Hoshikawa in Song of the Wind",
        "Haru Hoshikawa (星川晴) — Screenplay, Song of the Wind",
    ]


async def test_a_name_that_only_resembles_is_offered_never_taken(catalogue_db: Database) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    with pytest.raises(NotSure) as info:
        await search.resolve("character", "Tsuda")  # not "Who voiced Tsubasa Yūnagi"
    assert "couldn't find a character called “Tsuda”" in str(info.value)
    assert info.value.choices and info.value.choices[0].startswith("Tsubasa Yūnagi (夕凪ツバサ)")
    assert info.value.values and info.value.values[0].startswith("id:")


async def test_a_whole_title_beats_a_longer_one(catalogue_db: Database) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    assert (await search.resolve("anime", "Sound Euphonium")).display == "Sound! Euphonium"
    with pytest.raises(Ambiguous) as info:
        await search.resolve("anime", "Euphonium")
    assert info.value.choices == ("Sound! Euphonium (TV, 2015)", "Sound! Euphonium 2 (TV, 2016)")


async def test_a_character_on_several_shows_is_labelled_with_the_first(namesakes: NameSearch) -> None:
    match = (await namesakes.search("character", "Hikari Tsukishiro"))[0]
    assert await namesakes.labels("character", [match]) == ["Hikari Tsukishiro — Song of the Wind"]


async def test_one_or_two_letters_answer_only_a_whole_name(namesakes: NameSearch, catalogue_db: Database) -> None:
    with pytest.raises(NotSure, match="“yu” is too short to be sure") as info:
        await namesakes.resolve("person", "yu")  # Yū Shimamura, but also Yui, Yuma, Yume, Yutaka ...
    assert info.value.choices[0].startswith("Yū Shimamura (島村侑)") and len(info.value.choices) >= 5
    await CatalogueStore(catalogue_db).load_bundle(CatalogueBundle(
        characters=(CharacterEntry(key="yu", name="Yu"),), people=(PersonEntry(key="yu-voice", name="Yu Voice"),),
        anime=(AnimeEntry(key="yu-show", title_romaji="Yu no Hanashi", cast=(CastCredit("yu", "yu-voice"),)),),
    ), source="test:yu")
    assert (await namesakes.resolve("character", "Yū")).display == "Yu"
