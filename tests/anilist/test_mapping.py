"""AniList JSON → kansou records: holes and junk in AniList's data never break a bundle."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.anilist import AniListClient
from bot.anilist import mapping as m

EPOCH = 1_750_000_000.0

_scalars = st.none() | st.booleans() | st.integers(-3, 30) | st.text(max_size=6) | st.sampled_from(
    ["MAIN", "ANIME", "MANGA", "TV", "Japanese", "English", "Arabic", "", "  "]
)
_json: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "name", "full", "native", "alternative", "node", "voiceActor", "role", "type",
                         "title", "romaji", "english", "characters", "staffRole", "roleNotes", "dubGroup",
                         "languageV2", "japanese", "english", "studios", "edges", "isMain", "media", "nodes"]),
        inner, max_size=5,
    ),
    max_leaves=25,
)


def _person(i: int) -> dict[str, Any]:
    return {"id": i, "name": {"full": f"Person {i}", "native": None, "alternative": [None, "", f"P{i}"]}}


@settings(max_examples=100, deadline=None)
@given(media=_json, characters=_json, staff=_json, roles=_json, works=_json, language=_scalars)
def test_junk_never_raises_and_bundles_always_validate(
    media: Any, characters: Any, staff: Any, roles: Any, works: Any, language: Any
) -> None:
    builder = m.BundleBuilder()
    draft = builder.anime({"id": 1, "title": {"romaji": "Show"}, **(media if isinstance(media, dict) else {})})
    if draft is not None:
        m.add_anime_characters(builder, draft, characters)
        m.add_anime_staff(builder, draft, staff)
    person = builder.person(_person(2))
    assert person is not None
    m.add_person_characters(builder, person, m.language_name(language), roles)
    m.add_person_staff(builder, person, works)
    builder.build("test").validate()
    for hit in (m.anime_hit(media), m.media_ref(media), m.character_hit(media), m.person_hit(media)):
        assert hit is None or isinstance(hit.anilist_id, int)


def test_titles_fall_back_and_aliases_are_unique() -> None:
    builder = m.BundleBuilder()
    draft = builder.anime({"id": 3, "title": {"romaji": None, "english": "English Only"},
                           "synonyms": ["english only", "Alias", "alias ", None, ""], "episodes": 0,
                           "startDate": {"year": 1999}, "format": "TV_SHORT",
                           "studios": {"edges": [{"isMain": False, "node": {"name": "Not Main"}},
                                                 {"isMain": True, "node": {"name": "Main"}}]}})
    assert draft is not None
    entry = draft.build()
    assert (entry.title_romaji, entry.aliases, entry.episodes, entry.year) == ("English Only", ("Alias",), None, 1999)
    assert (entry.format, entry.studio) == ("TV_SHORT", "Main")


def test_people_and_characters_are_deduplicated_and_roles_never_empty() -> None:
    builder = m.BundleBuilder()
    draft = builder.anime({"id": 4, "title": {"romaji": "Show"}})
    assert draft is not None
    edge = {"node": {"id": 10, "name": {"full": "Hero"}},
            "japanese": [{"voiceActor": _person(20)}, {"voiceActor": _person(20)}, {"voiceActor": None}],
            "english": [{"voiceActor": _person(21), "roleNotes": "Young", "dubGroup": "Young"}]}
    m.add_anime_characters(builder, draft, [edge, edge, None, {"node": {"id": 11, "name": {}}}])
    m.add_anime_staff(builder, draft, [{"role": "  ", "node": _person(20)}, {"role": None, "node": _person(20)}])
    bundle = builder.build("test")
    [show] = bundle.anime
    assert [(c.person, c.language, c.note) for c in show.cast] == [
        ("anilist:staff:20", "japanese", None), ("anilist:staff:21", "english", "Young")
    ]
    assert [(s.person, s.role) for s in show.staff] == [("anilist:staff:20", "Staff")]
    assert [p.key for p in bundle.people] == ["anilist:staff:20", "anilist:staff:21"]
    assert [c.key for c in bundle.characters] == ["anilist:character:10"]


def test_language_and_format_names() -> None:
    assert m.language_name("JAPANESE") == "japanese"
    assert m.language_name("Chinese") == "chinese"
    assert m.language_name("Arabic") is None
    assert m.language_name(None) is None
    assert m.format_name("MOVIE") == "MOVIE"  # stored as AniList's code, shown through format_label
    assert m.format_name("SOMETHING_NEW") == "OTHER"  # an unknown enum is stored (and shown) as Other
    assert m.format_name(None) is None


async def test_retry_after_forms() -> None:
    async with httpx.AsyncClient() as http:
        client = AniListClient(http, wall_clock=lambda: EPOCH)  # EPOCH is 2025-06-15 15:06:40 UTC

    def backoff(headers: dict[str, str]) -> float:
        return client._backoff(httpx.Response(429, headers=headers))

    assert backoff({"Retry-After": "60"}) == 60
    assert backoff({"Retry-After": "2.5"}) == 2.5
    assert backoff({"Retry-After": "0"}) == 1.0
    assert backoff({"Retry-After": "Sun, 15 Jun 2025 15:07:10 GMT"}) == 30
    assert backoff({"Retry-After": "Sun, 15 Jun 2025 15:00:00 GMT"}) == 1.0  # a date in the past
    assert backoff({"Retry-After": "soon"}) == 60
    assert backoff({"X-RateLimit-Reset": str(int(EPOCH) + 42)}) == 42
    assert backoff({}) == 60
    assert backoff({"Retry-After": "999999"}) == 3600
