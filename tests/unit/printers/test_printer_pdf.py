"""PDF rendering on a paper roll and on A4."""

from __future__ import annotations

import re

import pytest

from printers.document import Barcode, Document, Text
from printers.render_pdf import render_pdf
from tests.unit.printers.printer_samples import golden_receipt


def _page_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(width), float(height)) for width, height in boxes]


@pytest.mark.parametrize("page", ["roll80", "a4"])
def test_a_receipt_renders_to_a_pdf(page: str) -> None:
    pdf = render_pdf(golden_receipt(), page=page)  # type: ignore[arg-type]

    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_the_roll_is_one_80_mm_page_as_long_as_the_receipt() -> None:
    short = _page_boxes(render_pdf(Document("r", (Text("a"),))))
    long = _page_boxes(render_pdf(golden_receipt()))

    assert len(long) == 1
    assert round(long[0][0] / 72 * 25.4) == 80
    assert long[0][1] > short[0][1]


def test_a4_pages_are_a4_and_a_long_document_continues_on_a_second_page() -> None:
    document = Document("z-report", tuple(Text(f"Line {n}") for n in range(80)))

    boxes = _page_boxes(render_pdf(document, page="a4"))

    assert len(boxes) == 2
    assert all((round(w), round(h)) == (595, 842) for w, h in boxes)


def test_the_same_document_gives_the_same_pdf_bytes() -> None:
    assert render_pdf(golden_receipt(), "a4") == render_pdf(golden_receipt(), "a4")


def test_the_pdf_embeds_a_font_that_has_polish_letters() -> None:
    pdf = render_pdf(Document("r", (Text("Łukasz Żółć"), Barcode("5012345678900", "EAN13"))))

    assert b"DejaVuSansMono" in pdf or b"LiberationMono" in pdf


def test_an_unknown_page_size_is_refused() -> None:
    with pytest.raises(ValueError, match="roll80"):
        render_pdf(golden_receipt(), page="letter")  # type: ignore[arg-type]
