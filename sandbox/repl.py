"""The sandbox REPL and script runner: talk to a bot as Discord users would, in a terminal.

Interactive mode reads one line at a time; ``--script FILE`` runs a file of the same lines and exits
non-zero when the bot broke a Discord limit, risked a ping, or logged an error.

Lines (interactive and script)::

    /review write anime: Metallic Rouge spoilers: true     run a slash command
    /review read anime: Metallic Rouge author: @bob        user options: a member name, @name or id
    complete /review write anime: Met                      autocomplete the last option typed
    press 2            press button [2] of the last message that has components (or: press Next ▶)
    select 1 frieren, Dungeon    choose values in select [1] (value, label or a label's start; comma-separated)
    as bob             act as another member         mod on | mod off   give/take the Moderators role
    locale es-ES       your Discord language (ja, es-ES, pt-BR, en-US …; "locale" alone says which)
    channel reviews    switch channel                guild Other Server  switch guild (and channel)
    reveal on | off    show or hide ||spoilers||     messages [#channel] show a channel's messages
    help               this text                     quit               leave

Option names are followed by a colon; a value runs to the next option name of that command, so
``anime: Re:Zero season: 2`` works as long as ``Zero`` is not an option. Values are typed by the
registered option type: integers, numbers, ``true/false/yes/no`` booleans, members (``@bob``),
channels (``#general``), roles (``@Moderators``), and files (a path) for attachment options.
Surrounding quotes are removed (``text: "a: b"`` keeps the colon).

Modals. Interactively, each field is asked for in turn; a paragraph field ends with a line holding
only ``.``, an optional one also with an empty line (so an empty answer leaves it blank and the next line
typed is a command again). In a script, give the values on the indented lines right below the step that opens the
modal (a command, ``press`` or ``select``), one field per line, by label or custom_id::

    /feedback
      Headline: Loved it
      Review: \"\"\"
      Multi-line text goes between triple quotes,
      each on its own line; indentation is removed.
      \"\"\"

A step that opens a modal without indented values below it dismisses the modal. Lines starting with
``#`` are comments.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sandbox.config import SandboxConfig
from sandbox.driver import Sandbox
from sandbox.errors import SandboxUsageError
from sandbox.harness import BotFactory, running_sandbox
from sandbox.lineparse import parse_command_line
from sandbox.modal import ModalView
from sandbox.registration import LOCALES
from sandbox.render import Renderer
from sandbox.results import InteractionResult, format_record
from sandbox.script import Step, parse_script
from sandbox.store import RegisteredCommand, SandboxMessage

log = logging.getLogger(__name__)

HELP = (__doc__ or "").split("Lines (interactive and script)::", 1)[-1].split("Option names", 1)[0].rstrip()
EXIT_OK, EXIT_PROBLEMS, EXIT_SCRIPT = 0, 1, 2
Reader = Callable[[str], Awaitable[str | None]]
Notices = Callable[[], Awaitable[Sequence[str]]]


@dataclass
class Problem:
    """Something that makes a script run fail."""

    kind: str  # "violation" | "error" | "script"
    line: int | None
    step: str
    detail: str
    name: str = ""

    def __str__(self) -> str:
        where = f"line {self.line} `{self.step}`" if self.line is not None else self.step
        return f"{where}: {self.detail}"


class ReplSession:
    """The state of one REPL or script run: who acts where, the last message with components, problems."""

    def __init__(self, sandbox: Sandbox, renderer: Renderer, out: TextIO, *, reader: Reader | None,
                 user: str) -> None:
        self.sandbox = sandbox
        self.renderer = renderer
        self.out = out
        self.reader = reader  # None in script mode
        self.sandbox.user = sandbox.member(user)
        self.guild = sandbox.guild(None)
        self.channel = self.guild.text_channels[0]
        self.last_message: SandboxMessage | None = None
        self.problems: list[Problem] = []
        self.steps = 0
        self._violations = 0
        self._logs = 0

    def say(self, text: str) -> None:
        """Print a line (or block) and flush."""
        self.out.write(text + "\n")
        self.out.flush()

    @property
    def prompt(self) -> str:
        """``alice@Anime Club #general> ``."""
        return f"{self.sandbox.user.name}@{self.guild.name} #{self.channel.name}> "

    # bookkeeping -------------------------------------------------------------------

    def mark(self) -> None:
        """Remember how many violations and log errors there were before a step."""
        self._violations = len(self.sandbox.violations)
        self._logs = len(self.sandbox.logs.records) if self.sandbox.logs else 0

    def collect(self, line: int | None, step: str, shown: set[int]) -> None:
        """Turn violations and ERROR records since :meth:`mark` into problems (printing unseen ones)."""
        for violation in self.sandbox.violations[self._violations:]:
            self.problems.append(Problem("violation", line, step, str(violation), violation.name))
            if id(violation) not in shown:
                self.say(f"⚠ {violation.kind} violation: {violation}")
        if self.sandbox.logs is not None:
            for record in self.sandbox.logs.records[self._logs:]:
                self.problems.append(Problem("error", line, step, "bot error: " + format_record(record)))
                if id(record) not in shown:
                    self.say(f"✖ bot error: {format_record(record)}")
        self.mark()

    # steps -----------------------------------------------------------------------------

    async def run(self, step: Step) -> bool:
        """Run one step; False to stop."""
        self.steps += 1
        shown: set[int] = set()
        try:
            keep_going = await self._dispatch(step, shown)
        except SandboxUsageError as error:
            self.say(f"✖ {error}")
            self.problems.append(Problem("script", step.line if self.reader is None else None, step.text,
                                         str(error)))
            keep_going = True
        self.collect(step.line if self.reader is None else None, step.text, shown)
        return keep_going

    async def _dispatch(self, step: Step, shown: set[int]) -> bool:
        text = step.text.strip()
        word, _, rest = text.partition(" ")
        rest = rest.strip()
        word = word.lower()
        result: InteractionResult | None = None
        if word in ("quit", "exit"):
            return False
        if word == "help":
            self.say(HELP)
        elif word == "as":
            self._switch_user(rest)
        elif word == "mod":
            self._mod(rest)
        elif word == "locale":
            self._locale(rest)
        elif word == "channel":
            self.channel = self.sandbox.channel(rest, self.guild)
            self.say(f"(now in #{self.channel.name})")
        elif word == "guild":
            self.guild = self.sandbox.guild(rest)
            self.channel = self.guild.text_channels[0]
            self.say(f"(now in {self.guild.name} #{self.channel.name})")
        elif word == "reveal":
            self.renderer.reveal = _on_off(rest)
            self.say(f"(spoilers {'shown' if self.renderer.reveal else 'hidden'})")
        elif word == "messages":
            self._messages(rest)
        elif word == "press":
            result = await self.sandbox.click(self._last(), int(rest) if rest.isdigit() else rest,
                                              user=self.sandbox.user)
        elif word == "select":
            result = await self._select(rest)
        elif word == "complete":
            result = await self._complete(rest)
        elif text.startswith("/"):
            parsed = parse_command_line(text, await self._commands())
            result = await self.sandbox.invoke(parsed.path, parsed.options, user=self.sandbox.user,
                                               guild=self.guild, channel=self.channel)
        else:
            raise SandboxUsageError(f"unknown line {text!r}; type help")
        if result is not None:
            await self._show(result, step, shown)
        elif step.modal:
            raise SandboxUsageError("modal values given, but this step opens no modal")
        return True

    async def _show(self, result: InteractionResult, step: Step, shown: set[int]) -> None:
        self.say(self.renderer.result(result))
        shown.update(id(v) for v in result.violations)
        shown.update(id(r) for r in result.log_errors)
        found = result.last_message_with_components()
        if found is not None:
            self.last_message = found
        if result.modal is not None:
            values = step.modal if self.reader is None else await self._ask(result.modal)
            if values is None or (self.reader is None and not values):
                self.say("(modal dismissed)")
                return
            submitted = await self.sandbox.submit_modal(result, values, user=self.sandbox.user)
            await self._show(submitted, Step(step.line, step.text), shown)
        elif step.modal:
            raise SandboxUsageError("modal values given, but no modal was opened")

    async def _ask(self, modal: ModalView) -> dict[str, str] | None:
        assert self.reader is not None
        self.say(f"Fill in «{modal.title}» (an empty answer leaves an optional field blank):")
        values: dict[str, str] = {}
        for field in modal.fields:
            keeps = " (empty keeps the current text)" if field.value else ""
            if field.paragraph:
                # An optional paragraph (content warnings) ends at an empty line: the member who presses Enter
                # to skip it must not have their next command swallowed into the form. A required one may
                # hold blank lines between paragraphs, so it ends at a line holding only ".".
                ends_blank = not field.required
                end = "an empty line (or '.')" if ends_blank else "a line containing only '.'"
                self.say(f"{field.label} — end with {end}{keeps}:")
                lines: list[str] = []
                while True:
                    line = await self.reader("… ")
                    if line is None:
                        return None
                    text = line.rstrip("\n")
                    if text == "." or (ends_blank and not text.strip()):
                        break
                    lines.append(text)
                answer = "\n".join(lines)
            else:
                hint = f" [{', '.join(str(o.get('value')) for o in field.options)}]" if field.options else ""
                line = await self.reader(f"{field.label}{hint}{keeps}: ")
                if line is None:
                    return None
                answer = line.strip()
            if answer:
                values[field.custom_id] = answer
        return values

    def _switch_user(self, name: str) -> None:
        member = self.sandbox.member(name)
        if not self.sandbox.state.world.is_member(self.guild, member.id):
            raise SandboxUsageError(f"{member.name} is not a member of {self.guild.name}")
        self.sandbox.user = member
        self.say(f"(you are now {member.name})")

    def _mod(self, rest: str) -> None:
        on = _on_off(rest)
        self.sandbox.set_moderator(self.sandbox.user, on, self.guild)
        self.say(f"({self.sandbox.user.name} {'is now a moderator' if on else 'is no longer a moderator'}"
                 f" in {self.guild.name})")

    def _locale(self, rest: str) -> None:
        user = self.sandbox.user
        if rest:
            if rest not in LOCALES:
                raise SandboxUsageError(f"unknown locale {rest!r}: one of Discord's, e.g. ja, es-ES, pt-BR, en-US")
            user.locale = rest
        self.say(f"({user.name}'s Discord is in {user.locale or self.sandbox.config.locale})")

    def _messages(self, rest: str) -> None:
        channel = self.sandbox.channel(rest or self.channel.id, self.guild)
        messages = self.sandbox.channel_messages(channel, guild=self.guild)
        self.say(f"── #{channel.name}: {len(messages)} messages ──")
        for message in messages:
            self.say("\n".join(self.renderer.message(message, title=f"{message.author.get('username')}:")))

    def _last(self) -> SandboxMessage:
        if self.last_message is None:
            raise SandboxUsageError("no message with buttons or select menus yet")
        return self.last_message

    async def _select(self, rest: str) -> InteractionResult:
        which, _, values = rest.partition(" ")
        if not values.strip():
            raise SandboxUsageError("write: select N VALUE[, VALUE…]")
        chosen = [v.strip() for v in values.split(",") if v.strip()]
        message = self._last()
        target = int(which) if which.isdigit() else which
        chosen = resolve_options(message.select(target), chosen)
        return await self.sandbox.select(message, target, chosen, user=self.sandbox.user)

    async def _complete(self, rest: str) -> InteractionResult:
        parsed = parse_command_line(rest, await self._commands()) if rest.startswith("/") else None
        if parsed is None or parsed.last is None:
            raise SandboxUsageError("write: complete /command option: partial text")
        options = dict(parsed.options)
        options[parsed.last] = str(options[parsed.last])
        return await self.sandbox.autocomplete_result(parsed.path, options, focused=parsed.last,
                                                      user=self.sandbox.user, guild=self.guild,
                                                      channel=self.channel)

    async def _commands(self) -> list[RegisteredCommand]:
        commands = self.sandbox.commands(self.guild)
        if not commands:
            try:
                await self.sandbox.wait_for_commands(self.guild.id, timeout=3.0)
            except TimeoutError:
                raise SandboxUsageError("the bot has registered no commands here") from None
            commands = self.sandbox.commands(self.guild)
        return commands

    # the end --------------------------------------------------------------------------

    def summary(self) -> tuple[int, str]:
        """The exit code and the closing lines (naming every limit broken)."""
        violations = [p for p in self.problems if p.kind == "violation"]
        errors = [p for p in self.problems if p.kind == "error"]
        script = [p for p in self.problems if p.kind == "script"]
        if not self.problems:
            return EXIT_OK, (f"OK: {self.steps} steps; no Discord limit broken, no ping risked, "
                             "no bot error.")
        parts: list[str] = []
        broken = _unique(p.name for p in violations if not p.name.startswith(("message would ping", "reply would")))
        pings = _unique(p.name for p in violations if p.name.startswith(("message would ping", "reply would")))
        if broken:
            parts.append("broke " + "; ".join(broken))
        if pings:
            parts.append("risked a ping: " + "; ".join(pings))
        if errors:
            parts.append(f"{len(errors)} bot error{'s' if len(errors) != 1 else ''}")
        if script:
            parts.append(f"{len(script)} script error{'s' if len(script) != 1 else ''}")
        lines = [f"FAILED: {' — '.join(parts)} ({len(self.problems)} problems in {self.steps} steps)"]
        lines.extend(f"  {p}" for p in self.problems)
        return (EXIT_PROBLEMS if violations or errors else EXIT_SCRIPT), "\n".join(lines)


def resolve_options(menu: dict[str, Any], typed: list[str]) -> list[str]:
    """What a member typed for a string select, as option values: a value, a label, or the start of one label.

    (Typing ``select 1 Kenjiro`` picks the option labelled "Kenjiro Tsuda — …", as a click would.)
    """
    options = menu.get("options") or []
    values = {str(o.get("value")) for o in options}
    labels = {str(o.get("label")): str(o.get("value")) for o in options}
    chosen: list[str] = []
    for text in typed:
        if text in values or text in labels:
            chosen.append(text)
            continue
        starts = [value for label, value in labels.items() if label.casefold().startswith(text.casefold())]
        if len(starts) > 1:
            raise SandboxUsageError(f"{text!r} starts several options: "
                                    f"{[label for label in labels if label.casefold().startswith(text.casefold())]}")
        chosen.append(starts[0] if starts else text)  # no match: the driver says which options there are
    return chosen


def _on_off(value: str) -> bool:
    word = value.strip().lower()
    if word not in ("on", "off", "true", "false", "yes", "no"):
        raise SandboxUsageError(f"write on or off, not {value!r}")
    return word in ("on", "true", "yes")


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _load(script: Path) -> list[Step]:
    return parse_script(script.read_text(encoding="utf-8"))


def _stdin_reader(stdin: TextIO, out: TextIO) -> Reader:
    """Lines from ``stdin`` read by a daemon thread (so Ctrl-C never waits for a blocked ``readline``)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    started: list[threading.Thread] = []
    ended: list[bool] = []

    def pump() -> None:
        while True:
            line = stdin.readline()
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line or None)
            except RuntimeError:  # the loop is gone: the REPL has ended
                return
            if not line:
                return

    async def read(prompt: str) -> str | None:
        out.write(prompt)
        out.flush()
        if not started:
            started.append(threading.Thread(target=pump, name="sandbox-stdin", daemon=True))
            started[0].start()
        if ended:
            return None
        line = await queue.get()
        if line is None:
            ended.append(True)
        return line

    return read


async def run_sandbox(
    make_bot: BotFactory,
    *,
    script: Path | None,
    as_user: str = "alice",
    mod: bool = False,
    files_dir: Path,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    config: SandboxConfig | None = None,
    reveal_spoilers: bool = False,
    timeout: float = 5.0,  # noqa: ASYNC109 - how long each step waits for the bot, not this call
    notices: Notices | None = None,
) -> int:
    """Run the bot against a fresh stand-in: interactively, or through ``script``; return the exit code.

    ``timeout`` is how long a step waits for the bot's answer, a deferred one included (the bot decides how
    long it may think; Discord allows 15 minutes). ``notices`` gives lines to show once, after the bot has
    connected and before the first step (e.g. that an outside service cannot be reached).
    """
    try:
        steps = _load(script) if script is not None else None
    except (OSError, SandboxUsageError) as error:
        stdout.write(f"✖ cannot read the script: {error}\n")
        return EXIT_SCRIPT
    try:
        async with running_sandbox(make_bot, config=config, timeout=timeout) as sandbox:
            renderer = Renderer(sandbox.state.world, files_dir, reveal_spoilers=reveal_spoilers)
            reader = None if steps is not None else _stdin_reader(stdin, stdout)
            session = ReplSession(sandbox, renderer, stdout, reader=reader, user=as_user)
            session.collect(None, "start-up", set())  # e.g. command registration that broke a rule
            said = list(await notices()) if notices is not None else []
            if steps is None:
                guilds = ", ".join(g.name for g in session.sandbox.config.guilds)
                said.insert(0, f"kansou sandbox — a stand-in Discord with {guilds}. Type help for the commands, "
                               "quit to leave.")
            for line in said:
                session.say(line)
            if mod:
                session._mod("on")
            if steps is not None:
                for step in steps:
                    session.say(f"\n{session.prompt}{step.text}")
                    if not await session.run(step):
                        break
            else:
                await _interactive(session, reader)
            await asyncio.sleep(0.05)  # late follow-ups and errors still count
            session.collect(None, "after the last step", set())
            code, summary = session.summary()
            if steps is not None or session.problems:
                session.say("\n" + summary)
            return code
    except BrokenPipeError:  # the reader of the transcript went away: nothing more can be said
        raise
    except SandboxUsageError as error:
        stdout.write(f"✖ {error}\n")
        return EXIT_SCRIPT
    except Exception as error:  # the bot could not start: a failed sync, a bad token, …
        log.debug("the bot failed to start", exc_info=True)
        stdout.write(f"✖ the bot failed to start: {type(error).__name__}: {error}\n")
        return EXIT_PROBLEMS


async def _interactive(session: ReplSession, reader: Reader | None) -> None:
    assert reader is not None
    while True:
        line = await reader(session.prompt)
        if line is None:
            session.say("")
            return
        if not line.strip() or line.strip().startswith("#"):
            continue
        if not await session.run(Step(0, line.strip())):
            return

