"""Nothing secret or private in any log line, at any level: a review written and edited at DEBUG, every line read.

Interaction tokens (in ``/interactions/<id>/<token>/callback`` and follow-up webhook URLs, and in the gateway's
INTERACTION_CREATE payload) let anyone post as the bot for 15 minutes; review bodies are members' text. discord.py
logs payloads and URLs at DEBUG and aiosqlite logs each SQL call with its parameters: none of it may reach a line.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging, redact, reset_logging, summarise
from sandbox import Sandbox
from tests.cogs.conftest import (  # noqa: F401  # fixtures
    _restore_discord_endpoints,
    assert_clean,
    run_kansou,
    sandbox,
    text_of,
)

TITLE = "Headline-ZQX-title"
BODY = "Body-ZQX-private words about episode seven " * 20
WARNINGS = "Warning-ZQX-flashing"
EDITED = "Edited-ZQX-body, still private"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Every record of every logger, DEBUG and up, as the bot's own log configuration writes it."""
    stream = io.StringIO()
    configure_logging("DEBUG", "text", stream=stream)
    aiosqlite = logging.getLogger("aiosqlite")
    level = aiosqlite.level
    aiosqlite.setLevel(logging.DEBUG)
    yield stream
    aiosqlite.setLevel(level)
    reset_logging()


async def test_a_review_written_at_debug_leaves_no_token_and_no_member_text(debug_log: io.StringIO,
                                                                           sandbox: Sandbox) -> None:  # noqa: F811
    form = await sandbox.invoke("review write", {"anime": "Metallic Rouge"})
    assert form.modal is not None
    done = await sandbox.submit_modal(form, {"Title": TITLE, "Review": BODY, "Content warnings (optional)": WARNINGS})
    assert_clean(done)
    edit = await sandbox.invoke("review edit", {"review": 1})
    assert edit.modal is not None
    saved = await sandbox.submit_modal(edit, {"Review": EDITED})
    assert_clean(saved)
    assert "is updated" in text_of(saved)
    read = await sandbox.invoke("review read", {"anime": "Metallic Rouge"})
    assert_clean(read)

    lines = debug_log.getvalue().splitlines()
    # The log really was at DEBUG, with discord.py's and aiosqlite's chatter in it: the check below means something.
    assert any("discord.webhook" in line and "/callback" in line for line in lines)
    assert any("discord.http" in line and "/channels/" in line for line in lines)
    assert any("/webhooks/" in line for line in lines)
    assert any("discord.gateway" in line and "INTERACTION_CREATE" in line for line in lines)
    assert any("aiosqlite" in line and "database call" in line for line in lines)
    tokens = [record.token for record in sandbox.state.interactions.values()]
    assert len(tokens) >= 5
    leaks = [line for line in lines for secret in [*tokens, "ZQX"] if secret in line]
    assert not leaks, leaks[:5]
    assert any("/callback" in line and REDACTED in line for line in lines)


def test_tokens_in_urls_and_payload_fields_are_redacted() -> None:
    token = "aW50ZXJhY3Rpb24" + "x" * 60
    assert redact(f"POST /api/v10/interactions/123/{token}/callback with") == (
        f"POST /api/v10/interactions/123/{REDACTED}/callback with")
    assert redact(f"PATCH /webhooks/55/{token}/messages/@original") == (
        f"PATCH /webhooks/55/{REDACTED}/messages/@original")
    assert token not in redact(f"{{'token': '{token}', 'id': 3}}")
    assert token not in redact(f'{{"type": 2, "token": "{token}"}}')
    assert redact("GET /channels/123/messages/456") == "GET /channels/123/messages/456"


def test_payloads_are_summarised_not_shown() -> None:
    assert summarise("POST") == "POST" and summarise(204) == 204
    assert summarise('{"content": "secret"}') == "<JSON of 21 characters>"
    assert summarise({"op": 0, "t": "INTERACTION_CREATE", "s": 4, "d": {"data": "secret"}}) == (
        "<gateway op=0 t=INTERACTION_CREATE s=4>")
    assert "secret" not in str(summarise({"content": "secret"}))
    assert "secret" not in str(summarise(["secret"]))
