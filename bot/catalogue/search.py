"""Name search over every name form and alias in the catalogue: forgiving, ranked and fast.

Candidates come from SQLite's FTS5 index of normalised names (every query word as a word prefix, so
"shimamura yu" and "shima" both find "Yū Shimamura"); rapidfuzz ranks them. When no name has every word,
a second pass keeps only each word's first letters, which tolerates a typo later in a word ("shimamra").

Ranking (for autocomplete) and answering (``NameSearch.resolve``) are different questions: a list may show
anything similar, best first, but a command answers about one entity only when the name surely means it
(see :class:`Certainty` and :meth:`NameSearch.resolve`). Anything less gets choices, never a silent guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from bot.catalogue.models import Kind, NameRow, Sketch, format_label
from bot.catalogue.store import CatalogueStore
from bot.core.names import normalize
from bot.core.text import quote
from bot.errors import Ambiguous, InvalidInput, NotFound, NotSure

MAX_QUERY = 200
ID_PREFIX = "id:"
ANILIST_PREFIX = "anilist:"  # a show by its AniList id (a choice among AniList's matches, or from the title index)
MAX_ID = 2**63 - 1  # the largest SQLite integer
_CANDIDATES = 400
_TYPO_PREFIX = 3
_SHORT = 2
_NOUN = {"anime": "show", "person": "person", "character": "character"}
_CLOSE = 70.0  # a fuzzy score from which a name is worth offering as a choice
_MAX_CHOICES = 10
_MIN_PREFIX = 3  # letters of a word typed before a prefix counts as meaning that word ...
_MIN_PREFIX_WIDE = 2  # ... or characters, in scripts where one character carries a syllable or a word (津田)
_MIN_TYPO = 5  # shorter words are too easily another name with one letter changed ("Rin"/"Ren", "Aoi"/"Ai")
_LONG_WORD = 10  # from this length a word may have two slips


class Certainty(IntEnum):
    """How surely one name form answers a query (both normalised); the higher, the surer.

    A word of the query "matches" a word of the name when it is equal (``WORDS``); when it begins it with at
    least three letters, or two characters in a script such as Japanese's (``PREFIX``); or when it has at least
    five letters and is one slip away — a letter added, dropped or changed, or two neighbours swapped; two slips
    in words of ten letters or more (``TYPO``). Each query word must match a different word of the name, and a
    name's certainty is that of its weakest word. Anything else that looks alike by fuzzy score is ``SIMILAR``.
    """

    SIMILAR = 0  # only alike ("tsuda" and "tsubasa yunagi"): never answered without asking
    TYPO = 1  # every word matches, some with a small slip ("shimamra" → "yu shimamura")
    PREFIX = 2  # every word begins a word of the name ("shima" → "yu shimamura")
    WORDS = 3  # every word is a whole word of the name ("tsuda" → "minami tsuda", "kenjiro tsuda")
    EXACT = 4  # the whole name form: in any word order, spaces ignored ("shimamura yu", "naomiorthmann")


SURE = Certainty.TYPO
"""The least certainty that may answer directly, when no other entity is as certain."""


def _word_certainty(typed: str, word: str) -> Certainty:
    if typed == word:
        return Certainty.WORDS
    if word.startswith(typed) and len(typed) >= (_MIN_PREFIX if typed.isascii() else _MIN_PREFIX_WIDE):
        return Certainty.PREFIX
    slips = 2 if len(typed) >= _LONG_WORD else 1
    if len(typed) >= _MIN_TYPO and abs(len(typed) - len(word)) <= slips and \
            OSA.distance(typed, word, score_cutoff=slips) <= slips:
        return Certainty.TYPO
    return Certainty.SIMILAR


def _assign(edges: list[list[int]], names: int) -> bool:
    """Whether every query word can take a different name word it is linked to (a bipartite matching)."""
    taken: list[int | None] = [None] * names

    def place(q: int, seen: set[int]) -> bool:
        for n in edges[q]:
            if n not in seen:
                seen.add(n)
                holder = taken[n]
                if holder is None or place(holder, seen):
                    taken[n] = q
                    return True
        return False

    return all(place(q, set()) for q in range(len(edges)))


def certainty(words: Sequence[str], norm: str) -> Certainty:
    """How surely the query ``words`` (normalised) mean the name form ``norm`` (normalised); see :class:`Certainty`."""
    name_words = norm.split()
    if " ".join(words) == norm or sorted(words) == sorted(name_words) or "".join(words) == "".join(name_words):
        return Certainty.EXACT
    if not words or len(words) > len(name_words):
        return Certainty.SIMILAR
    levels = [[_word_certainty(q, n) for n in name_words] for q in words]
    for level in (Certainty.WORDS, Certainty.PREFIX, Certainty.TYPO):
        edges = [[i for i, found in enumerate(row) if found >= level] for row in levels]
        if all(edges) and _assign(edges, len(name_words)):
            return level
    return Certainty.SIMILAR


@dataclass(frozen=True)
class Match:
    """One entity found by a search: its id, display name, the name form that matched, and a 0–100 score."""

    kind: str
    entity_id: int
    display: str
    matched: str
    score: float
    context: str | None = None
    certainty: Certainty = Certainty.SIMILAR
    fresh: bool = False
    """True when AniList was asked for it just now (the member is told)."""

    @property
    def label(self) -> str:
        """How to show the match in a list: "Name (Show)" or "Name — alias"."""
        text = self.display
        if self.matched != self.display and normalize(self.matched) != normalize(self.display):
            text += f" ({self.matched})"
        if self.context:
            text += f" — {self.context}"
        return text


def _score(query: str, row: NameRow, spaced_words: Sequence[str] | None = None) -> float:
    """How well ``row`` matches the normalised ``query`` (0–100); ``spaced_words``: " " + each query word."""
    norm = row.norm
    if query == norm:
        return 100.0
    floor = 0.0
    if norm.startswith(query):
        floor = 92.0
    # Reward names whose words all start the way the query's words do, however they are ordered. Normalised
    # names are words joined by single spaces, so "a word starts with q" is "' ' + q in ' ' + norm".
    spaced = " " + norm
    if all(q in spaced for q in (spaced_words if spaced_words is not None else [" " + w for w in query.split()])):
        floor = max(floor, 88.0 + 10.0 * len(query) / max(len(norm), 1))
    # max(WRatio, token_sort_ratio, floor): a scorer given a cutoff returns 0 below it, its exact score above.
    score = max(floor, fuzz.WRatio(query, norm, score_cutoff=floor))
    score = max(score, fuzz.token_sort_ratio(query, norm, score_cutoff=score))
    return score - (1.0 if row.is_alias else 0.0)


class NameSearch:
    """Search shows, people and characters by any of their names."""

    def __init__(self, repo: CatalogueStore) -> None:
        self._repo = repo

    async def search(self, kind: Kind, query: str, *, limit: int = 25, context: bool = False) -> list[Match]:
        """The best ``limit`` entities of ``kind`` for ``query``, best first (empty when nothing is close)."""
        ranked = await self._ranked(kind, query, certain=False)
        return await self._matches(kind, ranked[:limit], context=context)

    async def _ranked(self, kind: Kind, query: str, *, certain: bool) -> list[tuple[int, float, NameRow, Certainty]]:
        """(entity id, best score, its name form, certainty) for every candidate entity scoring 55 or more.

        Best score first; with ``certain``, also each entity's best certainty over all its name forms
        (computed only then: autocomplete, which runs on every keystroke, needs only the scores).
        """
        norm = normalize(query[:MAX_QUERY])
        words = norm.split()
        if not words:
            return []
        rows = await self._candidates(kind, norm, words)
        if not rows:
            rows = await self._repo.name_candidates(kind, [w[:_TYPO_PREFIX] for w in words], limit=_CANDIDATES * 2)
        best: dict[int, tuple[float, NameRow]] = {}
        sure: dict[int, Certainty] = {}
        spaced_words = [" " + w for w in words]
        for row in rows:
            score = _score(norm, row, spaced_words)
            if row.entity_id not in best or score > best[row.entity_id][0]:
                best[row.entity_id] = (score, row)
            if certain:
                level = certainty(words, row.norm)
                if level > sure.get(row.entity_id, Certainty.SIMILAR):
                    sure[row.entity_id] = level
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1].norm))
        return [
            (entity_id, score, row, sure.get(entity_id, Certainty.SIMILAR))
            for entity_id, (score, row) in ranked
            if score >= 55.0 or sure.get(entity_id, Certainty.SIMILAR) >= SURE
        ]

    async def _matches(
        self, kind: Kind, ranked: Sequence[tuple[int, float, NameRow, Certainty]], *, context: bool
    ) -> list[Match]:
        ids = [entity_id for entity_id, *_ in ranked]
        names = await self._repo.primary_names(kind, ids)
        shows = await self._repo.anime_for(kind, ids) if context and kind != "anime" else {}
        return [
            Match(kind, entity_id, names.get(entity_id, row.name), row.name, score, shows.get(entity_id), level)
            for entity_id, score, row, level in ranked
        ]

    async def _candidates(self, kind: Kind, norm: str, words: Sequence[str]) -> list[NameRow]:
        if len(norm) <= _SHORT:
            # One or two letters typed: names that start with them (the word index would merge huge lists).
            return await self._repo.names_starting(kind, norm, limit=_CANDIDATES)
        if kind == "anime":
            return await self._repo.names_with_words(kind, words, limit=_CANDIDATES)
        return await self._repo.name_candidates(kind, words, limit=_CANDIDATES)

    async def resolve(self, kind: Kind, query: str) -> Match:
        """The one entity ``query`` means; ``NotFound`` with suggestions, or ``Ambiguous``/``NotSure`` with choices.

        When is a match sure enough to answer without asking? Every name form of every candidate (its name,
        native name and aliases, normalised: case, accents, long vowels and punctuation do not count) gets a
        :class:`Certainty`, and each entity takes that of its best form. Then:

        * The entities at the highest certainty found answer when it is at least ``TYPO`` (:data:`SURE`): one
          entity is the answer; several are ``Ambiguous`` — they match equally well, so the member picks. A whole
          name beats a partial one ("Sound Euphonium" is that show, not "Sound! Euphonium 2"); a surname shared by
          two people ("Tsuda"), a given name shared by two characters, or a typo one slip away from two names asks.
        * One or two characters typed answer only when they are a whole name (``EXACT``): else choices.
        * Nothing sure: the names that come close (a fuzzy score of 70 or more) are offered as ``NotSure``
          choices; a query that merely resembles a name ("Tsuda" and the character "Tsubasa Yūnagi") is never
          answered as that name. With nothing close either, ``NotFound`` with the nearest suggestions.
        """
        noun = _NOUN[kind]
        text = query.strip()
        if not text or not normalize(text):  # nothing, or nothing visible (only marks or invisible characters)
            raise InvalidInput(f"Please give the {noun}'s name.")
        if len(text) > MAX_QUERY:
            raise InvalidInput(f"That name is too long ({len(text)} characters); {MAX_QUERY} at most, please.")
        digits = text[len(ID_PREFIX) :]
        # ASCII digits only ("²".isdigit() is True, but int() refuses it) and within SQLite's 64-bit integers.
        if text.startswith(ID_PREFIX) and digits.isascii() and digits.isdigit():
            entity_id = int(digits)
            names = await self._repo.primary_names(kind, [entity_id]) if entity_id <= MAX_ID else {}
            if entity_id in names:
                return Match(kind, entity_id, names[entity_id], names[entity_id], 100.0, certainty=Certainty.EXACT)
            raise NotFound(f"That {noun} is no longer in the catalogue.")
        ranked = await self._ranked(kind, text, certain=True)
        top = max((level for *_, level in ranked), default=Certainty.SIMILAR)
        if len(normalize(text)) <= _SHORT and top < Certainty.EXACT:
            # One or two characters are looked up among names that *start* with them only, so a later word of
            # another name may be as good a match, unseen: only a whole name is sure; the rest are choices.
            short = await self._matches(kind, ranked[:_MAX_CHOICES], context=False)
            if short:
                raise NotSure(f"{quote(text)} is too short to be sure. Did you mean one of these?",
                              await self.labels(kind, short), [f"{ID_PREFIX}{m.entity_id}" for m in short], query)
        if top >= SURE:
            tied = [item for item in ranked if item[3] == top]
            if len(tied) == 1:
                (match,) = await self._matches(kind, tied, context=False)
                return match
            shown = await self._matches(kind, tied[:_MAX_CHOICES], context=False)
            more = (f" ({len(tied)} of them: here are the first {len(shown)}; type more of the name to narrow it down)"
                    if len(tied) > len(shown) else "")
            raise Ambiguous(
                f"More than one {noun} matches {quote(text)}{more}. Which one did you mean?",
                await self.labels(kind, shown),
                [f"{ID_PREFIX}{m.entity_id}" for m in shown],
                query,
            )
        close = await self._matches(kind, [item for item in ranked if item[1] >= _CLOSE][:5], context=False)
        if close:
            raise NotSure(
                f"{couldnt_find(kind, text)} Did you mean one of these?",
                await self.labels(kind, close),
                [f"{ID_PREFIX}{m.entity_id}" for m in close],
                query,
            )
        nearest = await self._matches(kind, ranked[:5], context=True)
        raise NotFound(couldnt_find(kind, text), [m.label for m in nearest])

    async def exact(self, kind: Kind, query: str) -> list[Match]:
        """The entities of ``kind`` that ``query`` names in full (``EXACT``: a whole name form, in any word order)."""
        ranked = await self._ranked(kind, query, certain=True)
        return await self._matches(kind, [item for item in ranked if item[3] == Certainty.EXACT], context=False)

    async def labels(self, kind: Kind, matches: Sequence[Match]) -> list[str]:
        """How to list matches as choices, telling apart namesakes (plain text: escape it for markdown).

        "Kenjiro Tsuda (津田健次郎) — voice of Afdal Bashal in Metallic Rouge", "Kumiko Ōmae (黄前久美子) — Sound!
        Euphonium", "Sound! Euphonium (TV, 2015)"; a name that matched through an alias says so ("also Alice").
        """
        sketches = await self._repo.sketches(kind, [m.entity_id for m in matches])
        return [_label(kind, m, sketches.get(m.entity_id, Sketch())) for m in matches]


def noun(kind: Kind) -> str:
    """What members call a ``kind``: "show", "person", "character"."""
    return _NOUN[kind]


def couldnt_find(kind: Kind, text: str) -> str:
    """The sentence that says a name matched nothing surely."""
    return f"I couldn't find a {_NOUN[kind]} called {quote(text.strip())}."


def how_to_add_show(query: str, *, importable: bool) -> str:
    """What will put a missing show in the catalogue, so /rate and /review write can find it."""
    if importable:
        title = " ".join(query.replace("`", "ˋ").split())[:100]
        return ("I only know the shows in my catalogue: someone with the Manage Server permission can add it from "
                f"AniList with `/catalogue import query: {title}`.")
    return ("I only know the shows in my catalogue, and AniList is turned off on this bot: whoever runs it can "
            "add the show to a catalogue file.")


def _label(kind: Kind, match: Match, sketch: Sketch) -> str:
    extra = []
    if kind == "anime":
        facts = [b for b in (format_label(sketch.format), str(sketch.year) if sketch.year else None) if b]
        extra = [", ".join(facts)] if facts else []
    elif sketch.native and normalize(sketch.native) != normalize(match.display):
        extra.append(sketch.native)
    if normalize(match.matched) not in (normalize(match.display), normalize(sketch.native or "")):
        extra.append(f"also {match.matched}")
    text = match.display + (f" ({'; '.join(extra)})" if extra else "")
    if kind == "person" and sketch.role and sketch.show:
        text += f" — voice of {sketch.role} in {sketch.show}" if sketch.voice else f" — {sketch.role}, {sketch.show}"
    elif kind == "character" and sketch.show:
        text += f" — {sketch.show}"
    return text
