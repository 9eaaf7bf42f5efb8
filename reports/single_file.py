"""One self-contained HTML file from a rendered report: screenshots inline, journey pages as sections, nothing external.

    index = render_run(store, run_id, out, var_dir)
    html = single_file(index)                     # or: render_single_file(store, run_id, var_dir)

The rendered pages are parsed with the stdlib `html.parser` and written out again, element by
element: text and attribute values are re-escaped, scripts, frames, objects and head elements are
dropped, event-handler attributes and every URL-carrying attribute are removed unless rewritten to
an in-page reference (`journeys/x.html` -> `#journey-x`) or a `data:` image made here from an
evidence file. Links to audited sites become plain text, so the file refers to nothing outside itself.
Playwright traces are listed by name only; images over the size limits are listed, not inlined.
"""
from __future__ import annotations

import base64
import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .render import CSP, render_run

# Raw image bytes, before base64 (x1.33 in the HTML, x1.33 again as a mail attachment): 10 MB of
# screenshots make a mail of about 18 MB, under the 20-25 MB most mail servers accept.
MAX_IMAGE_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 10 * 1024 * 1024

TOP_ID = "top"
JOURNEY_ID = "journey-{}"          # the section of journeys/<slug>.html
EVIDENCE_ID = "ev-{}"              # the first inline copy of an evidence image

IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr", "frame", "keygen"}
DROP_WITH_CONTENT = {"script", "noscript", "iframe", "object", "applet", "template", "frameset", "audio",
                     "video", "canvas", "portal"}
DROP_TAG = {"base", "link", "meta", "embed", "frame", "source", "track", "param", "html", "head", "body",
            "form"}
URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "poster", "background", "cite", "longdesc",
             "ping", "data", "codebase", "manifest", "lowsrc", "dynsrc", "xlink:href", "archive", "classid",
             "profile", "icon", "srcdoc", "download", "target"}
ID_ATTRS = {"id"}
ID_LIST_ATTRS = {"for", "headers", "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns"}
NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
ATTR_RE = re.compile(r"^[a-z_][a-z0-9_.:-]*$")
CSS_URL_RE = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)")

EXTRA_CSS = (
    "img.thumb:target{max-width:100%;max-height:none}"   # click a thumbnail: the same image at full size
    ".journey-page{border-top:3px solid #1d2430;margin-top:28px}"
    ".evidence-ref{font-size:12px}"
)


def single_file_csp(csp: str = CSP) -> str:
    """The report's CSP for a file with no neighbours: images only as data: URIs, no 'self' anywhere."""
    directives = []
    for part in csp.split(";"):
        words = part.split()
        if not words:
            continue
        name, values = words[0].lower(), [w for w in words[1:] if w.lower() != "'self'"]
        if name == "img-src":
            values = ["data:"]
        directives.append(" ".join([name, *(values or ["'none'"])]))
    return "; ".join(directives)


def render_single_file(store: Any, run_id: str, var_dir: Path, *, max_image_bytes: int = MAX_IMAGE_BYTES,
                       max_total_bytes: int = MAX_TOTAL_BYTES) -> str:
    """Render `run_id` into a temporary directory and return it as one self-contained HTML document."""
    with tempfile.TemporaryDirectory(prefix="shopper-report-") as tmp:
        index = render_run(store, run_id, Path(tmp), Path(var_dir))
        return single_file(index, max_image_bytes=max_image_bytes, max_total_bytes=max_total_bytes)


def single_file(index_html: Path, *, max_image_bytes: int = MAX_IMAGE_BYTES,
                max_total_bytes: int = MAX_TOTAL_BYTES) -> str:
    """The report whose index is `index_html` (with journeys/ and evidence/ beside it) as one HTML document."""
    root = index_html.resolve().parent
    journeys_dir = root / "journeys"
    slugs = sorted(p.stem for p in journeys_dir.glob("*.html") if NAME_RE.match(p.stem)) \
        if journeys_dir.is_dir() else []
    inliner = EvidenceInliner(root, max_image_bytes, max_total_bytes)
    index = rewrite_page(index_html.read_text(encoding="utf-8"), root / "index.html", root, set(slugs), inliner)
    order = list(dict.fromkeys([s for s in index.journey_links if s in slugs] + slugs))
    pages, css = [], [*index.styles]
    for s in order:
        page = rewrite_page((journeys_dir / f"{s}.html").read_text(encoding="utf-8"), journeys_dir / f"{s}.html",
                            root, set(slugs), inliner, id_prefix=JOURNEY_ID.format(s) + "--")
        pages.append(f'<article class="journey-page" id="{JOURNEY_ID.format(s)}">\n{page.body}\n</article>')
        css += page.styles
    styles = "\n".join(f"<style>{c}</style>" for c in dict.fromkeys([*css, EXTRA_CSS]))   # each sheet once
    return "\n".join([
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(single_file_csp())}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(index.title or 'Mystery Shopper report')}</title>",
        styles,
        "</head>",
        "<body>",
        f'<div id="{TOP_ID}"></div>',
        inliner.note_html(),
        index.body,
        *pages,
        inliner.appendix_html(),
        "</body>",
        "</html>",
        "",
    ])


# -- evidence ------------------------------------------------------------------------------------

@dataclass
class EvidenceInliner:
    """Evidence files of the report directory: images become data: URIs within the limits, the rest a list.

    Images are keyed by their content, so the same screenshot saved twice is inlined once.
    """

    root: Path
    max_image_bytes: int
    max_total_bytes: int
    total: int = 0
    keys: dict[Path, str] = field(default_factory=dict)          # file -> its content key
    uris: dict[str, str | None] = field(default_factory=dict)    # content key -> data: URI, None if left out
    names: dict[str, str] = field(default_factory=dict)          # content key -> the first file's name
    ids: dict[str, str] = field(default_factory=dict)            # content key -> id of its <img>
    placed: set[str] = field(default_factory=set)                # content keys whose <img> is written
    left_out: dict[Path, str] = field(default_factory=dict)      # file -> why it is not in this file

    def data_uri(self, path: Path) -> str | None:
        """The image as a data: URI, or None (not an image, or over a limit; then it is listed)."""
        return self.uris[self._key(path)]

    def anchor(self, path: Path) -> str:
        return self.ids.setdefault(self._key(path), EVIDENCE_ID.format(len(self.ids) + 1))

    def place(self, path: Path) -> bool:
        """True the first time an image is placed; later places refer to the first."""
        key = self._key(path)
        first = key not in self.placed
        self.placed.add(key)
        return first

    def _key(self, path: Path) -> str:
        if path not in self.keys:
            self.keys[path] = self._load(path)
        return self.keys[path]

    def _load(self, path: Path) -> str:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(16)
        mime = next((m for magic, m in IMAGE_TYPES if head.startswith(magic)), None)
        if mime is None or size > self.max_image_bytes:
            kind = "Playwright trace" if path.suffix == ".zip" else "file" if mime is None else "image"
            why = ("not included" if mime is None else
                   f"over the {human_size(self.max_image_bytes)} limit for one image")
            return self._leave_out(path, f"{kind}, {human_size(size)}: {why}, see the report directory")
        data = path.read_bytes()
        key = "sha256:" + hashlib.sha256(data).hexdigest()
        if key in self.uris:
            return key
        self.names[key] = path.name
        if self.total + len(data) > self.max_total_bytes:
            self.left_out[path] = (f"image, {human_size(len(data))}: the {human_size(self.max_total_bytes)} "
                                   "of images this file may hold were used up, see the report directory")
            self.uris[key] = None
            return key
        self.total += len(data)
        self.uris[key] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return key

    def _leave_out(self, path: Path, why: str) -> str:
        key = f"file:{path}"
        self.left_out[path], self.uris[key], self.names[key] = why, None, path.name
        return key

    def note_html(self) -> str:
        n = sum(1 for u in self.uris.values() if u)
        text = (f"Single-file copy of the report: {n} screenshot{'s' if n != 1 else ''} inline "
                f"({human_size(self.total)} in total)")
        if self.left_out:
            text += f"; {len(self.left_out)} evidence file{'s' if len(self.left_out) != 1 else ''} listed by name only"
        return f'<p class="muted" id="single-file-note" style="margin:8px 28px">{escape(text)}.</p>'

    def appendix_html(self) -> str:
        """Images linked to but never shown (so no in-page link dangles), then the files left out."""
        parts = []
        unplaced = [k for k in self.ids if k not in self.placed and self.uris.get(k)]
        if unplaced:
            imgs = "".join(f'<img class="thumb" id="{self.ids[k]}" alt="{escape(self.names[k])}" src="{self.uris[k]}">'
                           for k in unplaced)
            parts.append(f'<section id="evidence-images"><h2>Screenshots</h2>{imgs}</section>')
        if self.left_out:
            rows = "".join(f"<li><code>{escape(p.name)}</code> ({escape(why)})</li>"
                           for p, why in sorted(self.left_out.items()))
            parts.append('<section id="evidence-not-included"><h2>Evidence not included in this file</h2>'
                         f"<ul>{rows}</ul></section>")
        return f"<main>{''.join(parts)}</main>" if parts else ""


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


# -- one page ------------------------------------------------------------------------------------

@dataclass
class Page:
    title: str
    styles: list[str]
    body: str
    journey_links: list[str]


def rewrite_page(html: str, page: Path, root: Path, journeys: set[str], inliner: EvidenceInliner,
                 id_prefix: str = "") -> Page:
    """Parse one rendered page and write its body again with only in-page and data: references."""
    rewriter = PageRewriter(page, root, journeys, inliner, id_prefix)
    rewriter.feed(html)
    rewriter.close()
    return rewriter.result()


class PageRewriter(HTMLParser):
    """Streams a page through: escapes everything, keeps the structure, rewrites or drops every reference."""

    def __init__(self, page: Path, root: Path, journeys: set[str], inliner: EvidenceInliner, id_prefix: str):
        super().__init__(convert_charrefs=True)
        self.page, self.root, self.journeys = page, root, journeys
        self.inliner, self.id_prefix = inliner, id_prefix
        self.out: list[str] = []
        self.open: list[tuple[str, str]] = []        # (tag in the source, tag written)
        self.skip: tuple[str, int] | None = None     # dropping an element with its content
        self.in_head = False
        self.capture: str | None = None              # "title" or "style": text goes aside
        self.title, self.styles, self.journey_links = "", [], []
        self._buffer: list[str] = []

    def result(self) -> Page:
        while self.open:
            self.out.append(f"</{self.open.pop()[1]}>")
        return Page(self.title.strip(), self.styles, "".join(self.out), self.journey_links)

    # -- parser events -------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            name, depth = self.skip
            if tag == name:
                self.skip = (name, depth - 1) if depth > 1 else None
            return
        if self.capture == tag:
            text, self._buffer, self.capture = "".join(self._buffer), [], None
            if tag == "title" and not self.title:
                self.title = text
            elif tag == "style" and css_is_safe(text):
                self.styles.append(text)
            return
        if tag == "head":
            self.in_head = False
        if not any(src == tag for src, _ in self.open):
            return                                   # a stray end tag closes nothing
        while self.open:
            src, written = self.open.pop()
            self.out.append(f"</{written}>")
            if src == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.capture:
            self._buffer.append(data)
        elif not self.in_head:
            self.out.append(escape(data, quote=False))

    # comments, doctype, processing instructions and CDATA sections are left out
    def handle_comment(self, data: str) -> None:
        return

    def handle_decl(self, decl: str) -> None:
        return

    def handle_pi(self, data: str) -> None:
        return

    def unknown_decl(self, data: str) -> None:
        return

    # -- elements ------------------------------------------------------------------------------

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        if self.skip:
            if tag == self.skip[0] and not self_closing:
                self.skip = (tag, self.skip[1] + 1)
            return
        if tag == "head":
            self.in_head = True
            return
        if tag == "body":
            self.in_head = False
        if tag in ("title", "style") and (self.in_head or tag == "style") and not self_closing:
            self.capture, self._buffer = tag, []     # title of the head, every style: kept for the new head
            return
        if tag in DROP_WITH_CONTENT:
            if not self_closing:
                self.skip = (tag, 1)
            return
        if tag in DROP_TAG or self.in_head or not NAME_RE.match(tag):
            return
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in values:
            written, kept = self._link(values)
        elif tag == "img":
            self._image(values)
            return
        else:
            written, kept = tag, self._attributes(values)
        text = "".join(f' {name}="{escape(value)}"' for name, value in kept)
        self.out.append(f"<{written}{text}>")
        if tag in VOID:
            return
        if self_closing:   # "<div/>" opens a div in HTML; "<x></x>" is closed in HTML and in SVG alike
            self.out.append(f"</{written}>")
        else:
            self.open.append((tag, written))

    def _attributes(self, values: dict[str, str]) -> list[tuple[str, str]]:
        """Attributes that load or run nothing; ids prefixed so journey pages do not clash with each other."""
        kept = []
        for name, value in values.items():
            if not ATTR_RE.match(name) or name.startswith("on") or name in URL_ATTRS or ":" in name and \
                    name != "xml:lang":
                continue
            if name == "style" and not css_is_safe(value, attribute=True):
                continue
            if name in ID_ATTRS and self.id_prefix:
                value = self.id_prefix + value
            elif name in ID_LIST_ATTRS and self.id_prefix:
                value = " ".join(self.id_prefix + v for v in value.split())
            kept.append((name, value))
        return kept

    def _link(self, values: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
        kind, target = self._resolve(values["href"])
        kept = self._attributes(values)
        if kind == "anchor":
            return "a", [("href", f"#{target}"), *kept]
        if kind == "evidence" and self.inliner.data_uri(target) is not None:
            return "a", [("href", f"#{self.inliner.anchor(target)}"), *kept]
        # a link to an audited site, a trace, anything else: the text stays, the link goes
        return "span", [(n, v) for n, v in kept if n in ("class", "id", "title")]

    def _image(self, values: dict[str, str]) -> None:
        kind, target = self._resolve(values.get("src", ""))
        uri = self.inliner.data_uri(target) if kind == "evidence" else None
        if uri is None:
            what = target.name if kind == "evidence" else values.get("alt", "")
            label = f"image not included: {what}" if what else "image not included"
            self.out.append(f'<span class="muted evidence-ref">[{escape(label)}]</span>')
            return
        anchor = self.inliner.anchor(target)
        if not self.inliner.place(target):     # each image once in the file; later places point to it
            self.out.append(f'<span class="evidence-ref">[screenshot {escape(target.name)}: shown above, '
                            f'<a href="#{anchor}">go to it</a>]</span>' if not self._inside_link() else
                            f'<span class="evidence-ref">[screenshot {escape(target.name)}: shown above]</span>')
            return
        attrs = [(n, v) for n, v in self._attributes(values) if n != "id"]
        text = "".join(f' {n}="{escape(v)}"' for n, v in [("id", anchor), *attrs, ("src", uri)])
        self.out.append(f"<img{text}>")

    def _inside_link(self) -> bool:
        return any(written == "a" for _, written in self.open)

    # -- references ----------------------------------------------------------------------------

    def _resolve(self, url: str) -> tuple[str, Any]:
        """('anchor', id) for a place in this file, ('evidence', file) under evidence/, else ('drop', None)."""
        try:
            parts = urlsplit(url.strip())
        except ValueError:                           # "http://[::1" and the like
            return "drop", None
        if parts.scheme or parts.netloc:
            return "drop", None                      # http(s):, javascript:, data:, //host ... never kept
        if not parts.path:
            return ("anchor", self.id_prefix + parts.fragment) if parts.fragment else ("drop", None)
        try:
            target = (self.page.parent / unquote(parts.path)).resolve()
            rel = target.relative_to(self.root)
            is_file = target.is_file()
        except (ValueError, OSError):
            return "drop", None                      # outside the report directory, or no usable path
        if rel == Path("index.html"):
            return "anchor", parts.fragment or TOP_ID
        if len(rel.parts) == 2 and rel.parts[0] == "journeys" and rel.suffix == ".html" \
                and rel.stem in self.journeys:
            self.journey_links.append(rel.stem)
            page_id = JOURNEY_ID.format(rel.stem)
            return "anchor", f"{page_id}--{parts.fragment}" if parts.fragment else page_id
        if len(rel.parts) == 2 and rel.parts[0] == "evidence" and is_file:
            return "evidence", target
        return "drop", None


def css_is_safe(css: str, *, attribute: bool = False) -> bool:
    """CSS that loads nothing: no @import, no url() but data: images and in-page fragments, no expression()."""
    text = "".join(css.lower().split())
    if "<" in text:                                  # "</style x>" ends the element for a browser, not for us
        return False
    if any(w in text for w in ("@import", "expression(", "behavior:", "-moz-binding", "image-set(")):
        return False
    if attribute and "\\" in text:                  # escapes could spell url( past the checks above
        return False
    if "\\" in text and "url" in text:
        return False
    return all(u.startswith(("data:image/", "#")) for u in CSS_URL_RE.findall(text))
