"""A printable document on screen: its text as the paper shows it, and its QR codes as images."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
import qrcode.image.svg
from markupsafe import Markup

from printers import QR, Document
from printers.render_text import render_text

#: Characters across a phone at 390 CSS pixels: the digital receipt is laid out as a 58 mm roll.
PHONE_COLUMNS = 32


@dataclass(frozen=True)
class ReceiptPart:
    """A run of the document's text, or one of its QR codes drawn as an inline SVG."""

    text: str = ""
    qr_data: str = ""
    qr_svg: Markup | None = None


@lru_cache(maxsize=64)
def qr_svg(data: str) -> Markup:
    """A QR code as inline SVG markup, drawn on the server (no script: the CSP forbids it).

    The SVG holds only path geometry, never the encoded text, so it is safe to mark as markup.
    Drawing one costs more CPU than the rest of a pay's answer, and the till's answer after a
    sale shows the same code twice (large, and in the receipt), so recent ones are kept.
    """
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return Markup(image.to_string(encoding="unicode"))  # noqa: S704  (geometry only, see above)


def receipt_parts(document: Document, columns: int = 42) -> list[ReceiptPart]:
    """Split a document at its QR codes: text runs rendered `columns` wide, each QR as an SVG."""
    parts: list[ReceiptPart] = []
    run: list[object] = []

    def flush() -> None:
        if run:
            chunk = Document(kind=document.kind, blocks=tuple(run), title=document.title)  # type: ignore[arg-type]
            parts.append(ReceiptPart(text=render_text(chunk, columns)))
            run.clear()

    for block in document.blocks:
        if isinstance(block, QR):
            flush()
            parts.append(ReceiptPart(qr_data=block.data, qr_svg=qr_svg(block.data)))
        else:
            run.append(block)
    flush()
    return parts
