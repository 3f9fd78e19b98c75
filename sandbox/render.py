"""Readable terminal text for interaction results: messages, embeds, files, buttons, selects and modals."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from sandbox.components import BUTTON, LINK_STYLE, SELECTS, STRING_SELECT, TEXT_DISPLAY, walk
from sandbox.modal import ModalView
from sandbox.results import InteractionResult, format_record
from sandbox.store import SandboxAttachment, SandboxMessage
from sandbox.world import World

log = logging.getLogger(__name__)

SPOILER = re.compile(r"\|\|(.+?)\|\|", re.DOTALL)
USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
CHANNEL_MENTION = re.compile(r"<#(\d+)>")
BAR = "┃ "


def hide_spoilers(text: str, reveal: bool = False) -> str:
    """``||secret||`` as ``██████`` (or kept, marked, when ``reveal``)."""
    if reveal:
        return text
    return SPOILER.sub(lambda m: "█" * max(3, min(len(m.group(1)), 15)), text)


class Renderer:
    """Turns results into text; saves attachments into ``files_dir`` and prints their paths."""

    def __init__(self, world: World, files_dir: Path | None = None, *, reveal_spoilers: bool = False) -> None:
        self.world = world
        self.files_dir = files_dir
        self.reveal = reveal_spoilers
        self.saved: dict[int, Path] = {}

    # text ------------------------------------------------------------------------

    def text(self, raw: str) -> str:
        """Mentions as names, spoilers hidden."""

        def user(match: re.Match[str]) -> str:
            found = self.world.find_user(int(match.group(1)))
            return "@" + found.name if found else match.group(0)

        def role(match: re.Match[str]) -> str:
            for guild in self.world.config.guilds:
                for spec in guild.roles:
                    if spec.id == int(match.group(1)):
                        return "@" + spec.name
            return match.group(0)

        def channel(match: re.Match[str]) -> str:
            _, spec = self.world.guild_of_channel(int(match.group(1)))
            return "#" + spec.name if spec else match.group(0)

        out = USER_MENTION.sub(user, ROLE_MENTION.sub(role, CHANNEL_MENTION.sub(channel, raw)))
        return hide_spoilers(out, self.reveal)

    def save(self, message: SandboxMessage, attachment: SandboxAttachment) -> Path | None:
        """Write an attachment to the files folder once; its path."""
        if self.files_dir is None:
            return None
        if attachment.id not in self.saved:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^\w.\-]", "_", attachment.filename)
            path = self.files_dir / f"{message.id}-{safe}"
            path.write_bytes(attachment.data)
            self.saved[attachment.id] = path
        return self.saved[attachment.id]

    # pieces ----------------------------------------------------------------------

    def embed(self, message: SandboxMessage, embed: dict[str, Any]) -> list[str]:
        """One embed, each line behind a bar."""
        lines: list[str] = []
        author = (embed.get("author") or {}).get("name")
        if author:
            lines.append(self.text(str(author)))
        if embed.get("title"):
            title = self.text(str(embed["title"]))
            lines.append(f"**{title}**" + (f"  <{embed['url']}>" if embed.get("url") else ""))
        if embed.get("description"):
            lines.extend(self.text(str(embed["description"])).splitlines())
        for field in embed.get("fields") or []:
            lines.append(f"{self.text(str(field.get('name')))}: {self.text(str(field.get('value')))}")
        for key in ("thumbnail", "image"):
            url = (embed.get(key) or {}).get("url")
            if url:
                lines.append(f"{key}: {self.url(message, str(url))}")
        footer = (embed.get("footer") or {}).get("text")
        if footer:
            lines.append(f"— {self.text(str(footer))}")
        return [BAR + part for line in lines for part in line.splitlines() or [""]] or [BAR + "(empty embed)"]

    def url(self, message: SandboxMessage, url: str) -> str:
        """An ``attachment://name`` URL as the saved file's path."""
        if url.startswith("attachment://"):
            name = url.removeprefix("attachment://")
            for attachment in message.attachments:
                if attachment.filename == name:
                    path = self.save(message, attachment)
                    return str(path) if path else name
        return url

    def components(self, message: SandboxMessage) -> list[str]:
        """Buttons numbered ``[1] Label`` on one line per row; select menus listed with their options."""
        lines: list[str] = []
        number = select_number = 0
        for _, component in walk(message.components):
            kind = component.get("type")
            if kind == TEXT_DISPLAY:
                lines.extend(self.text(str(component.get("content") or "")).splitlines())
            elif kind == 1:
                buttons = []
                for child in component.get("components") or []:
                    if child.get("type") == BUTTON:
                        number += 1
                        buttons.append(self.button(number, child))
                if buttons:
                    lines.append("  ".join(buttons))
            elif kind in SELECTS:
                select_number += 1
                lines.append(self.select(select_number, component))
        return lines

    def button(self, number: int, button: dict[str, Any]) -> str:
        """``[2] Next ▶`` (or ``[1] ◀ Prev (disabled)``, ``[3] Docs ↗ url``)."""
        emoji = (button.get("emoji") or {}).get("name")
        label = " ".join(str(x) for x in (emoji, button.get("label")) if x)
        text = f"[{number}] {label or button.get('custom_id')}"
        if button.get("style") == LINK_STYLE:
            text += f" ↗ {button.get('url')}"
        if button.get("disabled"):
            text += " (disabled)"
        return text

    def select(self, number: int, menu: dict[str, Any]) -> str:
        """``Select 1 «placeholder» (choose 1–2): value = Label, …``."""
        lo, hi = menu.get("min_values", 1), menu.get("max_values", 1)
        head = f"Select {number} «{menu.get('placeholder') or menu.get('custom_id')}» (choose {lo}–{hi})"
        if menu.get("disabled"):
            head += " (disabled)"
        if menu.get("type") == STRING_SELECT:
            options = ", ".join(f"{o.get('value')} = {o.get('label')}" for o in menu.get("options") or [])
            return f"{head}: {options}"
        kinds = {5: "a member", 6: "a role", 7: "a member or role", 8: "a channel"}
        return f"{head}: pick {kinds.get(int(menu.get('type', 5)), 'something')}"

    def message(self, message: SandboxMessage, *, title: str = "") -> list[str]:
        """A whole message: visibility, text, embeds, files and components."""
        lines = [title] if title else []
        if message.deleted:
            return [*lines, "(deleted)"]
        if message.ephemeral:
            lines.append("(only you can see this)")
        if message.loading:
            lines.append(f"({self.world.bot.name} is thinking…)")
        if message.content:
            lines.extend(self.text(message.content).splitlines())
        for embed in message.embeds:
            lines.extend(self.embed(message, embed))
        embedded = {str((e.get(k) or {}).get("url")) for e in message.embeds for k in ("image", "thumbnail")}
        for attachment in message.attachments:
            path = self.save(message, attachment)
            shown = " (shown in the embed)" if f"attachment://{attachment.filename}" in embedded else ""
            spoiler = " [spoiler]" if attachment.spoiler else ""
            lines.append(f"📎 {attachment.filename}{spoiler} ({attachment.size} bytes){shown}"
                         + (f" → {path}" if path else ""))
        lines.extend(self.components(message))
        if message.edits:
            lines.append("(edited)")
        return lines

    def modal(self, modal: ModalView) -> list[str]:
        """The modal's title and fields."""
        lines = [f"📝 modal «{modal.title}» opened:"]
        lines.extend("  " + part for text in modal.texts for part in self.text(text).splitlines())
        for field in modal.fields:
            facts = ["paragraph" if field.paragraph else "short" if field.type == 4 else "select",
                     "required" if field.required else "optional"]
            if field.max_length:
                facts.append(f"max {field.max_length}")
            if field.min_length:
                facts.append(f"min {field.min_length}")
            extra = f" — {field.description}" if field.description else ""
            lines.append(f"  {field.label} ({', '.join(facts)}){extra}")
        return lines

    # a result --------------------------------------------------------------------

    def result(self, result: InteractionResult) -> str:
        """Everything an interaction produced, as a block of text."""
        verb = {"command": "ran", "autocomplete": "typed", "context menu": "used"}.get(result.kind, "")
        head = f"── {result.user.name} {verb + ' ' if verb else ''}{result.label} ──"
        lines = [head]
        if result.choices is not None:
            lines.append("choices: " + (", ".join(f"{i}. {c.name}" for i, c in enumerate(result.choices, 1))
                                        or "(none)"))
        if result.modal is not None:
            lines.extend(self.modal(result.modal))
        if result.timed_out:
            lines.append("(the sandbox stopped waiting for the bot; its answer may still come)")
        elif not result.acknowledged:
            lines.append("(no response — the user sees “The application did not respond”)")
        elif result.response_type == 6 and result.message is None:
            lines.append("(acknowledged without a visible change)")
        shown: list[SandboxMessage] = []
        for message in [result.message, *result.followups]:
            if message is None or message in shown:
                continue
            shown.append(message)
            title = "" if message is result.message else "follow-up:"
            lines.extend(self.message(message, title=title))
        for message in result.other_messages:
            _, channel = self.world.guild_of_channel(message.channel_id)
            where = f"#{channel.name}" if channel else ("a thread" if message.guild_id else "a DM")
            author = message.author.get("username", "?")
            lines.extend(self.message(message, title=f"{author} {'edited' if message.edits else 'posted'} in "
                                                      f"{where}:"))
        for violation in result.violations:
            lines.append(f"⚠ {violation.kind} violation: {violation}")
        for record in result.log_errors:
            lines.append(f"✖ bot error: {format_record(record)}")
        return "\n".join(lines)
