"""A small inline SVG line chart for trends: made here, nothing loaded from anywhere."""
from __future__ import annotations

from markupsafe import Markup, escape


def line_chart(points: list[tuple[str, float | None]], *, width: int = 560, height: int = 120, top: float | None = None,
               colour: str = "#1f5fa8", label: str = "") -> Markup:
    """Points are (x label, value); None values leave a gap. Returns safe SVG markup."""
    values = [v for _, v in points if v is not None]
    if not values:
        return Markup("")
    hi = top if top is not None else max(max(values), 1)
    pad, n = 24, len(points)
    step = (width - 2 * pad) / max(n - 1, 1)
    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (v / hi) * (height - 2 * pad)
    segs, cur = [], []
    for i, (_, v) in enumerate(points):
        if v is None:
            if cur:
                segs.append(cur)
            cur = []
        else:
            cur.append(xy(i, v))
    if cur:
        segs.append(cur)
    lines = "".join(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in seg) + '"/>' for seg in segs)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"><title>{escape(points[i][0])}: '
                   f'{escape(points[i][1])}</title></circle>'
                   for i, (_, v) in enumerate(points) if v is not None for x, y in [xy(i, v)])
    axis = (f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#ccd3db"/>'
            f'<text x="2" y="{pad}" font-size="10" fill="#6b7685">{hi:g}</text>'
            f'<text x="2" y="{height - pad}" font-size="10" fill="#6b7685">0</text>')
    title = f"<title>{escape(label)}</title>" if label else ""
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
                  f'aria-label="{escape(label)}">{title}{axis}{lines}{dots}</svg>')
