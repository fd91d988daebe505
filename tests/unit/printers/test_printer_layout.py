"""Shared layout and the plain-text preview: wrapping and column alignment."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.document import (
    QR,
    Barcode,
    Columns,
    Cut,
    Document,
    DrawerKick,
    Feed,
    Rule,
    Text,
)
from printers.layout import TextLine, fit_columns, layout, wrap
from printers.render_text import SCISSORS, render_text

LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff-Brzęczyszczykiewicz"


@pytest.mark.parametrize("width", [32, 48])
def test_a_long_description_wraps_and_its_amount_ends_the_first_line(width: int) -> None:
    lines = render_text(
        Document("r", (Columns(f"Birthday cake for {LONG_NAME} family", "£24.00"),)), width
    ).splitlines()

    assert len(lines) > 1
    assert all(len(line) <= width for line in lines)
    assert lines[0].endswith(" £24.00")
    assert len(lines[0]) == width
    assert all("£" not in line for line in lines[1:])
    assert "".join(lines).replace(" ", "").startswith("Birthdaycakefor")


@pytest.mark.parametrize("width", [32, 48])
def test_amounts_on_successive_lines_are_right_aligned_to_the_same_column(width: int) -> None:
    document = Document(
        "r",
        (
            Columns("Bun", "£0.90"),
            Columns("Sourdough", "£4.50"),
            Columns("TOTAL", "£105.40", bold=True),
        ),
    )
    lines = render_text(document, width).splitlines()

    assert [len(line) for line in lines] == [width, width, width]
    assert [line.rsplit(" ", 1)[1] for line in lines] == ["£0.90", "£4.50", "£105.40"]


def test_a_word_longer_than_the_line_is_broken() -> None:
    assert wrap(LONG_NAME, 32) == [LONG_NAME[:32], LONG_NAME[32:]]


def test_an_amount_too_wide_for_a_left_column_goes_under_the_description() -> None:
    lines = fit_columns("Gift voucher", "Valid until 31 December 2031", 32)

    assert lines == ["Gift voucher", "    Valid until 31 December 2031"]


def test_explicit_newlines_and_blank_paragraphs_are_kept() -> None:
    assert wrap("Table 4\n\nNo nuts", 32) == ["Table 4", "", "No nuts"]


def test_decomposed_accents_count_as_one_character() -> None:
    assert wrap("Cafe\u0301", 32) == ["Café"]


@pytest.mark.parametrize("width", [32, 48])
def test_double_and_wide_text_wraps_at_half_the_width_and_centres_on_the_paper(
    width: int,
) -> None:
    document = Document("r", (Text("Crumb and Co-op Bakery Ltd", size="double", align="center"),))
    lines = layout(document, width)
    preview = render_text(document, width).splitlines()

    assert all(isinstance(line, TextLine) for line in lines)
    assert all(len(line.text) * 2 <= width for line in lines if isinstance(line, TextLine))
    first = lines[0]
    assert isinstance(first, TextLine)
    assert preview[0] == " " * ((width - 2 * len(first.text)) // 2) + first.text


def test_the_preview_shows_codes_as_placeholders_and_a_cut_as_scissors() -> None:
    document = Document(
        "r",
        (Rule("="), QR("https://x.example/1"), Barcode("A-1"), DrawerKick(), Feed(2), Cut()),
    )

    assert render_text(document, 32).splitlines() == [
        "=" * 32,
        "   [QR: https://x.example/1]",
        "         [CODE128: A-1]",
        "",
        "",
        SCISSORS + "-" * 31,
    ]


def test_right_aligned_text_ends_at_the_edge() -> None:
    assert render_text(Document("r", (Text("VAT 123", align="right"),)), 32) == " " * 25 + "VAT 123"


def test_a_width_below_sixteen_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="16"):
        layout(Document("r", ()), 12)


@settings(max_examples=200, deadline=None)
@given(
    left=st.text(max_size=120),
    right=st.text(max_size=40),
    text=st.text(max_size=200),
    size=st.sampled_from(["normal", "double", "tall", "wide"]),
    width=st.integers(16, 64),
)
def test_no_preview_line_is_ever_wider_than_the_paper(
    left: str, right: str, text: str, size: str, width: int
) -> None:
    document = Document(
        "r",
        (Columns(left, right), Text(text, size=size, align="center"), QR("q" * 90)),  # type: ignore[arg-type]
    )

    for line in layout(document, width):
        if isinstance(line, TextLine):
            scale = 2 if line.size in ("double", "wide") else 1
            assert len(line.text) * scale <= width
            assert all(c == " " or unicodedata.category(c)[0] not in "CZ" for c in line.text)
    assert all(len(line) <= width for line in render_text(document, width).splitlines())
