"""Patronage: what each member bought (net of VAT) and worked (approved minutes) in a date range.

Everything is aggregated in SQL: a year's sales are never loaded as ORM objects.

**Net of VAT is the receipt's net.** A receipt works its VAT out per rate band on the band's
total (DESIGN §4) and stores the sum as `Sale.vat_total`; a line's net is its gross less its share
of its band's VAT (`bakery.domain.vat.line_nets`, largest remainder), so the lines of a receipt
add up to exactly `Sale.total - Sale.vat_total`. Patronage therefore sums that per sale: it
agrees to the penny with the VAT lines printed on the receipt (taking each line's own rounded VAT
instead drifted by pennies per receipt), and the year is one `SUM … GROUP BY member` over
`sales` alone, without touching the sale lines. A refund stores the VAT it gave back, so a full
refund removes exactly the patronage the sale earned.

Dates are the shop's local business days, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.orm import aliased

from bakery.domain.clock import local_day_bounds
from bakery.domain.money import Pence
from bakery.extensions import db
from bakery.models import Sale, Till
from bakery.services.settings import current_settings

#: A sale's net of VAT: what the receipt charged less the VAT its bands worked out.
SALE_NET = Sale.total - Sale.vat_total


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
    in_range = [Sale.member_id.is_not(None), Sale.created_at >= since, Sale.created_at < until]
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite would walk the created_at index and fetch each sale from wherever it lies (7 s
        # for a year of 570 k sales stored out of time order, against 1 s in table order). So the
        # period's id range is read from that index alone (it covers rowids), and the sales are
        # read in id order within it; the dates still decide.
        low, high = db.session.execute(
            select(func.min(Sale.id), func.max(Sale.id)).where(
                Sale.created_at >= since, Sale.created_at < until
            )
        ).one()
        if low is None:
            return {}
        in_range.append(Sale.id.between(low, high))
    query = (
        select(Sale.member_id, func.sum(cast(SALE_NET, BigInteger))).where(*in_range).group_by(Sale.member_id)
    )
    return {int(member_id): int(total) for member_id, total in db.session.execute(query)}


def refunds_of_earlier_purchases(start: date, end: date, *, timezone: str | None = None) -> dict[int, Pence]:
    """Each member's refunds of earlier purchases: the net-of-VAT pence (≤ 0) of refunds made
    from `start` to `end` of sales made before `start` (the statement's "refunds of earlier purchases").

    Rule: a refund counts in the period in which it happens, against the member of the original
    sale (`bakery.domain.period_close`); these figures are already inside `purchases_by_member`
    and are shown apart so a member sees why their purchases went down (or below zero).
    """
    since, until = utc_bounds(start, end, timezone)
    original = aliased(Sale)
    query = (
        select(Sale.member_id, func.sum(cast(SALE_NET, BigInteger)))
        .join(original, original.id == Sale.refund_of_id)
        .where(
            Sale.kind == "refund",
            Sale.member_id.is_not(None),
            Sale.created_at >= since,
            Sale.created_at < until,
            original.created_at < since,
        )
        .group_by(Sale.member_id)
    )
    return {int(member_id): int(total) for member_id, total in db.session.execute(query)}


@dataclass(frozen=True)
class Purchase:
    """One of a member's sales or refunds, for their purchases page; `of_earlier` marks a refund
    of a purchase made before the range began (when that purchase was made: `original_at`)."""

    sale_id: int
    at: datetime
    receipt: str
    kind: str
    total: Pence
    net: Pence
    original_at: datetime | None = None
    of_earlier: bool = False


def member_purchases(
    member_id: int, start: date, end: date, *, timezone: str | None = None
) -> list[Purchase]:
    """A member's sales and refunds from `start` to `end`, newest first, each with its net patronage.

    Rule: a receipt's net is its total less its VAT, as printed, so the rows add up to the
    member's purchases patronage; a refund of a purchase made before `start` is marked `of_earlier`.
    """
    since, until = utc_bounds(start, end, timezone)
    original = aliased(Sale)
    query = (
        select(
            Sale.id,
            Sale.created_at,
            Till.name,
            Sale.receipt_no,
            Sale.kind,
            Sale.total,
            SALE_NET,
            original.created_at,
        )
        .join(Till, Till.id == Sale.till_id)
        .outerjoin(original, original.id == Sale.refund_of_id)
        .where(Sale.member_id == member_id, Sale.created_at >= since, Sale.created_at < until)
        .order_by(Sale.created_at.desc(), Sale.id.desc())
    )
    return [
        Purchase(
            sale_id,
            at,
            f"{till} #{receipt_no}",
            kind,
            int(total),
            int(net),
            original_at,
            kind == "refund" and original_at is not None and original_at < since,
        )
        for sale_id, at, till, receipt_no, kind, total, net, original_at in db.session.execute(query)
    ]


def minutes_by_member(start: date, end: date, *, member_id: int | None = None) -> dict[int, int]:
    """Each member's hours patronage: their approved minutes from `start` to `end` (the hours service)."""
    from bakery.services.members import hours  # the hours area owns what counts as approved time

    return {int(k): int(v) for k, v in hours.approved_minutes_by_member(start, end, member_id).items()}
