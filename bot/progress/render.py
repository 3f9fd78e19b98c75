"""Progress as members read it (pure)."""

from __future__ import annotations

from bot.core.cards import Card, Pages, chunk_lines
from bot.core.text import Md, inline, md
from bot.progress.models import Progress
from bot.progress.service import Cleared, MemberProgress

PER_PAGE = 15
PRIVATE = "Only you can see this: your progress is private. `/progress visibility` shows it to the server."
VISIBLE = "Your progress is visible to this server (`/progress visibility` makes it private)."


def recorded(before: Progress | None, after: Progress) -> Md:
    """The confirmation of /progress set."""
    was = md(" (was {before})", before=before.describe()) if before is not None else Md("")
    return md("Your progress in **{title}**: {now}{was}. Spoiler-aware commands use it: `/review read` shows "
              "reviews that spoil no further in clear.", title=inline(after.title, 200), now=after.describe(),
              was=was)


def member_progress(found: MemberProgress, *, own: bool) -> Pages:
    """A member's progress, a page of shows at a time."""
    lines = [p.line() for p in found.shows]
    who = Md("Your progress") if own else md("<@{member}>'s progress", member=found.member_id)
    footer = (VISIBLE if found.visible else PRIVATE) if own else None
    blocks = chunk_lines(lines, max_lines=PER_PAGE) or [Md("No progress recorded yet: `/progress set`.")]

    def page(index: int) -> Card:
        return Card(title=None, description=who + Md("\n\n") + blocks[index], footer=footer)

    return Pages(len(blocks), page)


def cleared(result: Cleared) -> Md:
    """The confirmation of /progress clear."""
    if result.title is not None:
        return md("Forgot your progress in **{title}**.", title=inline(result.title, 200))
    if result.count == 0:
        return Md("You had no progress recorded in this server.")
    return md("Forgot your progress in {count} show{s}.", count=result.count, s=Md("" if result.count == 1 else "s"))


def visibility(visible: bool) -> Md:
    """The confirmation of /progress visibility."""
    if visible:
        return Md("Your progress is now visible to this server: members can see it with `/progress show`.")
    return Md("Your progress is now private: only you can see it.")
