"""Financial periods as every writer sees them: which period a day is in, which period a write
happening now lands in (opening the next one when the last has ended), and refusing a change
about a day whose period is closed. The rule itself is `bakery.domain.period_close`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select

from bakery.domain.period_close import Landing, PeriodClosed, PeriodSpan, Write, landing
from bakery.extensions import db
from bakery.models import FinancialPeriod
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, race_safe, serialise


class PeriodClosedError(ServiceError):
    """A change about a day whose period is closed (its allocation proposed or approved)."""


def period_for(day: date) -> FinancialPeriod | None:
    """The financial period containing a (shop-local) day, if one is defined."""
    return db.session.scalar(
        select(FinancialPeriod).where(FinancialPeriod.starts_on <= day, FinancialPeriod.ends_on >= day)
    )


def _spans() -> list[PeriodSpan]:
    period = FinancialPeriod
    rows = db.session.execute(select(period.name, period.starts_on, period.ends_on, period.status)).all()
    return [PeriodSpan(name, starts_on, ends_on, status) for name, starts_on, ends_on, status in rows]


def _share_lock(period_id: int) -> FinancialPeriod | None:
    """The period's row, share-locked until commit (PostgreSQL FOR SHARE) and read fresh.

    Why: proposing, approving and closing a period early update its row, so they wait for the
    writes that share-lock it, and a write that comes after them reads what they changed.
    """
    return db.session.scalar(
        select(FinancialPeriod)
        .where(FinancialPeriod.id == period_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.SERIALISED,
    guards="the period of today share-locked against proposal, approval and early close until the "
    "write commits; periods opened one at a time (advisory lock 'financial-periods')",
)
def period_for_write(
    write: Write, today: date, actor: Actor, now: datetime | None = None
) -> FinancialPeriod | None:
    """The period a write happening now (sale, refund, store-credit spend, clock-in) lands in,
    share-locked until the caller commits; None when the shop keeps no periods. `today` is the
    shop's local date of `now`.

    Rule (`period_close.landing`): the period containing today; when the last period has ended
    and none contains today, the next one is opened here (audited as "period.opened"), never
    the write refused. The caller commits. Lock order: after the till, sale, cash session, counter
    and member rows, before the chain head; the writers of a period's status (propose, approve,
    close early) lock only the period, so no cycle can form.
    """
    at = now or utcnow()
    found = period_for(today)
    if found is not None:
        attempt = db.session.begin_nested()
        period = _share_lock(found.id)
        if period is not None and period.starts_on <= today <= period.ends_on:
            attempt.commit()  # the share lock is kept until the caller commits
            return period
        # Closed early while we waited: let go of its lock (rolling back to the savepoint releases
        # it) before queueing for the advisory lock, which an early close takes before the row.
        attempt.rollback()
    serialise("financial-periods")  # rare (once a year): opening a period, or a close that moved the end
    where: Landing = landing(write, _spans(), today)
    for new in where.opens:
        opened = FinancialPeriod(
            name=new.name, starts_on=new.starts_on, ends_on=new.ends_on, status="open", created_at=at
        )
        db.session.add(opened)
        db.session.flush()
        audit.record(
            "period.opened",
            actor,
            target=f"period:{opened.id}",
            details={
                "name": new.name,
                "starts_on": new.starts_on.isoformat(),
                "ends_on": new.ends_on.isoformat(),
                "because": str(write),
            },
            now=at,
        )
    found = period_for(today)
    return _share_lock(found.id) if found is not None else None


def refuse_if_closed(write: Write, days: Sequence[date], what: str = "This") -> Landing:
    """Refuse a change about these days when a period containing one of them is closed, with a
    message naming the period and the way to change it; otherwise say where it lands.

    Rule (`period_close.landing`): closed means an allocation is proposed or approved. Each day's
    period row is share-locked (PostgreSQL FOR SHARE) until the change commits, so a proposal or
    approval waits for changes already under way, and a change that comes after it sees it.
    """
    for day in sorted(set(days)):
        found = period_for(day)
        if found is not None:
            _share_lock(found.id)
    try:
        return landing(write, _spans(), max(days) if days else date.min, days, what=what)
    except PeriodClosed as closed:
        raise PeriodClosedError(str(closed)) from closed


def refuse_if_locked(day: date, what: str = "This") -> None:
    """Refuse a change to the figures of the day's period once it is closed (see `refuse_if_closed`)."""
    refuse_if_closed(Write.CORRECTION, [day], what)
