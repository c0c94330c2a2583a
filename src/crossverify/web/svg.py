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
