"""Credits as members read them: the pages of /credits, /voiced and /person, and what an import added (pure)."""

from __future__ import annotations

from bot.catalogue.credits import AnimeCredits, PersonCredits, VoicedResult
from bot.catalogue.models import LANGUAGES, Anime, LoadReport, Person, format_label, language_label
from bot.catalogue.service import ImportResult
from bot.core.cards import Card, Field, chunk_lines
from bot.core.text import Md, inline, md, plural

FLAGS = {"japanese": "🇯🇵", "english": "🇺🇸", "korean": "🇰🇷", "chinese": "🇨🇳", "spanish": "🇪🇸",
         "portuguese": "🇧🇷", "french": "🇫🇷", "german": "🇩🇪", "italian": "🇮🇹", "hebrew": "🇮🇱",
         "hungarian": "🇭🇺"}
FIELDS_PER_PAGE = 4
MAX_SHOWS = 12  # shows listed under one voice actor of a character (a field holds 1024 characters)
_NL = Md("\n")


def _flag(language: str) -> Md:
    return Md(FLAGS.get(language, "🏳️"))


def _person(person: Person) -> Md:
    text = inline(person.name, 80)
    return text + md(" ({native})", native=inline(person.native, 40)) if person.native else text


def _anime_line(anime: Anime) -> Md:
    bits = [b for b in (format_label(anime.format), str(anime.year) if anime.year else None) if b]
    title = inline(anime.title, 120)
    return title + md(" ({bits})", bits=", ".join(bits)) if bits else title


def _footer(*parts: str | None) -> str | None:
    """The parts that say something, joined; None when none does (a count of nothing is not shown)."""
    said = [p for p in parts if p]
    return " · ".join(said) if said else None


def _voices(result: AnimeCredits) -> str | None:
    """Which languages' voices are stored for the show ("voices stored: Japanese, English"), None when none are."""
    return voices_stored({role.language for _, roles in result.cast for role in roles})


def voices_stored(stored: set[str]) -> str | None:
    """"voices stored: Japanese, English" for the languages a show's cast is stored in; None when none is."""
    if not stored:
        return None
    # Japanese first, then as LANGUAGES lists them; a language outside that closed set reads "Other".
    ordered = [lang.capitalize() for lang in LANGUAGES if lang in stored]
    if stored - set(LANGUAGES):
        ordered.append("Other")
    return "voices stored: " + ", ".join(ordered)


def _age(seconds: float) -> str:
    """How old stale data is: "9 days", "1 hour", "less than an hour"."""
    if seconds >= 2 * 86400:
        return plural(round(seconds / 86400), "day")
    hours = round(seconds / 3600)
    return plural(hours, "hour") if hours >= 1 else "less than an hour"


def _stale(age: float | None) -> str | None:
    return f"AniList didn't answer; this is {_age(age)} old" if age is not None else None


def _pages(title: Md, description: Md, fields: list[Field], footer: str | None) -> list[Card]:
    """Spread fields over cards, a few per page, each page carrying the title and description."""
    groups = [fields[i : i + FIELDS_PER_PAGE] for i in range(0, len(fields), FIELDS_PER_PAGE)] or [[]]
    return [Card(title=title, description=description or None, fields=tuple(group), footer=footer) for group in groups]


def _field_blocks(heading: str, lines: list[Md]) -> list[Field]:
    blocks = chunk_lines(lines)
    return [Field(Md(heading if i == 0 else f"{heading} (cont.)"), block) for i, block in enumerate(blocks)]


def render_anime(result: AnimeCredits) -> list[Card]:
    """The pages of /credits."""
    anime = result.anime
    facts = [b for b in (
        md("*{romaji}*", romaji=inline(anime.title_romaji, 200))
        if anime.title_english and anime.title_english != anime.title_romaji else None,
        inline(anime.title_native, 100) if anime.title_native else None,
    ) if b]
    details = [b for b in (
        md("Studio: **{studio}**", studio=inline(anime.studio, 80)) if anime.studio else None,
        plural(anime.episodes, "episode") if anime.episodes else None,
        Md(str(anime.year)) if anime.year else None,
        Md(format_label(anime.format) or "") or None,
    ) if b]
    description = Md(_NL.lines([Md(" · ").lines(facts), Md(" · ").lines(details)]).strip())
    if anime.note:
        description += md("\n-# {note}", note=inline(anime.note, 600))
    staff_lines = [md("**{role}** — {people}", role=inline(role, 80), people=Md(", ").lines(_person(p) for p in people))
                   for role, people in result.staff]
    cast_lines = [
        md("**{character}** — {voices}", character=inline(character.name, 80),
           voices=Md(" · ").lines(_flag(r.language) + Md(" ") + _person(r.person) for r in roles))
        for character, roles in result.cast
    ]
    fields = _field_blocks("Staff", staff_lines) + _field_blocks("Cast", cast_lines)
    if not fields:
        fields = [Field(Md("Credits"), Md("No staff or cast credits are stored for this show yet."))]
    footer = _footer(
        plural(len(result.staff), "staff role") if result.staff else None,
        plural(len(result.cast), "character") if result.cast else None,
        _voices(result),
        _stale(result.stale_age),
        "fetched from AniList just now" if result.fresh else None,
    )
    return _pages(md("Credits — {title}", title=inline(anime.title, 200)), description, fields, footer)


def render_voiced(result: VoicedResult) -> list[Card]:
    """The pages of /voiced."""
    character = result.character
    title = md("Who voiced {name}", name=inline(character.name, 200))
    description = inline(character.native, 100) if character.native else Md("")
    if result.aliases:
        description += (_NL if description else Md("")) + Md("Also known as ") + Md(", ").lines(
            inline(a, 80) for a in result.aliases[:5])
    if character.note:
        description += md("\n-# {note}", note=inline(character.note, 600))
    fields = []
    for credit in result.credits:
        shows = Md(" · ").lines(md("**{show}**", show=_anime_line(r.anime)) for r in credit.roles[:MAX_SHOWS])
        if len(credit.roles) > MAX_SHOWS:
            shows += md(" · and {more}", more=plural(len(credit.roles) - MAX_SHOWS, "more show"))
        notes = [
            md("-# {where}{note}", where=inline(r.anime.title, 60) + Md(": ") if len(credit.roles) > 1 else Md(""),
               note=inline(r.note, 300))
            for r in credit.roles if r.note
        ]
        value = _NL.lines([shows, *notes])
        if credit.other_roles:
            value += Md("\nAlso voiced: ") + Md("; ").lines(
                md("{character} ({show})", character=inline(r.character.name, 60), show=inline(r.anime.title, 60))
                for r in credit.other_roles)
        name = md("{flag} {language} · {person}", flag=_flag(credit.language), language=language_label(credit.language),
                  person=_person(credit.person))
        fields.append(Field(name, value))
    if not fields:
        wanted = "" if result.language == "all" else f"{result.language.title()} "
        text = f"No {wanted}voice credit is stored for this character."
        if result.other_languages:
            text += " Available: " + ", ".join(language_label(lang) or "" for lang in result.other_languages) + "."
        fields = [Field(Md("Nothing found"), Md(text))]
    return _pages(title, description, fields, _footer(_stale(result.stale_age)))


def render_person(result: PersonCredits) -> list[Card]:
    """The pages of /person."""
    person = result.person
    description = inline(person.native, 100) if person.native else Md("")
    if result.aliases:
        description += (_NL if description else Md("")) + Md("Also credited as ") + Md(", ").lines(
            inline(a, 80) for a in result.aliases[:5])
    if person.note:
        description += md("\n-# {note}", note=inline(person.note, 600))
    voice_lines = [
        md("**{show}** — {characters}", show=_anime_line(anime), characters=Md(", ").lines(
            inline(r.character.name, 80) + (Md("") if r.language == "japanese" else md(" ({language})",
                                                                                       language=r.language))
            for r in roles))
        for anime, roles in result.voice
    ]
    staff_lines = [md("**{show}** — {roles}", show=_anime_line(anime),
                      roles=Md(", ").lines(inline(r, 80) for r in roles))
                   for anime, roles in result.staff]
    fields = _field_blocks("Voice roles", voice_lines) + _field_blocks("Staff roles", staff_lines)
    if not fields:
        fields = [Field(Md("Credits"), Md("No credits are stored for this person yet."))]
    roles = sum(len(r) for _, r in result.voice)
    footer = _footer(
        f"{plural(roles, 'voice role')} in {plural(len(result.voice), 'show')}" if result.voice else None,
        f"{plural(len(result.staff), 'show')} as staff" if result.staff else None,
        _stale(result.stale_age),
    )
    return _pages(inline(person.name, 200), description, fields, footer)


def _what_was_added(report: LoadReport) -> Md:
    """"30 characters and 61 people; 60 new voice roles and 30 new staff roles." — only what is there."""
    stored = [plural(n, word, many) for n, word, many in ((report.characters, "character", None),
                                                          (report.people, "person", "people")) if n]
    added = [plural(n, word) for n, word in ((report.voice_roles_added, "new voice role"),
                                            (report.staff_roles_added, "new staff role")) if n]
    text = Md(" and ").join(stored) or "The show itself"
    return Md(text + ("; " + " and ".join(added) if added else "; no new credits (it was already here)") + ".")


def render_import(result: ImportResult) -> Card:
    """What /catalogue import added."""
    anime = result.anime
    facts = [f for f in (anime.studio, plural(anime.episodes, "episode") if anime.episodes else None,
                         str(anime.year) if anime.year else None) if f]
    fields = [Field(Md("Show"), inline(" · ".join(facts), 1000))] if facts else []
    fields += [Field(Md("Note"), inline(note, 1000)) for note in result.notes[:3]]
    return Card(title=md("Imported from AniList — {title}", title=inline(anime.title, 200)),
                description=_what_was_added(result.report), fields=tuple(fields),
                footer="Try it: /credits, /voiced and /person now answer from the local catalogue.")
