"""A bar chart laid out for inline SVG: bars above a zero line for gains, below it for losses.

The template draws exactly what this computes (templates hold no arithmetic); the geometry is in
whole SVG units of a fixed view box, so the chart scales with the page and needs no script.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The view box: width and height in SVG units, and the room kept for labels.
WIDTH = 640
HEIGHT = 240
LEFT = 64
BOTTOM = 28
TOP = 12
#: The widest a bar is drawn, however few there are.
MAX_BAR = 72


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, and rectangle (x, y, width, height) in view-box units."""

    label: str
    value: int
    x: int
    y: int
    width: int
    height: int
    label_x: int

    @property
    def positive(self) -> bool:
        """A gain (drawn above the zero line) rather than a loss."""
        return self.value >= 0


@dataclass(frozen=True)
class Tick:
    """A value marked on the vertical axis at height y."""

    value: int
    y: int


@dataclass(frozen=True)
class BarChart:
    """A laid-out chart: the view box, the zero line, the bars and the axis ticks."""

    width: int
    height: int
    left: int
    zero_y: int
    label_y: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def bar_chart(values: Sequence[tuple[str, int]]) -> BarChart:
    """Lay out one bar per (label, value), left to right, scaled so the largest fits.

    Rule: the vertical scale runs from the lowest value (or zero) to the highest (or zero); an
    all-zero chart still has a visible zero line; a bar of a non-zero value is at least one unit
    tall, so a small loss is never drawn as nothing.
    """
    top_value = max([0, *(v for _, v in values)])
    bottom_value = min([0, *(v for _, v in values)])
    span = top_value - bottom_value or 1
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - 8

    def y_of(value: int) -> int:
        return TOP + (top_value - value) * plot_height // span

    zero_y = y_of(0)
    slot = plot_width // max(len(values), 1)
    gap = max(slot // 5, 1)
    bars = []
    for index, (label, value) in enumerate(values):
        x = LEFT + index * slot + gap // 2
        if value >= 0:
            y = y_of(value)
            height = zero_y - y
            if value and height < 1:
                y, height = zero_y - 1, 1
        else:
            y = zero_y
            height = max(y_of(value) - zero_y, 1)
        width = min(slot - gap, MAX_BAR)
        x += (slot - gap - width) // 2
        bars.append(Bar(label, value, x, y, width, height, x + width // 2))
    ticks = {top_value, 0, bottom_value}
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        zero_y=zero_y,
        label_y=HEIGHT - 8,
        bars=tuple(bars),
        ticks=tuple(Tick(value, y_of(value)) for value in sorted(ticks, reverse=True)),
    )
