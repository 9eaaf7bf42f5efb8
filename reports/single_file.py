"""One self-contained HTML file of a run, for mailing and archiving: the report's own templates, evidence inline.

    html = render_single_file(store, run_id, config.var_path, settings=config.report_settings)

Screenshots become data: URIs (within a size budget; the rest is listed by name), links to audited
sites are shown as text, and the Content-Security-Policy allows images from data: only, so the file
refers to nothing outside itself. Everything from a site or an email is autoescaped by the templates.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from shopper.config import ReportConfig

from .evidence import MAX_IMAGE_BYTES, MAX_TOTAL_BYTES
from .render import render_html

if TYPE_CHECKING:
    from shopper.store.contract import Store


def render_single_file(store: Store, run_id: str, var_dir: Path, *, settings: ReportConfig | None = None,
                       max_image_bytes: int = MAX_IMAGE_BYTES, max_total_bytes: int = MAX_TOTAL_BYTES) -> str:
    """The report of `run_id` as one HTML document that loads nothing."""
    return render_html(store, run_id, Path(var_dir), settings=settings, inline=True,
                       max_image_bytes=max_image_bytes, max_total_bytes=max_total_bytes)
