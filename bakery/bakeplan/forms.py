"""Reading the bake plan's forms and query strings: dates, weeks, and one quantity per product."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bakery.domain.bake_plan import DEFAULT_WEEKS, MAX_WEEKS
from bakery.forms import parse_id, parse_whole_number

QTY_PREFIX = "qty-"


def parse_day(text: str | None) -> date | None:
    """A date sent as YYYY-MM-DD, or None when it is missing or not a date."""
    if not text or len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_weeks(text: str | None) -> tuple[int, str | None]:
    """The weeks to look back (DEFAULT_WEEKS when none is given) and an error for a wrong one."""
    if text is None or text == "":
        return DEFAULT_WEEKS, None
    number = parse_id(text)
    if number is None or not 1 <= number <= MAX_WEEKS:
        return DEFAULT_WEEKS, f"Look back 1 to {MAX_WEEKS} weeks."
    return number, None


@dataclass
class PlanForm:
    """The accept form as sent: the day, weeks, key, and each product's quantity (typed text kept)."""

    day: date | None
    weeks: int
    key: str
    quantities: dict[int, int] = field(default_factory=dict)
    typed: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    error: str | None = None


def read_plan_form(form: Mapping[str, str]) -> PlanForm:
    """Read the accept form; every problem is kept as a message, nothing is thrown."""
    weeks, weeks_error = parse_weeks(form.get("weeks"))
    read = PlanForm(parse_day(form.get("day")), weeks, form.get("key", ""), error=weeks_error)
    if read.day is None:
        read.error = "This form is out of date. Open the page again."
    for name, value in form.items():
        if not name.startswith(QTY_PREFIX):
            continue
        product_id = parse_id(name[len(QTY_PREFIX) :])
        if product_id is None:
            read.error = "Choose products from the plan."
            continue
        read.typed[product_id] = value
        try:
            qty = parse_whole_number(value)
        except ValueError as wrong:
            read.errors[product_id] = str(wrong)
            continue
        if qty < 0:
            read.errors[product_id] = "Bake none or more, not fewer than none."
            continue
        read.quantities[product_id] = qty
    return read
