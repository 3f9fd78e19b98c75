"""Commands registered in the members' languages: names, descriptions, options and choices, within Discord's rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sandbox import Sandbox
from sandbox.limits import FLAG_EPHEMERAL
from sandbox.registration import check_commands
from tests.cogs.conftest import assert_clean, text_of

TRANSLATED = ("ja", "es-ES", "es-419", "pt-BR")


def _by_name(items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(i for i in items if i["name"] == name)


async def test_registration_carries_every_translation_and_passes_discords_rules(sandbox: Sandbox) -> None:
    registered = await sandbox.wait_for_commands(None)
    payloads = [c.payload for c in registered]
    review = _by_name(payloads, "review")
    assert review["name_localizations"] == {"ja": "レビュー", "es-ES": "reseña", "es-419": "reseña", "pt-BR": "resenha"}
    assert review["description_localizations"]["es-ES"] == "Reseñas de anime sin spoilers a la vista."
    read = _by_name(review["options"], "read")
    assert read["name_localizations"]["pt-BR"] == "ler"
    watched = _by_name(read["options"], "watched")
    assert watched["name_localizations"]["ja"] == "視聴済み話数"
    assert watched["description_localizations"]["es-419"].startswith("Cuántos episodios has visto")
    language = _by_name(_by_name(payloads, "voiced")["options"], "language")
    assert {c["name"]: c["name_localizations"]["pt-BR"] for c in language["choices"]} == {
        "All languages": "Todos os idiomas", "English": "Inglês", "Japanese": "Japonês"}

    def every_item(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            out.append(item)
            out += every_item(item.get("options") or [])
        return out

    for item in every_item(payloads):  # every description translated; names too, unless they read the same
        names = item.get("name_localizations") or {}
        assert ("ja" in names or item["name"] == "m") and set(names) <= set(TRANSLATED), item["name"]  # m: a symbol
        assert set(names) == set(TRANSLATED) or item["name"] in {"anime", "spoilers", "visible", "m"}, item["name"]
        if item.get("description"):  # a context menu has none
            assert set(item.get("description_localizations") or {}) == set(TRANSLATED), item["name"]
    assert check_commands(payloads) == []
    assert not sandbox.violations


async def test_a_translation_that_breaks_discords_rules_is_refused(sandbox: Sandbox) -> None:
    registered = await sandbox.wait_for_commands(None)
    payloads = copy.deepcopy([c.payload for c in registered])
    review = _by_name(payloads, "review")
    review["name_localizations"]["es-ES"] = "Reseña de anime"  # upper case and a space
    _by_name(review["options"], "read")["name_localizations"]["ja"] = "書く"  # the same as "write" in Japanese
    _by_name(payloads, "rate")["description_localizations"]["pt-BR"] = "x" * 101
    _by_name(payloads, "credits")["name_localizations"]["xx"] = "creditos"
    found = {b.name for b in check_commands(payloads)}
    assert {"command (es-ES) name has invalid characters", "duplicate localised name",
            "command (pt-BR) description > 100 characters", "command localised for an unknown locale"} <= found


# -- replies in the member's language, posts in the server's --------------------------------------------------

ROUGE = "Metallic Rouge"


def _speaks(sandbox: Sandbox, member: str, locale: str | None) -> None:
    sandbox.member(member).locale = locale


@pytest.mark.parametrize(("locale", "heading", "score"), [
    ("ja", "自分の評価 — Metallic Rouge", "**4.5**"),
    ("es-ES", "Tus puntuaciones — Metallic Rouge", "**4,5**"),
    ("es-419", "Tus puntuaciones — Metallic Rouge", "**4,5**"),
    ("pt-BR", "Suas avaliações — Metallic Rouge", "**4,5**"),
    ("fr", "Your ratings — Metallic Rouge", "**4.5**"),  # a language kansou doesn't have: English
])
async def test_a_private_answer_follows_the_members_language(sandbox: Sandbox, locale: str, heading: str,
                                                              score: str) -> None:
    _speaks(sandbox, "alice", locale)
    result = await sandbox.invoke("rate", {"anime": ROUGE, "category": "Music", "score": 4.5}, user="alice")
    assert_clean(result)
    text = text_of(result)
    assert result.messages[0].flags & FLAG_EPHEMERAL
    assert heading.split(" — ", maxsplit=1)[0] in text and score in text, text


async def test_plural_forms_and_numbers_follow_the_language(sandbox: Sandbox) -> None:
    _speaks(sandbox, "alice", "es-ES")
    for category, score in (("Music", 4.5), ("Story", 3)):
        assert_clean(await sandbox.invoke("rate", {"anime": ROUGE, "category": category, "score": score},
                                          user="alice"))
    mine = await sandbox.invoke("ratings mine", user="alice")
    assert "1 serie · 2 notas" in text_of(mine), text_of(mine)
    forget = await sandbox.invoke("ratings forget", {"anime": ROUGE}, user="alice")
    assert "Se borraron 2 notas de **Metallic Rouge**." in text_of(forget), text_of(forget)
    _speaks(sandbox, "alice", "pt-BR")
    assert_clean(await sandbox.invoke("rate", {"anime": ROUGE, "category": "Music", "score": 4}, user="alice"))
    mine = await sandbox.invoke("ratings mine", user="alice")
    assert "1 anime · 1 nota" in text_of(mine), text_of(mine)
    _speaks(sandbox, "alice", "ja")
    forget = await sandbox.invoke("ratings forget", {"anime": ROUGE}, user="alice")
    assert "点数1件を消しました" in text_of(forget), text_of(forget)


async def test_errors_speak_the_members_language_and_unknown_languages_get_english(sandbox: Sandbox) -> None:
    expected = {
        "ja": "という作品は見つかりませんでした",
        "es-ES": "No encontré ninguna serie llamada",
        "pt-BR": "Não encontrei nenhum anime chamado",
        "fr": "I couldn't find a show called",
        "ko": "I couldn't find a show called",
    }
    for locale, sentence in expected.items():
        _speaks(sandbox, "bob", locale)
        result = await sandbox.invoke("ratings show", {"anime": "Zzyzx Qwerty"}, user="bob")
        assert sentence in text_of(result), (locale, text_of(result))
        assert "{" not in text_of(result)  # never a placeholder or a message key


async def test_a_review_in_a_spanish_server_by_a_japanese_member(sandbox: Sandbox) -> None:
    guild = sandbox.guild(None)
    guild.locale = "es-ES"
    _speaks(sandbox, "alice", "ja")
    form = await sandbox.invoke("review write", {"anime": ROUGE, "spoilers": True, "through_episode": 3},
                                user="alice")
    assert_clean(form)
    assert form.modal is not None
    assert form.modal.title == "レビュー：Metallic Rouge"  # the form is hers: Japanese
    posted = await sandbox.submit_modal(form, {"タイトル": "Brillante", "レビュー": "Todo ||bien||."})
    assert_clean(posted)
    post = text_of(posted)
    assert not posted.messages[0].flags & FLAG_EPHEMERAL  # the post is the channel's: Spanish
    assert "por <@" in post and "Spoilers hasta el episodio 3" in post and "Reseña #1" in post, post
    assert "レビュー" not in post
    edit = await sandbox.invoke("review edit", {"review": 1}, user="alice")
    assert edit.modal is not None and edit.modal.title == "レビュー #1 を編集"
    saved = await sandbox.submit_modal(edit, {"レビュー": "Todo ||muy bien||."})
    assert "レビュー #1 を更新しました。" in text_of(saved), text_of(saved)  # her private answer: Japanese
    reposted = sandbox.channel_messages(sandbox.channel(None, guild), guild=guild)
    shown = "\n".join(e.footer.text or "" for m in reposted for e in m.embed_objects())
    assert "Reseña #1 · editada" in shown, shown  # the post, edited: still Spanish
    # Another member reading it privately gets it in their own language (Brazilian Portuguese).
    _speaks(sandbox, "bob", "pt-BR")
    read = await sandbox.invoke("review read", {"anime": ROUGE, "watched": 2}, user="bob")
    assert "Oculta: revela até o episódio 3, e você assistiu 2." in text_of(read), text_of(read)


async def test_page_buttons_keep_the_pages_language(sandbox: Sandbox) -> None:
    # A public leaderboard in a Spanish server stays Spanish whoever turns its pages; a private list stays in the
    # language of the member who asked.
    sandbox.guild(None).locale = "es-ES"
    _speaks(sandbox, "bob", "ja")
    for anime_id in range(1, 13):  # twelve shows: two pages of ten
        assert_clean(await sandbox.invoke("rate", {"anime": f"id:{anime_id}", "category": "Music", "score": 4},
                                          user="bob"))
    top = await sandbox.invoke("ratings top", user="bob")
    assert_clean(top)
    assert not top.messages[0].flags & FLAG_EPHEMERAL and "Página 1/2" in text_of(top), text_of(top)
    turned = await sandbox.click(top, "Siguiente", user="bob")
    assert_clean(turned)
    assert "Página 2/2" in text_of(turned) and "Mejor puntuados" in text_of(turned), text_of(turned)
    mine = await sandbox.invoke("ratings mine", user="bob")
    assert "自分の評価" in text_of(mine) or "このサーバーでの自分の評価" in text_of(mine), text_of(mine)
    more = await sandbox.click(mine, "次へ", user="bob")
    assert_clean(more)
    assert "2/2ページ" in text_of(more), text_of(more)
