"""How good a bake plan was (planned against baked, sold and wasted; the waste it saved or cost
over recent weeks), and sell-through and waste per product per day. Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bakery.domain import bake_plan as rule
from bakery.extensions import db
from bakery.models import BakePlan, Product
from bakery.services.errors import ServiceError
from bakery.services.stock.day_figures import DayFigures, figures
from bakery.services.stock.recipes import load_facts, product_facts

#: The longest date range the sell-through page covers at once.
MAX_RANGE_DAYS = 62


@dataclass(frozen=True)
class ReviewRow:
    """One product of a plan's day: planned, baked, sold, wasted and donated units."""

    product_id: int
    name: str
    suggested: int
    planned: int
    baked: int
    sold: int
    wasted: int
    donated: int
    wasted_value: int

    @property
    def left_over(self) -> int:
        """Units baked beyond what sold (negative: sold from earlier stock)."""
        return self.baked - self.sold


@dataclass(frozen=True)
class SavedDay:
    """One planned day: the waste the plan saved (positive) or cost (negative), in units and pence."""

    day: date
    units: int
    value: int


def _names(product_ids: set[int]) -> dict[int, Product]:
    if not product_ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(product_ids)))}


def plan_review(day: date) -> list[ReviewRow]:
    """Each product of the plan accepted for `day`: planned against baked, sold, wasted, donated.

    Rule: sold is net of refunds; wasted and donated are that day's write-offs, wasted value at
    cost. An empty list when no plan was accepted for the day.
    """
    plan = db.session.scalar(
        select(BakePlan).where(BakePlan.day == day).options(selectinload(BakePlan.lines))
    )
    if plan is None:
        return []
    ids = [line.product_id for line in plan.lines]
    day_figures = figures([day], ids)
    products = _names(set(ids))
    rows = []
    for line in plan.lines:
        f = day_figures.get((day, line.product_id), DayFigures())
        name = products[line.product_id].name if line.product_id in products else "?"
        rows.append(
            ReviewRow(
                line.product_id,
                name,
                line.suggested,
                line.qty,
                f.baked,
                f.sold,
                f.wasted,
                f.donated,
                f.wasted_value + f.donated_value,
            )
        )
    return sorted(rows, key=lambda row: row.name)


def waste_saved_by_day(last_day: date, weeks: int = rule.DEFAULT_WEEKS) -> list[SavedDay]:
    """For each day with an accepted plan in the `weeks` weeks up to `last_day`: the waste the
    plan saved or cost, in units and at cost.

    Rule (`bakery.domain.bake_plan.waste_saved`): against the habit it replaces, baking what was
    baked on the same weekday a week before, each product's units beyond what sold that day:
    saved = over(habit) - over(planned), valued at the product's cost per unit today.
    """
    if not 1 <= weeks <= rule.MAX_WEEKS:
        raise ServiceError(f"Look back 1 to {rule.MAX_WEEKS} weeks.")
    first = last_day - timedelta(weeks=weeks) + timedelta(days=1)
    plans = list(
        db.session.scalars(
            select(BakePlan)
            .where(BakePlan.day >= first, BakePlan.day <= last_day)
            .options(selectinload(BakePlan.lines))
            .order_by(BakePlan.day)
        )
    )
    if not plans:
        return []
    days = {plan.day for plan in plans} | {plan.day - timedelta(weeks=1) for plan in plans}
    ids = {line.product_id for plan in plans for line in plan.lines}
    day_figures = figures(sorted(days), sorted(ids))
    facts = load_facts()
    cost = {pid: product_facts(product, facts).cost or 0 for pid, product in _names(ids).items()}
    out = []
    for plan in plans:
        units = value = 0
        for line in plan.lines:
            today = day_figures.get((plan.day, line.product_id), DayFigures())
            before = day_figures.get((plan.day - timedelta(weeks=1), line.product_id), DayFigures())
            saved = rule.waste_saved(habit=before.baked, planned=line.qty, sold=today.sold)
            units += saved
            value += saved * cost.get(line.product_id, 0)
        out.append(SavedDay(plan.day, units, value))
    return out


# --- sell-through ---------------------------------------------------------------------------


@dataclass
class SellThroughRow:
    """One product on one day: units and money sold, baked, wasted and donated (at cost)."""

    day: date
    product_id: int
    name: str
    figures: DayFigures

    @property
    def sell_through_pct(self) -> int | None:
        """Units sold as a whole percentage of units baked that day (None when none were baked)."""
        if self.figures.baked <= 0:
            return None
        return self.figures.sold * 100 // self.figures.baked


@dataclass
class SellThrough:
    """A date range's rows (by day, then product name) and the range's totals per product."""

    start: date
    end: date
    rows: list[SellThroughRow] = field(default_factory=list)
    totals: list[SellThroughRow] = field(default_factory=list)
    grand: DayFigures = field(default_factory=DayFigures)


def check_range(start: date, end: date) -> None:
    """Refuse a range that ends before it starts or is longer than MAX_RANGE_DAYS."""
    if end < start:
        raise ServiceError("The range ends before it starts.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ServiceError(f"Choose at most {MAX_RANGE_DAYS} days at once.")


def sell_through(start: date, end: date) -> SellThrough:
    """Per product per day from `start` to `end` (inclusive): sold units and takings net of refunds,
    baked units, wasted and donated units and their value at cost; and the totals.

    Rule: a product appears on a day only when something happened to it; the range is at most
    MAX_RANGE_DAYS days.
    """
    check_range(start, end)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    found = figures(days)
    products = _names({pid for _, pid in found})
    result = SellThrough(start, end)
    per_product: dict[int, DayFigures] = {}
    for (day, pid), f in found.items():
        name = products[pid].name if pid in products else "?"
        result.rows.append(SellThroughRow(day, pid, name, f))
        total = per_product.setdefault(pid, DayFigures())
        for bucket in (total, result.grand):
            bucket.sold += f.sold
            bucket.takings += f.takings
            bucket.baked += f.baked
            bucket.wasted += f.wasted
            bucket.wasted_value += f.wasted_value
            bucket.donated += f.donated
            bucket.donated_value += f.donated_value
    result.rows.sort(key=lambda row: (row.day, row.name))
    result.totals = sorted(
        (
            SellThroughRow(end, pid, products[pid].name if pid in products else "?", f)
            for pid, f in per_product.items()
        ),
        key=lambda row: row.name,
    )
    return result
