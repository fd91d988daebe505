"""Cells written to CSV files a spreadsheet will open.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and a leading tab or
carriage return can hide such a start; a product name or a reason typed at the till could then
run a formula on the accountant's computer ("formula injection").
"""

from __future__ import annotations

from decimal import Decimal

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str | None) -> str:
    """Text for a cell: one that starts like a formula gets a leading apostrophe.

    Rule: `=`, `+`, `-`, `@`, tab or carriage return at the start → `'` is put before it; other
    text (and None, written as an empty cell) is unchanged.
    """
    if not text:
        return ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def pounds(pence: int) -> str:
    """An amount of pence as a plain number with two decimals ("-2.50"), for a money column.

    Rule: written by us from an integer, so it is a number and never a formula; a negative
    amount (a refund) keeps its minus sign so that the spreadsheet can add it up.
    """
    return str((Decimal(pence) / 100).quantize(Decimal("0.01")))
