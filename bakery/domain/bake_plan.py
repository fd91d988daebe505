"""The bake plan: tomorrow's suggested bake of a product baked in batches, from the same weekday's
sales over recent weeks.

The rule, step by step (every number can be checked by hand):

1. **History.** The same weekday in each of the last `weeks` weeks (default 4): for a Friday plan,
   the four Fridays before it. A day the shop took no sale at all (it was closed) is left out.
2. **Sold units** are the day's sale lines net of refunds (never below zero).
3. **Sold out.** A day the product *sold out* is a day its finished stock was at or below zero at
   the close while the shop kept trading after it ran out: walking that day's stock movements in
   time order from the opening stock, the product is "out" from the movement that took it to zero
   or below until one brings it back above zero; it sold out if it was out at the end of the day
   and the shop's last sale of the day (of anything) came after it went out. Selling the last one
   in the shop's very last sale is not a sell-out: nobody was turned away.
4. **Demand of a day.** A day that did not sell out counts what it sold. A sold-out day counts
   more than it sold, since people were turned away: the larger of what it sold plus
   `uplift_pct` (default 20 %) and the average sales of the days in the history that did not
   sell out (when there are any).
5. **Expected demand** is the mean of the days' demand, rounded up to a whole unit (exact
   fractions until then).
6. **Less what is left**: units on hand now that are still in date tomorrow. Stock leaves first
   in, first out, so what is on hand is the newest; units still in date tomorrow are at most the
   units of batches whose best-before is tomorrow or later (or that have none).
7. **Rounded up to whole batches** of the product's batch size: the suggestion never falls short
   of the expected demand because of rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

#: Recent weeks of the same weekday the plan looks at, unless told otherwise.
DEFAULT_WEEKS = 4
#: The most weeks a plan may look back (a typo guard).
MAX_WEEKS = 12
#: How much more than it sold a sold-out day counts, in per cent.
UPLIFT_PCT = 20


@dataclass(frozen=True)
class Movement:
    """A change of a product's finished stock: when, how many (signed) and whether a sale made it."""

    at: datetime
    qty: int
    sale: bool = False


@dataclass(frozen=True)
class DaySales:
    """What one past day tells the plan: units sold (net of refunds) and whether it sold out."""

    day: date
    sold: int
    sold_out: bool


@dataclass(frozen=True)
class DayDemand:
    """One day of the history with the demand the plan counts for it."""

    day: date
    sold: int
    sold_out: bool
    demand: Fraction


@dataclass(frozen=True)
class Suggestion:
    """Tomorrow's suggested bake of one product, with the figures that led to it."""

    days: tuple[DayDemand, ...]
    demand: int
    left: int
    needed: int
    batch_size: int
    batches: int

    @property
    def qty(self) -> int:
        """Units to bake: whole batches."""
        return self.batches * self.batch_size


def history_days(plan_day: date, weeks: int = DEFAULT_WEEKS) -> list[date]:
    """The same weekday in each of the `weeks` weeks before the plan's day, most recent first."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be 1 to {MAX_WEEKS}")
    return [plan_day - timedelta(weeks=n) for n in range(1, weeks + 1)]


def sold_out(opening: int, movements: Iterable[Movement], last_sale_at: datetime | None) -> bool:
    """Whether the product sold out on a day (rule 3 above).

    `opening` is the finished stock at the start of the day, `movements` the day's movements
    (any order: they are taken in time order, ties in the order given) and `last_sale_at` the
    time of the shop's last sale that day, of any product (None: the shop did not trade).
    """
    if last_sale_at is None:
        return False
    running = opening
    at_opening = True
    out_since: datetime | None = None
    out = running <= 0
    for move in sorted(movements, key=lambda m: m.at):
        running += move.qty
        if running <= 0 and not out:
            out, at_opening, out_since = True, False, move.at
        elif running > 0:
            out, at_opening, out_since = False, False, None
    if not out:
        return False
    return at_opening or (out_since is not None and last_sale_at > out_since)


def day_demands(history: Sequence[DaySales], uplift_pct: int = UPLIFT_PCT) -> tuple[DayDemand, ...]:
    """The demand each day of the history counts (rule 4 above)."""
    if uplift_pct < 0:
        raise ValueError("the uplift cannot be negative")
    free = [max(day.sold, 0) for day in history if not day.sold_out]
    typical = Fraction(sum(free), len(free)) if free else Fraction(0)
    counted = []
    for day in history:
        sold = max(day.sold, 0)
        demand = Fraction(sold)
        if day.sold_out:
            demand = max(Fraction(sold * (100 + uplift_pct), 100), typical)
        counted.append(DayDemand(day.day, sold, day.sold_out, demand))
    return tuple(counted)


def left_in_date(on_hand: int, in_date_batch_units: int | None) -> int:
    """Units on hand that will still be in date tomorrow (rule 6 above).

    `in_date_batch_units` is the units of the batches still in date tomorrow (None: the batches
    are not known, so all that is on hand counts). Never below zero.
    """
    usable = on_hand if in_date_batch_units is None else min(on_hand, in_date_batch_units)
    return max(usable, 0)


def suggest(
    history: Sequence[DaySales],
    *,
    left: int,
    batch_size: int,
    uplift_pct: int = UPLIFT_PCT,
) -> Suggestion:
    """Tomorrow's bake (rules 4 to 7 above): expected demand less what is left, in whole batches."""
    if batch_size < 1:
        raise ValueError("a batch makes at least one")
    days = day_demands(history, uplift_pct)
    expected = Fraction(sum((d.demand for d in days), Fraction(0)), len(days)) if days else Fraction(0)
    demand = math.ceil(expected)
    left = max(left, 0)
    needed = max(demand - left, 0)
    batches = -(-needed // batch_size)
    return Suggestion(days, demand, left, needed, batch_size, batches)


def batches_for(qty: int, batch_size: int) -> int:
    """Whole batches that make at least `qty` units."""
    if batch_size < 1:
        raise ValueError("a batch makes at least one")
    return -(-max(qty, 0) // batch_size)


def waste_saved(*, habit: int, planned: int, sold: int) -> int:
    """Units of waste the plan saved (positive) or cost (negative) against the habit it replaces.

    Rule: the habit is baking what was baked on the same weekday a week before. Each way, the
    units beyond what sold would have been left over: saved = max(habit - sold, 0) -
    max(planned - sold, 0).
    """
    return max(habit - sold, 0) - max(planned - sold, 0)
