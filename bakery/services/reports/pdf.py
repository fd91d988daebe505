"""Reports as A4 PDFs (reportlab platypus): a title, the period, then each section's table.

Charts stay on the screen; a PDF carries the same numbers as tables, which print and read aloud.
The output repeats byte for byte for the same figures (reportlab's invariant mode: no timestamp).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """One table of a report: a heading, the column names and the rows, all text already formatted."""

    heading: str
    header: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    note: str = ""
    numeric_from: int = 1  # columns from this index are right-aligned
    footer: Sequence[str] = field(default_factory=tuple)
    optional: bool = False  # left out of a page (not of a file) when it has no rows


def render(title: str, subtitle: str, sections: Sequence[Section], *, compact: bool = False) -> bytes:
    """The report as an A4 PDF: the title (also the PDF's metadata title), subtitle and sections.

    Rule: a section without rows says "None in this period"; `compact` uses smaller type so a
    one-page report (the funders') fits on one page.
    """
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1
    out = io.BytesIO()
    size = 8 if compact else 9
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title,
        author="",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    styles = getSampleStyleSheet()
    story: list[object] = [
        Paragraph(_escape(title), styles["Title"]),
        Paragraph(_escape(subtitle), styles["Normal"]),
    ]
    for section in sections:
        story.append(Spacer(1, 3 * mm if compact else 5 * mm))
        story.append(
            Paragraph(_escape(section.heading), styles["Heading3"] if compact else styles["Heading2"])
        )
        if section.note:
            story.append(Paragraph(_escape(section.note), styles["Italic"]))
        if not section.rows:
            story.append(Paragraph("None in this period.", styles["Normal"]))
            continue
        data = [list(section.header), *[list(r) for r in section.rows]]
        if section.footer:
            data.append(list(section.footer))
        table = Table(data, repeatRows=1, hAlign="LEFT")
        style = [
            ("FONT", (0, 0), (-1, -1), "Helvetica", size),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", size),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
            ("ALIGN", (section.numeric_from, 0), (-1, -1), "RIGHT"),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]
        if section.footer:
            style += [
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", size),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
            ]
        table.setStyle(TableStyle(style))
        story.append(table)
    doc.build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
