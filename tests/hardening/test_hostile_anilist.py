"""Hostile AniList: the fake serves markdown, masked links, mentions, spoiler bars, control characters, 2 MB names
and unknown enums, and every command that shows catalogue text shows it escaped (issue 12, item 1).

Every show, character and person the fake serves here carries its hostile text between two *sentinels*: a name
reads ``QKXMPTca <hostile text> QKXMPTcz`` (case code "KXMPT", field "c"; codes are random letters, so no two
cases' names are a typo apart and each name is found surely). Rendered with the markdown model of
``tests/helpers/discord_markdown.py`` (both of its spoiler modes), whatever lies between a name's sentinels must
carry no markup the sentinel itself does not (the template's own bold or italics) and no control character —
so nothing of the catalogue's text became a link, a mention, a spoiler, code, a heading…; and nothing anywhere in
a reply may render as a link, code, a spoiler, an emoji, a timestamp, a quote or a mention the bot did not mean.
The stand-in adds Discord's own rules (limits, 3 seconds) and counts pings.

One bot, one stand-in and one fake serve every case (about a minute for the default 1,000 cases);
``KANSOU_FUZZ_EXAMPLES=N`` runs 10 × N cases (N is per property in test_fuzz.py, where 100 is typical). The
cases come from a seeded generator, so a failure names its case and reproduces. The per-member AniList share is
tested elsewhere (tests/cogs/test_member_share.py): here it is set out of the way, as is the bot's whole budget.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import unicodedata
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.anilist.limiter import MemberShare
from bot.ui.client import KansouBot
from sandbox import InteractionResult, SandboxMessage
from tests.fakes.anilist_server import CastRow, FakeAniList, StaffRow, Voice
from tests.hardening._support import (
    FRAGMENTS,
    LONG_UNITS,
    TALLY,
    Expect,
    LoopSandbox,
    check_answer,
    check_database,
    settings_with,
    world_expect,
)
from tests.helpers.discord_markdown import MODES, RChar, render

_FLAG = os.environ.get("KANSOU_FUZZ_EXAMPLES", "").strip()
CASES = 10 * int(_FLAG) if _FLAG else 1000  # the flag is per property elsewhere, where ~100 is the default
SEED = 20261206

# Catalogue-specific hostility, on top of the suite's fragments.
HOSTILE: tuple[str, ...] = (
    "· 2024 · [click me](https://evil.example) @here", "[x](https://evil.example)", "[](<https://evil.example>)",
    "||spoiler||", "||", "|| ||", "@everyone", "@here", "<@&123456789012345678>", "<@123456789012345678>",
    "<#123456789012345678>", "</credits:1>", "**bold**", "__under__", "*it*", "~~gone~~", "`code`", "```x```",
    "# Heading", "-# small", "> quote", ">>> quote", "- item", "1. item", ":smile:", "<t:0:R>",
    "<a:x:123456789012345678>", "https://evil.example/a||b", "\x00\x01\x1b[31m\x7f", "\u202e\u2066",
    "\u200b@\u200beveryone", "\\", "\\*\\*", "&lt;@1&gt;",
)
UNKNOWN_ENUMS = ("· 2024 · [click me](https://evil.example) @here", "CM_SPOT", "TV_SHORT\x00", "||MOVIE||",
                 "<@&123456789012345678>", "", "MANGA", "x" * 5000)
LANGUAGES = ("Japanese", "English", "Japanese", "English", "Klingon", "[x](https://evil.example)", "@everyone", "")
TWO_MB = 2 * 1024 * 1024
_SENTINEL = re.compile(r"Q([A-Z]{5})([a-z])a(?![0-9A-Za-z])")
# Marks no reply of these commands writes itself: anywhere in a reply they came from the catalogue. (Inline code
# is the bot's own only around a command to copy, "`/rate`", and a score bar, "`1 █···█ 5`": checked apart.)
_FOREIGN = frozenset({"link", "emoji", "timestamp", "quote", "strike", "underline"})
_BOT_MENTIONS = re.compile(r"^by <@\d+>$|^<@\d+>(?= hasn't reviewed )|(?<=its post in )<#\d+>", re.MULTILINE)


def hostile(rng: random.Random, *, huge: bool = False) -> str:
    """A hostile piece of text: fragments of the suite and of the catalogue's own, sometimes long, or 2 MB."""
    if huge:
        unit = rng.choice(["||@everyone **x** ", "[a](https://e.example) ", "x", "`|` ", "🙂"])
        return (unit * (TWO_MB // len(unit) + 1))[:TWO_MB]
    pool = HOSTILE if rng.random() < 0.6 else FRAGMENTS
    parts = [rng.choice(pool) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.1:
        unit = rng.choice(LONG_UNITS)
        parts.append(unit * rng.randint(10, 300))
    return rng.choice(["", " "]).join(parts)


def code(case: int) -> str:
    """The case's code: five capital letters, the same on every run."""
    pick = random.Random(case)
    return "".join(pick.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(5))


def named(case: int, tag: str, text: str) -> str:
    """``text`` between the case's sentinels for field ``tag``."""
    return f"Q{code(case)}{tag}a {text} Q{code(case)}{tag}z"


@dataclass
class Stored:
    """What earlier cases put in the catalogue: what a member types to name it."""

    shows: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)


class HostileWorld:
    """The shared bot, stand-in and fake AniList, and the checks of every reply."""

    def __init__(self, box: LoopSandbox, fake: FakeAniList) -> None:
        self.box = box
        self.fake = fake
        self.expect: Expect = world_expect(box.sb)
        self.formats: dict[int, str] = {}
        self.stored = Stored()
        self.spans = 0
        fake.rewrite = self._rewrite

    def _rewrite(self, data: dict[str, Any]) -> None:
        """Serve each show's hostile format, which the fake's schema (an enum) could not carry."""
        stack: list[Any] = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if "format" in node and node.get("id") in self.formats:
                    node["format"] = self.formats[node["id"]]
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)

    def add_show(self, case: int, rng: random.Random) -> tuple[str, str, str]:
        """A new show on the fake, with a hostile character, voice actor, staff member and every text field; what
        a member types to find the show, the character and the person."""
        # A 2 MB name a few times a run, in one field (the answer stays under the 5 MB cap; the fake itself
        # searches its names slowly, so not more often).
        huge = case % 331 == 5
        which = rng.choice(["title", "character", "person"]) if huge else ""
        base = 800_000 + case * 10
        person_language = rng.choice(LANGUAGES)
        self.fake.add_staff(base + 1, named(case, "p", hostile(rng, huge=which == "person")),
                            native=named(case, "q", hostile(rng)) if rng.random() < 0.5 else None,
                            language=person_language or None)
        self.fake.add_staff(base + 2, named(case, "s", hostile(rng)), language="English")
        self.fake.add_character(base + 3, named(case, "c", hostile(rng, huge=which == "character")),
                                native=named(case, "d", hostile(rng)) if rng.random() < 0.5 else None)
        voice = Voice(base + 1, notes=named(case, "n", hostile(rng)) if rng.random() < 0.5 else None,
                      dub_group=named(case, "g", hostile(rng)) if rng.random() < 0.3 else None)
        self.fake.add_anime(
            base, named(case, "t", hostile(rng, huge=which == "title")),
            english=named(case, "e", hostile(rng)) if rng.random() < 0.6 else None,
            native=named(case, "v", hostile(rng)) if rng.random() < 0.5 else None,
            synonyms=[named(case, "y", hostile(rng))] if rng.random() < 0.3 else [],
            studio=named(case, "u", hostile(rng)) if rng.random() < 0.7 else None,
            episodes=rng.choice([None, 1, 12, 100_000]), year=rng.choice([None, 2024, 1917]),
            cast=[CastRow(base + 3, "MAIN", (voice, base + 2))],
            staff=[StaffRow(base + 2, named(case, "r", hostile(rng))), StaffRow(base + 1, "Director")],
        )
        self.formats[base] = rng.choice(UNKNOWN_ENUMS)
        return f"Q{code(case)}ta", f"Q{code(case)}ca", f"Q{code(case)}pa"

    # -- the checks ------------------------------------------------------------------------------------------

    def check(self, result: InteractionResult, what: str) -> InteractionResult:
        """The suite's checks, then: no markup from the catalogue, no control character, in any reply."""
        check_answer(result, self.expect, what=what)
        for message in [*result.messages, *result.other_messages]:
            problems = self.markdown_problems(message)
            assert not problems, f"{what}: {problems}"
        return result

    def check_choices(self, names: list[str], what: str) -> None:
        """Autocomplete choices: plain text, one line, no control character."""
        for name in names:
            assert not any(unicodedata.category(c) == "Cc" for c in name), f"{what}: {name[:200]!r}"
            self.spans += len(_SENTINEL.findall(name))

    def markdown_problems(self, message: SandboxMessage) -> list[str]:
        problems: list[str] = []
        texts = [message.content or "", *message.text_displays()]
        for embed in message.embeds:
            texts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
            for item in embed.get("fields") or []:
                texts += [str(item.get("name") or ""), str(item.get("value") or "")]
        plain_texts = [str((embed.get("footer") or {}).get("text") or "") for embed in message.embeds]
        plain_texts += [str((embed.get("author") or {}).get("name") or "") for embed in message.embeds]
        for text in plain_texts:
            if any(unicodedata.category(c) == "Cc" for c in text):
                problems.append(f"a control character in {text[:120]!r}")
        for text in texts:
            if not text:
                continue
            rest = _BOT_MENTIONS.sub("", text)
            for mode in MODES:
                chars = render(rest, mode=mode)
                problems += self._span_problems(chars, mode)
                foreign = {m for c in chars for m in c.marks} & _FOREIGN
                if foreign:
                    problems.append(f"{sorted(foreign)} ({mode}) in {text[:200]!r}")
                code = "".join(c.char if "code" in c.marks else "\0" for c in chars).split("\0")
                problems += [f"code ({mode}): {run[:80]!r}" for run in code
                             if run and not run.startswith("/") and re.search("[A-Za-z]", run)]
                if any(c.spoiler for c in chars):
                    problems.append(f"a spoiler ({mode}) in {text[:200]!r}")
                if any("mention" in c.marks for c in chars):
                    problems.append(f"a mention ({mode}) in {text[:200]!r}")
        return problems

    def _span_problems(self, chars: list[RChar], mode: str) -> list[str]:
        """Text between a name's sentinels adds no markup to the sentinel's own and holds no control character."""
        plain = "".join(c.char for c in chars)
        problems = []
        for found in _SENTINEL.finditer(plain):
            closing = f"Q{found.group(1)}{found.group(2)}z"
            ends = [i for i in (plain.find(closing, found.end()), plain.find("…", found.end()),
                                plain.find("\n", found.end())) if i != -1]
            end = min(ends) if ends else len(plain)
            base = chars[found.start()].marks
            self.spans += mode == MODES[0]
            for char in chars[found.start():end]:
                if char.marks - base or unicodedata.category(char.char) == "Cc":
                    problems.append(f"{sorted(char.marks - base)} ({mode}) at {char.char!r} in "
                                    f"{plain[found.start():end][:200]!r}")
                    break
        return problems


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, catalogue_template: Path) -> Iterator[HostileWorld]:
    """kansou on the stand-in, AniList behind the hostile fake: shared by every case."""
    db_path = tmp_path_factory.mktemp("hostile-anilist") / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    box = LoopSandbox(db_path)
    try:
        fake = box.enter(FakeAniList())
        # A deadline no busy machine reaches: this test is about what AniList says, not how slowly (with 5 s, one
        # case of a full-suite run on a loaded machine failed after an import ran out of time).
        box.start(settings_with(anilist_url=fake.url, anilist_per_minute=100_000, anilist_timeout=60.0))
        bot = box.sb.bot
        assert isinstance(bot, KansouBot) and bot.core.anilist is not None
        bot.core.anilist.share = MemberShare(10**9)  # the share has its own test; here every case may ask
        yield HostileWorld(box, fake)
    finally:
        box.close()


ACTORS = ("alice", "bob", "carol", "dave")
Case = Callable[[HostileWorld, int, random.Random, str], Coroutine[Any, Any, None]]


async def fetch_credits(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    show, _, _ = w.add_show(case, rng)
    result = w.check(await w.box.sb.invoke("credits", {"anime": show}, user=user), f"case {case} /credits")
    if not result.ephemeral:
        w.stored.shows.append(show)


async def fetch_voiced(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    show, character, _ = w.add_show(case, rng)
    result = w.check(await w.box.sb.invoke("voiced", {"character": character}, user=user), f"case {case} /voiced")
    if not result.ephemeral:
        w.stored.characters.append(character)
        w.stored.shows.append(show)


async def fetch_person(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    _, _, person = w.add_show(case, rng)
    result = w.check(await w.box.sb.invoke("person", {"name": person}, user=user), f"case {case} /person")
    if not result.ephemeral:
        w.stored.people.append(person)


async def catalogue_import(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    show, character, person = w.add_show(case, rng)
    result = w.check(await w.box.sb.invoke("catalogue import", {"query": show}, user="mod"),
                     f"case {case} /catalogue import")
    if result.embeds and str(result.embeds[0].title or "").startswith("Imported from AniList"):  # said privately
        w.stored.shows.append(show)
        w.stored.characters.append(character)
        w.stored.people.append(person)


def _show(w: HostileWorld, rng: random.Random) -> str:
    return rng.choice(w.stored.shows) if w.stored.shows else "Metallic Rouge"


async def stored_credits(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    what = rng.choice(["credits", "voiced", "person"])
    if what == "voiced" and w.stored.characters:
        options = {"character": rng.choice(w.stored.characters)}
    elif what == "person" and w.stored.people:
        options = {"name": rng.choice(w.stored.people)}
    else:
        what, options = "credits", {"anime": _show(w, rng)}
    w.check(await w.box.sb.invoke(what, options, user=user), f"case {case} /{what} {options}")


async def rate(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    options = {"anime": _show(w, rng), "category": "Music", "score": rng.choice([1, 2.5, 4, 5])}
    w.check(await w.box.sb.invoke("rate", options, user=user), f"case {case} /rate {options}")


async def ratings(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    sub = rng.choice(["show", "top", "mine"])
    options: dict[str, object] = {"anime": _show(w, rng)} if sub == "show" else {}
    w.check(await w.box.sb.invoke(f"ratings {sub}", options, user=user), f"case {case} /ratings {sub}")


async def review(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    show = _show(w, rng)
    if rng.random() < 0.5:
        opened = w.check(await w.box.sb.invoke("review write", {"anime": show, "spoilers": False}, user=user),
                         f"case {case} /review write")
        if opened.modal is not None:
            w.check(await w.box.sb.submit_modal(opened, {"Title": "Fine", "Review": "A fine show, all told."}),
                    f"case {case} /review write (form)")
    else:
        w.check(await w.box.sb.invoke("review read", {"anime": show}, user=user), f"case {case} /review read")


async def autocomplete(w: HostileWorld, case: int, rng: random.Random, user: str) -> None:
    command, option = rng.choice([("credits", "anime"), ("voiced", "character"), ("person", "name"),
                                  ("rate", "anime"), ("review write", "anime"), ("ratings show", "anime")])
    typed = rng.choice([f"Q{code(rng.randrange(max(case, 1)))[:2]}", "Q", f"Q{code(case - 1)}"])
    result = await w.box.sb.autocomplete_result(command, {option: typed}, focused=option, user=user)
    assert not result.violations and not result.log_errors, (command, typed, result.violations, result.errors)
    w.check_choices([c.name for c in result.choices or []], f"case {case} /{command} {option}: {typed}…")


# Shows come in first (and then keep coming), so the later commands have hostile shows to show.
SCHEDULE: tuple[tuple[str, Case], ...] = (
    ("credits (from AniList)", fetch_credits), ("voiced (from AniList)", fetch_voiced),
    ("person (from AniList)", fetch_person), ("catalogue import", catalogue_import),
    ("credits/voiced/person (stored)", stored_credits), ("rate", rate), ("ratings show|top|mine", ratings),
    ("review write|read", review), ("autocomplete", autocomplete),
    ("credits/voiced/person (stored)", stored_credits), ("ratings show|top|mine", ratings),
    ("review write|read", review), ("autocomplete", autocomplete),
)


def test_hostile_anilist_data_is_shown_escaped_everywhere(world: HostileWorld) -> None:
    rng = random.Random(SEED)
    for case in range(CASES):
        name, run = SCHEDULE[case % len(SCHEDULE)] if case >= 8 else SCHEDULE[case % 4]
        user = ACTORS[case % len(ACTORS)]
        try:
            world.box.run(run(world, case, rng, user))
        except AssertionError as failure:
            raise AssertionError(f"hostile AniList case {case} ({name}, seed {SEED}): {failure}") from failure
        TALLY[f"fuzz:hostile anilist {name}"] += 1
    check_database(world.box.db_path)
    # The property must have been exercised: hostile names actually shown (and checked) in most cases.
    assert len(world.stored.shows) >= CASES // 10, world.stored
    assert world.spans >= CASES, f"only {world.spans} catalogue names were shown and checked"
    TALLY["outcome:hostile anilist names checked"] += world.spans
    TALLY["outcome:hostile anilist shows stored"] += len(world.stored.shows)
