"""Form fields shared by the areas: numbers typed as text and read into integers at the edge.

Only ASCII digits make a number here: Python's `int()` also reads "١٢", "1_000" and " 12 ", and a
number beyond the database's integer range would fail in the query instead of in the form.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import IntegerField, StringField
from wtforms.validators import StopValidation

from bakery.domain.money import MoneyError, format_plain, parse_pence
from bakery.domain.vat import format_rate, parse_rate_bp

#: The largest id (and whole number) a database integer column holds: 2**31 - 1.
MAX_ID = 2_147_483_647

ID_TEXT = re.compile(r"[0-9]{1,10}")
WHOLE_NUMBER_TEXT = re.compile(r"-?[0-9]{1,10}")

WHOLE_NUMBER_MESSAGE = "Enter a whole number, in digits 0 to 9."
ID_MESSAGE = "Choose one from the list."


def parse_id(value: object) -> int | None:
    """An id sent by a form or a query string, or None when it cannot be one.

    Rule: ASCII digits only (no sign, spaces or separators), at most `MAX_ID`; 0 is read (it names
    no row, and some pickers send it for "none of these").
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_ID else None
    text = value if isinstance(value, str) else ""
    if not ID_TEXT.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def coerce_id(value: object) -> int:
    """`parse_id` as a select field's `coerce`: a value that is not an id raises ValueError."""
    number = parse_id(value)
    if number is None:
        raise ValueError(ID_MESSAGE)
    return number


def parse_whole_number(text: str) -> int:
    """A whole number typed by a person ("12", "-3", " 7 ").

    Rule: an optional minus and ASCII digits, spaces around it ignored, within ±`MAX_ID`;
    anything else raises ValueError with the message to show.
    """
    cleaned = text.strip(" \t\r\n")
    if not WHOLE_NUMBER_TEXT.fullmatch(cleaned) or abs(int(cleaned)) > MAX_ID:
        raise ValueError(WHOLE_NUMBER_MESSAGE)
    return int(cleaned)


def page_number(text: str) -> int:
    """A list's page from the query string, for `request.args.get(..., type=page_number)`.

    Rule: 1 to 100,000 in ASCII digits; anything else raises ValueError (the caller's default).
    """
    number = parse_id(text)
    if number is None or not 1 <= number <= 100_000:
        raise ValueError("not a page number")
    return number


class WholeNumberField(IntegerField):
    """A whole number typed in a number box; what `parse_whole_number` refuses is the field's error."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = None
            self.data = parse_whole_number(str(valuelist[0]))


class IdField(IntegerField):
    """An id sent by the page (a hidden input or a button's value); data is the id or None.

    Rule: `parse_id`'s; anything else is the field's error "Choose one from the list."
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = None
            self.data = coerce_id(str(valuelist[0]))


class ParsedField(StringField):
    """A text box whose data is a number read from the text; what was typed is shown back.

    Subclasses say how to read and show the number with `parse(text) -> int` and
    `show(value) -> str`; a parse error becomes the field's message.
    """

    empty_message = "Enter a value."

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = None
            self.data = self.parse(str(valuelist[0]))  # type: ignore[attr-defined]

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            raise StopValidation(self.empty_message)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.show(self.data) if isinstance(self.data, int) else ""  # type: ignore[attr-defined]


class MoneyField(ParsedField):
    """An amount typed as "3.40" (or "-0.10" where negative is allowed); data in pence."""

    empty_message = "Enter an amount like 3.40."

    def __init__(
        self, *args: Any, allow_negative: bool = False, allow_zero: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.allow_negative = allow_negative
        self.allow_zero = allow_zero

    def parse(self, text: str) -> int:
        """Pence, by the money rules (no sub-penny, no absurd amounts)."""
        try:
            return parse_pence(text, allow_negative=self.allow_negative, allow_zero=self.allow_zero)
        except MoneyError as refused:
            raise ValueError(str(refused)) from refused

    def show(self, value: int) -> str:
        """Pence shown back as "3.40"."""
        return format_plain(value)


class PercentField(ParsedField):
    """A percentage (a VAT rate, a discount) typed as "20" or "12.5"; data in basis points."""

    empty_message = "Enter a percentage like 20 or 12.5."

    def parse(self, text: str) -> int:
        """Basis points: 0 to 100 %, at most two decimals."""
        return parse_rate_bp(text)

    def show(self, value: int) -> str:
        """Basis points shown back as a person would type them ("12.5")."""
        return format_rate(value).removesuffix("%")
