"""Charts for pages, drawn on the server as SVG by pygal and embedded as an image.

Why pygal: a well-kept SVG charting library that needs nothing in the browser. Measured on the
sales-by-hour chart: about 9 KB of SVG (3 KB gzipped) in the page, against 70 KB+ gzipped for the
smallest JS charting libraries plus their data (and no script for the till's CSP to allow). The
SVG goes into an `<img>` as a `data:` URI: the CSP allows `img-src data:`, an image never runs
the script pygal adds, and its own `<style>` applies inside the image only. Every chart on a page
has its numbers in a table beside it (screen readers, printing); the image's alt text says so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pygal
from pygal.style import Style

from bakery.formatting import money

# pygal puts a legacy import hook (for its map plugins, which we do not use) on sys.meta_path; it
# has only find_module(), so every later import that reaches it warns on Python 3.11 (and it is
# ignored from 3.12). Taken off again here.
sys.meta_path[:] = [hook for hook in sys.meta_path if type(hook).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1d1b18",
    foreground_strong="#1d1b18",
    foreground_subtle="#e4ddd2",
    colors=("#8a5a2b", "#b5835a", "#5b7f5b", "#a04a3a"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=11,
    title_font_size=14,
)
#: Bars of a gain and of a loss (the bake plan's waste saved or cost).
GAIN, LOSS = "#1f7a3d", "#b3261e"


@dataclass(frozen=True)
class Chart:
    """A chart ready for `<img src=... alt=...>`: the data URI of its SVG and what it shows."""

    src: str
    alt: str
    svg_bytes: int


def _embed(svg: str, alt: str) -> Chart:
    return Chart("data:image/svg+xml;charset=utf-8," + quote(svg, safe=" :/=,.;()'-"), alt, len(svg))


def bar_chart(
    title: str,
    points: Sequence[tuple[str, int]],
    *,
    value_format: Callable[[int], str] = money,
    height: int = 260,
    show_every: int = 1,
    gains_and_losses: bool = False,
) -> Chart:
    """A bar chart of (label, value) points, values below zero drawn below the zero line.

    `show_every` labels only every n-th bar (a year of days would be unreadable otherwise);
    `gains_and_losses` draws values at or above zero green and those below red.
    """
    chart = pygal.Bar(
        width=720,
        height=height,
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        no_prefix=True,
        show_legend=False,
        explicit_size=False,
        show_minor_x_labels=show_every <= 1,
        x_labels_major_every=show_every if show_every > 1 else None,
        truncate_label=-1,
        value_formatter=lambda value: value_format(round(value or 0)),
        margin=8,
        spacing=6,
        print_values=False,
        include_x_axis=True,
    )
    chart.x_labels = [label for label, _ in points]
    if gains_and_losses:
        chart.add(title, [{"value": v, "color": GAIN if v >= 0 else LOSS} for _, v in points])
    else:
        chart.add(title, [value for _, value in points])
    svg = chart.render(is_unicode=True)
    return _embed(_strip(svg), f"{title} (the numbers are in the table beside the chart)")


def _strip(svg: str) -> str:
    """Drop pygal's comments and its inline script: an image never runs it."""
    import re

    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r"<script.*?</script>", "", svg, flags=re.S)


def split_chart(bars: Sequence[Any]) -> Chart:
    """How a surplus is split, as horizontal bars (the dividend preview): one per `.label`/`.amount`."""
    chart = pygal.HorizontalBar(
        width=720,
        height=max(60 + 34 * len(bars), 120),
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        no_prefix=True,
        show_legend=False,
        explicit_size=False,
        truncate_label=-1,
        value_formatter=lambda value: money(round(value or 0)),
        margin=8,
        spacing=6,
    )
    chart.x_labels = [bar.label for bar in bars]
    chart.add("How the surplus is split", [bar.amount for bar in bars])
    return _embed(
        _strip(chart.render(is_unicode=True)),
        "How the surplus is split (the amounts are in the table beside it)",
    )
