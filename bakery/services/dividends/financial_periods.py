"""Financial periods as admins keep them, and the allocations run for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from bakery.domain.clock import business_date, local_day_bounds
from bakery.extensions import db
from bakery.models import (
    Allocation,
    FinancialPeriod,
    Sale,
    TimeEntry,
)
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe, serialise
from bakery.services.settings import current_settings


def local_today(now: datetime | None = None) -> date:
    """The shop's business date now."""
    return business_date(now or utcnow(), current_settings().timezone)


def list_periods() -> list[FinancialPeriod]:
    """Every financial period, latest first."""
    return list(db.session.scalars(select(FinancialPeriod).order_by(FinancialPeriod.starts_on.desc())))


def get_period(period_id: int) -> FinancialPeriod:
    """A period by id, or NotFound."""
    period = db.session.get(FinancialPeriod, period_id)
    if period is None:
        raise NotFound("There is no such financial period.")
    return period


@race_safe(Mechanism.SERIALISED, Mechanism.UNIQUE_KEY, guards="no day in two periods; unique names")
def create_period(
    name: str, starts_on: date, ends_on: date, actor: Actor, now: datetime | None = None
) -> FinancialPeriod:
    """Add a financial period (audited; one transaction).

    Rule: a name of 1 to 40 characters used by no other period; the end on or after the start;
    no day in two periods.
    """
    clean = " ".join((name or "").split())
    if not clean or len(clean) > 40:
        raise ServiceError("A period's name is 1 to 40 characters.")
    if ends_on < starts_on:
        raise ServiceError("A period cannot end before it starts.")
    serialise("financial-periods")  # two admins adding overlapping periods: the second sees the first
    if db.session.scalar(select(FinancialPeriod.id).where(func.lower(FinancialPeriod.name) == clean.lower())):
        raise ServiceError(f"There is already a period called {clean}.")
    overlapping = db.session.scalar(
        select(FinancialPeriod).where(
            FinancialPeriod.starts_on <= ends_on, FinancialPeriod.ends_on >= starts_on
        )
    )
    if overlapping is not None:
        raise ServiceError(
            f"Those dates overlap {overlapping.name} ({overlapping.starts_on.isoformat()} to "
            f"{overlapping.ends_on.isoformat()}): a day belongs to one period only."
        )
    at = now or utcnow()
    period = FinancialPeriod(name=clean, starts_on=starts_on, ends_on=ends_on, status="open", created_at=at)
    db.session.add(period)
    db.session.flush()
    audit.record(
        "period.created",
        actor,
        target=f"period:{period.id}",
        details={"name": clean, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        now=at,
    )
    db.session.commit()
    return period


def has_ended(period: FinancialPeriod, now: datetime | None = None) -> bool:
    """Whether the period's last day is over in the shop's local time (its allocation may go ahead)."""
    return period.ends_on < local_today(now)


@dataclass(frozen=True)
class EarlyClose:
    """A period closed early: its new last day, and where the days after it now belong."""

    period: FinancialPeriod
    old_end: date
    next_period: FinancialPeriod | None


def last_recorded_day(period: FinancialPeriod) -> date | None:
    """The last local day in the period with a sale or refund, or with approved hours."""
    zone = current_settings().timezone
    since = local_day_bounds(period.starts_on, zone)[0]
    until = local_day_bounds(period.ends_on, zone)[1]
    last_sale = db.session.scalar(
        select(func.max(Sale.created_at)).where(Sale.created_at >= since, Sale.created_at < until)
    )
    last_hours = db.session.scalar(
        select(func.max(TimeEntry.clock_in)).where(
            TimeEntry.approved_at.is_not(None), TimeEntry.clock_in >= since, TimeEntry.clock_in < until
        )
    )
    days = [business_date(moment, zone) for moment in (last_sale, last_hours) if moment is not None]
    return max(days) if days else None


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.SERIALISED,
    guards="the period row locked against approvals of hours in it; period dates changed one at a time",
)
def close_early(period_id: int, new_end: date, actor: Actor, now: datetime | None = None) -> EarlyClose:
    """End an open period sooner, so that its allocation can go ahead once the new end is over
    (audited; one transaction).

    Rule: only an open period (nothing proposed or approved); the new last day lies from the
    first day to the day before the old last day, and not before the last day on which the period
    already has a sale, a refund or approved hours (what it holds stays in it). Sales and hours
    after the new end belong to the next period: a period that began the day after the old end
    and is still open now begins the day after the new end.
    """
    serialise("financial-periods")  # the same topic as adding a period: no two periods overlap
    period = locked(FinancialPeriod, period_id)
    if period is None:
        raise NotFound("There is no such financial period.")
    if period.status != "open":
        raise ServiceError(
            f"{period.name} has an allocation {period.status}: only an open period can be closed early."
        )
    old_end = period.ends_on
    if not period.starts_on <= new_end < old_end:
        raise ServiceError(
            f"Choose a last day from {period.starts_on.isoformat()} to "
            f"{(old_end - timedelta(days=1)).isoformat()}: closing early moves the end sooner, never later."
        )
    last = last_recorded_day(period)
    if last is not None and new_end < last:
        raise ServiceError(
            f"{period.name} already has sales or approved hours on {last.isoformat()}: "
            f"its last day cannot be before {last.isoformat()}."
        )
    following = db.session.scalar(
        select(FinancialPeriod).where(FinancialPeriod.starts_on == old_end + timedelta(days=1))
    )
    next_period = locked(FinancialPeriod, following.id) if following is not None else None
    if next_period is not None and next_period.status != "open":
        next_period = None
    at = now or utcnow()
    period.ends_on = new_end
    if next_period is not None:
        next_period.starts_on = new_end + timedelta(days=1)
    audit.record(
        "period.closed_early",
        actor,
        target=f"period:{period.id}",
        details={
            "name": period.name,
            "old_end": old_end.isoformat(),
            "new_end": new_end.isoformat(),
            "next_period": next_period.name if next_period is not None else None,
        },
        now=at,
    )
    db.session.commit()
    return EarlyClose(period=period, old_end=old_end, next_period=next_period)


def allocations_of(period_id: int) -> list[Allocation]:
    """A period's allocations, newest first."""
    return list(
        db.session.scalars(
            select(Allocation).where(Allocation.period_id == period_id).order_by(Allocation.id.desc())
        )
    )


def get_allocation(allocation_id: int) -> Allocation:
    """An allocation by id, or NotFound."""
    allocation = db.session.get(Allocation, allocation_id)
    if allocation is None:
        raise NotFound("There is no such allocation.")
    return allocation


def latest_approved(period_id: int | None = None, *, adjustments: bool = True) -> Allocation | None:
    """The most recently approved allocation (of one period, or of any), adjustments optional."""
    query = select(Allocation).where(Allocation.status == "approved")
    if period_id is not None:
        query = query.where(Allocation.period_id == period_id)
    if not adjustments:
        query = query.where(Allocation.adjusts_id.is_(None))
    return db.session.scalar(query.order_by(Allocation.approved_at.desc(), Allocation.id.desc()).limit(1))
