"""The single-file report, straight from the templates: evidence inline once, hostile input inert, no Python reprs."""
from __future__ import annotations

import base64
import re
import struct
import zlib
from datetime import timezone
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reports.plain import plain, when
from reports.single_file import render_single_file
from shopper.config import ReportConfig
from shopper.model import Finding, Observation
from shopper.run import JourneyResult, StepResult
from shopper.store import open_store

RUN = "r1"
HOSTILE = ('<script>window.__pwned=1</script><img src=x onerror="alert(1)">'
           '<a href="javascript:alert(2)">x</a></style><style>@import url(http://evil.test/x.css)</style>')


def png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG, grey, no library needed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, of a document."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)

    def values(self, attr: str) -> list[str]:
        return [a[attr] for _, a in self.tags if attr in a]


@pytest.fixture
def store(tmp_path: Path):
    """A stored run: a hostile journey whose screenshot backs a finding, a step and an observation."""
    var = tmp_path / "var"
    shots = var / "artifacts" / RUN / "shop"
    shots.mkdir(parents=True)
    (shots / "step-02-page-error.png").write_bytes(png())
    (shots / "step-03-fake.png").write_text("<script>alert('not an image')</script>")
    (shots / "trace-part1.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    shot, fake, trace = (f"artifacts/{RUN}/shop/{n}" for n in ("step-02-page-error.png", "step-03-fake.png",
                                                               "trace-part1.zip"))
    s = open_store(str(tmp_path / "store.db"))
    s.begin_run(RUN, "2026-01-05T09:00:00+00:00")
    steps = [StepResult(0, "open", "open /", "passed", "2026-01-05T09:00:01+00:00", 12.0, url="http://shop.test/",
                        title=HOSTILE),
             StepResult(1, "click", f"click {HOSTILE}", "failed", "2026-01-05T09:00:02+00:00", 30.0, error=HOSTILE,
                        evidence=[shot, fake]),
             StepResult(2, "open", "open /x", "skipped", "2026-01-05T09:00:03+00:00", 0.0)]
    obs = [Observation("journey_started", "shop", None, {"base_url": "http://shop.test", "site": None}, "t"),
           Observation("error_screenshot", "shop", 1, {"url": "http://shop.test/", "flags": {"chat": "paid"},
                                                      "missing": None, "grace_s": 172800.0}, "t", (shot,)),
           Observation("mail_received", "shop", None, {"kind": "reply", "from": HOSTILE, "subject": HOSTILE,
                                                      "received_at": "2026-01-05T10:00:00+00:00", "token": None}, "t")]
    s.save_journey(RUN, JourneyResult("shop", "journeys/shop.yaml", ["web"], "failed", "2026-01-05T09:00:00+00:00",
                                      50.0, steps, obs, None, evidence=[trace]))
    s.save_findings(RUN, [
        Finding.of("step_failed", severity="major", journey="shop", subject="1", title=HOSTILE, detail=HOSTILE,
                   step=1, evidence=[shot, fake, trace, "../../../etc/passwd"],
                   data={"url": "javascript:alert(3)", "page": "http://shop.test/"}),
        Finding.of("broken_link", severity="minor", journey="shop", subject="/careers", title="Broken /careers",
                   step=0, data={"url": "http://shop.test/careers", "page": "http://shop.test/", "flaky": True})])
    s.finish_run(RUN, "2026-01-05T09:05:00+00:00", "findings", {"findings": 2})
    yield s, var, base64.b64encode(png()).decode()
    s.close()


def test_references_stay_in_the_file_and_evidence_is_inline_once(store):
    s, var, data = store
    html = render_single_file(s, RUN, var)
    doc = Elements(html)
    hrefs, ids = doc.values("href"), doc.values("id")
    assert hrefs and all(h.startswith("#") for h in hrefs), [h for h in hrefs if not h.startswith("#")]
    assert [h for h in hrefs if h[1:] not in ids] == [], "every in-page link has a target"
    assert len(ids) == len(set(ids))
    assert all(src.startswith("data:image/png;base64,") for src in doc.values("src"))
    # one screenshot, referenced by the finding, its step and an observation: shown once, linked twice
    assert html.count(data) == 1 and len([t for t, _ in doc.tags if t == "img"]) == 1
    assert hrefs.count("#ev-1") == 2 and "step 2: page error (shop) — shown above" in "".join(doc.text)
    # what is not inlined is listed by name, never read from outside the var dir
    left = html[html.index('id="evidence-not-included"'):]
    assert "step-03-fake.png" in left and "trace-part1.zip" in left and "Playwright trace" in left
    assert "not an image" not in html and "passwd" in left and "outside the shopper" in left
    meta = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv")]
    assert [m["content"] for m in meta] == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                                            "base-uri 'none'; form-action 'none'"]
    # links to the audited site are text in a file that must load nothing
    assert "http://shop.test/careers" in "".join(doc.text) and not any("shop.test" in h for h in hrefs)


def test_hostile_text_is_escaped_text(store):
    s, var, _ = store
    html = render_single_file(s, RUN, var)
    assert "<script" not in html.lower() and "<img src=x" not in html and 'href="javascript' not in html
    assert "@import url(http" not in html.split("</style>")[0]      # nothing from a site reaches the stylesheet
    assert html.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") >= 4   # title, error, step, mail
    doc = Elements(html)
    assert [a for _, a in doc.tags for k in a if k.startswith("on")] == []
    assert {t for t, _ in doc.tags} & {"script", "iframe", "object", "embed", "base", "link", "form"} == set()


def test_no_python_reprs_and_times_in_the_configured_zone(store):
    s, var, _ = store
    html = render_single_file(s, RUN, var, settings=ReportConfig(timezone="Asia/Tokyo", company="Kettle & Co"))
    text = " ".join("".join(Elements(html).text).split())
    for repr_ in ("None", "True", "False", "{'", "[]", "Duration(", r"\bsite:"):   # "Website:" is a process
        assert not re.search(repr_ if repr_.startswith("\\") else re.escape(repr_), text), repr_
    assert "flags: chat: paid" in text and "grace s: 2.0 d" in text
    assert "Mon 05 Jan 2026, 18:00 JST" in text and "+00:00" not in text
    assert "Kettle &amp; Co: Mystery Shopper audit" in html
    assert "1 major" in text and "1 flaky (not counted)" in text      # the flaky one is not open
    assert "shop — incomplete" in text                                 # never "passed" beside a finding


def test_images_over_the_limits_are_listed_with_their_size(store):
    s, var, _ = store
    html = render_single_file(s, RUN, var, max_image_bytes=50)
    assert "data:image" not in html and "over the 50 B limit for one image" in html
    html = render_single_file(s, RUN, var, max_total_bytes=10)
    assert "data:image" not in html and "were used up" in html


def test_plain_values_and_times():
    tz = ZoneInfo("Europe/Berlin")
    assert when("2026-11-27T07:07:18+00:00", tz) == "Fri 27 Nov 2026, 08:07 CET"
    assert when("2026-07-01T07:07:18", timezone.utc, "short") == "01 Jul 07:07"
    assert when(None, tz) == "–" and when("soon", tz) == "soon"
    assert plain(None, tz) == "–" and plain(True, tz) == "yes" and plain([], tz) == "–"
    assert plain({"chat": "paid", "page": "failed", "x": None}, tz) == "chat: paid · page: failed"
    assert plain(172800.0, tz, "answer_within_s") == "2.0 d" and plain(3.0, tz) == "3"
    assert plain([{"from": "a@x.test", "subject": "Hi"}, {"from": "b@x.test"}], tz) == \
        "from: a@x.test · subject: Hi; from: b@x.test"
