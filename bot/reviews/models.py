"""Reviews as plain data: a stored review, how far it spoils, and its text — each checked once, where it comes in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalogue.models import Anime
from bot.core.i18n import _
from bot.core.markdown import sanitize_text
from bot.core.text import counted, inline, md
from bot.errors import InvalidInput

TITLE_MAX = 100
BODY_MAX = 4000
WARNINGS_MAX = 300


@dataclass(frozen=True)
class EpisodeScope:
    """How far a review spoils: nothing (``spoilers`` false), episodes 1..N, or the whole series (no N)."""

    spoilers: bool = True
    through_episode: int | None = None

    @classmethod
    def from_options(cls, spoilers: bool = True, through_episode: int | None = None) -> EpisodeScope:
        """The scope /review write's options describe; ``InvalidInput`` for a combination that means nothing.

        Whether the episode exists is the show's question: :meth:`check_against`.
        """
        if through_episode is not None and not spoilers:
            raise InvalidInput(_(
                "`through_episode` only goes with spoilers: leave it out for a spoiler-free review, "
                "or set `spoilers` to true."
            ))
        return cls(spoilers, through_episode)

    def check_against(self, anime: Anime) -> None:
        """Refuse an episode the show does not have (``InvalidInput``)."""
        if self.through_episode is None:
            return
        if anime.episodes is not None and not 1 <= self.through_episode <= anime.episodes:
            raise InvalidInput(md(
                _("{title} has {episodes}, so `through_episode` must be between 1 and {last}."),
                title=inline(anime.title, 200), episodes=counted("{n} episode", "{n} episodes", anime.episodes),
                last=anime.episodes,
            ))
        if self.through_episode < 1:
            raise InvalidInput(_("`through_episode` must be at least 1."))

    def whole_series(self, episodes: int | None) -> bool:
        """Whether it may spoil every episode (spoilers without an episode limit, or up to the last one)."""
        if not self.spoilers:
            return False
        if self.through_episode is None:
            return True
        return bool(episodes) and self.through_episode >= (episodes or 0)

    def header(self, episodes: int | None) -> str:
        """The scope line: "Spoiler-free", "Spoilers through episode N" or "Spoilers: whole series"."""
        if not self.spoilers:
            return _("Spoiler-free")
        if self.whole_series(episodes):
            return _("Spoilers: whole series")
        return _("Spoilers through episode {episode}").format(episode=self.through_episode)

    def short_header(self, episodes: int | None) -> str:
        """The scope as a thread name says it: "spoiler-free", "spoilers through ep N", "spoilers: whole series"."""
        if not self.spoilers:
            return _("spoiler-free")
        if self.whole_series(episodes):
            return _("spoilers: whole series")
        return _("spoilers through ep {episode}").format(episode=self.through_episode)


def _visible(text: str) -> bool:
    """Whether ``text`` shows anything once invisible characters and whitespace are gone."""
    return bool(sanitize_text(text).strip())


@dataclass(frozen=True)
class ReviewText:
    """A review's title, body and content warnings, as typed (trimmed) and within their limits."""

    title: str
    body: str
    warnings: str | None = None

    @classmethod
    def parse(cls, title: str, body: str, warnings: str | None = None) -> ReviewText:
        """The text from the form; ``InvalidInput`` for an empty or too long part."""
        clean_title, clean_body, clean_warnings = title.strip(), body.strip(), (warnings or "").strip()
        if not _visible(clean_title):
            raise InvalidInput(_("Please give your review a title."))
        if len(clean_title) > TITLE_MAX:
            raise InvalidInput(_("That title is {length} characters long; {most} at most, please.").format(
                length=len(clean_title), most=TITLE_MAX))
        if not _visible(clean_body):
            raise InvalidInput(_("Your review is empty — please write something."))
        if len(clean_body) > BODY_MAX:
            raise InvalidInput(_("Your review is {length} characters long; {most} at most, please.").format(
                length=len(clean_body), most=BODY_MAX))
        if len(clean_warnings) > WARNINGS_MAX and _visible(clean_warnings):
            raise InvalidInput(_("The content warnings are {length} characters long; {most} at most, please.").format(
                length=len(clean_warnings), most=WARNINGS_MAX))
        return cls(clean_title, clean_body, clean_warnings if _visible(clean_warnings) else None)


@dataclass(frozen=True)
class Review:
    """A stored review, with its show's title and episode count and the ids of the message(s) it was posted as."""

    id: int
    guild_id: int
    number: int
    anime_id: int
    anime_title: str
    anime_episodes: int | None
    author_id: int
    channel_id: int | None
    title: str
    body: str
    warnings: str | None
    spoilers: bool
    through_episode: int | None
    created_at: float
    edited_at: float | None
    message_ids: tuple[int, ...] = ()

    @property
    def scope(self) -> EpisodeScope:
        """How far it spoils."""
        return EpisodeScope(self.spoilers, self.through_episode)

    @property
    def whole_series(self) -> bool:
        """Whether the review may spoil every episode (spoilers without an episode limit, or up to the last one)."""
        return self.scope.whole_series(self.anime_episodes)

    @property
    def short_scope(self) -> str:
        """The scope as a thread name says it ("spoilers through ep 3")."""
        return self.scope.short_header(self.anime_episodes)

    @property
    def scope_header(self) -> str:
        """The visible spoiler line: "Spoiler-free", "Spoilers through episode N" or the whole series."""
        return self.scope.header(self.anime_episodes)

    @property
    def text(self) -> ReviewText:
        """Its title, body and warnings."""
        return ReviewText(self.title, self.body, self.warnings)
