"""Time per journey on a real EverShop 2.2.1 shop: the shipped journeys (profile examples/sites/evershop.yaml)
against ../shared/realshops/evershop/reference_journey.py (plain Playwright, EverShop's selectors hard-coded),
on the same shop in the same run.

    .venv/bin/python bench/evershop_journeys.py [--runs 1]

Prints the seconds of each journey and of the reference's steps, and the ratios: track_order (guest order,
confirmation mail) against the reference's a1-b1 (the same ground), and against its whole run. Needs the
EverShop scripts in ../shared/realshops (or $SHOPPER_REALSHOPS), Node/npm, Dovecot and Chromium.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.mailserver.dovecot import DovecotServer  # noqa: E402
from shopper.audit import AuditOptions, AuditSession, select_journeys  # noqa: E402
from shopper.clock import SystemClock  # noqa: E402
from shopper.config import ImapConfig, load_config, load_site_file  # noqa: E402
from shopper.duration import Duration  # noqa: E402
from shopper.probes.browser import BrowserProbe  # noqa: E402
from shopper.secrets import Redactor  # noqa: E402
from shopper.store import open_store  # noqa: E402
from tests.fixtures.evershop import evershop_scripts, running_evershop  # noqa: E402

JOURNEYS = ["track_order", "browse_shop", "contact_support", "unsubscribe", "retry_payment"]


def engine_run(shop, browser, var_dir: Path) -> dict[str, float]:
    base = load_config(ROOT / "config.yaml", environ={})
    config = dataclasses.replace(
        base, var_dir=str(var_dir), base_dir=str(ROOT),
        sites={**base.sites, "evershop": load_site_file(ROOT / "examples/sites/evershop.yaml")},
        shopper=dataclasses.replace(base.shopper, address=shop.login),
        imap=ImapConfig(host="127.0.0.1", port=shop.dovecot.port, security="none", user=shop.login,
                        folders=["INBOX"], timeout=Duration(15)))
    store = open_store(config.store_url)
    sel = select_journeys([ROOT / "journeys" / f"{n}.yaml" for n in JOURNEYS], config)
    session = AuditSession(config, store, SystemClock(), {"SHOPPER_IMAP_PASSWORD": shop.password}, browser=browser,
                           redactor=Redactor())
    result = session.run(sel, AuditOptions(base_url=shop.url, site="evershop", sweep=False))
    store.close()
    times = {j.name: j.duration_ms / 1000 for j in result.journeys}
    order = next((o for j in result.journeys if j.name == "track_order" for o in j.observations
                  if o.kind == "extracted" and o.data["name"] == "order_no"), None)
    if order is None:
        raise SystemExit("the engine's track_order placed no order")
    return times


def reference_run(shop, mail_dir: Path) -> dict[str, float]:
    run = subprocess.run([sys.executable, str(evershop_scripts() / "reference_journey.py"), "--base-url", shop.url,
                          "--mail-dir", str(mail_dir), "--order-tool", str(shop.order_tool)],
                         capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        raise SystemExit(f"reference_journey.py failed:\n{run.stdout}\n{run.stderr}")
    steps = {}
    for line in run.stdout.splitlines():
        m = re.match(r"(.+?)\s+(\d+\.\d+) s\b", line)
        if m:
            steps[m.group(1).strip()] = float(m.group(2))
    return steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="shopper-bench-evershop-"))
    os.chmod(tmp, 0o755)
    mail_dir = tmp / "eml"
    engine: dict[str, list[float]] = {n: [] for n in JOURNEYS}
    ours_order, ref_order, ref_total = [], [], []
    with DovecotServer.start(str(tmp)) as dovecot, running_evershop(dovecot, mail_dir) as shop, \
            BrowserProbe() as browser:
        reference_run(shop, mail_dir)                   # warm the shop up (its first pages compile)
        for n in range(args.runs):
            times = engine_run(shop, browser, tmp / f"var{n}")
            ref = reference_run(shop, mail_dir)
            for name in JOURNEYS:
                engine[name].append(times[name])
            ours_order.append(times["track_order"])
            ref_order.append(sum(v for k, v in ref.items() if re.match(r"(launch|a\d|b1) ", k + " ")))
            ref_total.append(ref.get("TOTAL", sum(ref.values())))
            print(f"run {n + 1}: " + ", ".join(f"{k} {times[k]:.1f}s" for k in JOURNEYS) +
                  f"; reference {ref_total[-1]:.1f}s (order + confirmation {ref_order[-1]:.1f}s)", flush=True)
    for name in JOURNEYS:
        print(f"{name:<16} {statistics.median(engine[name]):6.1f} s")
    o, r, t = statistics.median(ours_order), statistics.median(ref_order), statistics.median(ref_total)
    print(f"reference_journey.py: order + confirmation {r:.1f} s, whole run {t:.1f} s")
    print(f"track_order / reference (order + confirmation): ratio {o / r:.2f}; track_order / reference whole run: "
          f"ratio {o / t:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
