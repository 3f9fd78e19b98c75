"""What AniList searches return: small frozen records, independent of AniList's JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnimeHit:
    """One show found by ``search_anime``."""

    anilist_id: int
    title_romaji: str
    title_english: str | None = None
    title_native: str | None = None
    year: int | None = None
    episodes: int | None = None
    format: str | None = None

    @property
    def display_title(self) -> str:
        """English title when there is one, else romaji (as ``AnimeEntry.display_title``)."""
        return self.title_english or self.title_romaji


@dataclass(frozen=True)
class MediaRef:
    """A show named in another result (the shows a character appears in)."""

    anilist_id: int
    title_romaji: str
    title_english: str | None = None
    title_native: str | None = None
    year: int | None = None
    format: str | None = None

    @property
    def display_title(self) -> str:
        """English title when there is one, else romaji."""
        return self.title_english or self.title_romaji


@dataclass(frozen=True)
class CharacterHit:
    """One character found by ``search_character``, with up to five anime it appears in, most popular first."""

    anilist_id: int
    name: str
    native: str | None = None
    aliases: tuple[str, ...] = ()
    media: tuple[MediaRef, ...] = ()


@dataclass(frozen=True)
class PersonHit:
    """One voice actor or staff member found by ``search_staff``."""

    anilist_id: int
    name: str
    native: str | None = None
    aliases: tuple[str, ...] = ()
    language: str | None = None
    """Primary language, lowercase as in ``bot.catalogue.LANGUAGES`` when it is one of them, else None."""
    occupations: tuple[str, ...] = ()
