"""Financial periods as admins keep them, and the allocations run for each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import (
    Allocation,
    FinancialPeriod,
)
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, race_safe, serialise
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
