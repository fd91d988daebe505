"""The shape of a simple report page and file: a title, headline figures, tables and charts.

A report is described once, with amounts formatted by a function the caller chooses (the shop's
currency for a page and a PDF, plain pounds for CSV), and rendered as a page, CSV or PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bakery.services.reports.pdf import Section

Money = Callable[[int], str]


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of (label, value) points drawn beside the section of that heading."""

    section: str
    title: str
    points: list[tuple[str, int]]
    money: bool = True


@dataclass(frozen=True)
class Report:
    """A report ready to render: headline figures (label, text), sections, charts."""

    title: str
    subtitle: str
    headline: list[tuple[str, str]]
    sections: list[Section]
    charts: list[ChartSpec] = field(default_factory=list)
    note: str = ""


def pct_bp(part: int, whole: int) -> str:
    """A share as a percentage with one decimal (basis points rounded half up), "—" of nothing."""
    from bakery.domain.money import round_half_up

    if whole == 0:
        return "—"
    tenths = round_half_up(part * 1000, whole)
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}%"
