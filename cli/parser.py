"""The command line's parser: every command, its options and help text (built only for the command given)."""
from __future__ import annotations

import argparse

from cli.command import HERE


class _Parser(argparse.ArgumentParser):
    """An epilog may be a function, called only when the help is shown: `--help` of one command, or of
    `runner.py` itself, imports nothing another command needs (the demo's defect list imports its web shop)."""

    def format_help(self) -> str:
        if callable(self.epilog):
            self.epilog = self.epilog()
        return super().format_help()


def _defects_epilog() -> str:
    from demo.shop.defects import DEFECTS

    return "defects: " + "; ".join(f"{k}: {v}" for k, v in sorted(DEFECTS.items()))


def _version() -> str:
    """The installed package's version, else pyproject.toml's (a checkout run without installing)."""
    from importlib import metadata

    try:
        return metadata.version("mystery-shopper")
    except metadata.PackageNotFoundError:
        import tomllib

        return tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


class _VersionAction(argparse.Action):
    """--version: looks the version up only when asked (the package metadata costs a tenth of a start-up)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    from cli.args import count, web_url

    p = argparse.ArgumentParser(prog="runner.py", description="Mystery Shopper: shops like a customer and finds "
                                "the black holes in a company's customer journeys.",
                                epilog="Exit status: 0 no findings, 1 findings, 2 usage/config/validation error.")
    p.add_argument("--version", action=_VersionAction)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="config file (default: ./config.yaml or $SHOPPER_CONFIG)")
    common.add_argument("--var-dir", metavar="DIR", help="where the store, reports and evidence go (default: var/)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more log output on stderr")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    v = sub.add_parser("validate", parents=[common], help="check journey files against the schema, run nothing",
                       description="Check journey files; prints every problem as path:line:col: message. "
                                   "Exit 0 when all are valid, 2 when not.")
    v.add_argument("paths", nargs="*", metavar="PATH", help="journey files or directories (default: journeys/)")
    v.add_argument("--preflight", action="store_true", help="also check what the journeys need, as `doctor` does")

    doc = sub.add_parser("doctor", parents=[common], help="check what the journeys need before a run",
                         description="Check, for real, what the selected journeys need: the secrets they use are "
                                     "set, the SMTP server takes a login, the IMAP mailbox logs in, a browser "
                                     "starts, the store is writable. Each problem names its fix. Exit 0 when all "
                                     "is in place, 2 when not.")
    doc.add_argument("paths", nargs="*", metavar="PATH", help="journey files or directories (default: journeys/)")
    doc.add_argument("--journey", action="append", metavar="NAME", help="only this journey; repeatable")
    doc.add_argument("--tag", action="append", metavar="TAG", help="only journeys with this tag; repeatable")

    def run_args(r: argparse.ArgumentParser) -> None:
        r.add_argument("--journey", action="append", metavar="NAME", help="only this journey (name or file stem); repeatable")
        r.add_argument("--tag", action="append", metavar="TAG", help="only journeys with this tag; repeatable")
        r.add_argument("--json", metavar="FILE", help="also write the run as JSON (docs/run.schema.json)")
        r.add_argument("--junit", metavar="FILE", help="also write JUnit XML: a test case per journey, a failure "
                       "per finding (flaky ones reported, not failing)")
        r.add_argument("--base-url", metavar="URL", type=web_url, help="audit this base URL instead of the site profile's")
        r.add_argument("--site", metavar="NAME", help="site profile from config.yaml to use")
        r.add_argument("--var", action="append", metavar="NAME=VALUE", help="set a journey variable; repeatable")
        r.add_argument("--headed", action="store_true", help="show the browser window")
        r.add_argument("--no-report", action="store_true", help="do not render the HTML report")
        r.add_argument("--now", metavar="ISO", help="pretend the time is this instant (tests, demos)")
        r.add_argument("--workers", type=count(1), default=1, metavar="N", help="run journeys in N parallel processes "
                       "(each with its own Chromium); results are the same as a serial run")
        r.add_argument("--shard", metavar="K/N", help="run only shard K of N: a stable subset (a journey always "
                       "lands in the same shard); combine shard outputs with `runner.py merge`")
        r.add_argument("--retries", type=count(0), metavar="N", help="re-run a journey that failed before it wrote to "
                       "anyone, up to N times; findings seen on only some attempts are marked flaky")
        r.add_argument("--fail-on", metavar="LIST", help="comma-separated finding kinds and/or a severity "
                       "(critical, major, minor, info: that one or worse) that fail the run (exit 1); others are "
                       "reported only. Default: every finding fails")

    r = sub.add_parser("run", parents=[common], help="run journeys in a real Chromium",
                       description="Run journeys, one fresh browser context each; invalid files are reported and "
                                   "skipped. Exit 0 no findings, 1 findings, 2 usage/config/validation error.")
    r.add_argument("paths", nargs="*", metavar="PATH", help="journey files or directories (default: journeys/)")
    run_args(r)
    r.add_argument("--browser", metavar="PATH", help="Chromium/Chrome executable (default: discovered)")
    r.add_argument("--queue", action="store_true", help="PostgreSQL store: put the journeys in the job queue as one "
                   "run, for `runner.py worker` processes (here or on other machines), wait and report")
    r.add_argument("--no-wait", action="store_true", help="with --queue: print the run id and return at once")
    r.add_argument("--trial", action="store_true", help="a trial while a site profile is being written: the run is "
                   "stored as a trial, kept out of history, trends and alerts, and leaves nothing to judge later")

    rep = sub.add_parser("report", parents=[common], help="render the HTML report of a run",
                         description="Render a run from the store as HTML (opens from disk, loads nothing from the internet).")
    g = rep.add_mutually_exclusive_group()
    g.add_argument("--run", metavar="ID", help="the run to render")
    g.add_argument("--last", action="store_true", help="the latest run (default)")
    rep.add_argument("--out", metavar="PATH", help="output directory (default: var/reports/RUN_ID), or the file "
                     "with --single-file")
    rep.add_argument("--single-file", action="store_true", help="one self-contained HTML file (images inlined) "
                     "for mailing or archiving")
    rep.add_argument("--email", action="store_true", help="mail the report (HTML + text, the single file attached) "
                     "via the configured SMTP server")
    rep.add_argument("--to", action="append", metavar="ADDR", help="recipient (repeatable; default: alerts.email.to)")
    rep.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)

    sr = sub.add_parser("show-report", parents=[common], help="print (and open) the latest report",
                        description="Print the path of the latest run's HTML report (rendering it if missing) and "
                                    "open it in a browser when there is a display.")
    sr.add_argument("--run", metavar="ID", help="this run instead of the latest")
    sr.add_argument("--print", action="store_true", help="only print the path, never open a browser")

    st = sub.add_parser("show-trace", parents=[common], help="open the Playwright trace of a finding",
                        description="Find the Playwright trace behind a finding (by its fingerprint, a prefix of at "
                                    "least 4 characters, or its report anchor f-...) in the newest run that has it, "
                                    "and open it with `playwright show-trace`; without a display, print the command.")
    st.add_argument("finding", metavar="FINDING", help="the finding's fingerprint (shown in the report)")
    st.add_argument("--run", metavar="ID", help="look in this run only")
    st.add_argument("--print", action="store_true", help="only print the trace path and the command")

    sw = sub.add_parser("sweep", parents=[common], help="read new mail and resolve expectations",
                        description="Read the shopper's mailbox (new messages only), classify and match them, and "
                                    "resolve expectations: met, bounced or breached. A breach is only declared "
                                    "after a sweep that succeeded past the deadline. Exit 0 no findings, 1 findings "
                                    "or the mailbox could not be read, 2 configuration error.")
    sw.add_argument("--watch", action="store_true", help="stay connected (IMAP IDLE) and resolve as mail arrives")
    sw.add_argument("--now", metavar="ISO", help="pretend the time is this instant (tests, demos)")

    c = sub.add_parser("classify", parents=[common], help="classify .eml files offline",
                       description="Classify .eml files: bounce, delay, reply, acknowledgement, autoreply, "
                                   "transactional, newsletter or other, with the reason, status and address of "
                                   "every failed recipient (one line each).")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--json", action="store_true", help="one JSON object per line and file: file, kind, the first "
                   "failed recipient's reason, status, recipient, hard, diagnostic, matched_token, and `recipients`: "
                   "every recipient with its own fields (docs/mail.md)")

    sch = sub.add_parser("schedule", parents=[common], help="run journeys, sweeps and reports on a schedule",
                         description="Stay in the foreground and run `schedules:` from config.yaml: journeys every N "
                                     "minutes or at a time on given days, sweeps between them, emailed reports. One "
                                     "scheduler per store; SIGTERM/Ctrl-C stop it after the current step. With a "
                                     "PostgreSQL store it only enqueues each slot (once, even across restarts) into "
                                     "the store's job queue, and `runner.py worker` processes run them.")
    sch.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)
    sch.add_argument("--dry-run", action="store_true", help="check every entry, print the plan (each entry, its "
                     "journeys, the next run times) and exit")

    wk = sub.add_parser("worker", parents=[common], help="run queued journeys, runs, sweeps and reports (PostgreSQL)",
                        description="Take jobs from the job queue in the PostgreSQL store and run them, one at a time, "
                                    "in one Chromium (a fresh context per journey). Start any number, on any machines "
                                    "with the same config and journeys; results land in the one store. A journey "
                                    "runs once: the job of a lost worker (no heartbeat) is retried by another, unless "
                                    "its journey may already have written to the company (then it is recorded as "
                                    "interrupted). SIGTERM/Ctrl-C stop it after the current job.")
    wk.add_argument("--drain", action="store_true", help="stop once no job is waiting or running (CI, tests)")
    wk.add_argument("--heartbeat", type=float, default=10.0, metavar="SECONDS",
                    help="how often this worker tells the store it is alive (default 10)")
    wk.add_argument("--stalled-after", type=float, default=60.0, metavar="SECONDS",
                    help="a worker silent this long is lost and its jobs are retried (default 60)")
    wk.add_argument("--name", metavar="NAME", help="this worker's name in logs (default: host-pid)")
    wk.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)

    mg = sub.add_parser("merge", parents=[common], help="combine shard outputs into one run and report",
                        description="Combine the outputs of shards (their --json files, or their store files) into "
                                    "one run in this store, with one report. Exit 0 no findings, 1 findings.")
    mg.add_argument("inputs", nargs="+", metavar="SHARD", help="a shard's run JSON or SQLite store file")
    mg.add_argument("--json", metavar="FILE", help="also write the merged run as JSON")
    mg.add_argument("--junit", metavar="FILE", help="also write the merged run as JUnit XML")
    mg.add_argument("--fail-on", metavar="LIST", help="as for `run`: the finding kinds and/or severity that fail "
                    "the merged run (exit 1)")

    sub.add_parser("status", parents=[common], help="score, open findings and open expectations, in short",
                   description="A short summary of the latest run: score, findings, open expectations and their "
                               "deadlines, the last sweep.")

    k = sub.add_parser("kinds", parents=[common], help="list the step kinds with their keys (or the finding kinds)",
                       description="List every step kind, its keys, types and defaults (the journey schema); with "
                                   "--findings, every finding kind.")
    k.add_argument("--markdown", action="store_true", help="print the reference section of docs/journeys.md")
    k.add_argument("--findings", action="store_true", help="list the finding kinds instead: severity, process, "
                   "whether a breach, what to fix (the registry in checks/)")

    isite = sub.add_parser("init-site", parents=[common], help="visit a shop like a customer and write its site profile",
                           description="Visit a shop like a customer (home page, navigation and footer, a product, "
                                       "the basket, the checkout as a guest up to — never past — placing the order, "
                                       "contact and account pages) and write a site profile with what was found, a "
                                       "comment for each thing not found; prints a summary table.")
    isite.add_argument("url", metavar="URL", type=web_url, help="the shop's home page")
    isite.add_argument("--out", metavar="FILE", help="where to write the profile (default: sites/HOST.yaml)")
    isite.add_argument("--name", metavar="NAME", help="the profile's name (its file name; default: the host)")
    isite.add_argument("--force", action="store_true", help="overwrite an existing file")

    d = sub.add_parser("demo", parents=[common], help="start the demo world, run the shipped journeys, write the report",
                       description="Start the bundled demo world (shop, its mail department, the shopper's mailbox; "
                                   "every defect planted unless --healthy or --defect), run the shipped journeys, "
                                   "let three days pass, sweep, write the report, print a summary, stop everything.",
                       epilog=_defects_epilog)
    d.add_argument("--healthy", action="store_true", help="the healthy twin: no planted defects")
    d.add_argument("--defect", action="append", metavar="NAME", help="switch on only this defect; repeatable")
    d.add_argument("--json", metavar="FILE", help="also write the run as JSON")
    d.add_argument("--profile", default="a", choices=("a", "b", "c"), help="the shop's markup profile (a, b, or c: no landmarks, a two-page checkout)")
    d.add_argument("--workers", type=int, default=1, metavar="N",
                   help="run journeys in N worker processes (as `run --workers`)")
    return p
