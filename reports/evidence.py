"""Evidence files in a report: each shown once, numbered like the steps, copied beside it or inlined as data: URIs.

    files = EvidenceFiles(var_dir, out_dir)          # a report directory: files copied to out_dir/evidence/
    files = EvidenceFiles(var_dir, inline=True)      # one self-contained file: images as data: URIs
    files.show("artifacts/r1/browse-shop/step-04-page-error.png")   # the image the first time, a link after

Only files under the var dir are read, only PNG/JPEG/GIF (by their first bytes) become images, and an
inlined report keeps within a size budget (the rest is listed by name).
"""
from __future__ import annotations

import base64
import hashlib
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

# Raw image bytes, before base64 (x1.33 in the HTML, x1.33 again as a mail attachment): 10 MB of
# screenshots make a mail of about 18 MB, under the 20-25 MB most mail servers accept.
MAX_IMAGE_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 10 * 1024 * 1024
MAX_LOGO_BYTES = 256 * 1024
IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))
STEP_FILE = re.compile(r"^step-(\d+)-(.+)$")
TRACE_FILE = re.compile(r"^trace-part(\d+)$")
log = logging.getLogger(__name__)


def image_type(head: bytes) -> str | None:
    return next((mime for magic, mime in IMAGE_TYPES if head.startswith(magic)), None)


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def caption(path: str) -> str:
    """'artifacts/r1/browse-shop/step-04-page-error.png' -> 'step 4: page error'."""
    stem = Path(path).stem
    if m := STEP_FILE.match(stem):
        return f"step {int(m.group(1))}: {m.group(2).replace('-', ' ')}"
    if m := TRACE_FILE.match(stem):
        return f"Playwright trace, part {m.group(1)}"
    return Path(path).name


@dataclass
class EvidenceFiles:
    var_dir: Path
    out: Path | None = None            # a report directory (files copied to out/evidence/)
    inline: bool = False               # one file: images as data: URIs
    max_image_bytes: int = MAX_IMAGE_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    total: int = 0
    ids: dict[str, str] = field(default_factory=dict)          # stored path -> id of the place it is shown
    by_content: dict[str, str] = field(default_factory=dict)   # sha256 of the bytes -> id of that place
    left_out: dict[str, str] = field(default_factory=dict)     # stored path -> why it is not in the report

    def show(self, path: str, journey: str = "", fingerprint: str = "") -> Markup:
        """The evidence the first time (image, or a trace to download); a link to that place afterwards.
        `fingerprint`: the finding it backs (the `show-trace` hint names it)."""
        label = caption(path) + (f" ({journey})" if journey else "")
        key = self._content_key(path)
        if path not in self.ids and key in self.by_content:   # the same bytes saved twice: shown once
            self.ids[path] = self.by_content[key]
        if path in self.ids:
            return Markup('<a class="evidence-ref" href="#{}">{} — shown above</a>').format(self.ids[path], label)
        src = self._source(path)
        if src is None:
            hint = f"; open it with runner.py show-trace {fingerprint}" if fingerprint and path.endswith(".zip") else ""
            return Markup('<p class="evidence-ref muted">{}: {}{}</p>').format(label, self.left_out[path], hint)
        anchor = self.ids[path] = f"ev-{len(set(self.ids.values())) + 1}"
        if key is not None:
            self.by_content[key] = anchor
        if src.endswith(".zip") and not src.startswith("data:"):
            how = (Markup("<code>runner.py show-trace {}</code>").format(fingerprint) if fingerprint else
                   Markup("<code>playwright show-trace {}</code>").format(src))
            return Markup('<p class="evidence-trace" id="{}"><a href="{}" download>{}</a> — open it with {}</p>'
                          ).format(anchor, src, label, how)
        img = Markup('<img src="{}" alt="Screenshot, {}">').format(src, label)
        if not self.inline:
            img = Markup('<a href="{}">{}</a>').format(src, img)
        return Markup('<figure class="evidence" id="{}">{}<figcaption>{}</figcaption></figure>').format(
            anchor, img, label)

    def _file(self, path: str) -> Path | None:
        """The stored path as a file under the var dir (stored paths never leave it), else None."""
        src = (self.var_dir / path).resolve()
        try:
            src.relative_to(self.var_dir.resolve())
        except ValueError:
            return None
        return src if src.is_file() else None

    def _content_key(self, path: str) -> str | None:
        src = self._file(path)
        if src is None or src.stat().st_size > self.max_image_bytes:
            return None
        return hashlib.sha256(src.read_bytes()).hexdigest()

    def _source(self, path: str) -> str | None:
        src = (self.var_dir / path).resolve()
        try:
            src.relative_to(self.var_dir.resolve())    # stored paths never leave the var dir
        except ValueError:
            return self._leave_out(path, "outside the shopper's var directory, not shown")
        if not src.is_file():
            return self._leave_out(path, "missing (the artifacts were cleaned up)")
        with src.open("rb") as f:
            mime = image_type(f.read(16))
        size = src.stat().st_size
        if self.inline:
            if mime is None:
                what = "Playwright trace" if src.suffix == ".zip" else "file"
                return self._leave_out(path, f"{what}, {human_size(size)}, not included in this file: it is in "
                                             "the report directory of the run")
            if size > self.max_image_bytes:
                return self._leave_out(path, f"{human_size(size)}, over the {human_size(self.max_image_bytes)} "
                                             "limit for one image: see the report directory")
            if self.total + size > self.max_total_bytes:
                return self._leave_out(path, f"{human_size(size)}: the {human_size(self.max_total_bytes)} of "
                                             "images this file may hold were used up, see the report directory")
            self.total += size
            return f"data:{mime};base64,{base64.b64encode(src.read_bytes()).decode('ascii')}"
        if mime is None and src.suffix != ".zip":
            return self._leave_out(path, "not an image")
        assert self.out is not None
        dest = self.out / "evidence" / path.replace("/", "__")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists():
            shutil.copy2(src, dest)
        return f"evidence/{dest.name}"

    def _leave_out(self, path: str, why: str) -> None:
        self.left_out[path] = why
        return None

    def note(self) -> Markup:
        """For a single file: how many images it holds and how many files it lists by name only."""
        n = len(set(self.ids.values()))
        text = f"Single-file copy of the report: {n} piece{'s' if n != 1 else ''} of evidence inline " \
               f"({human_size(self.total)})"
        if self.left_out:
            text += f"; {len(self.left_out)} listed by name only"
        return Markup('<p class="muted" id="single-file-note">{}.</p>').format(text)


def read_logo(path: str | Path | None) -> tuple[bytes, str] | None:
    """The company logo's bytes and type (PNG, JPEG or GIF by content, at most 256 KB); None when unusable."""
    if not path:
        return None
    p = Path(path)
    if not p.is_file() or p.stat().st_size > MAX_LOGO_BYTES:
        log.warning("report.logo %s: not a file of at most %s; the report goes without it", p,
                    human_size(MAX_LOGO_BYTES))
        return None
    data = p.read_bytes()
    mime = image_type(data[:16])
    if mime is None:
        log.warning("report.logo %s: not a PNG, JPEG or GIF image; the report goes without it", p)
        return None
    return data, mime


def logo_data_uri(path: str | Path | None) -> str | None:
    """The company logo as a data: URI, for the report page."""
    logo = read_logo(path)
    return f"data:{logo[1]};base64,{base64.b64encode(logo[0]).decode('ascii')}" if logo else None
