"""The house rules that a scan can check: SQL only in the store, imports one way, one place builds the browser."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE\s+FROM|CREATE\s+TABLE|ALTER\s+TABLE|DROP\s+TABLE)\b")


def _sources(*exclude: str):
    for package in ("shopper", "cli", "checks", "reports", "demo"):
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


# Files still to be given store Protocols: none left (the list only shrinks).
STORE_ANY_LEFT: tuple[str, ...] = ()


def _annotation_names(tree: ast.AST):
    """(line, name, annotation source) of every annotated argument and annotated assignment."""
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            yield node.lineno, node.arg, ast.unparse(node.annotation)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            yield node.lineno, node.target.id, ast.unparse(node.annotation)


def test_a_store_is_typed_by_its_role_not_any():
    """`store: Any` hides which role a function needs: use shopper/store/contract.py (RunStore, MailStore, ...)."""
    found = [f"{rel}:{line}: {name}: {annotation}"
             for rel, tree in _sources(*STORE_ANY_LEFT) if rel not in STORE_ANY_LEFT
             for line, name, annotation in _annotation_names(tree)
             if name == "store" and annotation in ("Any", "typing.Any", "object")]
    assert found == [], "type the store by its role (shopper/store/contract.py):\n" + "\n".join(found)


def test_the_store_contract_is_imported_for_annotations_only():
    """Importing shopper.store.contract at run time would cost an import and risk a cycle: TYPE_CHECKING only."""
    found = []
    for rel, tree in _sources("shopper/store/"):
        guarded = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(
            node.test) for n in ast.walk(node)}
        found += [f"{rel}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("store.contract")
                  and id(node) not in guarded]
    assert found == [], "import shopper.store.contract under `if TYPE_CHECKING:`:\n" + "\n".join(found)


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


def _imports(tree: ast.AST, rel: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in a module, relative imports resolved against `rel`."""
    package = rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__").split(".")
    if not rel.endswith("__init__.py"):
        package = package[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            out.append((node.lineno, module))
            out += [(node.lineno, f"{module}.{a.name}") for a in node.names]   # `from . import publish`
    return out


def test_the_engine_never_imports_reports():
    """shopper/ is the engine: publishing (report, JUnit) is injected by the entry points (runner.py / cli)."""
    found = [f"{rel}:{line}: imports {module}"
             for rel, tree in _sources() if rel.startswith("shopper/")
             for line, module in _imports(tree, rel) if module == "reports" or module.startswith("reports.")]
    assert found == [], "shopper must not import reports (inject it from the entry point):\n" + "\n".join(found)


def test_reports_read_records_not_the_session():
    """reports/ reads run records; it never reaches back into the audit session or the engine's publish step."""
    banned = ("shopper.audit", "shopper.publish", "shopper.session_run")
    found = [f"{rel}:{line}: imports {module}"
             for rel, tree in _sources() if rel.startswith("reports/")
             for line, module in _imports(tree, rel) if module in banned or module.startswith(tuple(b + "." for b in banned))]
    assert found == [], "reports must not import the session or shopper.publish:\n" + "\n".join(found)


def test_the_import_scan_sees_relative_imports():
    tree = ast.parse("from ..publish import x\nfrom . import audit\nimport reports.junit\n")
    modules = {m for _, m in _imports(tree, "shopper/queue/journeys.py")}
    assert {"shopper.publish", "shopper.queue.audit", "reports.junit"} <= modules


def test_one_place_builds_the_browser():
    """Runs, workers, init-site and doctor get Chromium from shopper/compose.py (browser_for / start_browser), so
    that config.browser means the same everywhere."""
    found = [f"{rel}:{node.lineno}" for rel, tree in _sources("shopper/compose.py", "shopper/probes/browser.py")
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "BrowserProbe"]
    assert found == [], "build the browser with shopper.compose.browser_for(config):\n" + "\n".join(found)
