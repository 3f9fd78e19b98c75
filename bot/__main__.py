"""The ``kansou`` command (also ``python -m bot``): the only place that reads the environment."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

from bot.config import Settings
from bot.errors import CatalogueFormatError, DatabaseError, KansouError
from bot.logs import configure_logging

log = logging.getLogger("bot")

NO_TOKEN = """\
kansou needs a Discord bot token to connect, and none is set.

  1. Open https://discord.com/developers/applications and press "New Application".
  2. In "Bot", press "Reset Token" and copy the token.
  3. Put it in a file named .env in this folder:   DISCORD_TOKEN=your-token-here
     (copy .env.example to .env for every setting).
  4. Invite the bot: in "OAuth2 → URL Generator" tick the scopes "bot" and "applications.commands",
     and the permissions "Send Messages", "Embed Links", "Attach Files" and "Read Message History".
  5. Run `kansou` again (and `kansou sync --guild YOUR_SERVER_ID` for the commands to appear at once).

No Discord account at hand? Try every command locally, right now:   kansou sandbox
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kansou",
        description="kansou (感想): spoiler-safe anime reviews, ratings and credits for Discord.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="start the bot (the default)")
    sync = sub.add_parser("sync", help="register the slash commands with Discord and exit")
    sync.add_argument("--guild", type=int, metavar="ID", help="register in this server only (instant)")
    cat = sub.add_parser("catalogue", help="manage the credits catalogue")
    cat_sub = cat.add_subparsers(dest="catalogue_command", metavar="ACTION", required=True)
    load = cat_sub.add_parser("load", help="load a catalogue file (TOML, see data/README.md)")
    load.add_argument("file", type=Path)
    fetch = cat_sub.add_parser("import-anilist", help="fetch one show's credits from AniList")
    fetch.add_argument("title", help="the show's title")
    sub.add_parser("check", help="print the configuration, the database and its row counts")
    backup = sub.add_parser("backup", help="copy the database to PATH (safe while the bot runs)")
    backup.add_argument("path", type=Path, metavar="PATH", help="the backup file, or a folder to put it in")
    restore = sub.add_parser(
        "restore", help="replace the database by the backup PATH (stop the bot first; the current one is kept)"
    )
    restore.add_argument("path", type=Path, metavar="PATH", help="a file written by `kansou backup`")
    sandbox = sub.add_parser("sandbox", help="try every command locally, without Discord")
    sandbox.add_argument("--script", type=Path, metavar="FILE", help="run the lines of FILE and exit")
    sandbox.add_argument("--db", type=Path, metavar="PATH", help="use this database (default: a scratch copy)")
    sandbox.add_argument("--as", dest="as_user", default="alice", metavar="NAME", help="the member you act as")
    sandbox.add_argument("--mod", action="store_true", help="give that member moderator rights")
    sandbox.add_argument("--files", type=Path, metavar="DIR", help="where to save attachments")
    return parser


def _configure_logging(settings: Settings) -> None:
    secrets = [settings.token.reveal()] if settings.token is not None else []
    configure_logging(settings.log_level, settings.log_format, secrets=secrets, stream=sys.stderr)


def startup_error(error: BaseException) -> str:
    """One clear paragraph for an error that stops a command (no traceback): what went wrong and what to do."""
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
    args = _parser().parse_args(argv)
    load_dotenv(Path.cwd() / ".env")
    try:
        settings = Settings.from_env(os.environ)
    except KansouError as exc:
        print(f"kansou: configuration error: {exc}", file=sys.stderr)
        return 2
    _configure_logging(settings)
    if args.command in ("backup", "restore"):  # no discord.py import needed
        return _files_command(args.command, settings, args.path)
    from bot import cli  # noqa: PLC0415  # keep `kansou --help` fast and free of discord.py's import

    command = args.command or "run"
    try:
        if command == "run":
            if settings.token is None:
                print(NO_TOKEN, file=sys.stderr)
                return 2
            return _run_until_signal(cli.run_bot(settings))
        if command == "sync":
            if settings.token is None:
                print(NO_TOKEN, file=sys.stderr)
                return 2
            return asyncio.run(cli.sync_commands(settings, args.guild))
        if command == "catalogue" and args.catalogue_command == "import-anilist":
            return asyncio.run(cli.catalogue_import(settings, args.title))
        if command == "catalogue":
            return asyncio.run(cli.catalogue_load(settings, args.file))
        if command == "check":
            return asyncio.run(cli.check(settings))
        if command == "sandbox":
            return asyncio.run(
                cli.sandbox(settings, script=args.script, db=args.db, as_user=args.as_user, mod=args.mod,
                            files=args.files)
            )
    except (KansouError, OSError, sqlite3.Error) as exc:
        print(startup_error(exc), file=sys.stderr)
        return 1
    raise AssertionError(f"unhandled command {command!r}")


def _files_command(command: str, settings: Settings, path: Path) -> int:
    """``kansou backup PATH`` and ``kansou restore PATH``."""
    from bot.services.backups import backup_name, utc_now  # noqa: PLC0415  # only for these two commands
    from bot.storage.backup import backup_database, restore_database  # noqa: PLC0415

    try:
        if command == "backup":
            dest = path / backup_name(utc_now()) if path.is_dir() else path
            summary = backup_database(settings.db_path, dest)
            print(f"Backed up {settings.db_path.resolve()} to {summary.path.resolve()}")
            print("\n".join(summary.describe()))
            return 0
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


if __name__ == "__main__":
    raise SystemExit(main())
