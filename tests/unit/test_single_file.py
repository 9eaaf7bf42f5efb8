"""Single-file report: links become in-page anchors, images data: URIs, and hostile input stays inert."""
from __future__ import annotations

import base64
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports.render import CSP
from reports.single_file import single_file, single_file_csp


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

    def ids(self) -> list[str]:
        return self.values("id")


HEAD = ('<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        'content="default-src \'none\'"><title>Run r1</title><style>.grid>div{min-width:140px}</style></head>')

# As the templates write them: untrusted text escaped once by Jinja
INDEX = HEAD + """<body><header><h1>Audit</h1></header><main>
<section id="summary"><h2>Summary</h2></section>
<div class="finding" id="f-abc">
  <h3>&lt;img src=x onerror=alert(1)&gt; &lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</h3>
  Journey <a href="journeys/shop.html">shop</a>, step <a href="journeys/shop.html#step-1">2</a>
  <a href="evidence/shot.png"><img class="thumb" src="evidence/shot.png" alt="screenshot a &amp; b"></a>
  <div class="kv">Playwright trace: <a href="evidence/trace.zip" download>trace.zip</a></div>
  URL: <a href="http://shop.test/careers" rel="noreferrer noopener">http://shop.test/careers</a>
  <pre>&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;</pre>
</div>
<p><a href="#summary">up</a></p>
<table><tr><td><a href="journeys/other.html">other</a></td></tr></table>
</main></body></html>"""

JOURNEY = HEAD + """<body><header><h1>Journey: shop</h1></header><main>
<p><a href="../index.html">back to the run</a> <a href="../index.html#f-abc">finding</a></p>
<section id="steps"><table><tr id="step-1"><td><a href="#step-1">2</a></td>
  <td><span class="page-title">Deluxe Kettle &lt;script&gt;window.__pwned=1&lt;/script&gt;</span>
  <a href="../evidence/shot.png"><img class="thumb" src="../evidence/shot.png" alt="again"></a>
  <label for="q">q</label></td></tr></table></section>
</main></body></html>"""

# What the templates never write, but a template bug could: raw markup that must not survive as markup
HOSTILE = HEAD + """<body><main>
<a href="javascript:alert(1)" onclick="alert(2)">js link</a>
<a href="JaVa&#x09;ScRiPt:alert(3)">tabbed</a><a href="  javascript:alert(4)">spaced</a>
<a href="java&#x0a;script:alert(5)">newline</a><a href="javascript&colon;alert(6)">entity</a>
<a href="//evil.test/x">scheme-relative</a><a href="../../../etc/passwd">outside</a>
<a href="http://[::1">bad url</a><a href="evidence/%00.png">nul</a>
<a href="data:text/html,&lt;script&gt;alert(7)&lt;/script&gt;">data link</a>
<img src=x onerror=alert(8)><img src="data:image/svg+xml,&lt;svg onload=alert(9)&gt;"><img src="evidence/fake.png">
<script>alert(10)</script><iframe src="http://evil.test/"><p>inside iframe</p></iframe>
<svg><a xlink:href="javascript:alert(11)"><text>svg link</text></a><use href="http://evil.test/s.svg#x"/></svg>
<div style="background:url(http://evil.test/track.gif)">styled</div><div style="color:red">red</div>
<style>@import url(http://evil.test/x.css);</style><style>.ok{color:blue}</style>
<meta http-equiv="refresh" content="0;url=http://evil.test/"><base href="http://evil.test/">
<link rel="stylesheet" href="http://evil.test/x.css">
<form action="http://evil.test/"><button formaction="http://evil.test/">go</button></form>
<object data="http://evil.test/x.swf"></object><embed src="http://evil.test/x.swf">
<video poster="http://evil.test/p.png"><source src="http://evil.test/v.mp4"></video>
<p title='"><script>alert(12)</script>'>quoted</p><div class="selfclosed"/><svg><path d="M0 0"/></svg><img srcset="http://evil.test/a.png 2x" src="evidence/shot.png">
</main></body></html>"""


@pytest.fixture
def report(tmp_path: Path) -> Path:
    (tmp_path / "journeys").mkdir()
    (tmp_path / "evidence").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "journeys" / "shop.html").write_text(JOURNEY)
    (tmp_path / "journeys" / "other.html").write_text(HEAD + "<body><main><p>other page</p></main></body></html>")
    (tmp_path / "evidence" / "shot.png").write_bytes(png())
    (tmp_path / "evidence" / "trace.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    (tmp_path / "evidence" / "fake.png").write_text("<script>alert('not an image')</script>")
    return tmp_path / "index.html"


def assert_inert(html: str, *, targets: bool = True) -> Elements:
    """Every reference in-page or a data: image; no script, frame, handler, or loading CSS anywhere."""
    doc = Elements(html)
    tags = {t for t, _ in doc.tags}
    assert not tags & {"script", "iframe", "object", "embed", "base", "link", "form", "video", "source"}
    assert [a for _, a in doc.tags for k in a if k.startswith("on")] == []
    assert all(h.startswith("#") for h in doc.values("href")), doc.values("href")
    assert all(s.startswith("data:image/png;base64,") for s in doc.values("src")), doc.values("src")
    for attr in ("srcset", "xlink:href", "action", "formaction", "poster", "data", "download"):
        assert doc.values(attr) == [], attr
    assert [s for s in doc.values("style") if "url" in s] == []
    metas = [a for t, a in doc.tags if t == "meta"]
    assert [m.get("http-equiv") for m in metas if "http-equiv" in m] == ["Content-Security-Policy"]
    ids = doc.ids()
    assert len(ids) == len(set(ids)), "ids are unique across the index and the journey sections"
    if targets:
        assert [h for h in doc.values("href") if h[1:] not in ids] == [], "every in-page link has a target"
    return doc


def test_links_become_in_page_anchors_and_ids_do_not_clash(report):
    html = single_file(report)
    doc = assert_inert(html)
    hrefs = doc.values("href")
    assert "#journey-shop" in hrefs and "#journey-shop--step-1" in hrefs and "#journey-other" in hrefs
    assert "#top" in hrefs and "#f-abc" in hrefs and "#summary" in hrefs
    ids = doc.ids()
    assert {"journey-shop", "journey-other", "journey-shop--steps", "journey-shop--step-1", "top"} <= set(ids)
    assert ("label", {"for": "journey-shop--q"}) in doc.tags
    # journeys in the order the index links them, each once
    assert ids.index("journey-shop") < ids.index("journey-other")
    # the audited site's URL is still shown, as text only
    assert "http://shop.test/careers" in "".join(doc.text) and "http://shop.test/careers" not in hrefs


def test_escaped_hostile_text_stays_escaped_text(report):
    html = single_file(report)
    assert '&lt;img src=x onerror=alert(1)&gt; &lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;' in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower() and "<img src=x" not in html and "<a href=\"javascript" not in html
    text = "".join(assert_inert(html).text)
    assert '<a href="javascript:alert(1)">x</a>' in text   # what a reader sees: the text, not a link


def test_hostile_markup_is_dropped_or_neutralised(report):
    report.write_text(HOSTILE)
    html = single_file(report)
    doc = assert_inert(html, targets=False)   # the journey page links a finding this index no longer has
    text = "".join(doc.text)
    for shown in ("js link", "tabbed", "spaced", "newline", "entity", "scheme-relative", "outside", "data link",
                  "svg link", "styled", "red", "go", "quoted", "bad url", "nul"):
        assert shown in text, shown               # the words stay, the links and loads go
    assert "alert(10)" not in html and "inside iframe" not in html and "evil.test" not in html
    assert "not an image" not in html             # a .png that is no PNG is not inlined
    assert ("p", {"title": '"><script>alert(12)</script>'}) in doc.tags   # an attribute value, re-escaped
    assert ".ok{color:blue}" in html and "@import" not in html
    assert ("div", {"style": "color:red"}) in doc.tags
    assert '<div class="selfclosed"></div><svg><path d="M0 0"></path></svg>' in html   # nothing left open


def test_screenshot_inline_once_trace_listed_by_name(report):
    html = single_file(report)
    doc = assert_inert(html)
    data = base64.b64encode(png()).decode()
    assert html.count(data) == 1
    (img,) = [a for t, a in doc.tags if t == "img"]
    assert img["src"] == f"data:image/png;base64,{data}" and img["id"] == "ev-1" and img["class"] == "thumb"
    assert doc.values("href").count("#ev-1") == 2    # the thumbnail link, and the journey page's copy points to it
    assert "screenshot shot.png: shown above" in "".join(doc.text)
    assert "img.thumb:target" in html               # a click shows the same image at full size
    appendix = html[html.index('id="evidence-not-included"'):]
    assert "trace.zip" in appendix and "Playwright trace" in appendix
    note = html[html.index('id="single-file-note"'):].split("</p>")[0]
    assert "1 screenshot inline" in note and "B in total" in note


def test_images_over_the_limits_are_listed_with_their_size(report):
    (report.parent / "evidence" / "shot.png").write_bytes(png(400, 300))
    html = single_file(report, max_image_bytes=50)
    assert_inert(html)
    assert "data:image" not in html
    assert "shot.png" in html and "over the 50 B limit for one image" in html
    assert "0 screenshots inline (0 B in total)" in html
    html = single_file(report, max_total_bytes=10)
    assert "data:image" not in html and "were used up" in html


def test_csp_allows_only_data_images_and_inline_style():
    csp = single_file_csp()
    assert "'self'" not in csp and "img-src data:" in csp and "default-src 'none'" in csp
    assert single_file_csp("default-src 'self'; img-src 'self' https:") == "default-src 'none'; img-src data:"
    assert set(single_file_csp(CSP).split("; ")) >= {"style-src 'unsafe-inline'", "base-uri 'none'"}
