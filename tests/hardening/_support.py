"""Shared by the hardening tests: a sandbox on an event loop of its own, hostile inputs, and the checks every
answer must pass (answered in time, within Discord's limits, no ping, no spoiler leak, no ERROR, sound DB)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import strategies as st

from bot.config import Settings
from bot.ratings.models import MAX_HALVES, MIN_HALVES
from sandbox import InteractionResult, Sandbox, SandboxConfig, SandboxMessage, running_sandbox
from sandbox.kansou import kansou_bot_factory
from tests.helpers.discord_markdown import MODES, plain, render

T = TypeVar("T")

# The settings of tests/cogs/conftest.py: no cooldowns, no AniList unless a test brings its fake.
HARDENING_SETTINGS = Settings.from_env({
    "ANILIST_API_URL": "off",
    "KANSOU_REVIEW_COOLDOWN": "0",
    "KANSOU_RATE_COOLDOWN": "0",
    "KANSOU_LOOKUP_COOLDOWN": "0",
})

OPTION_CAP = 6000  # Discord's client sends at most 6000 characters in a string option
APOLOGY_START = "Sorry — something went wrong"

# What the hardening tests counted, shown in the terminal summary (see conftest.py) and with ``-s``.
TALLY: Counter[str] = Counter()
NOTES: list[str] = []


# -- a sandbox on a loop of our own --------------------------------------------------------------------------


class LoopSandbox:
    """kansou connected to the stand-in, on an event loop this object owns, so sync (hypothesis) tests can drive it.

    The loop only runs inside :meth:`run`; between calls everything (bot, stand-in) simply waits.
    """

    def __init__(self, db_path: Path, settings: Settings = HARDENING_SETTINGS,
                 config: SandboxConfig | None = None) -> None:
        self.db_path = db_path
        self.settings = settings
        self.config = config
        self.loop = asyncio.new_event_loop()
        self._context: AbstractAsyncContextManager[Sandbox] | None = None
        self.sandbox: Sandbox | None = None
        self.extra: list[AbstractAsyncContextManager[Any]] = []

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run one coroutine on the sandbox's loop."""
        return self.loop.run_until_complete(awaitable)

    def enter(self, context: AbstractAsyncContextManager[T]) -> T:
        """Enter an async context (a fake AniList…) on this loop; it is left in :meth:`close`."""
        value = self.run(context.__aenter__())
        self.extra.append(context)
        return value

    def start(self, settings: Settings | None = None) -> Sandbox:
        """Start the stand-in and the bot (``settings`` override the ones given at construction)."""
        if settings is not None:
            self.settings = settings
        self._context = running_sandbox(kansou_bot_factory(self.settings, self.db_path), config=self.config)
        self.sandbox = self.run(self._context.__aenter__())
        self.run(self.sandbox.wait_for_commands(None))
        return self.sandbox

    def close(self) -> None:
        """Stop the bot, the stand-in and anything entered, then close the loop."""
        try:
            if self._context is not None:
                self.run(self._context.__aexit__(None, None, None))
            for context in reversed(self.extra):
                self.run(context.__aexit__(None, None, None))
            # What asyncio.run does: cancel what is left (views' timeout tasks…) and let it finish.
            left = asyncio.all_tasks(self.loop)
            for task in left:
                task.cancel()
            if left:
                self.run(asyncio.gather(*left, return_exceptions=True))
            self.run(self.loop.shutdown_asyncgens())
        finally:
            self.loop.close()

    @property
    def sb(self) -> Sandbox:
        """The running sandbox."""
        assert self.sandbox is not None, "start() first"
        return self.sandbox


def settings_with(**overrides: Any) -> Settings:
    """The hardening settings with some fields replaced."""
    return replace(HARDENING_SETTINGS, **overrides)


# -- hostile input -------------------------------------------------------------------------------------------

_WORLD = SandboxConfig.default()
_CLUB = _WORLD.guild("Anime Club")
ALICE_ID, BOB_ID = _WORLD.user("alice").id, _WORLD.user("bob").id
ROLE_ID = _CLUB.role("Reviewers").id
CHANNEL_ID = _CLUB.channel("general").id

FRAGMENTS: tuple[str, ...] = (
    # blank, control and line-break characters
    "", " ", "\t", "\n", "\n\n", "\r\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029", "\x00", "\x07", "\x1b[31m",
    "\x7f", "\u3000",
    # zero-width and invisible characters
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u115f", "\u3164", "\U000e0041",
    "\ufe0f\ufe0f\ufe0f",
    # right-to-left marks, embeddings, overrides and isolates
    "\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
    "\u2069", "\u202eesrever\u202c", "مرحبا", "שלום",
    # combining characters
    "e\u0301", "\u0301\u0302\u0303\u0304\u0305", "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358", "\u20dd",
    "a" + "\u0300" * 40,
    # emoji
    "🙂", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "🇯🇵", "🇯", "❤\ufe0f", "👍🏽",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    # markdown, code fences and spoilers
    "**", "*", "__", "_", "~~", "`", "``", "```", "```py\n", "\n```\n", "||", "|", "|||", "\\", "\\|", "\\\\",
    "# ", "## ", "-# ", "> ", ">>> ", "- ", "* ", "1. ", "[x](https://example.com)", "https://example.com/a||b",
    "<https://example.com>", ":smile:", "<:kansou:123456789012345678>", "<a:spin:123456789012345678>", "<t:0:R>",
    "¯\\_(ツ)_/¯",
    # mentions
    "@everyone", "@here", "@EveryOne", "@\u200beveryone", "@every\u200done", f"<@{ALICE_ID}>", f"<@!{BOB_ID}>",
    f"<@&{ROLE_ID}>", f"<#{CHANNEL_ID}>", "<@&123456789012345678>", "<@123456789012345678>", "</review write:1>",
    # SQL and format-string metacharacters
    "'", '"', ";", "--", "/*", "*/", "%", "%%", "_", "' OR '1'='1", "'; DROP TABLE rating; --",
    '"); DELETE FROM review; --', "NULL", "\\0", "%s", "{0}", "{}", "${x}", "AND", "NEAR", "\"*\"", "^", "*:",
    # the autocomplete id form, and numbers
    "id:", "id:1", "id:0", "id:-1", "id:01", "id: 1", "ID:1", "id:99999999999999999999", "id:9223372036854775808",
    "id:²", "id:١", "id:1.5", "NaN", "inf", "-0", "1e309", "0x10",
    # real names, for near misses
    "Metallic Rouge", "metallic", "Naomi Orthmann", "Tomoyo Kurosawa", "Shimamura Yu", "Yū", "Ōmae", "Tsuda",
    "Kenjiro Tsuda", "月見", "ナオミ", "感想", "Sound! Euphonium", "RWBY", "Cowboy Bebop",
)
# Units repeated to build the longest inputs.
LONG_UNITS: tuple[str, ...] = ("x", "|", "||", "`", "\\", "@everyone ", "\u200b", "🙂", "e\u0301", "\u202e", "a b ",
                               "*_", "\n", "<@&123456789012345678>", "ñ", "' OR 1=1; --")
_ALPHABET = st.characters(codec="utf-8")  # no lone surrogates: they cannot reach the bot as JSON text


def _long(unit: str, length: int, cap: int) -> str:
    """``unit`` repeated to ``length`` characters, cut to ``cap`` (what Discord's client would let through)."""
    return (unit * (length // len(unit) + 1))[: min(length, cap)]


def hostile_text(cap: int = OPTION_CAP, *, min_size: int = 0) -> st.SearchStrategy[str]:
    """Hostile text of at most ``cap`` characters: fragments, random Unicode, and inputs at, under and past the cap."""
    mixed = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(_ALPHABET, max_size=8)), max_size=10).map("".join)
    sizes = sorted({cap, max(cap - 1, 0), 10_000, 201, 200, 100, 101})
    long = st.builds(_long, st.sampled_from(LONG_UNITS), st.sampled_from(sizes), st.just(cap))
    alone = st.sampled_from(FRAGMENTS)
    return st.one_of(alone, mixed, mixed, st.text(_ALPHABET, max_size=40), long).map(lambda s: s[:cap]).filter(
        lambda s: len(s) >= min_size)


def weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """Draw from one of the strategies with the given weights.

    ``st.one_of`` is no good for this: once a small strategy's few values have been tried, hypothesis draws
    from the big ones almost always, so "mostly a real show" would become "mostly hostile text".
    """
    total = sum(weight for weight, _ in choices)

    def pick(index: int) -> st.SearchStrategy[T]:
        for weight, strategy in choices:
            if index < weight:
                return strategy
            index -= weight
        raise AssertionError(index)

    return st.integers(0, total - 1).flatmap(pick)


CATALOGUE_SHOWS = 54  # shows in the shipped catalogue, ids 1..54

# A show a member may really pick: an autocomplete id (what Discord sends after a pick) or a typed title.
real_anime = st.one_of(
    st.integers(1, CATALOGUE_SHOWS).map(lambda i: f"id:{i}"),
    st.sampled_from(["Metallic Rouge", "Sound! Euphonium 2", "Cowboy Bebop", "Spirited Away", "RWBY: Ice Queendom",
                     "Too Cute Crisis", "metallic rouge", "houseki no kuni", "Land of the Lustrous"]),
)


def anime_query() -> st.SearchStrategy[str]:
    """What a member may type for a show: mostly a real one (so the deep paths run), else hostile text."""
    return weighted((2, real_anime), (1, hostile_text()))


# -- the checks every answer must pass -----------------------------------------------------------------------

# The only mentions the bot writes on purpose (cogs/reviews.py): the review header's author, "<@id> hasn't
# reviewed…", and the channel of a post it could not update. Any other mention in a reply came from input.
_BOT_MENTIONS = re.compile(r"^by <@\d+>$|^<@\d+>(?= hasn't reviewed )|(?<=its post in )<#\d+>"
                           r"|(?<=:R> )<@\d+>(?= — \*\*)|^<@\d+>(?='s progress$)", re.MULTILINE)
# (who changed a setting, in /settings' log; whose progress /progress show lists)


@dataclass
class Expect:
    """The user and channel ids the bot may mention on purpose (its own members and channels)."""

    user_ids: set[int] = field(default_factory=set)
    channel_ids: set[int] = field(default_factory=set)


def world_expect(sandbox: Sandbox) -> Expect:
    """Mentions of the sandbox's own members and channels, where the bot writes them (``by <@author>``)."""
    return Expect({u.id for u in sandbox.config.users},
                  {c.id for g in sandbox.config.guilds for c in g.channels})


def visible_texts(message: SandboxMessage) -> list[str]:
    """The message texts Discord renders as markdown: content, embed descriptions and field values."""
    texts = [message.content or ""]
    for embed in message.embeds:
        texts.append(str(embed.get("description") or ""))
        texts += [str(f.get("value") or "") for f in embed.get("fields") or []]
    return [t for t in texts if t]


def all_text(result: InteractionResult) -> str:
    """Every text of the reply (content, embed title/description/fields/footer/author)."""
    parts: list[str] = []
    for message in result.messages:
        parts.append(message.content or "")
        for embed in message.embeds:
            parts += [str(embed.get("title") or ""), str(embed.get("description") or ""),
                      str((embed.get("footer") or {}).get("text") or ""),
                      str((embed.get("author") or {}).get("name") or "")]
            for item in embed.get("fields") or []:
                parts += [str(item.get("name") or ""), str(item.get("value") or "")]
    return "\n".join(parts)


def mention_problems(message: SandboxMessage, expect: Expect) -> list[str]:
    """Pings, and anything Discord would render as a mention other than the ones the bot writes on purpose."""
    problems = [f"ping {p}" for p in message.pings]
    for text in visible_texts(message):
        for found in _BOT_MENTIONS.finditer(text):
            ident = int(re.sub(r"\D", "", found.group(0)))
            if ident not in (expect.channel_ids if "#" in found.group(0) else expect.user_ids):
                problems.append(f"mentions an unknown id: {found.group(0)}")
        rest = _BOT_MENTIONS.sub("", text)
        for mode in MODES:
            runs = "".join(r.char if "mention" in r.marks else "\0" for r in render(rest, mode=mode)).split("\0")
            problems += [f"renders as a mention ({mode}): {run[:80]!r}" for run in runs if run]
    return problems


def check_answer(result: InteractionResult, expect: Expect, *, what: str = "") -> None:
    """Answered within 3 s, nothing Discord would refuse, no ERROR logged, no ping, no apology for a bug."""
    label = f"{what or result.label}"
    assert result.acknowledged and not result.timed_out, f"{label}: not answered in time"
    assert not result.violations, f"{label}: {[str(v) for v in result.violations]}"
    assert not result.log_errors, f"{label}: {result.errors}"
    for message in [*result.messages, *result.other_messages]:
        problems = mention_problems(message, expect)
        assert not problems, f"{label}: {problems}"
    assert APOLOGY_START not in all_text(result), f"{label}: the bot apologised for a bug"


def spoiler_leaks(message: SandboxMessage) -> list[str]:
    """For a review whose body must be hidden: any body text that renders outside a spoiler.

    The first embed's description is the header (author, scope, warnings, note), a blank line, then the body;
    later embeds hold body only. Outside spoilers, only the header may show.
    """
    leaks: list[str] = []
    for index, embed in enumerate(message.embeds):
        description = str(embed.get("description") or "")
        header = description.partition("\n\n")[0] if index == 0 and description.startswith("by <@") else ""
        for mode in MODES:
            rendered = render(description, mode=mode)
            shown = "".join(r.char for r in rendered if not r.spoiler).strip()
            allowed = plain(render(header, mode=mode)).strip()
            if shown != allowed:
                leaks.append(f"embed {index} ({mode}) shows {shown[len(allowed):][:120]!r} outside the spoiler")
            if header and not any(r.spoiler for r in rendered) and description.strip() != header.strip():
                leaks.append(f"embed {index} ({mode}) has a body but no spoiler")
    return leaks


# -- the database ----------------------------------------------------------------------------------------------

_N = [f"n{s}" for s in range(MIN_HALVES, MAX_HALVES + 1)]


def read_only(path: Path) -> sqlite3.Connection:
    """A second, read-only connection to a kansou database (WAL: it sees every committed write)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def integrity(conn: sqlite3.Connection) -> str:
    """``PRAGMA integrity_check`` (and the foreign keys): "ok" when sound."""
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    bad_keys = conn.execute("PRAGMA foreign_key_check").fetchall()
    return "\n".join(rows) + (f"\nforeign key violations: {bad_keys[:5]}" if bad_keys else "")


def aggregate_mismatches(conn: sqlite3.Connection) -> list[str]:
    """Recount the rating aggregates from the raw votes; every difference from ``rating_tally``/``rating_show``."""
    counts = ", ".join(f"sum(score = {s})" for s in range(MIN_HALVES, MAX_HALVES + 1))
    recount = {tuple(r[:3]): tuple(r[3:]) for r in conn.execute(
        f"SELECT guild_id, anime_id, category, count(*), sum(score), {counts} FROM rating GROUP BY 1, 2, 3")}
    stored = {tuple(r[:3]): tuple(r[3:]) for r in conn.execute(
        f"SELECT guild_id, anime_id, category, votes, total, {', '.join(_N)} FROM rating_tally")}
    problems = [f"tally {key}: stored {stored.get(key)} != recount {recount.get(key)}"
                for key in sorted(set(recount) | set(stored), key=str) if recount.get(key) != stored.get(key)]
    voters = {tuple(r[:2]): r[2] for r in conn.execute(
        "SELECT guild_id, anime_id, count(DISTINCT member_id) FROM rating GROUP BY 1, 2")}
    averages: dict[tuple[int, int], list[float]] = {}
    for (guild, anime, _), (votes, total, *_) in recount.items():
        averages.setdefault((guild, anime), []).append(total / 2 / votes)
    shows = {tuple(r[:2]): (r[2], r[3]) for r in conn.execute(
        "SELECT guild_id, anime_id, voters, overall FROM rating_show")}
    for key in sorted(set(voters) | set(shows), key=str):
        expected = voters.get(key)
        got = shows.get(key)
        if got is None or expected is None or got[0] != expected:
            problems.append(f"show {key}: stored voters {got} != recount {expected}")
            continue
        mean = sum(averages[key]) / len(averages[key])
        if got[1] is None or abs(float(got[1]) - mean) > 1e-9:
            problems.append(f"show {key}: stored overall {got[1]} != recount {mean}")
    return problems


def check_database(path: Path) -> None:
    """The file passes ``integrity_check`` and every rating aggregate matches a recount of the votes."""
    conn = read_only(path)
    try:
        assert integrity(conn) == "ok", integrity(conn)
        problems = aggregate_mismatches(conn)
        assert not problems, problems[:10]
    finally:
        conn.close()


def markdown_table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A GitHub markdown table."""
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
