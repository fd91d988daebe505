"""A document on screen: text runs as laid out, QR codes as inline SVG."""

from __future__ import annotations

from bakery.printing.receipt_html import qr_svg, receipt_parts
from printers import QR, Columns, Cut, Document, Text


def test_a_document_splits_at_its_qr_codes_into_text_and_svg():
    doc = Document(
        kind="receipt",
        blocks=(Text("Shop"), Columns("Tea", "£2.00"), QR("https://shop.test/r/abc"), Text("Bye"), Cut()),
    )
    parts = receipt_parts(doc, 20)
    assert [bool(p.qr_svg) for p in parts] == [False, True, False]
    assert parts[0].text.splitlines()[1] == "Tea" + " " * 12 + "£2.00"
    assert parts[1].qr_data == "https://shop.test/r/abc"
    assert "[QR:" not in "".join(p.text for p in parts)


def test_the_qr_svg_is_geometry_only():
    svg = str(qr_svg("https://shop.test/r/<script>"))
    assert svg.startswith("<svg") and "script" not in svg and "shop.test" not in svg
