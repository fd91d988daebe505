"""Form fields shared by the areas: numbers typed as text and read into integers at the edge."""

from __future__ import annotations

from typing import Any

from wtforms import StringField
from wtforms.validators import StopValidation

from bakery.domain.money import MoneyError, format_plain, parse_pence
from bakery.domain.vat import format_rate, parse_rate_bp


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
