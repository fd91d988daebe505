"""CSV cells a spreadsheet opens: formula starts are neutralised, our amounts stay numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakery.domain.spreadsheet import FORMULA_STARTS, pounds, safe_text


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_that_starts_like_a_formula_gets_a_leading_apostrophe(text):
    assert safe_text(text) == "'" + text


def test_ordinary_text_and_blanks_are_unchanged():
    assert safe_text("Pain au chocolat") == "Pain au chocolat"
    assert safe_text(None) == ""
    assert safe_text("") == ""


@given(st.text())
def test_no_safe_cell_starts_like_a_formula(text):
    assert not safe_text(text).startswith(FORMULA_STARTS)


def test_amounts_are_plain_numbers_in_pounds_with_a_minus_for_refunds():
    assert pounds(250) == "2.50"
    assert pounds(-5) == "-0.05"
    assert pounds(0) == "0.00"
