"""The repository is self-contained: no tracked file reaches for a path outside the checkout."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The parent-folder component and the old outside location are spelled in pieces, so this file does not match
# its own patterns.
UP = "." + "."
OLD_PLACE = "shared" + "/anilist"
HERE = "Path(__file__).resolve()"
# The parent-folder component used in a join: `... / UP / ...` or `os.path.join(x, UP)`.
DOTDOT_COMPONENT = re.compile(r"""(?:/|,)\s*["']""" + re.escape(UP) + r"""["']""")
# A path starting with UP and a slash: a folder beside the checkout.
DOTDOT_PREFIX = re.compile(r"""(?:^|[\s"'`(=])""" + re.escape(UP) + r"/")
# `Path(__file__).resolve().parents[N]`: N may not climb above the repository's root.
PARENTS = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
BINARY_OR_DATA = (".png", ".sqlite3", ".graphql")


def tracked_files() -> list[Path]:
    """The files git tracks in this checkout (skip outside a git checkout, e.g. an unpacked sdist)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True)
    return [ROOT / name for name in listed.stdout.split("\0") if name]


def outside_references(path: Path, text: str) -> list[str]:
    """The lines of ``text`` (the file ``path``) that point outside the repository."""
    found: list[str] = []
    depth = len(path.relative_to(ROOT).parts) - 1  # folders between the root and the file
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        if DOTDOT_COMPONENT.search(line) or DOTDOT_PREFIX.search(line) or OLD_PLACE in line:
            found.append(where)
        found.extend(where for m in PARENTS.finditer(line) if int(m.group(1)) > depth)
    return found


def test_no_tracked_file_reads_a_path_outside_the_repository() -> None:
    files = tracked_files()
    assert len(files) > 50
    offending: list[str] = []
    for path in files:
        if path.suffix in BINARY_OR_DATA or not path.is_file():
            continue
        offending += outside_references(path, path.read_text(encoding="utf-8", errors="replace"))
    assert not offending, "paths outside the repository:\n" + "\n".join(offending)


@pytest.mark.parametrize(
    "line",
    [
        "SCHEMA = " + HERE + '.parents[2] / "' + UP + '" / "shared" / "anilist" / "schema.graphql"',
        "see " + UP + "/shared/README.md",
        "the schema in " + OLD_PLACE + "/schema.graphql",
        'os.path.join(here, "' + UP + '", "data")',
        "ROOT = " + HERE + ".parents[3]",
    ],
)
def test_the_check_catches_each_way_out(line: str) -> None:
    # A file two folders down (tests/bot/x.py): parents[2] is the root, parents[3] is outside it.
    assert outside_references(ROOT / "tests" / "bot" / "x.py", line)


def test_the_check_allows_paths_inside() -> None:
    inside = f"ROOT = {HERE}.parents[2]\nCAT = ROOT / 'data' / 'catalogue'\ncd \"$(dirname \"$0\")/{UP}\"\nx = a{UP}b"
    assert outside_references(ROOT / "tests" / "bot" / "x.py", inside) == []
