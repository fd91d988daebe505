"""The end-of-day markdown: what is baked in batches and left near close is sold off cheaper
rather than wasted, with one tap on the till."""

from __future__ import annotations

from collections.abc import Iterable

from bakery.domain.basket import percent_of

#: How a product is made when the markdown applies to it: baked in batches (made-to-order and
#: bought-in goods keep for tomorrow or were made for this customer).
MARKED_DOWN = frozenset({"batch"})


class MarkdownError(ValueError):
    """A markdown percentage outside 0-100 %."""


def marks_down(make: str) -> bool:
    """Whether the end-of-day markdown applies to a product made this way."""
    return make in MARKED_DOWN


def markdown_plan(lines: Iterable[tuple[int, str, int, int]], markdown_bp: int) -> dict[int, int]:
    """Which lines take the markdown, as {line id: pence off}, from (line id, how its product is
    made, its price before discounts, the discount it has now).

    Rule: only lines of batch-baked products; the markdown is the percentage of the line, rounded
    half up to the penny; discounts never stack, so a line keeps a larger discount of its own;
    applying the same markdown again gives the same plan.
    """
    if not 0 < markdown_bp <= 10000:
        raise MarkdownError("The markdown must be more than 0% and at most 100%.")
    plan: dict[int, int] = {}
    for line_id, make, base, current in lines:
        if not marks_down(make):
            continue
        off = percent_of(base, markdown_bp)
        if off >= current:
            plan[line_id] = off
    return plan
