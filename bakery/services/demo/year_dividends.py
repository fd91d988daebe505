"""The demo year's financial periods and last year's dividend: proposed by one admin after the
year ended, approved by a second at the general meeting, and paid out (cash, store credit or
shares), each step through the dividends service on its own day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from sqlalchemy import func, select

from bakery.domain.hours import local_moment
from bakery.extensions import db
from bakery.models import AllocationLine, Sale
from bakery.services.audit import Actor
from bakery.services.dividends import (
    approve,
    create_period,
    default_input,
    get_period,
    propose,
    record_payout,
)

# The surplus a small co-op café/bakery makes on its takings, net of VAT (4.5 %), in whole pounds.
SURPLUS_BP = 450
RESOLUTION = "AGM-{year}-06"


@dataclass(frozen=True)
class Calendar:
    """The demo's dates: last year (ended, allocated) and this year (open, running until today)."""

    today: date
    last_start: date
    current_start: date

    @property
    def last_end(self) -> date:
        """Last year's last day."""
        return self.current_start - timedelta(days=1)

    @property
    def current_end(self) -> date:
        """This year's last day (in the future)."""
        return _add_months(self.current_start, 12) - timedelta(days=1)

    @property
    def proposal_day(self) -> date:
        """When the treasurer proposes last year's allocation: a few weeks after the year end."""
        return self.current_start + timedelta(days=50)

    @property
    def agm(self) -> date:
        """The general meeting that approves it."""
        return self.current_start + timedelta(days=64)

    @property
    def payout_day(self) -> date:
        """When the dividends are paid."""
        return self.agm + timedelta(days=4)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def calendar(today: date) -> Calendar:
    """This year began on the first of the month eight months ago, so it has months of sales."""
    current = _add_months(date(today.year, today.month, 1), -8)
    return Calendar(today, _add_months(current, -12), current)


def period_name(start: date) -> str:
    """A financial year is named by its years: 2025/26."""
    return f"{start.year}/{(start.year + 1) % 100:02d}"


def add_periods(cal: Calendar, admin: Actor, timezone: str) -> tuple[int, int]:
    """Add last year's and this year's periods (the dividends service), as the treasurer did before
    each began."""
    ids = []
    for start in (cal.last_start, cal.current_start):
        end = _add_months(start, 12) - timedelta(days=1)
        at = local_moment(start - timedelta(days=10), time(10, 0), timezone)
        ids.append(create_period(period_name(start), start, end, admin, now=at).id)
    return ids[0], ids[1]


def surplus_for(start: date, end: date) -> int:
    """A believable surplus for the takings (net of VAT) of the period, rounded to £100."""
    net = db.session.scalar(
        select(func.coalesce(func.sum(Sale.total - Sale.vat_total), 0)).where(
            Sale.created_at >= local_moment(start, time(0), "UTC"),
            Sale.created_at < local_moment(end + timedelta(days=1), time(0), "UTC"),
        )
    )
    return int(net or 0) * SURPLUS_BP // 10_000 // 10_000 * 10_000


def propose_last_year(period_id: int, cal: Calendar, treasurer: Actor, timezone: str) -> int:
    """The treasurer proposes last year's allocation with the default rules and the year's surplus."""
    period = get_period(period_id)
    inp = replace(default_input(period), surplus=surplus_for(cal.last_start, cal.last_end))
    at = local_moment(cal.proposal_day, time(10, 30), timezone)
    return propose(period_id, inp, treasurer, now=at).id


def approve_last_year(allocation_id: int, cal: Calendar, admin: Actor, timezone: str) -> None:
    """A second admin approves it with the general meeting's resolution; the period locks."""
    at = local_moment(cal.agm, time(20, 15), timezone)
    approve(allocation_id, RESOLUTION.format(year=cal.agm.year), cal.agm, admin, now=at)


def pay_last_year(allocation_id: int, cal: Calendar, admin: Actor, timezone: str) -> dict[int, int]:
    """Pay each member's dividend the way they chose: most in cash, some as store credit to spend
    at the till, some added to their shares. Returns the store credit paid, by member."""
    lines = list(
        db.session.scalars(
            select(AllocationLine)
            .where(AllocationLine.allocation_id == allocation_id, AllocationLine.paid > 0)
            .order_by(AllocationLine.id)
        )
    )
    at = local_moment(cal.payout_day, time(10, 0), timezone)
    credit: dict[int, int] = {}
    for index, line in enumerate(lines):
        method = ("cash", "credit", "shares", "credit", "cash")[index % 5]
        record_payout(line.id, method, admin, now=at + timedelta(minutes=index))
        if method == "credit":
            credit[line.member_id] = line.paid
    return credit
