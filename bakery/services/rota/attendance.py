"""Planned against clocked: each published shift of a day against the clock, late and missing
flagged, and the day's labour hours and cost against its sales."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from bakery.domain import rota as rules
from bakery.domain.clock import business_date, local_day_bounds
from bakery.domain.rota_attendance import Attendance, ClockedSpan, attendance, labour_cost_pence
from bakery.extensions import db
from bakery.models import RotaProfile, RotaShift, RotaWeek, Sale, TimeEntry, User
from bakery.models.types import utcnow
from bakery.services.rota.plan import planned
from bakery.services.settings import current_settings


@dataclass(frozen=True)
class PersonDay:
    """One person's day: what was planned, what was clocked, the flags, and their cost."""

    user_id: int
    name: str
    planned: list[str]
    flags: list[str]
    planned_minutes: int
    clocked_minutes: int
    rate_pence: int | None
    planned_cost: int | None
    clocked_cost: int | None


@dataclass(frozen=True)
class DayReport:
    """A day's rota against the clock and the till."""

    day: date
    published: bool
    people: list[PersonDay]
    planned_minutes: int
    clocked_minutes: int
    planned_cost: int
    clocked_cost: int
    uncosted: int
    sales_pence: int

    @property
    def labour_share_bp(self) -> int | None:
        """Clocked labour cost as basis points of sales (None without sales)."""
        if self.sales_pence <= 0:
            return None
        return (self.clocked_cost * 10_000 * 2 + self.sales_pence) // (2 * self.sales_pence)


def _published_shifts(day: date) -> list[RotaShift]:
    return list(
        db.session.scalars(
            select(RotaShift)
            .join(RotaWeek, RotaWeek.id == RotaShift.week_id)
            .options(joinedload(RotaShift.role), joinedload(RotaShift.user), joinedload(RotaShift.skill))
            .where(RotaShift.day == day, RotaShift.cancelled_at.is_(None), RotaWeek.published_at.is_not(None))
            .order_by(RotaShift.starts_at, RotaShift.id)
        )
    )


def _entries(start: datetime, end: datetime) -> list[TimeEntry]:
    return list(
        db.session.scalars(
            select(TimeEntry)
            .where(TimeEntry.clock_in >= start, TimeEntry.clock_in < end)
            .order_by(TimeEntry.clock_in)
        )
    )


def _worked(entry: TimeEntry, now: datetime) -> int:
    if entry.clock_out is not None:
        return entry.minutes
    return max(int((now - entry.clock_in).total_seconds() // 60) - entry.break_minutes, 0)


def _span(shift: rules.PlannedShift) -> str:
    return f"{rules.clock_text(shift.start_minute)}-{rules.clock_text(shift.end_minute % rules.DAY_MINUTES)}"


def day_attendance(day: date, now: datetime | None = None) -> list[Attendance]:
    """Each published shift of a local day against its person's clock-ins (see
    `bakery.domain.rota_attendance.attendance`: late after 5 minutes, missing once the grace is over)."""
    at = now or utcnow()
    tz = current_settings().timezone
    start, end = local_day_bounds(day, tz)
    shifts = [planned(s, {}) for s in _published_shifts(day)]
    spans = [
        ClockedSpan(e.user_id, e.clock_in, e.clock_out) for e in _entries(start - timedelta(hours=2), end)
    ]
    return attendance(shifts, spans, at)


def flags_now(now: datetime | None = None) -> list[Attendance]:
    """Today's late and missing clock-ins, for the manager's "who is in" screen."""
    at = now or utcnow()
    today = business_date(at, current_settings().timezone)
    return [a for a in day_attendance(today, at) if a.flag]


def day_report(day: date, now: datetime | None = None) -> DayReport:
    """A day's planned shifts against the clock per person (late and missing flagged), labour hours
    and cost (where an hourly rate is set) against the day's sales (the till's sale totals, refunds
    taken off, summed in SQL)."""
    at = now or utcnow()
    tz = current_settings().timezone
    start, end = local_day_bounds(day, tz)
    published = bool(
        db.session.scalar(
            select(func.count()).where(
                RotaWeek.monday == rules.monday_of(day), RotaWeek.published_at.is_not(None)
            )
        )
    )
    plans = [planned(s, {}) for s in _published_shifts(day)]
    marks = {a.shift.id: a for a in day_attendance(day, at)}
    clocked: dict[int, int] = defaultdict(int)
    for entry in _entries(start, end):
        clocked[entry.user_id] += _worked(entry, at)
    ids = {p.person_id for p in plans if p.person_id is not None} | set(clocked)
    names = dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).tuples().all()
    )
    rates = dict(
        db.session.execute(
            select(RotaProfile.user_id, RotaProfile.hourly_rate_pence).where(RotaProfile.user_id.in_(ids))
        )
        .tuples()
        .all()
    )
    people: list[PersonDay] = []
    for user_id in sorted(ids, key=lambda i: (names.get(i, ""), i)):
        own = [p for p in plans if p.person_id == user_id]
        flags = []
        for p in own:
            mark = marks.get(p.id)
            if mark is not None and mark.flag == "missing":
                flags.append(f"missing from {rules.clock_text(p.start_minute)}")
            elif mark is not None and mark.flag == "late":
                flags.append(f"{mark.late_minutes} min late for {rules.clock_text(p.start_minute)}")
        planned_minutes = sum(p.worked_minutes for p in own)
        rate = rates.get(user_id)
        people.append(
            PersonDay(
                user_id=user_id,
                name=names.get(user_id, "?"),
                planned=[f"{_span(p)} {p.role_name}" for p in own],
                flags=flags,
                planned_minutes=planned_minutes,
                clocked_minutes=clocked.get(user_id, 0),
                rate_pence=rate,
                planned_cost=labour_cost_pence(planned_minutes, rate) if rate is not None else None,
                clocked_cost=labour_cost_pence(clocked.get(user_id, 0), rate) if rate is not None else None,
            )
        )
    sales = db.session.scalar(
        select(func.coalesce(func.sum(Sale.total), 0)).where(Sale.created_at >= start, Sale.created_at < end)
    )
    return DayReport(
        day=day,
        published=published,
        people=people,
        planned_minutes=sum(p.planned_minutes for p in people),
        clocked_minutes=sum(p.clocked_minutes for p in people),
        planned_cost=sum(p.planned_cost or 0 for p in people),
        clocked_cost=sum(p.clocked_cost or 0 for p in people),
        uncosted=sum(1 for p in people if p.rate_pence is None),
        sales_pence=int(sales or 0),
    )
