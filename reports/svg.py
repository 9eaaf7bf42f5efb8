"""Inline SVG charts made here, nothing loaded from anywhere: the score trend on a dated axis."""
from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from markupsafe import Markup, escape

W, H = 600, 170
LEFT, RIGHT, TOP, BOTTOM = 34, 14, 12, 30
TICKS = 5


def _at(text: str) -> datetime:
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def trend_chart(points: list[tuple[str, float | None]], tz: tzinfo, *, top: float = 100,
                label: str = "Health score over time", colour: str = "#1f5fa8") -> Markup:
    """Points are (ISO time, value), oldest first; x is time (dates on the axis), None values leave a gap.

    Scales to its container (viewBox): never wider than the page.
    """
    pts = [(_at(t), v) for t, v in points]
    if len([v for _, v in pts if v is not None]) < 2:   # one point is no trend
        return Markup("")
    t0, t1 = pts[0][0], pts[-1][0]
    span = (t1 - t0).total_seconds()
    inner_w, inner_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(t: datetime) -> float:
        return LEFT + (inner_w * (t - t0).total_seconds() / span if span > 0 else inner_w / 2)

    def y(v: float) -> float:
        return TOP + inner_h * (1 - v / top)

    grid = "".join(f'<line x1="{LEFT}" y1="{y(g):.1f}" x2="{W - RIGHT}" y2="{y(g):.1f}" stroke="#e3e7ec"/>'
                   f'<text x="{LEFT - 6}" y="{y(g) + 4:.1f}" text-anchor="end" font-size="11" fill="#4a5562">{g:g}'
                   f'</text>' for g in (0, top / 2, top))
    ticks, labels = [], set()
    n = min(TICKS, len(pts)) if span > 0 else 1
    for i in range(n):
        t = pts[0][0] + (t1 - t0) * (i / (n - 1)) if n > 1 else t0
        fmt = "%d %b" if span >= 86400 * 2 or n == 1 else "%d %b %H:%M"
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        text = t.astimezone(tz).strftime(fmt)
        if text in labels:   # runs minutes apart: one label for the minute
            continue
        labels.add(text)
        ticks.append(f'<text x="{x(t):.1f}" y="{H - 8}" text-anchor="{anchor}" font-size="11" fill="#4a5562">'
                     f'{escape(text)}</text>')
    segs, cur = [], []
    for t, v in pts:
        if v is None:
            segs, cur = segs + ([cur] if cur else []), []
        else:
            cur.append((x(t), y(v)))
    if cur:
        segs.append(cur)
    lines = "".join(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="'
                    + " ".join(f"{a:.1f},{b:.1f}" for a, b in seg) + '"/>' for seg in segs)
    dots = "".join(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"><title>'
                   f'{escape(t.astimezone(tz).strftime("%d %b %Y %H:%M"))}: {v:g}</title></circle>'
                   for t, v in pts if v is not None)
    last_t, last_v = next((t, v) for t, v in reversed(pts) if v is not None)
    end = (f'<text x="{min(x(last_t) + 6, W - RIGHT):.1f}" y="{y(last_v) - 7:.1f}" font-size="12" font-weight="700" '
           f'text-anchor="{"end" if x(last_t) > W - 60 else "start"}" fill="{colour}">{last_v:g}</text>')
    desc = ", ".join(f"{t.astimezone(tz):%d %b}: {v:g}" for t, v in pts if v is not None)
    return Markup(f'<svg class="chart" viewBox="0 0 {W} {H}" xmlns="http://www.w3.org/2000/svg" role="img" '
                  f'aria-label="{escape(label)}: {escape(desc)}"><title>{escape(label)}</title>'
                  f'{grid}<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{W - RIGHT}" y2="{TOP + inner_h}" '
                  f'stroke="#9aa5b1"/>{"".join(ticks)}{lines}{dots}{end}</svg>')
