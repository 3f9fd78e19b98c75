"""Build a realistic, large kansou database for the benchmarks, deterministically from a seed.

The file is a real kansou database: :meth:`bot.core.database.Database.open` creates it (so the migrations apply)
and the shipped catalogue is loaded by the app's own loader. Everything else is bulk-inserted through one
plain ``sqlite3`` connection in one transaction, with rows exactly as the app writes them: the ``name``
table's ``norm`` is :func:`bot.core.names.normalize` and its FTS index holds exactly what the schema's
triggers would put there (rebuilt once from the table, which is much faster than row by row);
ratings go through the app's own upsert statement into ``rating``, so the tally triggers maintain
``rating_tally`` and ``rating_show``; reviews are numbered per server with ``review_counter`` and the
message each was posted as.

Built files are cached under ``bench/_data/`` (gitignored), keyed by seed, scale and schema version.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.names import LANGUAGES_DUBBED, STAFF_ROLES, STUDIOS, NameMaker
from bench.world import Scale, actor_id, channel_id, guild_id
from bot.catalogue.files import load_shipped_catalogue
from bot.catalogue.models import AnimeEntry, CharacterEntry, PersonEntry
from bot.catalogue.store import CatalogueStore, anime_names, entity_names
from bot.core.database import Database
from bot.core.migrations import latest_version
from bot.core.names import normalize
from bot.ratings.store import _UPSERT as RATING_UPSERT
from sandbox.ids import snowflake_at

GENERATOR_VERSION = 3
DATA_DIR = Path(__file__).resolve().parent / "_data"
NOW = 1_767_225_600.0  # 2026-01-01: the data's "now", so a seed always gives the same file
DAY = 86_400.0
ANILIST_BASE = 900_000  # AniList-style ids of generated entities start here
MEMBER_BASE = 400_000_000_000_000_000  # synthetic member ids (18 digits, like Discord's)

Log = Callable[[str], None]


@dataclass(frozen=True)
class Built:
    """A built database and what is in it."""

    path: Path
    seed: int
    scale: str
    seconds: float
    counts: dict[str, int]
    cached: bool = False


def cache_path(scale: Scale, seed: int, directory: Path = DATA_DIR) -> Path:
    """Where the database for this seed and scale is cached."""
    return directory / f"kansou-bench-{scale.name}-seed{seed}-g{GENERATOR_VERSION}-m{latest_version()}.sqlite3"


def build(scale: Scale, seed: int = 1, *, directory: Path = DATA_DIR, rebuild: bool = False,
          log: Log = print) -> Built:
    """The cached database for ``scale`` and ``seed``, built first when missing (or when ``rebuild``)."""
    path = cache_path(scale, seed, directory)
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists() and not rebuild:
        meta = json.loads(meta_path.read_text())
        return Built(path, seed, scale.name, float(meta["seconds"]), dict(meta["counts"]), cached=True)
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"), Path(f"{partial}-journal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    counts = generate(partial, scale, seed, log=log)
    seconds = time.perf_counter() - started
    os.replace(partial, path)
    meta_path.write_text(json.dumps({"seconds": seconds, "counts": counts, "scale": asdict(scale), "seed": seed}))
    log(f"built {path.name} in {seconds:.1f} s")
    return Built(path, seed, scale.name, seconds, counts)


async def _prepare(path: Path) -> None:
    """The app creates the file: migrations, then the shipped catalogue through its own loader."""
    async with await Database.open(path) as db:
        await load_shipped_catalogue(CatalogueStore(db))


def _zipf_cum(n: int, offset: float, power: float = 1.0) -> list[float]:
    """Cumulative weights 1/(rank+offset)^power for ranks 0..n-1 (for random.choices)."""
    return list(itertools.accumulate(1.0 / (r + offset) ** power for r in range(n)))


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders, so the parts add up exactly)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: parts[i] - exact[i])[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _distinct(rng: random.Random, cum: list[float], k: int) -> list[int]:
    """``k`` distinct indices drawn with the weights behind ``cum``."""
    chosen: dict[int, None] = {}
    n = len(cum)
    k = min(k, n)
    while len(chosen) < k:
        for i in rng.choices(range(n), cum_weights=cum, k=(k - len(chosen)) * 2 + 4):
            chosen.setdefault(i)
            if len(chosen) >= k:
                break
    return list(chosen)


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def generate(path: Path, scale: Scale, seed: int, *, log: Log = print) -> dict[str, int]:
    """Build the database at ``path`` (which must not exist); the row counts of its tables."""
    t0 = time.perf_counter()

    def step(what: str) -> None:
        log(f"  [{time.perf_counter() - t0:6.1f} s] {what}")

    asyncio.run(_prepare(path))
    rng = random.Random(seed)
    names = NameMaker(rng)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # a one-off bulk load: no WAL copy of every page
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -2000000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE")
        catalogue = _catalogue(conn, scale, rng, names, step)
        _ratings_and_reviews(conn, scale, rng, names, catalogue, step)
        conn.execute("COMMIT")
        step("committed")
        conn.execute("PRAGMA journal_mode = WAL")  # as the app keeps it
        counts = {
            table: int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            for (table,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE '%fts%' ORDER BY name"
            ).fetchall()
        }
    finally:
        conn.close()
    step("done: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


@dataclass
class _Catalogue:
    anime_ids: list[int]  # by generation order
    popularity_cum: list[float]  # cumulative popularity weights, aligned with anime_ids
    episodes: list[int | None]
    quality: list[float]


def _catalogue(conn: sqlite3.Connection, scale: Scale, rng: random.Random, names: NameMaker,
               step: Log) -> _Catalogue:
    """Shows, people, characters and credits, stored as if each show had been imported on its own.

    A catalogue grows one AniList import at a time, and each import stores a bundle (its new people, its new
    characters, then the show), so ids and name rows interleave show by show; people and characters no
    show credits come last, as from a hand-written catalogue file.
    """
    fetched = [NOW - rng.uniform(0, 6 * DAY) for _ in range(64)]
    # -- people: Japanese voice actors, dub voice actors, staff --------------------------------------------
    n_jp = max(4, scale.people * 8 // 100)
    n_dub = max(2, scale.people * 3 // 100)
    people: list[PersonEntry] = []
    for i in range(scale.people):
        key = f"anilist:staff:{ANILIST_BASE + i}"
        if n_jp <= i < n_jp + n_dub:
            people.append(PersonEntry(key, names.dub_actor(), anilist_id=ANILIST_BASE + i))
        else:
            name, native, aliases = names.japanese()
            people.append(PersonEntry(key, name, native if rng.random() < 0.9 else None, tuple(aliases),
                                      anilist_id=ANILIST_BASE + i))
    # -- characters ------------------------------------------------------------------------------------
    characters: list[CharacterEntry] = []
    for i in range(scale.characters):
        key = f"anilist:character:{ANILIST_BASE + i}"
        roll = rng.random()
        if roll < 0.18:
            characters.append(CharacterEntry(key, names.western(), anilist_id=ANILIST_BASE + i))
        elif roll < 0.23:
            given, given_k = names.given()
            characters.append(CharacterEntry(key, given, given_k, anilist_id=ANILIST_BASE + i))
        else:
            name, native, aliases = names.japanese()
            characters.append(CharacterEntry(key, name, native if rng.random() < 0.85 else None, tuple(aliases),
                                             anilist_id=ANILIST_BASE + i))
    # -- shows -----------------------------------------------------------------------------------------
    shows: list[AnimeEntry] = []
    seen: set[str] = set()
    formats = ["TV"] * 14 + ["MOVIE"] * 2 + ["OVA", "ONA", "TV_SHORT"]
    for i in range(scale.shows):
        while True:
            romaji, english, native = names.title()
            if romaji not in seen and english not in seen:
                break
            romaji += f" {rng.choice(['Ni', 'San', 'Zero', 'Plus', 'Next'])}"
            if romaji not in seen:
                break
        seen.update((romaji, english))
        fmt = rng.choice(formats)
        episodes: int | None = {
            "TV": rng.choice([12, 12, 12, 13, 13, 24, 25, 26, 50]), "MOVIE": 1, "OVA": rng.randint(1, 6),
            "ONA": rng.randint(6, 24), "TV_SHORT": rng.randint(12, 24),
        }[fmt]
        if rng.random() < 0.03:
            episodes = None  # still airing
        initials = "".join(w[0] for w in romaji.split() if w[0].isalpha()).upper()
        show_aliases = (initials,) if rng.random() < 0.1 else ()
        shows.append(AnimeEntry(
            f"anilist:anime:{ANILIST_BASE + i}", romaji, english if rng.random() < 0.75 else None,
            native if rng.random() < 0.9 else None, show_aliases, rng.choice(STUDIOS), episodes,
            int(2025 - min(44, rng.expovariate(1 / 8))), fmt, anilist_id=ANILIST_BASE + i,
        ))
    step(f"{len(people):,} people, {len(characters):,} characters, {len(shows):,} shows drawn")
    # -- credits, by list index ----------------------------------------------------------------------------
    order = list(range(scale.shows))
    rng.shuffle(order)  # order[rank] = show index: popularity is unrelated to id
    rank = [0] * scale.shows
    for r, show in enumerate(order):
        rank[show] = r
    popularity = [1.0 / (rank[i] + 3) for i in range(scale.shows)]
    cast_sizes = _split(scale.characters, [p**0.25 for p in popularity])  # ~50 to ~400 characters
    jp_cum = _zipf_cum(n_jp, 100)
    dub_cum = _zipf_cum(n_dub, 60)
    staff_pool = list(range(n_jp + n_dub, scale.people))
    staff_cum = _zipf_cum(len(staff_pool), 30)
    voice_by_show: list[list[tuple[int, int, str, str | None]]] = []  # (character, person, language, note)
    staff_by_show: list[list[tuple[int, str]]] = []  # (person, role), in credit order
    notes = ["young", "child", "episodes 1-3", "singing voice", "flashback"]
    next_character = 0
    for i in range(scale.shows):
        cast = list(range(next_character, next_character + cast_sizes[i]))
        next_character += cast_sizes[i]
        if rng.random() < 0.3 and next_character > 50:  # a sequel or crossover brings back earlier characters
            cast += rng.sample(range(next_character - cast_sizes[i]), min(rng.randint(1, 6), next_character // 2))
        voice: list[tuple[int, int, str, str | None]] = []
        for character, actor in zip(cast, rng.choices(range(n_jp), cum_weights=jp_cum, k=len(cast)), strict=True):
            voice.append((character, actor, "japanese", rng.choice(notes) if rng.random() < 0.02 else None))
        if rng.random() < (0.6 if rank[i] < scale.shows * 0.3 else 0.1):
            language = rng.choice(LANGUAGES_DUBBED)
            dubbed = cast[: max(4, len(cast) // 3)]
            for character, actor in zip(dubbed, rng.choices(range(n_dub), cum_weights=dub_cum, k=len(dubbed)),
                                        strict=True):
                voice.append((character, n_jp + actor, language, None))
        staff: list[tuple[int, str]] = []
        credited: set[tuple[int, str]] = set()
        for role, count in STAFF_ROLES:
            pool_cum, pool = (jp_cum, range(n_jp)) if role == "Theme Song Performance" else (staff_cum, staff_pool)
            wanted = max(1, round(count * (0.5 + 1.5 * popularity[i] * 3))) if count > 1 else 1
            for person in rng.choices(range(len(pool)), cum_weights=pool_cum, k=wanted):
                credit = (pool[person], role)
                if credit not in credited:
                    credited.add(credit)
                    staff.append(credit)
        voice_by_show.append(voice)
        staff_by_show.append(staff)
    # -- ids and name rows in import order: each show's new people, new characters, then the show ----------
    person_base, character_base, anime_base = (_next_id(conn, t) for t in ("person", "character", "anime"))
    person_id: dict[int, int] = {}
    character_id: dict[int, int] = {}
    norm = functools.lru_cache(maxsize=None)(normalize)  # the same function, many names repeat
    name_rows: list[tuple[str, int, str, str, int]] = []

    def add_person(index: int) -> None:
        if index not in person_id:
            person_id[index] = pid = person_base + len(person_id)
            name_rows.extend(("person", pid, n, norm(n), int(a)) for n, a in entity_names(people[index]))

    def add_character(index: int) -> None:
        if index not in character_id:
            character_id[index] = cid = character_base + len(character_id)
            name_rows.extend(("character", cid, n, norm(n), int(a)) for n, a in entity_names(characters[index]))

    for i, entry in enumerate(shows):  # people first, then characters, then the show (as load_bundle)
        for _, person, _, _ in voice_by_show[i]:
            add_person(person)
        for person, _ in staff_by_show[i]:
            add_person(person)
        for character, _, _, _ in voice_by_show[i]:
            add_character(character)
        name_rows.extend(("anime", anime_base + i, n, norm(n), int(a)) for n, a in anime_names(entry))
    for index in range(len(people)):
        add_person(index)
    for index in range(len(characters)):
        add_character(index)
    by_person_id = sorted(person_id, key=person_id.__getitem__)
    conn.executemany(
        "INSERT INTO person (id, key, anilist_id, name, native, note, source, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'anilist', ?)",
        [(person_id[i], p.key, p.anilist_id, p.name, p.native, p.note, fetched[i % 64])
         for i in by_person_id for p in [people[i]]],
    )
    conn.executemany(
        "INSERT INTO character (id, key, anilist_id, name, native, note, source) "
        "VALUES (?, ?, ?, ?, ?, ?, 'anilist')",
        [(character_id[i], c.key, c.anilist_id, c.name, c.native, c.note)
         for i in sorted(character_id, key=character_id.__getitem__) for c in [characters[i]]],
    )
    conn.executemany(
        "INSERT INTO anime (id, key, anilist_id, title_romaji, title_english, title_native, studio, episodes, "
        "year, format, note, source, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'anilist', ?)",
        [(anime_base + i, a.key, a.anilist_id, a.title_romaji, a.title_english, a.title_native, a.studio,
          a.episodes, a.year, a.format, a.note, fetched[i % 64]) for i, a in enumerate(shows)],
    )
    step(f"{len(name_rows):,} names normalised; people, characters and shows inserted")
    # The FTS index: its insert trigger indexes one name at a time (over a minute for 800k names); rebuilding
    # it from the name table once gives the same index content (checked by the smoke test's FTS
    # integrity-check), then the trigger is put back exactly as the migration wrote it.
    (trigger_sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'name_ai'"
    ).fetchone()
    conn.execute("DROP TRIGGER name_ai")
    conn.executemany(
        "INSERT OR IGNORE INTO name (kind, entity_id, name, norm, is_alias) VALUES (?, ?, ?, ?, ?)",
        [row for row in name_rows if row[3]],
    )
    conn.execute(trigger_sql)
    conn.execute("INSERT INTO name_fts (name_fts) VALUES ('rebuild')")
    step("names inserted, FTS index rebuilt")
    conn.executemany(
        "INSERT INTO staff_role (anime_id, person_id, role) VALUES (?, ?, ?)",
        [(anime_base + i, person_id[p], role) for i, staff in enumerate(staff_by_show) for p, role in staff],
    )
    voice_rows = sorted(
        (anime_base + i, character_id[c], person_id[p], language, note)
        for i, voice in enumerate(voice_by_show) for c, p, language, note in voice
    )
    conn.executemany(
        "INSERT INTO voice_role (anime_id, character_id, person_id, language, note) VALUES (?, ?, ?, ?, ?)",
        voice_rows,
    )
    step(f"{len(voice_rows):,} voice roles, {sum(map(len, staff_by_show)):,} staff roles")
    quality = [min(4.7, max(1.8, rng.gauss(3.3, 0.45))) for _ in range(scale.shows)]
    return _Catalogue([anime_base + i for i in range(scale.shows)], list(itertools.accumulate(popularity)),
                      [s.episodes for s in shows], quality)


def _ratings_and_reviews(conn: sqlite3.Connection, scale: Scale, rng: random.Random, names: NameMaker,
                         catalogue: _Catalogue, step: Log) -> None:
    # Every server's categories: the defaults (guild 0's rows).
    categories = [str(k) for (k,) in conn.execute(
        "SELECT key FROM rating_category WHERE guild_id = 0 ORDER BY position")]
    server_weights = [1.0 / (s + 1) for s in range(scale.servers)]
    rating_targets = _split(scale.ratings, server_weights)
    review_targets = _split(scale.reviews, server_weights)
    offsets = [[rng.gauss(0, 0.25) for _ in categories] for _ in catalogue.anime_ids]
    ratings: list[tuple[int, int, int, str, int, float]] = []
    pairs_by_server: list[list[tuple[int, int]]] = []
    next_member = MEMBER_BASE
    power_users = [400, 200, 100, 50]
    for server in range(scale.servers):
        gid = guild_id(server)
        target = rating_targets[server]
        rows: list[tuple[int, int, int, str, int, float]] = []
        pairs: list[tuple[int, int]] = []
        member_index = 0
        while len(rows) < target:
            if member_index < scale.actors:
                member = actor_id(member_index)
                k = power_users[member_index] if server == 0 and member_index < len(power_users) else 0
            else:
                member, next_member = next_member, next_member + 1
                k = 0
            member_index += 1
            if not k:
                k = max(1, min(len(catalogue.anime_ids) // 4, int(rng.paretovariate(1.4) * 4)))
            k = min(k, len(catalogue.anime_ids))
            bias = rng.gauss(0, 0.3)
            for show in sorted(_distinct(rng, catalogue.popularity_cum, k)):
                anime_id = catalogue.anime_ids[show]
                pairs.append((member, show))
                rated = categories if rng.random() < 0.5 else sorted(rng.sample(categories, rng.randint(1, 4)))
                for category in rated:
                    c = categories.index(category)
                    vote = catalogue.quality[show] + bias + offsets[show][c] + rng.gauss(0, 0.6)
                    stored = min(10, max(2, round(vote * 2)))
                    rows.append((gid, member, anime_id, category, stored, NOW - rng.uniform(0, 365 * DAY)))
        del rows[target:]
        ratings += rows
        pairs_by_server.append(pairs)
    ratings.sort()
    step(f"{len(ratings):,} ratings drawn")
    conn.executemany(RATING_UPSERT, ratings)  # the app's own upsert: the tally triggers do the rest
    step("ratings inserted (tallies by trigger)")
    del ratings
    review_id = _next_id(conn, "review")
    reviews: list[tuple[object, ...]] = []
    messages: list[tuple[int, int, int]] = []
    counters: list[tuple[int, int]] = []
    for server in range(scale.servers):
        gid, cid = guild_id(server), channel_id(server)
        pairs = list(dict.fromkeys(pairs_by_server[server]))
        chosen = rng.sample(pairs, min(review_targets[server], len(pairs)))
        stamps = sorted(NOW - rng.uniform(0, 365 * DAY) for _ in chosen)
        for number, ((member, show), created) in enumerate(zip(chosen, stamps, strict=True), start=1):
            title, body, warnings = names.review_text()
            episodes = catalogue.episodes[show]
            spoilers = rng.random() < 0.7
            through = rng.randint(1, episodes) if spoilers and episodes and rng.random() < 0.5 else None
            edited = created + rng.uniform(60, 30 * DAY) if rng.random() < 0.08 else None
            reviews.append((review_id, gid, number, catalogue.anime_ids[show], member, cid, title, body, warnings,
                            int(spoilers), through, created, edited))
            messages.append((review_id, 0, snowflake_at(int(created * 1000) + 500, number)))
            review_id += 1
        if chosen:
            counters.append((gid, len(chosen)))
    conn.executemany(
        "INSERT INTO review (id, guild_id, number, anime_id, author_id, channel_id, title, body, warnings, spoilers, "
        "through_episode, created_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        reviews,
    )
    conn.executemany("INSERT INTO review_message (review_id, position, message_id) VALUES (?, ?, ?)", messages)
    conn.executemany("INSERT INTO review_counter (guild_id, last_number) VALUES (?, ?)", counters)
    step(f"{len(reviews):,} reviews")
