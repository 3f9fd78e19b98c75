"""Progress as members read it (pure)."""

from __future__ import annotations

from bot.core.cards import Card, Pages, chunk_lines
from bot.core.i18n import N_, _
from bot.core.text import Md, counted, inline, md
from bot.progress.models import Progress
from bot.progress.service import Cleared, MemberProgress

PER_PAGE = 15
PRIVATE = N_("Only you can see this: your progress is private. `/progress visibility` shows it to the server.")
VISIBLE = N_("Your progress is visible to this server (`/progress visibility` makes it private).")


def recorded(before: Progress | None, after: Progress) -> Md:
    """The confirmation of /progress set."""
    was = Md(" ") + md(_("(was {before})"), before=before.describe()) if before is not None else Md("")
    return md(_("Your progress in **{title}**: {now}{was}. Spoiler-aware commands use it: `/review read` shows "
                "reviews that spoil no further in clear."), title=inline(after.title, 200), now=after.describe(),
              was=was)


def member_progress(found: MemberProgress, *, own: bool) -> Pages:
    """A member's progress, a page of shows at a time."""
    lines = [p.line() for p in found.shows]
    who = md(_("Your progress")) if own else md(_("<@{member}>'s progress"), member=found.member_id)
    footer = _(VISIBLE if found.visible else PRIVATE) if own else None
    blocks = chunk_lines(lines, max_lines=PER_PAGE) or [md(_("No progress recorded yet: `/progress set`."))]

    def page(index: int) -> Card:
        return Card(title=None, description=who + Md("\n\n") + blocks[index], footer=footer)

    return Pages(len(blocks), page)


def cleared(result: Cleared) -> Md:
    """The confirmation of /progress clear."""
    if result.title is not None:
        return md(_("Forgot your progress in **{title}**."), title=inline(result.title, 200))
    if result.count == 0:
        return md(_("You had no progress recorded in this server."))
    return md(_("Forgot your progress in {shows}."), shows=counted("{n} show", "{n} shows", result.count))


def visibility(visible: bool) -> Md:
    """The confirmation of /progress visibility."""
    if visible:
        return md(_("Your progress is now visible to this server: members can see it with `/progress show`."))
    return md(_("Your progress is now private: only you can see it."))
