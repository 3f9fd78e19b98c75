"""Pure functions from AniList's JSON (as the queries in ``queries.py`` shape it) to kansou's records.

AniList data has holes (null nodes, null names, empty roles), so every reader here is defensive: whatever is
missing or malformed is skipped, never raised, and the bundles built here always pass ``validate()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from bot.anilist.models import AnimeHit, CharacterHit, MediaRef, PersonHit
from bot.catalogue.models import (
    CHARACTER_ROLE_LABELS,
    EPISODES_RANGE,
    FORMAT_LABELS,
    LANGUAGES,
    MAX_ID,
    SEASON_LABELS,
    YEAR_RANGE,
    AnimeEntry,
    CastCredit,
    CatalogueBundle,
    CharacterEntry,
    PersonEntry,
    StaffCredit,
    in_range,
)

log = logging.getLogger(__name__)

_Named = TypeVar("_Named", PersonEntry, CharacterEntry)


def anime_key(anilist_id: int) -> str:
    """Catalogue key of an AniList show."""
    return f"anilist:anime:{anilist_id}"


def character_key(anilist_id: int) -> str:
    """Catalogue key of an AniList character."""
    return f"anilist:character:{anilist_id}"


def staff_key(anilist_id: int) -> str:
    """Catalogue key of an AniList staff member (voice actors included)."""
    return f"anilist:staff:{anilist_id}"


def language_name(value: object) -> str | None:
    """``JAPANESE`` or ``Japanese`` → ``"japanese"`` when kansou knows the language, else None."""
    text = as_str(value)
    if text is None:
        return None
    name = text.lower()
    return name if name in LANGUAGES else None


def format_name(value: object) -> str | None:
    """AniList's ``MediaFormat`` value as stored: its code ("TV_SHORT"), as catalogue files write it.

    Only codes kansou knows are kept; anything else (a new format, or text that is no format at all) is stored
    as "OTHER", so a member reads "Other" (``bot.catalogue.models.format_label``) and never the raw value.
    """
    code = _enum_code(value)
    if code is None:
        return None
    code = "MUSIC" if code == "MUSIC_VIDEO" else code
    return code if code in FORMAT_LABELS else "OTHER"


def season_name(value: object) -> str | None:
    """AniList's ``MediaSeason`` as a code kansou knows ("WINTER"), "OTHER" for anything else, None if absent."""
    code = _enum_code(value)
    return None if code is None else code if code in SEASON_LABELS else "OTHER"


def character_role_name(value: object) -> str | None:
    """AniList's ``CharacterRole`` as a code kansou knows ("MAIN"), "OTHER" for anything else, None if absent."""
    code = _enum_code(value)
    return None if code is None else code if code in CHARACTER_ROLE_LABELS else "OTHER"


def _enum_code(value: object) -> str | None:
    """An enum-looking string as an upper-case code, or None when there is no string."""
    text = as_str(value)
    if text is None:
        return None
    return "_".join(text[:64].upper().replace("_", " ").split()) or None


def as_dict(value: object) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: object) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


MAX_TEXT = 1000
"""Characters kept of any one text AniList sends (a name, a title, a note): real ones are far shorter, and a 2 MB
name would slow every name search of the catalogue down."""


def as_str(value: object) -> str | None:
    """A stripped, non-empty string (cut to ``MAX_TEXT`` characters, with a log note), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > MAX_TEXT:
        log.info("AniList sent a text of %d characters; only the first %d were kept", len(text), MAX_TEXT)
        text = text[:MAX_TEXT].rstrip()
    return text or None


def as_int(value: object) -> int | None:
    """An integer (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def bounded_int(value: object, bounds: tuple[int, int], what: str) -> int | None:
    """An integer within ``bounds``; None (with a log note) for one outside them, or for no integer at all.

    AniList's answers are not trusted to fit: an id or an episode count of 10**20 would not fit in the database.
    """
    number = as_int(value)
    if number is None or in_range(number, bounds):
        return number
    # The value itself is not logged: it may be thousands of digits long.
    log.info("AniList sent a %s outside %d..%d (%d bits); it was left out", what, *bounds, number.bit_length())
    return None


def bounded_id(value: object, what: str = "id") -> int | None:
    """An AniList id (1 to 2**31 - 1), else None."""
    return bounded_int(value, (1, MAX_ID), what)


def _unique(values: Iterable[object], exclude: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Non-empty strings from ``values``, stripped, first occurrence kept, case-insensitively unique."""
    seen = {e.casefold() for e in exclude if e}
    out: list[str] = []
    for value in values:
        text = as_str(value)
        if text is not None and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return tuple(out)


def _titles(media: Mapping[str, Any]) -> tuple[int, str, str | None, str | None] | None:
    """(id, romaji-or-fallback, english, native), or None without an id."""
    media_id = bounded_id(media.get("id"), "show id")
    if media_id is None:
        return None
    title = as_dict(media.get("title"))
    english, native = as_str(title.get("english")), as_str(title.get("native"))
    romaji = as_str(title.get("romaji")) or english or native or f"AniList anime {media_id}"
    return media_id, romaji, english, native


def _year(media: Mapping[str, Any]) -> int | None:
    return (bounded_int(media.get("seasonYear"), YEAR_RANGE, "year")
            or bounded_int(as_dict(media.get("startDate")).get("year"), YEAR_RANGE, "year"))


def _episodes(media: Mapping[str, Any]) -> int | None:
    episodes = as_int(media.get("episodes"))
    if episodes is not None and episodes < 1:
        return None  # AniList's "none yet" (0) is simply unknown
    return bounded_int(episodes, EPISODES_RANGE, "number of episodes")


def _main_studio(media: Mapping[str, Any]) -> str | None:
    for edge in as_list(as_dict(media.get("studios")).get("edges")):
        edge = as_dict(edge)
        if edge.get("isMain") is not False:
            name = as_str(as_dict(edge.get("node")).get("name"))
            if name:
                return name
    return None


def _name(node: Mapping[str, Any]) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(full, native, alternative names) of a character or staff node."""
    name = as_dict(node.get("name"))
    full, native = as_str(name.get("full")), as_str(name.get("native"))
    return full, native, _unique(as_list(name.get("alternative")), exclude=(full, native))


def anime_hit(media: object) -> AnimeHit | None:
    """A ``SearchAnime`` media node → ``AnimeHit`` (None when it has no id)."""
    media = as_dict(media)
    titles = _titles(media)
    if titles is None:
        return None
    anilist_id, romaji, english, native = titles
    return AnimeHit(
        anilist_id=anilist_id, title_romaji=romaji, title_english=english, title_native=native,
        year=_year(media), episodes=_episodes(media), format=format_name(media.get("format")),
    )


def media_ref(media: object) -> MediaRef | None:
    """A media node → ``MediaRef`` (None when it has no id)."""
    media = as_dict(media)
    titles = _titles(media)
    if titles is None:
        return None
    anilist_id, romaji, english, native = titles
    return MediaRef(
        anilist_id=anilist_id, title_romaji=romaji, title_english=english, title_native=native,
        year=_year(media), format=format_name(media.get("format")),
    )


def character_hit(node: object) -> CharacterHit | None:
    """A ``SearchCharacter`` character node → ``CharacterHit`` (None without an id or a name)."""
    node = as_dict(node)
    anilist_id = bounded_id(node.get("id"))
    full, native, aliases = _name(node)
    if anilist_id is None or not (full or native):
        return None
    refs = (media_ref(m) for m in as_list(as_dict(node.get("media")).get("nodes")))
    return CharacterHit(
        anilist_id=anilist_id, name=full or native or "", native=native, aliases=aliases,
        media=tuple(r for r in refs if r is not None),
    )


def person_hit(node: object) -> PersonHit | None:
    """A ``SearchStaff`` staff node → ``PersonHit`` (None without an id or a name)."""
    node = as_dict(node)
    anilist_id = bounded_id(node.get("id"))
    full, native, aliases = _name(node)
    if anilist_id is None or not (full or native):
        return None
    return PersonHit(
        anilist_id=anilist_id, name=full or native or "", native=native, aliases=aliases,
        language=language_name(node.get("languageV2")),
        occupations=_unique(as_list(node.get("primaryOccupations"))),
    )


@dataclass
class AnimeDraft:
    """A show being collected: its entry without credits, and its credits so far (in order, unique)."""

    entry: AnimeEntry
    staff: dict[StaffCredit, None] = field(default_factory=dict)
    cast: dict[tuple[str, str, str], CastCredit] = field(default_factory=dict)

    def build(self) -> AnimeEntry:
        """The finished ``AnimeEntry``."""
        return replace(self.entry, staff=tuple(self.staff), cast=tuple(self.cast.values()))


class BundleBuilder:
    """Collects shows, people, characters and credits page by page, without duplicates."""

    def __init__(self) -> None:
        self._anime: dict[int, AnimeDraft] = {}
        self._people: dict[str, PersonEntry] = {}
        self._characters: dict[str, CharacterEntry] = {}
        self.notes: list[str] = []

    def anime(self, media: object) -> AnimeDraft | None:
        """Add a show from a ``MediaFields`` node (kept as first seen); None for a non-anime or no id."""
        media = as_dict(media)
        if media.get("type", "ANIME") != "ANIME":
            return None
        titles = _titles(media)
        if titles is None:
            return None
        anilist_id, romaji, english, native = titles
        draft = self._anime.get(anilist_id)
        if draft is None:
            entry = AnimeEntry(
                key=anime_key(anilist_id), title_romaji=romaji, title_english=english, title_native=native,
                aliases=_unique(as_list(media.get("synonyms")), exclude=(romaji, english, native)),
                studio=_main_studio(media), episodes=_episodes(media), year=_year(media),
                format=format_name(media.get("format")), anilist_id=anilist_id,
            )
            draft = self._anime[anilist_id] = AnimeDraft(entry)
        return draft

    def person(self, node: object) -> str | None:
        """Add a staff node; its key, or None without an id or a name."""
        return self._named(node, PersonEntry, staff_key, self._people)

    def character(self, node: object) -> str | None:
        """Add a character node; its key, or None without an id or a name."""
        return self._named(node, CharacterEntry, character_key, self._characters)

    @staticmethod
    def _named(
        node: object, cls: type[_Named], key_of: Callable[[int], str], store: dict[str, _Named]
    ) -> str | None:
        node = as_dict(node)
        anilist_id = bounded_id(node.get("id"))
        full, native, aliases = _name(node)
        if anilist_id is None or not (full or native):
            return None
        key = key_of(anilist_id)
        store.setdefault(key, cls(
            key=key, name=full or native or "", native=native, aliases=aliases, anilist_id=anilist_id,
        ))
        return key

    @staticmethod
    def add_cast(draft: AnimeDraft, character: str, person: str, language: str, note: str | None) -> None:
        """Credit ``person`` for voicing ``character`` in ``language`` (first note wins)."""
        draft.cast.setdefault((character, person, language), CastCredit(character, person, language, note))

    @staticmethod
    def add_staff(draft: AnimeDraft, person: str, role: object) -> None:
        """Credit ``person`` with a production role (an empty role is recorded as "Staff")."""
        draft.staff.setdefault(StaffCredit(person, as_str(role) or "Staff"), None)

    def build(self, source: str) -> CatalogueBundle:
        """The bundle collected so far, validated."""
        bundle = CatalogueBundle(
            anime=tuple(d.build() for d in self._anime.values()),
            people=tuple(self._people.values()),
            characters=tuple(self._characters.values()),
            source=source,
            notes=tuple(self.notes),
        )
        bundle.validate()
        return bundle


def role_note(edge: Mapping[str, Any]) -> str | None:
    """``roleNotes`` and ``dubGroup`` of a voice role, joined ("Child; Netflix dub"), or None."""
    parts = _unique((edge.get("roleNotes"), edge.get("dubGroup")))
    return "; ".join(parts) or None


VOICE_LANGUAGES: dict[str, str] = {"japanese": "japanese", "english": "english"}
"""Alias in ``FETCH_ANIME``'s character edges → language of the voice actors listed under it."""


def add_anime_characters(builder: BundleBuilder, draft: AnimeDraft, edges: object) -> None:
    """Add one page of ``Media.characters`` edges (characters, their voice actors, the cast credits)."""
    for edge in as_list(edges):
        edge = as_dict(edge)
        character = builder.character(edge.get("node"))
        if character is None:
            continue
        for alias, language in VOICE_LANGUAGES.items():
            for role in as_list(edge.get(alias)):
                role = as_dict(role)
                person = builder.person(role.get("voiceActor"))
                if person is not None:
                    builder.add_cast(draft, character, person, language, role_note(role))


def add_anime_staff(builder: BundleBuilder, draft: AnimeDraft, edges: object) -> None:
    """Add one page of ``Media.staff`` edges."""
    for edge in as_list(edges):
        edge = as_dict(edge)
        person = builder.person(edge.get("node"))
        if person is not None:
            builder.add_staff(draft, person, edge.get("role"))


def add_person_characters(builder: BundleBuilder, person: str, language: str | None, edges: object) -> None:
    """Add one page of ``Staff.characterMedia`` edges: the shows, the characters, this person's cast credits."""
    for edge in as_list(edges):
        edge = as_dict(edge)
        draft = builder.anime(edge.get("node"))
        if draft is None:
            continue
        for node in as_list(edge.get("characters")):
            character = builder.character(node)
            if character is not None and language is not None:
                builder.add_cast(draft, character, person, language, role_note(edge))


def add_person_staff(builder: BundleBuilder, person: str, edges: object) -> None:
    """Add one page of ``Staff.staffMedia`` edges: the shows and this person's production roles."""
    for edge in as_list(edges):
        edge = as_dict(edge)
        draft = builder.anime(edge.get("node"))
        if draft is not None:
            builder.add_staff(draft, person, edge.get("staffRole"))
