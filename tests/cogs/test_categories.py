"""/categories end to end: a server's moderators choose what its members rate, and /rate and /ratings follow.

The member "mod" has Manage Server in both servers; the others have not.
"""

from __future__ import annotations

import pytest

from sandbox import InteractionResult, Sandbox, SandboxUsageError
from tests.cogs.conftest import assert_clean, core, text_of
from tests.hardening._dispatch import invoke_raw

ROUGE = "Metallic Rouge"
DEFAULTS = ["Animation", "Voice Acting", "Music", "Writing", "Story"]


async def mod(sandbox: Sandbox, command: str, options: dict[str, object] | None = None,
              guild: str | None = None) -> InteractionResult:
    """A moderator's /categories command: answered privately, cleanly."""
    result = await sandbox.invoke(f"categories {command}", options or {}, user="mod", guild=guild)
    assert_clean(result)
    assert result.ephemeral, result.label
    return result


def listed(result: InteractionResult) -> list[str]:
    """The categories a /categories answer lists, in order (the retired line left out)."""
    (embed,) = result.embeds
    return [line.split(".** ", 1)[1] for line in (embed.description or "").splitlines() if line.startswith("**")]


async def panel(sandbox: Sandbox, user: str = "alice", guild: str | None = None) -> InteractionResult:
    """The rating panel of Metallic Rouge."""
    result = await sandbox.invoke("rate", {"anime": ROUGE}, user=user, guild=guild)
    assert_clean(result)
    assert result.message is not None
    return result


def menus(result: InteractionResult) -> list[str]:
    """The panel's menus, by the category each is for."""
    assert result.message is not None
    return [str(m["placeholder"]).removesuffix(" — pick a score") for m in result.message.selects()]


def fields(result: InteractionResult) -> list[str]:
    """The categories /ratings show lists (with "(retired)" where they are)."""
    return [str(f.name).split(" — ")[0] for f in result.embeds[0].fields]


async def test_list_add_rename_reorder_retire_restore(sandbox: Sandbox) -> None:
    shown = await mod(sandbox, "list")
    assert listed(shown) == DEFAULTS and "the defaults" in text_of(shown)
    added = await mod(sandbox, "add", {"label": "Pacing"})
    assert "Added **Pacing**" in text_of(added) and listed(added) == [*DEFAULTS, "Pacing"]
    assert "this server's own" in text_of(added)
    assert menus(await panel(sandbox)) == [*DEFAULTS, "Pacing"]

    rate = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Writing", "score": 4}, user="alice")
    assert_clean(rate)
    renamed = await mod(sandbox, "rename", {"category": "Writing", "label": "Script"})
    assert listed(renamed) == ["Animation", "Voice Acting", "Music", "Script", "Story", "Pacing"]
    moved = await mod(sandbox, "reorder", {"category": "Pacing", "position": 1})
    assert listed(moved) == ["Pacing", "Animation", "Voice Acting", "Music", "Script", "Story"]
    assert menus(await panel(sandbox, user="bob")) == listed(moved)
    mine = await sandbox.invoke("ratings mine", user="alice")
    assert_clean(mine)
    assert "Script 4" in text_of(mine)  # the vote followed its category

    retired = await mod(sandbox, "retire", {"category": "Script"})
    assert "Retired **Script**" in text_of(retired)
    assert listed(retired) == ["Pacing", "Animation", "Voice Acting", "Music", "Story"]
    assert "Retired (their scores are kept and shown): Script" in text_of(retired)
    assert "Script" not in menus(await panel(sandbox, user="carol"))
    refused = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Script", "score": 2}, user="dave")
    assert_clean(refused)
    assert refused.ephemeral and "Script is retired in this server" in text_of(refused)
    show = await sandbox.invoke("ratings show", {"anime": ROUGE})
    assert_clean(show)
    assert fields(show) == ["Pacing", "Animation", "Voice Acting", "Music", "Story", "Script (retired)"]
    assert "Script (retired) — 4.0 (1 vote)" in text_of(show)
    history = await sandbox.invoke("ratings top", {"category": "Script"})
    assert_clean(history)
    assert f"**1.** {ROUGE}" in text_of(history) and "Top rated — Script" in text_of(history)

    restored = await mod(sandbox, "restore", {"category": "Script"})
    assert listed(restored) == ["Pacing", "Animation", "Voice Acting", "Music", "Story", "Script"]
    assert menus(await panel(sandbox, user="mod")) == listed(restored)
    rows = await core(sandbox).db.fetch_all("SELECT category, score FROM rating")
    assert [(r[0], r[1]) for r in rows] == [("writing", 8)]  # one vote all along, under its key


async def test_at_most_ten_categories_take_votes(sandbox: Sandbox) -> None:
    for n in range(5):
        await mod(sandbox, "add", {"label": f"Extra {n}"})
    full = await panel(sandbox)
    assert len(menus(full)) == 10 and full.message is not None
    assert len(full.message.text_displays()) == 12  # a heading, a line per category, a closing note
    refused = await sandbox.invoke("categories add", {"label": "Eleventh"}, user="mod")
    assert_clean(refused)
    assert refused.ephemeral and "10 categories, the most there can be" in text_of(refused)
    await mod(sandbox, "retire", {"category": "Extra 0"})
    assert "Eleventh" in listed(await mod(sandbox, "add", {"label": "Eleventh"}))
    refused = await sandbox.invoke("categories restore", {"category": "Extra 0"}, user="mod")
    assert "10 categories" in text_of(refused)
    picked = await sandbox.select(full.message, "rate:extra_4", "3.5", user="alice")  # the tenth menu works
    assert_clean(picked)


async def test_only_members_who_can_manage_the_server_change_categories(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxUsageError):  # Discord hides /categories from members without Manage Server
        await sandbox.invoke("categories add", {"label": "Vibes"}, user="alice")
    attempts: list[tuple[str, dict[str, object]]] = [
        ("add", {"label": "Vibes"}), ("list", {}), ("retire", {"category": "Music"}),
        ("rename", {"category": "Music", "label": "Sound"}), ("reorder", {"category": "Music", "position": 1}),
        ("restore", {"category": "Music"})]
    for command, options in attempts:
        # ... and if a server admin opens it to everyone in the integration settings, the bot still refuses.
        refused = await invoke_raw(sandbox, f"categories {command}", options, user="alice", check_visible=False)
        assert_clean(refused)
        assert refused.ephemeral and "Manage Server" in text_of(refused), command
    assert menus(await panel(sandbox)) == DEFAULTS
    assert await core(sandbox).db.fetch_value("SELECT count(*) FROM rating_category WHERE guild_id <> 0") == 0


async def test_each_server_has_its_own_categories(sandbox: Sandbox) -> None:
    await mod(sandbox, "add", {"label": "Pacing"})
    await mod(sandbox, "retire", {"category": "Voice Acting"})
    assert menus(await panel(sandbox)) == ["Animation", "Music", "Writing", "Story", "Pacing"]
    assert menus(await panel(sandbox, guild="Other Server")) == DEFAULTS
    elsewhere = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Pacing", "score": 3}, user="bob",
                                     guild="Other Server")
    assert_clean(elsewhere)
    assert "no rating category called “Pacing”" in text_of(elsewhere)
    assert listed(await mod(sandbox, "list", guild="Other Server")) == DEFAULTS
    await mod(sandbox, "add", {"label": "Vibes"}, guild="Other Server")
    assert menus(await panel(sandbox)) == ["Animation", "Music", "Writing", "Story", "Pacing"]


async def test_labels_are_checked_and_shown_escaped(sandbox: Sandbox) -> None:
    duplicate = await sandbox.invoke("categories add", {"label": "  MUSIC "}, user="mod")
    assert_clean(duplicate)
    assert "already has a category called Music" in text_of(duplicate)
    long = await sandbox.invoke("categories add", {"label": "x" * 40}, user="mod")
    assert "32 characters at most" in text_of(long)
    odd = await mod(sandbox, "add", {"label": "**Big** @everyone"})
    assert "\\*\\*Big\\*\\* @\u200beveryone" in text_of(odd)
    quick = await sandbox.invoke("rate", {"anime": ROUGE, "category": "**Big** @everyone", "score": 5}, user="bob")
    assert_clean(quick)
    assert "\\*\\*Big\\*\\* @\u200beveryone: **5** ★★★★★ *(new)*" in text_of(quick)


async def test_rate_and_ratings_follow_a_custom_set(sandbox: Sandbox) -> None:
    await mod(sandbox, "add", {"label": "Pacing"})
    await mod(sandbox, "retire", {"category": "Voice Acting"})
    await mod(sandbox, "reorder", {"category": "Story", "position": 1})
    choices = await sandbox.autocomplete("rate", {"anime": ROUGE, "category": ""}, focused="category")
    assert [c.value for c in choices] == ["Story", "Animation", "Music", "Writing", "Pacing"]
    typed = await sandbox.autocomplete("rate", {"anime": ROUGE, "category": "pa"}, focused="category")
    assert [c.name for c in typed] == ["Pacing"]
    board_choices = await sandbox.autocomplete("ratings top", {"category": ""}, focused="category")
    assert [c.name for c in board_choices][-1] == "Voice Acting (retired)"
    for user, category, score in [("alice", "Pacing", 4.5), ("bob", "Pacing", 3.5), ("alice", "Story", 5),
                                  ("carol", "Pacing", 4)]:
        result = await sandbox.invoke("rate", {"anime": ROUGE, "category": category, "score": score}, user=user)
        assert_clean(result)
    quick = await sandbox.invoke("rate", {"anime": ROUGE, "category": "pacing", "score": 2}, user="dave")
    assert_clean(quick)
    assert (quick.embeds[0].description or "").splitlines() == [
        "Story: —", "Animation: —", "Music: —", "Writing: —", "Pacing: **2** ★★ *(new)*"]
    show = await sandbox.invoke("ratings show", {"anime": ROUGE})
    assert_clean(show)
    assert fields(show) == ["Story", "Animation", "Music", "Writing", "Pacing"]
    assert "Pacing — 3.5 (4 votes)" in text_of(show)
    assert "the mean of the 2 category averages · 4 members rated it" in text_of(show)
    attachment = show.message.attachments[0] if show.message else None
    assert attachment is not None and attachment.filename == "ratings.png"
    top = await sandbox.invoke("ratings top", {"category": "Pacing"})
    assert_clean(top)
    assert "Top rated — Pacing" in text_of(top) and f"{ROUGE} — " in text_of(top)
    mine = await sandbox.invoke("ratings mine", user="alice")
    assert_clean(mine)
    assert f"**{ROUGE}** — Story 5 · Pacing 4.5" in text_of(mine)
