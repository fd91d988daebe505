"""How much a print job may be: the size of the answer that carries it and the length of paper it
takes. A receipt is short and a label sheet is bounded; anything longer is refused as a whole
(a 20,000-line "receipt" once printed 85 m of paper), never printed in part."""

from __future__ import annotations

from typing import Final

from printers.document import Document, DocumentError
from printers.layout import layout

# A receipt's JSON is a few kilobytes; a full label sheet with a logo well under a hundred.
MAX_ANSWER_BYTES: Final = 1_000_000

# Lines of paper (as laid out for the printer's width) per kind of document.
MAX_LINES: Final[dict[str, int]] = {
    "receipt": 400,
    "kitchen": 200,
    "drawer": 10,
    "test": 200,
    "x_report": 1000,
    "z_report": 1000,
    "label": 1500,
}
DEFAULT_MAX_LINES: Final = 400


class DocumentTooLong(DocumentError):
    """The document would take more paper than its kind may."""


def max_lines(kind: str) -> int:
    """The most lines a document of this kind may print."""
    return MAX_LINES.get(kind, DEFAULT_MAX_LINES)


def check_length(document: Document, columns: int) -> int:
    """Return the document's length in lines at this width, or raise :class:`DocumentTooLong`.

    Rule: a document may have at most ``max_lines(kind)`` blocks and lay out to at most as many
    lines; the block count is checked first, so a huge document is refused before it is laid out.
    """
    limit = max_lines(document.kind)
    if len(document.blocks) > limit:
        raise DocumentTooLong(
            f"a {document.kind} may have at most {limit} lines; this one has {len(document.blocks)} blocks"
        )
    lines = len(layout(document, columns))
    if lines > limit:
        raise DocumentTooLong(f"a {document.kind} may have at most {limit} lines; this one has {lines}")
    return lines
