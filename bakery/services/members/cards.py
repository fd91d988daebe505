"""A member's card: a QR of an unguessable code, printed as a PDF."""

from __future__ import annotations

import io
from pathlib import Path

from bakery.models import (
    Member,
)

_SANS = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
)


CARD_WIDTH_MM, CARD_HEIGHT_MM = 85.6, 53.98  # ISO/IEC 7810 ID-1, a bank card
_CARD_FONT, _CARD_FONT_BOLD = "MemberCardSans", "MemberCardSans-Bold"


def _card_fonts() -> tuple[str, str]:
    """A TrueType sans with accents and Central European letters where one exists; else Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from printers.fonts import monospace_font

    registered = pdfmetrics.getRegisteredFontNames()
    if _CARD_FONT in registered:
        return _CARD_FONT, _CARD_FONT_BOLD
    for regular, bold in _SANS:
        if Path(regular).is_file() and Path(bold).is_file():
            pdfmetrics.registerFont(TTFont(_CARD_FONT, regular))
            pdfmetrics.registerFont(TTFont(_CARD_FONT_BOLD, bold))
            return _CARD_FONT, _CARD_FONT_BOLD
    mono = monospace_font()
    if mono is not None:
        pdfmetrics.registerFont(TTFont(_CARD_FONT, str(mono)))
        pdfmetrics.registerFont(TTFont(_CARD_FONT_BOLD, str(monospace_font(bold=True) or mono)))
        return _CARD_FONT, _CARD_FONT_BOLD
    return "Helvetica", "Helvetica-Bold"


def card_pdf(member: Member, shop_name: str) -> bytes:
    """The member's card as a bank-card-sized PDF page: shop, name, number, class and the QR.

    Drawn with reportlab directly (the printers' documents lay out receipt rolls, not cards).
    The QR holds the card code, never the number: a number alone cannot be forged into a card.
    """
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    regular, bold = _card_fonts()
    width, height = CARD_WIDTH_MM * mm, CARD_HEIGHT_MM * mm
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), invariant=True)
    canvas.setTitle(f"Member card {member.number}")
    margin = 4 * mm
    side = height - 2 * margin - 6 * mm
    text_width = width - side - 3 * margin

    def fitted(text: str, font: str, size: float) -> float:
        while size > 5 and stringWidth(text, font, size) > text_width:
            size -= 0.5
        return size

    canvas.setLineWidth(0.5)
    canvas.roundRect(0.5, 0.5, width - 1, height - 1, 3 * mm)
    shop = shop_name or "Member card"
    canvas.setFont(bold, fitted(shop, bold, 10))
    canvas.drawString(margin, height - margin - 8, shop)
    canvas.setFont(regular, 7)
    canvas.drawString(margin, height - margin - 18, "Member card · show at the till")
    name_size = fitted(member.name, bold, 11)
    canvas.setFont(bold, name_size)
    canvas.drawString(margin, margin + 24, member.name)
    canvas.setFont(regular, 9)
    canvas.drawString(margin, margin + 12, f"No. {member.number}")
    canvas.setFont(regular, 7)
    canvas.drawString(margin, margin + 2, member.member_class.name.title())
    widget = QrCodeWidget(member.card_code, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (right - left), 0, 0, side / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, width - margin - side, margin)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
