"""The examples in the modules' docstrings are run: an example that no longer holds fails here."""
from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shopper", "checks", "reports", "demo")


def _modules_with_examples() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if ">>> " in path.read_text(encoding="utf-8"):
                rel = path.relative_to(ROOT).with_suffix("")
                names.append(".".join(p for p in rel.parts if p != "__init__"))
    return names


MODULES = _modules_with_examples()


def _run(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    return doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)


def test_examples_are_found_and_run():
    assert "shopper.store.dialect" in MODULES and len(MODULES) >= 5
    assert _run("shopper.store.dialect").attempted > 0


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = _run(name)   # a file may hold '>>> ' outside a docstring too (an SMTP transcript): nothing to run
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} example(s) failed (run doctest -v)"
