"""Name normalisation shared by the search index and search queries.

Both sides go through :func:`normalize`, so spellings that members use interchangeably compare equal:
case and diacritics ("Ōmae" = "omae"), full-width forms, punctuation, and the long-vowel spellings of
romanised Japanese ("Yuu" = "Yū" = "Yu", "Oomae" = "Ōmae" = "Omae", "Kouhei" = "Kōhei" = "Kohei").
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+|_+")
# Long vowels written out: ou/oo/uu collapse to one vowel. Applied to every word alike, so an English word
# ("sound" -> "sond") changes the same way on both sides of a comparison.
_LONG_VOWELS = re.compile(r"ou|oo|uu|oh(?=[^aeiouy]|$)")
_REPLACE = {"ou": "o", "oo": "o", "uu": "u", "oh": "o"}


def _fold_long_vowels(word: str) -> str:
    if not word.isascii():
        return word
    return _LONG_VOWELS.sub(lambda m: _REPLACE[m.group(0)], word)


def normalize(text: str) -> str:
    """The search form of a name: lower case, no diacritics, words separated by one space."""
    # Format characters (zero-width, bidi controls) are invisible: drop them rather than split on them.
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.replace("ø", "o").replace("ł", "l").replace("đ", "d").replace("ß", "ss")
    words = (_fold_long_vowels(w) for w in _NON_WORD.split(text))
    return " ".join(w for w in words if w)


def tokens(text: str) -> list[str]:
    """The words of :func:`normalize` (used to build word-prefix queries)."""
    return normalize(text).split()
