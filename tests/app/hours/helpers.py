"""Helpers for hours tests: worker members who clock at the till, entries written directly, periods."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import AuditEvent, FinancialPeriod, Member, TimeCorrection, TimeEntry, User
from bakery.models.types import utcnow
from tests.factories import PASSWORD, make_member, make_user

_numbers = iter(range(500, 10_000))


def worker(name: str = "Ada Baker", pin: str = "1234") -> tuple[User, Member]:
    """A staff user with a PIN and a password, linked to a worker member record."""
    user = make_user("staff", name=name, pin=pin, password=PASSWORD)
    member = make_member(user, number=f"W-{next(_numbers)}", member_class="worker")
    return user, member


def add_entry(
    user: User,
    clock_in: datetime,
    clock_out: datetime | None,
    break_minutes: int = 0,
    *,
    member: Member | None = None,
    approved_by: User | None = None,
    state: str = "",
) -> TimeEntry:
    """A time entry written straight to the database (committed)."""
    entry = TimeEntry(
        user_id=user.id,
        member_id=member.id if member else None,
        clock_in=clock_in,
        clock_out=clock_out,
        break_minutes=break_minutes,
        open_user_id=None if clock_out else user.id,
        approved_by_id=approved_by.id if approved_by else None,
        approved_at=utcnow() if approved_by else None,
        member_state=state,
        member_comment="it was wrong" if state == "flagged" else "",
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def lock_period(starts_on: date, ends_on: date, name: str = "2025-26") -> FinancialPeriod:
    """A financial period whose allocation the members have approved (so it is closed)."""
    period = FinancialPeriod(name=name, starts_on=starts_on, ends_on=ends_on, status="approved")
    db.session.add(period)
    db.session.commit()
    return period


def fresh(entry: TimeEntry) -> TimeEntry:
    """The entry as the database has it now."""
    db.session.expire_all()
    found = db.session.get(TimeEntry, entry.id)
    assert found is not None
    return found


def entries() -> list[TimeEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(TimeEntry).order_by(TimeEntry.id)))


def corrections() -> list[TimeCorrection]:
    return list(db.session.scalars(select(TimeCorrection).order_by(TimeCorrection.id)))


def audit_events(prefix: str = "") -> list[AuditEvent]:
    db.session.expire_all()
    return [
        e
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        if e.action.startswith(prefix)
    ]


def hours_ago(hours: float) -> datetime:
    """A whole-second UTC time some hours before now."""
    return (utcnow() - timedelta(hours=hours)).replace(microsecond=0)
