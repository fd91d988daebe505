"""PDF rendering of a document: a monospace copy of the receipt, on a paper roll or A4."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final, Literal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm as _reportlab_mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from printers.document import Document
from printers.fonts import monospace_font
from printers.layout import (
    BarcodeLine,
    CutLine,
    DrawerLine,
    Line,
    LogoLine,
    QRLine,
    TextLine,
    align_text,
    layout,
    size_scale,
)

Page = Literal["roll80", "a4"]

_REGULAR: Final = "PrintersMono"
_BOLD: Final = "PrintersMono-Bold"
_BARCODE_NAMES: Final = {
    "CODE128": "Code128",
    "EAN13": "EAN13",
    "EAN8": "EAN8",
    "UPC-A": "UPCA",
    "CODE39": "Standard39",
}
_PRINTER_DPI: Final = 203
_MM: Final = float(_reportlab_mm)


@dataclass(frozen=True, slots=True)
class _Fonts:
    regular: str
    bold: str
    fake_bold: bool


def _fonts() -> _Fonts:
    registered = pdfmetrics.getRegisteredFontNames()
    regular_path = monospace_font(bold=False)
    if regular_path is None:
        # Courier lacks Central European letters, but a PDF is better than none.
        return _Fonts("Courier", "Courier-Bold", fake_bold=False)
    if _REGULAR not in registered:
        pdfmetrics.registerFont(TTFont(_REGULAR, str(regular_path)))
    bold_path = monospace_font(bold=True)
    if bold_path is None:
        return _Fonts(_REGULAR, _REGULAR, fake_bold=True)
    if _BOLD not in registered:
        pdfmetrics.registerFont(TTFont(_BOLD, str(bold_path)))
    return _Fonts(_REGULAR, _BOLD, fake_bold=False)


class _PdfWriter:
    def __init__(self, document: Document, page: Page, columns: int) -> None:
        self.fonts = _fonts()
        self.columns = columns
        self.lines = layout(document, columns)
        self.paginate = page == "a4"
        if page == "roll80":
            self.block_width = 72 * _MM
            self.font_size = self.block_width / (columns * self.advance(1.0))
            self.margin = 4 * _MM
            self.page_width = 80 * _MM
            content = sum(self.height(line) for line in self.lines)
            self.page_height = content + 2 * self.margin
        else:
            self.font_size = 10.0
            self.margin = 20 * _MM
            self.page_width, self.page_height = float(A4[0]), float(A4[1])
            self.block_width = columns * self.advance(self.font_size)
        self.x0 = (self.page_width - self.block_width) / 2
        self.out = io.BytesIO()
        self.canvas = Canvas(self.out, pagesize=(self.page_width, self.page_height), invariant=True)
        self.canvas.setTitle(document.title or document.kind)
        self.y = self.page_height - self.margin

    def advance(self, size: float) -> float:
        width: float = pdfmetrics.stringWidth("M", self.fonts.regular, size)
        return width

    def line_height(self) -> float:
        return self.font_size * 1.25

    def picture_side(self, line: QRLine) -> float:
        return min(self.block_width, max(18 * _MM, 25 * _MM * line.size / 6))

    def height(self, line: Line) -> float:
        match line:
            case TextLine(size=size):
                return self.line_height() * size_scale(size)[1]
            case QRLine():
                return self.picture_side(line) + self.line_height() / 2
            case BarcodeLine():
                return 18 * _MM
            case LogoLine(png=png):
                width, height = ImageReader(io.BytesIO(png)).getSize()
                drawn = min(self.block_width, width * 72 / _PRINTER_DPI)
                return float(drawn * height / width) + self.line_height() / 2
            case CutLine():
                return self.line_height() * 2
        return 0.0

    def room_for(self, needed: float) -> None:
        if self.paginate and self.y - needed < self.margin:
            self.canvas.showPage()
            self.y = self.page_height - self.margin

    def text(self, line: TextLine) -> None:
        width_scale, height_scale = size_scale(line.size)
        size = self.font_size * height_scale
        padded = align_text(line.text, line.align, self.columns, width_scale)
        indent = len(padded) - len(line.text)
        x = self.x0 + indent * self.advance(self.font_size)
        baseline = self.y - self.line_height() * height_scale + self.font_size * 0.3
        text = self.canvas.beginText(x, baseline)
        text.setHorizScale(100.0 * width_scale / height_scale)
        for piece, bold in line.spans or ((line.text, line.bold),):
            text.setFont(self.fonts.bold if bold else self.fonts.regular, size)
            if self.fonts.fake_bold and (bold or line.spans):
                text.setTextRenderMode(2 if bold else 0)
            if bold and self.fonts.fake_bold:
                self.canvas.setLineWidth(size / 30)
            text.textOut(piece)
        self.canvas.drawText(text)
        if line.underline:
            advance = self.advance(self.font_size) * width_scale
            self.canvas.line(x, baseline - 1.5, x + advance * len(line.text), baseline - 1.5)

    def drawing(self, drawing: Drawing, width: float, height: float) -> None:
        x = self.x0 + (self.block_width - width) / 2
        renderPDF.draw(drawing, self.canvas, x, self.y - height)

    def qr(self, line: QRLine) -> None:
        side = self.picture_side(line)
        widget = QrCodeWidget(line.data, barLevel="M")
        left, bottom, right, top = widget.getBounds()
        drawing = Drawing(side, side, transform=[side / (right - left), 0, 0, side / (top - bottom), 0, 0])
        drawing.add(widget)
        self.drawing(drawing, side, side)

    def barcode(self, line: BarcodeLine) -> None:
        drawing = createBarcodeDrawing(
            _BARCODE_NAMES[line.kind], value=line.data, barHeight=12 * _MM, humanReadable=True
        )
        scale = min(1.0, self.block_width / drawing.width)
        drawing.scale(scale, scale)
        self.drawing(drawing, drawing.width * scale, drawing.height * scale + 2 * _MM)

    def logo(self, line: LogoLine) -> None:
        image = ImageReader(io.BytesIO(line.png))
        width, height = image.getSize()
        drawn = min(self.block_width, width * 72 / _PRINTER_DPI)
        x = self.x0 + (self.block_width - drawn) / 2
        self.canvas.drawImage(image, x, self.y - drawn * height / width, drawn, drawn * height / width)

    def cut(self) -> None:
        y = self.y - self.line_height()
        self.canvas.saveState()
        self.canvas.setDash(3, 3)
        self.canvas.line(self.x0, y, self.x0 + self.block_width, y)
        self.canvas.restoreState()

    def add(self, line: Line) -> None:
        needed = self.height(line)
        self.room_for(needed)
        match line:
            case TextLine():
                self.text(line)
            case QRLine():
                self.qr(line)
            case BarcodeLine():
                self.barcode(line)
            case LogoLine():
                self.logo(line)
            case CutLine():
                self.cut()
            case DrawerLine():
                pass
        self.y -= needed

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.out.getvalue()


def render_pdf(document: Document, page: Page = "roll80", columns: int = 48) -> bytes:
    """Render a document as a PDF, laid out with the same lines as the printer.

    ``roll80`` is one 80 mm wide page as long as the receipt, the text scaled to
    fill 72 mm; ``a4`` is A4 portrait at 10 pt, the receipt column centred and
    continued on further pages when long. QR codes and barcodes are drawn as
    vectors. The output is byte-for-byte repeatable (no timestamps).
    """
    if page not in ("roll80", "a4"):
        raise ValueError(f"page must be 'roll80' or 'a4', not {page!r}")
    writer = _PdfWriter(document, page, columns)
    for line in writer.lines:
        writer.add(line)
    return writer.finish()
