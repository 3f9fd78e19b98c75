"""A server's settings as moderators read them (pure): every setting, its value and default, the last changes."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.cards import Card, Field
from bot.core.text import Md, md
from bot.settings.models import SPECS, Changed, ServerSettings, SettingChange, Value
from bot.settings.service import describe


def _line(change: SettingChange) -> Md:
    label = next((s.label for s in SPECS if s.name == change.name), change.name)
    # Mentions inside an embed ping nobody (and every message is sent with no allowed mentions).
    return md("<t:{at}:R> <@{member}> — **{label}**: {old} → {new}", at=int(change.changed_at),
              member=change.member_id, label=Md(label), old=Md(change.old), new=Md(change.new))


def render_settings(settings: ServerSettings, defaults: dict[str, Value], changes: Sequence[SettingChange],
                    said: Md | None = None) -> Card:
    """Every setting with its current value (and the default where the server set its own), then recent changes."""
    fields = []
    for spec in SPECS:
        value = Md(describe(spec, settings.value(spec.name)))
        if spec.name in settings.own:
            value += Md(f" · default: {describe(spec, defaults[spec.name])}")
        else:
            value += Md(" (default)")
        fields.append(Field(spec.label, value + Md("\n-# ") + Md(spec.help)))
    if changes:
        fields.append(Field("Recent changes", Md("\n").lines(_line(c) for c in changes)))
    intro = said if said is not None else Md("This server's settings. Moderators with Manage Server change them with "
                                             "`/settings …`; `/settings reset` goes back to a default.")
    return Card(title="Server settings", description=intro, fields=tuple(fields))


def changed(change: Changed) -> Md:
    """The sentence confirming a change."""
    old, new = describe(change.spec, change.old), describe(change.spec, change.new)
    if change.spec.name not in change.settings.own:
        return md("**{label}** is back to its default: {new} (was {old}).", label=Md(change.spec.label),
                  new=Md(new), old=Md(old))
    return md("**{label}** is now {new} (was {old}).", label=Md(change.spec.label), new=Md(new), old=Md(old))
