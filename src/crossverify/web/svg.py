"""Charts drawn on the server as plain SVG: no JavaScript, readable by screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def confidence_histogram(values: Sequence[float], *, bins: int = 20) -> str:
    """A bar chart of match confidence (0 to 1) in `bins` equal bins, with a title and labels."""
    counts = [0] * bins
    for v in values:
        counts[min(int(v * bins), bins - 1)] += 1
    width, height, pad = 420, 160, 24
    bar = (width - 2 * pad) / bins
    top = max(counts) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="hist-title">',
        f'<title id="hist-title">Match confidence of {len(values)} decided records</title>',
    ]
    for i, c in enumerate(counts):
        h = (height - 2 * pad) * c / top
        x = pad + i * bar
        label = f"{i / bins:.2f} to {(i + 1) / bins:.2f}: {c}"
        parts.append(
            f'<rect x="{x:.1f}" y="{height - pad - h:.1f}" width="{bar - 2:.1f}" '
            f'height="{h:.1f}" fill="#2f5d8a"><title>{escape(label)}</title></rect>'
        )
    parts.append(f'<text x="{pad}" y="{height - 6}" font-size="11">0</text>')
    parts.append(f'<text x="{width - pad - 6}" y="{height - 6}" font-size="11">1</text>')
    parts.append("</svg>")
    return "".join(parts)


def weight_waterfall(start: float, steps: Sequence[tuple[str, float]], *, title: str) -> str:
    """A waterfall of match weight (bits): from the prior, each field adds or takes away."""
    row, label_w, width = 22, 150, 460
    levels = [start]
    for _, w in steps:
        levels.append(levels[-1] + w)
    lo, hi = min(0.0, *levels), max(0.0, *levels)
    span = (hi - lo) or 1.0

    def x(v: float) -> float:
        return label_w + (width - label_w - 50) * (v - lo) / span

    bars = [
        ("prior", 0.0, start),
        *((n, lv, lv + w) for (n, w), lv in zip(steps, levels, strict=False)),
    ]
    bars.append(("total", 0.0, levels[-1]))
    height = row * len(bars) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<line x1="{x(0):.1f}" y1="0" x2="{x(0):.1f}" y2="{height}" stroke="#888"/>',
    ]
    for i, (name, a, b) in enumerate(bars):
        y = 5 + i * row
        colour = "#2f7d32" if b >= a else "#b23b3b"
        if name in ("prior", "total"):
            colour = "#2f5d8a"
        left, right = sorted((x(a), x(b)))
        parts.append(f'<text x="4" y="{y + 14}" font-size="12">{escape(name)}</text>')
        parts.append(
            f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 1):.1f}" height="{row - 6}" '
            f'fill="{colour}"><title>{escape(name)}: {b - a:+.2f} bits</title></rect>'
        )
        parts.append(f'<text x="{right + 4:.1f}" y="{y + 14}" font-size="11">{b - a:+.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


PALETTE = (
    "#2f5d8a",
    "#2f7d32",
    "#8a6d2f",
    "#6b3b8a",
    "#b23b3b",
    "#3b8a86",
    "#8a3b6b",
    "#c77d1a",
    "#555",
)


def bar_chart(points: Sequence[tuple[str, float]], *, title: str, chart_id: str) -> str:
    """Vertical bars, one per labelled value (e.g. disclosures per day), with a title and axis."""
    width, height, pad, bottom = 640, 200, 30, 46
    top = max((v for _, v in points), default=0) or 1
    step = (width - 2 * pad) / max(len(points), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{escape(chart_id)}-title" '
        f'id="{escape(chart_id)}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<line x1="{pad}" y1="{height - bottom}" x2="{width - pad}" y2="{height - bottom}" '
        'stroke="#888"/>',
        f'<text x="2" y="{pad - 8}" font-size="11">{top:g}</text>',
    ]
    label_every = max(1, len(points) // 12)
    for i, (label, value) in enumerate(points):
        h = (height - bottom - pad) * value / top
        x = pad + i * step
        parts.append(
            f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(label)}: {value:g}</title></rect>'
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="10" '
                f'transform="rotate(30 {x:.1f} {height - bottom + 14})">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar_chart(
    bars: Sequence[tuple[str, dict[str, int]]],
    *,
    categories: Sequence[str],
    title: str,
    chart_id: str,
) -> str:
    """Horizontal stacked bars (e.g. outcomes per batch), one row per bar, with a legend."""
    row, label_w, width = 22, 190, 640
    legend_h = 24
    height = legend_h + row * max(len(bars), 1) + 8
    top = max((sum(counts.values()) for _, counts in bars), default=0) or 1
    scale = (width - label_w - 50) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{escape(chart_id)}-title" '
        f'id="{escape(chart_id)}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for i, name in enumerate(categories):
        key_x = 4 + i * 70
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{key_x}" y="4" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{key_x + 16}" y="14" font-size="11">{escape(name)}</text>')
    for r, (label, counts) in enumerate(bars):
        y = legend_h + r * row
        parts.append(f'<text x="4" y="{y + 14}" font-size="11">{escape(label)}</text>')
        x = float(label_w)
        for i, name in enumerate(categories):
            n = counts.get(name, 0)
            if not n:
                continue
            w = n * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 6}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)} {escape(name)}: '
                f"{n}</title></rect>"
            )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 14}" font-size="11">{sum(counts.values())}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
