"""One audit run: select and load journeys, run them, apply checks, store everything, build the JSON."""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets as pysecrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from checks import Observations, run_checks

from .clock import Clock
from .config import Config
from .errors import ConfigError, JourneyError, ProbeError
from .journey import Journey, find_journey_files, load_journey
from .model import Finding
from .probes.browser import BrowserProbe
from .compose import build_probes, start_browser
from .executors import ExecuteRequest, executor_for
from .judge import judge
from .run import JourneyResult, RunOptions
from .interrupted import mark_interrupted_runs, owner
from .retries import Attempts
from .probes.mail import imap_settings
from .record import InvalidFile, RunRecord, encode, journey_of
from .secrets import Redactor
from .summary import apply_statuses, run_status, run_summary
from .sweep import Sweeper, SweepResult, configured_sweeper

if TYPE_CHECKING:
    from .store.contract import Store
    from .outputs import Outputs, Published, Publisher

log = logging.getLogger(__name__)


@dataclass
class Selection:
    journeys: list[Journey]
    invalid: list[JourneyError]
    not_selected: list[JourneyError] = field(default_factory=list)   # invalid, but not asked for: a warning
    notes: list[str] = field(default_factory=list)   # e.g. a profile's step declaration that names no step

    def warnings(self) -> list[str]:
        """One line per invalid journey file the selection left out, and per note: never the exit status."""
        return [f"warning: {e.path} does not validate ({len(e.problems)} problem(s)) and was not selected; "
                f"`runner.py validate {e.path}` shows them" for e in self.not_selected] + \
               [f"warning: {n}" for n in self.notes]


@dataclass(frozen=True)
class AuditOptions:
    """The choices of one run: which site and variables, retries, workers, whether to sweep after it."""

    base_url: str | None = None
    site: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    retries: int = 0
    workers: int = 1
    sweep: bool = True
    headed: bool = False
    trial: bool = False     # while a profile is being written: stored as kind 'trial', out of history and alerts

    @property
    def run_options(self) -> RunOptions:
        return RunOptions(base_url=self.base_url, site=self.site, variables=dict(self.variables))


@dataclass
class AuditResult:
    run_id: str
    started_at: str
    finished_at: str
    journeys: list[JourneyResult]   # judged; or one journey's settled record (the pytest plugin's item view)
    findings: list[Finding]
    invalid: list[JourneyError] = field(default_factory=list)
    browser: str = ""
    sweep: Any = None       # shopper.sweep.SweepResult of the sweep after the journeys, if any
    published: Any = None   # shopper.outputs.Published, when the entry point published the run

    @property
    def status(self) -> str:
        return run_status(self.journeys, self.findings)

    def summary(self) -> dict[str, Any]:
        return run_summary(self.journeys, self.findings, invalid=len(self.invalid), browser=self.browser)

    def record(self) -> RunRecord:
        """The run as the typed record the store, the run JSON, JUnit and the verdict read."""
        return RunRecord(self.run_id, self.started_at, self.finished_at, self.status, self.summary(),
                         tuple(map(journey_of, self.journeys)), tuple(self.findings),
                         tuple(InvalidFile(e.path, tuple(map(str, e.problems))) for e in self.invalid))

    def to_json(self) -> dict[str, Any]:
        """The documented run JSON (docs/run.schema.json)."""
        return encode(self.record())


def sweep_after_run(config: Config, store: Store, clock: Clock, redactor: Redactor, environ: Mapping[str, str],
                    progress: Callable[[str], None], links: Any = None) -> Any:
    """Every run also sweeps — when there is a mailbox to read or something is waiting for mail."""
    settings = imap_settings(config, redactor, environ)
    if settings is None and not store.expectations(states=("open",)):
        return None
    result = Sweeper(store, settings, clock, links=links).sweep()
    progress(f"sweep: {result.new_messages} new message(s)" if result.ok else f"sweep failed: {result.error}")
    return result


def new_run_id(clock: Clock) -> str:
    return clock.now().strftime("%Y%m%dT%H%M%SZ") + "-" + pysecrets.token_hex(3)


def shard_of(name: str, shards: int) -> int:
    """The shard (1..N) a journey always lands in: a stable hash of its name."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % shards + 1


def select_journeys(paths: Iterable[str | Path], config: Config, *, names: Iterable[str] = (),
                    tags: Iterable[str] = (), extra_vars: Iterable[str] = (),
                    shard: tuple[int, int] | None = None) -> Selection:
    """Load journey files; invalid ones are collected (with every problem), never fatal."""
    names, tags = set(names), set(tags)
    journeys: list[Journey] = []
    invalid: list[JourneyError] = []
    not_selected: list[JourneyError] = []
    for path in find_journey_files(paths):
        try:
            j = load_journey(path, known_vars=_known_vars(config) | set(extra_vars))
        except JourneyError as e:
            (invalid if _invalid_selected(e, path, names, tags, shard) else not_selected).append(e)
            continue
        if names and j.name not in names and Path(path).stem not in names:
            continue
        if tags and not tags & set(j.tags):
            continue
        if shard is not None and shard_of(j.name, shard[1]) != shard[0]:
            continue
        journeys.append(j)
    return Selection(journeys, invalid, not_selected, _declaration_notes(config, journeys))


def _declaration_notes(config: Config, journeys: list[Journey]) -> list[str]:
    """Site profiles' step declarations (`journeys: J: steps: {NAME: reason}`) that name no step of J."""
    from .applicability import unused_declarations
    from .journey import expand_flows

    notes = []
    for site, profile in config.sites.items():
        for j in journeys:
            if j.name not in profile.journeys:
                continue
            try:
                steps = expand_flows(j, profile.flows)
            except JourneyError:
                continue
            for key in unused_declarations(profile, dataclasses.replace(j, steps=steps)):
                notes.append(f"site profile '{site}': journeys: {j.name}: steps: '{key}' names no step of "
                             f"{j.name} (a step's name or kind)")
    return notes


def _invalid_selected(err: JourneyError, path: str | Path, names: set[str], tags: set[str],
                      shard: tuple[int, int] | None) -> bool:
    """Would the selection have taken this invalid file? Its name and tags are read leniently; when they cannot
    be read, a file is selected unless `--journey` names others (its stem decides) — a doubt is an error."""
    if not (names or tags or shard):
        return True
    name, file_tags = _header_of(path)
    if names and not names & {Path(path).stem, name}:
        return False
    if tags and file_tags is not None and not tags & file_tags:
        return False
    return not (shard is not None and name and shard_of(name, shard[1]) != shard[0])


def _header_of(path: str | Path) -> tuple[str, set[str] | None]:
    """(name, tags) of a journey file that does not validate, as far as its YAML can be read."""
    from .yamlnodes import load

    try:
        root, _ = load(Path(path).read_text(encoding="utf-8", errors="replace"), str(path))
    except Exception:   # unreadable YAML: nothing known of it
        return "", None
    if root is None or not root.is_map:
        return "", None
    name = root.value.get("name")
    tags = root.value.get("tags")
    return (str(name.value) if name is not None and isinstance(name.value, str) else "",
            {str(t.value) for t in tags.value} if tags is not None and tags.is_list else None)


def _known_vars(config: Config) -> set[str]:
    """Variables of any site profile may be used by a journey (the profile is chosen at run time)."""
    known: set[str] = set()
    for profile in config.sites.values():
        known |= set(profile.vars) | {v for j in profile.journeys.values() for v in j.vars}
    return known


class AuditSession:
    """What every way of running shares — config, store, clock, environment, browser — so that the CLI, the
    scheduler, the demo, the pytest plugin and merge store, score and alert the same way.

        with AuditSession(config, store, clock, os.environ, publisher=reports.publish.publish) as session:
            result = session.run(select_journeys(paths, config), AuditOptions(retries=1))
            session.publish(result.record(), Outputs(json="var/run.json"))

    The browser is started by the first run that needs one and kept until close() (or given ready).
    """

    def __init__(self, config: Config, store: Store, clock: Clock, environ: Mapping[str, str], *,
                 browser: BrowserProbe | None = None, redactor: Redactor | None = None, rng: Any = None,
                 progress: Callable[[str], None] = lambda s: None, publisher: "Publisher | None" = None):
        self.config, self.store, self.clock, self.environ = config, store, clock, environ
        self.publisher = publisher   # given by the entry point (reports.publish.publish): the engine imports no reports
        self.redactor = redactor or Redactor()
        self.rng = rng
        self.progress = progress
        self._browser = browser
        self._own_browser = False
        self.browser_error: str | None = None

    def __enter__(self) -> "AuditSession":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self._own_browser and self._browser is not None:
            self._browser.close()
        self._browser, self._own_browser = None, False

    def run(self, selection: Selection, options: AuditOptions = AuditOptions(), *,
            before_sweep: Callable[[], None] | None = None, stop: Any = None) -> AuditResult:
        """Begin, execute the selected journeys, sweep once, judge once, record, finish. Publishing is
        `publish`'s job."""
        config, store, clock = self.config, self.store, self.clock
        if self._browser is None:
            self.browser_error = None   # each run tries to start Chromium again: a failed start is not forever
        run_id, started = self.begin(selection.invalid, kind="trial" if options.trial else "run")
        try:
            probes = build_probes(config, store, clock, self.redactor, self.environ)
        except ValueError as e:
            store.finish_run(run_id, clock.now().isoformat(), "error", {"error": str(e)})
            raise ConfigError(f"dns: {e}") from None
        request = ExecuteRequest(run_id, options.run_options, options.retries, options.headed, stop)
        try:
            executor = executor_for(self, probes, options.workers, selection.journeys)
            executed = executor.execute(selection.journeys, request)
            if before_sweep is not None:
                before_sweep()
            swept = self.sweep_once(executed.swept, probes.links, read_mailbox=options.sweep)
        except BaseException as e:
            store.finish_run(run_id, clock.now().isoformat(), "error", {"error": self.redactor.redact(str(e))})
            raise
        finally:
            probes.close()
        return self.conclude(run_id, started, executed.results, executed.attempts, selection.invalid,
                             executed.browser, swept, trial=options.trial)

    def begin(self, invalid: list[JourneyError], kind: str = "run") -> tuple[str, str]:
        """A new run in the store (earlier runs of this host whose process died are marked first)."""
        run_id = new_run_id(self.clock)
        started = self.clock.now().isoformat()
        for line in mark_interrupted_runs(self.store, started):
            self.progress(line)
        self.store.begin_run(run_id, started, kind=kind, owner=owner())
        for err in invalid:
            self.store.save_invalid(run_id, err.path, [str(p) for p in err.problems])
        return run_id, started

    def sweep_once(self, in_journey: list[Any], links: Any = None, read_mailbox: bool = True) -> SweepResult | None:
        """The run's one sweep after its journeys (when there is mail to read), with what the sweeps made
        during journeys saw."""
        swept = sweep_after_run(self.config, self.store, self.clock, self.redactor, self.environ,
                                self.progress, links) if read_mailbox else None
        if in_journey:
            swept = swept or SweepResult("in-journey", ok=True)
            swept.observations[:0] = in_journey
        return swept

    def conclude(self, run_id: str, started: str, results: list[JourneyResult], attempts: dict[str, Attempts],
                 invalid: list[JourneyError], browser: str, swept: SweepResult | None,
                 trial: bool = False) -> AuditResult:
        """The run's one judge (every check over every journey and the sweep, flaky findings, statuses), then
        record and finish it."""
        store, clock = self.store, self.clock
        if swept is not None:
            store.save_observations(run_id, swept.observations)
        judgement = judge(results, attempts, swept.journeys if swept is not None else ())
        apply_statuses(results, judgement.journeys)   # the judgement's statuses, shown by the AuditResult
        for j in judgement.journeys:
            store.save_statuses(run_id, j)
        findings = list(judgement.findings)
        store.save_findings(run_id, findings)
        result = AuditResult(run_id, started, clock.now().isoformat(), results, findings, invalid, browser, swept)
        store.finish_run(run_id, result.finished_at, result.status, result.summary())
        if trial:   # nothing of a trial is judged later: its open expectations are closed
            store.abandon_run_expectations(run_id, "a trial run (runner.py run --trial): not audited later",
                                           clock.now().isoformat())
        return result

    def finish_stored(self, run_id: str, sweep: Callable[[], SweepResult | None] | None = None
                      ) -> dict[str, Any] | None:
        """Finish a run whose journeys were executed and stored elsewhere (the job queue's workers): sweep once,
        the same one judge over every stored journey, record, finish; its summary. None when the run is not
        running (a finish queued twice does nothing the second time)."""
        from .judge import judge_stored
        from .record import RunStatus

        store = self.store
        run = store.run(run_id)
        if run is None or run.status != RunStatus.RUNNING:
            return None
        swept = sweep() if sweep is not None else None
        if swept is not None:
            store.save_observations(run_id, swept.observations)
        judgement = judge_stored(store, run_id)
        for j in judgement.journeys:
            store.save_statuses(run_id, j)
        findings = list(judgement.findings)
        store.save_findings(run_id, findings)
        summary = run_summary(judgement.journeys, findings, invalid=len(store.invalid(run_id)), browser="job queue")
        store.finish_run(run_id, self.clock.now().isoformat(), run_status(judgement.journeys, findings), summary)
        return summary

    def browser(self, headed: bool = False) -> BrowserProbe | None:
        """The session's Chromium (started on first use); None, with browser_error set, when it cannot start."""
        if self._browser is None and self.browser_error is None:
            try:
                self._browser = start_browser(self.config, headed)
                self._own_browser = True
            except ProbeError as e:   # the shopper's set-up: journeys that need a page become setup_error
                self.browser_error = str(e)
        return self._browser

    def sweep(self) -> tuple[str, Any, list[Finding]]:
        """`runner.py sweep`: one pass over the mailbox, stored as a run of kind 'sweep'."""
        return run_sweep(self.config, self.store, clock=self.clock, environ=self.environ, redactor=self.redactor,
                         progress=self.progress)

    def watch(self, stop: Any, on_sweep: Callable[[str, Any, list[Finding]], None]) -> None:
        """`runner.py sweep --watch`: a first sweep, then IMAP IDLE until `stop` is set; each sweep with news is
        handed to `on_sweep` (print, alert). See shopper/watch.py."""
        from .watch import watch_mailbox

        watch_mailbox(self.config, self.store, self.clock, self.environ, stop, on_sweep=on_sweep,
                      progress=self.progress)

    def merge(self, merged: Any, run_id: str) -> RunRecord:
        """`runner.py merge`: the shards' runs, judged where they ran, stored as one run `run_id`; its record."""
        from .merge import store_merged

        return store_merged(self.store, merged, run_id)

    def publish(self, run: RunRecord, outputs: "Outputs") -> "Published":
        """After a run (or a merge, a sweep): JSON, JUnit, the HTML report and alerts, as `outputs` asks, by the
        publisher the entry point gave."""
        if self.publisher is None:
            raise TypeError("AuditSession.publish: this session was made without a publisher (give "
                            "publisher=reports.publish.publish)")
        return self.publisher(self, run, outputs)


def run_sweep(config: Config, store: Store, *, clock: Clock, environ: Mapping[str, str],
              redactor: Redactor | None = None,
              progress: Callable[[str], None] = lambda s: None) -> tuple[str, Any, list[Finding]]:
    """`runner.py sweep`: one pass over the mailbox, stored as a run of kind 'sweep' with its findings."""
    redactor = redactor or Redactor()
    settings = imap_settings(config, redactor, environ)
    if settings is None:
        raise ConfigError("no mailbox configured: set imap.host and imap.user in config.yaml and the password in "
                          f"${config.imap.password_env}")
    run_id = "sweep-" + new_run_id(clock)
    for line in mark_interrupted_runs(store, clock.now().isoformat()):
        progress(line)
    store.begin_run(run_id, clock.now().isoformat(), kind="sweep", owner=owner())
    with configured_sweeper(config, store, settings, clock, redactor, environ) as sweeper:
        result = sweeper.sweep()
    findings = record_sweep(store, run_id, result)
    store.finish_run(run_id, clock.now().isoformat(), "findings" if findings else "clean",
                     {"findings": len(findings), "new_messages": result.new_messages, "ok": result.ok,
                      "error": result.error})
    return run_id, result, findings


def record_sweep(store: Store, run_id: str, result: Any) -> list[Finding]:
    """Store a sweep's observations and the findings checks draw from them."""
    store.save_observations(run_id, result.observations)
    findings = run_checks(Observations(result.journeys))
    store.save_findings(run_id, findings)
    return findings
