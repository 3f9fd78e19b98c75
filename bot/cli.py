"""The ``kansou`` command (also ``python -m bot``): arguments, ``.env`` and the environment → settings, dispatch.

The only place that reads the environment; discord.py and the database are imported only by the commands
that need them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sqlite3
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TextIO

from dotenv import load_dotenv

from bot.config import Settings
from bot.errors import CatalogueFormatError, DatabaseError, KansouError
from bot.logs import configure_logging, reset_logging

log = logging.getLogger("bot")

# The exit code of a program killed by SIGPIPE (128 + 13), as a shell reports it: `kansou check | head -1`.
EXIT_BROKEN_PIPE = 141

NO_TOKEN = """\
kansou needs a Discord bot token to connect, and none is set.

  1. Open https://discord.com/developers/applications and press "New Application".
  2. In "Bot", press "Reset Token" and copy the token.
  3. Put it in a file named .env in this folder:   DISCORD_TOKEN=your-token-here
     (copy .env.example to .env for every setting).
  4. Invite the bot: in "OAuth2 → URL Generator" tick the scopes "bot" and "applications.commands",
     and the permissions "Send Messages", "Embed Links", "Attach Files" and "Read Message History".
  5. Run `{prog}` again (and `{prog} sync --guild YOUR_SERVER_ID` for the commands to appear at once).

No Discord account at hand? Try every command locally, right now:   {prog} sandbox
(Run in a terminal without a token, `{prog}` starts that sandbox by itself.)
"""

SANDBOX_INSTEAD = (
    "kansou: no DISCORD_TOKEN is set, so this is the sandbox: a local stand-in for Discord on a scratch "
    "database (to connect to Discord, see \"Put it on your server\" in README.md)."
)

SETTINGS_EPILOG = (
    "Settings come from the environment and from .env in the current folder (see .env.example and the "
    "README's Settings table); `kansou check` prints them."
)

SANDBOX_EPILOG = """\
A script (--script FILE) holds the lines you would type at the prompt, one per line:

  /voiced character: Naomi Orthmann          a slash command; option names end with a colon
  complete /person name: kuro                what autocomplete offers for the last option typed
  press 2 | press Next                       press a button of the last message (number or label)
  select 1 VALUE[, VALUE…]                   choose values in select menu 1 of the last message
  as bob | mod on | mod off                  act as another member; give or take moderator rights
  channel NAME | guild NAME | reveal on|off  move around; show or hide ||spoilers||
  # a comment

A command that opens a form (a modal) takes its answers on the indented lines right below it, one field
per line, by label; a multi-line answer goes between lines holding only triple quotes:

  /review write anime: Metallic Rouge through_episode: 3
    Title: Rouge finds her own will
    Review: \"\"\"
    Several lines,
    each on its own line.
    \"\"\"

The script prints the whole conversation and exits 0 when every step ran with no Discord limit broken,
no ping risked and no bot error; 1 when one was; 2 for a mistake in the script. examples/tour.kansou runs
every command. Interactively, type help at the prompt for the same list.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kansou",
        description="kansou (感想): spoiler-safe anime reviews, ratings and credits for Discord. "
        "Without a command, `kansou` is `kansou run`.",
        epilog=SETTINGS_EPILOG,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, description: str, **kwargs: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=description, **kwargs)

    command(
        "run", "start the bot (the default)",
        "Connect to Discord with DISCORD_TOKEN and answer slash commands until Ctrl-C or SIGTERM. Without a "
        "token: in a terminal, start the sandbox instead; otherwise (a service manager, CI) print the set-up "
        "steps and exit 2.",
        epilog=SETTINGS_EPILOG,
    )
    sync = command(
        "sync", "register the slash commands with Discord and exit",
        "Register kansou's slash commands with Discord, globally (they can take up to an hour to appear) or "
        "in one server (instantly), and exit.",
    )
    sync.add_argument("--guild", type=int, metavar="ID",
                      help="the server's id: register the commands in this server only, instantly")
    cat = command("catalogue", "manage the credits catalogue",
                  "Load credits into the catalogue: from a file, or from AniList.")
    cat_sub = cat.add_subparsers(dest="catalogue_command", metavar="ACTION", required=True)
    load = cat_sub.add_parser(
        "load", help="load a catalogue file (TOML, see data/README.md)",
        description="Load a catalogue file into the database and say what it added. Loading the same file "
        "again changes nothing.",
    )
    load.add_argument("file", type=Path, metavar="FILE",
                      help="a catalogue file in TOML: shows, people, characters and credits (data/README.md)")
    titles = cat_sub.add_parser(
        "load-titles", help="load the offline title index (anime-offline-database, JSON or JSONL)",
        description="Load a release of manami-project's anime-offline-database (about 40,000 shows: titles, "
        "synonyms and AniList ids; no credits) so autocomplete knows every title, offline. The file is checked "
        "against the project's schema and loaded in one transaction; loading the same file again changes "
        "nothing, a newer release replaces the older one. Download it from "
        "https://github.com/manami-project/anime-offline-database (see README, \"Every show\").",
    )
    titles.add_argument("file", type=Path, metavar="FILE",
                        help="anime-offline-database.json or anime-offline-database.jsonl (its licence: ODbL 1.0)")
    fetch = cat_sub.add_parser(
        "import-anilist", help="fetch one show's credits from AniList",
        description="Look the show up on AniList and store its staff and cast in the catalogue.",
    )
    fetch.add_argument("title", metavar="TITLE", help="the show's title (English, romaji or Japanese)")
    command(
        "check", "print the settings and the database's state (read-only)",
        "Print every setting (the token masked), the database's path, schema version and row counts, and "
        "the catalogue files. Read-only: a missing database is not created and an old one is not upgraded.",
        epilog=SETTINGS_EPILOG,
    )
    backup = command(
        "backup", "copy the database to PATH (safe while the bot runs)",
        "Copy the database with SQLite's online backup (safe while the bot runs): written to a temporary file "
        "and checked, then renamed into place. Prints the copy's size, schema version and row counts.",
    )
    backup.add_argument(
        "path", metavar="PATH",
        help="the backup file, or a folder to put kansou-YYYYMMDD-HHMMSS.sqlite3 in (a path ending in / is a "
        "folder, created if needed)",
    )
    backup.add_argument("--force", action="store_true", help="replace PATH if it is an existing file")
    restore = command(
        "restore", "replace the database with the backup PATH (stop the bot first)",
        "Replace the database with a backup. The current database is kept as "
        "<db>.before-restore-YYYYMMDD-HHMMSS. Refuses a file that is not a sound kansou database or comes "
        "from a newer kansou, and refuses while the database is in use.",
    )
    restore.add_argument("path", type=Path, metavar="PATH", help="a file written by `kansou backup`")
    database = command("db", "move the database to PostgreSQL",
                       "Copy a community's SQLite database into PostgreSQL (see the README).")
    db_sub = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    copy = db_sub.add_parser(
        "copy", help="copy an SQLite database into an empty PostgreSQL database, and verify it",
        description="Copy every table of the SQLite database (catalogue, reviews and their messages, ratings, "
        "categories, counters) into an empty PostgreSQL database in one transaction, then verify it: the row "
        "count of every table, and every rating tally equal to a recount of the votes. Refuses a target that "
        "already holds data. Stop the bot first, so nothing changes while it copies.",
    )
    copy.add_argument("source", type=Path, metavar="SQLITE_PATH", help="the SQLite database file (KANSOU_DB today)")
    copy.add_argument("target", metavar="POSTGRESQL_URL",
                      help="postgresql://user:password@host/database — a new, empty database")
    sandbox = command(
        "sandbox", "try every command locally, without Discord",
        "Start a local stand-in for Discord and the real bot in one process, on a scratch database holding "
        "the shipped catalogue, and give a prompt where you type slash commands as a member would (or run a "
        "script of such lines with --script).",
        epilog=SANDBOX_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sandbox.add_argument("--script", type=Path, metavar="FILE",
                         help="run the lines of FILE (written as below), print the conversation and exit")
    sandbox.add_argument("--db", type=Path, metavar="PATH",
                         help="use (and keep) this database instead of a scratch copy")
    sandbox.add_argument("--as", dest="as_user", default="alice", metavar="NAME",
                         help="the member you act as: alice (default), bob, carol, dave, or mod (a moderator)")
    sandbox.add_argument("--mod", action="store_true", help="give that member moderator rights")
    sandbox.add_argument("--locale", metavar="CODE",
                         help="the language of your (pretend) Discord app, as Discord names it: ja, es-ES, es-419, "
                         "pt-BR, en-US … — kansou answers in it when it has that language (REPL: `locale CODE`)")
    sandbox.add_argument("--files", type=Path, metavar="DIR",
                         help="where to save attachments and the bot's log (default: ./sandbox-files)")
    return parser


def _configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    secrets = [settings.token.reveal()] if settings.token is not None else []
    configure_logging(settings.log_level, settings.log_format, secrets=secrets, stream=stream or sys.stderr)


def _shown(path: str) -> str:
    """How to type the program ``path`` here: its bare name if PATH finds it, else as relative as it gets."""
    found = shutil.which(Path(path).name)
    if found is not None and Path(found).absolute() == Path(path).absolute():
        return Path(path).name
    absolute = Path(path).absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def program_name(argv0: str | None = None) -> str:
    """The command the user typed to start kansou (``.venv/bin/kansou``, ``kansou``, ``python -m bot``)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name == "kansou":
        return _shown(argv0)
    return f"{_shown(sys.executable)} -m bot"


def no_token_message(prog: str | None = None) -> str:
    """The set-up steps, naming the command the way the user can type it."""
    return NO_TOKEN.format(prog=prog or program_name())


def _in_a_terminal() -> bool:
    """A person at a terminal (stdin and stdout), not a service manager or CI."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def startup_error(error: BaseException) -> str:
    """One clear paragraph for an error that stops a command (no traceback): what went wrong and what to do."""
    if isinstance(error, BrokenPipeError):  # not a failure to report: the reader left (see main)
        raise error
    if isinstance(error, CatalogueFormatError):
        return (f"kansou: a credits catalogue file cannot be read: {error} Fix the file (the format is described "
                "in data/README.md), or point KANSOU_CATALOGUE_DIR elsewhere.")
    if isinstance(error, DatabaseError):
        return f"kansou: {error} The database is the file named by KANSOU_DB (or --db for the sandbox)."
    if isinstance(error, KansouError):
        return f"kansou: {error}"
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        return f"kansou: cannot use{where}: {error.strerror or error}."
    if isinstance(error, sqlite3.Error):
        return f"kansou: the database failed: {error}. Check KANSOU_DB, and that no other program holds it."
    raise error


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kansou`` console script."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`kansou check | head -1`): stop quietly, as `cat` would. Point stdout at
        # /dev/null so the interpreter's last flush at exit does not fail again with a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    load_dotenv(Path.cwd() / ".env")
    try:
        settings = Settings.from_env(os.environ)
    except KansouError as exc:
        print(f"kansou: configuration error: {exc}", file=sys.stderr)
        return 2
    command = args.command or "run"
    if command == "run" and settings.token is None and _in_a_terminal():
        print(SANDBOX_INSTEAD, flush=True)
        return _sandbox(settings, script=None, db=None, as_user="alice", mod=False, files=None, locale=None)
    if command == "sandbox":
        return _sandbox(settings, script=args.script, db=args.db, as_user=args.as_user, mod=args.mod,
                        files=args.files, locale=args.locale)
    _configure_logging(settings)
    if command in ("backup", "restore") and settings.db_url is not None:
        print(_pg_dump_instead(command, settings.db_url), file=sys.stderr)
        return 2
    if command in ("backup", "restore"):  # no discord.py import needed
        return _files_command(command, settings, args.path, force=getattr(args, "force", False))
    if command == "check":
        return _check(settings)
    if command == "db":
        return _db_copy(args.source, args.target)
    from bot import app  # noqa: PLC0415  # keep `kansou --help` fast and free of discord.py's import

    try:
        if command in ("run", "sync") and settings.token is None:
            print(no_token_message(), file=sys.stderr)
            return 2
        if command == "run":
            return _run_until_signal(app.run_bot(settings))
        if command == "sync":
            return asyncio.run(app.sync_commands(settings, args.guild))
        if command == "catalogue" and args.catalogue_command == "load-titles":
            return asyncio.run(app.catalogue_load_titles(settings, args.file))
        if command == "catalogue" and args.catalogue_command == "import-anilist":
            return asyncio.run(app.catalogue_import(settings, args.title))
        if command == "catalogue":
            return asyncio.run(app.catalogue_load(settings, args.file))
    except (KansouError, OSError, sqlite3.Error) as exc:
        print(startup_error(exc), file=sys.stderr)
        return 1
    raise AssertionError(f"unhandled command {command!r}")


def _pg_dump_instead(command: str, url: str) -> str:
    """What ``kansou backup``/``restore`` say on PostgreSQL: its own tools do it, and how to call them."""
    from bot.core.postgres import redact  # noqa: PLC0415  # only for this message

    shown = redact(url)
    if command == "backup":
        return (f"kansou backup copies SQLite files; KANSOU_DB is a PostgreSQL database ({shown}). Back it up "
                "with PostgreSQL's own tool (safe while the bot runs):\n"
                f"  pg_dump --format=custom --file=kansou-$(date -u +%Y%m%d-%H%M%S).dump '{shown}'\n"
                "(put the password in ~/.pgpass or PGPASSWORD rather than on the command line).")
    return (f"kansou restore replaces SQLite files; KANSOU_DB is a PostgreSQL database ({shown}). Stop the bot, "
            "then restore a pg_dump backup with PostgreSQL's own tool:\n"
            f"  pg_restore --clean --if-exists --single-transaction --dbname='{shown}' PATH.dump")


def _db_copy(source: Path, target: str) -> int:
    """``kansou db copy SQLITE_PATH POSTGRESQL_URL``: copy, then verify the counts and the tallies."""
    from bot.core.dbcopy import copy_database  # noqa: PLC0415  # only for this command
    from bot.core.postgres import PostgresDatabase, is_postgres_url, redact  # noqa: PLC0415  # same
    from bot.ratings.store import RatingStore  # noqa: PLC0415  # same

    if not is_postgres_url(target):
        print(f"kansou: {target!r} is not a PostgreSQL URL (postgresql://user:password@host/database).",
              file=sys.stderr)
        return 2

    where = source.resolve()

    async def copy_and_verify() -> int:
        report = await copy_database(source, target, progress=lambda line: print(line, flush=True))
        async with await PostgresDatabase.connect(target) as db:
            wrong = await RatingStore(db).recount_mismatches()
        if wrong:
            print(f"The copy's rating tallies differ from a recount: {', '.join(wrong[:10])}", file=sys.stderr)
            return 1
        print(f"Copied {where} into {redact(target)}:")
        print("\n".join(report.describe()))
        print("Verified: every table's row count matches, and every rating tally equals a recount of the votes.")
        return 0

    try:
        return asyncio.run(copy_and_verify())
    except (KansouError, OSError, sqlite3.Error) as exc:
        print(startup_error(exc), file=sys.stderr)
        return 1


def _check(settings: Settings) -> int:
    """``kansou check``: read-only, so neither discord.py nor the database's writer is needed."""
    from bot.check import check  # noqa: PLC0415  # only for this command

    try:
        return check(settings)
    except (KansouError, OSError, sqlite3.Error) as exc:
        sys.stdout.flush()  # what was printed so far comes before the error
        print(startup_error(exc), file=sys.stderr)
        return 1


def _sandbox(settings: Settings, *, script: Path | None, db: Path | None, as_user: str, mod: bool,
             files: Path | None, locale: str | None) -> int:
    """``kansou sandbox``: the bot's log goes to a file, so the terminal holds only the conversation."""
    from sandbox.kansou import sandbox_command  # noqa: PLC0415  # the stand-in only for this command

    files_dir = files or Path.cwd() / "sandbox-files"
    log_path = files_dir / "sandbox.log"
    try:
        files_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_path.open("w", encoding="utf-8")
    except OSError as exc:
        print(startup_error(exc), file=sys.stderr)
        return 1
    with log_file:
        _configure_logging(settings, stream=log_file)
        try:
            return asyncio.run(sandbox_command(settings, script=script, db=db, as_user=as_user, mod=mod,
                                               files=files_dir, log_path=log_path, locale=locale))
        except (KansouError, OSError, sqlite3.Error) as exc:
            print(startup_error(exc), file=sys.stderr)
            return 1
        finally:
            reset_logging()  # the file closes now: nothing may log into it afterwards


def _backup_destination(raw: str) -> Path:
    """``kansou backup PATH``: a folder (existing, or named with a trailing slash) gets a dated file inside."""
    from bot.core.backups import backup_name, utc_now  # noqa: PLC0415  # only for this command

    path = Path(raw)
    if raw.endswith(("/", os.sep)) or path.is_dir():
        return path / backup_name(utc_now())
    return path


def _files_command(command: str, settings: Settings, raw_path: str | Path, *, force: bool = False) -> int:
    """``kansou backup PATH`` and ``kansou restore PATH``."""
    from bot.core.backups import backup_database, restore_database  # noqa: PLC0415  # only for these two

    try:
        if command == "backup":
            dest = _backup_destination(str(raw_path))
            summary = backup_database(settings.db_path, dest, overwrite=force)
            print(f"Backed up {settings.db_path.resolve()} to {summary.path.resolve()}")
            print("\n".join(summary.describe()))
            return 0
        path = Path(raw_path)
        report = restore_database(path, settings.db_path)
    except KansouError as exc:
        print(f"kansou: {exc}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as exc:
        print(startup_error(exc), file=sys.stderr)
        return 1
    print(f"Restored {path.resolve()} into {report.restored.path.resolve()}")
    print("\n".join(report.restored.describe()))
    if report.previous is not None:
        print(f"The database it replaced was saved as {report.previous.resolve()}")
    if report.needs_upgrade:
        print("Its schema is older than this kansou's: it is upgraded the next time kansou starts.")
    return 0


def _run_until_signal(coro: Coroutine[Any, Any, int]) -> int:
    """Run the bot; SIGINT or SIGTERM closes it gracefully (the database is closed on the way out)."""

    async def runner() -> int:
        task = asyncio.ensure_future(coro)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        try:
            return await task
        except asyncio.CancelledError:
            log.info("stopped by signal; closed cleanly")
            return 0

    return asyncio.run(runner())
