"""Every show (issue 14): the title index and on-demand AniList look-ups, timed. ``python -m bench.titles [--quick]``.

Three measurements, apart from the command benchmark (``python -m bench``), on a fresh database each:

- ``load-titles`` of a generated anime-offline-database release (40,000 entries; 4,000 with ``--quick``), and a
  second load of the same file (which must change nothing);
- show-title autocomplete over that index plus the shipped catalogue (``CatalogueService.suggest_shows``, the code
  the autocomplete callback runs; the Discord round trip is not included): prefixes of titles as members type
  them, 2–12 characters, p50/p99;
- a burst of 50 members asking for 20 distinct unknown shows at once, against the fake AniList (loopback HTTP,
  AniList's own limit of 30 a minute enforced): the requests sent by kind, whether any was refused (429), and
  the slowest member's wait.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.anilist import AniListClient, make_http_client
from bot.anilist.enrich import AniListEnricher
from bot.catalogue.files import load_shipped_catalogue
from bot.catalogue.service import Caller, CatalogueService
from bot.catalogue.store import CatalogueStore
from bot.catalogue.title_store import TitleStore
from bot.catalogue.titles import file_digest, read_release
from bot.core.database import Database
from bot.errors import KansouError
from tests.fakes.anilist_server import FakeAniList
from tests.fakes.offline_titles import release, write_json

FULL_TITLES = 40_000
QUICK_TITLES = 4_000
SAMPLES = 2_000
MEMBERS = 50
SHOWS = 20


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def load_and_complete(folder: Path, titles: int, samples: int) -> list[str]:
    """Time load-titles (twice) and autocomplete over the loaded index."""
    lines = []
    document = release(titles, first_id=2_000_000)
    path = write_json(folder / "anime-offline-database.json", document)
    async with await Database.open(folder / "titles.sqlite3") as db:
        store = CatalogueStore(db)
        await load_shipped_catalogue(store, None)
        index = TitleStore(db)
        t = time.perf_counter()
        first = await index.load(read_release(path))
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        second = await index.loaded(file_digest(path)) or await index.load(read_release(path))
        again_s = time.perf_counter() - t
        lines.append(f"load-titles, {titles:,} entries ({path.stat().st_size / 2**20:.1f} MiB): {load_s:.2f} s "
                     f"({first.describe()})")
        lines.append(f"second load of the same file (as `kansou catalogue load-titles` does it): {again_s:.2f} s — "
                     f"{second.describe()}")
        service = CatalogueService(store, None, index)
        rng = random.Random(14)
        names = [e["title"] for e in document["data"]] + [s for e in document["data"] for s in e["synonyms"]]
        typed = [name[: rng.randint(2, 12)] for name in rng.choices(names, k=samples)]
        for text in typed[:50]:  # warm the page cache and the statement cache
            await service.suggest_shows(text)
        times = []
        empty = 0
        for text in typed:
            t = time.perf_counter()
            found = await service.suggest_shows(text)
            times.append((time.perf_counter() - t) * 1000)
            empty += not found
        lines.append(f"autocomplete over {await index.count():,} titles + the shipped catalogue, {samples:,} "
                     f"prefixes: p50 {statistics.median(times):.2f} ms, p99 {_p(times, 0.99):.2f} ms, "
                     f"max {max(times):.2f} ms ({empty} with no suggestion)")
    return lines


async def burst(folder: Path) -> list[str]:
    """50 members, 20 unknown shows, all at once, through the one resolve path."""
    async with FakeAniList(seed=False, limit_per_minute=30) as fake:
        titles = [f"Burst Show {n:02d}" for n in range(SHOWS)]
        for n, title in enumerate(titles):
            fake.add_anime(980000 + n, title, episodes=12, year=2026)
        async with await Database.open(folder / "burst.sqlite3") as db, make_http_client(10.0) as http:
            client = AniListClient(http, url=fake.url, per_minute=25)
            store = CatalogueStore(db)
            service = CatalogueService(store, AniListEnricher(client, store, member_cooldown=3.0), TitleStore(db))

            async def member(n: int) -> tuple[float, str]:
                t = time.perf_counter()
                try:
                    await service.show(titles[n % SHOWS], Caller(key=("bench", n)))
                    outcome = "answered"
                except KansouError as exc:
                    outcome = type(exc).__name__
                return time.perf_counter() - t, outcome

            results = await asyncio.gather(*(member(n) for n in range(MEMBERS)))
        counts = fake.counts()
        refused = sum(1 for r in fake.requests if r.status == 429)
        outcomes: dict[str, int] = {}
        for _, outcome in results:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return [
            f"burst: {MEMBERS} members, {SHOWS} unknown shows: {counts.get('SearchAnime', 0)} searches, "
            f"{counts.get('FetchAnime', 0)} show fetches (credits pages included), {refused} answered 429 by "
            f"AniList; outcomes {outcomes}; slowest member {max(r[0] for r in results):.2f} s "
            "(the bot's limiter allows 25 a minute: members past it are told when to try again)",
        ]


async def main_async(quick: bool) -> None:
    """Run the three measurements and print them."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = await load_and_complete(folder, QUICK_TITLES if quick else FULL_TITLES, SAMPLES // (10 if quick else 1))
        lines += await burst(folder)
    for line in lines:
        print(line)


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.titles [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.titles", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4,000 titles and 200 autocomplete samples")
    args = parser.parse_args(argv)
    asyncio.run(main_async(args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
