"""Every command and autocomplete, fuzzed with hostile input through the real discord.py client and the stand-in.

Each case must be answered within Discord's 3 seconds with something Discord accepts (the stand-in enforces
its limits), ping nobody, show nothing that renders as a mention the bot did not mean, keep a spoiler
review's body inside spoilers, log no ERROR, and leave the database sound (``integrity_check`` and the rating
aggregates recounted from the votes).

One sandbox (AniList off) serves every example of every test here, and a second one (AniList behind a local
fake) the last property; each runs on an event loop the tests own, and each hypothesis example runs one
coroutine on it. ``KANSOU_FUZZ_EXAMPLES=N`` runs N examples per property instead of the defaults below
(about 1,060 cases in all, in about a minute); the total is printed in the terminal summary.

Values Discord's client would never send (numbers past an option's bounds, a category outside its choices)
go on the wire anyway through ``invoke_raw``: the bot must refuse them itself. Strings are cut to what the
client lets through (6000 characters for an option, a modal field's ``max_length``), at and just under the
cap; NaN and infinities cannot be sent at all (the driver refuses them, as JSON cannot carry them).
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core.markdown import sanitize_text
from bot.reviews.models import BODY_MAX, TITLE_MAX, WARNINGS_MAX
from sandbox import InteractionResult, SandboxMessage, SandboxUsageError
from tests.fakes.anilist_server import BIG_SHOW_TITLE, ONLY_FAKE_CHARACTER_NAME, FakeAniList
from tests.hardening._dispatch import invoke_raw
from tests.hardening._support import (
    CATALOGUE_SHOWS,
    HARDENING_SETTINGS,
    TALLY,
    Expect,
    LoopSandbox,
    anime_query,
    check_answer,
    check_database,
    hostile_text,
    read_only,
    real_anime,
    settings_with,
    spoiler_leaks,
    weighted,
    world_expect,
)

_FLAG = os.environ.get("KANSOU_FUZZ_EXAMPLES", "").strip()


def examples(default: int) -> int:
    """Examples per property: ``KANSOU_FUZZ_EXAMPLES`` when set, else the property's default."""
    return int(_FLAG) if _FLAG else default


def fuzz(default: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for a property that talks to the shared sandbox."""
    return settings(
        max_examples=examples(default),
        deadline=None,  # the 3-second rule is checked by the stand-in, not by wall-clock time here
        # The sandbox fixture is deliberately shared by every example (it holds a module-wide sandbox).
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.function_scoped_fixture],
        print_blob=True,
    )


# Who acts where: members of the dev server, and two of them in the other server.
ACTORS = [("alice", None), ("bob", None), ("carol", None), ("dave", None), ("mod", None),
          ("alice", "Other Server"), ("carol", "Other Server")]
actors = st.sampled_from(ACTORS)
SCORES = tuple(s / 2 for s in range(2, 11))
# The seed's five categories, every server's defaults: key → label.
CATEGORIES = {"animation": "Animation", "voice_acting": "Voice Acting", "music": "Music", "writing": "Writing",
              "story": "Story"}


class Fuzz:
    """The shared sandbox, and what every case checks afterwards."""

    def __init__(self, box: LoopSandbox) -> None:
        self.box = box
        self.expect: Expect = world_expect(box.sb)

    def case(self, name: str, make: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run one fuzz case, then check the database."""
        TALLY[f"fuzz:{name}"] += 1
        self.box.run(make())
        check_database(self.box.db_path)

    def check(self, result: InteractionResult, what: str = "") -> InteractionResult:
        """The checks every answer must pass."""
        check_answer(result, self.expect, what=what)
        return result


class Sandboxes:
    """One running sandbox at a time (discord.py's endpoints are process-wide), kept across examples and tests."""

    def __init__(self, tmp: pytest.TempPathFactory, template: Path) -> None:
        self.tmp = tmp
        self.template = template
        self.current: tuple[str, Fuzz] | None = None

    def get(self, kind: str) -> Fuzz:
        """The sandbox with AniList ``"off"`` or behind a fake ``"anilist"``, started on first use."""
        if self.current is not None and self.current[0] == kind:
            return self.current[1]
        self.close()
        db_path = self.tmp.mktemp(f"fuzz-{kind}") / "kansou.sqlite3"
        shutil.copyfile(self.template, db_path)
        box = LoopSandbox(db_path)
        try:
            settings = HARDENING_SETTINGS
            if kind == "anilist":
                fake = box.enter(FakeAniList())
                settings = settings_with(anilist_url=fake.url, anilist_per_minute=100_000, anilist_timeout=2.0)
            box.start(settings)
        except BaseException:
            box.close()
            raise
        self.current = (kind, Fuzz(box))
        return self.current[1]

    def close(self) -> None:
        """Stop the running sandbox, if any."""
        if self.current is not None:
            box, self.current = self.current[1].box, None
            box.close()


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory, catalogue_template: Path) -> Iterator[Sandboxes]:
    """The module's sandboxes (each shared by every example of every test that uses it)."""
    holder = Sandboxes(tmp_path_factory, catalogue_template)
    try:
        yield holder
    finally:
        holder.close()


@pytest.fixture
def fz(sandboxes: Sandboxes) -> Fuzz:
    """kansou on the stand-in, AniList off."""
    return sandboxes.get("off")


def _rows(fz: Fuzz, sql: str, *args: object) -> list[tuple[Any, ...]]:
    conn = read_only(fz.box.db_path)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def _guild_id(fz: Fuzz, guild: str | None) -> int:
    return fz.box.sb.guild(guild).id


def _user_id(fz: Fuzz, user: str) -> int:
    return fz.box.sb.member(user).id


def _is_review_post(message: SandboxMessage) -> bool:
    return bool(message.embeds) and str(message.embeds[0].get("description") or "").startswith("by <@")


def _must_hide(message: SandboxMessage) -> bool:
    """A review post or page whose body must be inside spoilers: a spoiler scope, not shown in clear."""
    lines = str(message.embeds[0].get("description") or "").partition("\n\n")[0].split("\n")
    return len(lines) > 1 and lines[1].startswith("⚠️") and not any(
        line.startswith("-# Shown in clear") for line in lines)


def check_reviews_hidden(result: InteractionResult) -> int:
    """Every review post or page in the result keeps a spoiler body hidden; how many were checked."""
    checked = 0
    for message in [*result.messages, *result.other_messages]:
        if message.deleted or not _is_review_post(message):
            continue
        if _must_hide(message):
            leaks = spoiler_leaks(message)
            assert not leaks, f"{result.label}: {leaks}"
            checked += 1
    return checked


# -- /credits, /voiced, /person -------------------------------------------------------------------------------


# Regressions the fuzzing found: an autocomplete-style id past SQLite's integers, and a non-ASCII digit.
@fuzz(80)
@given(anime=anime_query(), actor=actors)
@example(anime="id:99999999999999999999", actor=("alice", None))
@example(anime="id:²", actor=("alice", None))
def test_credits(fz: Fuzz, anime: str, actor: tuple[str, str | None]) -> None:
    async def case() -> None:
        fz.check(await fz.box.sb.invoke("credits", {"anime": anime}, user=actor[0], guild=actor[1]))

    fz.case("credits", case)


characters = st.one_of(st.sampled_from(["Naomi Orthmann", "Rouge Redstar", "Kumiko Oomae", "id:1", "id:2",
                                        "kumiko", "naomi"]), hostile_text())


@fuzz(80)
@given(character=characters, anime=st.none() | anime_query(),
       language=st.sampled_from([None, "japanese", "english", "all", "Japanese", "All languages"]), actor=actors)
def test_voiced(fz: Fuzz, character: str, anime: str | None, language: str | None,
                actor: tuple[str, str | None]) -> None:
    options = {"character": character, "anime": anime, "language": language}

    async def case() -> None:
        fz.check(await fz.box.sb.invoke("voiced", options, user=actor[0], guild=actor[1]))

    fz.case("voiced", case)


people = st.one_of(st.sampled_from(["Shimamura Yu", "Tomoyo Kurosawa", "kawamoto", "Tsuda", "id:1", "yu"]),
                   hostile_text())


@fuzz(60)
@given(name=people, actor=actors)
@example(name="id:9223372036854775808", actor=("bob", None))
def test_person(fz: Fuzz, name: str, actor: tuple[str, str | None]) -> None:
    async def case() -> None:
        fz.check(await fz.box.sb.invoke("person", {"name": name}, user=actor[0], guild=actor[1]))

    fz.case("person", case)


# -- /rate and /ratings ----------------------------------------------------------------------------------------

# What Discord's client lets through for a 1..5 number option: half points, anything in range, the bounds.
half_points = st.sampled_from(SCORES)
in_range: st.SearchStrategy[float] = weighted(
    (6, half_points), (1, st.integers(1, 5)), (1, st.floats(1, 5)),
    (1, st.sampled_from([1, 5, 1.0000001, 4.9999999, 2.25, 3.3, 5 - 1e-12])))
# A category as a member gives it: picked from the autocomplete (its label), typed (a key, another case), or anything.
category_text = weighted((4, st.sampled_from(list(CATEGORIES.values()))), (1, st.sampled_from(list(CATEGORIES))),
                         (1, st.sampled_from(["music", "VOICE ACTING", " Story "])), (1, hostile_text(100)))


def _valid(score: float) -> bool:
    """A half point (the bot forgives float noise below 1e-9)."""
    return abs(score * 2 - round(score * 2)) <= 1e-9


def _votes(fz: Fuzz, guild_id: int, member_id: int) -> list[tuple[Any, ...]]:
    return _rows(fz, "SELECT anime_id, category, score FROM rating WHERE guild_id = ? AND member_id = ? ORDER BY 1, 2",
                 guild_id, member_id)


def _label(text: str) -> str | None:
    """The default category ``text`` names (by label or key, any case), or None."""
    wanted = " ".join(text.replace("_", " ").split()).casefold()
    return next((label for key, label in CATEGORIES.items()
                 if wanted in (label.casefold(), key.replace("_", " "))), None)


@fuzz(100)
@given(anime=anime_query(), category=weighted((5, category_text), (1, st.none())),
       score=weighted((5, in_range), (1, st.none())), actor=actors)
def test_rate(fz: Fuzz, anime: str, category: str | None, score: float | None, actor: tuple[str, str | None]) -> None:
    user, guild = actor
    guild_id, member_id = _guild_id(fz, guild), _user_id(fz, user)
    options: dict[str, object] = {"anime": anime, "category": category, "score": score}

    async def case() -> None:
        before = _votes(fz, guild_id, member_id)
        result = fz.check(await fz.box.sb.invoke("rate", {k: v for k, v in options.items() if v is not None},
                                                 user=user, guild=guild))
        assert result.ephemeral
        title = str(result.embeds[0].title or "") if result.embeds else ""
        panel = result.message is not None and any(t.startswith("### Your ratings") for t in
                                                    result.message.text_displays())
        after = _votes(fz, guild_id, member_id)
        label = _label(category) if category is not None else None
        if score is None or category is None or label is None or not _valid(score):
            assert not title.startswith("Your ratings"), "an invalid score was accepted"
            assert after == before, "a refused /rate changed the database"
        outcome = "stored" if title.startswith("Your ratings") else "panel" if panel else "refused"
        TALLY[f"outcome:rate {outcome}"] += 1
        if title.startswith("Your ratings"):
            assert score is not None and label is not None
            description = str(result.embeds[0].description or "")
            assert f"{label}: **{score:g}**" in description, (label, score, description)
        else:
            assert after == before, "a refused /rate changed the database"
        if panel:
            assert score is None, "a score without its category opened the panel"

    fz.case("rate", case)


# Past every bound, as no Discord client would send them: the bot refuses them itself.
past_bounds = st.sampled_from([0, 0.5, 0.99, 0.9999999, 5.0000001, 5.5, 6, -1, -0.0, 1e308, -1e308, 2**53, -(2**53),
                               10, 100, "NaN", "Infinity", "-Infinity"])  # discord.py reads these strings as floats
unsendable = st.sampled_from([math.nan, math.inf, -math.inf])


@fuzz(50)
@given(anime=anime_query(), category=st.sampled_from(list(CATEGORIES.values())), bad=past_bounds,
       unsent=unsendable, actor=actors)
@example(anime="id:1", category="Music", bad=1e308, unsent=math.nan,
         actor=("alice", None))  # a regression: 1e308 doubled is infinite and could not be rounded
def test_rate_past_the_bounds(fz: Fuzz, anime: str, category: str, bad: float | str, unsent: float,
                              actor: tuple[str, str | None]) -> None:
    user, guild = actor
    guild_id, member_id = _guild_id(fz, guild), _user_id(fz, user)

    async def case() -> None:
        sb = fz.box.sb
        # Discord's client refuses these before sending; the driver does too.
        with pytest.raises(SandboxUsageError):
            await sb.invoke("rate", {"anime": anime, "category": category, "score": float(bad)}, user=user,
                            guild=guild)
        with pytest.raises(SandboxUsageError):  # NaN and infinities: JSON cannot even carry them
            await sb.invoke("rate", {"anime": anime, "category": category, "score": unsent}, user=user, guild=guild)
        before = _votes(fz, guild_id, member_id)
        result = fz.check(await invoke_raw(sb, "rate", {"anime": anime, "category": category}, {"score": bad},
                                           user=user, guild=guild))
        assert result.ephemeral
        assert _votes(fz, guild_id, member_id) == before, "an out-of-range score changed the database"

    fz.case("rate past bounds", case)


categories = st.sampled_from([None, *CATEGORIES, "Animation", "Voice Acting", "Story"])


@fuzz(100)
@given(sub=st.sampled_from(["show", "top", "mine", "forget"]), anime=anime_query(), category=categories,
       raw_category=hostile_text(100), actor=actors)
def test_ratings(fz: Fuzz, sub: str, anime: str, category: str | None, raw_category: str,
                 actor: tuple[str, str | None]) -> None:
    user, guild = actor

    async def case() -> None:
        sb = fz.box.sb
        by_sub: dict[str, dict[str, object]] = {"show": {"anime": anime}, "top": {"category": category},
                                                 "mine": {}, "forget": {"anime": anime}}
        options = by_sub[sub]
        fz.check(await sb.invoke(f"ratings {sub}", options, user=user, guild=guild))
        if sub == "top":  # a category outside the choices, as no client would send it
            fz.check(await invoke_raw(sb, "ratings top", {}, {"category": raw_category}, user=user, guild=guild))

    fz.case(f"ratings {sub}", case)


# -- /review ---------------------------------------------------------------------------------------------------

MODAL_TITLE, MODAL_BODY, MODAL_WARNINGS = "Title", "Review", "Content warnings (optional)"
review_anime = weighted((4, real_anime), (1, hostile_text()))
# Mostly a scope the show allows (every show has 1+ episodes; most 12+), sometimes past its end.
episodes = weighted((5, st.none()), (3, st.integers(1, 12)), (1, st.sampled_from([1, 12, 13, 14, 24, 26, 5000])),
                    (1, st.integers(1, 5000)))
titles = hostile_text(TITLE_MAX, min_size=1)
bodies = hostile_text(BODY_MAX, min_size=1)
warnings_text = hostile_text(WARNINGS_MAX)


def _form(title: str, body: str, warnings: str) -> dict[str, str]:
    values = {MODAL_TITLE: title, MODAL_BODY: body}
    if warnings:
        values[MODAL_WARNINGS] = warnings
    return values


def _stored(fz: Fuzz, guild_id: int, number: int) -> tuple[Any, ...] | None:
    rows = _rows(fz, "SELECT title, body, warnings, author_id FROM review WHERE guild_id = ? AND number = ?",
                 guild_id, number)
    return rows[0] if rows else None


def _number_of(message: SandboxMessage) -> int:
    footer = str((message.embeds[0].get("footer") or {}).get("text") or "")
    assert footer.startswith("Review #"), footer
    return int(footer.removeprefix("Review #").split()[0])


spoiler_flags = weighted((2, st.none()), (2, st.just(True)), (1, st.just(False)))


@fuzz(100)
@given(anime=review_anime, spoilers=spoiler_flags, through=episodes, title=titles, body=bodies,
       warnings=warnings_text, keep=st.booleans(), actor=actors)
def test_review_write(fz: Fuzz, anime: str, spoilers: bool | None, through: int | None, title: str, body: str,
                      warnings: str, keep: bool, actor: tuple[str, str | None]) -> None:
    user, guild = actor
    guild_id = _guild_id(fz, guild)

    async def case() -> None:
        sb = fz.box.sb
        options = {"anime": anime, "spoilers": spoilers, "through_episode": through}
        opened = fz.check(await sb.invoke("review write", options, user=user, guild=guild))
        if opened.modal is None:
            assert opened.ephemeral, "a refused /review write answered publicly"
            TALLY["outcome:review write refused before the form"] += 1
            return
        done = fz.check(await sb.submit_modal(opened, _form(title, body, warnings)))
        posts = [m for m in done.messages if not m.ephemeral]
        if not posts:
            assert done.ephemeral and done.message is not None
            assert done.message.attachments, "a refused review lost the member's text (no draft attached)"
            TALLY["outcome:review write refused after the form"] += 1
            return
        assert _is_review_post(posts[0])
        hidden = check_reviews_hidden(done)
        assert hidden or spoilers is False, "a spoiler review was posted without a hidden body"
        TALLY["outcome:review write posted"] += 1
        TALLY["outcome:spoiler posts checked with the markdown model"] += hidden
        number = _number_of(posts[0])
        stored = _stored(fz, guild_id, number)
        assert stored is not None
        # Stored exactly as written (trimmed); blank warnings are no warnings.
        expected_warnings = warnings.strip() if sanitize_text(warnings).strip() else None
        assert stored[:3] == (title.strip(), body.strip(), expected_warnings)
        if not keep:  # free the slot again, through the client
            fz.check(await sb.invoke("review delete", {"review": number}, user=user, guild=guild))
            assert _stored(fz, guild_id, number) is None

    fz.case("review write", case)


SPOILER_EXAMPLES = examples(60)
SPOILER_MIN_CHECKED = SPOILER_EXAMPLES * 3 // 4  # a property that posts (nearly) nothing checks nothing
visible_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


def test_the_spoiler_property_checks_enough_posts(fz: Fuzz) -> None:
    """Hostile spoiler reviews of real shows, each posted and checked with the markdown model: at least
    ``SPOILER_MIN_CHECKED`` of them per run (``test_review_write`` mostly refuses, so it alone proves little)."""
    checked: list[int] = []

    @fuzz(SPOILER_EXAMPLES)
    @given(anime=st.integers(1, CATALOGUE_SHOWS).map(lambda i: f"id:{i}"), scoped=st.booleans(), title=titles,
           body=bodies, word=visible_word, warnings=warnings_text, actor=actors)
    def prop(anime: str, scoped: bool, title: str, body: str, word: str, warnings: str,
             actor: tuple[str, str | None]) -> None:
        user, guild = actor
        guild_id = _guild_id(fz, guild)

        async def case() -> None:
            sb = fz.box.sb
            options: dict[str, object] = {"anime": anime, "spoilers": True, "through_episode": 1 if scoped else None}
            opened = fz.check(await sb.invoke("review write", options, user=user, guild=guild))
            if opened.modal is None:  # this member already reviewed the show (kept by test_review_write)
                assert opened.ephemeral
                return
            # A visible word in the title and the body, so the form is never refused as empty: it gets posted.
            form = _form(f"{word} {title}"[:TITLE_MAX], f"{body[: BODY_MAX - len(word) - 1]}\n{word}", warnings)
            done = fz.check(await sb.submit_modal(opened, form))
            posts = [m for m in done.messages if not m.ephemeral]
            assert posts, f"a hostile spoiler review was not posted: {done.content or done.embeds}"
            try:
                hidden = check_reviews_hidden(done)  # every message of the post with a header (the first one)
                assert hidden >= 1, "a spoiler review was posted without its body hidden"
                checked.append(hidden)
                TALLY["outcome:spoiler posts checked with the markdown model"] += hidden
            finally:  # free the slot even when the check fails, so Hypothesis can replay the example
                fz.check(await sb.invoke("review delete", {"review": _number_of(posts[0])}, user=user, guild=guild))
            assert _stored(fz, guild_id, _number_of(posts[0])) is None

        fz.case("spoiler review posted", case)

    prop()
    assert len(checked) >= SPOILER_MIN_CHECKED, f"only {len(checked)} spoiler posts checked this run"


@fuzz(80)
@given(anime=review_anime, reviewed=st.booleans(), pick=st.integers(0, 1000),
       watched=weighted((2, st.none()), (2, st.integers(0, 14)), (1, st.integers(0, 5000))),
       author=weighted((3, st.none()), (1, st.sampled_from(["alice", "bob", "carol", "dave", "mod"]))), actor=actors)
def test_review_read(fz: Fuzz, anime: str, reviewed: bool, pick: int, watched: int | None, author: str | None,
                     actor: tuple[str, str | None]) -> None:
    user, guild = actor
    guild_id = _guild_id(fz, guild)

    async def case() -> None:
        shows = [int(r[0]) for r in _rows(fz, "SELECT DISTINCT anime_id FROM review WHERE guild_id = ? ORDER BY 1",
                                          guild_id)]
        wanted = f"id:{shows[pick % len(shows)]}" if reviewed and shows else anime  # half the time, a reviewed show
        result = fz.check(await fz.box.sb.invoke("review read", {"anime": wanted, "watched": watched,
                                                                  "author": author}, user=user, guild=guild))
        assert result.ephemeral
        TALLY["outcome:spoiler pages checked with the markdown model"] += check_reviews_hidden(result)

    fz.case("review read", case)


def _numbers(fz: Fuzz, guild_id: int, author_id: int | None = None) -> list[int]:
    if author_id is None:
        rows = _rows(fz, "SELECT number FROM review WHERE guild_id = ? ORDER BY number", guild_id)
    else:
        rows = _rows(fz, "SELECT number FROM review WHERE guild_id = ? AND author_id = ? ORDER BY number",
                     guild_id, author_id)
    return [int(r[0]) for r in rows]


review_numbers = st.one_of(st.integers(0, 40), st.sampled_from([1, 2, 3, 10**9]), st.integers(1, 10**9))


@fuzz(60)
@given(pick=review_numbers, own=st.booleans(), title=titles, body=bodies, warnings=warnings_text, actor=actors)
def test_review_edit(fz: Fuzz, pick: int, own: bool, title: str, body: str, warnings: str,
                     actor: tuple[str, str | None]) -> None:
    user, guild = actor
    guild_id, member_id = _guild_id(fz, guild), _user_id(fz, user)

    async def case() -> None:
        sb = fz.box.sb
        mine = _numbers(fz, guild_id, member_id)
        number = mine[pick % len(mine)] if own and mine else max(pick, 1)
        before = _stored(fz, guild_id, number)
        opened = fz.check(await sb.invoke("review edit", {"review": number}, user=user, guild=guild))
        if opened.modal is None:
            assert opened.ephemeral
            assert _stored(fz, guild_id, number) == before
            return
        assert before is not None and before[3] == member_id, "the edit form opened for someone else's review"
        done = fz.check(await sb.submit_modal(opened, _form(title, body, warnings)))
        assert done.ephemeral
        check_reviews_hidden(done)
        after = _stored(fz, guild_id, number)
        assert after is not None
        TALLY["outcome:review edit submitted"] += 1
        if "is updated" in (done.message.content if done.message else ""):
            assert after[0] == title.strip() and after[1] == body.strip()
        else:
            assert after == before, "a refused edit changed the review"

    fz.case("review edit", case)


@fuzz(60)
@given(pick=review_numbers, any_review=st.booleans(), actor=actors)
def test_review_delete(fz: Fuzz, pick: int, any_review: bool, actor: tuple[str, str | None]) -> None:
    user, guild = actor
    guild_id, member_id = _guild_id(fz, guild), _user_id(fz, user)

    async def case() -> None:
        existing = _numbers(fz, guild_id)
        number = existing[pick % len(existing)] if any_review and existing else max(pick, 1)
        before = _stored(fz, guild_id, number)
        result = fz.check(await fz.box.sb.invoke("review delete", {"review": number}, user=user, guild=guild))
        assert result.ephemeral
        after = _stored(fz, guild_id, number)
        if before is None:
            assert after is None
        elif before[3] != member_id and not fz.box.sb.is_moderator(user, guild):
            assert after == before, "someone deleted a review that was not theirs"
        else:
            assert after is None, "the author's (or a moderator's) delete left the review"

    fz.case("review delete", case)


int_past_bounds = st.sampled_from([0, -1, -(2**53), 2**53, 5001, 10**9 + 1, 10**12, 2**63 - 1, 2**63, 2**64, 10**30,
                                   -(2**63) - 1, -(2**64)])


@fuzz(40)
@given(sub=st.sampled_from(["edit", "delete", "write", "read"]), bad=int_past_bounds, anime=review_anime,
       actor=actors)
def test_review_numbers_past_the_bounds(fz: Fuzz, sub: str, bad: int, anime: str,
                                        actor: tuple[str, str | None]) -> None:
    user, guild = actor
    option = {"edit": "review", "delete": "review", "write": "through_episode", "read": "watched"}[sub]
    rest = {"anime": anime} if sub in ("write", "read") else {}

    low, high = {"review": (1, 10**9), "through_episode": (1, 5000), "watched": (0, 5000)}[option]

    async def case() -> None:
        sb = fz.box.sb
        if not low <= bad <= high:
            with pytest.raises(SandboxUsageError):
                await sb.invoke(f"review {sub}", {**rest, option: bad}, user=user, guild=guild)
        before = _rows(fz, "SELECT * FROM review ORDER BY id")
        result = fz.check(await invoke_raw(sb, f"review {sub}", rest, {option: bad}, user=user, guild=guild))
        if result.modal is not None:  # a through_episode the show allows (its episode count is unknown)
            assert sub == "write"
        else:
            assert result.ephemeral
        assert _rows(fz, "SELECT * FROM review ORDER BY id") == before

    fz.case(f"review {sub} past bounds", case)


# -- /catalogue import (AniList off) ------------------------------------------------------------------------------


@fuzz(40)
@given(query=hostile_text(), actor=actors)
def test_catalogue_import_with_anilist_off(fz: Fuzz, query: str, actor: tuple[str, str | None]) -> None:
    user, guild = actor

    async def case() -> None:
        # /catalogue is hidden from members without Manage Server; send it as if an admin opened it to everyone.
        result = fz.check(await invoke_raw(fz.box.sb, "catalogue import", {"query": query}, user=user, guild=guild,
                                           check_visible=False))
        assert result.ephemeral

    fz.case("catalogue import", case)


# -- every autocomplete ------------------------------------------------------------------------------------------

AUTOCOMPLETES = [
    ("credits", "anime", {}), ("voiced", "character", {}), ("voiced", "anime", {"character": "Naomi Orthmann"}),
    ("person", "name", {}), ("rate", "anime", {"category": "Music", "score": 3}),
    ("rate", "category", {"anime": "Metallic Rouge"}), ("ratings top", "category", {}), ("ratings show", "anime", {}),
    ("ratings forget", "anime", {}), ("review write", "anime", {}), ("review read", "anime", {}),
    ("review edit", "review", {}), ("review delete", "review", {}),
]


@fuzz(150)
@given(where=st.sampled_from(AUTOCOMPLETES), typed=st.one_of(hostile_text(), st.sampled_from(
    ["", "1", "#1", "#", "met", "naomi", "shima", "0", "-1", "99999999999999999999", "id:1"])), actor=actors)
def test_autocomplete(fz: Fuzz, where: tuple[str, str, dict[str, object]], typed: str,
                      actor: tuple[str, str | None]) -> None:
    command, focused, others = where
    user, guild = actor

    async def case() -> None:
        result = fz.check(await fz.box.sb.autocomplete_result(command, {**others, focused: typed}, focused=focused,
                                                              user=user, guild=guild))
        assert result.choices is not None and len(result.choices) <= 25

    fz.case("autocomplete", case)


# -- with a (fake) AniList behind the misses ------------------------------------------------------------------------


@pytest.fixture
def fz_anilist(sandboxes: Sandboxes) -> Fuzz:
    """kansou whose misses go to a local fake AniList (and /catalogue import works)."""
    return sandboxes.get("anilist")


@fuzz(60)
@given(command=st.sampled_from(["credits", "voiced", "person", "catalogue import"]),
       text=st.one_of(hostile_text(), st.sampled_from([BIG_SHOW_TITLE, ONLY_FAKE_CHARACTER_NAME, "Kansou Gakuen",
                                                       "Sakuya Amagiri", "hoshizora"])),
       actor=st.sampled_from([("mod", None), ("bob", None), ("carol", "Other Server")]))
def test_lookups_that_reach_anilist(fz_anilist: Fuzz, command: str, text: str,
                                    actor: tuple[str, str | None]) -> None:
    option = {"credits": "anime", "voiced": "character", "person": "name", "catalogue import": "query"}[command]
    user, guild = actor

    async def case() -> None:
        if command == "catalogue import":  # hidden from non-admins: sent as if an admin opened it to everyone
            fz_anilist.check(await invoke_raw(fz_anilist.box.sb, command, {option: text}, user=user, guild=guild,
                                              check_visible=False))
            return
        fz_anilist.check(await fz_anilist.box.sb.invoke(command, {option: text}, user=user, guild=guild,
                                                       timeout=8.0))

    fz_anilist.case(f"{command} (AniList)", case)


def test_zz_fuzz_case_count() -> None:
    """The number of fuzz cases that ran (printed; shown in the terminal summary too)."""
    total = sum(v for k, v in TALLY.items() if k.startswith("fuzz:"))
    print(f"\nkansou fuzz: {total} cases")
    for name, count in sorted(TALLY.items()):
        if name.startswith("fuzz:"):
            print(f"  {name.removeprefix('fuzz:'):<28} {count}")
    # Only when the whole module ran (not a -k selection) with the default counts is the total meaningful.
    whole = all(TALLY[f"fuzz:{n}"] for n in ("credits", "voiced", "person", "rate", "autocomplete", "review write"))
    if whole and not _FLAG:
        assert total >= 1000, total
