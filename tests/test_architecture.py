"""The house rules, checked from the source: no import cycle, the layers import only downwards, discord only in
the Discord side, SQL only in the stores, no private attribute of discord.py or aiosqlite, and the running bot
never loads the stand-in."""

from __future__ import annotations

import ast
import asyncio
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[1]
CODE = ("bot", "cogs")
FEATURES = ("bot.catalogue", "bot.anilist", "bot.reviews", "bot.ratings", "bot.settings", "bot.progress", "bot.threads",
            "bot.follows")
DISCORD_SIDE = ("bot.ui", "cogs")
STORES = ("bot.catalogue.store", "bot.catalogue.title_store", "bot.reviews.store", "bot.ratings.store",
          "bot.ratings.writer", "bot.settings.store", "bot.progress.store", "bot.threads.store", "bot.follows.store")
# The engines and their interface, the migrations, the backups (which copy and inspect the SQLite file itself)
# and `kansou db copy` (which copies every table from one engine to the other).
ENGINE = ("bot.core.dbapi", "bot.core.database", "bot.core.postgres", "bot.core.migrations", "bot.core.backups",
          "bot.core.dbcopy")


def modules(roots: Iterable[str] = CODE) -> dict[str, Path]:
    """Every module under ``roots``, by dotted name (a package by its own name)."""
    found = {}
    for root in roots:
        for path in sorted((ROOT / root).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def imports(path: Path, name: str, known: dict[str, Path]) -> Iterator[tuple[str, int, bool]]:
    """(module imported, line, at the top level) for every import of ``path`` — in functions too — resolved to the
    module it loads (``from bot.x import y`` is ``bot.x.y`` when that is a module, else ``bot.x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                yield (target if target in known else base), node.lineno, id(node) in top


def graph() -> dict[str, set[str]]:
    """Who imports whom among kansou's own modules (bot/ and cogs/): importing a module runs its packages too."""
    known = modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        edges[name]
        for target, _, _ in imports(path, name, known):
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):  # bot.x.y runs bot.x (and bot) first
                loaded = ".".join(parts[:depth])
                if loaded in known and loaded != name and not name.startswith(loaded + "."):
                    edges[name].add(loaded)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_there_is_no_import_cycle() -> None:
    edges = graph()
    print(f"\nimport graph of bot/ and cogs/: {len(edges)} modules, {sum(map(len, edges.values()))} edges "
          "(imports in functions included; a package counts for every module under it)")
    for layer, prefixes in [("core", ("bot.core",)), ("features", FEATURES), ("discord side", DISCORD_SIDE)]:
        members = [m for m in edges if _under(m, prefixes)]
        print(f"  {layer}: {len(members)} modules")
    found = cycles(edges)
    print(f"  cycles: {found or 'none'}")
    assert found == []


def test_the_layers_import_only_downwards() -> None:
    known = modules()
    problems = []
    for name, path in known.items():
        for target, line, _ in imports(path, name, known):
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if _under(name, ("bot.core",)) and _under(target, (*FEATURES, "bot.ui", "bot.shared", "bot.app", "cogs")):
                problems.append(f"{where}: the core knows no feature and no Discord side")
            if _under(name, FEATURES) and _under(target, ("bot.ui", "cogs", "sandbox", "bot.app", "bot.shared",
                                                          "bot.cli")):
                problems.append(f"{where}: a feature home never imports the Discord side or the wiring")
            if _under(name, ("bot",)) and _under(target, ("cogs",)) and name != "bot.ui.client":
                problems.append(f"{where}: only the client discovers the cogs")
    assert problems == []


def test_discord_is_imported_only_by_the_discord_side() -> None:
    known = modules()
    outside = [f"{path.relative_to(ROOT)}:{line}" for name, path in known.items() if not _under(name, DISCORD_SIDE)
               for target, line, _ in imports(path, name, known) if _under(target, ("discord", "aiohttp"))]
    assert outside == []


def test_nothing_of_the_bot_imports_the_stand_in() -> None:
    known = modules()
    found = [(name, line, top) for name, path in known.items() for target, line, top in imports(path, name, known)
             if _under(target, ("sandbox",))]
    # `kansou sandbox` (and `kansou` without a token, in a terminal) starts it: imported there, in that branch.
    assert [(name, top) for name, _, top in found] == [("bot.cli", False)]


def test_sql_lives_in_the_stores() -> None:
    query = re.compile(r"\.(fetch_all|fetch_one|fetch_value|execute|execute_many|transaction)\(")
    allowed = (*STORES, *ENGINE)
    places = sorted({name for name, path in modules().items() if not _under(name, allowed)
                     and query.search(path.read_text(encoding="utf-8"))})
    assert places == []


# Private attributes that belong to our own classes, read by their own code.
OWN_PRIVATE = {
    ("bot/config.py", "other._value"),  # Secret.__eq__ compares with another Secret
    ("bot/core/database.py", "db._configure"),  # SQLiteDatabase.connect sets up the instance it made
    ("bot/core/postgres.py", "tx._conn"),  # copy_records uses the connection of the module's own transaction
    ("sandbox/repl.py", "session._mod"),  # the REPL session's own state
}
# discord.py's and aiosqlite's private parts that kansou once reached into: never again, on any object.
FORBIDDEN = re.compile(r"\b(_connection|_thread|_state|_parsers|_tx|_cs_\w+|_view_store|_get_state)\b"
                       r"|set_task_factory|\.parsers\b|getattr\([^)]*[\"']_\w")


def test_no_private_attribute_of_discord_py_or_aiosqlite_is_touched() -> None:
    found = set()
    for root in ("bot", "cogs", "sandbox", "bench"):
        for path in sorted((ROOT / root).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            source = path.read_text(encoding="utf-8")
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                    if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                        continue  # our own classes' own state
                    found.add((relative, ast.unparse(node)))
            for number, line in enumerate(source.splitlines(), 1):
                code = line.split("#", 1)[0]
                if FORBIDDEN.search(code) and not re.search(r"\bself\._(conn|tx)\b|def _\w+", code):
                    found.add((relative, f"line {number}: {line.strip()}"))
    assert found == OWN_PRIVATE


STARTUP_PROBE = """
import logging, os, signal, sys

from bot.cli import main


class Ready(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("ready as"):
            loaded = sorted(m for m in sys.modules if m.split(".")[0] == "sandbox")
            print("LOADED", "bot.ui.client" in sys.modules, "cogs.ratings" in sys.modules, loaded, flush=True)
            os.kill(os.getpid(), signal.SIGTERM)


logging.getLogger("bot.ui.client").addHandler(Ready())
sys.exit(main(["run"]))
"""


async def test_the_running_bot_never_loads_the_stand_in(tmp_path: Path) -> None:
    server = SandboxServer()
    endpoints = await server.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "KANSOU_", "ANILIST_"))}
        env.update({"DISCORD_TOKEN": endpoints.token, "DISCORD_API_BASE": endpoints.api_base,
                    "DISCORD_GATEWAY_URL": endpoints.gateway_url, "KANSOU_DB": str(tmp_path / "kansou.sqlite3"),
                    "ANILIST_API_URL": "off", "PYTHONPATH": str(ROOT)})
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", STARTUP_PROBE, cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await server.stop()
    out = stdout.decode()
    assert process.returncode == 0, stderr.decode()[-2000:]
    line = next((x for x in out.splitlines() if x.startswith("LOADED ")), None)
    assert line == "LOADED True True []", (out, stderr.decode()[-2000:])  # started, cogs loaded, no sandbox


@pytest.mark.parametrize("module", ["bot.cli", "bot.app", "bot.ui.client"])
def test_importing_the_bot_loads_no_stand_in(module: str) -> None:
    probe = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'sandbox'))"
    import subprocess

    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "[]"
