"""Demo hours: a few weeks of shifts for the worker members Ada and Ben (the caller commits)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bakery.domain.clock import business_date
from bakery.domain.hours import local_moment, week_start
from bakery.extensions import db
from bakery.models import Member, TimeEntry, User
from bakery.models.types import utcnow
from bakery.services.settings import current_settings

APPROVED_WEEKS = 3
# member number, shift start, shift end, break minutes
WORKERS = (("M-0001", time(6, 0), time(14, 0), 30), ("M-0002", time(8, 0), time(16, 30), 45))


def load_demo_hours(now: datetime | None = None) -> int:
    """Weekday shifts for Ada and Ben: three approved weeks and this week still to approve.

    One of Ben's shifts this week is flagged by him as wrong, one of Ada's earlier ones was
    confirmed. Returns the number of entries added (none if the shop has entries already).
    """
    if db.session.scalar(select(TimeEntry.id).limit(1)) is not None:
        return 0
    at = now or utcnow()
    timezone = str(current_settings().timezone)
    today = business_date(at, timezone)
    manager_id = db.session.scalar(select(User.id).where(User.role == "manager").order_by(User.id))
    monday = week_start(today) - timedelta(weeks=APPROVED_WEEKS)
    added = 0
    for number, start, end, pause in WORKERS:
        member = db.session.scalar(select(Member).where(Member.number == number))
        if member is None or member.user_id is None:
            continue
        day = monday
        while day < today:
            if day.weekday() < 5:
                db.session.add(_shift(member, day, start, end, pause, timezone, manager_id, today, at))
                added += 1
            day += timedelta(days=1)
    db.session.flush()
    return added


def _shift(
    member: Member,
    day: date,
    start: time,
    end: time,
    pause: int,
    timezone: str,
    manager_id: int | None,
    today: date,
    now: datetime,
) -> TimeEntry:
    approved = day < week_start(today)
    # A little untidiness, as real clocks have: a few minutes early or late.
    jitter = timedelta(minutes=(day.toordinal() * 7 + member.id) % 9 - 4)
    state, comment = "", ""
    if member.number == "M-0002" and not approved and day.weekday() == 0:
        state, comment = "flagged", "I stayed until 17:15 to cover the late delivery."
    elif member.number == "M-0001" and approved and day.weekday() == 2:
        state = "confirmed"
    return TimeEntry(
        user_id=member.user_id,
        member_id=member.id,
        clock_in=local_moment(day, start, timezone) + jitter,
        clock_out=local_moment(day, end, timezone) - jitter,
        break_minutes=pause,
        approved_by_id=manager_id if approved else None,
        approved_at=now if approved else None,
        member_state=state,
        member_comment=comment,
    )
