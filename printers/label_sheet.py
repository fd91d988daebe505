"""An A4 sheet of labels (8 to a page, 99.1 x 67.7 mm, the common L7165 layout) drawn from a
label document: the same blocks the label roll prints, in a proportional font.

Text blocks become paragraphs (bold where the block is bold, larger where it is tall or double);
a :class:`~printers.document.Rich` paragraph keeps its emphasis piece by piece; cuts, feeds and
drawer kicks end or space nothing on a sheet. The text is set at 10 pt, smaller only as far as
7 pt (an x-height over the 1.2 mm the law asks of food labels); a label that does not fit at
7 pt is refused rather than cut short.
"""

from __future__ import annotations

import io
from typing import Final
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from printers.document import Columns, Document, DocumentError, Rich, Text

COLUMNS: Final = 2
ROWS: Final = 4
LABEL_WIDTH: Final = 99.1 * mm
LABEL_HEIGHT: Final = 67.7 * mm
LEFT: Final = 4.65 * mm
TOP: Final = 13.1 * mm
GAP: Final = 2.5 * mm
PADDING: Final = 3 * mm
SIZES: Final = (10.0, 9.0, 8.0, 7.0)

_SCALE: Final = {"normal": 1.0, "wide": 1.0, "tall": 1.4, "double": 1.4}


class LabelTooLong(DocumentError):
    """The label's text does not fit one label on the sheet at the smallest legal size."""


def _markup(pieces: tuple[tuple[str, bool], ...]) -> str:
    return "".join(f"<b>{escape(text)}</b>" if bold else escape(text) for text, bold in pieces)


def _paragraphs(document: Document, size: float) -> list[Paragraph]:
    found: list[Paragraph] = []
    for block in document.blocks:
        match block:
            case Text(text=text, bold=bold, size=scale, align=align):
                style = ParagraphStyle(
                    "label",
                    fontName="Helvetica-Bold" if bold else "Helvetica",
                    fontSize=size * _SCALE[scale],
                    leading=size * _SCALE[scale] * 1.2,
                    alignment={"left": 0, "center": 1, "right": 2}[align],
                    spaceAfter=size * 0.3,
                )
                found.append(Paragraph(escape(text).replace("\n", "<br/>"), style))
            case Rich(pieces=pieces, align=align):
                style = ParagraphStyle(
                    "label-rich",
                    fontName="Helvetica",
                    fontSize=size,
                    leading=size * 1.2,
                    alignment={"left": 0, "center": 1, "right": 2}[align],
                    spaceAfter=size * 0.3,
                )
                found.append(Paragraph(_markup(pieces), style))
            case Columns(left=left, right=right, bold=bold):
                style = ParagraphStyle(
                    "label-columns", fontName="Helvetica-Bold" if bold else "Helvetica", fontSize=size
                )
                found.append(Paragraph(escape(f"{left} {right}"), style))
    return found


def _fitted(document: Document, width: float, height: float) -> list[tuple[Paragraph, float]]:
    for size in SIZES:
        paragraphs = _paragraphs(document, size)
        placed = []
        used = 0.0
        for paragraph in paragraphs:
            _, tall = paragraph.wrap(width, height)
            placed.append((paragraph, tall))
            used += tall + paragraph.style.spaceAfter
        if used <= height:
            return placed
    raise LabelTooLong(
        f"{document.title or 'the label'} does not fit a {LABEL_WIDTH / mm:.0f} x {LABEL_HEIGHT / mm:.0f} mm "
        "label even at 7 pt: print it on the label roll"
    )


def render_label_sheet(document: Document, count: int) -> bytes:
    """Draw ``count`` copies of a label document, 8 to an A4 page, left to right and top to
    bottom; the output is byte-for-byte repeatable (no timestamps)."""
    if not 0 < count <= 1000:
        raise ValueError(f"count must be 1..1000, not {count}")
    inner_width = LABEL_WIDTH - 2 * PADDING
    inner_height = LABEL_HEIGHT - 2 * PADDING
    placed = _fitted(document, inner_width, inner_height)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)
    canvas.setTitle(document.title or document.kind)
    page_height = float(A4[1])
    per_page = COLUMNS * ROWS
    for number in range(count):
        if number and number % per_page == 0:
            canvas.showPage()
        slot = number % per_page
        column, row = slot % COLUMNS, slot // COLUMNS
        x = LEFT + column * (LABEL_WIDTH + GAP)
        top = page_height - TOP - row * LABEL_HEIGHT
        canvas.setLineWidth(0.25)
        canvas.setStrokeGray(0.8)
        canvas.roundRect(x, top - LABEL_HEIGHT, LABEL_WIDTH, LABEL_HEIGHT, 2 * mm)
        y = top - PADDING
        for paragraph, tall in placed:
            paragraph.drawOn(canvas, x + PADDING, y - tall)
            y -= tall + paragraph.style.spaceAfter
    canvas.showPage()
    canvas.save()
    return out.getvalue()
