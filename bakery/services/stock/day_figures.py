"""Per product and per business day: units and money sold (net of refunds), baked, wasted and
donated, the shop's last sale of a day, and a product's finished stock through a day.

Every figure is summed in SQL. Sales are stamped in UTC and a business day is the shop's local
date, so a sale is placed in its day by comparing its time with the day's UTC bounds (one CASE
over the days asked for, in one query), never by loading sale rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from bakery.domain.bake_plan import Movement
from bakery.domain.clock import local_day_bounds
from bakery.extensions import db
from bakery.models import BakeBatch, Sale, SaleLine, StockMovement, WriteOff
from bakery.services.settings import current_settings

Stamp = ColumnElement[datetime] | InstrumentedAttribute[datetime]


@dataclass
class DayFigures:
    """One product on one day: units and money (pence) sold, baked, wasted and donated."""

    sold: int = 0
    takings: int = 0
    baked: int = 0
    wasted: int = 0
    wasted_value: int = 0
    donated: int = 0
    donated_value: int = 0


def day_bounds(days: Sequence[date]) -> dict[date, tuple[datetime, datetime]]:
    """Each business day's UTC start and the next day's start, in the shop's timezone."""
    zone = current_settings().timezone
    return {day: local_day_bounds(day, zone) for day in days}


def _day_of(column: Stamp, bounds: dict[date, tuple[datetime, datetime]]) -> ColumnElement[int]:
    """An SQL expression giving the index of the day (in `bounds` order) a timestamp falls in."""
    whens = [
        (and_(column >= start, column < end), literal(index))
        for index, (start, end) in enumerate(bounds.values())
    ]
    return case(*whens, else_=literal(-1))


def _in_any(column: Stamp, bounds: dict[date, tuple[datetime, datetime]]) -> ColumnElement[bool]:
    return or_(*(and_(column >= start, column < end) for start, end in bounds.values()))


def figures(
    days: Sequence[date], product_ids: Sequence[int] | None = None
) -> dict[tuple[date, int], DayFigures]:
    """What each product sold, baked, wasted and donated on each of the days (missing: nothing).

    Rule: sold units and takings are the day's sale lines net of refunds (a refund's lines are
    negative); baked is the day's bake batches; wasted and donated are the day's write-offs, in
    units and at cost.
    """
    out: dict[tuple[date, int], DayFigures] = {}
    if not days:
        return out
    bounds = day_bounds(sorted(set(days)))
    ordered = list(bounds)

    def cell(day: date, product_id: int) -> DayFigures:
        return out.setdefault((day, product_id), DayFigures())

    day_index = _day_of(Sale.created_at, bounds).label("day_index")
    sold = (
        select(day_index, SaleLine.product_id, func.sum(SaleLine.qty), func.sum(SaleLine.gross))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(_in_any(Sale.created_at, bounds))
        .group_by(day_index, SaleLine.product_id)
    )
    baked = (
        select(BakeBatch.baked_on, BakeBatch.product_id, func.sum(BakeBatch.qty))
        .where(BakeBatch.baked_on.in_(ordered))
        .group_by(BakeBatch.baked_on, BakeBatch.product_id)
    )
    written = (
        select(
            WriteOff.day, WriteOff.product_id, WriteOff.kind, func.sum(WriteOff.qty), func.sum(WriteOff.value)
        )
        .where(WriteOff.day.in_(ordered), WriteOff.product_id.is_not(None))
        .group_by(WriteOff.day, WriteOff.product_id, WriteOff.kind)
    )
    if product_ids is not None:
        sold = sold.where(SaleLine.product_id.in_(product_ids))
        baked = baked.where(BakeBatch.product_id.in_(product_ids))
        written = written.where(WriteOff.product_id.in_(product_ids))
    for index, product_id, units, money in db.session.execute(sold):
        figure = cell(ordered[index], product_id)
        figure.sold, figure.takings = int(units or 0), int(money or 0)
    for day, product_id, units in db.session.execute(baked):
        cell(day, product_id).baked = int(units or 0)
    for day, product_id, kind, units, value in db.session.execute(written):
        figure = cell(day, product_id)
        if kind == "waste":
            figure.wasted, figure.wasted_value = int(units or 0), int(value or 0)
        else:
            figure.donated, figure.donated_value = int(units or 0), int(value or 0)
    return out


def last_sales(days: Sequence[date]) -> dict[date, datetime]:
    """The time of the shop's last sale (not refund) on each day it traded."""
    if not days:
        return {}
    bounds = day_bounds(sorted(set(days)))
    ordered = list(bounds)
    day_index = _day_of(Sale.created_at, bounds).label("day_index")
    rows = db.session.execute(
        select(day_index, func.max(Sale.created_at))
        .where(_in_any(Sale.created_at, bounds), Sale.kind == "sale")
        .group_by(day_index)
    )
    found: dict[date, datetime] = {}
    for index, last in rows:
        if last is not None:
            found[ordered[index]] = last
    return found


def stock_through(day: date, product_ids: Sequence[int]) -> tuple[dict[int, int], dict[int, list[Movement]]]:
    """Each product's finished stock at the start of the day and its movements during the day."""
    if not product_ids:
        return {}, {}
    start, end = day_bounds([day])[day]
    opening = {
        product_id: int(total or 0)
        for product_id, total in db.session.execute(
            select(StockMovement.product_id, func.sum(StockMovement.qty))
            .where(StockMovement.product_id.in_(product_ids), StockMovement.at < start)
            .group_by(StockMovement.product_id)
        )
    }
    moves: dict[int, list[Movement]] = {}
    for product_id, at, qty, reason in db.session.execute(
        select(StockMovement.product_id, StockMovement.at, StockMovement.qty, StockMovement.reason)
        .where(StockMovement.product_id.in_(product_ids), StockMovement.at >= start, StockMovement.at < end)
        .order_by(StockMovement.at, StockMovement.id)
    ):
        moves.setdefault(product_id, []).append(Movement(at, int(qty), reason == "sale"))
    return {pid: opening.get(pid, 0) for pid in product_ids}, moves
