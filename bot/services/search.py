"""Name search over every name form and alias in the catalogue: forgiving, ranked and fast.

Candidates come from SQLite's FTS5 index of normalised names (every query word as a word prefix, so
"shimamura yu" and "shima" both find "Yū Shimamura"); rapidfuzz ranks them. When no name has every word,
a second pass keeps only each word's first letters, which tolerates a typo later in a word ("shimamra").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.errors import Ambiguous, InvalidInput, NotFound
from bot.services.markdown import quote
from bot.services.names import normalize
from bot.storage.catalogue import CatalogueRepo, Kind, NameRow

MAX_QUERY = 200
ID_PREFIX = "id:"
MAX_ID = 2**63 - 1  # the largest SQLite integer
_CANDIDATES = 400
_TYPO_PREFIX = 3
_SHORT = 2
_NOUN = {"anime": "show", "person": "person", "character": "character"}


@dataclass(frozen=True)
class Match:
    """One entity found by a search: its id, display name, the name form that matched, and a 0–100 score."""

    kind: str
    entity_id: int
    display: str
    matched: str
    score: float
    context: str | None = None

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

    def __init__(self, repo: CatalogueRepo) -> None:
        self._repo = repo

    async def search(self, kind: Kind, query: str, *, limit: int = 25, context: bool = False) -> list[Match]:
        """The best ``limit`` entities of ``kind`` for ``query``, best first (empty when nothing is close)."""
        norm = normalize(query[:MAX_QUERY])
        words = norm.split()
        if not words:
            return []
        rows = await self._candidates(kind, norm, words)
        if not rows:
            rows = await self._repo.name_candidates(kind, [w[:_TYPO_PREFIX] for w in words], limit=_CANDIDATES * 2)
        best: dict[int, tuple[float, NameRow]] = {}
        spaced_words = [" " + w for w in words]
        for row in rows:
            score = _score(norm, row, spaced_words)
            if row.entity_id not in best or score > best[row.entity_id][0]:
                best[row.entity_id] = (score, row)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1].norm))
        ranked = [item for item in ranked if item[1][0] >= 55.0][:limit]
        ids = [entity_id for entity_id, _ in ranked]
        names = await self._repo.primary_names(kind, ids)
        shows = await self._repo.anime_for(kind, ids) if context and kind != "anime" else {}
        return [
            Match(kind, entity_id, names.get(entity_id, row.name), row.name, score, shows.get(entity_id))
            for entity_id, (score, row) in ranked
        ]

    async def _candidates(self, kind: Kind, norm: str, words: Sequence[str]) -> list[NameRow]:
        if len(norm) <= _SHORT:
            # One or two letters typed: names that start with them (the word index would merge huge lists).
            return await self._repo.names_starting(kind, norm, limit=_CANDIDATES)
        if kind == "anime":
            return await self._repo.names_with_words(kind, words, limit=_CANDIDATES)
        return await self._repo.name_candidates(kind, words, limit=_CANDIDATES)

    async def resolve(self, kind: Kind, query: str) -> Match:
        """The one entity ``query`` means; ``NotFound`` with suggestions, or ``Ambiguous`` with choices."""
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
                return Match(kind, entity_id, names[entity_id], names[entity_id], 100.0)
            raise NotFound(f"That {noun} is no longer in the catalogue.")
        matches = await self.search(kind, text, limit=10, context=True)
        if not matches or matches[0].score < 70.0:
            raise NotFound(f"I couldn't find a {noun} called {quote(text)}.", [m.label for m in matches[:5]])
        top = matches[0]
        if top.score >= 99.0 and (len(matches) == 1 or matches[1].score < 99.0):
            return top
        close = [m for m in matches if m.score >= top.score - 3.0]
        if len(close) > 1:
            raise Ambiguous(
                f"More than one {noun} matches {quote(text)}. Which one did you mean?",
                _labels(close),
                [f"{ID_PREFIX}{m.entity_id}" for m in close],
                query,
            )
        return top


def _labels(matches: Sequence[Match]) -> list[str]:
    return [m.label for m in matches]
