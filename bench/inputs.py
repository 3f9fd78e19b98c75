"""Varied, realistic inputs for the benchmarks, drawn from the built database.

Shows are picked by popularity (how many members rated them), people by how many credits they have,
characters from the casts of popular shows. A name is typed the way members type it: as shown, without
macrons, with the long vowels spelled out ("Yuuko"), family name first, with a typo, or only one word of it —
never the ``id:123`` an autocomplete choice carries, which would skip the name search (only the commands whose
member picks from their own list — /review write, /ratings forget — send that, as its autocomplete would).
"""

from __future__ import annotations

import bisect
import itertools
import random
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.world import Scale, actor_id, actor_name, guild_id
from bot.catalogue.search import ID_PREFIX


def plain(text: str) -> str:
    """Without diacritics ("Yūko Ōmae" → "Yuko Omae")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def spelled_out(text: str) -> str:
    """Long vowels written out ("Yūko Ōmae" → "Yuuko Oomae")."""
    for long, out in (("ō", "ou"), ("ū", "uu"), ("Ō", "Oo"), ("Ū", "Uu"), ("ā", "aa"), ("ī", "ii")):
        text = text.replace(long, out)
    return text


def typed(rng: random.Random, display: str, entity_id: int) -> str:
    """How a member would fill in a name option (typed, never an autocomplete's ``id:``; ``entity_id`` unused)."""
    roll = rng.random()
    words = display.split()
    if roll < 0.35:
        return display
    if roll < 0.55:
        return plain(display).lower()
    if roll < 0.65:
        return spelled_out(display)
    if roll < 0.8 and len(words) > 1:
        return " ".join(reversed(words))
    if roll < 0.92:
        longest = max(words, key=len)
        if len(longest) > 4:
            cut = rng.randrange(3, len(longest))
            return display.replace(longest, longest[:cut] + longest[cut + 1 :], 1)
        return display
    return words[0]


def picked(entity_id: int) -> str:
    """The value an autocomplete choice carries, for commands whose member picks from their own list."""
    return f"{ID_PREFIX}{entity_id}"


def prefix(rng: random.Random, display: str) -> str:
    """What is in the box while a member types a name (autocomplete asks at every keystroke)."""
    text = display if rng.random() < 0.5 else plain(display).lower()
    if rng.random() < 0.15 and " " in text:
        text = " ".join(reversed(text.split()))
    return text[: rng.randint(1, len(text))]


@dataclass
class Pools:
    """What the inputs are drawn from."""

    scale: Scale
    shows: list[int]
    show_cum: list[float]
    titles: dict[int, str]
    episodes: dict[int, int | None]
    cast: dict[int, list[int]]
    character_names: dict[int, str]
    credit_people: list[int]  # one entry per credit: prolific people come up more often
    person_names: dict[int, str]
    guild_cum: list[float]
    reviewed: set[tuple[int, int, int]]  # (guild, author, anime) of actors' existing reviews
    rated: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (guild, actor) -> shows
    categories: dict[str, str] = field(default_factory=dict)  # every server's (the defaults): key -> label
    path: Path = Path()  # the built database they were read from

    @classmethod
    def load(cls, path: Path, scale: Scale) -> Pools:
        """Read the pools from a built database."""
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            popularity = dict(conn.execute("SELECT anime_id, sum(voters) FROM rating_show GROUP BY anime_id"))
            anime = conn.execute("SELECT id, coalesce(title_english, title_romaji), episodes FROM anime").fetchall()
            shows = [a for a, _, _ in anime if a in popularity]
            cast: dict[int, list[int]] = defaultdict(list)
            credit_people: list[int] = []
            for anime_id, character_id, person_id in conn.execute(
                "SELECT anime_id, character_id, person_id FROM voice_role ORDER BY anime_id, character_id"
            ):
                if not cast[anime_id] or cast[anime_id][-1] != character_id:
                    cast[anime_id].append(character_id)
                credit_people.append(person_id)
            credit_people += [p for (p,) in conn.execute("SELECT person_id FROM staff_role")]
            actors = [actor_id(i) for i in range(scale.actors)]
            marks = ",".join("?" * len(actors))
            reviewed = {
                (int(g), int(a), int(s))
                for g, a, s in conn.execute(
                    f"SELECT guild_id, author_id, anime_id FROM review WHERE author_id IN ({marks})", actors
                )
            }
            rated: dict[tuple[int, int], list[int]] = defaultdict(list)
            for g, m, s in conn.execute(
                f"SELECT DISTINCT guild_id, member_id, anime_id FROM rating WHERE member_id IN ({marks})", actors
            ):
                rated[(int(g), int(m))].append(int(s))
            return cls(
                scale=scale,
                shows=shows,
                show_cum=list(itertools.accumulate(float(popularity[s]) for s in shows)),
                titles={int(a): str(t) for a, t, _ in anime},
                episodes={int(a): e for a, _, e in anime},
                cast=dict(cast),
                character_names=dict(conn.execute("SELECT id, name FROM character")),
                credit_people=credit_people,
                person_names=dict(conn.execute("SELECT id, name FROM person")),
                guild_cum=list(itertools.accumulate(1.0 / (s + 1) for s in range(scale.servers))),
                reviewed=reviewed,
                rated=dict(rated),
                categories={str(k): str(v) for k, v in conn.execute(
                    "SELECT key, label FROM rating_category WHERE guild_id = 0 ORDER BY position")},
                path=path,
            )
        finally:
            conn.close()

    # -- single picks ---------------------------------------------------------------------------------

    def show(self, rng: random.Random) -> int:
        """A show, by popularity."""
        return self.shows[bisect.bisect_left(self.show_cum, rng.random() * self.show_cum[-1])]

    def guild(self, rng: random.Random) -> int:
        """A data server's index, bigger servers more often."""
        return bisect.bisect_left(self.guild_cum, rng.random() * self.guild_cum[-1])

    def actor(self, rng: random.Random) -> int:
        """An actor's index."""
        return rng.randrange(self.scale.actors)

    def character_in(self, rng: random.Random) -> tuple[int, int]:
        """A character from a popular show's cast (main characters, listed first, more often), and the show."""
        show = self.show(rng)
        cast = self.cast.get(show)
        if not cast:
            show, cast = next(iter(self.cast.items()))
        return cast[min(len(cast) - 1, int(rng.expovariate(1 / 12)))], show

    def character(self, rng: random.Random) -> int:
        """A character, as :meth:`character_in` picks them."""
        return self.character_in(rng)[0]

    def person(self, rng: random.Random) -> int:
        """A person, by how many credits they have."""
        return rng.choice(self.credit_people)

    def anime_query(self, rng: random.Random) -> tuple[int, str]:
        """A show and how it is typed."""
        show = self.show(rng)
        return show, typed(rng, self.titles[show], show)

    def score(self, rng: random.Random) -> dict[str, object]:
        """A quick /rate's options: a category (its label, as the autocomplete gives it) and a score, 1 to 5 in
        half points."""
        return {"category": rng.choice(list(self.categories.values())), "score": rng.randint(2, 10) / 2}

    def who(self, rng: random.Random) -> tuple[str, int, int]:
        """An actor's name and index, and a data server's index."""
        actor = self.actor(rng)
        return actor_name(actor), actor, self.guild(rng)

    def unreviewed(self, rng: random.Random, taken: set[tuple[int, int, int]]) -> tuple[str, int, int, int]:
        """An actor, a server and a show the actor has not reviewed there (and that ``taken`` lacks)."""
        while True:
            name, actor, server = self.who(rng)
            show = self.show(rng)
            key = (guild_id(server), actor_id(actor), show)
            if key not in self.reviewed and key not in taken:
                taken.add(key)
                return name, actor, server, show

    def rated_show(self, rng: random.Random, taken: set[tuple[int, int, int]]) -> tuple[str, int, int, int]:
        """An actor, a server and a show the actor rated there (each triple once, while any is left)."""
        for _ in range(1000):
            name, actor, server = self.who(rng)
            shows = self.rated.get((guild_id(server), actor_id(actor)))
            if shows:
                show = rng.choice(shows)
                key = (guild_id(server), actor_id(actor), show)
                if key not in taken:
                    taken.add(key)
                    return name, actor, server, show
        name, actor, server = self.who(rng)
        return name, actor, server, self.show(rng)
