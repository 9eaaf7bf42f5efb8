"""After a run: the run JSON, JUnit, the HTML report and alerts — the same for every entry point. The entry
points (runner.py / cli, the demo, the pytest plugin) give this publisher to their AuditSession."""
from __future__ import annotations

import json
from typing import Any

from shopper.outputs import Outputs, Published
from shopper.record import RunRecord, encode


def publish(session: Any, run: RunRecord, outputs: Outputs) -> Published:
    """Write what `outputs` asks for `run` (already in session.store); alerts never raise."""
    config, store = session.config, session.store
    out = Published()
    if outputs.json:
        from shopper.atomic import write_atomic

        write_atomic(outputs.json, json.dumps(encode(run), indent=2, ensure_ascii=False), what="run JSON")
    if outputs.junit:
        from .junit import write_junit

        write_junit(run, outputs.junit, config.var_path, fail_on=list(outputs.fail_on))
    if outputs.report:
        from shopper.atomic import OutputError

        from .render import render_run

        where = config.var_path / "reports" / run.run_id
        try:
            out.report = render_run(store, run.run_id, where, config.var_path, settings=config.report_settings)
        except (OSError, OutputError) as e:   # a full or read-only var/: the run is stored, the report can be later
            import shutil

            shutil.rmtree(where, ignore_errors=True)   # no half-written report
            out.report_error = (f"the report could not be written ({e.strerror}: {e.filename}); run {run.run_id} is "
                                f"stored: free space or fix permissions in {config.var_path}, then `runner.py "
                                f"report --run {run.run_id}`")
    if outputs.alerts and config.alerts.enabled:
        from shopper.alerts import alert_after
        from shopper.outputs import alerts_sender
        from shopper.probes.mail import mail_sender

        sender = mail_sender(config, session.redactor, session.environ)
        out.alerts = alert_after(config.alerts, store, run.run_id, session.clock.now(),
                                 smtp_settings=sender.settings, sender_address=alerts_sender(config, sender.address),
                                 environ=session.environ)
    return out
