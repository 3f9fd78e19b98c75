"""Ratings as members read them: a member's scores, a show's tallies, leaderboards, the rating panel (pure).

Every average is shown to one decimal by the one rule of :func:`bot.ratings.chart.one_decimal`. A server's
retired categories keep their history: a show's tallies and a member's scores still show them, marked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.core import limits
from bot.core.cards import Attachment, Card, Field, Page, Pages
from bot.core.text import Md, inline, md, plain, plural
from bot.ratings.chart import CHART_FILENAME, ChartCache, one_decimal, render_chart
from bot.ratings.models import SCORES, Category, CategorySet, Forgotten, Leaderboard, MemberScores, ShowRatings, Tally
from bot.ratings.service import MineResult, Panel

PER_PAGE = 10
SPARKS = "▁▂▃▄▅▆▇█"
RETIRED = " (retired)"


def _number(value: float) -> str:
    return f"{value:g}"


def stars(score: float) -> str:
    """A score as stars: 3.5 → ★★★½."""
    full = int(score)
    return "★" * full + ("½" if score - full >= 0.5 else "")


def sparkline(distribution: Sequence[int]) -> str:
    """Votes per score (1, 1.5, … 5) as one line of bars; "·" marks a score nobody gave."""
    top = max(distribution, default=0)
    if top <= 0:
        return "·" * len(distribution)
    return "".join("·" if n <= 0 else SPARKS[max(0, math.ceil(n / top * len(SPARKS)) - 1)] for n in distribution)


def _name(category: Category) -> Md:
    return inline(category.label + (RETIRED if category.retired else ""), 60)


def _shown(categories: CategorySet, scored: set[str]) -> list[Category]:
    """The active categories, then the retired ones that have something to show."""
    return [*categories.active, *(c for c in categories.retired if c.key in scored)]


def score_line(category: Category, result: MemberScores) -> Md:
    """One category of a member's scores: "Music: **3** ★★★ *(new)*", or "Music: —" when not rated."""
    score = result.scores.get(category.key)
    if score is None:
        return md("{name}: —", name=_name(category))
    before = result.previous.get(category.key)
    mark = ""  # a score given again unchanged, or not given this time, is just shown
    if category.key in result.given:
        if before is None:
            mark = " *(new)*"
        elif before != score:
            mark = f" *(was {_number(before)})*"
    return md("{name}: **{score}** {stars}{mark}", name=_name(category), score=Md(_number(score)),
              stars=Md(stars(score)), mark=Md(mark))


def render_scores(result: MemberScores, categories: CategorySet) -> Card:
    """The private answer of /rate: the member's current scores for the show."""
    lines = [score_line(c, result) for c in _shown(categories, set(result.scores))]
    return Card(title=md("Your ratings — {title}", title=inline(result.title, 200)), description=Md("\n").lines(lines),
                footer="Rate a category again to replace its score · /ratings forget removes them all")


def _tally_field(label: Md, tally: Tally) -> Field:
    name = md("{label} — {average} ({votes})", label=label, average=Md(one_decimal(tally.average)),
              votes=plural(tally.votes, "vote"))
    counts = " · ".join(
        f"{_number(score.points)}★ ×{n}" for score, n in reversed(list(zip(SCORES, tally.distribution, strict=True)))
        if n
    )
    return Field(name, md("`1 {line} 5`\n-# {counts}", line=Md(sparkline(tally.distribution)), counts=Md(counts)))


def render_show(result: ShowRatings, charts: ChartCache | None = None) -> Page:
    """The answer of /ratings show: a card, and the chart attached as ratings.png (from ``charts`` when given:
    drawn once per version of the show's ratings)."""
    tally = result.tally
    overall = result.overall
    shown = _shown(result.categories, {t.category for t in tally.tallies})
    known = {c.key for c in shown}
    labels = {c.key: c.label for c in shown}
    if len(tally.tallies) == 1:
        only = tally.tallies[0].category
        basis = md("{label} is the only category rated", label=inline(labels.get(only, only), 60))
    else:
        basis = md("the mean of the {n} category averages", n=len(tally.tallies))
    description = (
        md("Overall **{overall}** / 5 — {basis} · {members} rated it in this server",
           overall=Md(one_decimal(overall)), basis=basis, members=plural(tally.voters, "member"))
        if overall is not None else Md("")
    )
    fields = []
    bars: list[tuple[str, Tally | None]] = []
    for category in shown:
        found = tally.get(category.key)
        if found is None:
            fields.append(Field(md("{name} — no votes yet", name=_name(category)), Md("Be the first: `/rate`")))
        else:
            fields.append(_tally_field(_name(category), found))
        bars.append((plain(category.label + (RETIRED if category.retired else ""), 40), found))
    # Votes in a category the server's set no longer names (should one ever be dropped) are still counted.
    for found in tally.tallies:
        if found.category not in known:
            fields.append(_tally_field(inline(found.category, 60), found))
            bars.append((plain(found.category, 40), found))
    card = Card(title=md("Ratings — {title}", title=inline(result.title, 200)), description=description,
                fields=tuple(fields[: limits.EMBED_FIELDS]), image=f"attachment://{CHART_FILENAME}")
    chart = render_chart(bars) if charts is None else \
        charts.chart(result.categories.guild_id, result.anime_id, tally.version, bars)
    return Page(cards=(card,), files=(Attachment(CHART_FILENAME, chart),))


def nobody_rated(title: str) -> Md:
    """/ratings show of a show nobody in the server rated."""
    return md("Nobody in this server has rated **{title}** yet — be the first with `/rate`.", title=inline(title, 200))


def render_top(board: Leaderboard) -> Sequence[Card]:
    """The pages of /ratings top."""
    label = inline(board.label, 60)
    if board.category is None:
        how = Md("Overall R is the mean of a show's category averages; v counts the members who rated it; "
                 "C is the server's mean of R weighted by v.")
        unit = "member"
    else:
        how = md("R is a show's {label} average; v its votes; C the mean of every {label} vote in this server.",
                 label=label)
        unit = "vote"
    intro = md("Ranked by Bayesian average (v·R + m·C) / (v + m), so a show needs votes to rise.\n-# {how}", how=how)
    mean = one_decimal(board.mean) if board.mean is not None else "—"
    footer = f"m = {board.min_votes} · C = {mean} · {plural(board.shows, 'show')} rated"
    rows = board.rows

    def page(index: int) -> Card:
        # Every average to one decimal, as /ratings show and the chart give it: the rank carries the finer order.
        start = index * PER_PAGE
        lines = [
            md("**{rank}.** {title} — **{bayesian}** (average {average}, {votes})", rank=rank,
               title=inline(row.title, 90), bayesian=Md(one_decimal(row.bayesian)),
               average=Md(one_decimal(row.average)), votes=plural(row.votes, unit))
            for rank, row in enumerate(rows[start : start + PER_PAGE], start=start + 1)
        ]
        return Card(title=md("Top rated — {label}", label=label), footer=footer,
                    description=intro + Md("\n\n") + Md("\n").lines(lines))

    return Pages(math.ceil(len(rows) / PER_PAGE), page)


def render_mine(result: MineResult) -> Sequence[Card]:
    """The pages of /ratings mine."""
    categories = result.categories
    labels = {c.key: inline(c.label, 60) for c in categories.categories}  # escaped once, not once per show
    order = {c.key: rank for rank, c in enumerate(categories.categories)}

    def scores(show: MemberScores) -> Md:
        keys = sorted(show.scores, key=lambda k: order.get(k, len(order)))
        # Every part is Md already (a label escaped above) or a number: joined as they are.
        return Md(" · ".join(f"{labels.get(k) or inline(k, 60)} {_number(show.scores[k])}" for k in keys))

    count = sum(len(s.scores) for s in result.shows)
    footer = f"{plural(len(result.shows), 'show')} · {plural(count, 'score')}"
    shows = result.shows

    def page(index: int) -> Card:
        lines = [Md(f"**{inline(s.title, 90)}** — {scores(s)}")  # both parts Md already
                 for s in shows[index * PER_PAGE : (index + 1) * PER_PAGE]]
        return Card(title="Your ratings in this server", description=Md("\n").lines(lines), footer=footer)

    return Pages(math.ceil(len(shows) / PER_PAGE), page)


def render_forgotten(result: Forgotten) -> Md:
    """The confirmation of /ratings forget."""
    title = inline(result.title, 200)
    if not result.removed:
        return md("You hadn't rated **{title}** in this server — nothing to remove.", title=title)
    return md("Removed {scores} for **{title}**.", scores=plural(result.removed, "score"), title=title)


# -- the rating panel -------------------------------------------------------------------------------------------

REMOVE = "remove"


def panel_heading(panel: Panel) -> Md:
    """The panel's first line."""
    return md("### Your ratings — {title}", title=inline(panel.title, 200))


PANEL_NOTE = Md("-# Pick a score under each category: it is saved at once. /ratings forget removes them all.")


def score_options(current: float | None) -> list[tuple[str, str, bool]]:
    """The choices of one category's menu: (label, value, chosen) — the scores (valued "1" … "4.5", "5"), then
    "Remove my score"."""
    options = [(f"{_number(s.points)} {stars(s.points)}", _number(s.points), current == s.points) for s in SCORES]
    if current is not None:
        options.append(("Remove my score", REMOVE, False))
    return options


def category_placeholder(category: Category) -> str:
    """What a category's menu says before a pick."""
    return plain(f"{category.label} — pick a score", limits.SELECT_PLACEHOLDER)


# -- /categories ------------------------------------------------------------------------------------------------


def render_categories(categories: CategorySet) -> Card:
    """/categories list: the server's categories in order, then the retired ones."""
    lines = [md("**{n}.** {label}", n=n, label=inline(c.label, 60)) for n, c in enumerate(categories.active, 1)]
    if categories.retired:
        lines.append(md("-# Retired (their scores are kept and shown): {names}",
                        names=Md(", ").lines(inline(c.label, 60) for c in categories.retired)))
    whose = "this server's own" if categories.own else "the defaults, until a moderator changes them"
    return Card(title="Rating categories", description=Md("\n").lines(lines),
                footer=f"{plural(len(categories.active), 'category', 'categories')} — {whose}")


def category_choices(categories: CategorySet, typed: str, *, retired: bool) -> list[tuple[str, str]]:
    """What a category option suggests while a member types: (shown name, value), the value being the label.

    The active categories in order, then (``retired``) the retired ones, marked; those containing ``typed`` first.
    """
    wanted = " ".join(typed.split()).casefold()
    pool = [*categories.active, *(categories.retired if retired else ())]
    found = [c for c in pool if wanted in c.label.casefold()] if wanted else pool
    return [(plain(c.label + (RETIRED if c.retired else ""), limits.CHOICE_NAME), c.label)
            for c in found[: limits.CHOICES]]


NOTHING_RATED = Md("Nothing has been rated in this server yet — start with `/rate`.")
NOTHING_OF_YOURS = Md("You haven't rated anything in this server yet — try `/rate`.")
