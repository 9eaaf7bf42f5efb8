"""pytest plugin: collect journey YAML files as test items and run each through the engine in one browser.

Activation (so that a project's own test data is never collected by accident): a `*.yaml`/`*.yml`
file is looked at only when `--shopper` is given, or when it lies under a path given to pytest
(command line or `testpaths`) that is itself named `journeys` or has a `journeys` directory in
the part below the current directory: `pytest journeys/`, `pytest journeys/web/x.yaml::x`,
`cd journeys && pytest`, but not `pytest tests/` even if `tests/data/journeys/` exists. Among those
files, only journeys are collected: a YAML mapping with a top-level `steps` key (or a file that does
not parse as YAML but has a `steps:` line). Anything else (CI files, config) is left alone.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:   # the engine is imported when a journey runs, not whenever pytest starts
    from shopper.audit import AuditResult
    from shopper.config import Config
    from shopper.errors import JourneyError
    from shopper.journey import Journey
    from shopper.probes.browser import BrowserProbe

JOURNEY_DIR = "journeys"
SUFFIXES = (".yaml", ".yml")
_STEPS_LINE = re.compile(r"(?m)^steps\s*:")


# -- options and activation -------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mystery-shopper", "Mystery Shopper journeys")
    group.addoption("--shopper", action="store_true", default=False,
                    help="collect journey files under every given path (default: only under a 'journeys' directory)")
    group.addoption("--shopper-config", metavar="FILE", default=None,
                    help="config.yaml to use (default: $SHOPPER_CONFIG, else ./config.yaml)")
    group.addoption("--shopper-base-url", metavar="URL", default=None,
                    help="base URL of the site under audit (overrides the site profile's)")
    group.addoption("--shopper-site", metavar="NAME", default=None,
                    help="site profile from config.yaml (default: the journey's own, else default_site)")


def _arg_path(arg: str, invocation_dir: Path) -> Path:
    p = Path(arg.split("::", 1)[0])
    return (p if p.is_absolute() else invocation_dir / p).resolve()


def journey_roots(args: list[str], invocation_dir: Path) -> list[Path]:
    """The paths among `args` that ask for journeys: named `journeys`, or inside one below `invocation_dir`."""
    roots = []
    base = invocation_dir.resolve()
    for arg in args:
        p = _arg_path(arg, invocation_dir)
        names = {p.name}
        if p.is_relative_to(base):
            names |= set(p.relative_to(base).parts)
        if JOURNEY_DIR in names:
            roots.append(p)
    return roots


def is_active(config: pytest.Config, file_path: Path) -> bool:
    """Whether the plugin may look at `file_path` at all (see the module docstring)."""
    if config.getoption("shopper"):
        return True
    path = file_path.resolve()
    return any(path == root or root in path.parents for root in _state(config).roots)


def looks_like_journey(file_path: Path) -> bool:
    """A YAML mapping with a top-level `steps` key; unparseable YAML counts when a line starts with `steps:`."""
    from shopper.yamlnodes import load

    try:
        text = file_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True   # collected, so that the item reports why the file cannot be read
    root, _ = load(text, str(file_path))
    if root is None:
        return bool(_STEPS_LINE.search(text))
    return root.is_map and "steps" in root.value


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> "JourneyFile | None":
    if file_path.suffix not in SUFFIXES or not is_active(parent.config, file_path):
        return None
    if not looks_like_journey(file_path):
        return None
    return JourneyFile.from_parent(parent, path=file_path)


# -- the session: one config, one store, one browser ------------------------------------------------
@dataclass
class ShopperSession:
    """What every journey item shares; the engine parts are made on first use and closed at the end."""

    pytest_config: pytest.Config
    roots: list[Path]
    _config: "Config | None" = None
    _store: Any = None
    _browser: "BrowserProbe | None" = None
    _browser_error: BaseException | None = None
    _closers: list[Any] = field(default_factory=list)

    @property
    def config(self) -> "Config":
        """The shopper Config; raises ConfigError with the file's problems."""
        if self._config is None:
            from shopper.config import load_config

            self._config = load_config(self.pytest_config.getoption("shopper_config"))
        return self._config

    @property
    def store(self) -> Any:
        if self._store is None:
            from shopper.store import open_store

            self._store = open_store(self.config.store_url)
            self._closers.append(self._store.close)
        return self._store

    def browser(self) -> "BrowserProbe":
        """The session's Chromium, started by the first journey that needs a page."""
        if self._browser_error is not None:
            raise self._browser_error   # do not wait for a browser that already failed to start, per item
        if self._browser is None:
            from shopper.errors import ProbeError
            from shopper.probes.browser import BrowserProbe

            b = self.config.browser
            try:
                self._browser = BrowserProbe(executable=b.executable, headless=b.headless,
                                             viewport=(b.viewport_width, b.viewport_height), locale=b.locale).start()
            except ProbeError as e:
                self._browser_error = e
                raise
            self._closers.append(self._browser.close)
        return self._browser

    def run(self, journey: "Journey") -> "AuditResult":
        """Run one journey as one run in the store; sweeps only when a mailbox is configured."""
        from shopper.audit import Selection, run_audit
        from shopper.clock import clock_from_env
        from shopper.run import RunOptions

        opt = self.pytest_config.getoption
        browser = self.browser() if any(s.uses_page for s in journey.steps) else None
        return run_audit(self.config, Selection([journey], []), store=self.store, clock=clock_from_env(),
                         environ=os.environ, options=RunOptions(base_url=opt("shopper_base_url"),
                                                                site=opt("shopper_site")),
                         browser=browser, sweep=bool(self.config.imap.host))

    def report(self, run_id: str) -> Path:
        from reports.render import render_run

        var = self.config.var_path
        return render_run(self.store, run_id, var / "reports" / run_id, var, settings=self.config.report_settings)

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()


_STATE = pytest.StashKey[ShopperSession]()


def _state(config: pytest.Config) -> ShopperSession:
    return config.stash[_STATE]


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = ShopperSession(config, journey_roots(list(config.args), config.invocation_params.dir))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _STATE in config.stash:
        config.stash[_STATE].close()


# -- collection ---------------------------------------------------------------------------------------
def _display_path(path: Path) -> str:
    """Relative to the working directory when below it, as `runner.py` shows journey paths."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _declared_name(path: Path) -> str:
    """The `name:` of a file that does not validate, else its stem: the invalid item's name."""
    from shopper.yamlnodes import load

    try:
        root, _ = load(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError):
        return path.stem
    name = root.value.get("name") if root is not None and root.is_map else None
    return name.value if name is not None and isinstance(name.value, str) and name.value else path.stem


class JourneyFile(pytest.File):
    """One journey file: one item, or one failing item when the file does not validate."""

    def collect(self) -> Iterator[pytest.Item]:
        from shopper.audit import select_journeys
        from shopper.errors import ConfigError

        session = _state(self.config)
        try:
            selection = select_journeys([_display_path(self.path)], session.config)
        except ConfigError as e:
            raise self.CollectError("\n".join([f"shopper config: {e}", *map(str, e.problems)])) from None
        for journey in selection.journeys:
            yield JourneyItem.from_parent(self, name=journey.name, journey=journey)
        for error in selection.invalid:
            yield InvalidJourneyItem.from_parent(self, name=_declared_name(self.path), error=error)


# -- items --------------------------------------------------------------------------------------------
class JourneyFailed(Exception):
    """A journey produced findings (or could not run): the item's failure, shown without a traceback."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _finding_lines(findings: list[Any], var_dir: Path) -> list[str]:
    from reports.junit import finding_text

    lines = []
    for f in findings:
        lines.append(f"[{f.severity}] {f.kind}: {f.title}")
        body = finding_text(f.to_dict(), var_dir).splitlines()
        lines += ["    " + line for line in body if not line.startswith("severity:")]
    return lines


def failure_text(result: "AuditResult", var_dir: Path, report: Path | None) -> str | None:
    """What a failing item shows: every finding that is not flaky, journeys that erred; None when clean."""
    failing = [f for f in result.findings if not f.data.get("flaky")]
    erred = [j for j in result.journeys if j.status == "error"]
    if not failing and not erred:
        return None
    lines = []
    for j in result.journeys:
        lines.append(f"journey {j.name} ({j.path}): {j.status} in {j.duration_ms / 1000:.1f}s, "
                     f"{len(failing)} finding(s), run {result.run_id}")
        if j.status == "error":
            lines.append(f"  error: {j.error or 'the journey could not run'}")
            lines += [f"  evidence: {var_dir / e}" for e in j.evidence]
    lines += ["  " + line for line in _finding_lines(failing, var_dir)]
    if report is not None:
        lines.append(f"report: {report}")
    return "\n".join(lines)


class JourneyItem(pytest.Item):
    """One valid journey, run as one run of the engine."""

    def __init__(self, *, journey: "Journey", **kwargs: Any):
        super().__init__(**kwargs)
        self.journey = journey
        self.extra_keyword_matches.update(journey.tags)   # `-k smoke` selects journeys by tag

    def runtest(self) -> None:
        session = _state(self.config)
        result = session.run(self.journey)
        report = session.report(result.run_id)
        self.user_properties += [("run_id", result.run_id), ("report", str(report))]
        flaky = [f for f in result.findings if f.data.get("flaky")]
        if flaky:
            self.add_report_section("call", "flaky findings (not failures)",
                                    "\n".join(_finding_lines(flaky, session.config.var_path)))
        text = failure_text(result, session.config.var_path, report)
        if text is not None:
            raise JourneyFailed(text)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        from shopper.errors import ShopperError

        if isinstance(excinfo.value, JourneyFailed):
            return excinfo.value.text
        if isinstance(excinfo.value, ShopperError) and not self.config.getoption("fulltrace"):
            problems = getattr(excinfo.value, "problems", [])
            return "\n".join([f"{type(excinfo.value).__name__}: {excinfo.value}", *map(str, problems)])
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"journey {self.name}"


class InvalidJourney(Exception):
    """A journey file that does not validate: every problem, as path:line:col: message."""


class InvalidJourneyItem(pytest.Item):
    """A journey file that does not validate: fails with every `path:line:col: message`."""

    def __init__(self, *, error: "JourneyError", **kwargs: Any):
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        problems = self.error.problems
        raise InvalidJourney("\n".join([f"{self.error.path}: {len(problems)} problem(s)", *map(str, problems)]))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, InvalidJourney):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"invalid journey {self.path.name}"
