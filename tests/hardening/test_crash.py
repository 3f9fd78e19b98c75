"""Crash safety: SIGKILL the bot in the middle of a burst of /rate and lose nothing it acknowledged.

The bot runs as a separate process (``python -m bot``) against a stand-in served by this test. A thousand
distinct members each submit one /rate (a random category and half-point score, for one of a few shows), up to
``WINDOW`` in flight at once; once ``KILL_AFTER`` have been acknowledged the process gets SIGKILL, mid-burst. A
new process is started on the same database, and then:

* every rating the bot acknowledged (the stand-in received its callback, showing the member's score) is
  stored, with the very score;
* no /rate is half-written: each member has their submission or nothing;
* the aggregates are exact: ``rating_tally`` and ``rating_show`` equal a recount of the raw votes;
* ``PRAGMA integrity_check`` is ok, and the restarted bot answers (and counts the votes) as before.

The same for review writes: sixty review forms submitted at once, SIGKILL once a third are answered. Saving a
review and posting it are two steps, so the kill leaves reviews saved whose post was not recorded. The restarted
bot finds each one's post in the channel and keeps it, or posts it; every acknowledged review is stored as
written with the post its member saw; a post no stored review points to is removed by a moderator's message menu.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from sandbox import InteractionResult, Sandbox, SandboxConfig, SandboxMessage, SandboxServer, UserSpec
from sandbox.invocation import Target, fresh_ids, interaction_payload
from sandbox.store import InteractionRecord
from tests.hardening._dispatch import Burst, Sent
from tests.hardening._support import NOTES, aggregate_mismatches, all_text, integrity, read_only

pytestmark = pytest.mark.slow

BURST = 1000
KILL_AFTER = 300
WINDOW = 64
SHOWS = (1, 2, 5, 6, 46)  # Metallic Rouge, Takagi-san 3, Sound! Euphonium (1 and 2), Cowboy Bebop
ROOT = Path(__file__).resolve().parents[2]
MODAL_SUBMIT = 5
STARTUP = 60.0  # seconds a starting bot may take before the test gives up (not a performance bound)
SCORES = tuple(s / 2 for s in range(2, 11))
# The seed's five categories, every server's defaults: key → label.
CATEGORIES = {"animation": "Animation", "voice_acting": "Voice Acting", "music": "Music", "writing": "Writing",
              "story": "Story"}


@dataclass
class BotProcess:
    """``python -m bot`` running against the stand-in."""

    process: asyncio.subprocess.Process
    log_path: Path
    log: IO[bytes]

    def tail(self) -> str:
        """The end of its log, for failure messages."""
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]


def _open_log(path: Path) -> IO[bytes]:
    return path.open("wb")


async def start_bot(server: SandboxServer, db_path: Path, workdir: Path, name: str) -> BotProcess:
    """Start kansou as a separate process on ``db_path``, registering its commands in the dev guild."""
    endpoints = server.endpoints
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
    env.update({
        "DISCORD_TOKEN": endpoints.token,
        "DISCORD_API_BASE": endpoints.api_base,
        "DISCORD_GATEWAY_URL": endpoints.gateway_url,
        "KANSOU_DB": str(db_path),
        "KANSOU_DEV_GUILD": str(endpoints.dev_guild_id),
        "ANILIST_API_URL": "off",
        "KANSOU_RATE_COOLDOWN": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    log_path = workdir / f"{name}.log"
    log = _open_log(log_path)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=workdir, env=env,
                                                   stdout=log, stderr=asyncio.subprocess.STDOUT)
    return BotProcess(process, log_path, log)


@dataclass
class Mark:
    """The stand-in's state just before a bot process starts."""

    identified: int
    registered: asyncio.Event  # set by the next command registration (the registry replaces it on every change)


def mark(server: SandboxServer) -> Mark:
    """Remember what to wait for once a new process starts."""
    return Mark(server.gateway.identify_count, server.state.commands.changed)


async def wait_until_serving(server: SandboxServer, bot: BotProcess, before: Mark) -> None:
    """Wait until the new process has registered its commands in the dev guild and identified on the gateway."""
    async with asyncio.timeout(STARTUP):
        while not (server.gateway.identify_count > before.identified and server.gateway.ready.is_set()
                   and before.registered.is_set()):
            assert bot.process.returncode is None, f"the bot exited:\n{bot.tail()}"
            await asyncio.sleep(0.02)


def plan(members: int, seed: int = 20240601) -> list[tuple[int, dict[str, float]]]:
    """For each member: a show, and a category with its score."""
    rng = random.Random(seed)
    return [(rng.choice(SHOWS), {rng.choice(list(CATEGORIES)): rng.choice(SCORES)}) for _ in range(members)]


def acknowledged_scores(server: SandboxServer, sent: Sent) -> bool:
    """Whether the stand-in received this /rate's callback, showing the score the member gave."""
    record = sent.record
    message = server.state.messages.by_id.get(record.original_message_id or 0)
    if record.response_type != 4 or message is None or not message.embeds:
        return False
    description = str(message.embeds[0].get("description") or "")
    return all(f"{CATEGORIES[c]}: **{s:g}**" in description for c, s in sent.scores.items())


async def test_sigkill_mid_burst_loses_no_acknowledged_rating(tmp_path: Path, catalogue_template: Path) -> None:
    db_path = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    config = SandboxConfig.default()
    server = SandboxServer(config)
    await server.start()
    guild = config.guild(None)
    burst = Burst(server, guild)
    members = burst.add_members(BURST)
    first: BotProcess | None = None
    second: BotProcess | None = None
    try:
        before = mark(server)
        first = await start_bot(server, db_path, tmp_path, "bot-1")
        await wait_until_serving(server, first, before)

        # -- the burst, and SIGKILL once KILL_AFTER are acknowledged ---------------------------------------------
        killed = asyncio.Event()

        async def send_all() -> None:
            for member, (anime_id, scores) in zip(members, plan(BURST), strict=True):
                await burst.wait_in_flight_below(WINDOW)
                if killed.is_set():
                    return
                await burst.rate(member, anime_id, scores)

        sender = asyncio.create_task(send_all())
        async with asyncio.timeout(STARTUP):
            while len(burst.acknowledged) < KILL_AFTER:
                assert not sender.done() or sender.exception() is None, sender
                assert first.process.returncode is None, f"the bot died on its own:\n{first.tail()}"
                await asyncio.sleep(0.001)
        first.process.send_signal(signal.SIGKILL)
        in_flight_at_kill = burst.in_flight
        killed.set()
        await first.process.wait()
        await sender
        sent_before_kill = len(burst.sent)
        acked = [s for s in burst.sent if s.record.response_type is not None]
        assert first.process.returncode == -signal.SIGKILL
        assert in_flight_at_kill > 0 and sent_before_kill < BURST, "the kill did not land mid-burst"
        assert all(acknowledged_scores(server, s) for s in acked), "an acknowledgement did not show the scores"

        # -- restart on the same database -----------------------------------------------------------------------
        before = mark(server)
        second = await start_bot(server, db_path, tmp_path, "bot-2")
        await wait_until_serving(server, second, before)
        driver = Sandbox(server, timeout=10.0)
        after = [await burst.rate(m, anime_id, scores) for m, (anime_id, scores) in
                 zip(members[sent_before_kill : sent_before_kill + 5], plan(5, seed=7), strict=True)]
        async with asyncio.timeout(STARTUP):
            while any(s.record.response_type is None and not s.record.expired for s in after):  # noqa: ASYNC110
                await asyncio.sleep(0.01)  # the stand-in's records are polled, as the driver does
        assert all(acknowledged_scores(server, s) for s in after), "the restarted bot did not take new ratings"
        conn = read_only(db_path)
        try:
            voters = dict(conn.execute("SELECT anime_id, voters FROM rating_show WHERE guild_id = ?", (guild.id,)))
        finally:
            conn.close()
        for anime_id in SHOWS:
            shown = await driver.invoke("ratings show", {"anime": f"id:{anime_id}"}, user="alice")
            assert shown.acknowledged and not shown.violations, shown.label
            text = " ".join(str(e.get("description") or "") for e in shown.message.embeds) if shown.message else ""
            count = voters[anime_id]
            assert f"{count:,} member{'' if count == 1 else 's'} rated it" in text, (anime_id, count, text[:300])

        second.process.send_signal(signal.SIGTERM)  # a clean stop this time
        async with asyncio.timeout(STARTUP):
            assert await second.process.wait() == 0, second.tail()
    finally:
        for bot in (first, second):
            if bot is not None:
                if bot.process.returncode is None:
                    bot.process.kill()
                    await bot.process.wait()
                bot.log.close()
        await server.stop()

    # -- what is on disk ----------------------------------------------------------------------------------------
    conn = read_only(db_path)
    try:
        assert integrity(conn) == "ok", integrity(conn)
        mismatches = aggregate_mismatches(conn)
        assert not mismatches, mismatches[:10]
        stored: dict[tuple[int, int], dict[str, float]] = {}
        for member_id, anime_id, category, score in conn.execute(
                "SELECT member_id, anime_id, category, score FROM rating WHERE guild_id = ?", (guild.id,)):
            stored.setdefault((member_id, anime_id), {})[category] = score / 2
    finally:
        conn.close()

    everyone = burst.sent
    lost = [s for s in acked if stored.get((s.member.id, s.anime_id)) != s.scores]
    half = [s for s in everyone if stored.get((s.member.id, s.anime_id)) not in (None, s.scores)]
    present = [s for s in everyone if stored.get((s.member.id, s.anime_id)) == s.scores]
    unacked_but_stored = [s for s in present if s.record.response_type is None]
    strangers = set(stored) - {(s.member.id, s.anime_id) for s in everyone}
    summary = (f"crash test: {sent_before_kill} /rate sent before SIGKILL ({in_flight_at_kill} in flight), "
               f"{len(acked)} acknowledged, {len([s for s in acked if s not in lost])} of them present after the "
               f"restart, {len(lost)} lost, {len(half)} half-written, {len(unacked_but_stored)} committed but "
               f"never acknowledged; {len(after)} more after the restart; integrity_check ok, aggregates = recount")
    print("\n" + summary)
    NOTES.append(summary)
    assert not lost, [(s.member.name, s.scores, stored.get((s.member.id, s.anime_id))) for s in lost[:5]]
    assert not half, [(s.member.name, s.scores, stored.get((s.member.id, s.anime_id))) for s in half[:5]]
    assert not strangers, list(strangers)[:5]
    assert len(acked) >= KILL_AFTER



# -- review writes ---------------------------------------------------------------------------------------------

REVIEWERS = 60
REVIEW_KILL_AFTER = 20
RECOVERY_WAIT = 40.0  # seconds for the restarted bot's second recovery pass (10 s after it connects)


def submit_nowait(server: SandboxServer, opened: InteractionResult, member: UserSpec, title: str) -> InteractionRecord:
    """Build one review form's submission as Discord would send it (the record to watch; dispatched by the caller)."""
    assert opened.modal is not None
    state = server.state
    guild = server.config.guild(None)
    channel = guild.channel("general")
    data = {"custom_id": opened.modal.custom_id,
            "components": opened.modal.submission({"Title": title, "Review": f"{title}: every word kept."})}
    interaction_id, token = fresh_ids(state)
    payload = interaction_payload(state, Target(guild, channel, member), kind=MODAL_SUBMIT, data=data,
                                  interaction_id=interaction_id, token=token)
    return InteractionRecord(id=interaction_id, token=token, type=MODAL_SUBMIT, payload=payload, guild_id=guild.id,
                             channel_id=channel.id, user_id=member.id, label=f"{member.name}: review form")


def review_posts(server: SandboxServer) -> list[SandboxMessage]:
    """The review posts (first messages) in #general that still exist."""
    channel = server.config.guild(None).channel("general")
    return [m for m in server.state.messages.by_id.values()
            if m.channel_id == channel.id and not m.deleted and not m.ephemeral and m.embeds
            and str((m.embeds[0].get("footer") or {}).get("text") or "").startswith("Review #")]


def unposted_count(db_path: Path) -> int:
    """Stored reviews meant for a channel with no message recorded."""
    conn = read_only(db_path)
    try:
        return int(conn.execute("SELECT count(*) FROM review r WHERE channel_id IS NOT NULL AND NOT EXISTS "
                                "(SELECT 1 FROM review_message m WHERE m.review_id = r.id)").fetchone()[0])
    finally:
        conn.close()


async def test_sigkill_mid_review_writes_leaves_every_review_posted_or_reported(tmp_path: Path,
                                                                                catalogue_template: Path) -> None:
    db_path = tmp_path / "kansou.sqlite3"
    shutil.copyfile(catalogue_template, db_path)
    config = SandboxConfig.default()
    server = SandboxServer(config)
    await server.start()
    guild = config.guild(None)
    members = Burst(server, guild).add_members(REVIEWERS)
    first: BotProcess | None = None
    second: BotProcess | None = None
    try:
        before = mark(server)
        first = await start_bot(server, db_path, tmp_path, "bot-1")
        await wait_until_serving(server, first, before)
        driver = Sandbox(server, timeout=10.0)
        forms = [await driver.invoke("review write", {"anime": "id:1"}, user=m.name) for m in members]
        assert all(f.modal is not None for f in forms)

        # -- every form submitted at once; SIGKILL once REVIEW_KILL_AFTER are answered ---------------------------
        titles = {m.id: f"Take {n}" for n, m in enumerate(members)}
        records = [submit_nowait(server, form, m, titles[m.id]) for form, m in zip(forms, members, strict=True)]

        async def submit_all() -> None:
            # Submissions keep arriving while the first ones are answered (a few milliseconds apart), so however
            # fast the bot answers, the kill lands while some are in flight and others not yet sent.
            for record in records:
                server.lifecycle.open(record)
                await server.gateway.dispatch("INTERACTION_CREATE", record.payload)
                await asyncio.sleep(0.02)

        submitting = asyncio.create_task(submit_all())
        async with asyncio.timeout(STARTUP):
            while sum(r.response_type is not None for r in records) < REVIEW_KILL_AFTER:
                assert first.process.returncode is None, f"the bot died on its own:\n{first.tail()}"
                await asyncio.sleep(0.001)
        first.process.send_signal(signal.SIGKILL)
        await first.process.wait()
        await submitting  # the rest go to a bot that is gone: never answered
        answered = [r for r in records if r.response_type is not None]
        assert len(answered) < REVIEWERS, "the kill did not land mid-burst"
        acked = {r.user_id: server.state.messages.by_id[r.original_message_id] for r in answered
                 if r.response_type == 4 and r.original_message_id in server.state.messages.by_id}

        # -- restart: what was saved but not posted gets posted ---------------------------------------------------
        at_restart = unposted_count(db_path)
        before = mark(server)
        second = await start_bot(server, db_path, tmp_path, "bot-2")
        await wait_until_serving(server, second, before)
        async with asyncio.timeout(RECOVERY_WAIT):
            while unposted_count(db_path):
                assert second.process.returncode is None, second.tail()
                await asyncio.sleep(0.05)

        conn = read_only(db_path)
        try:
            stored = {int(author): (int(number), str(title)) for author, number, title in conn.execute(
                "SELECT author_id, number, title FROM review WHERE guild_id = ?", (guild.id,))}
            linked = {int(m): int(n) for m, n in conn.execute(
                "SELECT m.message_id, r.number FROM review_message m JOIN review r ON r.id = m.review_id "
                "WHERE m.position = 0")}
        finally:
            conn.close()
        # Every acknowledged review is stored, as written, and its post is the one the member saw (found and kept,
        # not posted a second time).
        for user_id, post in acked.items():
            assert user_id in stored and stored[user_id][1] == titles[user_id], (user_id, stored.get(user_id))
            assert linked.get(post.id) == stored[user_id][0], f"the post of {user_id} was not kept"
        # Every stored review has a live post showing its number.
        live = {m.id: m for m in review_posts(server)}
        for number in {n for n, _ in stored.values()}:
            assert any(n == number and mid in live for mid, n in linked.items()), f"review #{number} has no post"
        # Posts no stored review points to (posted, then the bot died before recording them): a moderator removes
        # them with the message menu, and then every review post in the channel is a stored review's.
        orphans = [m for m in live.values() if m.id not in linked]
        for orphan in orphans:
            result = await driver.context_menu("Remove review post", orphan, user="mod")
            assert result.acknowledged and "Removed that post" in all_text(result), all_text(result)
            assert orphan.deleted
        assert {m.id for m in review_posts(server)} == {mid for mid in linked if mid in live}
        after = await driver.invoke("review write", {"anime": "id:2"}, user="alice")
        assert after.modal is not None, "the restarted bot did not take new reviews"

        second.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STARTUP):
            assert await second.process.wait() == 0, second.tail()
    finally:
        for bot in (first, second):
            if bot is not None:
                if bot.process.returncode is None:
                    bot.process.kill()
                    await bot.process.wait()
                bot.log.close()
        await server.stop()

    conn = read_only(db_path)
    try:
        assert integrity(conn) == "ok", integrity(conn)
    finally:
        conn.close()
    summary = (f"review crash test: {REVIEWERS} review forms submitted at once, SIGKILL after {len(answered)} "
               f"answered ({len(acked)} posted); {at_restart} saved but unrecorded at the restart, each posted or its "
               f"post found and kept by the restarted bot; {len(orphans)} post(s) without a stored review removed by "
               f"a moderator; {len(stored)} reviews stored, each with its post; integrity_check ok")
    print("\n" + summary)
    NOTES.append(summary)
