"""Place a guest order in the real django-oscar shop and copy the order confirmation it writes (a fixture).

    OSCAR_HOME=/tmp/h11-oscar ../../../../../shared/realshops/django-oscar/setup-oscar.sh 18731
    .venv/bin/python tests/data/mail/people_vs_machines/capture_oscar_order.py http://127.0.0.1:18731 /tmp/h11-oscar
    OSCAR_HOME=/tmp/h11-oscar ../shared/realshops/django-oscar/stop-oscar.sh

The shop's file mail backend writes one file per message under $OSCAR_HOME/var/mail/; the newest one
after the order is the confirmation, copied here as oscar-order-confirmation.eml byte for byte.
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import httpx

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _csrf(html: str) -> str:
    m = _CSRF.search(html)
    if not m:
        raise SystemExit("no CSRF token on the page")
    return m.group(1)


def place_guest_order(base: str, email: str) -> str:
    with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as web:
        page = web.get("/catalogue/").text
        add = re.search(r'action="(/basket/add/\d+/)"', page).group(1)   # the first product's "Add to basket"
        web.post(add, data={"csrfmiddlewaretoken": _csrf(page), "quantity": "1"},
                 headers={"Referer": base + "/catalogue/"})
        gate = web.get("/checkout/")
        r = web.post(str(gate.url), data={"csrfmiddlewaretoken": _csrf(gate.text), "username": email,
                                          "options": "anonymous"}, headers={"Referer": str(gate.url)})
        r = web.post(str(r.url), data={"csrfmiddlewaretoken": _csrf(r.text), "first_name": "Alex",
                                       "last_name": "Shopper", "line1": "1 Test Street", "line4": "Testville",
                                       "postcode": "N1 9GU", "country": "GB", "phone_number": ""},
                     headers={"Referer": str(r.url)})
        if "/checkout/preview/" not in str(r.url):   # the payment page without a payment form: its "Continue"
            r = web.get("/checkout/preview/")
        r = web.post("/checkout/preview/", data={"csrfmiddlewaretoken": _csrf(r.text), "action": "place_order"},
                     headers={"Referer": base + "/checkout/preview/"})
        if "thank-you" not in str(r.url):
            raise SystemExit(f"the order was not placed: ended at {r.url}")
        return str(r.url)


def main() -> int:
    base, home = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    mail_dir = home / "var/mail"
    before = set(mail_dir.glob("*"))
    print("order placed:", place_guest_order(base, "alex@shopper.test"))
    new = sorted(set(mail_dir.glob("*")) - before, key=lambda p: p.stat().st_mtime)
    if not new:
        raise SystemExit(f"no mail written under {mail_dir}")
    target = Path(__file__).with_name("oscar-order-confirmation.eml")
    shutil.copyfile(new[-1], target)
    print("copied", new[-1], "->", target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
