"""/progress end to end, and the spoiler-aware commands that use it: /review read and /review write."""

from __future__ import annotations

from sandbox import InteractionResult, Sandbox
from tests.cogs.conftest import assert_clean, core, text_of

ROUGE = "Metallic Rouge"  # 13 episodes
EUPHONIUM = "Sound! Euphonium"


async def run(sandbox: Sandbox, command: str, options: dict[str, object] | None = None, *, user: str = "alice",
              guild: str | None = None) -> InteractionResult:
    """A command answered privately and cleanly."""
    result = await sandbox.invoke(command, options or {}, user=user, guild=guild)
    assert_clean(result)
    assert result.ephemeral, (result.label, text_of(result))
    return result


async def review(sandbox: Sandbox, *, user: str, through: int | None, anime: str = ROUGE) -> InteractionResult:
    """A spoiler review, through episode ``through`` (None: the whole series)."""
    options: dict[str, object] = {"anime": anime}
    if through is not None:
        options["through_episode"] = through
    form = await sandbox.invoke("review write", options, user=user)
    assert form.modal is not None, text_of(form)
    done = await sandbox.submit_modal(form, {"Title": f"By {user}", "Review": f"Secret of {user}."})
    assert_clean(done)
    return done


async def test_set_show_clear_and_bounds(sandbox: Sandbox) -> None:
    done = await run(sandbox, "progress set", {"anime": ROUGE, "episode": 5})
    assert "Your progress in **Metallic Rouge**: episode 5 of 13." in text_of(done)
    again = await run(sandbox, "progress set", {"anime": ROUGE, "episode": 7})
    assert "episode 7 of 13 (was episode 5 of 13)" in text_of(again)
    await run(sandbox, "progress set", {"anime": EUPHONIUM, "finished": True})
    shown = await run(sandbox, "progress show")
    assert "**Sound! Euphonium** — finished (13 episodes)" in text_of(shown)
    assert "**Metallic Rouge** — episode 7 of 13" in text_of(shown)
    assert "your progress is private" in text_of(shown)

    attempts: list[tuple[dict[str, object], str]] = [
        ({"anime": ROUGE, "episode": 14}, "has 13 episodes, so `episode` is at most 13"),
        ({"anime": ROUGE}, "Say how far you've watched"),
        ({"anime": ROUGE, "episode": 3, "finished": True}, "not both"),
    ]
    for options, error in attempts:
        refused = await run(sandbox, "progress set", options)
        assert error in text_of(refused), text_of(refused)
    last = await run(sandbox, "progress set", {"anime": ROUGE, "episode": 13})
    assert "finished (13 episodes)" in text_of(last)  # the last episode is the end of the show

    cleared = await run(sandbox, "progress clear", {"anime": ROUGE})
    assert "Forgot your progress in **Metallic Rouge**" in text_of(cleared)
    again_cleared = await run(sandbox, "progress clear", {"anime": ROUGE})
    assert "no progress recorded" in text_of(again_cleared)
    every = await run(sandbox, "progress clear")
    assert "Forgot your progress in 1 show." in text_of(every)
    assert await core(sandbox).db.fetch_value("SELECT count(*) FROM progress") == 0


async def test_private_by_default_visible_when_shared_and_per_server(sandbox: Sandbox) -> None:
    await run(sandbox, "progress set", {"anime": ROUGE, "episode": 2})
    private = await run(sandbox, "progress show", {"member": "alice"}, user="bob")
    assert "keeps their progress private" in text_of(private) and "Rouge" not in text_of(private)
    shared = await run(sandbox, "progress visibility", {"visible": True})
    assert "visible to this server" in text_of(shared)
    seen = await run(sandbox, "progress show", {"member": "alice"}, user="bob")
    assert "**Metallic Rouge** — episode 2 of 13" in text_of(seen)
    other = sandbox.config.guilds[1].name
    elsewhere = await run(sandbox, "progress show", {"member": "alice"}, user="bob", guild=other)
    assert "Rouge" not in text_of(elsewhere)  # private there (and nothing recorded there either)
    await run(sandbox, "progress visibility", {"visible": False})
    assert "private" in text_of(await run(sandbox, "progress show", {"member": "alice"}, user="bob"))


async def test_review_read_defaults_to_your_progress(sandbox: Sandbox) -> None:
    await review(sandbox, user="bob", through=5)
    await review(sandbox, user="carol", through=None)  # the whole series
    await run(sandbox, "progress set", {"anime": ROUGE, "episode": 3})
    behind = await run(sandbox, "review read", {"anime": ROUGE, "author": "bob"})
    text = text_of(behind)
    assert "Hidden: it spoils up to episode 5, and your progress (`/progress`) is episode 3 of 13." in text
    assert "||" in (behind.embeds[0].description or "")
    await run(sandbox, "progress set", {"anime": ROUGE, "episode": 6})
    pages = await run(sandbox, "review read", {"anime": ROUGE, "author": "bob"})
    assert "Shown in clear: it spoils up to episode 5, and your progress (`/progress`) is episode 6 of 13." in \
        text_of(pages)
    assert "||" not in (pages.embeds[0].description or "").split("\n\n", 1)[1]
    whole = await run(sandbox, "review read", {"anime": ROUGE, "author": "carol"})
    assert "Hidden: it spoils the whole series (13 episodes), and your progress" in text_of(whole)
    await run(sandbox, "progress set", {"anime": ROUGE, "finished": True})
    finished = await run(sandbox, "review read", {"anime": ROUGE, "author": "carol"})
    assert "Shown in clear: it spoils the whole series (13 episodes), and your progress (`/progress`) is finished" \
        in text_of(finished)
    # `watched` still wins, and a reader without progress reads as before.
    told = await run(sandbox, "review read", {"anime": ROUGE, "author": "bob", "watched": 1})
    assert "Hidden: it spoils up to episode 5, and you've watched 1." in text_of(told)
    stranger = await run(sandbox, "review read", {"anime": ROUGE, "author": "bob"}, user="dave")
    assert "Say how far you've watched (`watched`)" in text_of(stranger)


async def test_review_write_suggests_the_scope_from_your_progress(sandbox: Sandbox) -> None:
    await run(sandbox, "progress set", {"anime": ROUGE, "episode": 4})
    form = await sandbox.invoke("review write", {"anime": ROUGE})
    assert_clean(form)
    assert form.modal is not None
    intro = "\n".join(form.modal.texts)
    assert "Spoilers through episode 4" in intro and "that's your progress (`/progress`)" in intro
    done = await sandbox.submit_modal(form, {"Title": "So far", "Review": "Up to four."})
    assert_clean(done)
    assert await core(sandbox).db.fetch_value("SELECT through_episode FROM review") == 4
    # Said explicitly, or spoiler-free, or finished: the member's own choice stands.
    await run(sandbox, "progress set", {"anime": EUPHONIUM, "finished": True})
    whole = await sandbox.invoke("review write", {"anime": EUPHONIUM})
    assert whole.modal is not None and "whole series" in "\n".join(whole.modal.texts)
    chosen = await sandbox.invoke("review write", {"anime": ROUGE, "through_episode": 9}, user="bob")
    assert chosen.modal is not None and "your progress" not in "\n".join(chosen.modal.texts)
