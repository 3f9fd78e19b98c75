"""Many interactions in flight at once (``invoke_many``), generated members, raw option values, fixture ids."""

from __future__ import annotations

import asyncio
import math

import discord
import pytest
from discord import app_commands

from sandbox import Invocation, SandboxConfig, SandboxUsageError, UserSpec
from sandbox.config import KIND_BOT, KIND_CHANNEL, KIND_USER
from sandbox.ids import fixture_id
from sandbox.world import ABSENT_OWNER_ID

from .conftest import RunBot
from .sandbox_bots import SandboxTestBot

CROWD = 40


class CrowdBot(SandboxTestBot):
    """Commands that can only succeed when their interactions really are in flight together."""

    def __init__(self, dev_guild: int) -> None:
        super().__init__(dev_guild)
        self.expected = CROWD
        self.inside = 0
        self.peak = 0
        self.everyone_in = asyncio.Event()
        self.patience = 2.0  # how long one waits for the rest (well under Discord's 3 seconds)

    def install(self, tree: app_commands.CommandTree[SandboxTestBot]) -> None:
        @tree.command(description="Wait until the whole crowd is here, then answer")
        async def gather(interaction: discord.Interaction) -> None:
            self.inside += 1
            self.peak = max(self.peak, self.inside)
            if self.inside >= self.expected:
                self.everyone_in.set()
            try:
                # One interaction at a time would wait here alone until Discord's 3 seconds ran out.
                await asyncio.wait_for(self.everyone_in.wait(), self.patience)
                text = f"{interaction.user.name} was in a crowd of {self.peak}"
            except TimeoutError:
                text = f"{interaction.user.name} waited alone"
            finally:
                self.inside -= 1
            await interaction.response.send_message(text, ephemeral=True)

        @tree.command(description="Think, then answer in a follow-up")
        async def later(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.01)
            await interaction.followup.send(f"later, {interaction.user.name}")

        @tree.command(description="Fail")
        async def boom(interaction: discord.Interaction) -> None:
            raise RuntimeError("boom")

        @tree.command(description="Echo a score")
        async def echo(interaction: discord.Interaction, score: app_commands.Range[float, 1, 5],
                       note: app_commands.Range[str, 1, 10] | None = None) -> None:
            await interaction.response.send_message(f"score={score!r} note={note!r}")


def crowd_config(count: int = CROWD) -> tuple[SandboxConfig, list[UserSpec]]:
    config = SandboxConfig.default()
    return config, config.add_members(count, prefix="fan")


# -- generated members and their ids ------------------------------------------------------------------------


def test_add_members_makes_distinct_members_of_the_dev_guild() -> None:
    config = SandboxConfig.default()
    before = {u.id for u in config.users} | {config.bot_id, ABSENT_OWNER_ID}
    fans = config.add_members(1200, prefix="fan")
    assert [f.name for f in fans[:2]] == ["fan1", "fan2"] and fans[-1].name == "fan1200"
    ids = [f.id for f in fans]
    assert len(set(ids)) == 1200 and not set(ids) & before
    assert all(config.user(f.name) is f and config.user(f.id) is f and config.user(f"@{f.name}") is f for f in fans)
    club, other = config.guild("Anime Club"), config.guild("Other Server")
    assert all(club.members[f.name] == [] for f in fans) and "fan1" not in other.members
    with pytest.raises(ValueError, match="'fan1' exists already"):
        config.add_members(3, prefix="fan")
    mods = config.add_members(2, prefix="mod-", guilds=["Anime Club", "Other Server"], roles=["Moderators"])
    assert other.members["mod-2"] == ["Moderators"] == club.members["mod-1"]
    with pytest.raises(KeyError):
        config.add_members(1, prefix="x", roles=["Nobody"])
    assert config.add_members(0) == [] and mods[0].global_name == "Mod-1"


def test_user_lookup_follows_changes_to_the_user_list() -> None:
    config = SandboxConfig.default()
    alice = config.user("alice")
    late = UserSpec("late", id=123)
    config.users.append(late)
    assert config.user("late") is late and config.user(123) is late
    alice.name = "alicia"
    assert config.user("alicia") is alice
    with pytest.raises(KeyError, match="no user 'alice'"):
        config.user("alice")
    config.users[0] = UserSpec("zed", id=alice.id)  # same length, another user in that place
    assert config.user(alice.id).name == "zed"


def test_fixture_ids_of_large_crowds_never_collide_across_kinds() -> None:
    assert fixture_id(KIND_USER, 5) == ((1_704_067_200_000 + 4005 - 1_420_070_400_000) << 22)  # unchanged
    users = {fixture_id(KIND_USER, i) for i in range(5000)}
    others = {fixture_id(kind, i) for kind in (KIND_CHANNEL, KIND_BOT) for i in range(1000)}
    assert len(users) == 5000 and not users & others and ABSENT_OWNER_ID not in users
    with pytest.raises(ValueError, match="outside"):
        fixture_id(KIND_USER, 1000 * 4096)


# -- invoke_many ---------------------------------------------------------------------------------------------


async def test_invoke_many_has_every_interaction_in_flight_at_once(run_bot: RunBot) -> None:
    config, fans = crowd_config()
    async with run_bot(CrowdBot, config=config) as sandbox:
        results = await sandbox.invoke_many([Invocation("gather", user=fan) for fan in fans], timeout=10)
        bot = sandbox.bot
        assert isinstance(bot, CrowdBot)
        assert bot.peak == CROWD
        assert [r.user for r in results] == fans
        for fan, result in zip(fans, results, strict=True):
            assert result.ok, (result.label, result.violations, result.errors)
            assert result.content == f"{fan.name} was in a crowd of {CROWD}"
            assert result.ephemeral and result.message is not None
            assert result.message.interaction_metadata is not None
            assert result.message.interaction_metadata["user"]["id"] == str(fan.id)
            assert result.other_messages == []  # the others' replies are theirs, not "elsewhere"
        assert sandbox.last_result is results[-1]


async def test_one_at_a_time_the_crowd_never_forms(run_bot: RunBot) -> None:
    """The control: sequential invokes cannot satisfy the barrier (so the test above can fail)."""
    config, fans = crowd_config(2)
    async with run_bot(CrowdBot, config=config) as sandbox:
        assert isinstance(sandbox.bot, CrowdBot)
        sandbox.bot.expected, sandbox.bot.patience = 2, 0.1
        result = await sandbox.invoke("gather", user=fans[0])
        assert result.content == "fan1 waited alone"


async def test_invoke_many_mixes_commands_deferrals_and_failures(run_bot: RunBot) -> None:
    config, fans = crowd_config(6)
    async with run_bot(CrowdBot, config=config) as sandbox:
        assert isinstance(sandbox.bot, CrowdBot)
        sandbox.bot.expected = 1
        batch = [Invocation("later", user=fans[0]), Invocation("boom", user=fans[1]),
                 Invocation("gather", user=fans[2]), Invocation("echo", {"score": 4.5}, user=fans[3]),
                 Invocation("later", user=fans[4], channel="reviews")]
        later, boom, gathered, echo, elsewhere = await sandbox.invoke_many(batch)
        assert later.deferred and [m.content for m in later.followups] == ["later, fan1"]
        assert elsewhere.deferred and elsewhere.followups[0].channel_id == sandbox.channel("reviews").id
        assert gathered.content == "fan3 was in a crowd of 1"
        assert echo.content == "score=4.5 note=None"
        assert not boom.acknowledged
        assert [v.name for v in boom.violations] == ["interaction not acknowledged within 3 seconds"]
        for result in (later, gathered, echo, elsewhere):
            assert result.acknowledged and not result.violations
            # the log line of the failure belongs to the batch: nobody can tell whose it was
            assert any("boom" in e for e in result.errors)


async def test_invoke_many_sends_nothing_when_one_invocation_is_wrong(run_bot: RunBot) -> None:
    config, fans = crowd_config(3)
    async with run_bot(CrowdBot, config=config) as sandbox:
        sent = len(sandbox.state.interactions)
        with pytest.raises(SandboxUsageError, match="between 1"):
            await sandbox.invoke_many([Invocation("echo", {"score": 3}, user=fans[0]),
                                       Invocation("echo", {"score": 9}, user=fans[1])])
        with pytest.raises(SandboxUsageError, match="not a member"):
            await sandbox.invoke_many([Invocation("echo", {"score": 3}, user="dave", guild="Other Server")])
        assert len(sandbox.state.interactions) == sent
        assert await sandbox.invoke_many([]) == []


async def test_overlapping_plain_invokes_still_get_their_own_answers(run_bot: RunBot) -> None:
    config, fans = crowd_config(5)
    async with run_bot(CrowdBot, config=config) as sandbox:
        assert isinstance(sandbox.bot, CrowdBot)
        sandbox.bot.expected = 5
        results = await asyncio.gather(*(sandbox.invoke("gather", user=fan) for fan in fans))
        assert [r.content for r in results] == [f"{fan.name} was in a crowd of 5" for fan in fans]
        assert all(r.ok for r in results)


# -- raw option values ---------------------------------------------------------------------------------------


async def test_raw_values_reach_the_bot_as_a_modified_client_would_send_them(run_bot: RunBot) -> None:
    async with run_bot(CrowdBot) as sandbox:
        with pytest.raises(SandboxUsageError, match="between 1"):
            await sandbox.invoke("echo", {"score": 9})
        with pytest.raises(SandboxUsageError, match="finite"):
            await sandbox.invoke("echo", {"score": math.nan})
        with pytest.raises(SandboxUsageError, match="characters"):
            await sandbox.invoke("echo", {"score": 2, "note": "x" * 11})
        out_of_range = await sandbox.invoke("echo", {"score": 9, "note": "x" * 11}, raw=True)
        assert out_of_range.ok and out_of_range.content == f"score=9.0 note={'x' * 11!r}"
        assert out_of_range.raw["data"]["options"] == [{"type": 10, "name": "score", "value": 9},
                                                       {"type": 3, "name": "note", "value": "x" * 11}]
        assert "(raw)" in out_of_range.label
        nan = await sandbox.invoke("echo", {"score": "NaN"}, raw=True)
        assert nan.content == "score=nan note=None"
        negative = await sandbox.invoke_many([Invocation("echo", {"score": -1}, raw=True),
                                              Invocation("echo", {"score": "-Infinity"}, raw=True)])
        assert [r.content for r in negative] == ["score=-1.0 note=None", "score=-inf note=None"]
        with pytest.raises(SandboxUsageError, match="send the string 'NaN'"):
            await sandbox.invoke("echo", {"score": math.nan}, raw=True)
        with pytest.raises(SandboxUsageError, match="'-Infinity'"):
            await sandbox.invoke("echo", {"score": -math.inf}, raw=True)
        with pytest.raises(SandboxUsageError, match="not a JSON value"):
            await sandbox.invoke("echo", {"score": object()}, raw=True)
        with pytest.raises(SandboxUsageError, match="no option 'colour'"):
            await sandbox.invoke("echo", {"colour": "red"}, raw=True)
