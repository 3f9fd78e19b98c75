"""/review write, read, edit and delete end to end: the real bot, the real discord.py client, the Discord stand-in.

Every posted review is checked with the model of Discord's markdown (``tests/helpers/discord_markdown.py``),
under both of its ways of finding a spoiler's end: the header (author, scope, content warnings) is outside the
spoiler, every character of the body is inside it (or, spoiler-free, shown literally), the body's text is all
there, and nothing would ping anyone.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, cast

import pytest

from bot.reviews.models import EpisodeScope, ReviewText
from bot.reviews.spoilers import normalize_body
from bot.ui.client import KansouBot
from sandbox import InteractionResult, Sandbox, SandboxMessage, SandboxUsageError
from sandbox.limits import FLAG_EPHEMERAL
from sandbox.messages import delete_message
from tests.cogs.conftest import RunKansou, assert_clean, text_of
from tests.helpers.discord_markdown import MODES, RChar, plain, render

ROUGE = "Metallic Rouge"  # 13 episodes
EUPHONIUM = "Sound! Euphonium"  # 13 episodes
TAKAGI = "Teasing Master Takagi-san 3"  # 12 episodes
CUT_SPACE = " \t\n"
HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")  # letters by category, invisible all the same
# Mention syntax as Discord's server finds it in raw text (it would ping, were the text ever message content).
RAW_MENTION = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>|</[^:>]+:\d+>", re.IGNORECASE)


# -- helpers ---------------------------------------------------------------------------------------


async def write(
    sandbox: Sandbox,
    body: str,
    *,
    anime: str = ROUGE,
    title: str = "A review",
    warnings: str | None = None,
    user: str = "alice",
    guild: str | None = None,
    channel: str | None = None,
    **options: object,
) -> InteractionResult:
    """Run /review write, fill in the form and submit it; the submission's result."""
    form = await sandbox.invoke("review write", {"anime": anime, **options}, user=user, guild=guild, channel=channel)
    assert_clean(form)
    assert form.modal is not None, text_of(form)
    values = {"Title": title, "Review": body}
    if warnings is not None:
        values["Content warnings (optional)"] = warnings
    return await sandbox.submit_modal(form, values)


def posted(result: InteractionResult) -> list[SandboxMessage]:
    """The public messages a review was posted as, in order."""
    messages = [m for m in result.messages if not m.ephemeral]
    assert messages, f"{result.label}: nothing posted ({text_of(result)})"
    return messages


def descriptions(messages: list[SandboxMessage]) -> list[str]:
    """The descriptions of every embed of ``messages``, in order."""
    return [embed.description or "" for message in messages for embed in message.embed_objects()]


def split_header(rendered: list[RChar]) -> tuple[list[RChar], list[RChar]]:
    """A review embed's rendered description cut into the header and the body (a blank line separates them)."""
    text = plain(rendered)
    cut = text.index("\n\n")
    return rendered[:cut], rendered[cut + 2 :]


def check_body(texts: list[str], body: str, *, hidden: bool) -> list[list[RChar]]:
    """Assert the body is whole, literal and (if ``hidden``) entirely inside spoilers; the rendered headers.

    ``texts`` are the descriptions of one review's embeds: the first holds the header and the first chunk,
    each later one a chunk of its own.
    """
    headers: list[list[RChar]] = []
    for mode in MODES:
        shown: list[str] = []
        for index, text in enumerate(texts):
            rendered = render(text, mode=mode)
            if index == 0:
                header, rendered = split_header(rendered)
                assert not any(r.spoiler for r in header), (mode, plain(header))
                headers.append(header)
            assert rendered, (mode, text)
            raw_body = text.split("\n\n", 1)[1] if index == 0 else text
            assert not RAW_MENTION.search(raw_body), (mode, RAW_MENTION.search(raw_body))
            leaks = [r.char for r in rendered if r.spoiler != hidden]
            assert not leaks, f"{mode}: {'shown outside' if hidden else 'hidden by'} a spoiler: {leaks[:20]}"
            marked = [(r.char, sorted(r.marks)) for r in rendered if r.marks]
            assert not marked, f"{mode}: body rendered as markup: {marked[:10]}"
            piece = plain(rendered)
            if hidden:
                assert piece.endswith(" "), (mode, piece[-20:])  # the guard space before the closing ||
                piece = piece[:-1]
            shown.append(piece)
        # Nothing lost: the pieces are the normalized body, in order, give or take whitespace at the cuts.
        expected = normalize_body(body).strip(CUT_SPACE)
        position = 0
        for piece in shown:
            while position < len(expected) and expected[position] in CUT_SPACE:
                position += 1
            assert expected.startswith(piece, position), (mode, expected[position : position + 60], piece[:60])
            position += len(piece)
        assert position == len(expected), (mode, "text lost at the end", expected[position:][:60])
        # And, worked out without the code under test: every visible character of the body is shown.
        assert visible("".join(shown)) == visible(body), mode
    return headers


def visible(text: str) -> str:
    """The characters anyone can see: letters, digits, punctuation and symbols (no spaces, no format marks)."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LNPS" and c not in HANGUL_FILLERS)


def assert_inert(message: SandboxMessage) -> None:
    """The message pings nobody, whatever its text, and asked Discord to parse no mentions at all."""
    assert not message.pings
    assert not message.mentions
    assert message.allowed_mentions is not None and not message.allowed_mentions.get("parse")


def marks_of(rendered: list[RChar]) -> set[str]:
    """Every kind of markup in ``rendered``."""
    return {mark for r in rendered for mark in r.marks}


def footers(messages: list[SandboxMessage]) -> list[str]:
    """The footer texts of every embed."""
    return [embed.footer.text or "" for message in messages for embed in message.embed_objects()]


# -- writing ---------------------------------------------------------------------------------------


async def test_a_spoiler_review_is_posted_with_a_visible_header_and_a_hidden_body(sandbox: Sandbox) -> None:
    body = "Rouge and Naomi hunt the Nean.\n\nThe ending recontextualises everything."
    done = await write(sandbox, body, title="Stylish, then moving", warnings="violence, flashing lights")
    assert_clean(done)
    assert not done.ephemeral
    (message,) = posted(done)
    assert_inert(message)
    (embed,) = message.embed_objects()
    assert embed.title == "Stylish, then moving"
    assert embed.author.name == "Review #1 · Metallic Rouge"
    assert embed.footer.text == "Review #1"
    (header,) = set(map(plain, check_body(descriptions([message]), body, hidden=True)))
    alice = sandbox.member("alice").id
    assert header.startswith(f"by <@{alice}>\n")
    assert "Spoilers: whole series" in header
    assert "Content warnings: violence, flashing lights" in header


async def test_a_spoiler_free_review_is_shown_in_clear(sandbox: Sandbox) -> None:
    body = "No spoilers here: the animation is gorgeous and the soundtrack by Towa Tei slaps."
    done = await write(sandbox, body, spoilers=False)
    assert_clean(done)
    (message,) = posted(done)
    assert_inert(message)
    (header,) = set(map(plain, check_body(descriptions([message]), body, hidden=False)))
    assert "Spoiler-free" in header and "Content warnings" not in header


async def test_an_episode_scoped_review_says_how_far_it_spoils(sandbox: Sandbox) -> None:
    done = await write(sandbox, "Episode 5 changes everything.", through_episode=5)
    assert_clean(done)
    (header,) = set(map(plain, check_body(descriptions(posted(done)), "Episode 5 changes everything.", hidden=True)))
    assert "Spoilers through episode 5" in header
    # Up to the last episode is the whole series.
    last = await write(sandbox, "The finale.", anime=EUPHONIUM, through_episode=13)
    assert_clean(last)
    assert "Spoilers: whole series" in descriptions(posted(last))[0]


async def test_numbers_count_per_server_and_are_never_reused(sandbox: Sandbox) -> None:
    first = await write(sandbox, "One.")
    second = await write(sandbox, "Two.", anime=EUPHONIUM, user="bob")
    assert_clean(first)
    assert_clean(second)
    assert footers(posted(second)) == ["Review #2"]
    deleted = await sandbox.invoke("review delete", {"review": 2}, user="bob")
    assert_clean(deleted)
    again = await write(sandbox, "Two again.", anime=EUPHONIUM, user="bob")
    assert_clean(again)
    assert footers(posted(again)) == ["Review #3"]
    elsewhere = await write(sandbox, "Somewhere else.", guild="Other Server")
    assert_clean(elsewhere)
    assert footers(posted(elsewhere)) == ["Review #1"]


# -- no breakout, no ping, no loss -----------------------------------------------------------------

HOSTILE_BODIES = {
    "pipes": "The twist || she was the Nean all along || and then ||| more |||| pipes | at the end |",
    "escaped pipes": "backslash before pipes \\|| and \\\\|| and a trailing backslash \\",
    "only pipes": "||||",
    "backticks": "`inline ||` and ``double `` ticks`` and a lone ` tick",
    "code fences": "```\n||\ncode block||```\nand ```py\nprint('||')\n``` after ```",
    "url": "http://x|| and https://example.com/a||b||c and <https://example.com/||> and www.x.com||",
    "url at the end": "read more at https://anilist.co/anime/1||",
    "markdown": (
        "# Header\n## Sub\n-# subtext\n> quote\n>>> block quote\n- item\n* item\n+ item\n1. numbered\n"
        "**bold** __underline__ *em* _em_ ~~strike~~ [masked](http://x) :smile: <t:1700000000:R> "
        "<a:wave:123456789012345678> \\*escaped\\* ||spoiler inside||"
    ),
    "mass mentions": "@everyone @here @EVERYONE @Here hey@everyone",
    "role and user mentions": "<@&{role}> <@{user}> <@!{user}> <#{channel}> </review write:{user}> @{name}",
    "zero width": (
        "@every\u200bone @he\u200dre <\u200b@&{role}> <@\u200b{user}> |\u200b| `\u200b` "
        "a\u2060b\ufeffc\u00add text\u200b||"
    ),
    "right to left": "\u202eevil reversed\u202c \u2066isolated\u2069 \u200fRLM \u061cALM مرحبا بالعالم ||\u202e||",
}


def fill(body: str, sandbox: Sandbox) -> str:
    """Put real ids (a mentionable role, a member, a channel) into a hostile body."""
    return body.format(
        role=sandbox.guild().role("Reviewers").id,
        user=sandbox.member("bob").id,
        channel=sandbox.channel("general").id,
        name="bob",
    )


@pytest.mark.parametrize("case", list(HOSTILE_BODIES))
async def test_hostile_bodies_stay_inside_the_spoiler_and_ping_nobody(sandbox: Sandbox, case: str) -> None:
    body = fill(HOSTILE_BODIES[case], sandbox)
    done = await write(sandbox, body)
    assert_clean(done)
    messages = posted(done)
    for message in messages:
        assert_inert(message)
    check_body(descriptions(messages), body, hidden=True)


async def test_hostile_bodies_render_literally_without_spoilers(sandbox: Sandbox) -> None:
    body = fill("\n".join(HOSTILE_BODIES.values()), sandbox)
    done = await write(sandbox, body, spoilers=False)
    assert_clean(done)
    (message,) = posted(done)
    assert_inert(message)
    check_body(descriptions([message]), body, hidden=False)


async def test_hostile_title_and_warnings_stay_outside_the_spoiler_and_inert(sandbox: Sandbox) -> None:
    role = sandbox.guild().role("Reviewers").id
    title = f"@everyone <@&{role}> **big** ||no||"
    warnings = f"||spoiler|| <@&{role}> @here `code` http://x||\nsecond line"
    done = await write(sandbox, "Fine.", title=title, warnings=warnings)
    assert_clean(done)
    (message,) = posted(done)
    assert_inert(message)
    headers = check_body(descriptions([message]), "Fine.", hidden=True)
    for header in headers:
        text = plain(header)
        assert "Content warnings: ||spoiler||" in text and "second line" in text
        # The only markup in the header is ours: the author's mention and the bold labels.
        mentions = "".join(r.char for r in header if "mention" in r.marks)
        assert mentions == f"<@{sandbox.member('alice').id}>"
        assert marks_of(header) <= {"mention", "bold"}
    (embed,) = message.embed_objects()
    for mode in MODES:
        rendered = render(embed.title or "", mode=mode)
        assert not marks_of(rendered) and not any(r.spoiler for r in rendered)
        assert plain(rendered) == "@\u200beveryone <\u200b@&" + f"{role}> **big** ||no||"


@pytest.mark.parametrize("spoilers", [True, False])
async def test_a_4000_character_body_of_pipes_is_split_never_cut_or_refused(sandbox: Sandbox, spoilers: bool) -> None:
    body = "|" * 4000
    done = await write(sandbox, body, spoilers=spoilers)
    assert_clean(done)
    messages = posted(done)
    texts = descriptions(messages)
    assert len(texts) >= 2  # 8000 characters once escaped: more than one embed can hold
    for message in messages:
        assert_inert(message)
    check_body(texts, body, hidden=spoilers)
    for text in texts:
        if spoilers:
            body_part = text.split("\n\n", 1)[-1]
            assert body_part.startswith("||") and body_part.endswith(" ||")
            assert "||" not in body_part[2:-3]  # balanced: one span per embed, every other pipe escaped
    parts = footers(messages)
    assert parts[0] == f"Review #1 · part 1 of {len(texts)}"
    assert parts[-1] == f"Review #1 · part {len(texts)} of {len(texts)}"


async def test_a_long_hostile_body_is_split_safely(sandbox: Sandbox) -> None:
    unit = fill("\n".join(HOSTILE_BODIES.values()), sandbox) + "\n\n"
    body = (unit * (4000 // len(unit) + 1))[:4000].strip()
    done = await write(sandbox, body, warnings="everything")
    assert_clean(done)
    messages = posted(done)
    for message in messages:
        assert_inert(message)
    check_body(descriptions(messages), body, hidden=True)


async def test_a_refused_form_returns_the_text(sandbox: Sandbox) -> None:
    done = await write(sandbox, "\u200b\u202e\u2066")  # only invisible characters
    assert_clean(done)
    assert done.ephemeral and "empty" in text_of(done)
    assert not [m for m in sandbox.channel_messages("general") if not m.ephemeral]
    draft = done.message.attachment("review-draft.txt") if done.message else None
    assert draft is not None and "\u200b\u202e\u2066" in draft.data.decode("utf-8")
    # Nothing was stored: writing again is allowed at once.
    again = await write(sandbox, "Now with words.")
    assert_clean(again)
    assert footers(posted(again)) == ["Review #1"]


# -- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"through_episode": 14}, "Metallic Rouge has 13 episodes, so `through_episode` must be between 1 and 13"),
        ({"through_episode": 3, "spoilers": False}, "`through_episode` only goes with spoilers"),
    ],
)
async def test_bad_scopes_are_refused_before_the_form(sandbox: Sandbox, options: dict[str, object], error: str) -> None:
    result = await sandbox.invoke("review write", {"anime": ROUGE, **options})
    assert_clean(result)
    assert result.modal is None and result.ephemeral
    assert error in text_of(result)


async def test_episode_zero_cannot_even_be_sent(sandbox: Sandbox) -> None:
    review = next(c for c in sandbox.commands() if c.name == "review")
    write_options = next(o for o in review.payload["options"] if o["name"] == "write")["options"]
    assert next(o for o in write_options if o["name"] == "through_episode")["min_value"] == 1
    # Discord's client refuses a value below min_value, so the bot never sees it.
    with pytest.raises(SandboxUsageError, match="between 1 and"):
        await sandbox.invoke("review write", {"anime": ROUGE, "through_episode": 0})
    assert not sandbox.violations


# -- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("watched", "hidden", "note"),
    [
        (None, True, "Hidden: it spoils up to episode 5. Say how far you've watched"),
        (0, True, "Hidden: it spoils up to episode 5, and you've watched 0."),
        (4, True, "Hidden: it spoils up to episode 5, and you've watched 4."),
        (5, False, "Shown in clear: it spoils up to episode 5, and you've watched 5."),
        (13, False, "Shown in clear: it spoils up to episode 5, and you've watched 13."),
    ],
)
async def test_reading_an_episode_scoped_review(sandbox: Sandbox, watched: int | None, hidden: bool, note: str) -> None:
    body = "In episode 5 the || mask || comes off <@&1234567890123456789>."
    assert_clean(await write(sandbox, body, through_episode=5))
    options: dict[str, object] = {"anime": ROUGE}
    if watched is not None:
        options["watched"] = watched
    result = await sandbox.invoke("review read", options, user="bob")
    assert_clean(result)
    assert result.ephemeral
    assert result.message is not None and not result.message.buttons()  # one review, one page
    (header,) = set(map(plain, check_body(descriptions([result.message]), body, hidden=hidden)))
    assert "Spoilers through episode 5" in header and note in header
    assert "Review 1 of 1 · #1" in text_of(result)


async def test_reading_a_whole_series_review(sandbox: Sandbox) -> None:
    assert_clean(await write(sandbox, "Everything, ending included."))
    before = await sandbox.invoke("review read", {"anime": ROUGE, "watched": 12})
    assert_clean(before)
    assert "Hidden: it spoils the whole series (13 episodes), and you've watched 12." in text_of(before)
    check_body(descriptions(before.messages), "Everything, ending included.", hidden=True)
    after = await sandbox.invoke("review read", {"anime": ROUGE, "watched": 13})
    assert_clean(after)
    check_body(descriptions(after.messages), "Everything, ending included.", hidden=False)
    assert_clean(await write(sandbox, "The whole film.", anime="Spirited Away"))
    film = await sandbox.invoke("review read", {"anime": "Spirited Away"})
    assert_clean(film)
    assert "Hidden: it spoils the whole series (1 episode)." in text_of(film)


async def test_reading_pages_newest_first_for_the_invoker_only(sandbox: Sandbox) -> None:
    assert_clean(await write(sandbox, "Alice spoils it all.", user="alice"))
    assert_clean(await write(sandbox, "Bob spoils up to 3.", user="bob", through_episode=3))
    assert_clean(await write(sandbox, "Carol spoils nothing.", user="carol", spoilers=False))
    result = await sandbox.invoke("review read", {"anime": ROUGE, "watched": 5}, user="dave")
    assert_clean(result)
    assert result.ephemeral
    message = result.message
    assert message is not None and message.buttons()
    seen = [text_of(result)]
    assert "Review 1 of 3 · #3" in seen[0]
    check_body(descriptions([message]), "Carol spoils nothing.", hidden=False)
    # Only dave sees his pages; should a press from someone else arrive anyway, it is refused.
    with pytest.raises(SandboxUsageError, match="cannot see"):
        await sandbox.click(message, "Next", user="bob")
    message.flags &= ~FLAG_EPHEMERAL
    try:
        stranger = await sandbox.click(message, "Next", user="bob")
    finally:
        message.flags |= FLAG_EPHEMERAL
    assert_clean(stranger)
    assert stranger.ephemeral and "belong to whoever ran the command" in text_of(stranger)
    assert "Review 1 of 3" in text_of(result)  # the page did not turn
    turned = await sandbox.click(message, "Next", user="dave")
    assert_clean(turned)
    assert "Review 2 of 3 · #2" in text_of(turned)
    check_body(descriptions([message]), "Bob spoils up to 3.", hidden=False)
    assert "Shown in clear: it spoils up to episode 3, and you've watched 5." in text_of(turned)
    last = await sandbox.click(message, "Next", user="dave")
    assert_clean(last)
    assert "Review 3 of 3 · #1" in text_of(last)
    check_body(descriptions([message]), "Alice spoils it all.", hidden=True)
    assert message.button("Next").get("disabled") and not message.button("Previous").get("disabled")
    # The author filter.
    bob_only = await sandbox.invoke("review read", {"anime": ROUGE, "author": "bob"}, user="dave")
    assert_clean(bob_only)
    assert "Review 1 of 1 · #2" in text_of(bob_only) and "Bob spoils" in text_of(bob_only)
    nobody = await sandbox.invoke("review read", {"anime": ROUGE, "author": "mod"}, user="dave")
    assert_clean(nobody)
    assert "hasn't reviewed" in text_of(nobody)


async def test_a_long_review_takes_several_pages(sandbox: Sandbox) -> None:
    body = "|" * 4000
    assert_clean(await write(sandbox, body))
    result = await sandbox.invoke("review read", {"anime": ROUGE})
    assert_clean(result)
    message = result.message
    assert message is not None
    texts = [descriptions([message])[0]]
    while not message.button("Next").get("disabled"):
        turned = await sandbox.click(message, "Next")
        assert_clean(turned)
        texts.append(descriptions([message])[0])
    assert len(texts) >= 2
    assert f"part {len(texts)} of {len(texts)}" in (message.embed_objects()[0].footer.text or "")
    check_body(texts, body, hidden=True)


# -- one per member per show, cooldown ---------------------------------------------------------------


async def test_writing_again_offers_to_edit(sandbox: Sandbox) -> None:
    first = await write(sandbox, "First take.", title="Take one", warnings="gore")
    assert_clean(first)
    (post,) = posted(first)
    again = await sandbox.invoke("review write", {"anime": ROUGE})
    assert_clean(again)
    assert again.modal is None and again.ephemeral
    assert "already reviewed Metallic Rouge here (review #1)" in text_of(again)
    # Someone else may still review the show.
    bob = await write(sandbox, "Bob's take.", user="bob")
    assert_clean(bob)
    form = await sandbox.click(again, "Edit review #1")
    assert_clean(form)
    assert form.modal is not None
    assert form.modal.field("Title").value == "Take one"
    assert form.modal.field("Review").value == "First take."
    assert form.modal.field("Content warnings (optional)").value == "gore"
    saved = await sandbox.submit_modal(form, {"Review": "Second take ||really||."})
    assert_clean(saved)
    assert saved.ephemeral and "Review #1 is updated" in text_of(saved)
    assert post.edits >= 1
    check_body(descriptions([post]), "Second take ||really||.", hidden=True)
    assert "Take one" in text_of_message(post) and "· edited" in (post.embed_objects()[0].footer.text or "")


def text_of_message(message: SandboxMessage) -> str:
    """The titles and descriptions of a message's embeds."""
    return "\n".join(f"{e.title}\n{e.description}" for e in message.embed_objects())


async def test_a_second_form_submitted_late_is_refused_without_loss(sandbox: Sandbox) -> None:
    form_one = await sandbox.invoke("review write", {"anime": ROUGE})
    form_two = await sandbox.invoke("review write", {"anime": ROUGE})
    assert form_one.modal is not None and form_two.modal is not None
    assert_clean(await sandbox.submit_modal(form_one, {"Title": "One", "Review": "First."}))
    late = await sandbox.submit_modal(form_two, {"Title": "Two", "Review": "Second, typed at length."})
    assert_clean(late)
    assert late.ephemeral and "already reviewed" in text_of(late)
    assert late.message is not None
    assert "Second, typed at length." in late.message.attachment("review-draft.txt").data.decode("utf-8")
    assert late.message.button("Edit review #1")
    assert len([m for m in sandbox.channel_messages("general") if not m.ephemeral]) == 1


async def test_writes_have_a_per_member_cooldown(run_kansou: RunKansou) -> None:
    async with run_kansou(review_cooldown=30) as sandbox:
        # Two forms opened before the first post: the second is refused on submit, text returned.
        early = await sandbox.invoke("review write", {"anime": TAKAGI})
        assert early.modal is not None
        assert_clean(await write(sandbox, "First."))
        refused = await sandbox.invoke("review write", {"anime": EUPHONIUM})
        assert_clean(refused)
        assert refused.modal is None and refused.ephemeral
        wait = re.search(r"try again in (\d+) s", text_of(refused))
        assert wait is not None and 0 < int(wait.group(1)) <= 30, text_of(refused)
        late = await sandbox.submit_modal(early, {"Title": "Late", "Review": "Written while waiting."})
        assert_clean(late)
        assert late.ephemeral and re.search(r"try again in \d+ s", text_of(late))
        assert late.message is not None
        assert "Written while waiting." in late.message.attachment("review-draft.txt").data.decode("utf-8")
        # Per member: bob is not held up by alice.
        assert_clean(await write(sandbox, "Bob's.", user="bob", anime=EUPHONIUM))
        assert len([m for m in sandbox.channel_messages("general") if not m.ephemeral]) == 2


# -- editing and deleting --------------------------------------------------------------------------


async def test_the_author_edits_and_the_post_follows(sandbox: Sandbox) -> None:
    done = await write(sandbox, "Short.", title="Title", warnings="none really")
    assert_clean(done)
    (post,) = posted(done)
    form = await sandbox.invoke("review edit", {"review": 1}, channel="off-topic")
    assert_clean(form)
    assert form.modal is not None
    assert [form.modal.field(f).value for f in ("Title", "Review", "Content warnings (optional)")] == [
        "Title", "Short.", "none really"]
    # Grow it past one message: the post gains messages, in the channel it was posted in.
    long_body = "|" * 4000
    grown = await sandbox.submit_modal(form, {"Review": long_body, "Content warnings (optional)": ""})
    assert_clean(grown)
    assert grown.ephemeral and "Review #1 is updated" in text_of(grown)
    channel_posts = [m for m in sandbox.channel_messages("general") if not m.ephemeral]
    assert channel_posts[0] is post and len(channel_posts) >= 2
    for message in channel_posts:
        assert_inert(message)
    headers = check_body(descriptions(channel_posts), long_body, hidden=True)
    assert "Content warnings" not in plain(headers[0])
    assert not [m for m in sandbox.channel_messages("off-topic") if not m.ephemeral]
    # Shrink it again: the extra messages go away.
    form = await sandbox.invoke("review edit", {"review": 1})
    assert form.modal is not None and form.modal.field("Review").value == long_body
    shrunk = await sandbox.submit_modal(form, {"Review": "Short again."})
    assert_clean(shrunk)
    assert [m for m in sandbox.channel_messages("general") if not m.ephemeral] == [post]
    assert all(m.deleted for m in channel_posts[1:])
    check_body(descriptions([post]), "Short again.", hidden=True)


async def test_a_post_deleted_by_hand_is_posted_again_on_edit(sandbox: Sandbox) -> None:
    done = await write(sandbox, "|" * 4000)
    assert_clean(done)
    first, second, *rest = posted(done)
    await delete_message(sandbox.state, second)  # a moderator removed part of the post by hand
    form = await sandbox.invoke("review edit", {"review": 1})
    assert form.modal is not None
    body = "||" * 1990 + " fixed"
    saved = await sandbox.submit_modal(form, {"Review": body})
    assert_clean(saved)
    assert "Review #1 is updated" in text_of(saved)
    now = [m for m in sandbox.channel_messages("general") if not m.ephemeral]
    assert first.deleted and all(m.deleted for m in rest)  # no stray half of the old post is left
    assert len(now) >= 2
    check_body(descriptions(now), body, hidden=True)
    link = re.search(r"\((https://discord\.com/channels/[0-9/]+)\)", text_of(saved))
    assert link is not None and link.group(1).endswith(f"/{now[0].id}")
    for message in now:
        await delete_message(sandbox.state, message)
    deleted = await sandbox.invoke("review delete", {"review": 1})
    assert_clean(deleted)
    assert "is deleted." in text_of(deleted) and "couldn't remove" not in text_of(deleted)


@pytest.mark.parametrize("user", ["bob", "mod"])
async def test_nobody_else_may_edit(sandbox: Sandbox, user: str) -> None:
    done = await write(sandbox, "Mine.")
    assert_clean(done)
    (post,) = posted(done)
    result = await sandbox.invoke("review edit", {"review": 1}, user=user)
    assert_clean(result)
    assert result.modal is None and result.ephemeral
    assert "Only the author of review #1 can edit it." in text_of(result)
    assert post.edits == 0


@pytest.mark.parametrize(("user", "channel"), [("alice", None), ("mod", None), ("mod", "off-topic")])
async def test_the_author_or_a_moderator_deletes(sandbox: Sandbox, user: str, channel: str | None) -> None:
    done = await write(sandbox, "|" * 4000)
    assert_clean(done)
    messages = posted(done)
    assert len(messages) >= 2
    result = await sandbox.invoke("review delete", {"review": 1}, user=user, channel=channel)
    assert_clean(result)
    assert result.ephemeral
    assert "Review #1 of **Metallic Rouge** is deleted." in text_of(result)
    assert all(sandbox.get_message(m.id) is None for m in messages)
    gone = await sandbox.invoke("review read", {"anime": ROUGE})
    assert_clean(gone)
    assert "Nobody in this server has reviewed" in text_of(gone)


async def test_nobody_else_may_delete(sandbox: Sandbox) -> None:
    done = await write(sandbox, "Mine.")
    assert_clean(done)
    (post,) = posted(done)
    result = await sandbox.invoke("review delete", {"review": 1}, user="bob")
    assert_clean(result)
    assert result.ephemeral and "Only the author of review #1, or a moderator" in text_of(result)
    assert sandbox.get_message(post.id) is post and not post.deleted
    missing = await sandbox.invoke("review delete", {"review": 7})
    assert_clean(missing)
    assert "There is no review #7 in this server." in text_of(missing)


# -- servers ---------------------------------------------------------------------------------------


async def test_servers_never_see_each_others_reviews(sandbox: Sandbox) -> None:
    done = await write(sandbox, "Only for the Anime Club.")
    assert_clean(done)
    (post,) = posted(done)
    other = "Other Server"
    for command, user in [("review edit", "alice"), ("review delete", "alice"), ("review delete", "mod")]:
        result = await sandbox.invoke(command, {"review": 1}, user=user, guild=other)
        assert_clean(result)
        assert result.modal is None and result.ephemeral
        assert "There is no review #1 in this server." in text_of(result), (command, user)
    assert sandbox.get_message(post.id) is post
    read = await sandbox.invoke("review read", {"anime": ROUGE}, guild=other)
    assert_clean(read)
    assert "Nobody in this server has reviewed" in text_of(read)
    assert "Only for the Anime Club" not in text_of(read)
    # One review per show per server: alice may review the same show over there, and it is #1 there.
    there = await write(sandbox, "Over there.", guild=other)
    assert_clean(there)
    assert footers(posted(there)) == ["Review #1"]
    here = await sandbox.invoke("review read", {"anime": ROUGE})
    assert_clean(here)
    assert "Only for the Anime Club" in text_of(here) and "Over there" not in text_of(here)
    assert "Review 1 of 1" in text_of(here)
    own = await sandbox.autocomplete("review edit", {"review": ""}, focused="review", guild=other)
    assert [c.value for c in own] == [1] and "Anime Club" not in own[0].name


# -- autocomplete ----------------------------------------------------------------------------------


async def test_autocomplete_finds_any_of_many_own_reviews(sandbox: Sandbox) -> None:
    assert isinstance(sandbox.bot, KansouBot)
    reviews = sandbox.bot.get_cog("Reviews")
    assert reviews is not None
    service = cast(Any, reviews).service
    club = sandbox.guild().id
    for anime_id in range(1, 28):  # stored directly: 27 round trips through the stand-in would be slow
        await service.create(guild_id=club, channel_id=None, user_id=sandbox.member("alice").id, anime_id=anime_id,
                             text=ReviewText("A review", f"Review of show {anime_id}."), scope=EpisodeScope())
    assert_clean(await write(sandbox, "Bob's.", user="bob", anime="id:1"))
    newest = await sandbox.autocomplete("review edit", {"review": ""}, focused="review")
    assert [c.value for c in newest] == list(range(27, 2, -1))  # 25 at most, newest first, bob's #28 not there
    oldest = await sandbox.autocomplete("review edit", {"review": "#1"}, focused="review")
    assert [c.value for c in oldest][-1:] == [1]  # the oldest is found by its number all the same
    assert {1, 10, 21} <= {c.value for c in oldest} and 28 not in {c.value for c in oldest}
    by_title = await sandbox.autocomplete("review delete", {"review": "metallic"}, focused="review")
    assert [c.name for c in by_title] == ["#1 · Metallic Rouge — A review"]
