"""A fake AniList: a real HTTP server on 127.0.0.1 that answers GraphQL from a small in-memory dataset.

It is not a mock of httpx. Each request is parsed, validated and *executed* by graphql-core against AniList's
real schema (the package data ``bot/anilist/schema.graphql``), with hand-written resolvers for the
fields kansou reads, so aliases, fragments, variables and ``@include`` behave as on AniList, and an invalid
query is refused with HTTP 400 as AniList refuses it. Unknown ids answer AniList's ``"Not Found."`` with HTTP 404.

Usage::

    async with FakeAniList() as fake:                 # seeded with the dataset below; FakeAniList(seed=False)
        client = AniListClient(http, url=fake.url)
        fake.fail_with("429", retry_after=60, times=1)  # the next request is answered 429
        fake.add_character(999, "Someone")             # more data at any time
        assert fake.count("FetchAnime") == 2           # requests received, by operation name

The seeded dataset is fictional (names made up, so no real person is misdescribed): ``BIG_SHOW_ID`` has 30
characters, each with a Japanese and an English voice actor, and 30 staff credits (two pages of each);
``MULTI_PERSON_ID`` voices characters in three shows (one of them a movie) and sings a theme song;
``KOREAN_PERSON_ID`` dubs in Korean; ``ONLY_FAKE_CHARACTER_ID`` ("Tsukimi Kansou") exists only here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeAlias

from aiohttp import web
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    execute,
    parse,
    validate,
)
from graphql.language import DocumentNode, FieldNode

from bot.anilist.schema import schema_sdl
from tests.fakes.airing import page_airing_schedules

FailureMode = Literal["not_found", "429", "500", "hang", "invalid_json", "graphql_error", "disconnect"]
FAILURE_MODES: tuple[FailureMode, ...] = (
    "not_found", "429", "500", "hang", "invalid_json", "graphql_error", "disconnect",
)

# --- the seeded dataset's landmarks -----------------------------------------------------------------------

BIG_SHOW_ID = 910001
BIG_SHOW_TITLE = "Hoshizora Relay!"
BIG_SHOW_CHARACTERS = 30
BIG_SHOW_STAFF_CREDITS = 30
SECOND_SHOW_ID = 910002
SECOND_SHOW_TITLE = "Kansou Gakuen"
MOVIE_ID = 910003
MANGA_ID = 910004
ADULT_SHOW_ID = 910005
ONLY_FAKE_CHARACTER_ID = 920001
ONLY_FAKE_CHARACTER_NAME = "Tsukimi Kansou"
ONLY_FAKE_CHARACTER_NATIVE = "月見感想"
MULTI_PERSON_ID = 930001
MULTI_PERSON_NAME = "Sakuya Amagiri"
ENGLISH_PERSON_ID = 940001
KOREAN_PERSON_ID = 930900
DIRECTOR_ID = 950001


# --- the data model ---------------------------------------------------------------------------------------


@dataclass
class FakeCharacter:
    """A character as AniList knows it."""

    id: int
    name: str
    native: str | None = None
    alternative: tuple[str, ...] = ()
    alternative_spoiler: tuple[str, ...] = ()


@dataclass
class FakeStaff:
    """A voice actor or staff member; ``language`` is AniList's ``languageV2`` ("Japanese", "English", ...)."""

    id: int
    name: str
    native: str | None = None
    alternative: tuple[str, ...] = ()
    language: str | None = "Japanese"
    occupations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Voice:
    """One voice actor of a character in a show (their language is the staff member's ``language``)."""

    staff_id: int
    notes: str | None = None
    dub_group: str | None = None


@dataclass
class CastRow:
    """A character in a show, its role (MAIN, SUPPORTING, BACKGROUND) and its voice actors (ids or ``Voice``)."""

    character_id: int
    role: str = "SUPPORTING"
    voices: tuple[Voice | int, ...] = ()

    def voice_list(self) -> list[Voice]:
        """The voices, ids turned into ``Voice``."""
        return [v if isinstance(v, Voice) else Voice(v) for v in self.voices]


@dataclass
class StaffRow:
    """A production credit: ``staff_id`` worked on the show as ``role``."""

    staff_id: int
    role: str


@dataclass
class FakeAnime:
    """A show (or, with ``type="MANGA"``, a manga) as AniList knows it."""

    id: int
    romaji: str
    english: str | None = None
    native: str | None = None
    synonyms: tuple[str, ...] = ()
    format: str | None = "TV"
    episodes: int | None = None
    year: int | None = None
    studios: tuple[tuple[str, bool], ...] = ()
    cast: list[CastRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    type: str = "ANIME"
    is_adult: bool = False
    popularity: int = 0
    season: str | None = None


@dataclass
class RecordedRequest:
    """One request as the fake received it; ``status`` is the HTTP status it was answered with."""

    at: float
    """``time.monotonic()`` on receipt."""
    kind: str
    """The operation name, else the first root field, else "?" (unparsable)."""
    root_fields: tuple[str, ...]
    variables: dict[str, Any]
    query: str
    status: int | None = None


@dataclass
class _Failure:
    mode: FailureMode
    remaining: int | None
    retry_after: float | None
    reset_at: float | None
    hang: float
    only: str | None


class FakeNotFound(Exception):
    """Raised by a root resolver for an unknown id: answered as AniList does, HTTP 404 "Not Found."."""


class FakeData:
    """The in-memory dataset the resolvers read."""

    def __init__(self) -> None:
        self.anime: dict[int, FakeAnime] = {}
        self.characters: dict[int, FakeCharacter] = {}
        self.staff: dict[int, FakeStaff] = {}

    def add_character(
        self, id: int, name: str, *, native: str | None = None, alternative: Iterable[str] = (),
        alternative_spoiler: Iterable[str] = (),
    ) -> FakeCharacter:
        """Add (or replace) a character."""
        character = FakeCharacter(id, name, native, tuple(alternative), tuple(alternative_spoiler))
        self.characters[id] = character
        return character

    def add_staff(
        self, id: int, name: str, *, native: str | None = None, alternative: Iterable[str] = (),
        language: str | None = "Japanese", occupations: Iterable[str] = ("Voice Actor",),
    ) -> FakeStaff:
        """Add (or replace) a voice actor or staff member."""
        staff = FakeStaff(id, name, native, tuple(alternative), language, tuple(occupations))
        self.staff[id] = staff
        return staff

    def add_anime(
        self, id: int, romaji: str, *, english: str | None = None, native: str | None = None,
        synonyms: Iterable[str] = (), format: str | None = "TV", episodes: int | None = None,
        year: int | None = None, studio: str | None = None, other_studios: Iterable[str] = (),
        cast: Iterable[CastRow] = (), staff: Iterable[StaffRow | tuple[int, str]] = (),
        media_type: str = "ANIME", is_adult: bool = False, popularity: int = 0, season: str | None = None,
    ) -> FakeAnime:
        """Add (or replace) a show; ``studio`` is its main animation studio, ``season`` e.g. "FALL" (with ``year``)."""
        studios = ((studio, True),) if studio else ()
        anime = FakeAnime(
            id=id, romaji=romaji, english=english, native=native, synonyms=tuple(synonyms), format=format,
            episodes=episodes, year=year, studios=studios + tuple((s, False) for s in other_studios),
            cast=list(cast), staff=[s if isinstance(s, StaffRow) else StaffRow(*s) for s in staff],
            type=media_type, is_adult=is_adult, popularity=popularity, season=season,
        )
        self.anime[id] = anime
        return anime

    def seed(self) -> None:
        """Load the fictional dataset described in the module docstring."""
        _seed(self)


# --- the seeded dataset -----------------------------------------------------------------------------------

_JA_GIVEN = ["Aoi", "Hikari", "Sora", "Yuki", "Haru", "Rin", "Mio", "Kaede", "Nagi", "Akane"]
_JA_GIVEN_NATIVE = ["葵", "光", "空", "雪", "春", "凛", "澪", "楓", "凪", "茜"]
_JA_FAMILY = ["Kazamori", "Tsukishiro", "Hoshikawa"]
_JA_FAMILY_NATIVE = ["風森", "月城", "星川"]
_EN_GIVEN = ["Alex", "Jordan", "Casey", "Morgan", "Riley", "Taylor", "Jamie", "Avery", "Quinn", "Rowan"]
_EN_FAMILY = ["Whitfield", "Harrow", "Marlowe"]
_ROLES = ["Key Animation", "In-Between Animation", "Background Art", "Sound Effects", "Episode Director",
          "Storyboard", "Animation Director", "Photography", "Editing", "Colour Design"]


def _seed(data: FakeData) -> None:
    cast: list[CastRow] = []
    for k in range(1, BIG_SHOW_CHARACTERS + 1):
        given, family = k % 10, (k // 10) % 3
        character_id = 920000 + k
        if character_id == ONLY_FAKE_CHARACTER_ID:
            data.add_character(character_id, ONLY_FAKE_CHARACTER_NAME, native=ONLY_FAKE_CHARACTER_NATIVE,
                               alternative=("Kansou-chan",), alternative_spoiler=("The Last Relay Runner",))
            ja_id = MULTI_PERSON_ID
        else:
            data.add_character(character_id, f"{_JA_GIVEN[given]} {_JA_FAMILY[family]}",
                               native=f"{_JA_FAMILY_NATIVE[family]}{_JA_GIVEN_NATIVE[given]}")
            ja_id = 930000 + k
            data.add_staff(ja_id, f"{_JA_GIVEN[(given + 3) % 10]} {_JA_FAMILY[(family + 1) % 3]}-{k:02d}",
                           native=f"{_JA_FAMILY_NATIVE[(family + 1) % 3]}{_JA_GIVEN_NATIVE[(given + 3) % 10]}")
        en_id = 940000 + k
        data.add_staff(en_id, f"{_EN_GIVEN[given]} {_EN_FAMILY[family]}-{k:02d}", language="English")
        role = "MAIN" if k <= 3 else "BACKGROUND" if k > 25 else "SUPPORTING"
        notes = Voice(en_id, dub_group="Crunchyroll dub") if k == 2 else en_id
        cast.append(CastRow(character_id, role, (ja_id, notes)))
    data.add_staff(MULTI_PERSON_ID, MULTI_PERSON_NAME, native="天霧咲夜", alternative=("Saku",),
                   occupations=("Voice Actor", "Singer"))
    staff: list[StaffRow] = [StaffRow(DIRECTOR_ID, "Director"), StaffRow(DIRECTOR_ID, "Storyboard (eps 1, 12)")]
    data.add_staff(DIRECTOR_ID, "Ren Kisaragi", native="如月蓮", occupations=("Director",))
    for k in range(2, BIG_SHOW_STAFF_CREDITS):
        data.add_staff(950000 + k, f"{_EN_GIVEN[k % 10]} Staffer-{k:02d}", occupations=("Animator",))
        staff.append(StaffRow(950000 + k, _ROLES[k % len(_ROLES)]))
    data.add_anime(
        BIG_SHOW_ID, BIG_SHOW_TITLE, english="Starry Sky Relay", native="星空リレー！", synonyms=("HoshiRe",),
        format="TV", episodes=24, year=2023, studio="Studio Kansou", other_studios=("Fake Music Inc.",),
        cast=cast, staff=staff, popularity=5000,
    )

    data.add_character(921001, "Mei Sakuragawa", native="桜川芽衣")
    data.add_character(921002, "Jun Oda", native="小田潤")
    data.add_staff(KOREAN_PERSON_ID, "Min-ji Kang", native="강민지", language="Korean")
    data.add_staff(941001, "Harper Lindqvist", language="English")
    data.add_anime(
        SECOND_SHOW_ID, SECOND_SHOW_TITLE, english="Impressions Academy", native="感想学園", format="TV",
        episodes=12, year=2021, studio="Studio Kansou", popularity=3000,
        cast=[
            CastRow(921001, "MAIN", (Voice(MULTI_PERSON_ID, notes="Child"), 941001, KOREAN_PERSON_ID)),
            CastRow(921002, "SUPPORTING", (930002,)),
        ],
        staff=[StaffRow(MULTI_PERSON_ID, "Theme Song Performance (OP)"), StaffRow(DIRECTOR_ID, "Director")],
    )
    data.add_anime(
        MOVIE_ID, f"{BIG_SHOW_TITLE} Gekijouban", native="劇場版 星空リレー！", format="MOVIE", episodes=1,
        year=2024, studio="Studio Kansou", popularity=1000,
        cast=[CastRow(ONLY_FAKE_CHARACTER_ID, "MAIN", (MULTI_PERSON_ID, ENGLISH_PERSON_ID))],
    )
    data.add_anime(
        MANGA_ID, BIG_SHOW_TITLE, native="星空リレー！", format="MANGA", media_type="MANGA", popularity=9000,
        cast=[CastRow(ONLY_FAKE_CHARACTER_ID, "MAIN")],
    )
    data.add_anime(ADULT_SHOW_ID, f"{BIG_SHOW_TITLE} After Dark", format="OVA", episodes=2, year=2024,
                   is_adult=True)


# --- resolvers ----------------------------------------------------------------------------------------------

Info: TypeAlias = "GraphQLResolveInfo[FakeData]"

_ROLE_ORDER = {"MAIN": 0, "SUPPORTING": 1, "BACKGROUND": 2}
_MAX_NESTED_PER_PAGE = 25
_MAX_PAGE_PER_PAGE = 50


def _data(info: Info) -> FakeData:
    data = info.context
    assert isinstance(data, FakeData)
    return data


def _media(anime: FakeAnime) -> dict[str, Any]:
    return {
        "id": anime.id, "type": anime.type, "format": anime.format, "episodes": anime.episodes,
        "title": {"romaji": anime.romaji, "english": anime.english, "native": anime.native,
                  "userPreferred": anime.romaji},
        "synonyms": list(anime.synonyms), "seasonYear": anime.year,
        "startDate": {"year": anime.year, "month": None, "day": None},
        "isAdult": anime.is_adult, "popularity": anime.popularity,
        "siteUrl": f"https://anilist.co/{anime.type.lower()}/{anime.id}", "_anime": anime,
    }


def _character(character: FakeCharacter) -> dict[str, Any]:
    return {
        "id": character.id, "_character": character,
        "name": {"full": character.name, "native": character.native, "userPreferred": character.name,
                 "alternative": list(character.alternative),
                 "alternativeSpoiler": list(character.alternative_spoiler)},
    }


def _person(staff: FakeStaff) -> dict[str, Any]:
    return {
        "id": staff.id, "languageV2": staff.language, "primaryOccupations": list(staff.occupations),
        "name": {"full": staff.name, "native": staff.native, "userPreferred": staff.name,
                 "alternative": list(staff.alternative)},
        "_staff": staff,
    }


def _connection(items: Sequence[Any], page: int | None, per_page: int | None, edge: Callable[[Any], Any],
                max_per_page: int = _MAX_NESTED_PER_PAGE) -> dict[str, Any]:
    per_page = max(1, min(per_page or max_per_page, max_per_page))
    page = max(1, page or 1)
    chunk = items[(page - 1) * per_page: page * per_page]
    edges = [edge(item) for item in chunk]
    return {
        "edges": edges,
        "nodes": [e["node"] for e in edges],
        "pageInfo": {"total": len(items), "perPage": per_page, "currentPage": page,
                     "lastPage": max(1, math.ceil(len(items) / per_page)),
                     "hasNextPage": page * per_page < len(items)},
    }


def _match(search: str, names: Iterable[str | None]) -> int | None:
    """How well ``search`` matches one of ``names``: 0 exact, 1 prefix, 2 word prefix, 3 substring."""
    wanted = search.casefold().strip()
    best: int | None = None
    for name in names:
        if not name:
            continue
        text = name.casefold()
        score = (0 if text == wanted else 1 if text.startswith(wanted)
                 else 2 if any(w.startswith(wanted) for w in text.split()) else 3 if wanted in text else None)
        if score is not None and (best is None or score < best):
            best = score
    return best


def _searched(items: Iterable[Any], search: str | None, names: Callable[[Any], Iterable[str | None]],
              popularity: Callable[[Any], int] = lambda _: 0) -> list[Any]:
    if search is None:
        return sorted(items, key=lambda i: i.id)
    scored = [(score, item) for item in items if (score := _match(search, names(item))) is not None]
    scored.sort(key=lambda pair: (pair[0], -popularity(pair[1]), pair[1].id))
    return [item for _, item in scored]


def _anime_names(anime: FakeAnime) -> list[str | None]:
    return [anime.romaji, anime.english, anime.native, *anime.synonyms]


def _query_media(_: Any, info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    found: FakeAnime | None
    if args.get("id") is not None:
        found = data.anime.get(args["id"])
    else:
        hits = _searched(data.anime.values(), args.get("search"), _anime_names, lambda a: a.popularity)
        found = hits[0] if hits else None
    if found is None or (args.get("type") is not None and found.type != args["type"]):
        raise FakeNotFound("Not Found.")
    return _media(found)


def _query_staff(_: Any, info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    if args.get("id") is not None:
        found = data.staff.get(args["id"])
    else:
        hits = _searched(data.staff.values(), args.get("search"), lambda s: [s.name, s.native, *s.alternative])
        found = hits[0] if hits else None
    if found is None:
        raise FakeNotFound("Not Found.")
    return _person(found)


def _query_character(_: Any, info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    if args.get("id") is not None:
        found = data.characters.get(args["id"])
    else:
        hits = _searched(data.characters.values(), args.get("search"),
                         lambda c: [c.name, c.native, *c.alternative])
        found = hits[0] if hits else None
    if found is None:
        raise FakeNotFound("Not Found.")
    return _character(found)


def _query_page(_: Any, info: Info, **args: Any) -> dict[str, Any]:
    per_page = max(1, min(args.get("perPage") or _MAX_PAGE_PER_PAGE, _MAX_PAGE_PER_PAGE))
    return {"_page": max(1, args.get("page") or 1), "_per_page": per_page,
            "pageInfo": {"currentPage": args.get("page") or 1, "perPage": per_page, "hasNextPage": False}}


def _page_slice(page: dict[str, Any], items: list[Any]) -> list[Any]:
    start = (page["_page"] - 1) * page["_per_page"]
    page["pageInfo"].update(total=len(items), hasNextPage=start + page["_per_page"] < len(items))
    return items[start: start + page["_per_page"]]


def _page_media(page: dict[str, Any], info: Info, **args: Any) -> list[dict[str, Any]]:
    items = list(_data(info).anime.values())
    if args.get("id") is not None:
        items = [a for a in items if a.id == args["id"]]
    if args.get("type") is not None:
        items = [a for a in items if a.type == args["type"]]
    if args.get("isAdult") is not None:
        items = [a for a in items if a.is_adult == args["isAdult"]]
    if args.get("format") is not None:
        items = [a for a in items if a.format == args["format"]]
    if args.get("season") is not None:
        items = [a for a in items if a.season == args["season"]]
    if args.get("seasonYear") is not None:
        items = [a for a in items if a.year == args["seasonYear"]]
    if args.get("sort") and "POPULARITY_DESC" in args["sort"]:
        items.sort(key=lambda a: (-a.popularity, a.id))
        return [_media(a) for a in _page_slice(page, items)]
    hits = _searched(items, args.get("search"), _anime_names, lambda a: a.popularity)
    return [_media(a) for a in _page_slice(page, hits)]


def _page_characters(page: dict[str, Any], info: Info, **args: Any) -> list[dict[str, Any]]:
    items = [c for c in _data(info).characters.values() if args.get("id") in (None, c.id)]
    hits = _searched(items, args.get("search"), lambda c: [c.name, c.native, *c.alternative])
    return [_character(c) for c in _page_slice(page, hits)]


def _page_staff(page: dict[str, Any], info: Info, **args: Any) -> list[dict[str, Any]]:
    items = [s for s in _data(info).staff.values() if args.get("id") in (None, s.id)]
    hits = _searched(items, args.get("search"), lambda s: [s.name, s.native, *s.alternative])
    return [_person(s) for s in _page_slice(page, hits)]


def _media_characters(media: dict[str, Any], info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    anime: FakeAnime = media["_anime"]
    rows = [r for r in anime.cast if r.character_id in data.characters]
    if args.get("role") is not None:
        rows = [r for r in rows if r.role == args["role"]]
    if "ROLE" in (args.get("sort") or ()):
        rows.sort(key=lambda r: _ROLE_ORDER.get(r.role, 9))

    def edge(row: CastRow) -> dict[str, Any]:
        return {"id": row.character_id, "role": row.role, "name": None, "_row": row,
                "node": _character(data.characters[row.character_id]), "media": [media]}

    return _connection(rows, args.get("page"), args.get("perPage"), edge)


def _edge_voices(edge: dict[str, Any], info: Info, language: str | None) -> list[tuple[Voice, FakeStaff]]:
    data = _data(info)
    wanted = language or "JAPANESE"  # AniList's default
    row: CastRow = edge["_row"]
    out = []
    for voice in row.voice_list():
        staff = data.staff.get(voice.staff_id)
        if staff is not None and (staff.language or "").upper() == wanted:
            out.append((voice, staff))
    return out


def _edge_voice_actors(edge: dict[str, Any], info: Info, **args: Any) -> list[dict[str, Any]]:
    return [_person(staff) for _, staff in _edge_voices(edge, info, args.get("language"))]


def _edge_voice_actor_roles(edge: dict[str, Any], info: Info, **args: Any) -> list[dict[str, Any]]:
    return [{"voiceActor": _person(staff), "roleNotes": voice.notes, "dubGroup": voice.dub_group}
            for voice, staff in _edge_voices(edge, info, args.get("language"))]


def _media_staff(media: dict[str, Any], info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    anime: FakeAnime = media["_anime"]
    rows = [r for r in anime.staff if r.staff_id in data.staff]

    def edge(row: StaffRow) -> dict[str, Any]:
        return {"id": row.staff_id, "role": row.role, "node": _person(data.staff[row.staff_id])}

    return _connection(rows, args.get("page"), args.get("perPage"), edge)


def _media_studios(media: dict[str, Any], _: Info, **args: Any) -> dict[str, Any]:
    anime: FakeAnime = media["_anime"]
    studios = [(n, main) for n, main in anime.studios if args.get("isMain") in (None, main)]
    edges = [{"id": i, "isMain": main, "node": {"id": 970000 + i, "name": name, "isAnimationStudio": main}}
             for i, (name, main) in enumerate(studios)]
    return {"edges": edges, "nodes": [e["node"] for e in edges], "pageInfo": {"hasNextPage": False}}


def _by_start_date(sort: Sequence[str] | None, items: list[FakeAnime]) -> list[FakeAnime]:
    sort = sort or ()
    if "START_DATE_DESC" in sort:
        return sorted(items, key=lambda a: (-(a.year or 0), a.id))
    if "START_DATE" in sort:
        return sorted(items, key=lambda a: (a.year or 9999, a.id))
    return sorted(items, key=lambda a: a.id)


def _staff_character_media(person: dict[str, Any], info: Info, **args: Any) -> dict[str, Any]:
    """One edge per show, listing every character this person voices in it."""
    data = _data(info)
    staff: FakeStaff = person["_staff"]
    roles: dict[int, list[tuple[CastRow, Voice]]] = {}
    for anime in data.anime.values():
        for row in anime.cast:
            for voice in row.voice_list():
                if voice.staff_id == staff.id and row.character_id in data.characters:
                    roles.setdefault(anime.id, []).append((row, voice))
    shows = _by_start_date(args.get("sort"), [data.anime[i] for i in roles])

    def edge(anime: FakeAnime) -> dict[str, Any]:
        pairs = roles[anime.id]
        row, voice = pairs[0]
        return {"id": anime.id, "node": _media(anime), "characterRole": row.role, "roleNotes": voice.notes,
                "dubGroup": voice.dub_group, "isMainStudio": False,
                "characters": [_character(data.characters[r.character_id]) for r, _ in pairs]}

    return _connection(shows, args.get("page"), args.get("perPage"), edge)


def _staff_staff_media(person: dict[str, Any], info: Info, **args: Any) -> dict[str, Any]:
    """One edge per (show, role)."""
    data = _data(info)
    staff: FakeStaff = person["_staff"]
    shows = [a for a in data.anime.values() if args.get("type") in (None, a.type)]
    credits = [(anime, row.role) for anime in _by_start_date(args.get("sort"), shows)
               for row in anime.staff if row.staff_id == staff.id]

    def edge(credit: tuple[FakeAnime, str]) -> dict[str, Any]:
        return {"id": credit[0].id, "node": _media(credit[0]), "staffRole": credit[1], "isMainStudio": False}

    return _connection(credits, args.get("page"), args.get("perPage"), edge)


def _character_media(character: dict[str, Any], info: Info, **args: Any) -> dict[str, Any]:
    data = _data(info)
    wanted: FakeCharacter = character["_character"]
    shows = [a for a in data.anime.values()
             if args.get("type") in (None, a.type) and any(r.character_id == wanted.id for r in a.cast)]
    if "POPULARITY_DESC" in (args.get("sort") or ()):
        shows.sort(key=lambda a: (-a.popularity, a.id))
    else:
        shows = _by_start_date(args.get("sort"), shows)

    def edge(anime: FakeAnime) -> dict[str, Any]:
        role = next(r.role for r in anime.cast if r.character_id == wanted.id)
        return {"id": anime.id, "node": _media(anime), "characterRole": role, "isMainStudio": False}

    return _connection(shows, args.get("page"), args.get("perPage"), edge)


@functools.cache
def fake_schema() -> GraphQLSchema:
    """AniList's schema with the fake's resolvers attached (built once per process)."""
    schema = build_schema(schema_sdl())
    resolvers: dict[tuple[str, str], Callable[..., Any]] = {
        ("Query", "Media"): _query_media,
        ("Query", "Staff"): _query_staff,
        ("Query", "Character"): _query_character,
        ("Query", "Page"): _query_page,
        ("Page", "media"): _page_media,
        ("Page", "characters"): _page_characters,
        ("Page", "staff"): _page_staff,
        ("Page", "airingSchedules"): page_airing_schedules,  # tests/fakes/airing.py
        ("Media", "characters"): _media_characters,
        ("Media", "staff"): _media_staff,
        ("Media", "studios"): _media_studios,
        ("CharacterEdge", "voiceActors"): _edge_voice_actors,
        ("CharacterEdge", "voiceActorRoles"): _edge_voice_actor_roles,
        ("Staff", "characterMedia"): _staff_character_media,
        ("Staff", "staffMedia"): _staff_staff_media,
        ("Character", "media"): _character_media,
    }
    for (type_name, field_name), resolver in resolvers.items():
        graphql_type = schema.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType), type_name
        graphql_type.fields[field_name].resolve = resolver
    return schema


# --- the server ---------------------------------------------------------------------------------------------


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for op in operations:
        if name is None or (op.name is not None and op.name.value == name):
            return op
    return None


def _error_body(message: str, status: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "status": status, **(extra or {})}]}


class FakeAniList:
    """The fake AniList server; use as ``async with FakeAniList() as fake`` and point a client at ``fake.url``."""

    def __init__(self, *, seed: bool = True, limit_per_minute: int | None = None) -> None:
        self.data = FakeData()
        if seed:
            self.data.seed()
        self.limit_per_minute = limit_per_minute
        """When set, answer 429 (``Retry-After`` until a slot frees) past this many requests in 60 s."""
        self.requests: list[RecordedRequest] = []
        self.on_request: Callable[[RecordedRequest], None] | None = None
        """Called with each request as it arrives (e.g. to note a test's fake clock at that moment)."""
        self.rewrite: Callable[[dict[str, Any]], None] | None = None
        """Called with each successful answer's ``data`` before it is sent, to change it in place: serves what
        the schema cannot (an unknown enum value, a 2 MB name, markdown where an id-like field is)."""
        self._failure: _Failure | None = None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._closing = asyncio.Event()

    async def __aenter__(self) -> FakeAniList:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """Where the fake listens, e.g. ``http://127.0.0.1:54321/`` (a client POSTs GraphQL here)."""
        if self._url is None:
            raise RuntimeError("FakeAniList is not started")
        return self._url

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a free port."""
        fake_schema()  # build it before the first request, not during it
        app = web.Application()
        app.router.add_post("/", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._url = f"http://{host}:{port}/"

    async def close(self) -> None:
        """Stop listening; requests still hanging are answered 503 at once."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # the dataset

    def add_anime(self, id: int, romaji: str, **kwargs: Any) -> FakeAnime:
        """Add (or replace) a show; see ``FakeData.add_anime`` for the options."""
        return self.data.add_anime(id, romaji, **kwargs)

    def add_character(self, id: int, name: str, **kwargs: Any) -> FakeCharacter:
        """Add (or replace) a character; see ``FakeData.add_character``."""
        return self.data.add_character(id, name, **kwargs)

    def add_staff(self, id: int, name: str, **kwargs: Any) -> FakeStaff:
        """Add (or replace) a person; see ``FakeData.add_staff``."""
        return self.data.add_staff(id, name, **kwargs)

    # failures and counts

    def fail_with(
        self, mode: FailureMode | None, *, times: int | None = None, retry_after: float | None = 60,
        reset_at: float | None = None, hang: float = 5.0, only: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (all, when None) of kind ``only`` (any, when None) with ``mode``.

        Modes: ``"not_found"`` (HTTP 404, "Not Found."), ``"429"`` (``Retry-After: retry_after`` — or, with
        ``reset_at``, ``X-RateLimit-Reset: reset_at`` instead — and no other rate-limit header), ``"500"``,
        ``"hang"`` (answer normally after ``hang`` seconds), ``"invalid_json"`` (HTTP 200, a truncated body),
        ``"graphql_error"`` (HTTP 400 with a GraphQL ``errors`` list), ``"disconnect"`` (close the connection
        without answering). ``fail_with(None)`` ends the failure.
        """
        if mode is not None and mode not in FAILURE_MODES:
            raise ValueError(f"unknown failure mode {mode!r}")
        self._failure = None if mode is None else _Failure(mode, times, retry_after, reset_at, hang, only)

    def count(self, kind: str | None = None) -> int:
        """How many requests arrived (of ``kind``: an operation name such as "FetchAnime", or a root field)."""
        return sum(1 for r in self.requests if kind is None or kind == r.kind or kind in r.root_fields)

    def counts(self) -> Counter[str]:
        """Requests received per kind."""
        return Counter(r.kind for r in self.requests)

    def request_times(self, kind: str | None = None) -> list[float]:
        """``time.monotonic()`` of each request received (of ``kind``), in order."""
        return [r.at for r in self.requests if kind is None or kind == r.kind or kind in r.root_fields]

    # handling

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        received = time.monotonic()
        try:
            body = await request.json() if request.content_type == "application/json" else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return self._json(_error_body("Invalid request: POST JSON {query, variables}.", 400), 400)
        query: str = body["query"]
        variables = body.get("variables") or {}
        operation_name = body.get("operationName")
        try:
            document: DocumentNode | None = parse(query)
        except GraphQLError:
            document = None
        operation = _operation(document, operation_name) if document is not None else None
        roots = tuple(s.name.value for s in operation.selection_set.selections
                      if isinstance(s, FieldNode)) if operation is not None else ()
        kind = (operation.name.value if operation is not None and operation.name is not None
                else roots[0] if roots else "?")
        record = RecordedRequest(received, kind, roots, dict(variables) if isinstance(variables, dict) else {},
                                 query)
        self.requests.append(record)
        if self.on_request is not None:
            self.on_request(record)
        response = await self._answer(request, record, document, variables, operation_name)
        record.status = response.status
        return response

    async def _answer(
        self, request: web.Request, record: RecordedRequest, document: DocumentNode | None,
        variables: Any, operation_name: str | None,
    ) -> web.StreamResponse:
        failure = self._take_failure(record.kind)
        if failure is not None:
            if failure.mode != "hang":
                return self._fail(request, failure)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), failure.hang)
            if self._closing.is_set():
                return self._json(_error_body("Service Unavailable", 503), 503)
        limited = self._over_limit(record.at)
        if limited is not None:
            return self._json(_error_body("Too Many Requests.", 429), 429, {"Retry-After": str(limited)})
        if document is None:
            return self._json(_error_body("Syntax Error: the query could not be parsed.", 400), 400)
        schema = fake_schema()
        errors = validate(schema, document)
        if errors:
            return self._json({"data": None, "errors": [dict(e.formatted, status=400) for e in errors]}, 400)
        result = execute(schema, document, variable_values=variables if isinstance(variables, dict) else None,
                         operation_name=operation_name, context_value=self.data)
        assert isinstance(result, ExecutionResult)
        return self._result(result)

    def _result(self, result: ExecutionResult) -> web.Response:
        if result.errors:
            not_found = [e for e in result.errors if isinstance(e.original_error, FakeNotFound)]
            if not_found:
                body = {"data": None, "errors": [dict(not_found[0].formatted, status=404)]}
                return self._json(body, 404)
            return self._json({"data": result.data, "errors": [dict(e.formatted, status=400)
                                                               for e in result.errors]}, 400)
        if self.rewrite is not None and isinstance(result.data, dict):
            self.rewrite(result.data)
        remaining = max(0, 90 - len(self.request_times_since(time.monotonic() - 60)))
        # AniList's headers still claim 90 a minute though it serves 30: a client must not believe them.
        headers = {"X-RateLimit-Limit": "90", "X-RateLimit-Remaining": str(remaining)}
        return self._json({"data": result.data}, 200, headers)

    def request_times_since(self, since: float) -> list[float]:
        """Receipt times (``time.monotonic()``) of the requests received after ``since``."""
        return [r.at for r in self.requests if r.at > since]

    def _take_failure(self, kind: str) -> _Failure | None:
        failure = self._failure
        if failure is None or (failure.only is not None and failure.only != kind):
            return None
        if failure.remaining is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failure = None
        return failure

    def _over_limit(self, now: float) -> int | None:
        """Seconds until a slot frees when the enforced limit is exceeded, else None."""
        if self.limit_per_minute is None:
            return None
        recent = [t for t in self.request_times_since(now - 60) if t < now]
        if len(recent) < self.limit_per_minute:
            return None
        return max(1, math.ceil(recent[-self.limit_per_minute] + 60 - now))

    def _fail(self, request: web.Request, failure: _Failure) -> web.StreamResponse:
        if failure.mode == "not_found":
            body = _error_body("Not Found.", 404, {"locations": [{"line": 2, "column": 3}]})
            return self._json(body, 404)
        if failure.mode == "429":
            headers = {}
            if failure.reset_at is not None:
                headers["X-RateLimit-Reset"] = str(int(failure.reset_at))
            elif failure.retry_after is not None:
                headers["Retry-After"] = str(int(failure.retry_after))
            return self._json(_error_body("Too Many Requests.", 429), 429, headers)
        if failure.mode == "500":
            return self._json(_error_body("Internal Server Error", 500), 500)
        if failure.mode == "invalid_json":
            return web.Response(status=200, text='{"data": {"Media": {"id": 1, "tit', content_type="application/json")
        if failure.mode == "graphql_error":
            return self._json(_error_body('Cannot query field "nope" on type "Media".', 400,
                                          {"locations": [{"line": 3, "column": 5}]}), 400)
        # "disconnect": drop the connection without a word.
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)

    @staticmethod
    def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(status=status, text=json.dumps(body), content_type="application/json",
                            headers=headers)
