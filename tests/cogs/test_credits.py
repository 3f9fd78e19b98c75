"""/credits, /voiced and /person end to end: the real client parses real payloads and Discord accepts the replies."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator

import pytest

from bot.catalogue.credits import PersonCredits
from bot.catalogue.models import AnimeEntry, CastCredit, CatalogueBundle, CharacterEntry, Person, PersonEntry
from bot.catalogue.render import render_person
from bot.ui.client import KansouBot
from bot.ui.send import to_embed
from sandbox import InteractionResult, Sandbox
from tests.cogs.conftest import RunKansou, assert_clean, catalogue_store, text_of
from tests.data.test_shipped_catalogue import ALL_CAST, ALL_STAFF
from tests.fakes.anilist_server import (
    MULTI_PERSON_NAME,
    ONLY_FAKE_CHARACTER_NAME,
    SECOND_SHOW_TITLE,
    FakeAniList,
)


async def test_voiced_naomi(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("voiced", {"character": "Naomi Orthmann"})
    assert_clean(result)
    assert not result.ephemeral
    (embed,) = result.embeds
    assert embed.title == "Who voiced Naomi Orthmann"
    field = embed.fields[0]
    assert field.name == "🇯🇵 Japanese · Tomoyo Kurosawa (黒沢ともよ)"
    assert (field.value or "").startswith("**Metallic Rouge (TV, 2024)**")
    assert "Also voiced" in (field.value or "")


async def test_voiced_groups_one_actor_across_seasons(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("voiced", {"character": "Kumiko Oomae"})
    assert_clean(result)
    (embed,) = result.embeds
    (field,) = embed.fields  # one block for the one voice actor, not one per season
    assert field.name == "🇯🇵 Japanese · Tomoyo Kurosawa (黒沢ともよ)"
    value = field.value or ""
    assert value.startswith("**Sound! Euphonium (TV, 2015)** · **Sound! Euphonium 2 (TV, 2016)**")
    assert value.count("Also voiced") == 1 and "Kumiko" not in value


async def test_voiced_by_language_and_show(sandbox: Sandbox) -> None:
    result = await sandbox.invoke(
        "voiced", {"character": "Kumiko Oomae", "anime": "Sound! Euphonium 2", "language": "japanese"}
    )
    assert_clean(result)
    text = text_of(result)
    assert "Kumiko Ōmae" in text and "Tomoyo Kurosawa" in text and "Sound! Euphonium 2" in text
    english = await sandbox.invoke("voiced", {"character": "Naomi Orthmann", "language": "english"})
    assert_clean(english)
    assert "No English voice credit" in text_of(english) and "Japanese" in text_of(english)


async def test_credits_of_metallic_rouge(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("credits", {"anime": "metallic rouge"})
    assert_clean(result)
    text = text_of(result)
    assert "Credits — Metallic Rouge" in text and "Bones" in text and "13 episodes" in text
    for role, name in [("Director", "Motonobu Hori"), ("Character Design", "Toshihiro Kawamoto"),
                       ("Music", "Towa Tei")]:
        assert role in text and name in text
    for _, character, actor in [c for c in ALL_CAST if c[0] == "Metallic Rouge"]:
        assert character in text and actor in text


async def test_person_lists_voice_then_staff_roles(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("person", {"name": "Shimamura Yu"})
    assert_clean(result)
    text = text_of(result)
    assert "Yū Shimamura" in text and "Sara Fitzgerald" in text and "Blake Belladonna" in text
    staff = await sandbox.invoke("person", {"name": "kawamoto"})
    assert_clean(staff)
    text = text_of(staff)
    assert "Staff roles" in text and "Cowboy Bebop" in text and "Character Design" in text


async def test_formats_read_as_words_and_counts_say_only_what_is_there(sandbox: Sandbox) -> None:
    staff_only = await sandbox.invoke("person", {"name": "Motonobu Hori"})
    assert_clean(staff_only)
    text = text_of(staff_only)
    assert "**Spirited Away (Movie, 2001)** — Animation" in text and "**Super Crooks (ONA, 2021)**" in text
    assert "**Re: Cutie Honey (OVA, 2004)**" in text
    (embed,) = staff_only.embeds
    assert embed.footer.text == "10 shows as staff"  # no "0 voice roles in 0 shows"
    short = await sandbox.invoke("person", {"name": "Yui Ogura"})
    assert_clean(short)
    assert "**Encouragement of Climb (TV short, 2013)**" in text_of(short)
    assert short.embeds[0].footer.text == "4 voice roles in 4 shows"
    one = await sandbox.invoke("credits", {"anime": "Spirited Away"})
    assert_clean(one)
    assert "1 episode · 2001 · Movie" in text_of(one)
    assert one.embeds[0].footer.text == "1 staff role"  # no "0 characters"
    rouge = await sandbox.invoke("credits", {"anime": "Metallic Rouge"})
    # Music: three people, one role
    assert rouge.embeds[0].footer.text == "6 staff roles · 14 characters · voices stored: Japanese"
    for result in (staff_only, short, one, rouge):
        text = text_of(result)
        assert not re.search(r"MOVIE|TV_SHORT|\b1 \w+s\b|(?<!\d)0 \w", text), (result.label, text)


@pytest.mark.parametrize(("age", "says"), [
    (9 * 86400, "9 days"), (2 * 86400, "2 days"), (36 * 3600, "36 hours"), (3600, "1 hour"), (600, "less than an hour"),
])
def test_the_age_of_stale_data_reads_right(age: float, says: str) -> None:
    person = Person(1, "p", 7, "Someone", None, None, 0.0)
    (page,) = render_person(PersonCredits(person, [], [], [], stale_age=age))
    assert to_embed(page).footer.text == f"AniList didn't answer; this is {says} old"


async def test_a_format_kansou_does_not_know_reads_other(sandbox: Sandbox) -> None:
    assert isinstance(sandbox.bot, KansouBot)
    show = AnimeEntry(key="odd-format", title_romaji="Kimyou na Keishiki", format="CM_SPOT", year=2020,
                      cast=(CastCredit(character="odd-one", person="odd-voice"),))
    await catalogue_store(sandbox).load_bundle(CatalogueBundle(
        anime=(show,), people=(PersonEntry(key="odd-voice", name="Odd Voice"),),
        characters=(CharacterEntry(key="odd-one", name="Odd One"),),
    ), source="test")
    result = await sandbox.invoke("person", {"name": "Odd Voice"})
    assert_clean(result)
    assert "**Kimyou na Keishiki (Other, 2020)** — Odd One" in text_of(result)
    assert "CM_SPOT" not in text_of(result)
    assert result.embeds[0].footer.text == "1 voice role in 1 show"


@pytest.mark.parametrize(("title", "name", "role"), [s for s in ALL_STAFF if s[0] != "Metallic Rouge"][:6])
async def test_person_shows_other_staff_work(sandbox: Sandbox, title: str, name: str, role: str) -> None:
    result = await sandbox.invoke("person", {"name": name})
    assert_clean(result)
    assert title in text_of(result) and role in text_of(result)


async def test_every_voice_credit_of_the_seed_answers_through_discord(sandbox: Sandbox) -> None:
    for title, character, actor in ALL_CAST:
        result = await sandbox.invoke("voiced", {"character": character, "anime": title})
        assert_clean(result)
        assert actor in text_of(result), (title, character, actor)


async def test_autocomplete_answers_from_the_catalogue(sandbox: Sandbox) -> None:
    choices = await sandbox.autocomplete("person", {"name": "shima"}, focused="name")
    assert choices and choices[0].name.startswith("Yū Shimamura")
    assert len(choices) <= 25
    picked = await sandbox.invoke("person", {"name": choices[0].value})
    assert_clean(picked)
    assert "Yū Shimamura" in text_of(picked)
    shows = await sandbox.autocomplete("credits", {"anime": "lustrous"}, focused="anime")
    assert [c.name for c in shows][:1] == ["Land of the Lustrous"]
    characters = await sandbox.autocomplete("voiced", {"character": "omae"}, focused="character")
    assert characters[0].name.startswith("Kumiko Ōmae")
    nothing = await sandbox.autocomplete("voiced", {"character": ""}, focused="character")
    assert nothing == []


async def test_an_ambiguous_name_offers_a_choice(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("person", {"name": "Tsuda"})
    assert_clean(result)
    assert result.ephemeral
    text = text_of(result)
    assert "Which one" in text
    # namesakes are told apart by their native names and best-known roles
    assert "Kenjiro Tsuda (津田健次郎) — voice of Afdal Bashal in Metallic Rouge" in text
    assert "Minami Tsuda (津田美波) — voice of Aes in Metallic Rouge" in text


async def test_a_name_that_only_resembles_a_character_gets_choices_not_a_guess(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("voiced", {"character": "Tsuda"})
    assert_clean(result)
    assert result.ephemeral and "Who voiced" not in text_of(result)  # not "Who voiced Tsubasa Yūnagi"
    assert text_of(result).strip() == (
        "I couldn't find a character called “Tsuda”. Did you mean one of these?\n"
        "• Tsubasa Yūnagi (夕凪ツバサ) — Soaring Sky! Pretty Cure\n"
        "Pick one below, or from the suggestions as you type.")
    message = result.message
    assert message is not None
    picked = await sandbox.select(message, 1, ["Tsubasa Yūnagi (夕凪ツバサ) — Soaring Sky! Pretty Cure"])
    assert_clean(picked)
    assert "Who voiced Tsubasa Yūnagi" in text_of(picked)


async def test_not_found_suggests_the_closest(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("voiced", {"character": "Naomi Orthmann Extra Words That Match Nothing Zq"})
    assert_clean(result)
    assert result.ephemeral and "couldn't find" in text_of(result)


@pytest.mark.parametrize(
    "name",
    [
        " ",
        "x" * 5000,
        "🙂🙂🙂🙂",
        "**bold** __under__ `code` ||spoiler|| [link](http://x)",
        "@everyone @here",
        "<@&123456789012345678> <@123456789012345678> <#123456789012345678>",
    ],
)
async def test_bad_names_get_a_clear_reply_and_ping_nobody(sandbox: Sandbox, name: str) -> None:
    for command, option in [("voiced", "character"), ("person", "name"), ("credits", "anime")]:
        result = await sandbox.invoke(command, {option: name})
        assert_clean(result)
        assert result.ephemeral, (command, name)
        text = text_of(result)
        assert "@everyone" not in text.replace("@\u200beveryone", "")
        assert "<@&" not in text and "<@1" not in text
        assert "Sorry — something went wrong" not in text


async def test_invisible_characters_neither_hide_a_name_nor_reach_the_reply(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("voiced", {"character": "Naomi\u202e\u200b Orth\u2066mann"})
    assert_clean(result)
    text = text_of(result)
    assert "Tomoyo Kurosawa" in text
    assert not any(c in text for c in "\u202e\u2066")


def _big_show(characters: int) -> CatalogueBundle:
    people = tuple(PersonEntry(key=f"va-{i}", name=f"Voice Actor Number{i}") for i in range(characters))
    cast = tuple(CharacterEntry(key=f"ch-{i}", name=f"Character Number{i}") for i in range(characters))
    show = AnimeEntry(
        key="big-show", title_romaji="Ookina Bangumi", title_english="A Very Big Show", episodes=1000,
        cast=tuple(CastCredit(character=f"ch-{i}", person=f"va-{i}") for i in range(characters)),
    )
    return CatalogueBundle(anime=(show,), people=people, characters=cast)


async def test_long_answers_are_paginated_for_the_invoker_only(sandbox: Sandbox) -> None:
    assert isinstance(sandbox.bot, KansouBot)
    await catalogue_store(sandbox).load_bundle(_big_show(150), source="test")
    result = await sandbox.invoke("credits", {"anime": "A Very Big Show"})
    assert_clean(result)
    message = result.message
    assert message is not None and message.buttons()
    assert "Page 1/" in text_of(result)
    other = await sandbox.click(message, "Next", user="bob")
    assert_clean(other)
    assert other.ephemeral and "belong to whoever ran the command" in text_of(other)
    turned = await sandbox.click(message, "Next")
    assert_clean(turned)
    assert "Page 2/" in text_of(turned)
    assert "Character Number" in text_of(turned)
    last = await sandbox.click(message, 4)  # ⏭
    assert_clean(last)
    final = message.embed_objects()[0]
    assert final.footer.text is not None and final.footer.text.startswith("Page 8/8")  # 150 characters, 20 a page
    assert "Character Number149" in text_of(last)


async def test_an_ambiguous_name_can_be_resolved_from_a_menu(sandbox: Sandbox) -> None:
    result = await sandbox.invoke("person", {"name": "Tsuda"})
    assert_clean(result)
    message = result.message
    assert message is not None and message.selects()
    picked = await sandbox.select(message, 1, ["Kenjiro Tsuda (津田健次郎) — voice of Afdal Bashal in Metallic Rouge"])
    assert_clean(picked)
    assert not picked.ephemeral
    assert "Kenjiro Tsuda" in text_of(picked) and "Afdal Bashal" in text_of(picked)
    assert not message.selects(), "the menu goes away once used"


# -- errors are private ---------------------------------------------------------------------------------------

@pytest.fixture
async def fake_anilist() -> AsyncIterator[FakeAniList]:
    async with FakeAniList() as fake:
        yield fake


def _public(sandbox: Sandbox, result: InteractionResult) -> list[str]:
    """What everyone in the channel sees (message ids), ephemeral replies left out."""
    return [str(m.id) for m in sandbox.channel_messages(result.channel_id, include_ephemeral=False)]


def assert_private_error(sandbox: Sandbox, result: InteractionResult, public_before: list[str]) -> str:
    """One ephemeral message, nothing left in the channel, no sentence said twice; returns its text."""
    assert_clean(result)
    assert [m.ephemeral for m in result.messages] == [True], result.messages
    assert _public(sandbox, result) == public_before, "a public message stayed in the channel"
    text = text_of(result).strip()
    sentences = [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+|[;()]", text) if s.strip()]
    assert len(sentences) == len(set(sentences)), text
    assert text.lower().count("try again") <= 1 and text.count("AniList") <= 1, text
    return text


async def test_anilist_down_is_told_only_to_the_member(run_kansou: RunKansou, fake_anilist: FakeAniList) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        fake_anilist.fail_with("500")
        before = _public(sandbox, await sandbox.invoke("voiced", {"character": "Naomi Orthmann"}))
        result = await sandbox.invoke("voiced", {"character": ONLY_FAKE_CHARACTER_NAME})
        assert result.deferred, "it thought publicly while asking AniList"
        assert result.deleted and not result.deleted[0].ephemeral, "... and withdrew the public placeholder"
        text = assert_private_error(sandbox, result, before)
        assert text == (f"I don't have “{ONLY_FAKE_CHARACTER_NAME}” yet, and AniList is not answering right now. "
                        "Try again in a minute.")
        # the failure cost the member nothing: AniList is back, and the same look-up goes out at once
        fake_anilist.fail_with(None)
        again = await sandbox.invoke("voiced", {"character": ONLY_FAKE_CHARACTER_NAME})
        assert_clean(again)
        assert not again.ephemeral and f"Who voiced {ONLY_FAKE_CHARACTER_NAME}" in text_of(again)


async def test_anilist_unreachable_is_told_only_to_the_member(run_kansou: RunKansou) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with run_kansou(anilist_url=f"http://127.0.0.1:{port}/") as sandbox:
        for command, option in [("person", "name"), ("credits", "anime"), ("voiced", "character")]:
            before = _public(sandbox, await sandbox.invoke("credits", {"anime": "Metallic Rouge"}))
            result = await sandbox.invoke(command, {option: "Somebody Nobody Has Qzx"})
            text = assert_private_error(sandbox, result, before)
            assert "AniList is not answering right now" in text, (command, text)


async def test_anilist_rate_limiting_is_told_only_to_the_member(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        fake_anilist.fail_with("429", retry_after=60)
        result = await sandbox.invoke("credits", {"anime": SECOND_SHOW_TITLE})
        text = assert_private_error(sandbox, result, [])
        assert text == f"I don't have “{SECOND_SHOW_TITLE}” yet, and AniList is rate limiting us; try again in 60 s."
        # everyone else meets the same back-off, privately too, without AniList being asked again
        sent = fake_anilist.count()
        other = await sandbox.invoke("person", {"name": MULTI_PERSON_NAME}, user="bob")
        assert "try again in" in assert_private_error(sandbox, other, [])
        assert fake_anilist.count() == sent


async def test_the_lookup_cooldown_is_told_only_to_the_member(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url, lookup_cooldown=60.0) as sandbox:
        first = await sandbox.invoke("person", {"name": MULTI_PERSON_NAME})
        assert_clean(first)
        assert not first.ephemeral and MULTI_PERSON_NAME in text_of(first)
        before = _public(sandbox, first)
        sent = fake_anilist.count()
        refused = await sandbox.invoke("credits", {"anime": "A Show Nobody Has Qzx"})
        text = assert_private_error(sandbox, refused, before)
        assert not refused.deferred, "refused before thinking: nothing showed in the channel even for a moment"
        assert re.fullmatch(r"You're doing AniList look-ups too quickly — try again in \d+ s\.", text), text
        assert fake_anilist.count() == sent
        # what the catalogue knows is never held back by the cooldown
        local = await sandbox.invoke("credits", {"anime": "Metallic Rouge"})
        assert_clean(local)
        assert not local.ephemeral
        # and another member is not held back either
        other = await sandbox.invoke("credits", {"anime": SECOND_SHOW_TITLE}, user="bob")
        assert_clean(other)
        assert not other.ephemeral and SECOND_SHOW_TITLE in text_of(other)


async def test_choices_after_asking_anilist_are_private_and_pickable(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        result = await sandbox.invoke("voiced", {"character": "Naomi Orthmxnnq"})
        assert fake_anilist.count("SearchCharacter") == 1, "asked AniList, which knows nobody by that name"
        text = assert_private_error(sandbox, result, [])
        assert "AniList doesn't know it either" in text and "Naomi Orthmann" in text
        (menu,) = result.messages
        assert menu.selects()
        picked = await sandbox.select(menu, 1, ["Naomi Orthmann (ナオミ・オルトマン) — Metallic Rouge"])
        assert_clean(picked)
        assert not picked.ephemeral and "Who voiced Naomi Orthmann" in text_of(picked)
        assert not menu.selects(), "the menu goes away once used"


@pytest.mark.parametrize(("command", "option", "typed", "hint"), [
    ("person", "name", "Naomi Orthmann", "“Naomi Orthmann” is a character: did you mean "
                                         "`/voiced character: Naomi Orthmann`?"),
    ("voiced", "character", "Kenjiro Tsuda", "“Kenjiro Tsuda” is a person: did you mean "
                                             "`/person name: Kenjiro Tsuda`?"),
    ("voiced", "character", "tomoyo kurosawa", "“Tomoyo Kurosawa” is a person: did you mean "
                                               "`/person name: Tomoyo Kurosawa`?"),
    ("person", "name", "Metallic Rouge", "“Metallic Rouge” is a show: did you mean `/credits anime: Metallic Rouge`?"),
    ("credits", "anime", "Rouge Redstar", "“Rouge Redstar” is a character: did you mean "
                                          "`/voiced character: Rouge Redstar`?"),
])
async def test_a_name_of_the_other_kind_points_to_its_command(
    run_kansou: RunKansou, fake_anilist: FakeAniList, command: str, option: str, typed: str, hint: str
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        result = await sandbox.invoke(command, {option: typed})
        text = assert_private_error(sandbox, result, [])
        assert hint in text
        assert fake_anilist.count() == 0, "the catalogue knew the name: AniList is not asked"


async def test_namesakes_of_the_other_kind_point_to_its_command_by_the_name_typed(sandbox: Sandbox) -> None:
    assert isinstance(sandbox.bot, KansouBot)
    await catalogue_store(sandbox).load_bundle(CatalogueBundle(
        people=(PersonEntry(key="haru-1", name="Haru Hoshikawa", native="星川春"),
                PersonEntry(key="haru-2", name="Haru Hoshikawa", native="星川晴")),
        characters=(CharacterEntry(key="someone", name="Someone Else"),),
        anime=(AnimeEntry(key="a-show", title_romaji="Aru Bangumi",
                          cast=(CastCredit("someone", "haru-1"), CastCredit("someone", "haru-2", "english"))),),
    ), source="test")
    result = await sandbox.invoke("voiced", {"character": "hoshikawa haru"})
    assert_clean(result)
    assert result.ephemeral
    assert "“hoshikawa haru” names several people: did you mean `/person name: hoshikawa haru`?" in text_of(result)


async def test_part_of_a_name_of_the_other_kind_still_asks_anilist(
    run_kansou: RunKansou, fake_anilist: FakeAniList
) -> None:
    async with run_kansou(anilist_url=fake_anilist.url) as sandbox:
        # "Kurosawa" is part of a person's name here, but may be a character AniList knows: it is asked.
        result = await sandbox.invoke("voiced", {"character": "Kurosawa"})
        assert_clean(result)
        assert fake_anilist.count("SearchCharacter") == 1
        assert "/person" not in text_of(result)
