"""The house rules that a scan can check: SQL only in the store."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE\s+FROM|CREATE\s+TABLE|ALTER\s+TABLE|DROP\s+TABLE)\b")


def _sources(*exclude: str):
    for package in ("shopper", "checks", "reports", "demo"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith(exclude):
                yield rel, ast.parse(path.read_text(encoding="utf-8"))
    yield "runner.py", ast.parse((ROOT / "runner.py").read_text(encoding="utf-8"))


def _text(node: ast.AST) -> str | None:
    """A string literal's text, or an f-string's leading literal part."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def test_no_sql_outside_the_store():
    found = [f"{rel}:{node.lineno}: {text[:60]!r}"
             for rel, tree in _sources("shopper/store/")
             for node in ast.walk(tree)
             if (text := _text(node)) is not None and SQL.match(text)]
    assert found == [], "SQL belongs in shopper/store/ (add a store method):\n" + "\n".join(found)


def _imported(rel: str, tree: ast.AST) -> set[str]:
    """The modules a file imports, relative imports made absolute (`..steps.x` in shopper/routes/ → shopper.steps.x)."""
    package = rel.removesuffix(".py").split("/")[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            out.add(".".join(base + ([node.module] if node.module else [])))
    return out


def _importers(prefix: str, sources) -> list[str]:
    return [rel for rel, tree in sources
            if any(m == prefix or m.startswith(prefix + ".") for m in _imported(rel, tree))]


def test_routes_and_autofill_share_page_helpers_not_steps():
    """Targets, addresses and text matching live in shopper/page/: routes and autofill never import a step kind."""
    found = _importers("shopper.steps", (s for s in _sources() if s[0].startswith(("shopper/routes/",
                                                                                   "shopper/autofill/"))))
    assert found == [], "import from shopper/page/ (or move the shared part there):\n" + "\n".join(found)



def test_the_engine_never_imports_the_command_line():
    found = _importers("cli", (s for s in _sources() if s[0].startswith("shopper/")))
    assert found == [], "the CLI injects what the engine needs (a callable), the engine never imports it:\n" \
        + "\n".join(found)


def test_only_the_command_line_parses_arguments():
    """argparse belongs to cli/ (runner.py only dispatches); the engine, checks and reports take plain values.

    demo/shop/__main__.py is the demo shop's own program and keeps its parser."""
    found = _importers("argparse", (s for s in _sources() if s[0].startswith(("shopper/", "checks/", "reports/",
                                                                              "runner.py"))))
    assert found == [], "parse arguments in cli/ and pass the values on:\n" + "\n".join(found)
