"""A secret from the environment typed into a visible field: in no file under var/, and masked in screenshots.

tests/integration/test_web_journeys.py already greps every file (traces unzipped) after a secret is typed
into a password field, which shows dots anyway. This case types it into a plain text field, with DOM
snapshots in the trace switched on, and reads the screenshot's pixels where the field is: they must be
Playwright's mask colour, not the typed text.
"""
from __future__ import annotations

import base64
import zipfile

import pytest

from shopper.config import BrowserConfig

pytestmark = [pytest.mark.faults, pytest.mark.browser]
SECRET = "Hunter2-visible-9f3a"
MASK = (255, 0, 255)   # Playwright's default mask colour


def everything_under(var) -> dict[str, bytes]:
    out = {}
    for p in var.rglob("*"):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                data += b"".join(z.read(n) for n in z.namelist())
        out[str(p.relative_to(var))] = data
    return out


def pixel(browser, png: bytes, x: float, y: float) -> tuple[int, int, int]:
    ctx, _ = browser.new_context(block_hosts=[])
    try:
        page = ctx.new_page()
        return tuple(page.evaluate("""async ([src, x, y]) => {
            const img = new Image(); img.src = src; await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            return Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
        }""", ["data:image/png;base64," + base64.b64encode(png).decode(), int(x), int(y)]))
    finally:
        ctx.close()


def test_secret_typed_into_a_text_field_is_masked_and_in_no_file(audit, shop_healthy, browser, tmp_path, figures):
    journey = tmp_path / "secret_field.yaml"
    journey.write_text("name: secret_field\nsteps:\n  - open: /login\n"
                       "  - fill: {label: Username, value: \"${secret:SHOPPER_SITE_PASSWORD}\"}\n"
                       "  - screenshot: login-form\n"
                       "  - expect: {text: This text is never on the page}\n    timeout: 1s\n")
    # traces always kept, with DOM snapshots: a leak would be in a snapshot
    a = audit([journey], base_url=shop_healthy.url, environ={"SHOPPER_SITE_PASSWORD": SECRET},
              browser=BrowserConfig(trace_snapshots=True, trace="always"))
    (j,) = a.result.journeys
    assert [s.status for s in j.steps] == ["passed", "passed", "passed", "failed"]
    files = everything_under(a.config.var_path)
    leaks = [name for name, data in files.items() if SECRET.encode() in data]
    figures.messages(0, len(leaks))
    assert leaks == []
    shot = next(n for n in files if n.endswith("login-form.png"))

    ctx, _ = browser.new_context(block_hosts=[])
    try:
        page = ctx.new_page()
        page.goto(shop_healthy.url + "/login")
        box = page.get_by_label("Username").bounding_box()
    finally:
        ctx.close()
    assert box is not None
    assert pixel(browser, files[shot], box["x"] + box["width"] / 2, box["y"] + box["height"] / 2) == MASK

