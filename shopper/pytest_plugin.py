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
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:   # the engine is imported when a journey runs, not whenever pytest starts
    from shopper.audit import AuditResult
    from shopper.config import Config
    from shopper.errors import JourneyError
    from shopper.journey import Journey

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
    group.addoption("--shopper-fail-on", metavar="LIST", default=None,
                    help="finding kinds and/or a severity that fail a journey item (as runner.py run --fail-on); "
                         "others are reported in the item's output. Default: config's fail_on, else every finding")


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
    """What every journey item shares: one audit session (config, store, browser) made on first use, closed
    at the end. The whole pytest session is ONE run: each item adds its journey (and is judged on that
    journey's own findings); at the end the run is swept, checked, stored and published once, like a CLI
    run (one report, one trend point, alerts)."""

    pytest_config: pytest.Config
    roots: list[Path]
    _config: "Config | None" = None
    _audit: Any = None
    _run: Any = None
    result: "AuditResult | None" = None
    published: Any = None
    _closers: list[Any] = field(default_factory=list)

    @property
    def config(self) -> "Config":
        """The shopper Config; raises ConfigError with the file's problems."""
        if self._config is None:
            from shopper.config import load_config

            self._config = load_config(self.pytest_config.getoption("shopper_config"))
        return self._config

    @property
    def audit(self) -> Any:
        """The shopper.audit.AuditSession all items run in."""
        if self._audit is None:
            from shopper.audit import AuditSession
            from shopper.clock import clock_from_env
            from shopper.store import open_store

            store = open_store(self.config.store_url)
            self._closers.append(store.close)
            self._audit = AuditSession(self.config, store, clock_from_env(), os.environ,
                                       publisher=self.pytest_config.stash.get(PUBLISHER, None))
            self._closers.append(self._audit.close)
        return self._audit

    @property
    def store(self) -> Any:
        return self.audit.store

    @property
    def fail_on(self) -> list[str]:
        """--shopper-fail-on, else config's fail_on: (checked: a typo is an error, not a green run)."""
        from shopper.verdict import parse_fail_on

        return parse_fail_on(self.pytest_config.getoption("shopper_fail_on"), self.config.fail_on)

    @property
    def incremental(self) -> Any:
        """The session's one run (shopper.session_run.IncrementalRun)."""
        if self._run is None:
            from shopper.audit import AuditOptions
            from shopper.session_run import IncrementalRun

            opt = self.pytest_config.getoption
            self._run = IncrementalRun(self.audit, AuditOptions(
                base_url=opt("shopper_base_url"), site=opt("shopper_site"), sweep=bool(self.config.imap.host)))
        return self._run

    def run(self, journey: "Journey") -> "AuditResult":
        """Add one journey to the session's run; an AuditResult of it alone, with its own findings."""
        from shopper.audit import AuditResult

        item, findings = self.incremental.add(journey)   # a view: the run's statuses are its judge's, at the end
        return AuditResult(self.incremental.run_id, item.started_at, item.started_at, [item], findings)

    def report_path(self) -> Path | None:
        """Where the session's report is written when the session ends."""
        run_id = self._run.run_id if self._run is not None else None
        return self.config.var_path / "reports" / run_id / "index.html" if run_id else None

    def finish(self) -> None:
        """The session's run, checked, stored and published once (report, alerts)."""
        if self._run is None or self.result is not None:
            return
        from shopper.publish import Outputs

        self.result = self._run.finish()
        if self.result is not None and self.audit.publisher is not None:   # none with -p no:mystery_shopper_reports
            self.published = self.audit.publish(self.result.record(), Outputs(fail_on=tuple(self.fail_on)))

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()


_STATE = pytest.StashKey[ShopperSession]()
# The publisher of the session's run (report, alerts): given by the reports side's plugin (reports/pytest_publish.py,
# registered beside this one), since the engine imports no reports.
PUBLISHER = pytest.StashKey[Any]()


def _state(config: pytest.Config) -> ShopperSession:
    return config.stash[_STATE]


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = ShopperSession(config, journey_roots(list(config.args), config.invocation_params.dir))


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _STATE in session.config.stash:
        _state(session.config).finish()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    state = _state(terminalreporter.config) if _STATE in terminalreporter.config.stash else None
    if state is None or state.result is None:
        return
    from shopper.publish import summary_lines

    terminalreporter.section("mystery shopper")
    for line in summary_lines(state.result.record()):
        terminalreporter.write_line(line)
    if state.published is not None and state.published.report:
        terminalreporter.write_line(f"report: {state.published.report}")
    for line in state.published.alerts if state.published is not None else []:
        terminalreporter.write_line(f"alerts: {line}")


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
class JourneyFindingsWarning(UserWarning):
    """A journey item passed (nothing selected by fail-on), yet it has findings: shown in pytest's warnings."""


class JourneyFailed(Exception):
    """A journey produced findings (or could not run): the item's failure, shown without a traceback."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _finding_lines(findings: list[Any], var_dir: Path) -> list[str]:
    from shopper.verdict import finding_text

    lines = []
    for f in findings:
        lines.append(f"[{f.severity}] {f.kind}: {f.title}")
        body = finding_text(f, var_dir).splitlines()
        lines += ["    " + line for line in body if not line.startswith("severity:")]
    return lines


def failure_text(result: "AuditResult", var_dir: Path, report: Path | None,
                 fail_on: list[str] | tuple[str, ...] = ()) -> str | None:
    """What a failing item shows: the findings that fail it (per fail_on; never flaky ones), a journey that
    could not finish or could not run (setup error); None when nothing fails it."""
    from shopper.verdict import fail_reason

    failing = [f for f in result.findings if fail_reason(f, fail_on)]
    stopped = [j for j in result.journeys if j.status in ("incomplete", "setup_error")]
    if not failing and not stopped:
        return None
    lines = []
    for j in result.journeys:
        worst = f", worst {j.worst}" if j.worst else ""
        lines.append(f"journey {j.name} ({j.path}): {j.status}{worst} in {j.duration_ms / 1000:.1f}s, "
                     f"{len(failing)} failing finding(s), run {result.run_id}")
        if j.status == "setup_error":
            lines.append(f"  setup error (the shopper's own set-up, not a finding of the site): {j.error}")
        elif j.error:
            lines.append(f"  error: {j.error}")
        if j.status != "clean":
            lines += [f"  evidence: {var_dir / e}" for e in j.evidence]
    lines += ["  " + line for line in _finding_lines(failing, var_dir)]
    if report is not None:
        lines.append(f"report: {report} (written when the session ends)")
    return "\n".join(lines)


class JourneyItem(pytest.Item):
    """One valid journey, run as one run of the engine."""

    def __init__(self, *, journey: "Journey", **kwargs: Any):
        super().__init__(**kwargs)
        self.journey = journey
        self.result: Any = None
        self.extra_keyword_matches.update(journey.tags)   # `-k smoke` selects journeys by tag

    def setup(self) -> None:
        """The journey runs here, so that the shopper's own set-up problems (a secret not set, no SMTP, no
        browser, a broken config) show as pytest ERROR, not as a FAILED journey of the site."""
        from shopper.errors import ShopperError

        session = _state(self.config)
        try:
            self.result = session.run(self.journey)
        except ShopperError as e:
            pytest.fail("\n".join([f"{type(e).__name__}: {e}", *map(str, getattr(e, "problems", []))]),
                        pytrace=False)
        j = self.result.journeys[0]
        if j.status == "setup_error":
            pytest.fail(f"journey {j.name} ({j.path}): setup error (the shopper's own set-up, not a finding of "
                        f"the site): {j.error}", pytrace=False)

    def runtest(self) -> None:
        from shopper.verdict import fail_reason

        session = _state(self.config)
        result = self.result
        report = session.report_path()
        self.user_properties += [("run_id", result.run_id), ("report", str(report)),
                                 ("status", result.journeys[0].status if result.journeys else "")]
        reported = [f for f in result.findings if not fail_reason(f, session.fail_on)]
        if reported:
            self.add_report_section("call", "findings reported, not failing (flaky, or not selected by fail-on)",
                                    "\n".join(_finding_lines(reported, session.config.var_path)))
        text = failure_text(result, session.config.var_path, report, session.fail_on)
        if text is not None:
            raise JourneyFailed(text)
        if result.journeys and all(j.status == "not_applicable" for j in result.journeys):
            pytest.skip(f"not applicable: {result.journeys[0].reason}")   # an outcome, never a failed test
        if reported:   # the item passes, but not silently: pytest counts a warning beside it
            warnings.warn(JourneyFindingsWarning(f"journey {self.journey.name}: {len(reported)} finding(s) "
                                                 f"reported, not failing it"), stacklevel=1)

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
        _state(self.config).incremental.add_invalid(self.error)   # listed in the session's run and report
        problems = self.error.problems
        raise InvalidJourney("\n".join([f"{self.error.path}: {len(problems)} problem(s)", *map(str, problems)]))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, InvalidJourney):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"invalid journey {self.path.name}"
