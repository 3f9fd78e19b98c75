"""What /discuss says (pure)."""

from __future__ import annotations

from bot.core.text import Md, inline, md
from bot.threads.service import EpisodeThread, Target


def linked(found: EpisodeThread) -> Md:
    """The public answer: the episode's thread."""
    new = Md(" — a new thread; its first message says the rule") if found.created else Md("")
    return md("🧵 **{title}** · episode {n}: <#{thread}>{new}", title=inline(found.title, 200), n=found.episode,
              thread=found.thread_id, new=new)


def behind(target: Target, found: EpisodeThread) -> Md:
    """The private warning for a member whose progress is short of the episode."""
    assert target.progress is not None
    return md("⚠️ Careful: you're at {where} of **{title}**, and this thread discusses episode {n} — it will spoil "
              "what you haven't watched yet. The button opens it anyway.", where=target.progress.describe(),
              title=inline(found.title, 200), n=found.episode)


def thread_url(guild_id: int, thread_id: int) -> str:
    """The link that opens a thread."""
    return f"https://discord.com/channels/{guild_id}/{thread_id}"
