"""Small server-rendered SVG charts; stats/static/stats/charts.js adds the hover tooltips.
Bars that stand for a list or a sub-area are links (click to drill down)."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def hbars(items: list[tuple[str, float, str, str]], width: int = 360) -> SafeString:
    """Horizontal bars: (label, value, href, tooltip) each."""
    if not items:
        return mark_safe("")
    top = max(v for _, v, _, _ in items) or 1
    row, label_w = 24, 110
    bar_w = width - label_w - 50
    parts = []
    for i, (label, value, href, tip) in enumerate(items):
        y = i * row
        w = max(1, round(bar_w * value / top)) if value else 0
        parts.append(
            format_html(
                '<a href="{}" data-tip="{}"><text x="0" y="{}" class="lbl">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="16" class="bar"></rect>'
                '<text x="{}" y="{}" class="val">{}</text></a>',
                href,
                tip,
                y + 13,
                label[:9],
                label_w,
                y + 2,
                w,
                label_w + w + 4,
                y + 14,
                _fmt(value),
            )
        )
    return _svg(width, len(items) * row, parts)


def columns(items: list[tuple[str, float, float, str, str]], height: int = 160) -> SafeString:
    """Columns over time: (label, accepted, resolved, href, tooltip); resolved is overlaid."""
    if not items:
        return mark_safe("")
    top = max(a for _, a, _, _, _ in items) or 1
    col = max(8, min(40, 640 // len(items)))
    width = col * len(items)
    plot = height - 18
    parts = []
    for i, (label, acc, res, href, tip) in enumerate(items):
        x = i * col
        ha, hr = round(plot * acc / top), round(plot * res / top)
        parts.append(
            format_html(
                '<a href="{}" data-tip="{}"><rect x="{}" y="{}" width="{}" height="{}" '
                'class="bar"></rect><rect x="{}" y="{}" width="{}" height="{}" class="bar2">'
                "</rect></a>",
                href,
                tip,
                x + 1,
                plot - ha,
                col - 2,
                ha,
                x + 3,
                plot - hr,
                col - 6,
                hr,
            )
        )
        if len(items) <= 16 or i % max(1, len(items) // 8) == 0:
            parts.append(
                format_html('<text x="{}" y="{}" class="lbl">{}</text>', x + 1, height - 4, label)
            )
    return _svg(width, height, parts)


def _svg(width: int, height: int, parts: list[str]) -> SafeString:
    """A chart drawn at its own size (CSS only shrinks it to a narrow column), so its labels
    are the same size in every chart, not scaled by how wide its card happens to be."""
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img">{}</svg>',
        width,
        height,
        width,
        height,
        mark_safe("".join(parts)),
    )


def _fmt(v: float) -> str:
    return f"{v:.1f}" if isinstance(v, float) and not v.is_integer() else f"{int(v)}"
