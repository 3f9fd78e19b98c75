"""A made-up anime-offline-database release, in the schema manami-project publishes, for tests and the benchmark.

``python -m tests.fakes.offline_titles`` writes ``tests/data/anime-offline-database-sample.json`` (the committed
sample: 300 entries). Every title is invented. The sample has synonyms, titles in Japanese, Korean, Chinese and
Russian, entries without an AniList id (MyAnimeList only, or neither), seasons without a year, and the fake
AniList's second show (``SECOND_SHOW_ID``), so picking it from autocomplete fetches its credits from the fake.
"""

from __future__ import annotations

import json
import random
import sys
import zlib
from pathlib import Path
from typing import Any

from tests.fakes.anilist_server import SECOND_SHOW_ID, SECOND_SHOW_TITLE

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "anime-offline-database-sample.json"
LICENCE = {
    "name": "Open Data Commons Open Database License (ODbL) v1.0 + Database Contents License (DbCL) v1.0",
    "url": "https://github.com/manami-project/anime-offline-database/blob/master/LICENSE",
}
REPOSITORY = "https://github.com/manami-project/anime-offline-database"
SAMPLE_SIZE = 300
NATIVE_TITLE = "星屑リレー探偵団"  # entry 3's Japanese synonym
KOREAN_TITLE = "별빛 계주"
RUSSIAN_TITLE = "Звёздная эстафета"
NO_ANILIST_TITLE = "Moonlit Ferry Stories"  # on MyAnimeList only
NO_IDS_TITLE = "Lantern Street Shorts"  # on neither (a kitsu link only)

_FIRST = ["Hoshi", "Tsuki", "Kaze", "Umi", "Sora", "Yume", "Hana", "Kumo", "Yoru", "Asa", "Mizu", "Hikari"]
_SECOND = ["Relay", "Academy", "Chronicle", "Diary", "Express", "Garden", "Lantern", "Orbit", "Parade", "Quest"]
_TYPES = ["TV", "TV", "TV", "MOVIE", "OVA", "ONA", "SPECIAL"]
_SEASONS = ["WINTER", "SPRING", "SUMMER", "FALL"]


def meta(last_update: str = "2026-11-30") -> dict[str, Any]:
    """The release's metadata (the JSON document without ``data``; the first line of the JSONL release)."""
    return {
        "$schema": "https://raw.githubusercontent.com/manami-project/anime-offline-database/master/schemas/"
                   "anime-offline-database.schema.json",
        "license": LICENCE, "repository": REPOSITORY,
        "scoreRange": {"minInclusive": 1.0, "maxInclusive": 10.0}, "lastUpdate": last_update,
    }


def entry(title: str, *, anilist: int | None = None, mal: int | None = None, synonyms: list[str] | None = None,
          kind: str = "TV", episodes: int = 12, season: str = "SPRING", year: int | None = 2024) -> dict[str, Any]:
    """One entry with every required key."""
    sources = []
    if anilist is not None:
        sources.append(f"https://anilist.co/anime/{anilist}")
    if mal is not None:
        sources.append(f"https://myanimelist.net/anime/{mal}")
    if not sources:
        sources.append(f"https://kitsu.app/anime/{zlib.crc32(title.encode()) % 100000}")
    return {
        "sources": sources, "title": title, "type": kind, "episodes": episodes, "status": "FINISHED",
        "animeSeason": {"season": season, "year": year},
        "picture": "https://cdn.example/picture.png", "thumbnail": "https://cdn.example/thumb.png",
        "duration": {"value": 1440, "unit": "SECONDS"},
        "score": {"arithmeticGeometricMean": 7.1, "arithmeticMean": 7.1, "median": 7.0},
        "synonyms": synonyms or [], "studios": ["studio example"], "producers": [], "relatedAnime": [],
        "tags": ["comedy"],
    }


def entries(count: int = SAMPLE_SIZE, *, seed: int = 14, first_id: int = 700000) -> list[dict[str, Any]]:
    """``count`` made-up entries (the landmarks above first), the same ones for the same arguments."""
    rng = random.Random(seed)
    made = [
        entry(SECOND_SHOW_TITLE, anilist=SECOND_SHOW_ID, mal=SECOND_SHOW_ID, synonyms=["Impressions Academy"]),
        entry(NO_ANILIST_TITLE, mal=990001, synonyms=["Tsukiyo no Watashibune"], kind="OVA", episodes=3),
        entry(NO_IDS_TITLE, synonyms=[], kind="ONA", episodes=8, season="UNDEFINED", year=None),
        entry("Hoshikuzu Relay Tanteidan", anilist=first_id, synonyms=[NATIVE_TITLE, KOREAN_TITLE, RUSSIAN_TITLE,
                                                                        "星尘接力侦探团", "Stardust Relay Detectives"]),
    ]
    n = 1
    while len(made) < count:
        words = f"{rng.choice(_FIRST)} no {rng.choice(_SECOND)}"
        title = f"{words} {n}" if n % 3 else words + f" Season {n % 5 + 2}"
        synonyms = [f"{title.replace(' no ', ' of the ')}"] if n % 2 else []
        if n % 7 == 0:
            synonyms.append(f"{rng.choice(_SECOND)} {n}")
        made.append(entry(title, anilist=first_id + n, mal=first_id + n if n % 4 else None, synonyms=synonyms,
                          kind=rng.choice(_TYPES), episodes=rng.randint(1, 26), season=rng.choice(_SEASONS),
                          year=rng.randint(1990, 2026)))
        n += 1
    return made


def release(count: int = SAMPLE_SIZE, *, last_update: str = "2026-11-30", **kwargs: Any) -> dict[str, Any]:
    """A whole JSON release."""
    return {**meta(last_update), "data": entries(count, **kwargs)}


def write_json(path: Path, document: dict[str, Any]) -> Path:
    """Write a JSON release as the project does (pretty-printed)."""
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_jsonl(path: Path, document: dict[str, Any]) -> Path:
    """Write the same release as JSON Lines: the metadata, then one entry per line.

    The JSONL schema leaves out what is unknown instead of writing null (a season's year, a duration).
    """
    head = {k: v for k, v in document.items() if k != "data"}
    lines = [json.dumps(head, ensure_ascii=False)]
    for item in document["data"]:
        item = {k: v for k, v in item.items() if not (k == "duration" and v is None)}
        if item["animeSeason"].get("year") is None:
            item["animeSeason"] = {"season": item["animeSeason"]["season"]}
        lines.append(json.dumps(item, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    write_json(SAMPLE, release())
    print(f"wrote {SAMPLE}", file=sys.stderr)
