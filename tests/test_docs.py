"""The docs keep up with the code: every setting documented, the README short and its links alive."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CONFIGURATION = ROOT / "docs" / "configuration.md"
# What reads the environment when the app or its server starts.
SETTINGS_SOURCES = [
    ROOT / "config.py",
    ROOT / "gunicorn.conf.py",
    *sorted((ROOT / "guesthouse").rglob("*.py")),
]
# Where a documented variable may legitimately be read (the server, the tools, the test and CI setup).
READERS = [
    *SETTINGS_SOURCES,
    *sorted((ROOT / "tools").glob("*.py")),
    *sorted((ROOT / "bench").glob("*.py")),
    ROOT / "tests" / "conftest.py",
    ROOT / "Makefile",
    ROOT / ".ci" / "run",
]
ENV_HELPERS = {"_bool", "_int", "_float", "_list"}
MAX_README_LINES = 200


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def variables_read(source: str) -> set[str]:
    """Names read with os.environ.get("X"), os.environ["X"] or config.py's _bool/_int/_float/_list("X")."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        key = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Name) and func.id in ENV_HELPERS:
                key = node.args[0]
            elif isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value):
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def documented_variables(text: str) -> set[str]:
    """The variables named in the first column of the page's tables."""
    names = set()
    for line in text.splitlines():
        if line.startswith("|"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_the_parser_finds_every_way_config_reads_a_variable():
    source = (
        'import os\nA = os.environ.get("ONE", "x")\nB = _int("TWO", 1)\nC = _bool("THREE", False)\n'
        'D = _float("FOUR", 1.0)\nE = _list("FIVE")\nF = os.environ["SIX"]\nG = other.get("NOT_THIS")\n'
    )
    assert variables_read(source) == {"ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX"}


def test_every_variable_the_app_reads_is_documented():
    documented = documented_variables(CONFIGURATION.read_text(encoding="utf-8"))
    read = set().union(*(variables_read(path.read_text(encoding="utf-8")) for path in SETTINGS_SOURCES))
    assert "SECRET_KEY" in read and "GUNICORN_WORKERS" in read  # the parser found config.py and gunicorn's
    missing = sorted(read - documented)
    assert not missing, f"add to a table of docs/configuration.md (variable, meaning, default): {missing}"


def test_every_documented_variable_is_still_read():
    documented = documented_variables(CONFIGURATION.read_text(encoding="utf-8"))
    sources = "\n".join(path.read_text(encoding="utf-8") for path in READERS)
    stale = sorted(name for name in documented if not re.search(rf"\b{name}\b", sources))
    assert not stale, f"docs/configuration.md documents variables nothing reads any more: {stale}"


def test_readme_starts_with_the_two_commands_and_stays_short():
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    assert len(text.splitlines()) <= MAX_README_LINES, "README.md: keep it short, move details to docs/"


def test_every_docs_page_the_readme_links_exists():
    text = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\(?(docs/[\w./-]+\.md)", text))
    assert linked, "the README points to docs/"
    missing = sorted(path for path in linked if not (ROOT / path).is_file())
    assert not missing, f"README.md links to docs that do not exist: {missing}"


def test_every_docs_page_is_linked_from_the_readme():
    text = README.read_text(encoding="utf-8")
    unlinked = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "docs").glob("*.md")
        if path.relative_to(ROOT).as_posix() not in text
    )
    assert not unlinked, f"README.md should say where to read on: {unlinked}"
