"""Render a run from the store as HTML for a CIO: one page (index.html) with its evidence beside it, or one file.

    render_run(store, run_id, out_dir, var_dir, settings=config.report)        # out_dir/index.html + evidence/
    html = render_html(store, run_id, var_dir, settings=config.report, inline=True)   # self-contained

Both come from the same Jinja templates; everything from an audited site or an email is autoescaped,
and the Content-Security-Policy allows no script at all.
"""
from __future__ import annotations

from datetime import timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, Undefined, select_autoescape

from shopper.atomic import write_atomic
from shopper.config import ReportConfig
from shopper.steps.context import slug

from .evidence import MAX_IMAGE_BYTES, MAX_TOTAL_BYTES, EvidenceFiles, logo_data_uri
from .plain import plain, shown, when
from .response_times import human
from .svg import trend_chart
from .view import run_view

if TYPE_CHECKING:
    from shopper.store.contract import Store

CSP = ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")
SINGLE_FILE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def safe_href(url: Any) -> str:
    """Only http(s) URLs become links; anything else (javascript:, data:...) is shown as text only."""
    s = str(url or "")
    return s if urlsplit(s).scheme in ("http", "https") else ""


def duration(ms: Any) -> str:
    ms = float(ms or 0)
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def _defined(value: Any) -> Any:
    """A key a stored record does not have reads as nothing, not as an error."""
    return None if isinstance(value, Undefined) else value


def environment(tz: tzinfo = timezone.utc) -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["safe_href"] = safe_href
    env.filters["duration"] = duration
    env.filters["slug"] = slug
    env.filters["when"] = lambda v, fmt="long": when(_defined(v), tz, fmt)
    env.filters["plain"] = lambda v, key="": plain(_defined(v), tz, key)
    env.filters["seconds"] = human
    env.filters["shown"] = shown
    env.globals["CSP"] = CSP
    return env


def render_html(store: Store, run_id: str, var_dir: Path, *, settings: ReportConfig | None = None,
                out: Path | None = None, inline: bool = False, max_image_bytes: int = MAX_IMAGE_BYTES,
                max_total_bytes: int = MAX_TOTAL_BYTES) -> str:
    """The report of `run_id` as HTML: evidence copied to `out`/evidence, or (inline) as data: URIs."""
    settings = settings or ReportConfig()
    tz = settings.zone()
    view = run_view(store, run_id)
    files = EvidenceFiles(Path(var_dir), out=out, inline=inline, max_image_bytes=max_image_bytes,
                          max_total_bytes=max_total_bytes)
    env = environment(tz)
    logo = logo_data_uri(settings.logo)
    return env.get_template("report.html").render(
        v=view, files=files, single=inline, company=settings.company, logo=logo,
        csp=SINGLE_FILE_CSP if inline else CSP, tz_name=settings.timezone,
        trend=trend_chart(view.trend, tz))


def render_run(store: Store, run_id: str, out: Path, var_dir: Path, *, settings: ReportConfig | None = None) -> Path:
    """Write the report of `run_id` into `out`; returns the path of index.html."""
    out.mkdir(parents=True, exist_ok=True)
    html = render_html(store, run_id, var_dir, settings=settings, out=out)
    write_atomic(out / "index.html", html, what="HTML report")
    return out / "index.html"
