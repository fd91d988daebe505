"""Plain-text rendering of a document, for on-screen previews."""

from __future__ import annotations

from printers.document import Document
from printers.layout import (
    BarcodeLine,
    CutLine,
    DrawerLine,
    Line,
    LogoLine,
    QRLine,
    TextLine,
    align_text,
    clean_text,
    layout,
    size_scale,
)

SCISSORS = "\u2702"


def _one_line(text: str) -> str:
    return clean_text(text).replace("\n", " ")


def _centred(label: str, columns: int) -> list[str]:
    if len(label) <= columns:
        return [align_text(label, "center", columns)]
    return [label[start : start + columns] for start in range(0, len(label), columns)]


def _line_text(line: Line, columns: int) -> list[str]:
    match line:
        case TextLine(text=text, align=align, size=size):
            return [align_text(text, align, columns, size_scale(size)[0])]
        case QRLine(data=data):
            return _centred(f"[QR: {_one_line(data)}]", columns)
        case BarcodeLine(data=data, kind=kind):
            return _centred(f"[{kind}: {_one_line(data)}]", columns)
        case LogoLine():
            return _centred("[logo]", columns)
        case CutLine():
            return [SCISSORS + "-" * (columns - 1)]
        case DrawerLine():
            return []
    raise TypeError(f"not a line: {line!r}")  # pragma: no cover


def render_text(document: Document, columns: int) -> str:
    """Render a document as plain text ``columns`` characters wide.

    No line is longer than ``columns``; amounts end at the right edge; a QR code
    shows as ``[QR: data]``, a barcode as ``[CODE128: data]``, a cut as a
    scissors line; a drawer kick shows nothing. Double-width text keeps its
    position on the paper but is shown single width.
    """
    lines = layout(document, columns)
    return "\n".join(text for line in lines for text in _line_text(line, columns))
