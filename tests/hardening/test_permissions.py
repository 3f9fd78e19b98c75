"""Who may do what: every command that shows or changes data, by five actors, through the real client.

Before each case the author (alice) has written review #N of Metallic Rouge in Anime Club (spoilers through
episode 3) and rated it in every category. Each actor then runs the command on that data:

* **author** — alice, in Anime Club;
* **another member** — bob, in Anime Club;
* **moderator** — mod (Manage Messages + Manage Server), in Anime Club;
* **Manage Messages only** — mira, in Anime Club (can tell which of the two rights a command checks);
* **Manage Server only** — sam, in Anime Club;
* **moderator, denied in the channel** — dana (Manage Messages + Manage Server), whose Manage Messages a role
  overwrite denies in #general, the review's channel;
* **member, allowed in the channel** — gina (no rights server-wide), whom a member overwrite allows Manage
  Messages in #general;
* **member of another server** — eve, who is only in Other Server;
* **the author, in another server** — alice herself, in Other Server (reviews and ratings are per server).

What happens is *observed* (reply, database, the posted review) and classified; the test asserts it equals
``EXPECTED``. A refusal must be an ephemeral, clear message, and the database and the author's post must be
exactly as before. ``permission_matrix.md`` is generated from ``EXPECTED``; a test keeps it in sync
(``KANSOU_WRITE_MATRIX=1`` rewrites it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

from sandbox import InteractionResult, Overwrite, RoleSpec, SandboxConfig, SandboxUsageError, UserSpec
from sandbox.config import MODERATOR_PERMISSIONS, OVERWRITE_MEMBER, OVERWRITE_ROLE
from tests.fakes.anilist_server import BIG_SHOW_TITLE, FakeAniList
from tests.hardening._dispatch import invoke_raw
from tests.hardening._support import (
    APOLOGY_START,
    Expect,
    LoopSandbox,
    all_text,
    check_answer,
    markdown_table,
    read_only,
    settings_with,
    world_expect,
)

MATRIX_FILE = Path(__file__).with_name("permission_matrix.md")
CATEGORIES = ("Animation", "Voice Acting", "Music", "Writing", "Story")  # the seed's five, every server's defaults
SHOW = "Metallic Rouge"
SHOW_ID = 1

ACTORS: dict[str, tuple[str, str | None]] = {
    "author": ("alice", None),
    "another member": ("bob", None),
    "moderator": ("mod", None),
    "Manage Messages only": ("mira", None),
    "Manage Server only": ("sam", None),
    "moderator, denied in the channel": ("dana", None),
    "member, allowed in the channel": ("gina", None),
    "member of another server": ("eve", "Other Server"),
    "the author, in another server": ("alice", "Other Server"),
}
CLUB = ("author", "another member", "moderator", "Manage Messages only", "Manage Server only",
        "moderator, denied in the channel", "member, allowed in the channel")
ELSEWHERE = ("member of another server", "the author, in another server")


@dataclass(frozen=True)
class Outcome:
    """Allowed or refused, and what that meant here."""

    allowed: bool
    note: str

    def cell(self) -> str:
        """The matrix cell."""
        return ("✅ " if self.allowed else "❌ ") + self.note


def ok(note: str) -> Outcome:
    """An allowed outcome."""
    return Outcome(True, note)


def no(note: str) -> Outcome:
    """A refused outcome."""
    return Outcome(False, note)


def each(club: Outcome, elsewhere: Outcome, **specific: Outcome) -> dict[str, Outcome]:
    """One outcome for the actors in the author's server, one for the others, and exceptions by actor key."""
    row = dict.fromkeys(CLUB, club) | dict.fromkeys(ELSEWHERE, elsewhere)
    for key, outcome in specific.items():
        row[SPECIFIC.get(key, key.replace("_", " "))] = outcome
    return row


SPECIFIC = {"the_author_in_another_server": "the author, in another server", "messages_only": "Manage Messages only",
            "server_only": "Manage Server only", "denied_in_channel": "moderator, denied in the channel",
            "allowed_in_channel": "member, allowed in the channel"}


NOT_HERE = no("no such review in this server")
PER_SERVER_REVIEWS = ok("sees none: reviews are per server")
PER_SERVER_RATINGS = ok("sees none: ratings are per server")
PUBLIC = ok("public catalogue")

EXPECTED: dict[str, dict[str, Outcome]] = {
    "/review write (a show the author reviewed)": each(ok("writes their own"), ok("writes their own"),
                                                       author=no("one review per show per server")),
    "/review read (that show)": each(ok("sees it, body behind a spoiler"), PER_SERVER_REVIEWS),
    "/review edit #N": each(no("only the author may edit"), NOT_HERE, author=ok("edits it")),
    "/review delete #N": each(no("not the author, not a moderator"), NOT_HERE, author=ok("deletes it"),
                              moderator=ok("deletes it"), messages_only=ok("deletes it"),
                              denied_in_channel=no("no Manage Messages in the review's channel"),
                              allowed_in_channel=ok("deletes it")),
    "/rate (that show)": each(ok("own scores; the author's untouched"), ok("own scores; the author's untouched"),
                              author=ok("replaces own scores")),
    "/ratings show (that show)": each(ok("sees the author's vote"), PER_SERVER_RATINGS),
    "/ratings top": each(ok("sees the show ranked"), PER_SERVER_RATINGS),
    "/ratings mine": each(ok("sees only their own: none"), ok("sees only their own: none"),
                          author=ok("sees own scores")),
    "/ratings forget (that show)": each(no("removes nothing of the author's"), no("removes nothing of the author's"),
                                        author=ok("removes own scores")),
    "/catalogue import": each(no("needs Manage Server"), no("needs Manage Server"), moderator=ok("imports"),
                              server_only=ok("imports"), denied_in_channel=ok("imports")),
    "/categories add": each(no("needs Manage Server"), no("needs Manage Server"), moderator=ok("adds one"),
                            server_only=ok("adds one"), denied_in_channel=ok("adds one")),
    "/settings review-cooldown": each(no("needs Manage Server"), no("needs Manage Server"),
                                      moderator=ok("changes it, logged"), server_only=ok("changes it, logged"),
                                      denied_in_channel=ok("changes it, logged")),
    "/progress show @author (private)": each(no("the author keeps it private"), no("the author keeps it private"),
                                             author=ok("sees own"),
                                             the_author_in_another_server=ok("sees own: none there")),
    "/credits": each(PUBLIC, PUBLIC),
    "/voiced": each(PUBLIC, PUBLIC),
    "/person": each(PUBLIC, PUBLIC),
}


def matrix_markdown() -> str:
    """The expected matrix as a markdown table (rows: commands; columns: actors)."""
    intro = (
        "# Who may do what\n\n"
        "Generated from `EXPECTED` in `tests/hardening/test_permissions.py`, whose tests check every cell through "
        "the real client (`KANSOU_WRITE_MATRIX=1` rewrites this file).\n"
        "Before each case, the author (alice) has written review #N of Metallic Rouge in Anime Club and rated "
        "it; the actor then runs the command on that. ❌ = an ephemeral, clear refusal, and nothing changes "
        "(database and posted review).\n\n"
    )
    table = markdown_table(["command", *ACTORS], [[f"`{command}`", *(row[a].cell() for a in ACTORS)]
                                                  for command, row in EXPECTED.items()])
    footer = ("\n`/catalogue import`, `/categories`, `/settings`, `/follow` and `/unfollow` are hidden from members "
              "without Manage Server (`default_member_permissions` on their commands); the cases above send them "
              "anyway, as when a server admin opens them to everyone, and the bot's own Manage Server check refuses "
              "them at run time.\n")
    return intro + table + footer


# -- the sandbox ------------------------------------------------------------------------------------------------


def matrix_config() -> SandboxConfig:
    """The default servers, plus eve (only in Other Server) and the actors with one right, or an overwrite."""
    base = SandboxConfig.default()
    base.guild("Other Server").members["eve"] = []
    club = base.guild("Anime Club")
    club.roles += [RoleSpec("Message Mods", discord.Permissions(manage_messages=True).value),
                   RoleSpec("Server Managers", discord.Permissions(manage_guild=True).value),
                   RoleSpec("Night Mods", MODERATOR_PERMISSIONS)]
    club.members |= {"mira": ["Message Mods"], "sam": ["Server Managers"], "dana": ["Night Mods"], "gina": []}
    users = [*base.users, *(UserSpec(name, global_name=name.capitalize()) for name in ("eve", "mira", "sam", "dana",
                                                                                         "gina"))]
    made = SandboxConfig(guilds=base.guilds, users=users)
    manage = discord.Permissions(manage_messages=True).value
    club.channel("general").overwrites = [Overwrite(club.role("Night Mods").id, OVERWRITE_ROLE, deny=manage),
                                          Overwrite(made.user("gina").id, OVERWRITE_MEMBER, allow=manage)]
    return made


@dataclass
class Seeded:
    """The author's data before a case."""

    number: int
    post_id: int
    snapshot: dict[str, Any]


class Matrix:
    """The shared sandbox and the author's seeded data."""

    def __init__(self, box: LoopSandbox) -> None:
        self.box = box
        self.expect: Expect = world_expect(box.sb)
        self.seeded: Seeded | None = None

    @property
    def alice(self) -> int:
        """The author's id."""
        return self.box.sb.member("alice").id

    def snapshot(self) -> dict[str, Any]:
        """Everything a case could change: reviews, their posts, ratings and aggregates, the catalogue's size."""
        conn = read_only(self.box.db_path)
        try:
            tables: dict[str, Any] = {name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
                      for name in ("review", "review_message", "rating_tally", "rating_show", "review_counter",
                                   "rating_category")}
            tables["rating"] = conn.execute(
                "SELECT guild_id, member_id, anime_id, category, score FROM rating ORDER BY 1, 2, 3, 4").fetchall()
            tables["anime"] = conn.execute("SELECT count(*) FROM anime").fetchall()
        finally:
            conn.close()
        if self.seeded is not None:
            post = self.box.sb.state.messages.by_id.get(self.seeded.post_id)
            tables["post"] = None if post is None else (post.deleted, post.edits, post.embeds)
        return tables

    async def seed(self) -> Seeded:
        """Start from nothing but the author's review and ratings of the show."""
        sb, db = self.box.sb, self.box.sb.bot.core.db  # type: ignore[union-attr]
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM review")
            await tx.execute("DELETE FROM rating")
            await tx.execute("DELETE FROM rating_category WHERE guild_id <> 0")  # every server back on the defaults
        opened = await sb.invoke("review write", {"anime": SHOW, "through_episode": 3}, user="alice")
        assert opened.modal is not None, all_text(opened)
        posted = await sb.submit_modal(opened, {"Title": "Loved it", "Review": "Rouge wins in the end.",
                                                "Content warnings (optional)": "violence"})
        check_answer(posted, self.expect)
        assert posted.message is not None and not posted.ephemeral
        footer = str((posted.message.embeds[0].get("footer") or {}).get("text") or "")
        for category in CATEGORIES:  # one /rate per category
            rated = await sb.invoke("rate", {"anime": SHOW, "category": category, "score": 4}, user="alice")
            check_answer(rated, self.expect)
        self.seeded = Seeded(int(footer.removeprefix("Review #").split()[0]), posted.message.id, {})
        self.seeded.snapshot = self.snapshot()
        return self.seeded

    async def fresh(self) -> Seeded:
        """The seeded state, seeding again only when the previous case changed something."""
        if self.seeded is None or self.snapshot() != self.seeded.snapshot:
            self.seeded = None
            return await self.seed()
        return self.seeded


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory, catalogue_template: Path) -> Iterator[Matrix]:
    """kansou on the stand-in with eve in Other Server and a fake AniList for /catalogue import."""
    db_path = tmp_path_factory.mktemp("matrix") / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    box = LoopSandbox(db_path, config=matrix_config())
    try:
        fake = box.enter(FakeAniList())
        box.start(settings_with(anilist_url=fake.url))
        box.sb.set_moderator("mod")
        yield Matrix(box)
    finally:
        box.close()


# -- the actions, each classifying what it observed ------------------------------------------------------------

Act = Callable[[Matrix, Seeded, str, str | None], Awaitable[tuple[Outcome, list[InteractionResult]]]]


def _refusal(matrix: Matrix, result: InteractionResult, note: str) -> tuple[Outcome, list[InteractionResult]]:
    """A refusal: ephemeral, a clear sentence, no form opened."""
    text = all_text(result)
    assert result.ephemeral, f"{result.label}: a refusal must be ephemeral"
    assert result.modal is None
    assert len(text.strip()) >= 20 and APOLOGY_START not in text, text
    return no(note), [result]


def _rows(matrix: Matrix, sql: str, *args: object) -> list[tuple[Any, ...]]:
    conn = read_only(matrix.box.db_path)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def _alice_votes(matrix: Matrix) -> list[tuple[Any, ...]]:
    """The author's votes in her server (the data the actors act on)."""
    return _rows(matrix, "SELECT category, score FROM rating WHERE member_id = ? AND guild_id = ? ORDER BY 1",
                 matrix.alice, matrix.box.sb.guild(None).id)


async def review_write(m: Matrix, s: Seeded, user: str, guild: str | None) -> tuple[Outcome, list[InteractionResult]]:
    """/review write of the show the author reviewed."""
    sb = m.box.sb
    opened = await sb.invoke("review write", {"anime": SHOW}, user=user, guild=guild)
    if opened.modal is None:
        if "already reviewed" in all_text(opened):
            return _refusal(m, opened, "one review per show per server")
        return _refusal(m, opened, "refused: " + all_text(opened)[:60])
    done = await sb.submit_modal(opened, {"Title": f"{user}'s take", "Review": "A different view."})
    gid, uid = sb.guild(guild).id, sb.member(user).id
    mine = _rows(m, "SELECT number FROM review WHERE guild_id = ? AND author_id = ? AND anime_id = ?", gid, uid,
                 SHOW_ID)
    theirs = _rows(m, "SELECT title FROM review WHERE number = ? AND author_id = ?", s.number, m.alice)
    assert done.message is not None and not done.ephemeral and mine and theirs == [("Loved it",)]
    return ok("writes their own"), [opened, done]


async def review_read(m: Matrix, s: Seeded, user: str, guild: str | None) -> tuple[Outcome, list[InteractionResult]]:
    """/review read of the show."""
    result = await m.box.sb.invoke("review read", {"anime": SHOW}, user=user, guild=guild)
    text = all_text(result)
    assert result.ephemeral
    if "Nobody in this server has reviewed" in text:
        return PER_SERVER_REVIEWS, [result]
    assert "Loved it" in text and "||" in text and "Rouge wins" in text, text
    return ok("sees it, body behind a spoiler"), [result]


async def review_edit(m: Matrix, s: Seeded, user: str, guild: str | None) -> tuple[Outcome, list[InteractionResult]]:
    """/review edit of the author's review number."""
    sb = m.box.sb
    opened = await sb.invoke("review edit", {"review": s.number}, user=user, guild=guild)
    if opened.modal is None:
        text = all_text(opened)
        if "Only the author" in text:
            return _refusal(m, opened, "only the author may edit")
        if f"There is no review #{s.number}" in text:
            return _refusal(m, opened, "no such review in this server")
        return _refusal(m, opened, "refused: " + text[:60])
    done = await sb.submit_modal(opened, {"Title": "Edited title"})
    post = sb.get_message(s.post_id)
    assert _rows(m, "SELECT title FROM review WHERE author_id = ? AND number = ?", m.alice, s.number) == [
        ("Edited title",)]
    assert post is not None and "Edited title" in str(post.embeds[0].get("title")), "the post was not updated"
    return ok("edits it"), [opened, done]


async def review_delete(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/review delete of the author's review number."""
    sb = m.box.sb
    result = await sb.invoke("review delete", {"review": s.number}, user=user, guild=guild)
    text = all_text(result)
    gone = not _rows(m, "SELECT 1 FROM review WHERE author_id = ? AND number = ?", m.alice, s.number)
    if gone:
        assert result.ephemeral and "is deleted" in text and sb.get_message(s.post_id) is None
        return ok("deletes it"), [result]
    if f"There is no review #{s.number}" in text:
        return _refusal(m, result, "no such review in this server")
    if "Only the author" in text:
        # The same refusal, for want of the right server-wide or in the review's channel (an overwrite).
        denied = "no Manage Messages in the review's channel" if m.box.sb.state.world.permissions(
            sb.guild(guild), sb.member(user).id) & discord.Permissions(manage_messages=True).value else \
            "not the author, not a moderator"
        return _refusal(m, result, denied)
    return _refusal(m, result, "refused: " + text[:60])


async def rate(m: Matrix, s: Seeded, user: str, guild: str | None) -> tuple[Outcome, list[InteractionResult]]:
    """/rate of the show (music 2)."""
    sb = m.box.sb
    before = _alice_votes(m)
    result = await sb.invoke("rate", {"anime": SHOW, "category": "Music", "score": 2}, user=user, guild=guild)
    assert result.ephemeral and "Your ratings" in all_text(result)
    gid, uid = sb.guild(guild).id, sb.member(user).id
    assert (gid, "music", 4) in _rows(m, "SELECT guild_id, category, score FROM rating WHERE member_id = ?", uid)
    if _alice_votes(m) == before:
        return ok("own scores; the author's untouched"), [result]
    assert user == "alice" and guild is None
    return ok("replaces own scores"), [result]


async def ratings_show(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/ratings show of the show."""
    result = await m.box.sb.invoke("ratings show", {"anime": SHOW}, user=user, guild=guild)
    text = all_text(result)
    if "Nobody in this server has rated" in text:
        assert result.ephemeral
        return PER_SERVER_RATINGS, [result]
    assert "1 member rated it" in text and "Overall **4.0**" in text, text
    return ok("sees the author's vote"), [result]


async def ratings_top(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/ratings top."""
    result = await m.box.sb.invoke("ratings top", {}, user=user, guild=guild)
    text = all_text(result)
    if "Nothing has been rated in this server" in text:
        assert result.ephemeral
        return PER_SERVER_RATINGS, [result]
    assert f"**1.** {SHOW}" in text, text
    return ok("sees the show ranked"), [result]


async def ratings_mine(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/ratings mine."""
    result = await m.box.sb.invoke("ratings mine", {}, user=user, guild=guild)
    text = all_text(result)
    assert result.ephemeral
    if "You haven't rated anything in this server" in text:
        return ok("sees only their own: none"), [result]
    assert SHOW in text and "Music 4" in text, text
    return ok("sees own scores"), [result]


async def ratings_forget(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/ratings forget of the show."""
    before = _alice_votes(m)
    result = await m.box.sb.invoke("ratings forget", {"anime": SHOW}, user=user, guild=guild)
    text = all_text(result)
    if _alice_votes(m) != before:
        assert "Removed 5 scores" in text and not _alice_votes(m)
        return ok("removes own scores"), [result]
    assert "You hadn't rated" in text, text
    return _refusal(m, result, "removes nothing of the author's")


async def catalogue_import(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/catalogue import of a show the (fake) AniList has."""
    sb = m.box.sb
    try:
        result = await sb.invoke("catalogue import", {"query": BIG_SHOW_TITLE}, user=user, guild=guild)
    except SandboxUsageError:
        # Hidden from the member by Discord's client: try as if an admin had opened it to everyone.
        result = await invoke_raw(sb, "catalogue import", {"query": BIG_SHOW_TITLE}, user=user, guild=guild,
                                  check_visible=False)
    text = all_text(result)
    if "Imported from AniList" in text:
        assert result.ephemeral
        assert _rows(m, "SELECT count(*) FROM anime WHERE title_romaji = ? OR title_english = ?", BIG_SHOW_TITLE,
                     BIG_SHOW_TITLE) == [(1,)]
        return ok("imports"), [result]
    if "manage" in text.lower():
        return _refusal(m, result, "needs Manage Server")
    return _refusal(m, result, "refused: " + text[:60])


async def categories_add(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/categories add of a new category."""
    sb = m.box.sb
    try:
        result = await sb.invoke("categories add", {"label": "Pacing"}, user=user, guild=guild)
    except SandboxUsageError:
        # Hidden from the member by Discord's client: try as if an admin had opened it to everyone.
        result = await invoke_raw(sb, "categories add", {"label": "Pacing"}, user=user, guild=guild,
                                  check_visible=False)
    text = all_text(result)
    if "Added **Pacing**" in text:
        assert result.ephemeral
        assert _rows(m, "SELECT count(*) FROM rating_category WHERE guild_id = ? AND label = 'Pacing'",
                     sb.guild(guild).id) == [(1,)]
        return ok("adds one"), [result]
    if "manage" in text.lower():
        return _refusal(m, result, "needs Manage Server")
    return _refusal(m, result, "refused: " + text[:60])


async def settings_review_cooldown(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/settings review-cooldown seconds: 45."""
    sb = m.box.sb
    before = _rows(m, "SELECT count(*) FROM server_settings_change")
    try:
        result = await sb.invoke("settings review-cooldown", {"seconds": 45}, user=user, guild=guild)
    except SandboxUsageError:  # hidden by Discord's client: as if an admin had opened it to everyone
        result = await invoke_raw(sb, "settings review-cooldown", {"seconds": 45}, user=user, guild=guild,
                                  check_visible=False)
    text = all_text(result)
    if "**Review cooldown** is now 45 s" in text:
        assert result.ephemeral
        await m.box.sb.bot.core.db.execute("DELETE FROM server_settings")  # type: ignore[union-attr]  # the next case starts from the defaults
        return ok("changes it, logged"), [result]
    assert _rows(m, "SELECT count(*) FROM server_settings_change") == before
    if "manage" in text.lower():
        return _refusal(m, result, "needs Manage Server")
    return _refusal(m, result, "refused: " + text[:60])


async def progress_show_author(m: Matrix, s: Seeded, user: str, guild: str | None) -> \
        tuple[Outcome, list[InteractionResult]]:
    """/progress show member: alice, after alice recorded (privately) her progress in her server."""
    sb = m.box.sb
    await sb.invoke("progress set", {"anime": SHOW, "episode": 4}, user="alice")
    result = await sb.invoke("progress show", {"member": "alice"}, user=user, guild=guild)
    text = all_text(result)
    assert result.ephemeral
    if "episode 4 of 13" in text:
        return ok("sees own"), [result]
    if "No progress recorded" in text:
        return ok("sees own: none there"), [result]
    if "private" in text:
        return _refusal(m, result, "the author keeps it private")
    return _refusal(m, result, "refused: " + text[:60])


def _lookup(command: str, option: str, value: str, shows: str) -> Act:
    async def act(m: Matrix, s: Seeded, user: str, guild: str | None) -> tuple[Outcome, list[InteractionResult]]:
        result = await m.box.sb.invoke(command, {option: value}, user=user, guild=guild)
        assert shows in all_text(result) and not result.ephemeral, all_text(result)[:300]
        return PUBLIC, [result]

    act.__doc__ = f"/{command} {option}: {value}"
    return act


ACTIONS: dict[str, Act] = {
    "/review write (a show the author reviewed)": review_write,
    "/review read (that show)": review_read,
    "/review edit #N": review_edit,
    "/review delete #N": review_delete,
    "/rate (that show)": rate,
    "/ratings show (that show)": ratings_show,
    "/ratings top": ratings_top,
    "/ratings mine": ratings_mine,
    "/ratings forget (that show)": ratings_forget,
    "/catalogue import": catalogue_import,
    "/categories add": categories_add,
    "/settings review-cooldown": settings_review_cooldown,
    "/progress show @author (private)": progress_show_author,
    "/credits": _lookup("credits", "anime", SHOW, "Motonobu Hori"),
    "/voiced": _lookup("voiced", "character", "Naomi Orthmann", "Tomoyo Kurosawa"),
    "/person": _lookup("person", "name", "Tomoyo Kurosawa", "Naomi Orthmann"),
}

CASES = [(command, actor) for command in EXPECTED for actor in ACTORS]


@pytest.mark.parametrize(("command", "actor"), CASES, ids=[f"{c} | {a}" for c, a in CASES])
def test_permission(matrix: Matrix, command: str, actor: str) -> None:
    user, guild = ACTORS[actor]
    expected = EXPECTED[command][actor]

    async def case() -> tuple[Outcome, list[InteractionResult], dict[str, Any], dict[str, Any]]:
        seeded = await matrix.fresh()
        before = matrix.snapshot()
        outcome, results = await ACTIONS[command](matrix, seeded, user, guild)
        return outcome, results, before, matrix.snapshot()

    observed, results, before, after = matrix.box.run(case())
    for result in results:
        check_answer(result, matrix.expect)
    assert observed == expected, f"{command} by {actor}: observed {observed.cell()!r}, expected {expected.cell()!r}"
    if not observed.allowed:
        changed = [name for name in before if before[name] != after[name]]
        assert not changed, f"{command} by {actor} was refused but changed {changed}"


def test_every_cell_has_an_action_and_an_actor() -> None:
    assert set(ACTIONS) == set(EXPECTED)
    assert all(set(row) == set(ACTORS) for row in EXPECTED.values())


def test_the_matrix_document_is_current() -> None:
    text = matrix_markdown()
    print("\n" + text)
    if os.environ.get("KANSOU_WRITE_MATRIX"):
        MATRIX_FILE.write_text(text, encoding="utf-8")
    assert MATRIX_FILE.exists() and MATRIX_FILE.read_text(encoding="utf-8") == text, (
        f"{MATRIX_FILE.name} is out of date: run KANSOU_WRITE_MATRIX=1 pytest {Path(__file__).name}")
