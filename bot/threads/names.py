"""Thread names within Discord's 1–100 characters, cut on grapheme boundaries, and the opening rule (pure)."""

from __future__ import annotations

from bot.core.markdown import ELLIPSIS, discord_len, grapheme_clusters, sanitize_text
from bot.core.text import Md, inline, md

NAME_MAX = 100


def fit(title: str, room: int) -> str:
    """``title`` as one line of at most ``room`` characters (as Discord counts them), cut between graphemes."""
    line = " ".join(sanitize_text(title).split())
    if discord_len(line) <= room:
        return line
    clusters = grapheme_clusters(line)
    while clusters and discord_len("".join(clusters).rstrip() + ELLIPSIS) > room:
        clusters.pop()
    return "".join(clusters).rstrip() + ELLIPSIS


def _named(title: str, suffix: str) -> str:
    head = fit(title, NAME_MAX - discord_len(suffix))
    return head + suffix if head else suffix.removeprefix(" · ")


def episode_thread_name(title: str, episode: int) -> str:
    """"Metallic Rouge · Episode 5 · spoilers up to ep 5" (the title shortened to fit 100 characters)."""
    return _named(title, f" · Episode {episode} · spoilers up to ep {episode}")


def review_thread_name(number: int, scope_header: str) -> str:
    """"Review #12 · spoilers through ep 3" (the review's spoiler scope, so nobody is surprised)."""
    scope = scope_header.replace("Spoilers through episode ", "spoilers through ep ").replace(
        "Spoilers: whole series", "spoilers: whole series").replace("Spoiler-free", "spoiler-free")
    return fit(f"Review #{number} · {scope}", NAME_MAX)


def opening(title: str, episode: int) -> Md:
    """The first message of an episode thread: the rule."""
    return md(
        "**{title}** · episode {n} discussion.\n"
        "**The rule:** everything up to and including episode {n} is fair game here; nothing after it — no "
        "hints, no \"just wait until…\". Not there yet? Come back once you've watched it.",
        title=inline(title, 200), n=episode)


def review_opening(number: int, scope_header: str) -> Md:
    """The first message of a review's reply thread."""
    return md("Replies to review #{number}. {scope}: keep replies within it.", number=number,
              scope=Md(scope_header))
