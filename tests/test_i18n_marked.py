"""Nothing a member reads is left out of the catalogue: every sentence in the code that renders or replies is marked.

An AST walk over the modules that build what members see (cogs, renderers, the Discord side, the services' error
messages) flags every string literal with words in it that is not marked for translation (``_``, ``ngettext``,
``counted``, ``pgettext``, ``npgettext``, ``N_``) — unless it is one of the kinds of text that is not a sentence:
docstrings, log messages, ids and keys, internal errors (``ValueError``, ``AssertionError``…), and the command
tree's own strings (names, descriptions, options: translated at registration by the Translator).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The modules that build what members read.
MEMBER_FACING = sorted(
    {*ROOT.glob("cogs/**/*.py"), *ROOT.glob("bot/*/render.py"), *ROOT.glob("bot/*/service.py"),
     *ROOT.glob("bot/*/models.py"), *ROOT.glob("bot/*/pages.py"), *ROOT.glob("bot/*/paging.py"),
     *ROOT.glob("bot/progress/*.py"), *ROOT.glob("bot/settings/*.py"),
     *ROOT.glob("bot/threads/*.py"), *ROOT.glob("bot/follows/*.py"),
     *ROOT.glob("bot/ui/*.py"), ROOT / "bot/ratings/categories.py", ROOT / "bot/ratings/models.py",
     ROOT / "bot/reviews/models.py", ROOT / "bot/reviews/spoilers.py", ROOT / "bot/catalogue/credits.py",
     ROOT / "bot/ratings/chart.py", ROOT / "bot/core/cooldowns.py", ROOT / "bot/anilist/enrich.py",
     ROOT / "bot/anilist/client.py", ROOT / "bot/catalogue/search.py"}
    - {ROOT / "bot/ui/client.py", ROOT / "bot/ui/translator.py", ROOT / "bot/ui/interactions.py"}
    - set(ROOT.glob("bot/*/store.py"))
)
# client.py: the operator's messages (the terminal); translator.py: the catalogue's own machinery;
# interactions.py: log lines only; stores: SQL.

#: Sentences that only the operator reads on the terminal (``kansou catalogue load``'s report), with the reason.
TERMINAL_ONLY = {
    ("bot/catalogue/models.py", "unchanged since the last load; nothing to do"),
    ("bot/catalogue/models.py", "new voice role"),
    ("bot/catalogue/models.py", "new staff role"),
}
MARKERS = {"_", "N_", "ngettext", "counted", "pgettext", "npgettext"}
NOT_SENTENCES = {  # calls whose string arguments no member reads as a sentence
    "ValueError", "TypeError", "AssertionError", "RuntimeError", "KeyError", "LookupError", "IndexError",
    "NotImplementedError", "__init__", "_TooLarge", "_Unreadable",
    "CatalogueFormatError",  # a catalogue file's mistakes, told to its operator on the terminal
    "InvalidData", "InProgress",  # discord.py's and the airing task's own errors: logged, never shown
    "CheckFailure", "getLogger", "ContextVar", "Route", "compile", "getattr", "setattr", "hasattr", "startswith",
    "endswith", "split", "partition", "rpartition", "strip", "replace", "get", "pop", "setdefault", "execute",
    "fetch_all", "fetch_one", "fetch_value", "execute_many", "join", "Attachment", "SelectOption_value", "isinstance",
    "format", "removeprefix", "removesuffix", "fromisoformat", "strftime", "encode", "decode",
}
COMMAND_TREE = {"locale_str", "ContextMenu", "command", "describe", "Group", "GroupCog", "choices", "rename",
                "Choice", "autocomplete"}
KEYWORDS_NOT_SHOWN = {"custom_id", "value", "url", "name_", "image", "filename", "group_name", "group_description",
                      "description_", "emoji", "thumbnail"}
WORDS = re.compile(r"[^\W\d_]{2,}")
CAMEL = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+")  # SearchAnime: a name in code, not a word
PLACEHOLDERS = re.compile(r"\{[^{}]*\}|`[^`]*`")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def unmarked(path: Path) -> list[tuple[int, str]]:
    """Every string literal with words in ``path`` that a member may read and that is not marked."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()

    def skip_all(node: ast.AST) -> None:
        skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # a docstring (of a module, class, function or attribute)
        if isinstance(node, ast.Call):
            called = _name(node.func)
            owner = _name(node.func.value) if isinstance(node.func, ast.Attribute) else ""
            if called in MARKERS or called in NOT_SENTENCES or owner in {"log", "logging", "re"} or \
                    called in COMMAND_TREE:
                skip_all(node)
            for keyword in node.keywords:
                if keyword.arg in KEYWORDS_NOT_SHOWN:
                    skip_all(keyword.value)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:  # the command tree's strings are the Translator's
                if not (isinstance(decorator, ast.Call) and _name(decorator.func) in {"button", "select"}):
                    skip_all(decorator)  # (a button's or a menu's label is ours: it is checked)
            if isinstance(node, ast.ClassDef):
                for keyword in node.keywords:
                    skip_all(keyword.value)
        # A subscript's key is no sentence; Transform[int, BoundedInt(…, "what")] is read (its slice is a tuple).
        if isinstance(node, ast.Assert | ast.Compare | ast.Import | ast.ImportFrom) or (
                isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Tuple)):
            skip_all(node)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            skip_all(node)
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    skip_all(key)
        if isinstance(node, ast.Raise) and node.exc is not None and isinstance(node.exc, ast.Call) and \
                _name(node.exc.func) in NOT_SENTENCES:
            skip_all(node.exc)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = PLACEHOLDERS.sub("", node.value)  # {title}, `/rate`: not words to translate
            if WORDS.search(words) and not words.strip().isupper() and not CAMEL.fullmatch(words) and \
                    (" " in words.strip() or words[:1].isupper()):  # a sentence or a label, not an id
                found.append((node.lineno, node.value))
    return sorted(found)


def test_every_sentence_members_read_is_marked_for_translation() -> None:
    problems = {str(p.relative_to(ROOT)): [(line, text) for line, text in unmarked(p)
                                           if (str(p.relative_to(ROOT)), text) not in TERMINAL_ONLY]
                for p in MEMBER_FACING}
    problems = {k: v for k, v in problems.items() if v}
    assert problems == {}, "mark these with _() (see CONTRIBUTING.md, \"Adding a message\")"


def test_the_check_finds_an_unmarked_sentence(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        '"""A module."""\n'
        "from bot.core.i18n import _\n"
        "import logging\nlog = logging.getLogger(__name__)\n"
        "def answer(x: int) -> str:\n"
        '    """Docstrings are not shown."""\n'
        '    log.info("logged, not shown %s", x)\n'
        '    ok = _("This one is marked.")\n'
        '    return ok + "This one is not marked."\n',
        encoding="utf-8",
    )
    assert unmarked(planted) == [(9, "This one is not marked.")]
