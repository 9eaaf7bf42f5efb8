"""The pytest plugin's publisher: registered beside shopper.pytest_plugin (pyproject's pytest11 entry points), it
gives the session's run its report and alerts the way `runner.py run` publishes (the engine imports no reports)."""
from __future__ import annotations

import pytest

from shopper.pytest_plugin import PUBLISHER

from .publish import publish


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[PUBLISHER] = publish
