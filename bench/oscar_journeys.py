"""Time per journey on a real django-oscar shop: the shipped track_order journey (autofill, route discovery,
checkout walk) against a plain Playwright script doing the same with Oscar's selectors hard-coded.

    .venv/bin/python bench/oscar_journeys.py [--runs 3]

Prints seconds per run for each and the ratio engine / plain (goal: under 1.5). Needs the Oscar scripts in
../shared/realshops (or $SHOPPER_REALSHOPS), Dovecot and Chromium (scripts/setup.sh).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import re
import statistics
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
from tests.fixtures.oscar import running_oscar  # noqa: E402


def engine_run(shop, browser, var_dir: Path) -> float:
    base = load_config(ROOT / "config.yaml", environ={})
    config = dataclasses.replace(
        base, var_dir=str(var_dir), base_dir=str(ROOT),
        sites={**base.sites, "oscar": load_site_file(ROOT / "examples/sites/oscar.yaml")},
        shopper=dataclasses.replace(base.shopper, address=shop.login),
        imap=ImapConfig(host="127.0.0.1", port=shop.dovecot.port, security="none", user=shop.login,
                        folders=["INBOX"], timeout=Duration(15)))
    store = open_store(config.store_url)
    sel = select_journeys([ROOT / "journeys/track_order.yaml"], config)
    if sel.invalid:
        raise SystemExit("\n".join(str(e) for e in sel.invalid))
    t0 = time.monotonic()
    session = AuditSession(config, store, SystemClock(), {"SHOPPER_IMAP_PASSWORD": shop.password}, browser=browser,
                           redactor=Redactor())
    result = session.run(sel, AuditOptions(base_url=shop.url, site="oscar", sweep=False))
    took = time.monotonic() - t0
    store.close()
    if result.findings or result.journeys[0].status != "clean":
        raise SystemExit(f"the engine's track_order did not pass: {[(f.kind, f.title) for f in result.findings]}")
    return took


def plain_run(shop, browser, n: int) -> float:
    """What a developer would write for this one shop: fixed selectors, IMAP polled for the mail."""
    email = shop.login.replace("@", f"+plain{n}@")
    t0 = time.monotonic()
    context, _ = browser.new_context(block_hosts=[])
    page = context.new_page()
    page.goto(shop.url + "/catalogue/the-lighthouse-keepers-almanac_1/")
    page.get_by_role("button", name="Add to basket").first.click()
    page.goto(shop.url + "/checkout/")
    page.fill("#id_username", email)
    page.check("#id_options_0")
    page.get_by_role("button", name="Continue").click()
    for sel, value in (("#id_first_name", "Alex"), ("#id_last_name", "Shopper"), ("#id_line1", "1 Test Street"),
                       ("#id_line4", "London"), ("#id_postcode", "SW1A 1AA")):
        page.fill(sel, value)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="Place order").click()
    order_no = re.search(r"order number is (\d+)", page.locator("body").inner_text()).group(1)
    client = shop.dovecot.connect(shop.login)
    link = None
    deadline = time.monotonic() + 60
    while link is None and time.monotonic() < deadline:
        client.select_folder("INBOX")
        for uid in client.search(["TO", email, "SUBJECT", f"order {order_no}"]):
            body = client.fetch([uid], ["RFC822"])[uid][b"RFC822"].decode("utf-8", "replace")
            m = re.search(r"https?://\S+/order-status/\S+/", body)
            link = m.group(0) if m else None
        if link is None:
            client.idle()
            client.idle_check(timeout=1)
            client.idle_done()
    client.logout()
    page.goto(link)
    page.fill("#id_email", email)
    page.get_by_role("button", name="Submit").click()
    page.locator("body").filter(has_text=order_no).wait_for()
    context.close()
    return time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="shopper-bench-oscar-")
    os.chmod(tmp, 0o755)
    with DovecotServer.start(tmp) as dovecot, running_oscar(dovecot) as shop, BrowserProbe() as browser:
        plain_run(shop, browser, 0)                    # warm up the shop (templates, thumbnails)
        engine, plain = [], []
        for n in range(args.runs):
            engine.append(engine_run(shop, browser, Path(tmp) / f"var{n}"))
            plain.append(plain_run(shop, browser, n + 1))
            print(f"run {n + 1}: engine {engine[-1]:.1f}s, plain Playwright {plain[-1]:.1f}s", flush=True)
    e, p = statistics.median(engine), statistics.median(plain)
    print(f"track_order on django-oscar: engine {e:.1f}s, plain Playwright {p:.1f}s, ratio {e / p:.2f} (goal < 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
