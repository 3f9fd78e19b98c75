"""The shipped Metallic Rouge catalogue holds every credit its seed review states, and nothing more.

The expected facts below were copied by hand from the seed review ("Metallic Rouge Spoiler-Filled
Review", Pop Culture Maniacs). They use display names, not keys. Where the review has a name wrong,
the table uses the corrected name, and ``REVIEW_SPELLINGS`` checks that the review's spelling still
finds the right entry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

import pytest

from bot.catalogue.files import read_catalogue, shipped_catalogue_files
from bot.catalogue.models import AnimeEntry, CatalogueBundle, CharacterEntry, Kind, PersonEntry
from bot.catalogue.search import NameSearch
from bot.catalogue.store import CatalogueStore
from bot.core.database import Database

CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "catalogue" / "metallic_rouge.toml"
METALLIC_ROUGE = "Metallic Rouge"

# ── Staff credits: (anime display title, person, role) ───────────────────────────────────────────
METALLIC_ROUGE_STAFF: list[tuple[str, str, str]] = [
    # "Motonobu Hori directed the series."
    (METALLIC_ROUGE, "Motonobu Hori", "Director"),
    # "Supervising director Yutaku [Yutaka] Izubuchi assisted him in series composition."
    (METALLIC_ROUGE, "Yutaka Izubuchi", "Supervising Director"),
    (METALLIC_ROUGE, "Yutaka Izubuchi", "Series Composition"),
    # "Toshizo Nemoto wrote the screenplay."
    (METALLIC_ROUGE, "Toshizo Nemoto", "Screenplay"),
    # "Toshihiro Kawamoto designed the characters."
    (METALLIC_ROUGE, "Toshihiro Kawamoto", "Character Design"),
    # "Three individuals (Taisei Iwasaki, Yuma Yamaguchi, and Towa Tei) composed the music."
    (METALLIC_ROUGE, "Taisei Iwasaki", "Music"),
    (METALLIC_ROUGE, "Yuma Yamaguchi", "Music"),
    (METALLIC_ROUGE, "Towa Tei", "Music"),
]

OTHER_STAFF: list[tuple[str, str, str]] = [
    # "Motonobu Hori is known for animation on Atom: The Beginning, FLCL Progressive, Gargantia on the
    # Verdurous Planet, Michiko & Hatchin, Spirited Away, Re: Cutie Honey, and Petite Princess Yucie."
    ("Atom: The Beginning", "Motonobu Hori", "Animation"),
    ("FLCL Progressive", "Motonobu Hori", "Animation"),
    ("Gargantia on the Verdurous Planet", "Motonobu Hori", "Animation"),
    ("Michiko & Hatchin", "Motonobu Hori", "Animation"),
    ("Spirited Away", "Motonobu Hori", "Animation"),
    ("Re: Cutie Honey", "Motonobu Hori", "Animation"),
    ("Petite Princess Yucie", "Motonobu Hori", "Animation"),
    # "He also worked on Paradise Kiss and Super Crooks." (no role given; he directed Super Crooks)
    ("Paradise Kiss", "Motonobu Hori", "Staff"),
    ("Super Crooks", "Motonobu Hori", "Director"),
    # "Yutaku [Yutaka] Izubuchi worked on the Cowboy Bebop movie" (no role given)
    ("Cowboy Bebop: The Movie", "Yutaka Izubuchi", "Staff"),
    # "Toshizo Nemoto worked on the script of The Bank [Book] of Bantorra, Gosick, A Lull in the Sea,
    # Macross Delta, Otherside Picnic, and Super Cub."
    ("The Book of Bantorra", "Toshizo Nemoto", "Script"),
    ("Gosick", "Toshizo Nemoto", "Script"),
    ("A Lull in the Sea", "Toshizo Nemoto", "Script"),
    ("Macross Delta", "Toshizo Nemoto", "Script"),
    ("Otherside Picnic", "Toshizo Nemoto", "Script"),
    ("Super Cub", "Toshizo Nemoto", "Script"),
    # "Toshihiro Kawamoto is best known as the character designer of Cowboy Bebop, Gosick, and Wolf's Rain."
    ("Cowboy Bebop", "Toshihiro Kawamoto", "Character Design"),
    ("Gosick", "Toshihiro Kawamoto", "Character Design"),
    ("Wolf's Rain", "Toshihiro Kawamoto", "Character Design"),
    # "He also did animation for Dirty Pair, Fullmetal Alchemist, Michiko & Hatchin, Ouran High School
    # Host Club, and Macross Plus, and films like Josee, the Tiger and the Fish"
    ("Dirty Pair", "Toshihiro Kawamoto", "Animation"),
    ("Fullmetal Alchemist", "Toshihiro Kawamoto", "Animation"),
    ("Michiko & Hatchin", "Toshihiro Kawamoto", "Animation"),
    ("Ouran High School Host Club", "Toshihiro Kawamoto", "Animation"),
    ("Macross Plus", "Toshihiro Kawamoto", "Animation"),
    ("Josee, the Tiger and the Fish", "Toshihiro Kawamoto", "Animation"),
    # "Iwasaki was the lead composer of Belle."
    ("Belle", "Taisei Iwasaki", "Music"),
    # "Yamaguchi has done work on series like Flavors of Youth."
    ("Flavors of Youth", "Yuma Yamaguchi", "Music"),
    # "Tei is known for work on the Super Crooks ONA"
    ("Super Crooks", "Towa Tei", "Music"),
]

# ── Japanese cast credits: (anime display title, character, voice actor) ────────────────────────
METALLIC_ROUGE_CAST: list[tuple[str, str, str]] = [
    (METALLIC_ROUGE, "Rouge Redstar", "Yume Miyamoto"),
    (METALLIC_ROUGE, "Sara Fitzgerald", "Yū Shimamura"),  # a.k.a. Viola Keane
    (METALLIC_ROUGE, "Naomi Orthmann", "Tomoyo Kurosawa"),
    (METALLIC_ROUGE, "Ash Stahl", "Atsushi Miyauchi"),
    (METALLIC_ROUGE, "Noid 262", "Chiaki Kobayashi"),
    (METALLIC_ROUGE, "Jill Sturgeon", "Yui Ogura"),
    (METALLIC_ROUGE, "Jean Junghardt", "Shunsuke Takeuchi"),  # review: "Gene" Junghardt
    (METALLIC_ROUGE, "Afdal Bashal", "Kenjiro Tsuda"),
    (METALLIC_ROUGE, "Rion", "Ayumu Murase"),
    (METALLIC_ROUGE, "Puppetmaster", "Hiroshi Yanaka"),
    (METALLIC_ROUGE, "Aes", "Minami Tsuda"),  # review: "Alice/Aes"
    (METALLIC_ROUGE, "Roy Junghardt", "Yoshimitsu Shimoyama"),  # review: "Roy Yunghart"
    (METALLIC_ROUGE, "Cyan Bluestar", "Haruka Shiraishi"),
    (METALLIC_ROUGE, "Opera", "Mariya Ise"),
]

OTHER_CAST: list[tuple[str, str, str]] = [
    # "Miyamoto voiced Chi Nishikata in Teasing Master Takagi-san season three and Rasta Cole in Too Cute Crisis."
    ("Teasing Master Takagi-san 3", "Chi Nishikata", "Yume Miyamoto"),
    ("Too Cute Crisis", "Rasta Cole", "Yume Miyamoto"),
    # "Shimamura voiced Blake Belladonna in RWBY: Ice Queendom."
    ("RWBY: Ice Queendom", "Blake Belladonna", "Yū Shimamura"),
    # "Kurosawa voiced Kumiko Ōmae in two seasons of Sound! Euphonium, Phosphophyllite in Land of the
    # Lustrous, Misaki Okusawa/Michelle throughout the BanG Dream! franchise, Ayano Toki in Laid-Back
    # Camp seasons two and three, Mitsumi Iwakura in Skip and Loafer, and Tsuki in Yohane the
    # Parhelion: Sunshine in the Mirror."
    ("Sound! Euphonium", "Kumiko Ōmae", "Tomoyo Kurosawa"),
    ("Sound! Euphonium 2", "Kumiko Ōmae", "Tomoyo Kurosawa"),
    ("Land of the Lustrous", "Phosphophyllite", "Tomoyo Kurosawa"),
    ("BanG Dream! 2nd Season", "Misaki Okusawa", "Tomoyo Kurosawa"),
    ("BanG Dream! 3rd Season", "Misaki Okusawa", "Tomoyo Kurosawa"),
    ("Laid-Back Camp Season 2", "Ayano Toki", "Tomoyo Kurosawa"),
    ("Laid-Back Camp Season 3", "Ayano Toki", "Tomoyo Kurosawa"),
    ("Skip and Loafer", "Mitsumi Iwakura", "Tomoyo Kurosawa"),
    ("Yohane the Parhelion: Sunshine in the Mirror", "Tsuki", "Tomoyo Kurosawa"),
    # "Kobayashi voiced Kiyoshi Adachi in Cherry Magic! this year."
    ("Cherry Magic! Thirty Years of Virginity Can Make You a Wizard?!", "Kiyoshi Adachi", "Chiaki Kobayashi"),
    # "Ogura voiced Kokona Aoba in Encouragement of Climb, Sumika Izumino in Yurikuma Arashi, and Hime
    # Shirasagi [Shiraki] in Yuri Is My Job!."
    ("Encouragement of Climb", "Kokona Aoba", "Yui Ogura"),
    ("Yurikuma Arashi", "Sumika Izumino", "Yui Ogura"),
    ("Yuri Is My Job!", "Hime Shiraki", "Yui Ogura"),
    # "Takeuchi voiced Zack Walker in Astra Lost in Space."
    ("Astra Lost in Space", "Zack Walker", "Shunsuke Takeuchi"),
    # "Otherwise, Tsuda voiced Salt in Flip Flappers." (Kenjiro, not Minami)
    ("Flip Flappers", "Salt", "Kenjiro Tsuda"),
    # "Yanaka voiced Kukuru's Grandfather in The Aquatope on White Sand and Luomen in The Apothecary Diaries."
    ("The Aquatope on White Sand", "Kukuru's Grandfather", "Hiroshi Yanaka"),
    ("The Apothecary Diaries", "Luomen", "Hiroshi Yanaka"),
    # "Shiraishi voiced Mai Togano in Akebi's Sailor Uniform and Anime Girl in Scott Pilgrim Takes Off."
    ("Akebi's Sailor Uniform", "Mai Togano", "Haruka Shiraishi"),
    ("Scott Pilgrim Takes Off", "Anime Girl", "Haruka Shiraishi"),
    # "Ise voiced Natalia Grennorth in Bodacious Space Pirates, Eriko Oniyama in Yurikuma Arashi,
    # Antarcticite in Land of the Lustrous, and Seita Shiraishi in Kubo Won't Let Me Be Invisible."
    ("Bodacious Space Pirates", "Natalia Grennorth", "Mariya Ise"),
    ("Yurikuma Arashi", "Eriko Oniyama", "Mariya Ise"),
    ("Land of the Lustrous", "Antarcticite", "Mariya Ise"),
    ("Kubo Won't Let Me Be Invisible", "Seita Shiraishi", "Mariya Ise"),
    # "Murase voiced Iruma Suzuki in Welcome to Demon School! Iruma-kun, Sakujiro in My Master Has No
    # Tail, Tsubasa Yuunagi/Cure Wing in Soaring Sky! Pretty Cure, and Mian Long in Shy"
    ("Welcome to Demon School! Iruma-kun", "Iruma Suzuki", "Ayumu Murase"),
    ("My Master Has No Tail", "Sakujiro", "Ayumu Murase"),
    ("Soaring Sky! Pretty Cure", "Tsubasa Yūnagi", "Ayumu Murase"),
    ("SHY", "Mian Long", "Ayumu Murase"),
]

ALL_STAFF = METALLIC_ROUGE_STAFF + OTHER_STAFF
ALL_CAST = METALLIC_ROUGE_CAST + OTHER_CAST

# ── The review's wrong or alternative spellings: (kind, review spelling, catalogue name) ────────
REVIEW_SPELLINGS: list[tuple[str, str, str]] = [
    ("person", "Yutaku Izubuchi", "Yutaka Izubuchi"),
    ("character", "Gene Junghardt", "Jean Junghardt"),
    ("character", "Gene", "Jean Junghardt"),
    ("character", "Roy Yunghart", "Roy Junghardt"),
    ("character", "Alice", "Aes"),
    ("character", "Viola Keane", "Sara Fitzgerald"),
    ("character", "Hime Shirasagi", "Hime Shiraki"),
    ("character", "Tsubasa Yuunagi", "Tsubasa Yūnagi"),
    ("character", "Cure Wing", "Tsubasa Yūnagi"),
    ("character", "Michelle", "Misaki Okusawa"),
    ("anime", "The Bank of Bantorra", "The Book of Bantorra"),
    ("anime", "Metarikku Rūju", METALLIC_ROUGE),
]

# Entries whose data was corrected or disambiguated carry a note members can read.
NOTED: list[tuple[str, str]] = [
    ("person", "Yutaka Izubuchi"),
    ("person", "Kenjiro Tsuda"),
    ("person", "Minami Tsuda"),
    ("character", "Jean Junghardt"),
    ("character", "Roy Junghardt"),
    ("character", "Aes"),
    ("character", "Sara Fitzgerald"),
    ("character", "Hime Shiraki"),
    ("anime", "The Book of Bantorra"),
    ("anime", "Sound! Euphonium 2"),
    ("anime", "BanG Dream! 2nd Season"),
    ("anime", "BanG Dream! 3rd Season"),
    ("anime", "Encouragement of Climb"),
    ("anime", "Welcome to Demon School! Iruma-kun"),
    ("anime", "Dirty Pair"),
    ("anime", "Fullmetal Alchemist"),
]

NATIVE_NAMES: list[tuple[str, str]] = [
    ("Yume Miyamoto", "宮本侑芽"),
    ("Yū Shimamura", "島村侑"),
    ("Tomoyo Kurosawa", "黒沢ともよ"),
    ("Atsushi Miyauchi", "宮内敦士"),
    ("Chiaki Kobayashi", "小林千晃"),
    ("Yui Ogura", "小倉唯"),
    ("Shunsuke Takeuchi", "竹内駿輔"),
    ("Kenjiro Tsuda", "津田健次郎"),
    ("Minami Tsuda", "津田美波"),
    ("Ayumu Murase", "村瀬歩"),
    ("Hiroshi Yanaka", "家中宏"),
    ("Yoshimitsu Shimoyama", "下山吉光"),
    ("Haruka Shiraishi", "白石晴香"),
    ("Mariya Ise", "伊瀬茉莉也"),
    ("Motonobu Hori", "堀元宣"),
    ("Yutaka Izubuchi", "出渕裕"),
    ("Toshizo Nemoto", "根元歳三"),
    ("Toshihiro Kawamoto", "川元利浩"),
    ("Taisei Iwasaki", "岩崎太整"),
]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

T = TypeVar("T")


@pytest.fixture(scope="module")
def bundle() -> CatalogueBundle:
    return read_catalogue(CATALOGUE)


def _one(found: list[T], what: str) -> T:
    assert len(found) == 1, f"expected exactly one {what}, found {len(found)}"
    return found[0]


def person(bundle: CatalogueBundle, name: str) -> PersonEntry:
    return _one([p for p in bundle.people if p.name == name], f"person named {name!r}")


def character(bundle: CatalogueBundle, name: str) -> CharacterEntry:
    return _one([c for c in bundle.characters if c.name == name], f"character named {name!r}")


def anime(bundle: CatalogueBundle, title: str) -> AnimeEntry:
    return _one([a for a in bundle.anime if a.display_title == title], f"anime titled {title!r}")


def _staff_rows(bundle: CatalogueBundle) -> set[tuple[str, str, str]]:
    names = {p.key: p.name for p in bundle.people}
    return {(a.display_title, names[s.person], s.role) for a in bundle.anime for s in a.staff}


def _cast_rows(bundle: CatalogueBundle) -> set[tuple[str, str, str]]:
    people = {p.key: p.name for p in bundle.people}
    chars = {c.key: c.name for c in bundle.characters}
    return {(a.display_title, chars[c.character], people[c.person]) for a in bundle.anime for c in a.cast}


def test_file_ships_with_kansou() -> None:
    assert CATALOGUE in shipped_catalogue_files()


def test_tables_have_no_duplicates() -> None:
    assert len(set(ALL_STAFF)) == len(ALL_STAFF)
    assert len(set(ALL_CAST)) == len(ALL_CAST)


def test_metallic_rouge_entry(bundle: CatalogueBundle) -> None:
    show = anime(bundle, METALLIC_ROUGE)
    assert show.title_romaji == "Metallic Rouge"
    assert show.title_native == "メタリックルージュ"
    assert show.studio == "Bones"
    assert show.episodes == 13
    assert show.year == 2024
    assert show.format == "TV"


@pytest.mark.parametrize(("title", "name", "role"), ALL_STAFF)
def test_staff_credit(bundle: CatalogueBundle, title: str, name: str, role: str) -> None:
    show = anime(bundle, title)
    key = person(bundle, name).key
    roles = [s.role for s in show.staff if s.person == key]
    assert role in roles, f"{name} is not credited as {role!r} on {title} (has {roles})"


@pytest.mark.parametrize(("title", "char_name", "actor"), ALL_CAST)
def test_cast_credit(bundle: CatalogueBundle, title: str, char_name: str, actor: str) -> None:
    show = anime(bundle, title)
    char_key = character(bundle, char_name).key
    actor_key = person(bundle, actor).key
    credits = [c for c in show.cast if c.character == char_key and c.person == actor_key]
    assert credits, f"{actor} is not credited as {char_name} in {title}"
    assert all(c.language == "japanese" for c in credits)


def test_catalogue_holds_exactly_the_reviews_staff_credits(bundle: CatalogueBundle) -> None:
    assert _staff_rows(bundle) == set(ALL_STAFF)


def test_catalogue_holds_exactly_the_reviews_cast_credits(bundle: CatalogueBundle) -> None:
    assert _cast_rows(bundle) == set(ALL_CAST)


def test_no_invented_english_credits(bundle: CatalogueBundle) -> None:
    # The review mentions the simulcast English dub but names no English voice actors.
    assert all(c.language == "japanese" for a in bundle.anime for c in a.cast)


def test_tsuda_disambiguation(bundle: CatalogueBundle) -> None:
    flip_flappers = anime(bundle, "Flip Flappers")
    salt = character(bundle, "Salt").key
    (credit,) = [c for c in flip_flappers.cast if c.character == salt]
    assert credit.person == person(bundle, "Kenjiro Tsuda").key
    assert credit.note and "Tsuda" in credit.note
    minami = person(bundle, "Minami Tsuda").key
    assert all(c.person != minami for c in flip_flappers.cast)


@pytest.mark.parametrize(("kind", "spelling", "name"), REVIEW_SPELLINGS)
def test_review_spellings_are_aliases(bundle: CatalogueBundle, kind: str, spelling: str, name: str) -> None:
    aliases: tuple[str, ...]
    if kind == "person":
        aliases = person(bundle, name).aliases
    elif kind == "character":
        aliases = character(bundle, name).aliases
    else:
        aliases = anime(bundle, name).aliases
    assert spelling in aliases


@pytest.mark.parametrize(("kind", "name"), NOTED)
def test_corrected_entries_have_notes(bundle: CatalogueBundle, kind: str, name: str) -> None:
    note: str | None
    if kind == "person":
        note = person(bundle, name).note
    elif kind == "character":
        note = character(bundle, name).note
    else:
        note = anime(bundle, name).note
    assert note and note.strip()


@pytest.mark.parametrize(("name", "native"), NATIVE_NAMES)
def test_native_names(bundle: CatalogueBundle, name: str, native: str) -> None:
    assert person(bundle, name).native == native


def test_rouge_native_name(bundle: CatalogueBundle) -> None:
    # The character is written ルジュ, unlike the show's title (メタリックルージュ).
    assert character(bundle, "Rouge Redstar").native == "ルジュ・レッドスター"


def test_puppetmaster_reveal_is_not_leaked_through_aliases(bundle: CatalogueBundle) -> None:
    puppet = character(bundle, "Puppetmaster")
    roy = character(bundle, "Roy Junghardt")
    assert not any("Roy" in alias or "Junghardt" in alias for alias in puppet.aliases)
    assert not any("Puppet" in alias for alias in roy.aliases)


def test_keys_are_slugs(bundle: CatalogueBundle) -> None:
    keys = [p.key for p in bundle.people] + [c.key for c in bundle.characters] + [a.key for a in bundle.anime]
    bad = [k for k in keys if not SLUG.match(k)]
    assert not bad


def test_display_names_are_unique(bundle: CatalogueBundle) -> None:
    for names in (
        [p.name for p in bundle.people],
        [c.name for c in bundle.characters],
        [a.display_title for a in bundle.anime],
    ):
        assert len(names) == len(set(names))


def test_every_entry_is_used(bundle: CatalogueBundle) -> None:
    credited_people = {s.person for a in bundle.anime for s in a.staff} | {
        c.person for a in bundle.anime for c in a.cast
    }
    credited_characters = {c.character for a in bundle.anime for c in a.cast}
    assert {p.key for p in bundle.people} == credited_people
    assert {c.key for c in bundle.characters} == credited_characters
    assert all(a.staff or a.cast for a in bundle.anime)


@pytest.mark.parametrize(("kind", "spelling", "name"), REVIEW_SPELLINGS)
async def test_review_spellings_resolve_without_asking(catalogue_db: Database, kind: Kind, spelling: str,
                                                       name: str) -> None:
    assert (await NameSearch(CatalogueStore(catalogue_db)).resolve(kind, spelling)).display == name


async def test_every_credited_name_resolves_to_itself(catalogue_db: Database) -> None:
    search = NameSearch(CatalogueStore(catalogue_db))
    people = {name for _, name, _ in ALL_STAFF} | {actor for _, _, actor in ALL_CAST}
    characters = {character for _, character, _ in ALL_CAST}
    titles = {title for title, _, _ in ALL_STAFF + ALL_CAST}
    groups: list[tuple[Kind, set[str]]] = [("person", people), ("character", characters), ("anime", titles)]
    for kind, names in groups:
        for name in sorted(names):
            assert (await search.resolve(kind, name)).display == name, (kind, name)
