"""Patronage: what each member bought (net of VAT) and worked (approved minutes) in a date range.

Everything is aggregated in SQL: a year's sale lines are never loaded as ORM objects.

**VAT per line, not per band.** A receipt works its VAT out per rate band on the band's total
(DESIGN §4), so the band figure of a receipt can differ by a penny from the sum of its lines'
VAT. Patronage takes each line's net (`gross - round_half_up(gross x rate / (10000 + rate))`)
instead, because then (a) a refund line is the exact mirror of the line it refunds, so refunding
something removes precisely the patronage it earned, and (b) the whole year is one `SUM … GROUP
BY member` with no per-receipt grouping step. The SQL expression is the integer arithmetic of
`bakery.domain.vat.vat_in_gross`, identical on SQLite and PostgreSQL (a test compares the two
on random lines).

Dates are the shop's local business days, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, cast, func, literal_column, select

from bakery.domain.clock import local_day_bounds
from bakery.domain.money import Pence
from bakery.domain.vat import FULL_RATE_BP
from bakery.extensions import db
from bakery.models import Sale, SaleLine, Till
from bakery.services.settings import current_settings


def net_of_vat(gross: Any, rate_bp: Any, *, wide: bool = True) -> ColumnElement[int]:
    """A SQL expression for a VAT-inclusive amount less the VAT it contains, per line.

    Rule: the VAT is `round_half_up(gross x rate, 10000 + rate)`, halves away from zero, written as
    `sign(n) x ((2|n| + d) DIV 2d)` in integers. Both operands of the division are positive, so
    SQLite's and PostgreSQL's truncating integer division are the floor the Python rule uses.
    `wide` casts to BIGINT first: PostgreSQL's INTEGER is 32-bit and `gross x rate` overflows it for
    large lines; SQLite's integers are always 64-bit, and the casts cost it a tenth of the scan.
    """
    g = cast(gross, BigInteger) if wide else gross
    r = cast(rate_bp, BigInteger) if wide else rate_bp
    two = literal_column("2", BigInteger)
    d = r + literal_column(str(FULL_RATE_BP), BigInteger)
    magnitude = (two * func.abs(g) * r + d) // (two * d)
    vat = case((g < literal_column("0", BigInteger), -magnitude), else_=magnitude)
    return g - vat


def _wide() -> bool:
    return db.session.get_bind().dialect.name != "sqlite"


def utc_bounds(start: date, end: date, timezone: str | None = None) -> tuple[datetime, datetime]:
    """The UTC instants from the start of local day `start` to the end of local day `end`."""
    zone = timezone or current_settings().timezone
    return local_day_bounds(start, zone)[0], local_day_bounds(end, zone)[1]


def purchases_by_member(start: date, end: date, *, timezone: str | None = None) -> dict[int, Pence]:
    """Each member's purchases patronage: net-of-VAT pence of their sales from `start` to `end`.

    Rule: refunds are sales with negative lines, so they subtract by themselves (a refund counts on
    the day it was made). A member whose refunds exceed their purchases in the range gets a
    negative figure; the allocation treats it as zero.
    """
    since, until = utc_bounds(start, end, timezone)
    in_range = (Sale.created_at >= since, Sale.created_at < until)
    if _wide():
        # PostgreSQL hash-joins the period's sales to their lines and hash-aggregates by member.
        query = (
            select(Sale.member_id, func.sum(net_of_vat(SaleLine.gross, SaleLine.rate_bp)))
            .join(SaleLine, SaleLine.sale_id == Sale.id)
            .where(Sale.member_id.is_not(None), *in_range)
            .group_by(Sale.member_id)
        )
    else:
        # SQLite has no hash join: driven from `sales`, every line costs an index probe and a row
        # fetch (2.5x slower). So the lines are first summed per sale, read in `sale_id` order
        # within the id range of the period's sales (ids follow time closely, so this reads about
        # the period's lines; the range is only a pre-filter, the join applies the exact dates).
        low, high = db.session.execute(select(func.min(Sale.id), func.max(Sale.id)).where(*in_range)).one()
        if low is None:
            return {}
        per_sale = (
            select(
                SaleLine.sale_id.label("sale_id"),
                func.sum(net_of_vat(SaleLine.gross, SaleLine.rate_bp, wide=False)).label("net"),
            )
            .where(SaleLine.sale_id.between(low, high))
            .group_by(SaleLine.sale_id)
            .subquery("per_sale")
        )
        query = (
            select(Sale.member_id, func.sum(per_sale.c.net))
            .select_from(per_sale)
            .join(Sale, Sale.id == per_sale.c.sale_id)
            .where(Sale.member_id.is_not(None), *in_range)
            .group_by(Sale.member_id)
        )
    return {int(member_id): int(total) for member_id, total in db.session.execute(query)}


@dataclass(frozen=True)
class Purchase:
    """One of a member's sales or refunds, for their purchases page."""

    sale_id: int
    at: datetime
    receipt: str
    kind: str
    total: Pence
    net: Pence


def member_purchases(
    member_id: int, start: date, end: date, *, timezone: str | None = None
) -> list[Purchase]:
    """A member's sales and refunds from `start` to `end`, newest first, with each one's net patronage."""
    since, until = utc_bounds(start, end, timezone)
    query = (
        select(
            Sale.id,
            Sale.created_at,
            Till.name,
            Sale.receipt_no,
            Sale.kind,
            Sale.total,
            func.sum(net_of_vat(SaleLine.gross, SaleLine.rate_bp, wide=_wide())),
        )
        .join(SaleLine, SaleLine.sale_id == Sale.id)
        .join(Till, Till.id == Sale.till_id)
        .where(Sale.member_id == member_id, Sale.created_at >= since, Sale.created_at < until)
        .group_by(Sale.id, Sale.created_at, Till.name, Sale.receipt_no, Sale.kind, Sale.total)
        .order_by(Sale.created_at.desc(), Sale.id.desc())
    )
    return [
        Purchase(sale_id, at, f"{till} #{receipt_no}", kind, int(total), int(net))
        for sale_id, at, till, receipt_no, kind, total, net in db.session.execute(query)
    ]


def minutes_by_member(start: date, end: date) -> dict[int, int]:
    """Each member's hours patronage: their approved minutes from `start` to `end` (the hours service)."""
    from bakery.services.members import hours  # the hours area owns what counts as approved time

    return {int(k): int(v) for k, v in hours.approved_minutes_by_member(start, end).items()}
