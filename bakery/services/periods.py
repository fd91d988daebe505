"""Financial periods: which period a day falls in, and whether it is locked by an approved allocation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import FinancialPeriod
from bakery.services.errors import ServiceError


def period_for(day: date) -> FinancialPeriod | None:
    """The financial period containing a (shop-local) day, if one is defined."""
    return db.session.scalar(
        select(FinancialPeriod).where(FinancialPeriod.starts_on <= day, FinancialPeriod.ends_on >= day)
    )


def refuse_if_locked(day: date, what: str = "This") -> None:
    """Refuse a change that would touch a period whose allocation the members have approved.

    Rule: once approved, nothing about the period's sales, hours or allocation changes; a
    correction needs a new, linked adjustment (the period's page offers it once approved). The
    period's row is share-locked (PostgreSQL FOR SHARE) until the change commits, so an approval
    that locks the period waits for changes already under way, and a change that comes after the
    approval sees it.
    """
    found = period_for(day)
    period = (
        db.session.scalar(
            select(FinancialPeriod)
            .where(FinancialPeriod.id == found.id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
        if found is not None
        else None
    )
    if period is not None and period.status == "approved":
        raise ServiceError(
            f"{what} falls in {period.name}, which is closed: its allocation has been approved. "
            f"Ask an admin to allocate the correction as an adjustment (Office, Dividends, {period.name})."
        )
