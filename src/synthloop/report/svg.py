"""Charts as inline SVG strings: a line chart, grouped bars and horizontal bars. Small and
dependency-free, so a report is one file that renders anywhere, offline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#3b6ea8", "#e08a3c", "#4f9a5b", "#b5485b", "#7d5ba6", "#8c8c8c")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _fmt(value: float, percent: bool) -> str:
    return f"{100 * value:.0f}%" if percent else f"{value:g}"


def _exact(value: float, percent: bool) -> str:
    return f"{100 * value:.1f}%" if percent else f"{value:g}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 2.5, 5):
        for scale in (0.01, 0.1, 1, 10, 100, 1000, 10000):
            if step * scale >= value:
                return step * scale
    return value


def _frame(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _axes(
    left: int, top: int, w: int, h: int, y_max: float, percent: bool, ticks: int = 4
) -> list[str]:
    out = []
    for i in range(ticks + 1):
        v = y_max * i / ticks
        y = top + h - h * i / ticks
        out.append(
            f'<line x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
            f"{_fmt(v, percent)}</text>"
        )
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + h}" stroke="#999"/>')
    return out


def _legend(names: Sequence[str], x: int, y: int) -> list[str]:
    out = []
    for i, name in enumerate(names):
        cx = x + i * 150
        out.append(
            f'<rect x="{cx}" y="{y - 9}" width="12" height="12" fill="{PALETTE[i % 6]}"/>'
            f'<text x="{cx + 17}" y="{y + 1}" fill="#333">{escape(name)}</text>'
        )
    return out


def line_chart(
    xs: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    percent: bool = True,
    y_max: float | None = None,
    width: int = 640,
    height: int = 280,
) -> str:
    """One line per series over categorical x positions; None values leave a gap."""
    left, top, right, bottom = 56, 34, 48, 40
    w, h = width - left - right, height - top - bottom
    values = [v for s in series.values() for v in s if v is not None]
    top_value = y_max if y_max is not None else _nice_max(max(values, default=1.0))
    body = _axes(left, top, w, h, top_value, percent)
    inset = 28  # keep the first and last points clear of the axis and the edge
    step = (w - 2 * inset) / max(1, len(xs) - 1)
    x_at = [left + (inset + step * i if len(xs) > 1 else w / 2) for i in range(len(xs))]
    for i, label in enumerate(xs):
        body.append(
            f'<text x="{x_at[i]:.1f}" y="{top + h + 18}" text-anchor="middle" fill="#555">'
            f"{escape(label)}</text>"
        )
    for k, (name, ys) in enumerate(series.items()):
        color = PALETTE[k % 6]
        pts = [(x_at[i], top + h - h * (v / top_value)) for i, v in enumerate(ys) if v is not None]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.2"/>'
            )
        for (x, y), v in zip(pts, [v for v in ys if v is not None], strict=True):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
                f"<title>{escape(name)}: {_exact(v, percent)}"
                f"</title></circle>"
            )
    body += _legend(list(series), left, 16)
    return _frame(width, height, body, title)


def grouped_bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    percent: bool = True,
    width: int = 640,
    height: int = 260,
    rotate_labels: bool = False,
) -> str:
    """Bars per category, one colour per series (e.g. synthetic beside real)."""
    left, top, right = 56, 34, 12
    bottom = 64 if rotate_labels else 40
    w, h = width - left - right, height - top - bottom
    values = [v for s in series.values() for v in s]
    top_value = _nice_max(max(values, default=1.0))
    body = _axes(left, top, w, h, top_value, percent)
    group = w / max(1, len(categories))
    bar = group * 0.8 / max(1, len(series))
    every = max(1, -(-len(categories) // 12))  # at most ~12 axis labels
    for i, cat in enumerate(categories):
        gx = left + group * i + group * 0.1
        for k, (name, vals) in enumerate(series.items()):
            v = vals[i]
            bh = h * (v / top_value)
            body.append(
                f'<rect x="{gx + k * bar:.1f}" y="{top + h - bh:.1f}" width="{max(bar - 1, 1):.1f}"'
                f' height="{bh:.1f}" fill="{PALETTE[k % 6]}"><title>{escape(name)} · '
                f"{escape(cat)}: {_exact(v, percent)}"
                f"</title></rect>"
            )
        cx = left + group * i + group / 2
        if i % every:
            continue
        if rotate_labels:
            body.append(
                f'<text transform="translate({cx:.1f},{top + h + 10}) rotate(40)" fill="#555">'
                f"{escape(cat)}</text>"
            )
        else:
            body.append(
                f'<text x="{cx:.1f}" y="{top + h + 18}" text-anchor="middle" fill="#555">'
                f"{escape(cat)}</text>"
            )
    body += _legend(list(series), left, 16)
    return _frame(width, height, body, title)


def horizontal_bars(
    items: Sequence[tuple[str, float]], *, title: str, width: int = 640, bar_height: int = 22
) -> str:
    """Labelled counts, longest first (e.g. records dropped, by reason)."""
    items = sorted(items, key=lambda kv: -kv[1])
    left, top = 260, 8
    w = width - left - 60
    height = top * 2 + bar_height * len(items)
    top_value = max((v for _, v in items), default=1.0) or 1.0
    body = []
    for i, (label, v) in enumerate(items):
        y = top + i * bar_height
        bw = w * v / top_value
        body.append(
            f'<text x="{left - 8}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" '
            f'fill="#333">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{max(bw, 1):.1f}" height="{bar_height - 6}" '
            f'fill="{PALETTE[0]}"/><text x="{left + bw + 6:.1f}" y="{y + bar_height * 0.68:.1f}"'
            f' fill="#333">{v:g}</text>'
        )
    return _frame(width, max(height, 30), body, title)
